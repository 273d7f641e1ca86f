"""Bytes of a CSV file to a header and text records, without guessing or coercing.

Decoding accepts UTF-8, UTF-8 with BOM and GBK/GB18030. Splitting is exact and
fast, in three tiers:

* :func:`quick_records`: a regular UTF-8 file (no quotes, no blank lines,
  every line as wide as the header) is parsed straight from its bytes by
  pandas' C reader; its line numbers are then simply 2, 3, … . Cheap byte
  counts prove the file is regular (record count = line count, comma count =
  width × lines); anything else returns ``None``.
* unquoted files with blank lines or ragged rows are split with numpy on the
  raw bytes (exact field counts and line numbers per record);
* quoted or unusual files go through the :mod:`csv` module.

Every record keeps the 1-based line where it starts, so problems can name it.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.reading.fields import MAX_FIELD
from fiscal_analysis.errors import Problem

__all__ = [
    "ENCODINGS",
    "Records",
    "decode",
    "quick_records",
    "read_records",
    "regular_layout",
]

#: Tried in order; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8", "gb18030")
_READ = {"keep_default_na": False, "na_filter": False, "header": None, "index_col": False}
_BOM = b"\xef\xbb\xbf"
_SAMPLE_ROWS = 200


def read_text_columns(buffer: bytes, width: int, skip: int) -> pd.DataFrame:
    """Parse CSV bytes (UTF-8) into ``width`` positional text columns, exactly.

    Columns are read as ``category`` (pandas' C reader hashes the raw bytes and
    makes one string per distinct value) unless a sample of rows looks numeric:
    pandas would turn such categories into numbers, so those are read as
    ``str``. Any column that still came back non-text is re-read as ``str``.
    """
    names = list(range(width))
    kw = {**_READ, "names": names, "skiprows": skip, "encoding": "utf-8"}
    sample = pd.read_csv(io.BytesIO(buffer), dtype="category", nrows=_SAMPLE_ROWS, **kw)
    dtypes = {c: ("category" if _is_text(sample[c]) else str) for c in names}
    frame = pd.read_csv(io.BytesIO(buffer), dtype=dtypes, low_memory=False, **kw)
    wrong = [c for c in names if dtypes[c] == "category" and not _is_text(frame[c])]
    if wrong:
        again = pd.read_csv(io.BytesIO(buffer), dtype=str, usecols=wrong, **kw)
        for c in wrong:
            frame[c] = again[c]
    return frame


def _is_text(col: pd.Series) -> bool:
    cats = col.cat.categories
    return len(cats) == 0 or cats.dtype == "str" or cats.inferred_type == "string"


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
    frame = read_text_columns(body.encode("utf-8"), width, 0) if width else pd.DataFrame()
    if len(frame) != len(rec):
        return None
    return Records(header, frame, counts[rec], rec + 1)


def regular_layout(data: bytes) -> tuple[int, str, int] | None:
    """``(start, header line, lines)`` if byte counts prove one record per line, else ``None``.

    Proven: UTF-8 header (BOM allowed, ``start`` is the offset after it), no
    ``"``, no lone ``\\r``, a non-blank header and as many commas as
    ``lines`` lines of the header's width. The records' bytes are still to be
    decoded (pandas' C reader refuses bad UTF-8).

    Examples:
        >>> regular_layout(b"\\xef\\xbb\\xbfa,b\\r\\n1,x\\r\\n")
        (3, 'a,b', 2)
        >>> regular_layout(b'a,b\\n1,"x"\\n') is None, regular_layout(b"a,b\\n1\\n") is None
        (True, True)
    """
    start = 3 if data.startswith(_BOM) else 0
    if b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    end = data.find(b"\n", start)
    first = data[start:] if end < 0 else data[start:end]
    try:
        line = first.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    if not line.strip() or line.startswith("\ufeff"):
        return None
    lines = data.count(b"\n", start) + (0 if data.endswith(b"\n") else 1)
    if data.count(b",", start) != line.count(",") * lines:
        return None
    return start, line, lines


def quick_records(data: bytes) -> Records | None:
    """Parse a regular UTF-8 CSV straight from its bytes, or return ``None``.

    Regular means: UTF-8 (BOM allowed), no ``"``, no lone ``\\r``, a non-blank
    header line, no blank lines and every record exactly as wide as the header.
    Then record *i* (0-based) starts on line *i* + 2. Each condition is proven
    with byte counts or by pandas' C reader itself (it refuses rows wider than
    the header and undecodable bytes); any doubt returns ``None`` and the caller
    takes the exact path, which finds the same records and names the problems.

    Examples:
        >>> r = quick_records(b"a,b\\n1,x\\n2,y\\n")
        >>> r.header, r.frame[1].tolist(), r.lines.tolist()
        (['a', 'b'], ['x', 'y'], [2, 3])
        >>> quick_records(b"a,b\\n1\\n2,y\\n") is None  # a short row: exact path
        True
    """
    layout = regular_layout(data)
    if layout is None:
        return None
    start, line, lines = layout
    header = line.split(",")
    width = len(header)
    records = lines - 1
    if records == 0:
        empty = pd.Index([], dtype="str")
        frame = pd.DataFrame({c: pd.Categorical([], categories=empty) for c in range(width)})
    else:
        buffer = data if start == 0 else memoryview(data)[start:].tobytes()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                frame = read_text_columns(buffer, width, 1)
            except (ValueError, Warning):  # ragged, undecodable, … : take the exact path
                return None
    if len(frame) != records or frame.shape[1] != width:
        return None
    counts = np.full(records, width, dtype="int64")
    return Records(clean_header(header), frame, counts, np.arange(2, records + 2, dtype="int64"))


def _careful_records(text: str, file: str) -> Records:
    """Split any CSV with the csv module (quotes, multi-line fields, odd line ends)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    last = 0
    limit = csv.field_size_limit(MAX_FIELD)  # (fields.long_field refused longer ones)
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
    finally:
        csv.field_size_limit(limit)
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
        table.header = clean_header(table.header)
    return table


def clean_header(names: list) -> list[str]:
    """Header names stripped, trailing empty names dropped."""
    header = [str(c).strip() for c in names]
    while header and header[-1] == "":
        header.pop()
    return header
