"""The 情况说明 of one entity-year, written from a Dataset.

Thin wrappers: look the figures and stated reasons (主要原因) up, compute the
metrics, and let :mod:`fiscal_analysis.narrative.sentences` write the sentences. Missing
data gives a sentence that says what is missing, never a made-up figure.
"""

from __future__ import annotations

import pandas as pd

from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.metrics.entity import budget_completion, total_completion, yoy_for
from fiscal_analysis.metrics.exact import Change, Share, change, completion
from fiscal_analysis.metrics.structure import (
    economic_structure,
    expense_structure,
    function_structure,
    income_structure,
)
from fiscal_analysis.narrative.sentences import (
    basic_sentence,
    completion_sentence,
    function_sentence,
    general_public_sentence,
    item_entry,
    structure_sentence,
    total_sentence,
)
from fiscal_analysis.narrative.topics import (
    fund_sentence,
    ops_cost_sentence,
    procurement_sentence,
    three_public_sentence,
)

__all__ = ["SECTIONS", "describe"]

#: Section keys of :func:`describe`, in template order, with their titles.
SECTIONS = {
    "total": "一、收入支出决算总体情况说明",
    "income": "二、收入决算情况说明",
    "expense": "三、支出决算情况说明",
    "fiscal_total": "四、财政拨款收入支出决算总体情况说明",
    "general_public": "五（一）一般公共预算财政拨款支出决算总体情况",
    "function": "五（二）一般公共预算财政拨款支出决算结构情况",
    "completion": "五（三）一般公共预算财政拨款支出决算具体情况",
    "basic": "六、一般公共预算财政拨款基本支出决算情况说明",
    "three_public": "七、一般公共预算财政拨款“三公”经费支出决算情况说明",
    "gov_fund": "八、政府性基金预算财政拨款收入支出决算情况说明",
    "soe_capital": "九、国有资本经营预算财政拨款支出决算情况说明",
    "ops_cost": "十一（一）机关运行经费支出说明",
    "procurement": "十一（二）政府采购支出说明",
}


_FUND_NAMES = {
    "gov_fund": "政府性基金预算财政拨款收支",
    "soe_capital": "国有资本经营预算财政拨款收支",
}


def _shares(df: pd.DataFrame) -> list[Share]:
    cols = [df[c].tolist() for c in ("item", "label", "amount", "share", "status")]
    return [Share(*row) for row in zip(*cols, strict=True)]


#: The first stated reason of an entity-year per (topic, code).
_Reasons = dict[tuple[str, str], str]


def _stated(ey: EntityYear) -> _Reasons:
    """The year's stated reasons (主要原因): the first per (topic, code)."""
    found: _Reasons = {}
    for topic, code, text in ey.stated_reasons:
        found.setdefault((topic, code), text)
    return found


def _reason(reasons: _Reasons, topic: str, code: str = "") -> str | None:
    return reasons.get((topic, code))


def _total(ey: EntityYear, table: str, subject: str, why: str | None, decimals: int) -> str:
    y = ey.year
    c = yoy_for(ey, table, "income_grand_total")
    if c.current is None:
        return f"缺少{subject}数据。"
    return total_sentence(y, c, decimals, subject=subject, reason=why)


def _completion(ey: EntityYear, decimals: int, reasons: _Reasons) -> str:
    y = ey.year
    overall = total_completion(ey)
    if overall.actual is None:
        return "缺少一般公共预算财政拨款支出数据。"
    lines = [completion_sentence(y, overall, decimals, _reason(reasons, "budget_variance"))]
    items = budget_completion(ey)
    for n, r in enumerate(items.itertuples(index=False), start=1):
        c = completion(r.actual, r.budget)
        why = _reason(reasons, "budget_variance", r.code)
        lines.append(item_entry(n, r.full_name, c, decimals, why))
    return "\n".join(lines)


def _basic(ey: EntityYear, decimals: int) -> str:
    y = ey.year
    basic, _ = ey.figure("T05", "basic")
    personnel, _ = ey.figure("T06", "personnel_total")
    public, _ = ey.figure("T06", "public_total")
    if basic is None and personnel is None and public is None:
        return "缺少基本支出数据。"
    econ = economic_structure(ey)
    # a boolean mask even when 06表 has no lines (an empty object mask selects columns)
    listed = econ[econ["amount"].map(lambda a: a is None or a != 0).astype(bool)]
    names = {g: list(listed.loc[listed["group"] == g, "name"]) for g in ("人员经费", "公用经费")}
    return basic_sentence(
        y, basic, personnel, public, decimals, names["人员经费"], names["公用经费"]
    )


