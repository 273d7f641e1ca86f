"""06表 printed in two columns, read from the page layout when its text layer is garbled.

Many disclosures print the 基本支出 table as two panels side by side (人员经费 on
the left, 公用经费 on the right), each row a 类 code, a 款 code, a name and an
amount; the cells of one row sit a few points apart vertically, names wrap, and
blank amounts are dropped. The text layer then interleaves the panels ("301  01
302" / "基本工资  262.33  01  办公费  21.21"), and :mod:`.summary_tables` cannot
prove its rows (类 ≠ Σ款) and keeps only the totals (table status ``unreadable``).

The page says which cell is which. This module reads the words' positions
(pdfplumber ``extract_words``): the 3-digit 类 codes (``3xx``) fall into one
or two columns, which split the page into panels; in each panel every printed
row starts at its 类 code, and every word below it (up to the next row) belongs
to it: a 2-digit 款 code, the name pieces, at most one amount. The rows are then
written over the garbled lines of the page, the panels side by side as printed
("301  01  基本工资  262.33  302  01  办公费  21.21"), keeping the number of
lines, so the table is read again with every row whole, and its identities
(类 = Σ款) decide whether it is accepted.
Anything unexpected (two amounts in a row, more rows than lines) leaves the
page as it was.

Examples:
    >>> words = [_w("301", 27, 217), _w("工资福利支出", 102, 224), _w("2,082.85", 263, 223),
    ...          _w("302", 329, 217), _w("商品和服务支出", 405, 224), _w("171.07", 539, 223),
    ...          _w("301", 27, 247), _w("01", 72, 247), _w("基本工资", 102, 254),
    ...          _w("262.33", 266, 258), _w("302", 329, 247), _w("01", 374, 254),
    ...          _w("办公费", 405, 254), _w("21.21", 539, 258)]
    >>> layout_rows(words)
    ['301  工资福利支出  2,082.85  302  商品和服务支出  171.07',
     '301  01  基本工资  262.33  302  01  办公费  21.21']
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from fiscal_analysis.extract.headings import find_tables
from fiscal_analysis.extract.ruled import lines_by_page
from fiscal_analysis.extract.tables import TableResult

__all__ = ["layout_rows", "with_economic_layout"]

#: A row's code: a 类 (``301``, its 款 printed apart) or a whole 款 code (``30101``).
_LEI = re.compile(r"^3\d\d(?:\d\d)?$")
_KUAN = re.compile(r"^\d\d$")
_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$|^[-—－]$")
#: Points a row's cells may sit above its code.
_RISE = 8.0


def _w(text: str, x0: float, top: float) -> dict:
    """A word as pdfplumber gives it (for the examples); widths do not matter here."""
    return {"text": text, "x0": float(x0), "x1": float(x0) + 10, "top": float(top)}


def _panels(codes: list[dict]) -> list[float]:
    """Left edges of the panels: the distinct x positions of the 类 codes (within 15 pt)."""
    edges: list[float] = []
    for x in sorted(w["x0"] for w in codes):
        if not edges or x - edges[-1] > 15:
            edges.append(x)
    return edges


def _assign(anchors: list[dict], words: list[dict]) -> list[list[dict]]:
    """Each word to its row: the code whose line, shifted by the panel's usual offset, is nearest.

    Some layouts print a row's cells level with its code, others a few points below
    it (the code at the top of a taller cell); the median offset of the words from
    their nearest code says which. A word further than a row's height from every
    row (a totals line below the panel) belongs to none.
    """
    rows: list[list[dict]] = [[] for _ in anchors]
    if not anchors:
        return rows
    tops = [a["top"] for a in anchors]
    gaps = sorted(b - a for a, b in itertools.pairwise(tops))
    pitch = gaps[len(gaps) // 2] if gaps else 30.0
    offsets = sorted(min((w["top"] - t for t in tops), key=abs) for w in words)
    shift = offsets[len(offsets) // 2] if offsets else 0.0
    for w in words:
        k = min(range(len(tops)), key=lambda i: abs(w["top"] - tops[i] - shift))
        if abs(w["top"] - tops[k] - shift) < pitch * 0.75:
            rows[k].append(w)
    return rows


def _row_text(anchor: dict, cells: list[dict]) -> str | None:
    kuan = [w for w in cells if _KUAN.match(w["text"])] if len(anchor["text"]) == 3 else []
    amounts = [w for w in cells if _AMOUNT.match(w["text"])]
    if len(kuan) > 1 or len(amounts) > 1:
        return None
    name = "".join(
        w["text"]
        for w in sorted(cells, key=lambda w: (w["top"], w["x0"]))
        if w not in kuan + amounts
    )
    if not name or re.search(r"\d", name):
        return None
    parts = [anchor["text"], *(k["text"] for k in kuan), name, *(a["text"] for a in amounts)]
    return "  ".join(parts)


def layout_rows(words: list[dict]) -> list[str] | None:
    """The page's rows, the panels side by side, or ``None`` when a row is not clear."""
    codes = [w for w in words if _LEI.match(w["text"])]
    if not codes:
        return []
    edges = _panels(codes)
    if len(edges) > 2:
        return None
    bounds = [*(e - 5 for e in edges), float("inf")]
    panels: list[list[str]] = []
    for k in range(len(edges)):
        mine = [w for w in words if bounds[k] <= w["x0"] < bounds[k + 1]]
        anchors = sorted((w for w in mine if _LEI.match(w["text"])), key=lambda w: w["top"])
        rows = _assign(anchors, [w for w in mine if w not in anchors])
        texts = []
        for anchor, cells in zip(anchors, rows, strict=True):
            text = _row_text(anchor, cells)
            if text is None:
                return None
            texts.append(text)
        panels.append(texts)
    # the panels side by side, one printed row of each per line (as printed)
    depth = max((len(p) for p in panels), default=0)
    return ["  ".join(p[k] for p in panels if k < len(p)) for k in range(depth)]


