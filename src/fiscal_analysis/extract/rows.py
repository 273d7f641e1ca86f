"""An :class:`~fiscal_analysis.extract.build.Extraction` -> dataset rows.

Table figures are the primary source; a figure stated in the text fills a
fact only when no table gives it (年初预算 per 项, 三公 when 07表 cannot be
placed, 机关运行经费, 政府采购 …). Prior-year figures (and the 机关运行经费
年初预算) are derived from stated changes, base = current − change, with the
formula in ``note``. Rows are dicts of strings, one per CSV row, by file name.

Examples:
    >>> code_names([])
    {}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fiscal_analysis.extract.rules import Key
from fiscal_analysis.extract.tables import TableResult
from fiscal_analysis.money import amount_text as _fmt
from fiscal_analysis.money import parse_amount
from fiscal_analysis.schema.classification import Classification
from fiscal_analysis.schema.items import TABLES

if TYPE_CHECKING:
    from fiscal_analysis.extract.model import Extraction

__all__ = ["code_names", "dataset_rows"]

_PAIRS = {
    ("T01", "", "income_grand_total"): ("T01", "", "expense_grand_total"),
    ("T04", "", "income_grand_total"): ("T04", "", "expense_grand_total"),
}
_DERIVE_TABLES = ("T01", "T04", "T05", "T07", "ops_cost")


def code_names(tables: list[TableResult]) -> dict[str, str]:
    """Each classification code's name as the tables print it (the longest seen)."""
    names: dict[str, str] = {}
    for t in tables:
        for c, n in t.names.items():
            if len(n) > len(names.get(c, "")):
                names[c] = n
    return names


def _fact(
    ex: Extraction,
    year: int,
    key: Key,
    value: int | None,
    unit: str,
    basis: str,
    section: str,
    note: str = "",
) -> dict[str, str]:
    table, code, item = key
    return {
        "entity_id": ex.entity_id, "year": str(year), "table": table, "code": code, "item": item,
        "value": "" if value is None else _fmt(value), "unit": unit, "basis": basis,
        "doc_id": ex.doc_id, "section": section, "note": note,
    }  # fmt: skip


def dataset_rows(
    ex: Extraction, region: str, level: str, source: str
) -> dict[str, list[dict[str, str]]]:
    """The rows of every dataset file for one document, by file name."""
    cls = Classification.builtin()
    facts: dict[tuple[int, Key], dict[str, str]] = {}
    codes: dict[tuple[str, str], dict[str, str]] = {}
    names = code_names(ex.tables)

    def code_ok(table: str, code: str) -> bool:
        scheme = TABLES[table].scheme
        if not code or scheme is None:
            return True
        msg = cls.check(code, scheme)
        if msg is None:
            return True
        if "位数字" in msg or code not in names:
            ex.notes.append(f"{table} 科目编码 {code} 无法识别，已略去")
            return False
        codes[(scheme, code)] = {
            "scheme": scheme,
            "code": code,
            "name": names[code],
            "source": f"{ex.title}（{table}）",
        }
        return True

    for t in ex.tables:
        ex.notes += t.notes
        for code, item, value, _line in t.facts:
            key = (t.table, code, item)
            if (ex.year, key) not in facts and code_ok(t.table, code):
                facts[(ex.year, key)] = _fact(
                    ex, ex.year, key, value, "万元", "published", TABLES[t.table].section
                )
    for f in ex.parsed.figures:
        if (
            (ex.year, f.key) in facts
            or f.key[0] not in TABLES
            or f.key[2] not in TABLES[f.key[0]].items
        ):
            continue
        if code_ok(f.key[0], f.key[1]) and (
            f.key[1] or TABLES[f.key[0]].items[f.key[2]].codes != "required"
        ):
            unit = TABLES[f.key[0]].items[f.key[2]].unit
            facts[(ex.year, f.key)] = _fact(
                ex, ex.year, f.key, f.value, unit, "published", f.where, f.note
            )
    _derive(ex, facts)
    status = {t.table: t.status for t in ex.tables}
    table_notes = {t.table: "；".join(t.notes) for t in ex.tables if t.notes}
    for t in ex.tables:
        if t.notes and t.status == "published":
            # Rows that cannot be placed must not read as "published zeros".
            status[t.table] = "absent"
            table_notes[t.table] = (
                "表格已公开但文本中无法完整还原，只用可确认的数字：" + table_notes[t.table]
            )
    for key in (("T08", "", "expense"), ("T09", "", "expense")):
        if (
            key[0] not in status
            and (ex.year, key) in facts
            and facts[(ex.year, key)]["value"] == "0"
        ):
            status[key[0]] = "empty"
    eid, y, doc = ex.entity_id, str(ex.year), ex.doc_id
    entity = {"entity_id": eid, "name": ex.name, "region": region, "level": level}
    entity["note"] = "由 fiscal-analysis extract 从公开文件提取"
    document = {"doc_id": doc, "entity_id": eid, "year": y, "title": ex.title, "path": ""}
    document["note"] = f"来源文件：{source}"
    tables = []
    for i in range(1, 10):
        t = f"T0{i}"
        tables.append({"entity_id": eid, "year": y, "table": t, "status": status.get(t, "absent"),
                       "doc_id": doc, "section": TABLES[t].section,
                       "note": table_notes.get(t, "")})  # fmt: skip
    reasons = [
        {"entity_id": eid, "year": y, "topic": r.topic, "code": r.code, "text": r.text,
         "doc_id": doc, "section": r.where}
        for r in ex.parsed.reasons
    ]  # fmt: skip
    return {
        "entities": [entity],
        "documents": [document],
        "tables": tables,
        "facts": list(facts.values()),
        "reasons": reasons,
        "projects": _projects(ex),
        "indicators": [],
        "codes": list(codes.values()),
    }


