"""One document's lines -> tables, statements and dataset rows (an :class:`Extraction`).

The text is converted to simplified script for parsing (:mod:`.script`; the
original lines are kept for quotations). The unit and year come from the
title, or, in an excerpt without one, from the first "XX局2024年度" phrase,
a "截至2024年12月31日" date or a "与2023年度相比" comparison (the year after).
Tables are found and parsed, then the statements (with the tables' figures
known, so shares and rates can be tied to them); :mod:`.rows` assembles the
dataset rows. A partial document gives whatever it states; only a document
with no figures at all, or without any year, is refused, with one clear
message. Disagreements between text and tables are left to the checks.

Examples:
    >>> entity_from_title("上海市普陀区财政局2024年度部门决算")
    ('上海市普陀区财政局', 2024, '上海市普陀区', '县级')
    >>> entity_id_for("上海市普陀区财政局")
    'doc-bcb79faf'
    >>> unit_and_year(["一般公共预算财政拨款支出10万元，与2023年度相比增加1万元。"])
    ('', 2024)
    >>> unit_and_year(["某县教育局2022年度收入支出总计10万元。"])
    ('某县教育局', 2022)
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager

from fiscal_analysis.errors import ExtractError
from fiscal_analysis.extract.headings import find_tables
from fiscal_analysis.extract.implied import with_implied
from fiscal_analysis.extract.limits import check_lines
from fiscal_analysis.extract.model import Extraction
from fiscal_analysis.extract.rows import code_names, dataset_rows
from fiscal_analysis.extract.script import simplify
from fiscal_analysis.extract.statements import parse
from fiscal_analysis.extract.tables import TableResult, parse_table
from fiscal_analysis.files import safe_component

__all__ = ["build", "entity_from_title", "entity_id_for", "unit_and_year"]

_UNIT_YEAR = re.compile(
    r"(?P<name>[\u4e00-\u9fff（）()]{2,40}?(?:局|委员会|委|办公室|办|院|部|中心|所|站|会|队|馆|厅|处|室|"
    r"社|校|园|署|司|团|党校|政府|街道|镇|乡|集团|公司))"
    r"(?P<year>20\d\d)\s*年度"
)
_ORG = re.compile(
    r"(?:局|委员会|委|办公室|办|院|部|中心|所|站|会|队|馆|厅|处|室|社|校|园|署|司|团|政府|街道|镇|乡"
    r"|集团|公司|联合会|协会|总工会|研究院|医院|学校|大学|学院)(?:（[^）]*）)?$"
)
_STOP = re.compile(r"^(?:本|全|该|我|其中|与|比|较|截至|主要|在|共|从|由|对|为|按|经|各)")


def unit_and_year(lines: list[str]) -> tuple[str, int | None]:
    """A unit name and the year from the text itself, for documents without a title."""
    head = "".join(re.sub(r"\s", "", x) for x in lines[:400])
    for m in _UNIT_YEAR.finditer(head):
        name = re.split(r"[，。；：、]", m.group("name"))[-1]
        name = re.sub(r"^[（(][^）)]*[）)]", "", name)
        name = re.sub(r"^(?:第[一二三四五六七八九十]+部分)", "", name)
        if len(name) >= 3 and not _STOP.match(name):
            return name, int(m.group("year"))
    text = "".join(re.sub(r"\s", "", x) for x in lines)
    m = re.search(r"截至(20\d\d)年12月31日", text)
    if m:
        return "", int(m.group(1))
    m = re.search(r"(?:与|比|较)(20\d\d)年度?(?:相比|同期)?", text)
    if m:
        return "", int(m.group(1)) + 1
    years = re.findall(r"(20\d\d)\s*年度", text)
    if not years:
        return "", None
    return "", int(max(sorted(set(years)), key=years.count))


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


#: Tried at the start of a run of digits and commas only, never backtracking into it: a long
#: run of digits costs linear time.
_ANY_FIGURE = re.compile(
    r"(?<![\d,]),*+\d[\d,]*+(?:(?:\.\d++)?\s*(?:万元|元|%|人次|批次|辆)|\.\d\d(?!\d))"
)


def build(
    lines: list[str], source: str, entity_id: str | None = None, year: int | None = None
) -> Extraction:
    """Read tables and statements from ``lines`` and assemble dataset rows.

    Args:
        lines: The document's lines as printed (:func:`~.text.read_lines`).
        source: The file name, for messages.
        entity_id: The unit's id; by default derived from its name.
        year: The year, when the document does not say it.

    Raises:
        ExtractError: The document holds no figure at all, or no year can be found, or it
            is over a limit of :mod:`.limits`.
    """
    check_lines(lines, source)
    with _few_collections():
        return _build(lines, source, entity_id, year)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Young objects collected every 20,000 allocations, not 700, while a document is read.

    Reading makes millions of small objects and almost no reference cycles; the default
    threshold makes a 500,000-line document spend a third of its time collecting.
    """
    before = gc.get_threshold()
    gc.set_threshold(20_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _build(lines: list[str], source: str, entity_id: str | None, year: int | None) -> Extraction:
    original = list(lines)
    lines = simplify(lines)
    if not any(_ANY_FIGURE.search(x) for x in lines):
        raise ExtractError(
            f"{source}: 文件中没有找到任何金额或百分比，无法提取数据（请确认这是部门决算原文，"
            "扫描件须先识别文字） (no figures found in the document)"
        )
    title = _title(lines)
    name, found, region, level = entity_from_title(title)
    if name and not _ORG.search(name):
        name = ""
    if found is None or not name or "决算" not in title:
        name2, found2 = unit_and_year(lines)
        name = name2 or (name if "决算" in title else "")
        found = found or found2
        if name:
            region, level = entity_from_title(name + "2000年度")[2:]
        else:
            region, level = "（未能识别）", "县级"
    year = year or found
    if year is None:
        raise ExtractError(
            f"{source}: 文件中没有找到年度（如「2024年度」「截至2024年12月31日」），"
            "无法确定数字所属年度；请用 --year 给出 (no year found in the document: give --year)"
        )
    if not name:
        name = f"未识别单位（{source}）"
        title = title if "决算" in title else f"{name}{year}年度部门决算（节选）"
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
    ex = Extraction(eid, name, year, doc_id, title, lines, tables, parsed, original=original)
    ex.rows = dataset_rows(ex, region, level, source)
    return with_implied(ex)
