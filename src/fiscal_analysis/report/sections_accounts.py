"""Report sections 一 to 五 of the 情况说明: totals, income, expenditure, appropriations.

Each builder takes a :class:`~fiscal_analysis.report.blocks.ReportContext` and returns
a :class:`~fiscal_analysis.report.blocks.Section` with the library's Chinese narrative
(:mod:`fiscal_analysis.narrative.sentences`), a formatted table, charts where they help,
computed drivers beside the department's stated reasons, and missing-data or
推算 statements. Sections 六 onwards are in :mod:`fiscal_analysis.report.sections_spending`.

Examples:
    >>> from fiscal_analysis.report.context import open_report
    >>> s = expense_section(open_report("data", "lusong-xzsp", 2020))
    >>> s.paragraphs[0]
    '本年支出合计335.78万元，其中：基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%。'
"""

from __future__ import annotations

from decimal import Decimal  # noqa: F401 (doctests)

import pandas as pd

from fiscal_analysis.charts.figures import budget_actual_chart, structure_chart, waterfall_chart
from fiscal_analysis.metrics.entity import (
    budget_completion,
    change_drivers,
    total_completion,
    yoy_for,
)
from fiscal_analysis.metrics.exact import Change
from fiscal_analysis.metrics.structure import (
    expense_structure,
    function_structure,
    income_structure,
)
from fiscal_analysis.narrative.sentences import (
    completion_sentence,
    general_public_sentence,
    total_sentence,
)
from fiscal_analysis.report.blocks import (
    Section,
    change_rate_words,
    change_words,
    fmt_amount,
    fmt_pct,
    line_name,
    render_chart,
    text_table,
)
from fiscal_analysis.report.context import ReportContext, has_part

__all__ = [
    "expense_section",
    "fiscal_section",
    "general_public_section",
    "income_section",
    "missing_section",
    "overview_section",
    "reasons",
    "title_section",
]


def missing_section(ctx: ReportContext, title: str, part: str, level: int = 2) -> Section:
    """A section that says in words that the year has no figures for ``part``."""
    note = f"{ctx.year}年度数据中没有{part}的数字，本部分不作分析。"
    return Section(title, notes=(note,), level=level)


def reasons(ctx: ReportContext, topic: str, code: str | None = None) -> tuple[str, ...]:
    """The department's stated reasons for ``topic``, verbatim."""
    return ctx.reasons(topic, code)


def title_section(ctx: ReportContext) -> Section:
    """The report heading (department and year), the data basis and coverage."""
    from fiscal_analysis.report.context import coverage_statement

    ent = ctx.ds.entity(ctx.entity_id)
    docs = ctx.ds.documents
    titles = docs.loc[docs["entity_id"] == ctx.entity_id, "title"].tolist()
    paras = [f"单位：{ent['name']}（{ent['region']}，{ent['level']}）。"]
    if titles:
        paras.append("数据来源：" + "；".join(f"《{t}》" for t in titles) + "。")
    paras.append(coverage_statement(ctx))
    return Section(f"{ent['name']}{ctx.year}年度部门决算分析", tuple(paras), level=1)


def _change_rows(ctx: ReportContext, table: str, items: dict[str, str]) -> pd.DataFrame:
    y, decimals = ctx.year, ctx.decimals
    rows = []
    for item, label in items.items():
        now, s_now = ctx.figure(table, item)
        before, s_before = ctx.previous.figure(table, item)
        c = yoy_for(ctx, table, item)
        rows.append({"项目": label, f"{y - 1}年": fmt_amount(before, s_before),
                     f"{y}年": fmt_amount(now, s_now),
                     "增减额": change_words(c),
                     "增减率": change_rate_words(c, decimals)})  # fmt: skip
    return text_table(rows, ["项目", f"{y - 1}年", f"{y}年", "增减额", "增减率"])


