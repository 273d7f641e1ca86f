"""An :class:`~fiscal_analysis.extract.build.Extraction` -> dataset rows.

Table figures are the primary source; a figure stated in the text fills a
fact only when no table gives it (年初预算 per 项, 三公 when 07表 cannot be
placed, 机关运行经费, 政府采购 …); such a fact says so (``evidence``
``sentence``, its 情况说明 section), so a check never takes it for table
evidence. Prior-year figures (and the 机关运行经费 年初预算) are derived from
stated changes, base = current − change, with the formula in ``note``. Every
fact records how it was read (``evidence``) and where (``line``: page and
line). Amounts are read in 分, the dataset's unit, and written exactly (a
figure printed in 元 keeps every digit: 31,205.40元 is 3.12054万元). A table the document
prints but whose numbers could not be placed is ``unreadable``, never
``absent``. Rows are dicts of strings, one per CSV row, by file name.

Examples:
    >>> code_names([])
    {}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fiscal_analysis.extract.rules import Key
from fiscal_analysis.extract.tables import COLUMNS, TableResult
from fiscal_analysis.money import SCALE, parse_amount
from fiscal_analysis.money import exact_text as _fmt
from fiscal_analysis.schema.classification import Classification
from fiscal_analysis.schema.items import TABLES

if TYPE_CHECKING:
    from fiscal_analysis.extract.model import Extraction

__all__ = ["code_names", "dataset_rows", "line_place", "weakest"]

#: Evidence from strongest to weakest (curated rows have none and count as strongest).
_ORDER = ("", "table", "sentence", "ambiguous", "guess")


def weakest(evidence: list[str]) -> str:
    """The weakest of several readings' evidence (what a figure built from them rests on).

    Examples:
        >>> weakest(["table", "ambiguous", "sentence"]), weakest([])
        ('ambiguous', '')
    """
    return max(evidence, key=lambda e: _ORDER.index(e) if e in _ORDER else 0, default="")


def _pages(lines: list[str]) -> list[int]:
    """The page (from ``[第N页]`` markers, 0 before the first) of each line."""
    out, page = [], 0
    for line in lines:
        if line.startswith("[第"):
            m = re.match(r"^\[第(\d+)页\]$", line.strip())
            page = int(m.group(1)) if m else page
        out.append(page)
    return out


_PAGE_CACHE: dict[int, tuple[list[str], list[int]]] = {}


def line_place(lines: list[str], n: int) -> str:
    """``第6页第112行`` for line ``n`` (1-based) after a ``[第6页]`` marker, else ``第112行``.

    Examples:
        >>> line_place(["[第2页]", "a", "b"], 3), line_place(["a"], 1)
        ('第2页第3行', '第1行')
    """
    hit = _PAGE_CACHE.get(id(lines))
    if hit is None or hit[0] is not lines:
        _PAGE_CACHE.clear()
        hit = _PAGE_CACHE[id(lines)] = (lines, _pages(lines))
    pages = hit[1]
    page = pages[min(n, len(pages)) - 1] if pages and n > 0 else 0
    return f"第{page}页第{n}行" if page else f"第{n}行"


def _structural(code: str, scheme: str, known: set[str], cls: Classification) -> bool:
    """A well-formed code whose parents fit: 2xx/3xx, 3/5/7 digits, 类 known or listed."""
    lengths = (3, 5, 7) if scheme == "function" else (3, 5)
    if not code.isdigit() or len(code) not in lengths:
        return False
    if code[0] != ("2" if scheme == "function" else "3"):
        return False
    names = cls.names(scheme)
    return len(code) == 3 or code[:3] in known or code[:3] in names


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
    evidence: str = "",
    line: int = 0,
) -> dict[str, str]:
    """One facts row; ``value`` in minor units of the item's unit (分 for 万元)."""
    table, code, item = key
    return {
        "entity_id": ex.entity_id, "year": str(year), "table": table, "code": code, "item": item,
        "value": "" if value is None else _fmt(value), "unit": unit, "basis": basis,
        "doc_id": ex.doc_id, "section": section, "note": note, "evidence": evidence,
        "line": line_place(ex.lines, line) if line else "",
    }  # fmt: skip


