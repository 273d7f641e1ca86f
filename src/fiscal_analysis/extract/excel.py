"""Read the nine 公开表 from an Excel workbook laid out as they are printed.

决算 software exports the nine tables as worksheets that look like the printed
pages: a title (``收入支出决算总表`` …), ``单位：万元``, a header of one to three
rows (merged cells allowed), then rows labelled with a classification code
(``201 | 06 | 01`` in 类/款/项 columns, or ``2010601`` in one) or a printed
label (``一、一般公共预算财政拨款收入``, ``本年支出合计``, ``合计``). Sheets are
recognised by their **title**, columns by their **header text** — never by
position or sheet name — so a workbook whose sheets or columns come in another
order reads the same. The department and year come from a title such as
``上海市普陀区财政局2024年度部门决算表`` anywhere near the top of a sheet.

:func:`read_workbook` returns the facts; :func:`workbook_rows` the dataset rows
(entities, documents, tables, facts) to write with
:func:`fiscal_analysis.dataset.write.write_dataset`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fiscal_analysis.errors import ExtractError
from fiscal_analysis.extract.build import entity_from_title
from fiscal_analysis.schema.classification import Classification

__all__ = ["TITLES", "Workbook", "read_workbook", "workbook_rows"]

#: Table → its title pattern, most specific first (a title contains 支出决算表 …).
TITLES: tuple[tuple[str, str], ...] = (
    ("T04", r"财政拨款收入支出决算总表"),
    ("T01", r"收入支出决算总表"),
    ("T06", r"基本支出决算表"),
    ("T07", r"三公经费.*决算表"),
    ("T08", r"政府性基金预算财政拨款.*决算表"),
    ("T09", r"国有资本经营预算财政拨款.*决算表"),
    ("T05", r"一般公共预算财政拨款支出决算表"),
    ("T02", r"收入决算表"),
    ("T03", r"支出决算表"),
)
_FUNDS = (("一般公共预算", "general_public"), ("政府性基金", "gov_fund"),
          ("国有资本经营", "soe_capital"))  # fmt: skip
#: Coded tables: header keyword → item, most specific first.
_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "T02": (("本年收入合计", "total"), ("合计", "total"), ("财政拨款", "fiscal"),
            ("上级补助", "superior_subsidy"), ("附属单位上缴", "affiliated"),
            ("事业收入", "business"), ("经营收入", "operating"), ("其他收入", "other")),
    "T03": (("本年支出合计", "total"), ("合计", "total"), ("基本支出", "basic"),
            ("项目支出", "project"), ("上缴上级", "upper_remit"),
            ("对附属单位补助", "affiliated_subsidy"), ("经营支出", "operating")),
    "T05": (("年初预算", "budget_initial"), ("调整预算", "budget_adjusted"),
            ("基本支出", "basic"), ("项目支出", "project"), ("合计", "total"),
            ("小计", "total")),
    "T08": (("年初结转", "carryover_begin"), ("年末结转", "carryover_end"),
            ("本年收入", "income"), ("基本支出", "basic"), ("项目支出", "project"),
            ("本年支出", "expense")),
}  # fmt: skip
_COLUMNS["T09"] = _COLUMNS["T08"]
_T07_LINES = (("公务用车购置费", "vehicle_purchase"), ("公务用车运行", "vehicle_operation"),
              ("购置及运行", "vehicle"), ("出国", "abroad"), ("接待", "reception"),
              ("合计", "total"))  # fmt: skip
_T01_LEFT = (("使用非财政拨款结余", "nonfiscal_balance_used"),
             ("年初结转和结余", "carryover_begin"),
             ("本年收入合计", "income_total"), ("总计", "income_grand_total"),
             ("一般公共预算财政拨款", "income_general_public"),
             ("政府性基金预算财政拨款", "income_gov_fund"),
             ("国有资本经营预算财政拨款", "income_soe_capital"),
             ("上级补助收入", "income_superior_subsidy"), ("事业收入", "income_business"),
             ("附属单位上缴收入", "income_affiliated"), ("经营收入", "income_operating"),
             ("其他收入", "income_other"))  # fmt: skip
_T01_RIGHT = (("本年支出合计", "expense_total"), ("结余分配", "balance_distribution"),
              ("年末结转和结余", "carryover_end"), ("总计", "expense_grand_total"))  # fmt: skip
_ORDINAL = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")


@dataclass
class Workbook:
    """What a workbook holds: the department, the year and the facts of each table found."""

    name: str
    year: int
    region: str
    level: str
    facts: list[tuple[str, str, str, Decimal]] = field(default_factory=list)  # table, code, item
    tables: dict[str, str] = field(default_factory=dict)  # table → published/empty


def _text(v: object) -> str:
    return "" if v is None else re.sub(r"[\s“”\"'‘’]", "", str(v))


def _number(v: object) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    s = str(v).strip().replace(",", "").replace("，", "")
    if s in ("", "-", "—", "－"):
        return None
    try:
        return Decimal(s).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _grid(ws) -> list[list[object]]:
    """The sheet's values with every merged range filled from its top-left cell."""
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        v = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                grid[r][c] = v
    return grid


