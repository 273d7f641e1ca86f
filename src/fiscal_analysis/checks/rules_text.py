"""Rules on the figures of the 情况说明 parts held in the dataset.

These compare figures the dataset records from the narrative (机关运行经费,
政府采购, “三公” counts) with the tables or with each other: reference §4.2
X-13 and X-15 and §4.3 N-9 and N-12. Rules that need the printed wording
(percentages, verbs, names) are text checks run on the document itself by
``check_narrative`` (see :func:`fiscal_analysis.checks.run_checks`).
"""

from __future__ import annotations

from fiscal_analysis.checks.engine import Context, register
from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.money import amount_text

__all__: list[str] = []

_COUNTS = (
    "abroad_groups",
    "abroad_persons",
    "vehicles_purchased",
    "vehicles_held",
    "reception_batches",
    "reception_persons",
)
#: (T07 决算 item, count item, what) pairs that should agree on zero / non-zero.
_SPEND_COUNTS = (
    ("abroad_actual", "abroad_groups", "因公出国（境）"),
    ("vehicle_purchase_actual", "vehicles_purchased", "公务用车购置"),
    ("reception_actual", "reception_batches", "国内公务接待"),
)


@register(
    "X-13",
    "机关运行经费不超过06表公用经费合计",
    severity="error",
    reference="reference §4.2 X-13; §4.3 N-11",
    inputs=("ops_cost.actual", "T06.public_total"),
    group="text",
)
def x_13(ctx: Context) -> list[Finding]:
    left, right = ctx.term("ops_cost", "actual"), ctx.term("T06", "public_total")
    if left[1] is None and right[1] is None:
        return []
    found = ctx.at_most(left, right, "机关运行经费不超过06表公用经费合计")
    if found.status == "pass" and left[1] < right[1]:
        note = "（部门含非参公事业单位时机关运行经费小于公用经费属正常）"
        return [ctx.result("pass", found.message + note, found.figures, tolerance=found.tolerance)]
    return [found]


@register(
    "X-15",
    "07表“三公”经费决算合计为0时，须逐项说明为0或说明无“三公”经费支出",
    severity="warning",
    reference="reference §4.2 X-15",
    inputs=("T07.total_actual", "T07.abroad_actual", "T07.vehicle_actual", "T07.reception_actual"),
    group="text",
)
def x_15(ctx: Context) -> list[Finding]:
    total = ctx.get("T07", "total_actual")
    if total is None:
        return []
    figures = {ctx.label("T07", "total_actual"): amount_text(total)}
    if total != 0:
        msg = "07表“三公”经费决算合计不为0，本规则（合计为0时的说明）不适用。"
        return [ctx.result("not_applicable", msg, figures)]
    terms = [ctx.term("T07", f"{p}_actual") for p in ("abroad", "vehicle", "reception")]
    figures |= {label: amount_text(v) for label, v in terms}
    gaps = [label for label, v in terms if v is None]
    if gaps:
        msg = (
            f"“三公”经费决算合计为0，但数据中没有{'、'.join(gaps)}；"
            "说明中应写明无“三公”经费财政拨款支出或逐项列示为0。"
        )
        return [ctx.result("fail", msg, figures)]
    return [ctx.result("pass", "“三公”经费决算合计为0，各项均列示为0，相符。", figures)]


@register(
    "N-9",
    "“三公”经费说明：团组/人次、车辆购置数与保有量、接待批次/人次须公开，购置费与运行费须分别公开",
    severity="warning",
    reference="reference §4.3 N-9; §5.2",
    inputs=("three_public_counts.*", "T07.vehicle_purchase_actual", "T07.vehicle_operation_actual"),
    group="text",
)
def n_9(ctx: Context) -> list[Finding]:
    if not any(t == "T07" and v is not None for (t, _c, _i), v in ctx.values.items()):
        return []
    if not ctx.has_document:
        msg = (
            "数据中没有该年度的决算文件（数字由其他年度推算），无法判断“三公”经费相关数量是否公开。"
        )
        return [ctx.result("not_applicable", msg)]
    out = []
    counts = [ctx.term("three_public_counts", k) for k in _COUNTS]
    figures = {label: amount_text(v) for label, v in counts}
    gaps = [label for label, v in counts if v is None]
    total = ctx.get("T07", "total_actual")
    if gaps and total == 0:
        msg = (
            "“三公”经费决算为0：模板只要求写明无“三公”经费财政拨款支出，"
            f"不要求列示{'、'.join(gaps)}。"
        )
        out.append(ctx.result("pass", msg, figures))
    elif gaps:
        msg = f"“三公”经费说明缺少{'、'.join(gaps)}；请核对原文，未公开的应补充公开。"
        out.append(ctx.result("fail", msg, figures))
    else:
        out.append(
            ctx.result(
                "pass", "“三公”经费相关数量（团组、人次、车辆、接待批次）均已公开。", figures
            )
        )
    split = [ctx.term("T07", k) for k in ("vehicle_purchase_actual", "vehicle_operation_actual")]
    figures = {label: amount_text(v) for label, v in split}
    gaps = [label for label, v in split if v is None]
    if gaps:
        msg = f"公务用车购置及运行费未分别公开：缺少{'、'.join(gaps)}（须公开金额或写明未发生）。"
        out.append(ctx.result("fail", msg, figures))
    else:
        out.append(ctx.result("pass", "公务用车购置费与运行费已分别公开。", figures))
    for spend_key, count_key, what in _SPEND_COUNTS:
        spend, count = ctx.term("T07", spend_key), ctx.term("three_public_counts", count_key)
        if spend[1] is None or count[1] is None:
            continue
        figures = {spend[0]: amount_text(spend[1]), count[0]: amount_text(count[1])}
        if (spend[1] > 0) != (count[1] > 0):
            msg = (
                f"{what}支出 {amount_text(spend[1])}万元 与数量 {amount_text(count[1])} "
                "不一致（一为0一不为0），请核对。"
            )
            out.append(ctx.result("fail", msg, figures))
        else:
            out.append(ctx.result("pass", f"{what}支出与数量一致（同为0或同不为0）。", figures))
    return out


@register(
    "N-12",
    "政府采购：货物 + 工程 + 服务 = 总额；授予中小企业 ≤ 总额；其中小微企业 ≤ 中小企业",
    severity="error",
    reference="reference §4.3 N-12",
    inputs=(
        "procurement.total",
        "procurement.goods",
        "procurement.works",
        "procurement.services",
        "procurement.sme",
        "procurement.micro",
    ),
    group="text",
)
def n_12(ctx: Context) -> list[Finding]:
    out = []
    total = ctx.term("procurement", "total")
    parts = [ctx.term("procurement", k) for k in ("goods", "works", "services")]
    if total[1] is not None or any(v is not None for _, v in parts):
        out.append(ctx.equation(total, parts, "政府采购货物、工程、服务之和等于总额"))
    sme, micro = ctx.term("procurement", "sme"), ctx.term("procurement", "micro")
    if sme[1] is not None:
        out.append(ctx.at_most(sme, total, "授予中小企业合同金额不超过政府采购总额"))
    if micro[1] is not None:
        out.append(ctx.at_most(micro, sme, "授予小微企业合同金额不超过授予中小企业合同金额"))
    return out
