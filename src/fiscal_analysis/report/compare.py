"""Cross-department views of ``notebooks/explore.ipynb``: comparison, rankings, 结转结余, PEFA.

Every view takes a year, or ``None`` for the latest year of each department,
so a department whose last disclosure is 2020 is compared beside one whose last
is 2024. Amounts are printed exactly (万元, 推算 marked); ratios come from
:data:`fiscal_analysis.metrics.compare.RATIOS` (one denominator each, stated
under the table) and are rounded half up only here. :func:`comparison_picker`
gives the interactive controls (year, ratio) with ipywidgets.

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> ds = load_dataset("data")
    >>> s = comparison_section(ds)
    >>> s.title
    '各单位最新年度比较'
    >>> s.table[["单位名称", "年度", "本年支出合计", "基本支出占比"]].values.tolist()
    [['株洲市芦淞区行政审批服务局', '2020', '335.78万元', '56.9%'],
     ['上海市普陀区财政局', '2024', '2940.05万元', '79.5%'],
     ['上海市普陀区规划和自然资源局', '2024', '9759.38万元', '55.1%'],
     ['中共上海市普陀区委社会工作部', '2024', '307.82万元', '34.3%']]
    >>> [r[:4] for r in ranking_section(ds, None, "completion").table.values.tolist()]
    [['1', '株洲市芦淞区行政审批服务局', '2020', '167.6%'],
     ['2', '上海市普陀区财政局', '2024', '98.2%'],
     ['3', '上海市普陀区规划和自然资源局', '2024', '95.5%'],
     ['—', '中共上海市普陀区委社会工作部', '2024', '年初预算数为0，无法计算']]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from fiscal_analysis.charts.figures import structure_chart
from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.metrics.compare import (
    CARRYOVER_FUNDS,
    CROSS_COLUMNS,
    OUTLIER_RULE,
    RATIOS,
    carryover_panel,
    cross_section,
    outliers,
    rank,
    ratio_exact,
)
from fiscal_analysis.metrics.reliability import PEFA_INDICATORS, pefa_indicators
from fiscal_analysis.money import format_number
from fiscal_analysis.report.blocks import Section, fmt_amount, render_chart, text_table

__all__ = [
    "RANKED",
    "carryover_section",
    "comparison_picker",
    "comparison_section",
    "definitions",
    "outlier_section",
    "pefa_indicators_section",
    "ranking_section",
]

#: The ratios offered for ranking, in the order the picker lists them.
RANKED = tuple(RATIOS)


def _scope(year: int | None) -> str:
    return "各单位最新年度" if year is None else f"{year}年度"


def _amount(value: Any, derived: bool = False) -> str:
    if value is None or pd.isna(value):
        return "无数据"
    return fmt_amount(Decimal(str(value)), "derived" if derived else "published")


def _ratio_cell(row: pd.Series, ratio: str, decimals: int) -> str:
    value, why = ratio_exact(row, ratio, decimals)
    if value is None:
        return why
    unit = RATIOS[ratio].unit
    return f"{value:f}%" if unit == "%" else f"{format_number(value)}{unit}"


def definitions() -> str:
    """Every ratio's one definition, as one sentence for under the tables."""
    return "口径：" + "；".join(f"{r.label} = {r.definition}" for r in RATIOS.values()) + "。"


def comparison_section(ds: Dataset, year: int | None = None, decimals: int = 1) -> Section:
    """Every department side by side: totals, 基本/项目 share, completion, change (with prior)."""
    cs = cross_section(ds, year)
    rows, parts = [], []
    for _, r in cs.iterrows():
        rows.append({"单位名称": r["entity_name"], "年度": str(r["year"]),
                     "收入总计": _amount(r["income_grand_total"], r["grand_derived"]),
                     "上年收入总计": _amount(r["grand_prior"], r["prior_derived"]),
                     "收支总计增减率": _ratio_cell(r, "yoy", decimals),
                     "本年支出合计": _amount(r["expense"]),
                     "基本支出占比": _ratio_cell(r, "basic_share", decimals),
                     "项目支出占比": _ratio_cell(r, "project_share", decimals),
                     "预算完成率": _ratio_cell(r, "completion", decimals)})  # fmt: skip
        if not pd.isna(r["expense"]):
            parts.append((r["entity_name"], Decimal(str(r["expense"]))))
    cols = ["单位名称", "年度", "收入总计", "上年收入总计", "收支总计增减率", "本年支出合计",
            "基本支出占比", "项目支出占比", "预算完成率"]  # fmt: skip
    charts = ()
    if len(parts) >= 2:
        charts = (render_chart(structure_chart(parts, title=f"{_scope(year)}各单位本年支出合计")),)
    n = len(cs)
    notes = () if n >= 2 else (f"{_scope(year)}只有{n}个单位有数据，暂无可比较的单位。",)
    text = f"{_scope(year)}共{n}个单位参与比较。{definitions()}"
    return Section(f"{_scope(year)}比较", (text,), text_table(rows, cols), charts, notes=notes)