def dataset_rows(
    ex: Extraction, region: str, level: str, source: str
) -> dict[str, list[dict[str, str]]]:
    """The rows of every dataset file for one document, by file name."""
    cls = Classification.builtin()
    facts: dict[tuple[int, Key], dict[str, str]] = {}
    codes: dict[tuple[str, str], dict[str, str]] = {}
    names = code_names(ex.tables)

    listed = {c for t in ex.tables for c in t.names} | {c for t in ex.tables for c, *_ in t.facts}

    def code_ok(table: str, code: str) -> bool:
        scheme = TABLES[table].scheme
        if not code or scheme is None:
            return True
        msg = cls.check(code, scheme)
        if msg is None:
            return True
        if not _structural(code, scheme, listed, cls) or code not in names:
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
        for code, item, value, line in t.facts:
            key = (t.table, code, item)
            if (ex.year, key) not in facts and code_ok(t.table, code):
                facts[(ex.year, key)] = _fact(
                    ex, ex.year, key, value, "万元", "published", TABLES[t.table].section,
                    "", t.evidence.get((code, item), "table"), line,
                )  # fmt: skip
    for t in ex.tables:  # a coded row printed without numbers: named, amount not given
        for line, code, _name in t.blank_rows:
            for item in COLUMNS.get(t.table, ()):
                key = (t.table, code, item)
                if (ex.year, key) not in facts and code_ok(t.table, code):
                    facts[(ex.year, key)] = _fact(
                        ex, ex.year, key, None, "万元", "undisclosed", TABLES[t.table].section,
                        "表中该行只有科目名称，没有数字", "table", line,
                    )  # fmt: skip
    printed_empty = {t.table for t in ex.tables if t.status == "empty"}
    for f in ex.parsed.figures:
        if (
            (ex.year, f.key) in facts
            or f.key[0] not in TABLES
            or f.key[2] not in TABLES[f.key[0]].items
            or (f.key[0] in printed_empty and f.value)  # the table says it has no data
        ):
            continue
        if code_ok(f.key[0], f.key[1]) and (
            f.key[1] or TABLES[f.key[0]].items[f.key[2]].codes != "required"
        ):
            unit = TABLES[f.key[0]].items[f.key[2]].unit
            # 万元 figures are read in 分 (the dataset's unit); counts in hundredths
            value = f.value if f.unit == "万元" else f.value * (SCALE // 100)
            facts[(ex.year, f.key)] = _fact(
                ex, ex.year, f.key, value, unit, "published", f.where, f.note, f.evidence, f.line
            )
    _derive(ex, facts)
    status = {t.table: t.status for t in ex.tables}
    table_notes = {t.table: "；".join(t.notes) for t in ex.tables if t.notes}
    for t in ex.tables:
        if t.status == "blank":
            status[t.table] = "empty"
            table_notes[t.table] = "表格无数据，也未说明无数据的原因；" + table_notes.get(
                t.table, ""
            )
        elif t.status == "unreadable" and t.facts:
            table_notes[t.table] = (
                "文件中有该表，只读出部分数字，其余未能读出（不是单位未公开）；"
                + table_notes.get(t.table, "")
            )
        elif t.status == "unreadable":
            table_notes[t.table] = "文件中有该表，但未能读出其数字（不是单位未公开）"
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
        evidence = weakest([row.get("evidence", ""), "sentence"])
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
                        ex, ex.year, key, base, "万元", "derived", ch.where, note, evidence, ch.line
                    )
            continue
        word = (
            "与上年持平" if ch.word == "持平" else f"与上年相比{ch.word}{_fmt(abs(ch.delta))}万元"
        )
        for key in (ch.subject, _PAIRS.get(ch.subject)):
            if key and (ex.year - 1, key) not in facts:
                note = f"{shown}（{word}）"
                facts[(ex.year - 1, key)] = _fact(
                    ex, ex.year - 1, key, base, "万元", "derived", ch.where, note, evidence, ch.line
                )
    items = [("T07", "", f"{k}_actual") for k in ("abroad", "vehicle", "reception")]
    prior = [facts.get((ex.year - 1, k)) for k in items]
    total = ("T07", "", "total_actual")
    if all(prior) and (ex.year - 1, total) not in facts:
        value = sum(parse_amount(r["value"]) for r in prior if r)
        note = "因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费"
        evidence = weakest([r.get("evidence", "") for r in prior if r])
        facts[(ex.year - 1, total)] = _fact(
            ex, ex.year - 1, total, value, "万元", "derived", prior[0]["section"], note, evidence
        )
