"""Rules inside 04表 财政拨款收入支出决算总表: reference §4.1 (T04-1 … T04-5)."""

from __future__ import annotations

from fiscal_analysis.checks.engine import Context, Term, register
from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.checks.rules_tables import row_sums

__all__: list[str] = []

_FISCAL3 = ("general_public", "gov_fund", "soe_capital")


@register(
    "T04-1",
    "04表每行支出合计 = 一般公共预算 + 政府性基金 + 国有资本经营",
    severity="error",
    reference="reference §4.1 T04-1",
    inputs=("T04.total", "T04.general_public", "T04.gov_fund", "T04.soe_capital"),
    group="table",
)
def t04_1(ctx: Context) -> list[Finding]:
    return row_sums(ctx, "T04", "total", _FISCAL3, "04表支出合计等于三类财政拨款支出之和")


@register(
    "T04-2",
    "04表本年收入合计等于三类财政拨款收入之和",
    severity="error",
    reference="reference §4.1 T04-2",
    inputs=(
        "T04.income_total",
        "T04.income_general_public",
        "T04.income_gov_fund",
        "T04.income_soe_capital",
    ),
    group="table",
)
def t04_2(ctx: Context) -> list[Finding]:
    parts = [ctx.term("T04", f"income_{f}", fill=True) for f in _FISCAL3]
    return [ctx.equation(ctx.term("T04", "income_total"), parts, "04表本年收入合计")]


@register(
    "T04-3",
    "04表年初（年末）财政拨款结转和结余等于其三个子项之和",
    severity="error",
    reference="reference §4.1 T04-3",
    inputs=(
        "T04.carryover_begin",
        "T04.carryover_begin_*",
        "T04.carryover_end",
        "T04.carryover_end_*",
    ),
    group="table",
)
def t04_3(ctx: Context) -> list[Finding]:
    out = []
    for side, name in (("begin", "年初"), ("end", "年末")):
        if not any(k[0] == "T04" and k[2].startswith(f"carryover_{side}") for k in ctx.values):
            continue
        parts = [ctx.term("T04", f"carryover_{side}_{f}", fill=True) for f in _FISCAL3]
        out.append(
            ctx.equation(
                ctx.term("T04", f"carryover_{side}"), parts, f"04表{name}财政拨款结转和结余"
            )
        )
    return out


@register(
    "T04-4",
    "04表收入总计 = 本年收入合计 + 年初结转和结余 = 支出总计 = 本年支出合计 + 年末结转和结余",
    severity="error",
    reference="reference §4.1 T04-4",
    inputs=(
        "T04.income_grand_total",
        "T04.income_total",
        "T04.carryover_begin",
        "T04.expense_grand_total",
        "T04.total",
        "T04.carryover_end",
    ),
    group="table",
)
def t04_4(ctx: Context) -> list[Finding]:
    income = [ctx.term("T04", "income_total"), ctx.term("T04", "carryover_begin", fill=True)]
    expense = [ctx.term("T04", "total"), ctx.term("T04", "carryover_end", fill=True)]
    return [
        ctx.equation(ctx.term("T04", "income_grand_total"), income, "04表收入总计"),
        ctx.equation(ctx.term("T04", "expense_grand_total"), expense, "04表支出总计"),
        ctx.equation(
            ctx.term("T04", "expense_grand_total"),
            [ctx.term("T04", "income_grand_total")],
            "04表收支平衡",
        ),
    ]


@register(
    "T04-5",
    "04表分资金：年初结转 + 本年收入 − 本年支出 = 年末结转（有调剂时可不等）",
    severity="warning",
    reference="reference §4.1 T04-5 (unverified)",
    inputs=(
        "T04.carryover_begin_*",
        "T04.income_*",
        "T04.general_public/gov_fund/soe_capital",
        "T04.carryover_end_*",
    ),
    group="table",
)
def t04_5(ctx: Context) -> list[Finding]:
    out = []
    names = {
        "general_public": "一般公共预算",
        "gov_fund": "政府性基金",
        "soe_capital": "国有资本经营",
    }
    for f in _FISCAL3:
        keys = (f"carryover_begin_{f}", f"income_{f}", f, f"carryover_end_{f}")
        if not all(("T04", "", k) in ctx.values for k in keys):
            continue
        begin, income, spent, end = (ctx.term("T04", k) for k in keys)
        neg: Term = (f"减：{spent[0]}", None if spent[1] is None else -spent[1])
        out.append(ctx.equation(end, [begin, income, neg], f"04表{names[f]}财政拨款结转结余衔接"))
    return out