def _drivers(ctx: ReportContext, c: Change, table: str, item: str, subject: str):
    """Driver sentences and the waterfall chart for a change on last year."""
    y, decimals = ctx.year, ctx.decimals
    if c.delta is None:
        return ("缺少上年数据，无法分析变动构成。",), ()
    dec = change_drivers(ctx, table, item, "类")
    name = ctx.ds.classification.full_name
    if dec is None or not dec.contributions:
        # No breakdown: a waterfall would show one unexplained step, so the table says it all.
        texts = (
            f"{y - 1}年度没有按功能分类（类）的明细数据，无法计算变动由哪些科目构成；"
            f"{subject}{c.direction}{fmt_amount(abs(c.delta))}。",
        )
        return texts, ()
    points = dec.points_rounded(decimals) or [None] * len(dec.contributions)
    texts = tuple(
        f"{name(k.key)}{'增加' if k.delta > 0 else '减少'}{fmt_amount(abs(k.delta))}"
        + ("" if p is None else f"，影响{subject}变动{fmt_pct(p, decimals)}（百分点）")
        for k, p in zip(dec.contributions, points, strict=True)
        if k.delta != 0
    )
    steps = [(name(k.key), k.delta) for k in dec.contributions if k.delta != 0]
    item = "total" if table == "T05" else "income_grand_total"
    _, basis = ctx.previous.figure(table, item)
    start = f"{y - 1}年" + ("（推算）" if basis == "derived" else "")
    chart = waterfall_chart(
        (start, c.prior), steps, (f"{y}年", c.current), title=f"{subject}变动的构成"
    )
    return texts, (render_chart(chart),)


#: Where a repeated total is shown in full: the first section with the same figures.
SAME_AS_OVERVIEW = "收支总计及其变动与“一、收入支出决算总体情况”相同，变动构成和原因见该部分。"


def same_as_overview(ctx: ReportContext, table: str, item: str) -> bool:
    """Whether ``table``'s figure equals 01表's 收、支总计 in both years (shown once, in 一)."""
    return all(
        ey.amount(table, item) is not None
        and ey.amount(table, item) == ey.amount("T01", "income_grand_total")
        for ey in (ctx, ctx.previous)
    )


def _yoy_section(
    ctx: ReportContext, title: str, table: str, subject: str, topic: str, part: str
) -> Section:
    if not has_part(ctx, part):
        return missing_section(ctx, title, part)
    c = yoy_for(ctx, table, "income_grand_total")
    para = total_sentence(ctx.year, c, ctx.decimals, subject=subject)
    if table != "T01" and same_as_overview(ctx, table, "income_grand_total"):
        return Section(title, (para,), notes=(SAME_AS_OVERVIEW,))
    drivers, charts = _drivers(ctx, c, table, "expense" if table == "T01" else "total", subject)
    items = {"income_grand_total": "收入总计", "expense_grand_total": "支出总计"}
    return Section(title, (para,), _change_rows(ctx, table, items), charts, drivers,
                   reasons(ctx, topic))  # fmt: skip


def overview_section(ctx: ReportContext) -> Section:
    """一、收入支出总体: total, change on last year, what drove it and the stated reasons."""
    return _yoy_section(
        ctx, "一、收入支出决算总体情况", "T01", "收、支总计", "total_change", "收支总计"
    )


def fiscal_section(ctx: ReportContext) -> Section:
    """四、财政拨款收入支出总体: total, change and reasons."""
    return _yoy_section(ctx, "四、财政拨款收入支出决算总体情况", "T04", "财政拨款收、支总计",
                        "fiscal_change", "财政拨款收支总计")  # fmt: skip


def _share_table(ctx: ReportContext, df: pd.DataFrame, head: str) -> pd.DataFrame:
    rows = [
        {head: r["label"], "金额": fmt_amount(r["amount"], r["status"]),
         "占比": fmt_pct(r["share"], ctx.decimals)}
        for _, r in df.iterrows()
    ]  # fmt: skip
    total = df.attrs.get("total")
    rows.append({head: df.attrs.get("total_label", "合计"), "金额": fmt_amount(total), "占比": ""})
    return text_table(rows, [head, "金额", "占比"])


def _donut(df: pd.DataFrame, title: str) -> tuple:
    parts = [(r["label"], r["amount"]) for _, r in df.iterrows() if r["amount"]]
    if len(parts) < 2:  # one part is 100%: a chart adds nothing
        return ()
    return (
        render_chart(structure_chart(parts, title=title, total=df.attrs["total"], kind="donut")),
    )


def income_section(ctx: ReportContext) -> Section:
    """二、收入: structure by source."""
    title = "二、收入决算情况"
    if not has_part(ctx, "收入决算"):
        return missing_section(ctx, title, "收入决算")
    df = income_structure(ctx)
    text = ctx.paragraphs["income"]
    top = df[df["parent"].isna()]
    return Section(title, (text,), _share_table(ctx, df, "收入来源"), _donut(top, "收入构成"))