def _table_of(texts: list[str]) -> tuple[str, int] | None:
    for i, t in enumerate(texts):
        for table, pattern in TITLES:
            if re.search(pattern, t):
                return table, i
        m = re.search(r"公开0([1-9])表", t)
        if m:
            return f"T0{m.group(1)}", i
    return None


def _is_data(row: list[object]) -> bool:
    """A row of figures or labelled lines (not header text)."""
    for v in row:
        t = _text(v)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return True
        if _CODE.match(t) or _ORDINAL.match(t) or _number(t) is not None:
            return True
    return False


def _split(grid: list[list[object]], title_row: int) -> tuple[list[str], list[list[object]]]:
    """Column titles (header texts joined top to bottom) and the data rows below them."""
    start = title_row + 1
    while start < len(grid) and not _is_data(grid[start]):
        start += 1
    width = max((len(r) for r in grid), default=0)
    titles = []
    for c in range(width):
        parts: list[str] = []
        for r in grid[title_row + 1 : start]:
            t = _text(r[c]) if c < len(r) else ""
            if t and not t.startswith("单位") and (not parts or parts[-1] != t):
                parts.append(t)
        titles.append("".join(parts))
    return titles, [r + [None] * (width - len(r)) for r in grid[start:]]


def _match(title: str, keywords: tuple[tuple[str, str], ...]) -> str | None:
    return next((item for key, item in keywords if key in title), None)


def _coded(table: str, titles: list[str], rows: list[list[object]], out: list) -> None:
    code_cols = [i for i, t in enumerate(titles) if "编码" in t or t[-1:] in ("类", "款", "项")]
    items = {i: _match(t, _COLUMNS[table]) for i, t in enumerate(titles) if i not in code_cols}
    items = {i: it for i, it in items.items() if it}
    for row in rows:
        code = "".join(_text(row[i]) for i in code_cols)
        if not _CODE.match(code):
            if not any(_text(v) in ("合计", "总计") for v in row):
                continue
            code = ""
        for i, item in items.items():
            value = _number(row[i])
            if value is not None:
                out.append((table, code, item, value))


def _economic(titles: list[str], rows: list[list[object]], out: list) -> None:
    amounts = [i for i, t in enumerate(titles) if "决算数" in t or "金额" in t]
    blocks, prev = [], -1
    for j in amounts:
        codes = [i for i in range(prev + 1, j) if "编码" in titles[i] or titles[i][-1:] in "类款"]
        blocks.append((prev + 1, j, codes))
        prev = j
    for row in rows:
        for lo, j, codes in blocks:
            value = _number(row[j])
            if value is None:
                continue
            code = "".join(_text(row[i]) for i in codes)
            labels = "".join(_text(row[i]) for i in range(lo, j))
            if re.fullmatch(r"\d{3}(?:\d{2})?", code):
                out.append(("T06", code, "amount", value))
            elif "人员经费合计" in labels:
                out.append(("T06", "", "personnel_total", value))
            elif "公用经费合计" in labels:
                out.append(("T06", "", "public_total", value))


def _three_public(titles: list[str], rows: list[list[object]], out: list) -> None:
    for row in rows[:1]:
        for i, t in enumerate(titles):
            kind = "budget" if "预算数" in t else "actual" if "决算数" in t else None
            line = _match(t, _T07_LINES)
            if kind and line is None and "小计" in t:
                line = "vehicle"
            value = _number(row[i])
            if kind and line and value is not None:
                out.append(("T07", "", f"{line}_{kind}", value))


def _label(v: object) -> str:
    return _ORDINAL.sub("", _text(v))


