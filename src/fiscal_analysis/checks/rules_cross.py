"""Rules between tables: reference §4.2 (X-1 … X-7).

X-8 … X-14 are in :mod:`~fiscal_analysis.checks.rules_cross_spending`; X-13
and X-15 compare tables with figures of the 情况说明 and live in
:mod:`~fiscal_analysis.checks.rules_text`.
"""

from __future__ import annotations

from fiscal_analysis.checks.engine import Context, register
from fiscal_analysis.checks.findings import Finding

__all__: list[str] = []

_FISCAL3 = ("general_public", "gov_fund", "soe_capital")
_T02_T01 = (
    ("superior_subsidy", "income_superior_subsidy"),
    ("business", "income_business"),
    ("operating", "income_operating"),
    ("affiliated", "income_affiliated"),
    ("other", "income_other"),
)


def _same(
    ctx: Context, left: tuple[str, str, str], right: tuple[str, str, str], what: str
) -> Finding:
    return ctx.equation(ctx.term(*right), [ctx.term(*left)], what)


def _classes(ctx: Context, table: str, item: str) -> list[str]:
    return sorted(c for c in ctx.codes(table, item) if len(c) == 3)


@register(
    "X-1",
    "02表本年收入合计等于01表本年收入合计",
    severity="error",
    reference="reference §4.2 X-1",
    inputs=("T02.total", "T01.income_total"),
    group="cross",
)
def x_1(ctx: Context) -> list[Finding]:
    if ctx.get("T02", "total") is None:
        return []
    return [
        _same(ctx, ("T02", "total", ""), ("T01", "income_total", ""), "02表与01表本年收入合计一致")
    ]


@register(
    "X-2",
    "02表各收入来源合计等于01表对应收入",
    severity="error",
    reference="reference §4.2 X-2",
    inputs=(
        "T02.fiscal",
        "T01.income_general_public/gov_fund/soe_capital",
        *(f"T02.{a}" for a, _ in _T02_T01),
    ),
    group="cross",
)
def x_2(ctx: Context) -> list[Finding]:
    out = []
    if ctx.get("T02", "fiscal") is not None:
        split = [ctx.term("T01", f"income_{f}", fill=True) for f in _FISCAL3]
        if (
            all(v is None or "按0计" in label for label, v in split)
            and ctx.get("T01", "income_fiscal") is not None
        ):
            split = [ctx.term("T01", "income_fiscal")]
        out.append(
            ctx.equation(
                ctx.term("T02", "fiscal"), split, "02表财政拨款收入等于01表三类财政拨款收入之和"
            )
        )
    for t02, t01 in _T02_T01:
        if ctx.get("T02", t02) is not None:
            out.append(
                _same(
                    ctx,
                    ("T02", t02, ""),
                    ("T01", t01, ""),
                    f"02表与01表{ctx.label('T01', t01)[3:]}一致",
                )
            )
    return out


@register(
    "X-3",
    "03表本年支出合计（合计及各类）等于01表",
    severity="error",
    reference="reference §4.2 X-3",
    inputs=("T03.total", "T01.expense_total", "T03.total[类]", "T01.expense[类]"),
    group="cross",
)
def x_3(ctx: Context) -> list[Finding]:
    out = []
    if ctx.get("T03", "total") is not None:
        out.append(
            _same(
                ctx,
                ("T03", "total", ""),
                ("T01", "expense_total", ""),
                "03表与01表本年支出合计一致",
            )
        )
    for c in _classes(ctx, "T03", "total"):
        out.append(
            _same(ctx, ("T03", "total", c), ("T01", "expense", c), f"03表与01表{c}类支出一致")
        )
    return out


@register(
    "X-4",
    "04表三类财政拨款收入等于01表对应收入",
    severity="error",
    reference="reference §4.2 X-4",
    inputs=(
        "T04.income_general_public/gov_fund/soe_capital",
        "T01.income_general_public/gov_fund/soe_capital",
    ),
    group="cross",
)
def x_4(ctx: Context) -> list[Finding]:
    out = []
    for f in _FISCAL3:
        if ctx.get("T04", f"income_{f}") is not None or ctx.get("T01", f"income_{f}") is not None:
            what = f"04表与01表{ctx.label('T01', f'income_{f}')[3:]}一致"
            out.append(_same(ctx, ("T04", f"income_{f}", ""), ("T01", f"income_{f}", ""), what))
    return out


@register(
    "X-5",
    "04表年初（年末）财政拨款结转和结余不超过01表年初（年末）结转和结余",
    severity="error",
    reference="reference §4.2 X-5",
    inputs=("T04.carryover_begin", "T01.carryover_begin", "T04.carryover_end", "T01.carryover_end"),
    group="cross",
)
def x_5(ctx: Context) -> list[Finding]:
    out = []
    for side, name in (("begin", "年初"), ("end", "年末")):
        left, right = ctx.term("T04", f"carryover_{side}"), ctx.term("T01", f"carryover_{side}")
        if left[1] is None and right[1] is None:
            continue
        out.append(ctx.at_most(left, right, f"04表{name}财政拨款结转和结余不超过01表"))
    return out


@register(
    "X-6",
    "04表本年支出合计（及各类）不超过01表",
    severity="error",
    reference="reference §4.2 X-6 (structural)",
    inputs=("T04.total", "T01.expense_total", "T04.total[类]", "T01.expense[类]"),
    group="cross",
)
def x_6(ctx: Context) -> list[Finding]:
    out = []
    if ctx.get("T04", "total") is not None:
        out.append(
            ctx.at_most(
                ctx.term("T04", "total"),
                ctx.term("T01", "expense_total"),
                "04表本年支出合计不超过01表",
            )
        )
    for c in _classes(ctx, "T04", "total"):
        out.append(
            ctx.at_most(
                ctx.term("T04", "total", c),
                ctx.term("T01", "expense", c),
                f"04表{c}类支出不超过01表",
            )
        )
    return out


@register(
    "X-7",
    "04表一般公共预算财政拨款支出（合计及各类）等于05表",
    severity="error",
    reference="reference §4.2 X-7",
    inputs=("T04.general_public", "T05.total"),
    group="cross",
)
def x_7(ctx: Context) -> list[Finding]:
    out = []
    if ctx.get("T04", "general_public") is not None:
        out.append(
            _same(
                ctx,
                ("T04", "general_public", ""),
                ("T05", "total", ""),
                "04表与05表一般公共预算财政拨款支出一致",
            )
        )
    for c in _classes(ctx, "T04", "general_public"):
        out.append(
            _same(
                ctx, ("T04", "general_public", c), ("T05", "total", c), f"04表与05表{c}类支出一致"
            )
        )
    return out