def expense_section(ctx: ReportContext) -> Section:
    """三、支出: 基本支出 / 项目支出 (and other kinds)."""
    title = "三、支出决算情况"
    if not has_part(ctx, "支出决算"):
        return missing_section(ctx, title, "支出决算")
    df = expense_structure(ctx)
    text = ctx.paragraphs["expense"]
    return Section(title, (text,), _share_table(ctx, df, "支出类型"), _donut(df, "支出构成"))


def _gp_overall(ctx: ReportContext) -> Section:
    title = "（一）一般公共预算财政拨款支出总体情况"
    c = yoy_for(ctx, "T05", "total")
    expense_total, _ = ctx.figure("T03", "total")
    para = general_public_sentence(ctx.year, c, expense_total, ctx.decimals)
    if same_as_overview(ctx, "T05", "total"):
        return Section(title, (para,), notes=(SAME_AS_OVERVIEW,), level=3)
    drivers, charts = _drivers(ctx, c, "T05", "total", "一般公共预算财政拨款支出")
    table = _change_rows(ctx, "T05", {"total": "一般公共预算财政拨款支出"})
    return Section(title, (para,), table, charts, drivers, reasons(ctx, "general_public_change"),
                   level=3)  # fmt: skip


def _gp_structure(ctx: ReportContext) -> Section:
    title = "（二）一般公共预算财政拨款支出结构情况（按功能分类“类”）"
    if not has_part(ctx, "按功能分类的支出结构"):
        return missing_section(ctx, title, "按功能分类（类）的支出", 3)
    df = function_structure(ctx)
    text = ctx.paragraphs["function"]
    rows = [{"科目编码": r.code, "科目名称": r.full_name, "金额": fmt_amount(r.amount, r.status),
             "占比": fmt_pct(r.share, ctx.decimals)} for r in df.itertuples()]  # fmt: skip
    parts = [(r.full_name, r.amount) for r in df.itertuples() if r.amount is not None]
    chart = structure_chart(parts, title="一般公共预算财政拨款支出按类构成",
                            total=df.attrs["total"], decimals=ctx.decimals)  # fmt: skip
    table = text_table(rows, ["科目编码", "科目名称", "金额", "占比"])
    return Section(title, (text,), table, (render_chart(chart),), level=3)


def _gp_items(ctx: ReportContext) -> Section:
    title = "（三）一般公共预算财政拨款支出具体情况（按“项”的预算与决算）"
    y, decimals = ctx.year, ctx.decimals
    overall = total_completion(ctx)
    paras = [completion_sentence(y, overall, decimals)]
    df = budget_completion(ctx)
    rows, bars = [], []
    # One row per 项 with its stated reason: the table is the item-by-item account, so the
    # 情况说明's item sentences are not repeated above it.
    for r in df.itertuples(index=False):
        why = reasons(ctx, "budget_variance", r.code)
        name = line_name(ctx.ds.classification, r.code)
        rows.append({"科目编码": r.code, "科目名称": name, "年初预算": fmt_amount(r.budget),
                     "支出决算": fmt_amount(r.actual),
                     "完成率": fmt_pct(r.rate, decimals, r.reason),
                     "决算与预算": f"决算数{r.direction}年初预算数" if r.direction else "—",
                     "单位说明的原因": "；".join(why) or "未说明"})  # fmt: skip
        bars.append((f"{r.code} {r.name}", r.budget, r.actual))
    notes = () if len(df) else (f"{y}年度数据中没有按“项”的年初预算与决算，无法逐项比较。",)
    charts = ()
    if bars:
        charts = (
            render_chart(
                budget_actual_chart(bars, title="各项年初预算与支出决算", decimals=decimals)
            ),
        )
    cols = [
        "科目编码",
        "科目名称",
        "年初预算",
        "支出决算",
        "完成率",
        "决算与预算",
        "单位说明的原因",
    ]
    table = text_table(rows, cols) if rows else None
    return Section(title, tuple(paras), table, charts, notes=notes, level=3)


def general_public_section(ctx: ReportContext) -> Section:
    """五、一般公共预算: 总体, 结构 by 类, 具体 per 项 with budget vs actual."""
    title = "五、一般公共预算财政拨款支出决算情况"
    if not has_part(ctx, "一般公共预算财政拨款支出"):
        return missing_section(ctx, title, "一般公共预算财政拨款支出")
    subs = (_gp_overall(ctx), _gp_structure(ctx), _gp_items(ctx))
    return Section(title, subsections=subs)
