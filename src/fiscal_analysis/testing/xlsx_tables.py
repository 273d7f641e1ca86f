"""Write the nine 公开表 of one entity-year to an ``.xlsx`` laid out as printed (for tests).

The layouts follow real 2024 district disclosures: a title, ``单位：万元``, a
header of up to three rows with merged cells, codes in 类/款/项 columns (06表:
类/款, two blocks side by side), the two-sided 01/04表 with ordinal labels
(``一、一般公共预算财政拨款收入``) and the 07表 header of 预算数/决算数 pairs.
``shuffle`` puts the sheets in reverse order, names them ``Sheet1`` …, and
reverses the amount columns of the coded tables, so a reader that relied on
positions or sheet names would fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from fiscal_analysis.schema.classification import Classification
from fiscal_analysis.schema.items import TABLES

__all__ = ["write_tables_workbook"]

_TITLES = {"T01": "收入支出决算总表", "T02": "收入决算表", "T03": "支出决算表",
           "T04": "财政拨款收入支出决算总表", "T05": "一般公共预算财政拨款支出决算表",
           "T06": "一般公共预算财政拨款基本支出决算表", "T07": "财政拨款“三公”经费支出决算表",
           "T08": "政府性基金预算财政拨款收入支出决算表",
           "T09": "国有资本经营预算财政拨款收入支出决算表"}  # fmt: skip
_CODED = {
    "T02": ("total", "fiscal", "superior_subsidy", "business", "operating", "affiliated", "other"),
    "T03": ("total", "basic", "project", "upper_remit", "operating", "affiliated_subsidy"),
    "T05": ("total", "basic", "project"),
    "T08": ("carryover_begin", "income", "expense", "basic", "project", "carryover_end"),
}
_CODED["T09"] = _CODED["T08"]
_HEADS = {("T08", "expense"): "本年支出小计", ("T08", "basic"): "本年支出基本支出",
          ("T08", "project"): "本年支出项目支出", ("T05", "total"): "合计"}  # fmt: skip
_T01_LEFT = (("income_general_public", "一般公共预算财政拨款收入"),
             ("income_gov_fund", "政府性基金预算财政拨款收入"),
             ("income_soe_capital", "国有资本经营预算财政拨款收入"),
             ("income_superior_subsidy", "上级补助收入"), ("income_business", "事业收入"),
             ("income_operating", "经营收入"), ("income_affiliated", "附属单位上缴收入"),
             ("income_other", "其他收入"))  # fmt: skip
_ORD = "一二三四五六七八九十"
_FUNDS = (("general_public", "一般公共预算财政拨款"), ("gov_fund", "政府性基金预算财政拨款"),
          ("soe_capital", "国有资本经营预算财政拨款"))  # fmt: skip
_T07 = (("total", "合计", None), ("abroad", "因公出国（境）费", None),
        ("vehicle", "公务用车购置及运行费", "小计"),
        ("vehicle_purchase", "公务用车购置及运行费", "公务用车购置费"),
        ("vehicle_operation", "公务用车购置及运行费", "公务用车运行费"),
        ("reception", "公务接待费", None))  # fmt: skip


def _ordinal(i: int) -> str:
    return _ORD[i] if i < 10 else ("十" + _ORD[i - 10] if i < 19 else "二十" + _ORD[i - 20])


class _Sheet:
    def __init__(self, ws, title: str) -> None:
        self.ws, self.row = ws, 1
        self.put([title])
        self.put(["单位：万元"])

    def put(self, values: Iterable[object]) -> int:
        for c, v in enumerate(values, 1):
            if v is not None and v != "":
                self.ws.cell(self.row, c, v)
        self.row += 1
        return self.row - 1

    def merge(self, row: int, c1: int, c2: int, r2: int | None = None) -> None:
        self.ws.merge_cells(start_row=row, start_column=c1, end_row=r2 or row, end_column=c2)


def _label(table: str, item: str) -> str:
    return _HEADS.get((table if table != "T09" else "T08", item)) or TABLES[table].items[item].label


def _coded(sh: _Sheet, table: str, facts: dict, names: dict[str, str], shuffle: bool) -> None:
    items = list(_CODED[table])[:: -1 if shuffle else 1]
    head = sh.put(["项目", None, None, None, *(_label(table, i) for i in items)])
    sh.merge(head, 1, 4)
    sub = sh.put(["支出功能分类科目编码", None, None, "科目名称"])
    sh.merge(sub, 1, 3)
    sh.put(["类", "款", "项"])
    codes = sorted({c for (t, c, _i) in facts if t == table and c})
    total = [facts.get((table, "", i)) for i in items]
    if any(v is not None for v in total):
        sh.put(["合计", None, None, None, *total])
    for code in codes:
        parts = [code[:3], code[3:5] or None, code[5:7] or None]
        sh.put([*parts, names.get(code, ""), *(facts.get((table, code, i)) for i in items)])


def _economic(sh: _Sheet, facts: dict, names: dict[str, str]) -> None:
    sh.put(["人员经费", None, None, None, "公用经费"])
    sh.merge(3, 1, 4), sh.merge(3, 5, 8)
    sh.put(["经济分类科目编码", None, "科目名称", "决算数"] * 2)
    sh.merge(4, 1, 2), sh.merge(4, 5, 6)
    sh.put(["类", "款", None, None] * 2)
    codes = sorted(c for (t, c, i) in facts if t == "T06" and c and i == "amount")
    left = [c for c in codes if c[:3] in ("301", "303")]
    right = [c for c in codes if c not in left]
    for k in range(max(len(left), len(right))):
        row: list[object] = []
        for side in (left, right):
            if k < len(side):
                c = side[k]
                row += [c[:3], c[3:5] or None, names.get(c, ""), facts[("T06", c, "amount")]]
            else:
                row += [None] * 4
        sh.put(row)
    sh.put([None, None, "人员经费合计", facts.get(("T06", "", "personnel_total")),
            None, None, "公用经费合计", facts.get(("T06", "", "public_total"))])  # fmt: skip


def _three_public(sh: _Sheet, facts: dict) -> None:
    top, mid, low, values = [], [], [], []
    for line, group, sub in _T07:
        for kind, word in (("budget", "预算数"), ("actual", "决算数")):
            top.append(group)
            mid.append(sub or group)
            low.append(word)
            values.append(facts.get(("T07", "", f"{line}_{kind}")))
    r1, r2 = sh.put(top), sh.put(mid)
    sh.put(low)
    col = 1
    for _line, _group, sub in _T07:
        if sub is None:
            sh.merge(r1, col, col + 1, r2)
        col += 2
    sh.merge(r1, 5, 10)
    for c in (5, 7, 9):
        sh.merge(r2, c, c + 1)
    sh.put(values)


def _summary(sh: _Sheet, table: str, facts: dict, names: dict[str, str]) -> None:
    funds = table == "T04"
    right_heads = ["合计", *(f for _k, f in _FUNDS)] if funds else ["决算数"]
    sh.put(["收入", None, "支出"])
    sh.merge(3, 1, 2), sh.merge(3, 3, 3 + len(right_heads))
    sh.put(["项目", "决算数", "项目", *right_heads])
    cols = ["total", *(k for k, _f in _FUNDS)] if funds else ["expense"]
    left = [(f"income_{k}", f) for k, f in _FUNDS] if funds else list(_T01_LEFT)
    classes = sorted({c for (t, c, _i) in facts if t == table and c})
    right = [(names.get(c, c), [facts.get((table, c, i)) for i in cols]) for c in classes]
    for k in range(max(len(left), len(right))):
        lab, val = (
            (f"{_ordinal(k)}、{left[k][1]}", facts.get((table, "", left[k][0])))
            if k < len(left)
            else (None, None)
        )
        r_lab, r_vals = (f"{_ordinal(k)}、{right[k][0]}", right[k][1]) if k < len(right) else (
            None, [None] * len(cols))  # fmt: skip
        sh.put([lab, val, r_lab, *r_vals])
    g = lambda item: facts.get((table, "", item))  # noqa: E731
    if funds:
        sh.put(
            [
                "本年收入合计",
                g("income_total"),
                "本年支出合计",
                *(g(c) for c in ("total", "general_public", "gov_fund", "soe_capital")),
            ]
        )
        sh.put(
            [
                "年初财政拨款结转和结余",
                g("carryover_begin"),
                "年末财政拨款结转和结余",
                g("carryover_end"),
                *(g(f"carryover_end_{k}") for k, _f in _FUNDS),
            ]
        )
        for k, f in _FUNDS:
            sh.put([f, g(f"carryover_begin_{k}")])
        sh.put(["收入总计", g("income_grand_total"), "支出总计", g("expense_grand_total")])
    else:
        sh.put(["本年收入合计", g("income_total"), "本年支出合计", g("expense_total")])
        sh.put(
            [
                "使用非财政拨款结余（含专用结余）",
                g("nonfiscal_balance_used"),
                "结余分配",
                g("balance_distribution"),
            ]
        )
        sh.put(["年初结转和结余", g("carryover_begin"), "年末结转和结余", g("carryover_end")])
        sh.put(["总计", g("income_grand_total"), "总计", g("expense_grand_total")])


def write_tables_workbook(
    facts: Iterable[Mapping[str, str]], path: str | Path, heading: str, shuffle: bool = False
) -> Path:
    """Write the 公开表 facts (rows of facts.csv: table, code, item, value) to ``path``.

    ``heading`` is the document title (``上海市普陀区财政局2024年度部门决算表``),
    put on a cover sheet.
    """
    import openpyxl

    values = {(f["table"], f["code"], f["item"]): Decimal(f["value"]) for f in facts
              if f.get("value") not in (None, "")}  # fmt: skip
    names = Classification.builtin().names("function") | Classification.builtin().names("economic")
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active.cell(1, 1, heading)
    order = list(_TITLES)[:: -1 if shuffle else 1]
    for k, table in enumerate(order, 1):
        ws = wb.create_sheet(f"Sheet{k}" if shuffle else f"公开0{table[-1]}表")
        sh = _Sheet(ws, _TITLES[table])
        if table in _CODED:
            _coded(sh, table, values, names, shuffle)
        elif table == "T06":
            _economic(sh, values, names)
        elif table == "T07":
            _three_public(sh, values)
        else:
            _summary(sh, table, values, names)
    path = Path(path)
    wb.save(path)
    return path
