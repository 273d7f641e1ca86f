"""What a document implies beyond its printed figures, added to an extraction.

Three additions, each its own module: economic items listed without amounts
(:mod:`.econ_items`, basis ``undisclosed``), figures implied by the others
(:mod:`.derive`, basis ``derived``) and non-financial indicators
(:mod:`.indicators`), among them stated rates whose base the document does
not give ("完成预算88.2%"), kept as stated. Nothing already extracted is replaced.

Examples:
    >>> from fiscal_analysis.extract.build import build
    >>> from fiscal_analysis.extract.text import read_lines
    >>> ex = build(read_lines("data/raw/lusong-xzsp-2020.txt"), "seed.txt")  # calls with_implied
    >>> sorted({r["basis"] for r in ex.rows["facts"]})
    ['derived', 'published', 'undisclosed']
    >>> len(ex.rows["indicators"])
    29
    >>> again = with_implied(ex)  # idempotent
    >>> len(again.rows["facts"]) == len(ex.rows["facts"]), len(again.rows["indicators"])
    (True, 29)
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from fiscal_analysis.extract.derive import derive_facts
from fiscal_analysis.extract.econ_items import listed_items
from fiscal_analysis.extract.indicators import Indicator, find_indicators, indicator_rows

if TYPE_CHECKING:  # pragma: no cover
    from fiscal_analysis.extract.model import Extraction

__all__ = ["with_implied"]

_UNDISCLOSED_NOTE = "情况说明列出该项，未公开金额"


def _undisclosed(ex: Extraction, facts: list[dict[str, str]]) -> tuple[list[dict], list[str]]:
    present = {(r["year"], r["table"], r["code"], r["item"]) for r in facts}
    rows, notes = [], []
    if any(t.table == "T06" and t.status == "unreadable" for t in ex.tables):
        # 06表 is in the document with amounts the tool could not read: the items the
        # text lists are not "undisclosed", so none is written as such
        notes.append("06表在文件中但明细未能读出：情况说明所列经济分类科目不作“未公开金额”处理")
        return rows, notes
    if any(r["table"] == "T06" and r["item"] == "amount" for r in facts):
        # the 06表's own rows are read: an item the text lists that the table leaves
        # blank is the table's 0 (or a point for review), not an amount left unpublished
        return rows, notes
    found, unknown = listed_items(ex.lines, ex.parsed.sections)
    for item in found:
        key = (str(ex.year), "T06", item.code or "", "amount")
        if key in present:
            continue
        present.add(key)
        rows.append(
            {
                "entity_id": ex.entity_id,
                "year": str(ex.year),
                "table": "T06",
                "code": item.code or "",
                "item": "amount",
                "value": "",
                "unit": "万元",
                "basis": "undisclosed",
                "doc_id": ex.doc_id,
                "section": item.where,
                "note": _UNDISCLOSED_NOTE,
                "evidence": "sentence",
                "line": f"第{item.line}行",
            }
        )
    for item in unknown:
        notes.append(
            f"未能理解：第{item.line}行（{item.where}）{item.group}所列「{item.name}」"
            "在经济分类字典中找不到，未写入06表"
        )
    return rows, notes


def with_implied(ex: Extraction) -> Extraction:
    """A copy of ``ex`` with undisclosed items, derived figures and indicators added."""
    facts = list(ex.rows.get("facts", []))
    listed, notes = _undisclosed(ex, facts)
    facts += listed
    facts += derive_facts([r for r in facts if r["year"] == str(ex.year)], ex.year)
    indicators = find_indicators(ex.lines, ex.parsed, ex.parsed.sections)
    have = {(i.line, i.value) for i in indicators}
    names = {i.name for i in indicators}
    for r in ex.parsed.rates:
        if r.numerator is None or r.denominator is None:
            value = int(r.pct.value * 100)
            name = f"{r.where} {r.pct.label or r.kind}（第{r.pct.line}行，未给出计算基数）"
            if (r.pct.line, value) not in have and name not in names:
                names.add(name)
                indicators.append(Indicator(name, value, "%", "", r.pct.line, r.where))
    rows = dict(ex.rows)
    rows["facts"] = facts
    old = list(ex.rows.get("indicators", []))
    have = {r["indicator"] for r in old}
    new = indicator_rows(indicators, ex.entity_id, ex.year, ex.doc_id)
    rows["indicators"] = old + [r for r in new if r["indicator"] not in have]
    return replace(ex, rows=rows, notes=[*ex.notes, *notes], indicators=indicators)
