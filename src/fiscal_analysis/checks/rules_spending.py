"""Rules inside tables 06–09: reference §4.1 (T06-1 … T09-1).

06 基本支出 by economic class, 07 “三公”经费, 08 政府性基金 and 09 国有资本经营.
"""

from __future__ import annotations

from fiscal_analysis.checks.engine import Context, Term, register
from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.checks.rules_tables import hierarchy, row_sums
from fiscal_analysis.money import amount_text

__all__ = ["economic_class"]

_THREE_PUBLIC = ("abroad", "vehicle", "reception")
_MEASURES = (("budget", "预算数"), ("actual", "决算数"))


def economic_class(ctx: Context, cls: str) -> Term:
    """An economic class of 06表 (e.g. ``301``): its row, else Σ its 款.

    Unknown when a listed 款 is undisclosed; 0 when the table is published
    empty, or published with economic rows of which none is under the class
    (a table whose rows were not captured at all stays unknown).
    """
    label = ctx.label("T06", "amount", cls)
    own = ctx.get("T06", "amount", cls)
    if own is not None:
        return (label, own)
    kids = [
        (c, v)
        for (t, c, i), v in ctx.values.items()
        if t == "T06" and i == "amount" and len(c) == 5 and c.startswith(cls)
    ]
    if kids:
        if any(v is None for _, v in kids):
            return (label, None)
        return (f"{label}（各款之和）", sum(v for _, v in kids))
    captured = any(t == "T06" and i == "amount" and c for (t, c, i) in ctx.values)
    if ctx.status("T06") == "empty" or (captured and ctx.status("T06") == "published"):
        return (f"{label}（未列示，按0计）", 0)
    return (label, None)


@register(
    "T06-1",
    "06表每个经济分类类等于其各款之和",
    severity="error",
    reference="reference §4.1 T06-1",
    inputs=("T06.amount[类]", "T06.amount[款]"),
    group="table",
)
def t06_1(ctx: Context) -> list[Finding]:
    return hierarchy(ctx, "T06", "amount")


@register(
    "T06-2",
    "06表人员经费合计 = 301 工资福利支出 + 303 对个人和家庭的补助",
    severity="error",
    reference="reference §4.1 T06-2",
    inputs=("T06.personnel_total", "T06.amount[301]", "T06.amount[303]"),
    group="table",
)
def t06_2(ctx: Context) -> list[Finding]:
    total = ctx.term("T06", "personnel_total")
    parts = [economic_class(ctx, c) for c in ("301", "303")]
    if total[1] is None and all(v is None for _, v in parts):
        return []
    return [ctx.equation(total, parts, "06表人员经费合计")]


@register(
    "T06-3",
    "06表公用经费合计 = 302 + 310（及 307、309、312、399 如有）",
    severity="error",
    reference="reference §4.1 T06-3",
    inputs=("T06.public_total", "T06.amount[302/310/307/309/312/399]"),
    group="table",
)
def t06_3(ctx: Context) -> list[Finding]:
    total = ctx.term("T06", "public_total")
    listed = {c[:3] for (t, c, i) in ctx.values if t == "T06" and i == "amount" and c}
    classes = ["302", "310", *sorted(c for c in listed if c not in ("301", "302", "303", "310"))]
    parts = [economic_class(ctx, c) for c in classes]
    if total[1] is None and all(v is None for _, v in parts):
        return []
    return [ctx.equation(total, parts, "06表公用经费合计")]


@register(
    "T07-1",
    "07表合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费（预算数、决算数分别）",
    severity="error",
    reference="reference §4.1 T07-1",
    inputs=("T07.total_*", "T07.abroad_*", "T07.vehicle_*", "T07.reception_*"),
    group="table",
)
def t07_1(ctx: Context) -> list[Finding]:
    out = []
    for m, name in _MEASURES:
        parts = [ctx.term("T07", f"{p}_{m}", fill=True) for p in _THREE_PUBLIC]
        if ctx.get("T07", f"total_{m}") is None and all(v is None for _, v in parts):
            continue
        out.append(
            ctx.equation(ctx.term("T07", f"total_{m}"), parts, f"07表“三公”经费合计（{name}）")
        )
    return out


