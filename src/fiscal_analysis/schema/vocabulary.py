"""The column vocabulary of every metric frame, declared once.

A name means the same thing in every frame that has it: in the whole-panel
frames of :mod:`fiscal_analysis.metrics.panel` (``all_metrics``) and in one
entity-year's frames (``metrics.income_structure(ey)`` …). Amounts are in 万元
wherever a user sees them: exact decimals in the panel frames (two decimals, or six
when some amount of the dataset is finer than 0.01万元, i.e. exact to the 分),
:class:`~decimal.Decimal` in the entity-year frames. A rate is its exact
numerator and denominator (``*_num`` / ``*_den``, percent = num / den × 100),
an exact :class:`~fractions.Fraction` percent in the entity-year frames, and a
``*_rounded`` Decimal (四舍五入) for presentation only. The data dictionary
(``data/README.md``) lists this table.

Examples:
    >>> METRIC_COLUMNS["share"].meaning
    '占比：部分 ÷ 整体 × 100（精确分数）'
    >>> sorted(k for k, c in METRIC_COLUMNS.items() if c.unit == "万元")[:4]
    ['actual', 'actual_float', 'amount', 'amount_float']
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FLOAT_VIEWS", "METRIC_COLUMNS", "MetricColumn"]


@dataclass(frozen=True)
class MetricColumn:
    """One column name of the metric frames.

    Attributes:
        name: The column name.
        unit: ``万元``, ``%`` or ``—`` (text, codes, counts).
        meaning: What it holds, in Chinese.
        gloss: The same in English.
    """

    name: str
    unit: str
    meaning: str
    gloss: str


def _columns(*rows: tuple[str, str, str, str]) -> dict[str, MetricColumn]:
    return {name: MetricColumn(name, unit, zh, en) for name, unit, zh, en in rows}


#: Every column name of the metric frames, in the order the dictionary lists them.
METRIC_COLUMNS: dict[str, MetricColumn] = _columns(
    ("entity_id", "—", "单位标识", "entity id"),
    ("entity_name", "—", "单位名称", "entity name"),
    ("year", "—", "决算年度", "fiscal year"),
    ("item", "—", "项目键（见各表的项目）", "item key of a table"),
    ("label", "—", "项目的中文名称", "Chinese label"),
    ("code", "—", "科目编码（功能分类或经济分类）", "classification code"),
    ("name", "—", "科目名称", "name of the code"),
    ("full_name", "—", "带级次的科目名称，如「一般公共服务支出（类）」", "name with its level"),
    ("level", "—", "科目级次：类、款、项", "level of the code"),
    ("group", "—", "经济分类归属：人员经费或公用经费", "personnel or public spending"),
    ("parent", "—", "上级项目键（财政拨款收入的组成部分）", "parent item"),
    ("project", "—", "项目名称", "project name"),
    ("comparison", "—", "比较基准：年初预算或上年决算", "what the figure is compared with"),
    ("status", "—", "数字来源：公开、推算、未公开、缺失", "published/derived/undisclosed/missing"),
    ("derived", "—", "是否推算（status 为 derived）", "whether the figure is derived (推算)"),
    ("amount", "万元", "金额", "an amount"),
    ("whole", "万元", "占比的整体（分母）", "the whole of a share"),
    ("actual", "万元", "决算数", "actual (决算)"),
    ("budget", "万元", "预算数（年初预算，或注明的调整预算）", "budget"),
    ("budget_adjusted", "万元", "调整预算数", "adjusted budget"),
    ("current", "万元", "本年数", "this year's figure"),
    ("prior", "万元", "上年数（同一单位上一年度）", "last year's figure"),
    ("base", "万元", "比较基准的金额（年初预算数或上年决算数）", "the base of a comparison"),
    ("delta", "万元", "增减额：本年（决算）减基准", "change in 万元"),
    ("direction", "—", "方向：增加/减少/持平，或大于/小于/持平", "direction of a change"),
    ("share", "%", "占比：部分 ÷ 整体 × 100（精确分数）", "share, exact percent"),
    ("share_num", "万元", "占比的分子", "numerator of the share"),
    ("share_den", "万元", "占比的分母", "denominator of the share"),
    ("share_rounded", "%", "占比，四舍五入（仅供展示）", "share, rounded half up"),
    ("change", "%", "增减率：增减额 ÷ |基准| × 100（精确分数）", "change, exact percent"),
    ("change_num", "万元", "增减率的分子（增减额）", "numerator of the change"),
    ("change_den", "万元", "增减率的分母（|基准|）", "denominator of the change"),
    ("change_rounded", "%", "增减率，四舍五入（仅供展示）", "change, rounded half up"),
    ("rate", "%", "预算完成率：决算 ÷ 预算 × 100（精确分数）", "completion, exact percent"),
    ("rate_num", "万元", "完成率的分子（决算数）", "numerator of the rate"),
    ("rate_den", "万元", "完成率的分母（预算数）", "denominator of the rate"),
    ("rate_rounded", "%", "预算完成率，四舍五入（仅供展示）", "completion, rounded half up"),
    ("rate_adjusted", "%", "对调整预算的完成率（精确分数）", "completion of the adjusted budget"),
    ("reason", "—", "没有完成率的原因（如预算为0）", "why there is no rate"),
    ("note", "—", "没有增减率的原因（如上年为0或缺少上年数据）", "why there is no change"),
    ("n_lines", "—", "PEFA 计入的“项”数", "lines counted by PEFA"),
    ("aggregate", "%", "PEFA PI-1 总体支出执行率（精确分数）", "PEFA PI-1, exact percent"),
    ("aggregate_num", "—", "PI-1 的分子（决算合计，百分之一万元）", "PI-1 numerator"),
    ("aggregate_den", "—", "PI-1 的分母（预算合计，百分之一万元）", "PI-1 denominator"),
    ("aggregate_rounded", "%", "PI-1，四舍五入", "PI-1, rounded"),
    ("aggregate_band", "—", "PI-1 等级 A–D", "PI-1 band"),
    ("composition", "%", "PEFA PI-2 支出结构偏差（精确分数）", "PEFA PI-2, exact percent"),
    ("composition_num", "—", "PI-2 的分子（精确整数）", "PI-2 numerator"),
    ("composition_den", "—", "PI-2 的分母（精确整数）", "PI-2 denominator"),
    ("composition_rounded", "%", "PI-2，四舍五入", "PI-2, rounded"),
    ("composition_band", "—", "PI-2 等级 A–D", "PI-2 band"),
)

#: Columns with a float view ``<name>_float`` in the tidy frames (``metrics/tidy.py``).
FLOAT_VIEWS = (
    *(
        c
        for c, m in METRIC_COLUMNS.items()
        if m.unit == "万元" and not c.endswith(("_num", "_den"))
    ),
    "share",
    "change",
    "rate",
    "aggregate",
    "composition",
)

METRIC_COLUMNS.update(
    _columns(
        *(
            (
                f"{c}_float",
                METRIC_COLUMNS[c].unit,
                f"{METRIC_COLUMNS[c].meaning.split('：')[0].split('（')[0]}（浮点视图，"
                "仅供作图与描述统计；打印用精确列）",
                f"float view of {c}, for plots and describe only",
            )
            for c in FLOAT_VIEWS
        )
    )
)
