"""How big a document extraction reads: beyond these it refuses, with the limit named.

A real 部门决算 is 20-100 pages, a few thousand lines; the limits are hundreds of
times that, and keep time and memory bounded for anything larger (reading is
linear: about 0.1 s and 4 KB of memory per 1,000 characters).

========================  =============  ==========================================
limit                     value          what it bounds
========================  =============  ==========================================
``MAX_TEXT_BYTES``        64 MB          a ``.txt`` file's size
``MAX_LINES``             1,000,000      a document's lines (PDF: after layout)
``MAX_CHARS``             20,000,000     a document's characters
``MAX_LINE_CHARS``        2,000,000      one line's characters
``MAX_PDF_BYTES``         256 MB         a ``.pdf`` file's size
``MAX_PDF_INFLATED``      256 MB         a PDF's decompressed streams (images aside)
``MAX_PAGES``             5,000          a PDF's pages
``MAX_PAGE_CHARS``        200,000        one PDF page's characters
``MAX_FORM_DEPTH``        32             form XObjects nested in a page
========================  =============  ==========================================

Examples:
    >>> check_lines(["a" * 10, "b"], "x.txt")
    >>> try:
    ...     check_lines(["1" * (MAX_LINE_CHARS + 1)], "x.txt")
    ... except ExtractError as exc:
    ...     print(exc)
    x.txt: 第1行有 2000001 个字符，超过每行上限 2000000 个字符，不予提取
    (line over 2000000 characters)
"""

from __future__ import annotations

from pathlib import Path

from fiscal_analysis.errors import ExtractError

__all__ = [
    "MAX_CHARS",
    "MAX_FORM_DEPTH",
    "MAX_LINES",
    "MAX_LINE_CHARS",
    "MAX_PAGES",
    "MAX_PAGE_CHARS",
    "MAX_PDF_BYTES",
    "MAX_PDF_INFLATED",
    "MAX_TEXT_BYTES",
    "check_lines",
    "check_size",
    "refuse",
]

MAX_TEXT_BYTES = 64 * 1024 * 1024
MAX_LINES = 1_000_000
MAX_CHARS = 20_000_000
MAX_LINE_CHARS = 2_000_000
MAX_PDF_BYTES = 256 * 1024 * 1024
MAX_PDF_INFLATED = 256 * 1024 * 1024
MAX_PAGES = 5_000
MAX_PAGE_CHARS = 200_000
MAX_FORM_DEPTH = 32


def refuse(source: str, zh: str, en: str) -> None:
    """Raise the refusal of ``source``: what exceeds which limit, Chinese first."""
    raise ExtractError(f"{source}: {zh}，不予提取 ({en})")


def check_size(path: Path, limit: int, kind: tuple[str, str]) -> int:
    """The size of ``path`` in bytes; refuse the file if it is over ``limit``.

    ``kind`` names the file, Chinese then English, e.g. ``("PDF 文件", "PDF")``.

    Raises:
        ExtractError: Naming the file, its size and the limit.
    """
    size = path.stat().st_size
    if size > limit:
        zh, en = kind
        refuse(str(path), f"{zh}有 {size} 字节，超过上限 {limit} 字节", f"{en} over {limit} bytes")
    return size


def check_lines(lines: list[str], source: str) -> None:
    """Refuse a document of more than :data:`MAX_LINES` lines or :data:`MAX_CHARS` characters.

    Raises:
        ExtractError: Naming ``source`` and the limit exceeded.
    """
    n = len(lines)
    if n > MAX_LINES:
        refuse(source, f"文件有 {n} 行，超过上限 {MAX_LINES} 行", f"over {MAX_LINES} lines")
    total = 0
    for i, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            refuse(
                source,
                f"第{i}行有 {len(line)} 个字符，超过每行上限 {MAX_LINE_CHARS} 个字符",
                f"line over {MAX_LINE_CHARS} characters",
            )
        total += len(line)
    if total > MAX_CHARS:
        refuse(
            source,
            f"文件有 {total} 个字符，超过上限 {MAX_CHARS} 个字符",
            f"over {MAX_CHARS} characters",
        )