def _region(lines: list[str], idxs: list[int]) -> list[int]:
    """The page's row lines: from the first line with a 类 code to the line before 合计."""
    start = next((i for i in idxs if any(_LEI.match(t) for t in lines[i].split())), None)
    if start is None:
        return []
    out = []
    for i in idxs:
        if i < start:
            continue
        if "合计" in lines[i]:
            break
        out.append(i)
    return out


def _table_words(words: list[dict]) -> list[dict]:
    """The words between the table's header and its totals line (or the next table's title)."""
    codes = [w["top"] for w in words if _LEI.match(w["text"])]
    if not codes:
        return []
    first = min(codes)
    ends = [w["top"] for w in words if w["top"] > first and re.search(r"合计|决算表", w["text"])]
    last = min(ends) if ends else float("inf")
    # a totals line's amount may sit a few points above its label
    return [w for w in words if first - _RISE <= w["top"] < last - 6.0]


def with_economic_layout(
    path: str | Path, lines: list[str], tables: list[TableResult]
) -> list[str]:
    """``lines`` with a garbled two-panel 06表 rewritten row by row (see the module doc)."""
    if not any(t.table == "T06" and t.status == "unreadable" for t in tables):
        return lines
    block = next((b for b in find_tables(lines) if b.table == "T06"), None)
    if block is None:
        return lines
    inside = range(block.start - 1, block.end)  # the block's lines, 0-based
    pages = {n: [i for i in idxs if i in inside] for n, idxs in lines_by_page(lines).items()}
    pages = {n: idxs for n, idxs in pages.items() if idxs}
    try:
        import pdfplumber

        out = list(lines)
        with pdfplumber.open(str(path)) as pdf:
            for n, idxs in sorted(pages.items()):
                rows = layout_rows(_table_words(pdf.pages[n - 1].extract_words()))
                region = _region(lines, idxs)
                if rows is None or len(rows) > len(region):
                    return lines
                for k, i in enumerate(region):
                    out[i] = rows[k] if k < len(rows) else ""
    except Exception:
        return lines
    return out