def _summary(table: str, titles: list[str], rows: list[list[object]], out: list) -> None:
    labels = [i for i, t in enumerate(titles) if t.endswith("项目")]
    if len(labels) < 2:
        raise ExtractError(f"{table}：表头中找不到收入、支出两侧的「项目」列")
    left, right = labels[0], labels[1]
    left_value = next(
        i for i in range(left + 1, right) if "决算数" in titles[i] or "金额" in titles[i]
    )
    right_cols = {i: titles[i] for i in range(right + 1, len(titles)) if titles[i]}
    classes = {name: code for code, name in Classification.builtin().names("function").items()
               if len(code) == 3}  # fmt: skip
    mode = "income"
    for row in rows:
        lab, value = _label(row[left]), _number(row[left_value])
        if lab:
            if table == "T04" and "年初" in lab:
                item, mode = "carryover_begin", "begin"
            elif table == "T04" and "本年收入合计" in lab:
                item = "income_total"
            elif table == "T04" and "总计" in lab:
                item = "income_grand_total"
            elif table == "T04":
                fund = _match(lab, _FUNDS)
                prefix = "income_" if mode == "income" else "carryover_begin_"
                item = prefix + fund if fund else None
            else:
                item = _match(lab, _T01_LEFT)
            if item and value is not None:
                out.append((table, "", item, value))
        lab = _label(row[right])
        if not lab:
            continue
        for i, head in right_cols.items():
            value = _number(row[i])
            if value is None:
                continue
            fund = _match(head, _FUNDS) if table == "T04" else None
            column = fund or "total"
            if "年末" in lab:
                fact = ("", "carryover_end" if column == "total" else f"carryover_end_{column}")
            elif "总计" in lab:
                fact = ("", "expense_grand_total") if column == "total" else None
            elif table == "T01":
                item = _match(lab, _T01_RIGHT)
                fact = ("", item) if item else (classes[lab], "expense") if lab in classes else None
            elif "本年支出合计" in lab:
                fact = ("", column)
            else:
                fact = (classes[lab], column) if lab in classes else None
            if fact:
                out.append((table, fact[0], fact[1], value))


def read_workbook(path: str | Path) -> Workbook:
    """The nine 公开表 of an ``.xlsx`` workbook, found by their titles.

    Raises:
        ExtractError: The file cannot be read, no title names the department and
            year, or no 公开表 is found.
    """
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ExtractError(f"无法读取 Excel 文件 {path}：{exc}") from exc
    heading = None
    facts: list[tuple[str, str, str, Decimal]] = []
    tables: dict[str, str] = {}
    for ws in wb.worksheets:
        grid = _grid(ws)
        texts = ["".join(_text(v) for v in row) for row in grid[:8]]
        for t in texts:
            if heading is None and re.search(r"(19|20)\d\d年度?.*决算", t):
                heading = t
        found = _table_of([*texts, _text(ws.title)])
        if found is None or found[0] in tables:
            continue
        table, row = found
        titles, rows = _split(grid, min(row, len(grid) - 1))
        before = len(facts)
        if table in ("T01", "T04"):
            _summary(table, titles, rows, facts)
        elif table == "T06":
            _economic(titles, rows, facts)
        elif table == "T07":
            _three_public(titles, rows, facts)
        else:
            _coded(table, titles, rows, facts)
        tables[table] = "published" if len(facts) > before else "empty"
    if heading is None:
        raise ExtractError(f"{path}：找不到含单位名称和年度的标题（如「XX局2024年度部门决算表」）")
    name, year, region, level = entity_from_title(re.sub(r"部门决算表?$", "部门决算", heading))
    if not tables or year is None:
        raise ExtractError(f"{path}：没有找到公开01–09表（按表名识别）")
    return Workbook(name, year, region, level, facts, tables)


def workbook_rows(wb: Workbook, entity_id: str, doc_path: str) -> dict[str, list[dict[str, str]]]:
    """Dataset rows for a read workbook: one document, its tables and facts."""
    doc_id = f"{entity_id}-{wb.year}"
    base = {"entity_id": entity_id, "year": str(wb.year), "doc_id": doc_id}
    facts = [{**base, "table": t, "code": c, "item": i, "value": f"{v:f}", "unit": "万元",
              "basis": "published", "section": f"公开0{t[-1]}表", "note": ""}
             for t, c, i, v in wb.facts]  # fmt: skip
    return {
        "entities": [{"entity_id": entity_id, "name": wb.name, "region": wb.region,
                      "level": wb.level, "note": "由 fiscal-analysis extract 从 Excel 公开表提取"}],
        "documents": [{"doc_id": doc_id, "entity_id": entity_id, "year": str(wb.year),
                       "title": f"{wb.name}{wb.year}年度部门决算（公开表）", "path": doc_path,
                       "note": "Excel 导出的公开01–09表"}],
        "tables": [{**base, "table": t, "status": s, "section": f"公开0{t[-1]}表", "note": ""}
                   for t, s in sorted(wb.tables.items())],
        "facts": facts,
    }  # fmt: skip
