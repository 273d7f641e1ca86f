"""Report section 十一 (机关运行经费, 政府采购, 国有资产), the multi-year trend,
the data notes (推算 figures, missing parts), the 数据核对 results and :func:`all_sections`.

Examples:
    >>> from fiscal_analysis.report.context import open_report
    >>> ctx = open_report("data", "lusong-xzsp", 2020)
    >>> [s.title for s in all_sections(ctx)][:2]
    ['株洲市芦淞区行政审批服务局2020年度部门决算分析', '一、收入支出决算总体情况']
"""

from __future__ import annotations

from collections.abc import Callable

from fiscal_analysis.charts.figures import budget_actual_chart, structure_chart, trend_chart
from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.metrics.entity import ops_cost, procurement
from fiscal_analysis.metrics.exact import change
from fiscal_analysis.money import format_number, to_decimal
from fiscal_analysis.narrative.topics import ops_cost_sentence
from fiscal_analysis.report.blocks import Section, fmt_amount, fmt_pct, render_chart, text_table
from fiscal_analysis.report.context import ReportContext, has_part, missing_parts
from fiscal_analysis.report.review import COLUMNS as CHECK_COLUMNS
from fiscal_analysis.report.sections_accounts import (
    change_rate_words,
    change_words,
    expense_section,
    fiscal_section,
    general_public_section,
    income_section,
    missing_section,
    overview_section,
    reasons,
    title_section,
)
from fiscal_analysis.report.sections_spending import (
    basic_section,
    funds_section,
    performance_section,
    three_public_section,
)
from fiscal_analysis.schema.items import TABLES

__all__ = [
    "ANNUAL_SECTIONS",
    "TREND_SERIES",
    "all_sections",
    "assets_section",
    "data_check_section",
    "data_notes_section",
    "ops_cost_section",
    "other_section",
    "procurement_section",
    "trend_section",
]

#: Figures shown in the multi-year trend: (label, table, item).
TREND_SERIES: tuple[tuple[str, str, str], ...] = (
    ("收支总计", "T01", "income_grand_total"),
    ("一般公共预算财政拨款支出", "T05", "total"),
    ("机关运行经费", "ops_cost", "actual"),
)


def ops_cost_section(ctx: ReportContext) -> Section:
    """（一）机关运行经费 against 年初预算 and last year, with the stated reasons."""
    title = "（一）机关运行经费"
    if not has_part(ctx, "机关运行经费"):
        return missing_section(ctx, title, "机关运行经费", 3)
    y, decimals = ctx.year, ctx.decimals
    actual, s_actual = ctx.figure("ops_cost", "actual")
    budget, s_budget = ctx.figure("ops_cost", "budget_initial")
    prior, s_prior = ctx.previous.figure("ops_cost", "actual")
    vs_budget = change(actual, budget, base_label="年初预算")
    vs_prior = change(actual, prior)
    text = ops_cost_sentence(y, vs_budget, vs_prior, decimals)
    df = ops_cost(ctx)
    statuses = {"年初预算": s_budget, "上年决算": s_prior}
    rows = [{"比较基准": r.comparison, "基准数": fmt_amount(r.base, statuses[r.comparison]),
             f"{y}年决算数": fmt_amount(r.actual, s_actual),
             "增减额": change_words(c), "增减率": change_rate_words(c, decimals)}
            for r, c in zip(df.itertuples(), (vs_budget, vs_prior), strict=True)]  # fmt: skip
    bars = [("机关运行经费", budget, actual)] if budget is not None else []
    charts = ()
    if bars:
        chart = budget_actual_chart(bars, title="机关运行经费年初预算与决算", decimals=decimals)
        charts = (render_chart(chart),)
    drivers = tuple(
        f"比{base}{change_words(c)}（{change_rate_words(c, decimals)}）"
        for base, c in (("年初预算数", vs_budget), ("上年决算数", vs_prior))
        if c.delta is not None
    )
    why = reasons(ctx, "ops_cost_budget") + reasons(ctx, "ops_cost_change")
    cols = ["比较基准", "基准数", f"{y}年决算数", "增减额", "增减率"]
    table = text_table(rows, cols)
    why = tuple(dict.fromkeys(why))  # the same reason given for both comparisons: show it once
    return Section(title, (text,), table, charts, drivers, why, level=3)


def procurement_section(ctx: ReportContext) -> Section:
    """（二）政府采购: goods / works / services and the share to 中小企业."""
    title = "（二）政府采购"
    if not has_part(ctx, "政府采购"):
        return missing_section(ctx, title, "政府采购", 3)
    text = ctx.paragraphs["procurement"]
    df = procurement(ctx)
    rows = [{"项目": r.label, "金额": fmt_amount(r.amount, r.status),
             "占采购总额": fmt_pct(r.share, ctx.decimals)} for r in df.itertuples()]  # fmt: skip
    rows.append(
        {"项目": df.attrs["total_label"], "金额": fmt_amount(df.attrs["total"]), "占采购总额": ""}
    )
    kinds = df[df["item"].isin(["goods", "works", "services"])]
    parts = [(r.label, r.amount) for r in kinds.itertuples() if r.amount is not None]
    charts = ()
    if sum(1 for _, a in parts if a) >= 2:
        chart = structure_chart(parts, title="政府采购支出构成", total=df.attrs["total"],
                                decimals=ctx.decimals)  # fmt: skip
        charts = (render_chart(chart),)
    table = text_table(rows, ["项目", "金额", "占采购总额"])
    return Section(title, (text,), table, charts, level=3)


