"""Read a published disclosure into numbered, normalised text lines.

Text copied from a PDF or Word file arrives with full-width digits, stray
spaces inside numbers and sentences, and line breaks anywhere. A PDF's
characters are read with PDFium (pdfplumber when pypdfium2 is missing) and
grouped into lines by their vertical centre (the Latin digits of Shanghai
files sit lower than the Chinese text around them); cells far apart are
joined with two spaces, like the flattened tables of the reference texts
(:mod:`.pdftext`).

Line numbers are 1-based and refer to :func:`read_lines`' output, which for a
text file is the file itself.

Examples:
    >>> normalise_line("收入１０.１８ 万元，占４９．４％")
    '收入10.18 万元，占49.4%'
    >>> compact("2020 年度 支出 10.18 万元")
    '2020年度支出10.18万元'
    >>> compact("7x24 小时 LED 屏")
    '7x24小时LED屏'
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from fiscal_analysis.errors import ExtractError, PdfReadError
from fiscal_analysis.extract.limits import MAX_TEXT_BYTES, check_lines, check_size
from fiscal_analysis.extract.pdfguard import check_pdf
from fiscal_analysis.extract.pdftext import page_words

__all__ = ["compact", "normalise_line", "read_lines"]

_FULL = {ord("０") + i: ord("0") + i for i in range(10)}
_FULL.update(
    {
        ord("．"): ".",
        ord("％"): "%",
        ord("\u3000"): " ",
        ord("\u00a0"): " ",
        ord("\t"): "  ",
        ord("﹪"): "%",
        ord("，"): "，",
        ord("｜"): "|",
        ord("－"): "-",
        ord("\ufeff"): None,
    }
)
_SPACE_RUN = re.compile(r"\s+")
_KEEP_SPACE = re.compile(r"(?<=[A-Za-z])\s+(?=[A-Za-z])")
#: Thousands separators written with a full-width comma: "2，940.05".
_CN_THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?:\D|$))")
_NUMERIC = re.compile(r"^-?[\d,]+(?:\.\d+)?$")


def normalise_line(line: str) -> str:
    """Half-width digits, ``.`` and ``%``; other punctuation is kept as printed."""
    return _CN_THOUSANDS.sub(",", line.translate(_FULL)).rstrip()


def compact(text: str) -> str:
    """Drop whitespace inside narrative text, except between two Latin letters."""
    kept = _KEEP_SPACE.sub("\x00", text)
    return _SPACE_RUN.sub("", kept).replace("\x00", " ")


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ExtractError(f"{path}: 无法识别文本编码，请另存为 UTF-8 (expected UTF-8 or GBK text)")


def _page_lines(words: list[dict]) -> list[str]:
    """Group a page's words into lines by vertical centre; far-apart cells get two spaces.

    Examples:
        >>> def w(text, x0, x1, top, size=10):
        ...     return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": top + size,
        ...             "size": size}
        >>> _page_lines([w("201", 0, 15, 0), w("2,106.66", 60, 100, 3), w("合计", 0, 20, 20)])
        ['201  2,106.66', '合计']
    """
    rows: list[list[dict]] = []
    last_mid = None
    for w in sorted(words, key=lambda w: ((w["top"] + w["bottom"]) / 2, w["x0"])):
        mid = (w["top"] + w["bottom"]) / 2
        if rows and last_mid is not None and mid - last_mid <= 0.6 * max(w["size"], 1):
            rows[-1].append(w)
        else:
            rows.append([w])
        last_mid = mid
    out = []
    prev: list[dict] = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        if _is_budget_header(prev) and all(_NUMERIC.match(w["text"]) for w in row):
            out.append(_align(row, prev))
            prev = row
            continue
        prev = row
        parts = [row[0]["text"]]
        for left, cur in itertools.pairwise(row):
            gap = cur["x0"] - left["x1"]
            parts.append("  " if gap > 0.9 * max(cur["size"], 6) else "")
            parts.append(cur["text"])
        out.append("".join(parts))
    return out


def _is_budget_header(row: list[dict]) -> bool:
    return len(row) >= 6 and all(w["text"] in ("预算数", "决算数") for w in row)


def _align(row: list[dict], header: list[dict]) -> str:
    """Place each number under the nearest 预算数/决算数 column; empty columns get "-"."""
    centres = [(w["x0"] + w["x1"]) / 2 for w in header]
    cells = ["-"] * len(header)
    for w in row:
        mid = (w["x0"] + w["x1"]) / 2
        cells[min(range(len(centres)), key=lambda i: abs(centres[i] - mid))] = w["text"]
    return "  ".join(cells)


def _read_pdf(path: Path, engine: str | None = None) -> list[str]:
    check_pdf(path)
    try:
        pages = page_words(path, engine)
    except ImportError as exc:  # pragma: no cover - pypdfium2 comes with pdfplumber
        raise ExtractError("读取 PDF 需要 pypdfium2 或 pdfplumber (pip install pypdfium2)") from exc
    except PdfReadError as exc:
        raise ExtractError(f"{path}: 不是可读取的 PDF 文件 (unreadable PDF: {exc})") from exc
    lines: list[str] = []
    for n, page in enumerate(pages, start=1):
        lines.append(f"[第{n}页]")
        lines.extend(_page_lines(page))
    if not any(line.strip() and not line.startswith("[第") for line in lines):
        raise ExtractError(f"{path}: PDF 中没有文字层（可能是扫描件），无法提取 (no text layer)")
    return lines


def read_lines(path: str | Path, pdf_engine: str | None = None) -> list[str]:
    """Read a ``.txt`` or ``.pdf`` disclosure into normalised lines.

    A PDF page starts with a ``[第N页]`` line; see :mod:`.pdftext` for how its
    characters become lines.

    Args:
        path: The document.
        pdf_engine: ``"pdfium"`` or ``"pdfplumber"``; by default PDFium
            (pypdfium2) when it is installed, else pdfplumber.

    Raises:
        ExtractError: If the file is missing, of another type, unreadable, or
            over a limit of :mod:`.limits`.
    """
    p = Path(path)
    if not p.is_file():
        raise ExtractError(f"{p}: 文件不存在 (file not found)")
    suffix = p.suffix.lower()
    if suffix == ".pdf":
        raw = _read_pdf(p, pdf_engine)
    elif suffix in (".txt", ".text", ".md"):
        check_size(p, MAX_TEXT_BYTES, ("文本文件", "text"))
        raw = _decode(p.read_bytes(), p).splitlines()
    else:
        raise ExtractError(
            f"{p}: 不支持的文件类型「{p.suffix}」，请提供 .txt 或 .pdf (expected .txt or .pdf)"
        )
    check_lines(raw, str(p))
    return [normalise_line(line) for line in raw]
