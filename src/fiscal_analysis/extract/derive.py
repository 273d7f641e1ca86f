"""Figures a disclosure implies without printing them (basis ``derived``).

Each rule reads figures already extracted (published or derived earlier) and
adds a figure only when it is missing and every input is known; the formula,
with the input values, goes into ``note``. Arithmetic is exact (integer
分). Money amounts in these tables are never negative, so a
difference of 0 between a total and the sum of some of its parts makes every
other part 0, and a part found by difference must not be negative.

Rules (current year only):

- 05表 款, 类 and 合计 from their 项 (total, budget_initial, basic, project,
  budget_adjusted), when the 项 listed are complete (their totals add up to
  the published 类 or 合计 total) and every one of them gives the item;
- 01表 other income sources = 0 when 财政拨款收入 (or its three parts) equals
  本年收入合计; one of the three 财政拨款 parts by difference;
- 01表 使用非财政拨款结余 and 年初结转和结余 = 0 when 收入总计 = 本年收入合计;
  结余分配 and 年末结转和结余 = 0 when 支出总计 = 本年支出合计;
- 03表 上缴上级/经营/对附属单位补助支出 = 0 when 基本 + 项目 = 合计;
- 01表 expense per 类 = 05表 类 total when 一般公共预算财政拨款支出 = 本年支出合计;
- 04表 本年收入合计 = 收入总计 when the (01表) 年初结转和结余 is 0; 04表 支出合计
  = 一般公共预算 + 政府性基金 (08表) + 国有资本经营 (09表) expenditure;
- 07表 parts = 0 when their line (公务用车 or 合计) is 0.

Examples:
    >>> rows = [
    ...     {"year": "2020", "table": "T05", "code": "", "item": "total", "value": "30"},
    ...     {"year": "2020", "table": "T05", "code": "2010101", "item": "total", "value": "10"},
    ...     {"year": "2020", "table": "T05", "code": "2010102", "item": "total", "value": "20"},
    ... ]
    >>> for r in derive_facts(rows):
    ...     print(r["code"], r["value"], r["note"])
    20101 30 10 + 20（2010101、2010102 之和）
    201 30 10 + 20（2010101、2010102 之和）
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from fiscal_analysis.money import exact_text as _fmt
from fiscal_analysis.money import parse_amount

__all__ = ["derive_facts"]

Key = tuple[int, str, str, str]  # year, table, code, item

_T05_ITEMS = ("total", "budget_initial", "basic", "project", "budget_adjusted")
_FISCAL = ("income_general_public", "income_gov_fund", "income_soe_capital")
_OTHER_INCOME = (
    "income_superior_subsidy",
    "income_business",
    "income_operating",
    "income_affiliated",
    "income_other",
)
_LABEL = {
    "income_fiscal": "财政拨款收入",
    "income_general_public": "一般公共预算",
    "income_gov_fund": "政府性基金",
    "income_soe_capital": "国有资本经营",
    "income_total": "本年收入合计",
    "income_grand_total": "收入总计",
    "expense_total": "本年支出合计",
    "expense_grand_total": "支出总计",
}


class _State:
    """Known figures plus the ones added so far (never replaced)."""

    def __init__(self, rows: Sequence[Mapping[str, str]], year: int) -> None:
        self.year = year
        self.values: dict[Key, int] = {}
        self.present: set[Key] = set()
        self.sections: dict[Key, str] = {}
        self.new: dict[Key, tuple[int, str, str]] = {}
        self.evidence: dict[Key, str] = {}
        for r in rows:
            key = (int(r["year"]), r["table"], r.get("code", "") or "", r["item"])
            self.present.add(key)
            self.sections.setdefault(key, r.get("section", "") or "")
            self.evidence.setdefault(key, r.get("evidence", "") or "")
            text = (r.get("value") or "").strip()
            if text:
                self.values.setdefault(key, parse_amount(text))

    def get(self, table: str, item: str, code: str = "") -> int | None:
        return self.values.get((self.year, table, code, item))

    def put(
        self,
        table: str,
        code: str,
        item: str,
        value: int,
        note: str,
        sources: Sequence[tuple[str, str, str]],
    ) -> bool:
        key = (self.year, table, code, item)
        if key in self.present or value < 0:
            return False
        secs = [self.sections.get((self.year, *s), "") for s in sources]
        secs = [s for s in secs if s]
        common = os.path.commonprefix(secs).rstrip() if secs else ""  # noqa: RUF071
        # "第三部分 五（三）" for 项 1–5; the first source's own section otherwise
        section = common if common.partition(" ")[2] else (secs[0] if secs else "")
        self.present.add(key)
        self.values[key] = value
        self.sections[key] = section
        self.new[key] = (value, section, note)
        order = ("", "table", "sentence", "ambiguous", "guess")
        found = [self.evidence.get((self.year, *src), "") for src in sources]
        self.evidence[key] = max(found, key=lambda e: order.index(e) if e in order else 0)
        return True


def _t05_sums(s: _State) -> None:
    codes = {k[2] for k in s.values if k[0] == s.year and k[1] == "T05" and len(k[2]) == 7}
    grand = s.get("T05", "total")
    all_total = sum(s.get("T05", "total", c) or 0 for c in codes)
    complete_all = grand is not None and all(s.get("T05", "total", c) is not None for c in codes)
    complete_all = complete_all and codes and all_total == grand
    by_class: dict[str, list[str]] = {}
    for c in sorted(codes):
        by_class.setdefault(c[:3], []).append(c)
    done: set[str] = set()
    for cls, xiang in by_class.items():
        cls_total = s.get("T05", "total", cls)
        totals = [s.get("T05", "total", c) for c in xiang]
        complete = bool(complete_all) or (
            cls_total is not None and None not in totals and sum(totals) == cls_total
        )
        if complete:
            done.add(cls)
            kuan: dict[str, list[str]] = {}
            for c in xiang:
                kuan.setdefault(c[:5], []).append(c)
            for parent, kids in [*kuan.items(), (cls, xiang)]:
                _sum_into(s, parent, kids)
    if complete_all and done == set(by_class):
        _sum_into(s, "", sorted(by_class))


def _sum_into(s: _State, parent: str, kids: list[str]) -> None:
    for item in _T05_ITEMS:
        vals = [s.get("T05", item, c) for c in kids]
        if None in vals:
            continue
        ints = [v for v in vals if v is not None]
        names = "、".join(kids)
        if len(kids) == 1:
            note = f"等于其唯一的下级科目 {kids[0]}（{_fmt(ints[0])}）"
        else:
            note = f"{' + '.join(_fmt(v) for v in ints)}（{names} 之和）"
        s.put("T05", parent, item, sum(ints), note, [("T05", c, item) for c in kids])


def _t01_income(s: _State) -> None:
    total = s.get("T01", "income_total")
    fiscal = s.get("T01", "income_fiscal")
    parts = [s.get("T01", k) for k in _FISCAL]
    if fiscal is not None and parts.count(None) == 1:
        missing = _FISCAL[parts.index(None)]
        known = [(k, v) for k, v in zip(_FISCAL, parts, strict=True) if v is not None]
        value = fiscal - sum(v for _, v in known)
        terms = " − ".join(f"{_LABEL[k]}{_fmt(v)}" for k, v in known)
        note = f"财政拨款收入{_fmt(fiscal)} − {terms} = {_fmt(value)}"
        srcs = [("T01", "", "income_fiscal")] + [("T01", "", k) for k, _ in known]
        s.put("T01", "", missing, value, note, srcs)
        parts = [s.get("T01", k) for k in _FISCAL]
    if total is None:
        return
    if fiscal is not None and fiscal == total:
        note = f"本年收入合计{_fmt(total)} = 财政拨款收入{_fmt(fiscal)}，其余来源均不为负，故均为0"
        src = [("T01", "", "income_fiscal")]
    elif None not in parts and sum(p for p in parts if p is not None) == total:
        shown = " + ".join(_fmt(p) for p in parts if p is not None)
        note = f"本年收入合计{_fmt(total)} = 三类财政拨款收入{shown}，其余来源均不为负，故均为0"
        src = [("T01", "", k) for k in _FISCAL]
    else:
        return
    for item in _OTHER_INCOME:
        s.put("T01", "", item, 0, note, src)


def _zero_rest(
    s: _State, table: str, whole: str, part_items: Sequence[str], rest: Sequence[str]
) -> None:
    """``rest`` items are 0 when ``whole`` equals the sum of ``part_items``."""
    w = s.get(table, whole)
    parts = [s.get(table, p) for p in part_items]
    if w is None or None in parts:
        return
    ints = [p for p in parts if p is not None]
    if w != sum(ints):
        return
    head = _LABEL.get(whole, whole)
    shown = " − ".join(
        f"{_LABEL.get(p, p)}{_fmt(v)}" for p, v in zip(part_items, ints, strict=True)
    )
    note = f"{head}{_fmt(w)} − {shown} = 0，其余各项均不为负，故均为0"
    for item in rest:
        s.put(table, "", item, 0, note, [(table, "", whole), *((table, "", p) for p in part_items)])


def _t01_balances(s: _State) -> None:
    _zero_rest(s, "T01", "income_grand_total", ["income_total"],
               ["nonfiscal_balance_used", "carryover_begin"])  # fmt: skip
    _zero_rest(s, "T01", "expense_grand_total", ["expense_total"],
               ["balance_distribution", "carryover_end"])  # fmt: skip


def _t03_rest(s: _State) -> None:
    total, basic, project = (s.get("T03", k) for k in ("total", "basic", "project"))
    if total is None or basic is None or project is None or total != basic + project:
        return
    note = f"本年支出合计{_fmt(total)} − 基本支出{_fmt(basic)} − 项目支出{_fmt(project)} = 0"
    srcs = [("T03", "", k) for k in ("total", "basic", "project")]
    for item in ("upper_remit", "operating", "affiliated_subsidy"):
        s.put("T03", "", item, 0, note + "，其余各项均不为负，故均为0", srcs)


def _t01_expense(s: _State) -> None:
    gp, total = s.get("T05", "total"), s.get("T01", "expense_total")
    if gp is None or total is None or gp != total:
        return
    for key, value in list(s.values.items()):
        y, table, code, item = key
        if y == s.year and table == "T05" and item == "total" and len(code) == 3:
            note = (
                f"本年支出全部为一般公共预算财政拨款支出（{_fmt(gp)} = {_fmt(total)}），"
                f"故等于05表该类支出{_fmt(value)}"
            )
            s.put("T01", code, "expense", value, note, [("T05", code, "total")])


def _t04_totals(s: _State) -> None:
    grand = s.get("T04", "income_grand_total")
    begin = s.get("T04", "carryover_begin")
    if begin is None and s.get("T01", "carryover_begin") == 0:
        begin, why = 0, "01表年初结转和结余为0，故年初财政拨款结转和结余为0"
    else:
        why = f"年初财政拨款结转和结余{_fmt(begin)}" if begin is not None else ""
    if grand is not None and begin is not None:
        note = f"财政拨款收入总计{_fmt(grand)} − {_fmt(begin)} = {_fmt(grand - begin)}（{why}）"
        s.put("T04", "", "income_total", grand - begin, note, [("T04", "", "income_grand_total")])
    gp = s.get("T04", "general_public")
    fund, soe = s.get("T08", "expense"), s.get("T09", "expense")
    if gp is not None and fund is not None and soe is not None:
        note = (
            f"一般公共预算财政拨款支出{_fmt(gp)} + 政府性基金{_fmt(fund)}（08表）"
            f" + 国有资本经营{_fmt(soe)}（09表） = {_fmt(gp + fund + soe)}"
        )
        s.put("T04", "", "total", gp + fund + soe, note, [("T04", "", "general_public")])


def _t07_parts(s: _State) -> None:
    groups = (("vehicle", ("vehicle_purchase", "vehicle_operation"), "公务用车购置及运行维护费"),
              ("total", ("abroad", "vehicle", "reception"), "“三公”经费"))  # fmt: skip
    for measure, word in (("budget", "预算"), ("actual", "决算")):
        for line, parts, label in groups:
            if s.get("T07", f"{line}_{measure}") == 0:
                note = f"{label}{word}为0，其组成部分均不为负，故为0"
                for p in parts:
                    s.put("T07", "", f"{p}_{measure}", 0, note, [("T07", "", f"{line}_{measure}")])


_RULES: tuple[Callable[[_State], None], ...] = (
    _t05_sums, _t01_income, _t01_balances, _t03_rest, _t01_expense, _t04_totals, _t07_parts,
)  # fmt: skip


def derive_facts(
    rows: Sequence[Mapping[str, str]], year: int | None = None
) -> list[dict[str, str]]:
    """The derived fact rows implied by ``rows`` (never a figure already present).

    Args:
        rows: ``facts.csv`` rows (column name -> text) of one entity; empty
            ``value`` (undisclosed) counts as present but unknown.
        year: The year whose figures are derived; defaults to the latest year in ``rows``.

    Returns:
        New rows in the same column layout, ``basis`` ``derived`` and the formula
        in ``note``; ``entity_id``/``doc_id``/``unit`` copied from the input rows.
    """
    if not rows:
        return []
    y = year if year is not None else max(int(r["year"]) for r in rows)
    s = _State(rows, y)
    while True:
        before = len(s.new)
        for rule in _RULES:
            rule(s)
        if len(s.new) == before:
            break
    template = next((r for r in rows if int(r["year"]) == y), rows[0])
    eid, doc = template.get("entity_id", ""), template.get("doc_id", "")
    return [
        {"entity_id": eid, "year": str(yr), "table": table, "code": code, "item": item,
         "value": _fmt(value), "unit": "万元", "basis": "derived", "doc_id": doc,
         "section": section, "note": note, "evidence": s.evidence.get((yr, table, code, item), "")}
        for (yr, table, code, item), (value, section, note) in s.new.items()
    ]  # fmt: skip
