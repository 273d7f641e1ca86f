"""Bytes of a CSV file to a header and text records, without guessing or coercing.

Decoding accepts UTF-8, UTF-8 with BOM and GBK/GB18030. Splitting is exact and
fast: unquoted files are split with numpy on the raw bytes and parsed with
pandas' C reader; quoted or unusual files go through the :mod:`csv` module.
Every record keeps the 1-based line where it starts, so problems can name it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .exceptions import Problem

__all__ = ["ENCODINGS", "Records", "decode", "read_records"]

#: Tried in order; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8", "gb18030")
_READ = {"dtype": str, "keep_default_na": False, "na_filter": False, "header": None}


def _bad_bytes(data: bytes, file: str, exc: UnicodeDecodeError, enc: str) -> Problem:
    line = data.count(b"\n", 0, exc.start) + 1
    shown = data[exc.start : exc.start + 4].hex(" ")
    msg = f"第{line}行有无法按 {enc} 解码的字节，请把文件另存为 UTF-8 (expected UTF-8 or GBK text)"
    return Problem(file, line, None, shown, msg)


def decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """Decode file bytes as UTF-8 (with or without BOM), else GB18030 (GBK).

    A file that is clearly UTF-8 (several Chinese characters decode) but has a
    bad byte later is reported, not re-read as GBK mojibake.

    Examples:
        >>> decode("单位".encode("gbk"), "x.csv")[0]
        '单位'
        >>> decode(b"\\xef\\xbb\\xbfa,b", "x.csv")[0]
        'a,b'
        >>> print(decode("a,b\\n单位名称,c\\n".encode() + b"\\xff\\n", "x.csv")[1])
        x.csv 第3行: 值「ff 0a」 — 第3行有无法按 UTF-8 解码的字节，请把文件另存为 UTF-8 ...
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        msg = "文件是 UTF-16 编码，请另存为 UTF-8 (UTF-16 is not supported; save as UTF-8)"
        return None, Problem(file, None, None, None, msg)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        if sum(1 for ch in good if ord(ch) > 0x7F) >= 3:
            return None, _bad_bytes(data, file, exc, "UTF-8")
    try:
        return data.decode("gb18030"), None
    except UnicodeDecodeError as exc:
        return None, _bad_bytes(data, file, exc, "UTF-8 或 GBK")


@dataclass
class Records:
    """A CSV split into header and records (all text), before any checking."""

    header: list[str]
    frame: pd.DataFrame  # positional columns 0..width-1, every value str
    counts: np.ndarray  # fields per record
    lines: np.ndarray  # 1-based line where each record starts
    problem: Problem | None = None


def _fast_records(text: str, data: bytes) -> Records | None:
    """Split an unquoted CSV with numpy on the raw bytes and parse it with pandas' C reader.

    ``,`` ``\\n`` and ``\\r`` never occur inside a UTF-8 or GB18030 multi-byte
    character, so counting them on the bytes is exact. Returns ``None`` when
    the file needs the careful path (quotes, lone ``\\r``, blank-looking lines).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b'"' in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    b = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [len(b)]))
    cr = (ends > starts) & (b[np.maximum(ends - 1, 0)] == 13)
    ends = ends - cr
    commas = np.flatnonzero(b == 44)
    counts = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
    nonblank = np.flatnonzero(ends > starts)
    if not len(nonblank):
        return None
    h = int(nonblank[0])
    parts = text.split("\n", h + 1)
    header = parts[h].rstrip("\r").split(",")
    body = parts[h + 1] if len(parts) > h + 1 else ""
    rec = nonblank[1:]
    width = int(counts[rec].max()) if len(rec) else 0
    if width:
        frame = pd.read_csv(io.StringIO(body), names=list(range(width)), **_READ)
    else:
        frame = pd.DataFrame()
    if len(frame) != len(rec):
        return None
    return Records(header, frame, counts[rec], rec + 1)


def _careful_records(text: str, file: str) -> Records:
    """Split any CSV with the csv module (quotes, multi-line fields, odd line ends)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    last = 0
    try:
        for rec in reader:
            start, last = last + 1, reader.line_num
            if any(v.strip() for v in rec):
                rows.append(rec)
                lines.append(start)
    except csv.Error as exc:
        msg = f"CSV 格式错误：{exc} (malformed CSV)"
        return Records(
            [], pd.DataFrame(), np.array([]), np.array([]), Problem(file, last + 1, None, None, msg)
        )
    if text.count('"') % 2 and rows:
        msg = "引号未闭合：该行的英文双引号一直延续到文件末尾 (unterminated quote)"
        shown = text.splitlines()[lines[-1] - 1][:40]
        return Records(
            [],
            pd.DataFrame(),
            np.array([]),
            np.array([]),
            Problem(file, lines[-1], None, shown, msg),
        )
    header, body = rows[0], rows[1:]
    counts = np.array([len(r) for r in body], dtype="int64")
    width = int(counts.max()) if len(body) else 0
    padded = [r + [""] * (width - len(r)) for r in body]
    frame = pd.DataFrame(padded, columns=list(range(width)), dtype=str)
    return Records(header, frame, counts, np.array(lines[1:], dtype="int64"))


def read_records(text: str, data: bytes, file: str) -> Records:
    """Split decoded CSV text into header and records, fast when it can be."""
    table = _fast_records(text, data) or _careful_records(text, file)
    if table.problem is None:
        header = [str(c).strip() for c in table.header]
        while header and header[-1] == "":
            header.pop()
        table.header = header
    return table
