"""Rules inside each table: reference §4.1 (T01-1 … T09-1).

Each function is registered in :data:`~fiscal_analysis.checks.engine.RULES`
and returns one finding per identity it could evaluate.
"""

from __future__ import annotations

from fiscal_analysis.checks.engine import Context, register
from fiscal_analysis.checks.findings import Finding

__all__ = ["hierarchy", "row_sums"]

_T01_INCOME = (
    "income_superior_subsidy",
    "income_business",
    "income_operating",
    "income_affiliated",
    "income_other",
)
_FISCAL3 = ("general_public", "gov_fund", "soe_capital")


def _row_name(ctx: Context, table: str, code: str) -> str:
    if not code:
        return "合计行"
    scheme = "economic" if table == "T06" else "function"
    return f"{code} {ctx.ds.classification.name(code, scheme)}"


def row_sums(
    ctx: Context, table: str, total: str, parts: tuple[str, ...], what: str
) -> list[Finding]:
    """Per row (合计 and each code): ``total`` = Σ ``parts``.

    Rows whose parts are all absent from the data are skipped (nothing to
    check), unless the table was published empty.
    """
    out = []
    for code in ["", *sorted(ctx.codes(table, total))]:
        head = ctx.term(table, total, code)
        if head[1] is None and code:
            continue
        listed = any((table, code, p) in ctx.values for p in parts)
        if not listed and ctx.status(table) != "empty":
            continue
        addends = [ctx.term(table, p, code, fill=True) for p in parts]
        out.append(ctx.equation(head, addends, f"{what}（{_row_name(ctx, table, code)}）"))
    return out


def hierarchy(ctx: Context, table: str, item: str) -> list[Finding]:
    """类 = Σ 款, 款 = Σ 项 and 合计 = Σ 类 for one column, where both sides exist."""
    rows = ctx.codes(table, item)
    # rows printed blank (undisclosed) make their parent uncheckable, not wrong
    blank = {
        c for (t, c, i), v in ctx.values.items() if t == table and i == item and c and v is None
    }
    out = []
    for parent in sorted(c for c in rows if len(c) in (3, 5)):
        kids = sorted(
            c for c in rows.keys() | blank if len(c) == len(parent) + 2 and c.startswith(parent)
        )
        if kids:
            what = f"{ctx.label(table, item, parent)}等于其下级科目之和"
            out.append(
                ctx.equation(
                    ctx.term(table, item, parent), [ctx.term(table, item, k) for k in kids], what
                )
            )
    classes = sorted(c for c in rows if len(c) == 3)
    if classes and ctx.get(table, item) is not None:
        what = f"{ctx.label(table, item)}（合计）等于各类之和"
        out.append(
            ctx.equation(ctx.term(table, item), [ctx.term(table, item, c) for c in classes], what)
        )
    return out


@register(
    "T01-1",
    "01表本年收入合计等于各项收入之和",
    severity="error",
    reference="reference §4.1 T01-1",
    inputs=(
        "T01.income_total",
        "T01.income_general_public/gov_fund/soe_capital",
        *(f"T01.{i}" for i in _T01_INCOME),
    ),
    group="table",
)
def t01_1(ctx: Context) -> list[Finding]:
    split = [f"income_{f}" for f in _FISCAL3]
    old_style = (
        all(ctx.get("T01", i) is None for i in split)
        and ctx.get("T01", "income_fiscal") is not None
    )
    fiscal = ["income_fiscal"] if old_style else split
    addends = [ctx.term("T01", i, fill=True) for i in (*fiscal, *_T01_INCOME)]
    return [
        ctx.equation(ctx.term("T01", "income_total"), addends, "01表本年收入合计等于各项收入之和")
    ]


@register(
    "T01-2",
    "01表收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余",
    severity="error",
    reference="reference §4.1 T01-2",
    inputs=(
        "T01.income_grand_total",
        "T01.income_total",
        "T01.nonfiscal_balance_used",
        "T01.carryover_begin",
    ),
    group="table",
)
def t01_2(ctx: Context) -> list[Finding]:
    parts = [
        ctx.term("T01", i, fill=True)
        for i in ("income_total", "nonfiscal_balance_used", "carryover_begin")
    ]
    return [ctx.equation(ctx.term("T01", "income_grand_total"), parts, "01表收入总计")]