@register(
    "T07-2",
    "07表公务用车购置及运行费 = 公务用车购置费 + 公务用车运行费",
    severity="error",
    reference="reference §4.1 T07-2",
    inputs=("T07.vehicle_*", "T07.vehicle_purchase_*", "T07.vehicle_operation_*"),
    group="table",
)
def t07_2(ctx: Context) -> list[Finding]:
    out = []
    for m, name in _MEASURES:
        parts = [ctx.term("T07", f"vehicle_{p}_{m}", fill=True) for p in ("purchase", "operation")]
        if ctx.get("T07", f"vehicle_{m}") is None and all(v is None for _, v in parts):
            continue
        out.append(
            ctx.equation(
                ctx.term("T07", f"vehicle_{m}"), parts, f"07表公务用车购置及运行费（{name}）"
            )
        )
    return out


@register(
    "T07-3",
    "07表合计为0时各项均应为0",
    severity="error",
    reference="reference §4.1 T07-3",
    inputs=("T07.total_*", "T07.abroad_*", "T07.vehicle_*", "T07.reception_*"),
    group="table",
)
def t07_3(ctx: Context) -> list[Finding]:
    out = []
    for m, name in _MEASURES:
        if ctx.get("T07", f"total_{m}") != 0:
            continue
        keys = [*_THREE_PUBLIC, "vehicle_purchase", "vehicle_operation"]
        terms = [ctx.term("T07", f"{k}_{m}", fill=True) for k in keys]
        terms = [t for t in terms if t[1] is not None] or terms[:3]
        what = f"07表“三公”经费合计（{name}）为0"
        gap = ctx.missing(terms, what)
        if gap:
            out.append(gap)
            continue
        figures = {label: amount_text(v) for label, v in terms}
        nonzero = [label for label, v in terms if v]
        if nonzero:
            msg = f"{what}，但{'、'.join(nonzero)}不为0，请核对合计或各项数字。"
            out.append(ctx.result("fail", msg, figures))
        else:
            out.append(ctx.result("pass", f"{what}，各项均为0，相符。", figures))
    return out


def _fund_table(ctx: Context, table: str, name: str) -> list[Finding]:
    out = row_sums(
        ctx, table, "expense", ("basic", "project"), f"{name}本年支出等于基本支出加项目支出"
    )
    keys = ("carryover_begin", "income", "expense", "carryover_end")
    if any((table, "", k) in ctx.values for k in keys) or ctx.status(table) == "empty":
        begin, income, spent, end = (ctx.term(table, k, fill=k != "expense") for k in keys)
        neg: Term = (f"减：{spent[0]}", None if spent[1] is None else -spent[1])
        out.append(
            ctx.equation(
                end,
                [begin, income, neg],
                f"{name}年初结转 + 本年收入 − 本年支出 = 年末结转",
                severity="warning",
            )
        )
    return out


@register(
    "T08-1",
    "08表本年支出 = 基本 + 项目；年初 + 本年收入 − 本年支出 = 年末（合计）",
    severity="error",
    reference="reference §4.1 T08-1 (unverified)",
    inputs=(
        "T08.carryover_begin",
        "T08.income",
        "T08.expense",
        "T08.basic",
        "T08.project",
        "T08.carryover_end",
    ),
    group="table",
)
def t08_1(ctx: Context) -> list[Finding]:
    return _fund_table(ctx, "T08", "08表")


@register(
    "T09-1",
    "09表本年支出 = 基本 + 项目；年初 + 本年收入 − 本年支出 = 年末（合计）",
    severity="error",
    reference="reference §4.1 T09-1 (unverified)",
    inputs=(
        "T09.carryover_begin",
        "T09.income",
        "T09.expense",
        "T09.basic",
        "T09.project",
        "T09.carryover_end",
    ),
    group="table",
)
def t09_1(ctx: Context) -> list[Finding]:
    return _fund_table(ctx, "T09", "09表")