def ranking_section(
    ds: Dataset, year: int | None = None, ratio: str = "completion", decimals: int = 1
) -> Section:
    """Departments ranked on one ratio (highest first); those without it last, saying why."""
    r = RATIOS[ratio]
    ranked = rank(cross_section(ds, year), ratio)
    rows = [{"名次": "—" if pd.isna(x["rank"]) else str(int(x["rank"])),
             "单位名称": x["entity_name"], "年度": str(x["year"]),
             r.label: _ratio_cell(x, ratio, decimals),
             CROSS_COLUMNS[r.num][0]: _amount(x[r.num]),
             CROSS_COLUMNS[r.den][0]: _amount(x[r.den]) if CROSS_COLUMNS[r.den][1] == "万元"
             else ("无数据" if pd.isna(x[r.den]) else f"{format_number(x[r.den], 0)}人")}
            for _, x in ranked.iterrows()]  # fmt: skip
    cols = ["名次", "单位名称", "年度", r.label, CROSS_COLUMNS[r.num][0], CROSS_COLUMNS[r.den][0]]
    text = f"按{r.label}从高到低排列（{r.label} = {r.definition}）。"
    return Section(f"{_scope(year)}排名：{r.label}", (text,), text_table(rows, cols))


def outlier_section(ds: Dataset, year: int | None = None) -> Section:
    """Departments whose ratio lies outside the stated rule, for every ratio."""
    cs = cross_section(ds, year)
    rows = []
    for ratio, r in RATIOS.items():
        for _, o in outliers(cs, ratio).iterrows():
            row = cs[(cs["entity_id"] == o["entity_id"])].iloc[0]
            rows.append({"指标": r.label, "单位名称": o["entity_name"], "年度": str(o["year"]),
                         "数值": _ratio_cell(row, ratio, 1), "判断": o["side"]})  # fmt: skip
    notes = () if rows else ("没有超出规则界限的数值。",)
    table = text_table(rows, ["指标", "单位名称", "年度", "数值", "判断"]) if rows else None
    return Section(f"{_scope(year)}异常值", (OUTLIER_RULE,), table, notes=notes)


def carryover_section(ds: Dataset, year: int | None = None, decimals: int = 1) -> Section:
    """年初/年末结转和结余 by fund type, and 年末 as a share of 本年支出合计."""
    c = carryover_panel(ds)
    keep = {(e, int(y)) for e, y in cross_section(ds, year)[["entity_id", "year"]].values}
    rows = []
    for _, r in c.iterrows():
        if (r["entity_id"], int(r["year"])) not in keep:
            continue
        derived = r["status"] == "derived"
        share = ratio_exact(
            pd.Series({"carryover_end": r["end"], "expense": r["expense"]}),
            "carryover_share",
            decimals,
        )
        end_share = share[1] if share[0] is None else f"{share[0]:f}%"
        rows.append({"单位名称": ds.name(r["entity_id"]), "年度": str(r["year"]),
                     "资金": CARRYOVER_FUNDS[r["fund"]][0], "年初结转和结余": _amount(r["begin"]),
                     "年末结转和结余": _amount(r["end"], derived),
                     "增减额": _amount(r["delta"]),
                     "年末占本年支出": end_share})  # fmt: skip
    cols = [
        "单位名称",
        "年度",
        "资金",
        "年初结转和结余",
        "年末结转和结余",
        "增减额",
        "年末占本年支出",
    ]
    spec = RATIOS["carryover_share"]
    text = (
        "结转和结余：全部资金取公开01表，财政拨款及其三类取公开04表；"
        f"{spec.label} = {spec.definition}。"
    )
    notes = () if rows else ("数据中没有结转和结余数字。",)
    return Section(f"{_scope(year)}结转结余", (text,), text_table(rows, cols), notes=notes)


def pefa_indicators_section(ds: Dataset, year: int | None = None, decimals: int = 1) -> Section:
    """PI-1, PI-2.1, PI-2.2, PI-3 per department, on the published totals, with the bands."""
    keep = {(e, int(y)) for e, y in cross_section(ds, year)[["entity_id", "year"]].values}
    p = pefa_indicators(ds, decimals)
    p = p[[(e, int(y)) in keep for e, y in zip(p["entity_id"], p["year"], strict=True)]]
    rows = [{"单位名称": r.entity_name, "年度": str(r.year), "指标": f"{r.indicator} {r.label}",
             "数值": f"{r.value:f}%" if r.value is not None else r.note,
             "等级": r.band or "—"} for r in p.itertuples()]  # fmt: skip
    text = "；".join(f"{k} {name}：{d}" for k, (name, d) in PEFA_INDICATORS.items()) + "。"
    return Section(f"{_scope(year)} PEFA 预算可靠性", (text,),
                   text_table(rows, ["单位名称", "年度", "指标", "数值", "等级"]))  # fmt: skip


def comparison_picker(ds: Dataset, decimals: int = 1) -> Any:
    """Interactive controls: a year (or the latest year of each department) and a ratio to rank.

    Shows the comparison, the ranking and the outliers for the choice (a few
    tables, not whole reports).
    """
    import ipywidgets as w
    from IPython.display import display

    from fiscal_analysis.report.blocks import show

    years = sorted({y for _, y in ds.pairs()}, reverse=True)
    year = w.Dropdown(options=[("各单位最新年度", None), *((f"{y}年度", y) for y in years)],
                      description="年度")  # fmt: skip
    ratio = w.Dropdown(options=[(RATIOS[k].label, k) for k in RANKED], value="completion",
                       description="排名指标")  # fmt: skip
    out = w.Output()

    def update(_change: object = None) -> None:
        out.clear_output(wait=True)
        with out:
            for s in (comparison_section(ds, year.value, decimals),
                      ranking_section(ds, year.value, ratio.value, decimals),
                      outlier_section(ds, year.value)):  # fmt: skip
                display(show(s))

    year.observe(update, names="value")
    ratio.observe(update, names="value")
    update()
    return w.VBox([w.HBox([year, ratio]), out])
