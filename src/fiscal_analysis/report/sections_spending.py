"""Report sections 六 to 十: basic spending, “三公”经费, funds, projects and performance.

Same conventions as :mod:`fiscal_analysis.report.sections_accounts`; section 十一, the
multi-year trend and the data notes are in :mod:`fiscal_analysis.report.sections_other`.

Examples:
    >>> from fiscal_analysis.report.context import open_report
    >>> funds_section(open_report("data", "lusong-xzsp", 2020)).paragraphs
    ('本年度无政府性基金预算财政拨款收支。', '本年度无国有资本经营预算财政拨款收支。')
"""

from __future__ import annotations

from decimal import Decimal

from fiscal_analysis.charts.figures import structure_chart
from fiscal_analysis.metrics.entity import three_public
from fiscal_analysis.metrics.exact import change, share
from fiscal_analysis.metrics.structure import basic_structure, economic_structure
from fiscal_analysis.money import format_amount, format_number, to_decimal
from fiscal_analysis.report.blocks import (
    Section,
    change_words,
    fmt_amount,
    fmt_pct,
    render_chart,
    text_table,
)
from fiscal_analysis.report.context import ReportContext, has_part
from fiscal_analysis.report.sections_accounts import missing_section
from fiscal_analysis.schema.items import TABLES

__all__ = [
    "basic_section",
    "funds_section",
    "performance_section",
    "three_public_section",
]


def _count(value: Decimal | None, unit: str) -> str:
    return "无数据" if value is None else f"{format_number(value)}{unit}"


def basic_section(ctx: ReportContext) -> Section:
    """六、基本支出: 人员经费 / 公用经费 and the 经济分类 lines."""
    title = "六、一般公共预算财政拨款基本支出决算情况"
    if not has_part(ctx, "基本支出（人员经费、公用经费）"):
        return missing_section(ctx, title, "基本支出（人员经费、公用经费）")
    text = ctx.paragraphs["basic"]
    df = basic_structure(ctx)
    parts = [(r.label, r.amount) for r in df.itertuples() if r.amount]
    charts = ()
    if len(parts) >= 2:
        chart = structure_chart(parts, title="基本支出构成", total=df.attrs["total"], kind="donut")
        charts = (render_chart(chart),)
    econ = economic_structure(ctx)
    hidden = int(sum(1 for r in econ.itertuples() if r.status == "undisclosed"))
    if hidden == len(econ):  # only names: the totals say all there is; the names go in a note
        econ = econ.iloc[0:0]
    rows = [{"经济分类科目": r.code, "科目名称": r.name, "类别": r.group,
             "金额": fmt_amount(r.amount, r.status), "占基本支出": fmt_pct(r.share, ctx.decimals)}
            for r in econ.itertuples()]  # fmt: skip
    rows += [{"经济分类科目": "", "科目名称": f"{r.label}合计", "类别": r.label,
              "金额": fmt_amount(r.amount, r.status), "占基本支出": fmt_pct(r.share, ctx.decimals)}
             for r in df.itertuples()]  # fmt: skip
    notes: tuple[str, ...] = ()
    if hidden:
        notes = (f"{hidden}个经济分类科目只列出了名称，未公开金额，无法分析其构成。",)
    if ctx.table_statuses.get("T06") == "unreadable":
        notes += (
            "06表在公开文件中，但本工具未能读出其经济分类明细（不是单位未公开），"
            "此处只列人员经费与公用经费合计；明细请查阅原文。",
        )
    table = text_table(rows, ["经济分类科目", "科目名称", "类别", "金额", "占基本支出"])
    return Section(title, (text,), table, charts, notes=notes)