def _projects(ex: Extraction) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for p in ex.parsed.projects:
        row = {"entity_id": ex.entity_id, "year": str(ex.year), "project": p.name}
        row |= {"value": _fmt(p.value), "basis": "published", "doc_id": ex.doc_id}
        seen.setdefault(p.name, row | {"section": p.where, "note": ""})
    return list(seen.values())


def _derive(ex: Extraction, facts: dict[tuple[int, Key], dict[str, str]]) -> None:
    """Prior-year figures (and 年初预算) from stated changes: base = current − change."""
    for ch in ex.parsed.changes:
        if ch.subject is None or ch.current is None or ch.subject[0] not in _DERIVE_TABLES:
            continue
        row = facts.get((ex.year, ch.subject))
        if row is None or row["value"] != _fmt(ch.current):
            continue
        base = ch.current - ch.delta
        if base < 0:
            continue
        shown = (
            f"{_fmt(ch.current)} {'-' if ch.delta > 0 else '+'} {_fmt(abs(ch.delta))}"
            if ch.delta
            else _fmt(ch.current)
        )
        if ch.against == "budget":
            if ch.subject == ("ops_cost", "", "actual"):
                key = ("ops_cost", "", "budget_initial")
                if (ex.year, key) not in facts:
                    note = f"{shown}（比年初预算{ch.word}{_fmt(abs(ch.delta))}万元）"
                    facts[(ex.year, key)] = _fact(
                        ex, ex.year, key, base, "万元", "derived", ch.where, note
                    )
            continue
        word = (
            "与上年持平" if ch.word == "持平" else f"与上年相比{ch.word}{_fmt(abs(ch.delta))}万元"
        )
        for key in (ch.subject, _PAIRS.get(ch.subject)):
            if key and (ex.year - 1, key) not in facts:
                note = f"{shown}（{word}）"
                facts[(ex.year - 1, key)] = _fact(
                    ex, ex.year - 1, key, base, "万元", "derived", ch.where, note
                )
    items = [("T07", "", f"{k}_actual") for k in ("abroad", "vehicle", "reception")]
    prior = [facts.get((ex.year - 1, k)) for k in items]
    total = ("T07", "", "total_actual")
    if all(prior) and (ex.year - 1, total) not in facts:
        value = sum(parse_amount(r["value"]) for r in prior if r)
        note = "因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费"
        facts[(ex.year - 1, total)] = _fact(
            ex, ex.year - 1, total, value, "万元", "derived", prior[0]["section"], note
        )