def _three_public(ey: EntityYear, decimals: int) -> str:
    y = ey.year

    def pair(line: str, label: str) -> tuple[str, object, Change]:
        actual, _ = ey.figure("T07", f"{line}_actual")
        budget, _ = ey.figure("T07", f"{line}_budget")
        prior, _ = ey.previous.figure("T07", f"{line}_actual")
        return label, completion(actual, budget, "预算"), change(actual, prior)

    _, total, total_change = pair("total", "")
    if total.actual is None:
        return "缺少“三公”经费数据。"
    labels = (("abroad", "因公出国（境）费"), ("reception", "公务接待费"),
              ("vehicle", "公务用车购置及运行维护费"))  # fmt: skip
    items = [pair(line, label) for line, label in labels]
    return three_public_sentence(y, total, total_change, items, decimals)  # type: ignore[arg-type]


def _ops(ey: EntityYear, decimals: int, reasons: _Reasons) -> str:
    y = ey.year
    actual, _ = ey.figure("ops_cost", "actual")
    budget, _ = ey.figure("ops_cost", "budget_initial")
    prior, _ = ey.previous.figure("ops_cost", "actual")
    return ops_cost_sentence(
        y,
        change(actual, budget, base_label="年初预算"),
        change(actual, prior),
        decimals,
        _reason(reasons, "ops_cost_budget"),
        _reason(reasons, "ops_cost_change"),
    )


def _fund(ey: EntityYear, kind: str, table: str) -> str:
    y = ey.year
    income, _ = ey.figure(table, "income")
    expense, _ = ey.figure(table, "expense")
    empty = ey.table_status(table) == "empty"
    if income is None and expense is None and not empty:
        return f"缺少{_FUND_NAMES[kind]}数据。"
    return fund_sentence(y, kind, income, expense, empty)


def describe(ey: EntityYear, decimals: int = 1) -> dict[str, str]:
    """Every standard 情况说明 paragraph for one entity-year, keyed as :data:`SECTIONS`.

    Args:
        ey: The entity-year (``ds.entity_year(entity, year)``).
        decimals: Decimals of printed percentages.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> text = describe(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> text["expense"]
        '本年支出合计335.78万元，其中：基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%。'
        >>> text["gov_fund"]
        '本年度无政府性基金预算财政拨款收支。'
    """
    y = ey.year
    reasons = _stated(ey)
    income = income_structure(ey)
    top_income = income[income["parent"].isna()]
    expense = expense_structure(ey)
    func = function_structure(ey)
    func_shares = [
        Share(r.code, r.full_name, r.amount, r.share, r.status) for r in func.itertuples()
    ]
    gp = yoy_for(ey, "T05", "total")
    expense_total, _ = ey.figure("T03", "total")
    proc = {k: ey.figure("procurement", k)[0] for k in ("total", "goods", "works")}
    proc |= {k: ey.figure("procurement", k)[0] for k in ("services", "sme", "micro")}
    return {
        "total": _total(ey, "T01", "收、支总计", _reason(reasons, "total_change"), decimals),
        "income": structure_sentence(
            "本年收入合计", income.attrs["total"], _shares(top_income), decimals
        ),
        "expense": structure_sentence(
            "本年支出合计", expense.attrs["total"], _shares(expense), decimals
        ),
        "fiscal_total": _total(
            ey, "T04", "财政拨款收、支总计", _reason(reasons, "fiscal_change"), decimals
        ),
        "general_public": (
            "缺少一般公共预算财政拨款支出数据。"
            if gp.current is None
            else general_public_sentence(
                y, gp, expense_total, decimals, _reason(reasons, "general_public_change")
            )
        ),
        "function": (
            function_sentence(y, func.attrs["total"], func_shares, decimals)
            if len(func)
            else "缺少按功能分类（类）的支出数据。"
        ),
        "completion": _completion(ey, decimals, reasons),
        "basic": _basic(ey, decimals),
        "three_public": _three_public(ey, decimals),
        "gov_fund": _fund(ey, "gov_fund", "T08"),
        "soe_capital": _fund(ey, "soe_capital", "T09"),
        "ops_cost": _ops(ey, decimals, reasons),
        "procurement": procurement_sentence(y, *proc.values(), decimals=decimals),
    }