@register(
    "T01-3",
    "01表本年支出合计等于各类支出之和",
    severity="error",
    reference="reference §4.1 T01-3",
    inputs=("T01.expense_total", "T01.expense[类]"),
    group="table",
)
def t01_3(ctx: Context) -> list[Finding]:
    classes = sorted(c for c in ctx.codes("T01", "expense") if len(c) == 3)
    if not classes:
        return []
    parts = [ctx.term("T01", "expense", c) for c in classes]
    return [
        ctx.equation(ctx.term("T01", "expense_total"), parts, "01表本年支出合计等于各类支出之和")
    ]


@register(
    "T01-4",
    "01表支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余",
    severity="error",
    reference="reference §4.1 T01-4",
    inputs=(
        "T01.expense_grand_total",
        "T01.expense_total",
        "T01.balance_distribution",
        "T01.carryover_end",
    ),
    group="table",
)
def t01_4(ctx: Context) -> list[Finding]:
    parts = [
        ctx.term("T01", i, fill=True)
        for i in ("expense_total", "balance_distribution", "carryover_end")
    ]
    return [ctx.equation(ctx.term("T01", "expense_grand_total"), parts, "01表支出总计")]


@register(
    "T01-5",
    "01表收入总计等于支出总计",
    severity="error",
    reference="reference §4.1 T01-5",
    inputs=("T01.income_grand_total", "T01.expense_grand_total"),
    group="table",
)
def t01_5(ctx: Context) -> list[Finding]:
    return [
        ctx.equation(
            ctx.term("T01", "expense_grand_total"),
            [ctx.term("T01", "income_grand_total")],
            "01表收支平衡",
        )
    ]


@register(
    "T02-1",
    "02表每行本年收入合计等于各项收入之和",
    severity="error",
    reference="reference §4.1 T02-1",
    inputs=(
        "T02.total",
        "T02.fiscal",
        "T02.superior_subsidy",
        "T02.business",
        "T02.operating",
        "T02.affiliated",
        "T02.other",
    ),
    group="table",
)
def t02_1(ctx: Context) -> list[Finding]:
    parts = ("fiscal", "superior_subsidy", "business", "operating", "affiliated", "other")
    return row_sums(ctx, "T02", "total", parts, "02表本年收入合计等于各项收入之和")


@register(
    "T02-2",
    "02表科目层级：类 = Σ款 = Σ项，合计 = Σ类",
    severity="error",
    reference="reference §4.1 T02-2",
    inputs=("T02.*[类/款/项]",),
    group="table",
)
def t02_2(ctx: Context) -> list[Finding]:
    items = ("total", "fiscal", "superior_subsidy", "business", "operating", "affiliated", "other")
    return [f for i in items for f in hierarchy(ctx, "T02", i)]


@register(
    "T03-1",
    "03表每行本年支出合计 = 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助",
    severity="error",
    reference="reference §4.1 T03-1",
    inputs=(
        "T03.total",
        "T03.basic",
        "T03.project",
        "T03.upper_remit",
        "T03.operating",
        "T03.affiliated_subsidy",
    ),
    group="table",
)
def t03_1(ctx: Context) -> list[Finding]:
    parts = ("basic", "project", "upper_remit", "operating", "affiliated_subsidy")
    return row_sums(ctx, "T03", "total", parts, "03表本年支出合计等于各项支出之和")


@register(
    "T03-2",
    "03表科目层级：类 = Σ款 = Σ项，合计 = Σ类",
    severity="error",
    reference="reference §4.1 T03-2",
    inputs=("T03.*[类/款/项]",),
    group="table",
)
def t03_2(ctx: Context) -> list[Finding]:
    items = ("total", "basic", "project", "upper_remit", "operating", "affiliated_subsidy")
    return [f for i in items for f in hierarchy(ctx, "T03", i)]


@register(
    "T05-1",
    "05表每行合计 = 基本支出 + 项目支出",
    severity="error",
    reference="reference §4.1 T05-1",
    inputs=("T05.total", "T05.basic", "T05.project"),
    group="table",
)
def t05_1(ctx: Context) -> list[Finding]:
    return row_sums(ctx, "T05", "total", ("basic", "project"), "05表合计等于基本支出加项目支出")


@register(
    "T05-2",
    "05表科目层级：类 = Σ款 = Σ项，合计 = Σ类",
    severity="error",
    reference="reference §4.1 T05-2",
    inputs=("T05.*[类/款/项]",),
    group="table",
)
def t05_2(ctx: Context) -> list[Finding]:
    items = ("total", "basic", "project", "budget_initial", "budget_adjusted")
    return [f for i in items for f in hierarchy(ctx, "T05", i)]
