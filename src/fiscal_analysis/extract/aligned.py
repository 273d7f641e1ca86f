"""A second opinion on the columns of an *unruled* PDF table: where its header sits on the page.

Many disclosures print their tables without ruling lines, so pdfplumber's table
finder (:mod:`.ruled`) sees no cells, and the text layer has already dropped the
blank ones: "1,511.89  1,503.52  8.37" under six columns (合计, 基本支出, 项目支出,
上缴上级支出, 经营支出, 对附属单位补助支出) does not say whether 8.37 is 项目支出 or
上缴上级支出. The page itself does: every amount is printed under its column's
heading. This module reads the words' positions (pdfplumber ``extract_words``):

1. the header words above the first amount of the page are grouped into column
   spans by horizontal overlap ("项目支" over "出" is one column). The page is used
   only when it yields exactly as many spans as the table has columns; the words
   counted as header lie below the "单位：万元" line (a title above it is left out),
   and a page without a header of its own reuses the previous page's spans for the
   same table (a table continued over pages);
2. the amounts are grouped into printed rows by their vertical position, and each
   amount goes to the one span its centre falls in. A row with an amount under no
   span, under two, or two amounts under one span is left alone;
3. each row whose amounts (in order) equal a line of the text layer rewrites that
   line with a dash in every blank column (:func:`.ruled.merge_cells`), so the line
   is read with every column in place and its identity (合计 = Σ 各列) still checked.

Anything unexpected leaves the lines as they were: this only adds certainty.

Examples:
    >>> spans = header_spans([_w("本年支出合", 382, 442, 168), _w("计", 406, 418, 184),
    ...     _w("基本支出", 461, 509, 176), _w("项目支", 528, 564, 168), _w("出", 540, 552, 184),
    ...     _w("单位：万元", 710, 770, 125)])
    >>> [(round(a), round(b)) for a, b in spans]
    [(382, 442), (461, 509), (528, 564)]
    >>> cells_of([_w("1,511.89", 389, 431, 310), _w("8.37", 533, 554, 310)], spans)
    ['1,511.89', '', '8.37']
"""

from __future__ import annotations

import re
from pathlib import Path

from fiscal_analysis.extract.econ_layout import with_economic_layout
from fiscal_analysis.extract.ruled import (
    lines_by_page,
    merge_cells,
    unsettled_pages,
    with_ruled_tables,
)
from fiscal_analysis.extract.tables import COLUMNS, T07_COLUMNS, TableResult

__all__ = [
    "cells_of",
    "header_spans",
    "page_columns",
    "second_opinions",
    "with_aligned_columns",
]

_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$")
_DASH = {"-", "—", "－"}
_PAGE = re.compile(r"^\[第(\d+)页\]$")
#: The "单位：万元" line: the header lies below it.
_UNIT = re.compile(r"单位\s*[:：]")
#: Words above a table that are not column headings.
_NOT_HEADER = re.compile(r"单位\s*[:：]|万元|表$|^\d+$|年度?$")
#: Points an amount's centre may lie outside its column's span.
_SLACK = 3.0
#: Points the cells of one printed row may sit apart vertically.
_ROW_JITTER = 9.0
#: Greatest height of a table header above its first amount, in points.
_HEADER_HEIGHT = 120.0


def _w(text: str, x0: float, x1: float, top: float) -> dict:
    """A word as pdfplumber gives it (for the examples)."""
    return {"text": text, "x0": float(x0), "x1": float(x1), "top": float(top)}


def header_spans(words: list[dict]) -> list[tuple[float, float]]:
    """Column spans (x0, x1) from header words: words whose x-ranges overlap are one column."""
    spans: list[list[float]] = []
    for w in sorted(words, key=lambda w: w["x0"]):
        if _NOT_HEADER.search(w["text"].strip()):
            continue
        if spans and w["x0"] <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], w["x1"])
        else:
            spans.append([w["x0"], w["x1"]])
    return [(a, b) for a, b in spans]


def cells_of(amounts: list[dict], spans: list[tuple[float, float]]) -> list[str] | None:
    """One printed row's amounts placed in their columns ('' for a blank), or ``None``."""
    cells = [""] * len(spans)
    for w in amounts:
        centre = (w["x0"] + w["x1"]) / 2
        hits = [j for j, (a, b) in enumerate(spans) if a - _SLACK <= centre <= b + _SLACK]
        if len(hits) != 1 or cells[hits[0]]:
            return None
        cells[hits[0]] = w["text"]
    return cells


