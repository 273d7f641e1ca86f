"""Rules between tables on spending detail: reference §4.2 (X-8 … X-12, X-14).

04表 fund columns against 08/09表, 05表 against 03表 and 06表, 06表 against
07表, and whether 08/09表 are published with data or empty.
"""

from __future__ import annotations

from fiscal_analysis.checks.engine import Context, register
from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.money import amount_text

__all__: list[str] = []


def _classes(ctx: Context, table: str, item: str) -> list[str]:
    return sorted(c for c in ctx.codes(table, item) if len(c) == 3)


def _fund(ctx: Context, fund: str, table: str, name: str) -> list[Finding]:
    out = []
    pairs = [
        ((table, "expense", ""), ("T04", fund, ""), f"04表与{table[1:]}表{name}支出一致"),
        (
            (table, "income", ""),
            ("T04", f"income_{fund}", ""),
            f"04表与{table[1:]}表{name}收入一致",
        ),
        (
            (table, "carryover_begin", ""),
            ("T04", f"carryover_begin_{fund}", ""),
            f"04表与{table[1:]}表{name}年初结转一致",
        ),
        (
            (table, "carryover_end", ""),
            ("T04", f"carryover_end_{fund}", ""),
            f"04表与{table[1:]}表{name}年末结转一致",
        ),
    ]
    pairs += [
        ((table, "expense", c), ("T04", fund, c), f"04表与{table[1:]}表{c}类{name}支出一致")
        for c in _classes(ctx, "T04", fund)
    ]
    for left, right, what in pairs:
        if ctx.get(*right) is None:
            continue
        out.append(ctx.equation(ctx.term(*right), [ctx.term(*left)], what))
    return out


@register(
    "X-8",
    "04表政府性基金预算财政拨款收支、结转与08表一致",
    severity="error",
    reference="reference §4.2 X-8 (unverified)",
    inputs=("T04.gov_fund", "T04.income_gov_fund", "T04.carryover_*_gov_fund", "T08.*"),
    group="cross",
)
def x_8(ctx: Context) -> list[Finding]:
    return _fund(ctx, "gov_fund", "T08", "政府性基金")


@register(
    "X-9",
    "04表国有资本经营预算财政拨款收支、结转与09表一致",
    severity="error",
    reference="reference §4.2 X-9 (unverified)",
    inputs=("T04.soe_capital", "T04.income_soe_capital", "T04.carryover_*_soe_capital", "T09.*"),
    group="cross",
)
def x_9(ctx: Context) -> list[Finding]:
    return _fund(ctx, "soe_capital", "T09", "国有资本经营")


@register(
    "X-10",
    "05表合计、基本支出、项目支出（及各项）不超过03表",
    severity="error",
    reference="reference §4.2 X-10",
    inputs=("T05.total/basic/project", "T03.total/basic/project"),
    group="cross",
)
def x_10(ctx: Context) -> list[Finding]:
    out = []
    for item in ("total", "basic", "project"):
        if ctx.get("T05", item) is not None and ctx.get("T03", item) is not None:
            what = f"05表{ctx.label('T05', item)[3:]}不超过03表"
            out.append(ctx.at_most(ctx.term("T05", item), ctx.term("T03", item), what))
    t03 = ctx.codes("T03", "total")
    for c in sorted(c for c in ctx.codes("T05", "total") if len(c) == 7 and c in t03):
        out.append(
            ctx.at_most(
                ctx.term("T05", "total", c), ctx.term("T03", "total", c), f"05表{c}不超过03表"
            )
        )
    return out


@register(
    "X-11",
    "05表基本支出合计 = 06表人员经费合计 + 公用经费合计",
    severity="error",
    reference="reference §4.2 X-11",
    inputs=("T05.basic", "T06.personnel_total", "T06.public_total"),
    group="cross",
)
def x_11(ctx: Context) -> list[Finding]:
    parts = [ctx.term("T06", "personnel_total"), ctx.term("T06", "public_total")]
    return [
        ctx.equation(ctx.term("T05", "basic"), parts, "05表基本支出等于06表人员经费与公用经费之和")
    ]


@register(
    "X-12",
    "06表“三公”相关经济科目不超过07表同项决算数",
    severity="error",
    reference="reference §4.2 X-12",
    inputs=("T06.amount[30212/30217/30231/31013/30913]", "T07.*_actual"),
    group="cross",
)
def x_12(ctx: Context) -> list[Finding]:
    out = []
    pairs = (
        ("30212", "abroad"),
        ("30217", "reception"),
        ("30231", "vehicle_operation"),
        ("31013", "vehicle_purchase"),
        ("30913", "vehicle_purchase"),
    )
    for code, item in pairs:
        if ctx.get("T06", "amount", code) is None:
            continue
        left, right = ctx.term("T06", "amount", code), ctx.term("T07", f"{item}_actual", fill=True)
        out.append(ctx.at_most(left, right, f"06表{code}（基本支出）不超过07表同项决算数"))
    return out


def _fund_status(ctx: Context, fund: str, table: str, name: str) -> Finding | None:
    keys = [("T01", f"income_{fund}"), ("T04", f"income_{fund}"), ("T04", fund)]
    terms = [ctx.term(t, i) for t, i in keys]
    known = [(label, v) for label, v in terms if v is not None]
    if not known:
        return None
    figures = {label: amount_text(v) for label, v in known}
    status = ctx.status(table)
    shown = {"published": "已公开", "empty": "空表", "absent": "未公开", "unknown": "未知"}
    figures[f"{table[1:]}表公开状态"] = shown.get(status, status)
    nonzero = [label for label, v in known if v != 0]
    if status not in ("published", "empty"):
        return ctx.result(
            "not_applicable",
            f"{table[1:]}表未公开或状态未知（{shown.get(status, status)}），"
            f"无法核对{name}收支与该表是否一致。",
            figures,
        )
    if nonzero and status == "empty":
        tab = f"{table[1:]}表"
        msg = f"{'、'.join(nonzero)}不为0，但{tab}为空表；有{name}收支时{tab}应公开数据。"
        return ctx.result("fail", msg, figures)
    if nonzero:
        return ctx.result("pass", f"有{name}收支，{table[1:]}表已公开数据，相符。", figures)
    data = [v for (t, _c, _i), v in ctx.values.items() if t == table and v]
    if status == "published" and data:
        msg = f"01/04表{name}收支为0，但{table[1:]}表有非零数字，请核对。"
        return ctx.result("fail", msg, figures)
    if status == "published":
        msg = f"无{name}收支，{table[1:]}表应以空表公开并注明「本表无数据」。"
        return ctx.result("fail", msg, figures, severity="warning")
    return ctx.result("pass", f"无{name}收支，{table[1:]}表为空表，相符。", figures)


@register(
    "X-14",
    "有政府性基金（国有资本经营）收支则08（09）表须有数据，否则须为空表",
    severity="error",
    reference="reference §4.2 X-14",
    inputs=(
        "T01.income_gov_fund",
        "T01.income_soe_capital",
        "T04.gov_fund",
        "T04.soe_capital",
        "tables.T08/T09 status",
    ),
    group="cross",
)
def x_14(ctx: Context) -> list[Finding]:
    found = [
        _fund_status(ctx, "gov_fund", "T08", "政府性基金"),
        _fund_status(ctx, "soe_capital", "T09", "国有资本经营"),
    ]
    return [f for f in found if f is not None]