def three_public_section(ctx: ReportContext) -> Section:
    """七、“三公”经费: budget, actual, change, counts; no chart when all are zero."""
    title = "七、一般公共预算财政拨款“三公”经费支出决算情况"
    if not has_part(ctx, "“三公”经费"):
        return missing_section(ctx, title, "“三公”经费")
    df = three_public(ctx)
    total_row = df[df["item"] == "total"].iloc[0]
    text = ctx.paragraphs["three_public"]
    if total_row["budget"] is None:  # the sentence would print the budget as a dash
        c = change(total_row["actual"], total_row["prior"])
        text = (
            f"{ctx.year}年度“三公”经费财政拨款支出决算为{fmt_amount(total_row['actual'])}，"
            f"预算数无数据，无法计算完成率；{c.note or change_words(c)}。"
        )
    rows = []
    for r in df.itertuples():
        c = change(r.actual, r.prior)
        rate = fmt_pct(r.rate, ctx.decimals, r.reason or "—")
        rows.append({"项目": r.label, "预算数": fmt_amount(r.budget),
                     "决算数": fmt_amount(r.actual, r.status), "完成预算": rate,
                     "上年决算数": fmt_amount(r.prior), "与上年相比": change_words(c)})  # fmt: skip
    counts = TABLES["three_public_counts"].items
    shown = []
    for key, item in counts.items():
        value, _ = ctx.figure("three_public_counts", key)
        if value is not None:
            shown.append(f"{item.label}{_count(value, item.unit)}")
    paras = (text, "；".join(shown) + "。") if shown else (text,)
    cols = ["项目", "预算数", "决算数", "完成预算", "上年决算数", "与上年相比"]
    return Section(title, paras, text_table(rows, cols))


def funds_section(ctx: ReportContext) -> Section:
    """八、政府性基金 and 九、国有资本经营: the amounts, or in words that there are none."""
    title = "八、九、政府性基金预算与国有资本经营预算财政拨款收支情况"
    paras, notes = [], []
    for part, table, name in (
        ("政府性基金预算财政拨款", "T08", "政府性基金预算财政拨款收支"),
        ("国有资本经营预算财政拨款", "T09", "国有资本经营预算财政拨款收支"),
    ):
        if not has_part(ctx, part):
            notes.append(f"{ctx.year}年度数据中没有{name}的数字，无法判断是否有此类收支。")
            continue
        income, _ = ctx.figure(table, "income")
        expense, _ = ctx.figure(table, "expense")
        empty = ctx.ds.table_status(ctx.entity_id, ctx.year, table) == "empty"
        if empty or (not income and not expense):
            paras.append(f"本年度无{name}。")
        else:
            shown = [f"{w}{fmt_amount(v)}" for w, v in (("收入", income), ("支出", expense)) if v]
            paras.append(f"{ctx.year}年度{name.removesuffix('收支')}" + "，".join(shown) + "。")
    return Section(title, tuple(paras), notes=tuple(notes))


def performance_section(ctx: ReportContext) -> Section:
    """十、预算绩效: project spending per project and the stated performance indicators."""
    title = "十、项目支出与预算绩效情况"
    if not has_part(ctx, "项目支出（绩效）"):
        return missing_section(ctx, title, "项目支出（绩效）")
    proj = ctx.ds.projects_for(ctx.entity_id, ctx.year)
    amounts = [to_decimal(int(v)) for v in proj["value"]]
    total = sum(amounts, Decimal(0))
    listed = "、".join(
        f"{p}{format_amount(a)}" for p, a in zip(proj["project"], amounts, strict=True)
    )
    text = f"{ctx.year}年度共{len(proj)}个项目：{listed}，合计{format_amount(total)}"
    project, _ = ctx.figure("T03", "project")
    if project is not None:
        same = total == project
        text += (
            "，与支出决算的项目支出一致" if same else f"，与项目支出{format_amount(project)}不一致"
        )
    rows = [{"项目": p, "支出": fmt_amount(a, b),
             "占项目支出": fmt_pct(share(a, project), ctx.decimals)}
            for p, a, b in zip(proj["project"], amounts, proj["basis"], strict=True)]  # fmt: skip
    parts = list(zip(proj["project"], amounts, strict=True))
    chart = structure_chart(parts, title="项目支出构成", total=project, decimals=ctx.decimals)
    ind = ctx.ds.indicators_for(ctx.entity_id, ctx.year)
    sub = ()
    if not ind.empty:
        irows = []
        for r in ind.itertuples():
            v, q = format_number(to_decimal(int(r.value))), r.qualifier or ""
            shown = f"第{v}{r.unit}" if q == "第" else f"{v}{q}{r.unit}"
            irows.append({"指标": r.indicator, "数值": shown, "出处": r.section})
        sub = (
            Section(
                "绩效自评报告中的产出与效果指标",
                table=text_table(irows, ["指标", "数值", "出处"]),
                level=3,
            ),
        )
    table = text_table(rows, ["项目", "支出", "占项目支出"])
    return Section(title, (text + "。",), table, (render_chart(chart),), subsections=sub)