def _rows(amounts: list[dict]) -> list[list[dict]]:
    """Amount words grouped into printed rows (a row's cells may sit a few points apart)."""
    rows: list[list[dict]] = []
    start = None
    for w in sorted(amounts, key=lambda w: w["top"]):
        if start is None or w["top"] - start > _ROW_JITTER:
            rows.append([])
            start = w["top"]
        rows[-1].append(w)
    return rows


def _width(table: str) -> int | None:
    if table == "T07":
        return len(T07_COLUMNS)
    cols = COLUMNS.get(table)
    return len(cols) if cols else None


def page_columns(lines: list[str], tables: list[TableResult]) -> dict[int, tuple[str, int]]:
    """Pages holding an unsettled row of a coded table: page -> (table, its column count)."""
    wanted: dict[int, tuple[str, int]] = {}
    for t in tables:
        width = _width(t.table)
        if width is None:
            continue
        for code, item, _v, n in t.facts:
            if t.evidence.get((code, item)) not in (None, "table"):
                wanted.setdefault(n, (t.table, width))
    out: dict[int, tuple[str, int]] = {}
    page = 0
    for n, line in enumerate(lines, start=1):
        m = _PAGE.match(line.strip())
        if m:
            page = int(m.group(1))
        elif n in wanted and page:
            out.setdefault(page, wanted[n])
    return out


def _page_rows(words: list[dict], width: int, last: list | None) -> tuple[list, list | None]:
    amounts = [w for w in words if _AMOUNT.match(w["text"]) or w["text"] in _DASH]
    if not amounts:
        return [], last
    first_top = min(w["top"] for w in amounts)
    left = min(w["x0"] for w in amounts) - 20.0
    # the header sits between the "单位：万元" line (else a bounded height) and the first amount
    units = [w["top"] for w in words if _UNIT.search(w["text"]) and w["top"] < first_top]
    floor = max(units) + 1.0 if units else first_top - _HEADER_HEIGHT
    heads = [
        w
        for w in words
        if floor <= w["top"] < first_top - 1.0 and w["x1"] > left and w not in amounts
    ]
    spans = header_spans(heads) if heads else []
    if len(spans) != width:  # no header of its own: a table continued from the last page
        spans = last if last is not None and len(last) == width else []
    if not spans:
        return [], last
    rows = []
    for row in _rows(amounts):
        ordered = sorted(row, key=lambda w: w["x0"])
        cells = cells_of(ordered, spans)
        if cells is not None:
            rows.append(["", *cells])
    return rows, spans


def with_aligned_columns(
    path: str | Path, lines: list[str], pages: dict[int, tuple[str, int]]
) -> list[str]:
    """``lines`` with the blank cells of unruled tables written as dashes (see the module doc).

    Args:
        path: The PDF.
        lines: Its lines (as read, or as :func:`.ruled.with_ruled_tables` left them).
        pages: From :func:`page_columns`: the pages to look at, with the table and its width.
    """
    if not pages:
        return lines
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - pdfplumber is a dependency
        return lines
    by_page = lines_by_page(lines)
    out = list(lines)
    last: dict[str, list | None] = {}
    try:
        with pdfplumber.open(str(path)) as pdf:
            for n in sorted(set(pages) & set(by_page)):
                table, width = pages[n]
                if n - 1 not in pages or pages[n - 1][0] != table:
                    last[table] = None
                words = pdf.pages[n - 1].extract_words()
                rows, last[table] = _page_rows(words, width, last.get(table))
                if rows:
                    merge_cells(out, rows, by_page[n])
    except Exception:
        return lines
    return out


def second_opinions(path: str | Path, lines: list[str], tables: list[TableResult]) -> list[str]:
    """The PDF's lines with what the page layout settles: ruled cells, header columns, 06表 panels.

    Only the pages whose table rows the text layer left unsettled are looked at;
    for a text document, or when nothing is settled, ``lines`` come back unchanged.
    """
    if Path(path).suffix.lower() != ".pdf":
        return lines
    pages = unsettled_pages(lines, tables)
    settled = with_ruled_tables(path, lines, pages) if pages else lines
    settled = with_aligned_columns(path, settled, page_columns(lines, tables))
    return with_economic_layout(path, settled, tables)
