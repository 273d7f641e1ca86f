"""One document's lines -> tables, statements and dataset rows (an :class:`Extraction`).

The unit and year come from the title; tables are found and parsed, then the
情况说明's statements (with the tables' figures known, so shares and rates can
be tied to them); :mod:`.rows` assembles the dataset rows. Disagreements
between text and tables are left to the narrative checks.

Examples:
    >>> entity_from_title("上海市普陀区财政局2024年度部门决算")
    ('上海市普陀区财政局', 2024, '上海市普陀区', '县级')
    >>> entity_id_for("上海市普陀区财政局")
    'doc-bcb79faf'
"""

from __future__ import annotations

import hashlib
import re

from fiscal_analysis.errors import ExtractError
from fiscal_analysis.extract.headings import find_tables
from fiscal_analysis.extract.implied import with_implied
from fiscal_analysis.extract.model import Extraction
from fiscal_analysis.extract.rows import code_names, dataset_rows
from fiscal_analysis.extract.statements import parse
from fiscal_analysis.extract.tables import TableResult, parse_table
from fiscal_analysis.files import safe_component

__all__ = ["build", "entity_from_title", "entity_id_for"]


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
        raise ExtractError(
            f"{source}: 未能识别单位名称和年度（标题应形如「XX局2024年度部门决算」）"
        )
    eid = entity_id or entity_id_for(name)
    if safe_component(eid) != eid:
        raise ExtractError(
            f"单位标识「{eid}」不能用作文件夹名（不能含 / \\ .. 或 Windows 禁用的字符）"
            " (entity id must be a safe folder name)"
        )
    doc_id = f"{eid}-{year}"
    blocks = find_tables(lines)
    first = [parse_table(b, lines) for b in blocks if b.table == "T01"]
    hints = _hints(first)
    tables = [parse_table(b, lines, hints) for b in blocks]
    known = {(t.table, c, i): v for t in tables for c, i, v, _ in t.facts}
    parsed = parse(lines, code_names(tables), known)
    ex = Extraction(eid, name, year, doc_id, title, lines, tables, parsed)
    ex.rows = dataset_rows(ex, region, level, source)
    return with_implied(ex)