def assets_section(ctx: ReportContext) -> Section:
    """（三）国有资产占用: vehicles and large equipment, as counted."""
    title = "（三）国有资产占用"
    if not has_part(ctx, "国有资产占用"):
        return missing_section(ctx, title, "国有资产占用", 3)
    rows, shown = [], []
    for key, item in TABLES["assets"].items.items():
        value, status = ctx.figure("assets", key)
        if status == "missing":
            continue
        count = "未公开" if value is None else f"{format_number(value)}{item.unit}"
        rows.append({"项目": item.label, "数量": count})
        shown.append(f"{item.label}{count}")
    text = f"截至{ctx.year}年12月31日，" + "；".join(shown) + "。"
    return Section(title, (text,), text_table(rows, ["项目", "数量"]), level=3)


def other_section(ctx: ReportContext) -> Section:
    """十一、其他重要事项: 机关运行经费, 政府采购 and 国有资产."""
    subs = (ops_cost_section(ctx), procurement_section(ctx), assets_section(ctx))
    return Section("十一、其他重要事项", subsections=subs)


def trend_section(ctx: ReportContext) -> Section:
    """多年趋势: key figures over every year of the department; 推算 points marked."""
    title = "多年趋势"
    years = [y for y in ctx.years if y <= ctx.year]
    if len(years) < 2:
        return Section(title, notes=(f"只有{ctx.year}年度一个年度的数据，无法显示多年趋势。",))
    series, derived, rows = {}, [], []
    for label, table, item in TREND_SERIES:
        points, row = [], {"项目": label}
        for y in years:
            value, status = EntityYear(ctx.ds, ctx.entity_id, y).figure(table, item)
            points.append((y, value))
            row[f"{y}年"] = fmt_amount(value, status)
            if status == "derived":
                derived.append((label, y))
        if any(v is not None for _, v in points):
            series[label] = points
            rows.append(row)
    chart = trend_chart(series, title="主要指标的多年变化", derived=derived)
    table = text_table(rows, ["项目", *(f"{y}年" for y in years)])
    notes = ("空心点和标注“推算”的数字由其他年度公开的数字推算。",) if derived else ()
    return Section(title, table=table, charts=(render_chart(chart),), notes=notes)


def data_notes_section(ctx: ReportContext) -> Section:
    """数据说明: every 推算 figure with its formula, and the parts without data."""
    derived = ctx.ds.derived_items(ctx.entity_id, ctx.year)
    rows = []
    for r in derived.itertuples():
        spec = TABLES[r.table]
        value = None if r.value is None or str(r.value) == "<NA>" else to_decimal(int(r.value))
        unit = spec.items[r.item].unit
        shown = "—" if value is None else f"{format_number(value)}{unit}"
        rows.append({"表": spec.title, "科目编码": r.code, "项目": spec.items[r.item].label,
                     "推算数": shown, "推算式": r.note})  # fmt: skip
    missing = missing_parts(ctx)
    paras = [f"{ctx.year}年度共有{len(rows)}个推算数，均在上文标注“推算”。"] if rows else []
    if missing:
        paras.append(f"{ctx.year}年度缺少以下内容的数据：" + "、".join(missing) + "。")
    table = text_table(rows, ["表", "科目编码", "项目", "推算数", "推算式"]) if rows else None
    return Section("数据说明", tuple(paras), table)


def data_check_section(ctx: ReportContext) -> Section:
    """数据核对: the reconciliation checks (勾稽关系) on this year's figures.

    The summary sentence of :func:`fiscal_analysis.report.review.review_section`, the
    counts (相符 / 取整误差 / 需要注意 / 错误 / 未能核对), the differences
    found (errors first) and, in a subsection, the rules that could not be
    applied for lack of figures.

    Examples:
        >>> from fiscal_analysis.report.context import open_report
        >>> s = data_check_section(open_report("data", "lusong-xzsp", 2020))
        >>> s.paragraphs[0]
        '按勾稽关系规则核对 132 项：132 项相符；未发现错误。另有 21 项因缺少所需数字未能核对。'
        >>> for part in s.paragraphs[1].split("，"):
        ...     print(part)
        核对结果：相符 132 项
        差异在取整误差以内 0 项（提示
        不是错误）
        需要注意 0 项
        错误 0 项
        因缺少所需数字未能核对 21 项
        共 153 项。
    """
    review = ctx.review
    c = review.counts
    counts = (
        f"核对结果：相符 {c['pass']} 项，差异在取整误差以内 {c['info']} 项（提示，不是错误），"
        f"需要注意 {c['warning']} 项，错误 {c['error']} 项，"
        f"因缺少所需数字未能核对 {c['not_applicable']} 项，共 {c['total']} 项。"
    )
    table = review.table
    failed = table[table["结果"] != "不适用"]
    skipped = table.loc[table["结果"] == "不适用", ["规则", "说明"]]
    notes = () if len(failed) else ("各项可核对的勾稽关系均相符，没有需要列出的差异。",)
    subs = ()
    if len(skipped):
        subs = (Section("未能核对的规则", table=skipped.reset_index(drop=True), level=3),)
    failed = failed[CHECK_COLUMNS].reset_index(drop=True) if len(failed) else None
    return Section("数据核对", (review.summary, counts), failed, notes=notes, subsections=subs)


#: The annual report's sections, in the order of the 情况说明.
ANNUAL_SECTIONS: tuple[Callable[[ReportContext], Section], ...] = (
    title_section,
    overview_section,
    income_section,
    expense_section,
    fiscal_section,
    general_public_section,
    basic_section,
    three_public_section,
    funds_section,
    performance_section,
    other_section,
    trend_section,
    data_notes_section,
    data_check_section,
)


def all_sections(ctx: ReportContext) -> list[Section]:
    """Every section of the annual report, in order."""
    return [build(ctx) for build in ANNUAL_SECTIONS]
