"""Tables + statements -> dataset rows (entities, documents, tables, facts …).

Table figures are the primary source; a figure stated in the text fills a
fact only when no table gives it (年初预算 per 项, 三公 when 07表 cannot be
placed, 机关运行经费, 政府采购 …). Disagreements are left to the narrative
checks. Prior-year figures are derived from stated changes, with the formula
in ``note``.

Examples:
    >>> entity_from_title("上海市普陀区财政局2024年度部门决算")
    ('上海市普陀区财政局', 2024, '上海市普陀区', '县级')
    >>> entity_id_for("上海市普陀区财政局")
    'doc-bcb79faf'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..classification import Classification
from ..items import TABLES
from ..money import format_number, to_decimal
from .rules import Key
from .sections import find_tables
from .statements import Parsed, parse
from .tables import TableResult, parse_table

__all__ = ["Extraction", "build", "entity_from_title", "entity_id_for"]

_PAIRS = {
    ("T01", "", "income_grand_total"): ("T01", "", "expense_grand_total"),
    ("T04", "", "income_grand_total"): ("T04", "", "expense_grand_total"),
}
_DERIVE_TABLES = ("T01", "T04", "T05", "T07", "ops_cost")


@dataclass
class Extraction:
    """Everything read from one document."""

    entity_id: str
    name: str
    year: int
    doc_id: str
    title: str
    lines: list[str]
    tables: list[TableResult]
    parsed: Parsed
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def entity_from_title(title: str) -> tuple[str, int | None, str, str]:
    """Unit name, year, region and level from a title such as "XX局2024年度部门决算"."""
    t = re.sub(r"[*#\s]", "", title)
    m = re.search(r"(20\d\d)年度?", t)
    year = int(m.group(1)) if m else None
    name = re.sub(r"(20\d\d)年度?|部门决算.*$|决算.*$", "", t).strip("：:")
    core = name.removeprefix("中共")
    r = re.match(r"^(.*?(?:省|自治区))?(.*?市)?(.*?(?:区|县|旗))?", core)
    prov, city, county = (
        (r.group(1) or "", r.group(2) or "", r.group(3) or "") if r else ("", "", "")
    )
    level = "县级" if county else "市级" if city else "省级" if prov else "县级"
    return name, year, prov + city + county or "（未能从标题识别）", level


def entity_id_for(name: str) -> str:
    """A stable ASCII id: ``doc-`` and 8 hex digits of the name's SHA-256."""
    return "doc-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def _title(lines: list[str]) -> str:
    for line in lines[:5]:
        if line.startswith("TITLE:"):
            return line.removeprefix("TITLE:").strip()
    head = []
    for line in lines[:40]:
        s = line.strip()
        if re.match(r"^(SOURCE|NOTE):", s) or re.match(r"^\[第\d+页\]$", s) or not s:
            continue
        if re.sub(r"\s", "", s) in ("目录", "目录：") or s.startswith("第一部分"):
            break
        head.append(s)
    return re.sub(r"[*\s]", "", "".join(head))


def _fmt(v: int) -> str:
    return format_number(to_decimal(v))


def _hints(tables: list[TableResult]) -> dict[str, dict[int, int]]:
    t01 = {i: v for t in tables if t.table == "T01" for c, i, v, _ in t.facts if c == ""}
    if not t01:
        return {}
    fiscal = sum(
        t01.get(k, 0) for k in ("income_general_public", "income_gov_fund", "income_soe_capital")
    )
    cols = (
        "income_superior_subsidy",
        "income_business",
        "income_operating",
        "income_affiliated",
        "income_other",
    )
    hint = {1: fiscal} | {n: t01.get(k, 0) for n, k in enumerate(cols, start=2)}
    return {"T02": {0: t01.get("income_total", 0)} | hint}


def build(lines: list[str], source: str, entity_id: str | None = None) -> Extraction:
    """Read tables and statements from ``lines`` and assemble dataset rows."""
    title = _title(lines)
    name, year, region, level = entity_from_title(title)
    if year is None:
        years = re.findall(r"(20\d\d)\s*年度", "".join(lines[:200]))
        year = int(years[0]) if years else None
    if not name or year is None:
        from .text import ExtractError

        raise ExtractError(
            f"{source}: 未能识别单位名称和年度（标题应形如「XX局2024年度部门决算」）"
        )
    eid = entity_id or entity_id_for(name)
    doc_id = f"{eid}-{year}"
    blocks = find_tables(lines)
    first = [parse_table(b, lines) for b in blocks if b.table == "T01"]
    hints = _hints(first)
    tables = [parse_table(b, lines, hints) for b in blocks]
    names: dict[str, str] = {}
    for t in tables:
        for c, n in t.names.items():
            if len(n) > len(names.get(c, "")):
                names[c] = n
    known = {(t.table, c, i): v for t in tables for c, i, v, _ in t.facts}
    parsed = parse(lines, names, known)
    ex = Extraction(eid, name, year, doc_id, title, lines, tables, parsed)
    _rows(ex, region, level, source, known)
    return ex


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


def _rows(ex: Extraction, region: str, level: str, source: str, known: dict[Key, int]) -> None:
    cls = Classification.builtin()
    facts: dict[tuple[int, Key], dict[str, str]] = {}
    codes: dict[tuple[str, str], dict[str, str]] = {}
    names: dict[str, str] = {}
    for t in ex.tables:
        for c, n in t.names.items():
            if len(n) > len(names.get(c, "")):
                names[c] = n

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
    ex.rows = {
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
        value = sum(int(to_decimal(0) * 0) + _hund(r["value"]) for r in prior if r)
        note = "因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费"
        facts[(ex.year - 1, total)] = _fact(
            ex, ex.year - 1, total, value, "万元", "derived", prior[0]["section"], note
        )


def _hund(text: str) -> int:
    from ..money import parse_amount

    return parse_amount(text)
