"""A second opinion on a PDF's table columns: pdfplumber's table finder on ruled pages.

The text layer of a PDF table loses blank cells, so "10.00  10.00" under
合计/基本支出/项目支出 does not say which column is blank. On pages with ruling
lines or cell rectangles, pdfplumber's ``find_tables`` returns the cells,
blank ones included. Each table row whose amounts match a line of that page
(same amounts, same order) has its line rewritten with a dash for every blank
amount cell ("10.00  -  10.00"), so the row is read with every column in place.
Anything that goes wrong here leaves the lines as they were: the text layer is
always read, this only adds certainty.
"""

from __future__ import annotations

import re
from pathlib import Path

from fiscal_analysis.extract.cells import tokenize

__all__ = ["lines_by_page", "merge_cells", "unsettled_pages", "with_ruled_tables"]

_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$")
_PAGE = re.compile(r"^\[第(\d+)页\]$")


def merge_cells(lines: list[str], rows: list[list[str]], candidates: list[int]) -> list[int]:
    """Rewrite the lines (by index) that a table's ``rows`` match; returns the indexes used.

    Examples:
        >>> lines = ["201  06  02  一般行政管理事务  10.00  10.00"]
        >>> merge_cells(lines, [["201", "06", "02", "一般行政管理事务", "10.00", "", "10.00"]], [0])
        [0]
        >>> lines[0]
        '201  06  02  一般行政管理事务  10.00  -  10.00'
    """
    cols = sorted({j for r in rows for j, c in enumerate(r) if _AMOUNT.match(c)})
    used: list[int] = []
    if not cols:
        return used
    first = cols[0]
    for r in rows:
        cells = r[first:]
        vals = [c for c in cells if c]
        if not vals or all(cells) or not all(_AMOUNT.match(c) or c in ("-", "—") for c in vals):
            continue
        for i in candidates:
            if i in used:
                continue
            nums = [t.text for t in tokenize(lines[i]) if t.kind in ("num", "dash")]
            amounts = [x for x in nums if _AMOUNT.match(x) or x in ("-", "—")]
            if amounts == vals:
                cut = lines[i].find(vals[0])
                lines[i] = lines[i][:cut] + "  ".join(c or "-" for c in cells)
                used.append(i)
                break
    return used


def lines_by_page(lines: list[str]) -> dict[int, list[int]]:
    """Page number (1-based) → indexes of its lines (the ``[第N页]`` markers left out).

    Examples:
        >>> lines_by_page(["[第1页]", "甲", "[第2页]", "乙", "丙"])
        {1: [1], 2: [3, 4]}
    """
    pages: dict[int, list[int]] = {}
    current = None
    for i, line in enumerate(lines):
        m = _PAGE.match(line.strip())
        if m:
            current = int(m.group(1))
            pages[current] = []
        elif current is not None:
            pages[current].append(i)
    return pages


def with_ruled_tables(
    path: str | Path, lines: list[str], only: set[int] | None = None
) -> list[str]:
    """``lines`` with blank cells of ruled tables written as dashes (see the module doc).

    Args:
        path: The PDF.
        lines: Its lines from :func:`~fiscal_analysis.extract.text.read_lines`.
        only: The pages to look at (1-based); all pages when ``None``. Finding
            tables costs about 0.1 s a page, so callers ask only for the pages
            whose rows the text layer left unsettled.
    """
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - pdfplumber is a dependency
        return lines
    pages = lines_by_page(lines)
    out = list(lines)
    try:
        with pdfplumber.open(str(path)) as pdf:
            for n in sorted(pages if only is None else set(pages) & only):
                page = pdf.pages[n - 1]
                if not (page.lines or page.rects):
                    continue
                for table in page.find_tables():
                    rows = [[re.sub(r"\s", "", c or "") for c in row] for row in table.extract()]
                    merge_cells(out, rows, pages[n])
    except Exception:
        return lines
    return out


def unsettled_pages(lines: list[str], tables) -> set[int]:
    """Pages holding a table row whose columns the text did not settle (ambiguous or guessed)."""
    rows = {n for t in tables for c, i, _v, n in t.facts if t.evidence.get((c, i)) != "table"}
    rows |= {t.line for t in tables if t.status == "unreadable"}
    out, page = set(), 0
    for n, line in enumerate(lines, start=1):
        m = _PAGE.match(line.strip())
        if m:
            page = int(m.group(1))
        elif n in rows and page:
            out.add(page)
    return out
