"""Building blocks of ``notebooks/explore.ipynb``: every entity and year at once.

Multi-year trends per department, a comparison across departments, the PEFA
outturn table and the questions an analyst asks next. Everything returns a
:class:`~fiscal_analysis.report.blocks.Section` (shown with
:func:`~fiscal_analysis.report.blocks.show`). :func:`picker` offers ipywidgets
controls only when ipywidgets is installed; the notebook runs without it.

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> ds = load_dataset("data")
    >>> t = overview_section(ds).table
    >>> t[["年度", "收支总计", "推算数"]].values.tolist()
    [['2019', '662.95万元（推算）', '10/10'], ['2020', '335.78万元', '28/112']]
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from typing import Any

import pandas as pd

from fiscal_analysis.charts.figures import structure_chart, trend_chart
from fiscal_analysis.dataset.model import Dataset, EntityYear
from fiscal_analysis.metrics.exact import share
from fiscal_analysis.metrics.panel import totals_panel
from fiscal_analysis.metrics.pefa import outturn_table
from fiscal_analysis.report.blocks import Section, fmt_amount, fmt_pct, render_chart, text_table
from fiscal_analysis.report.sections_other import TREND_SERIES

__all__ = [
    "comparison_section",
    "overview_section",
    "pefa_section",
    "picker",
    "questions_section",
    "show_picker",
    "trends_section",
    "widgets_available",
]


def _key_figures(ds: Dataset) -> dict[tuple[str, int], dict[str, tuple[Decimal | None, str]]]:
    """(entity, year) → label → (amount, status) of :data:`TREND_SERIES`, from the panel."""
    t = totals_panel(ds, {label: (table, item) for label, table, item in TREND_SERIES}, status=True)
    out: dict[tuple[str, int], dict[str, tuple[Decimal | None, str]]] = {}
    for label, _, _ in TREND_SERIES:
        values, statuses = t[label].tolist(), t[f"{label}_status"].tolist()
        for key, value, status in zip(t.index, values, statuses, strict=True):
            amount = None if value is pd.NA or value is None else value
            out.setdefault((key[0], int(key[1])), {})[label] = (amount, status)
    return out


def overview_section(ds: Dataset) -> Section:
    """One row per entity-year: the key figures and how many are 推算."""
    figures = _key_figures(ds)
    derived = ds.facts.groupby(["entity_id", "year"], observed=True)["basis"]
    counts = {(e, int(y)): (int((b == "derived").sum()), len(b)) for (e, y), b in derived}
    rows = []
    for entity_id, year in ds.pairs():
        row = {"单位标识": entity_id, "单位名称": ds.name(entity_id), "年度": str(year)}
        for label, _, _ in TREND_SERIES:
            row[label] = fmt_amount(*figures[(entity_id, year)][label])
        n_derived, n = counts[(entity_id, year)]
        row["推算数"] = f"{n_derived}/{n}"
        rows.append(row)
    cols = ["单位标识", "单位名称", "年度", *(s[0] for s in TREND_SERIES), "推算数"]
    n = len({e for e, _ in ds.pairs()})
    text = f"数据中共有{n}个单位、{len(rows)}个单位年度。"
    return Section("全部单位与年度", (text,), text_table(rows, cols))


def trends_section(ds: Dataset) -> Section:
    """A multi-year trend chart per department (推算 points hollow)."""
    charts, notes = [], []
    figures = _key_figures(ds)
    for entity_id in sorted({e for e, _ in ds.pairs()}):
        years = ds.years(entity_id)
        if len(years) < 2:
            notes.append(f"{ds.name(entity_id)}只有{years[0]}年度一个年度的数据，无法显示趋势。")
            continue
        series, derived = {}, []
        for label, _, _ in TREND_SERIES:
            points = []
            for y in years:
                value, status = figures[(entity_id, y)][label]
                points.append((y, value))
                if status == "derived":
                    derived.append((label, y))
            if any(v is not None for _, v in points):
                series[label] = points
        chart = trend_chart(series, title=f"{ds.name(entity_id)}主要指标", derived=derived)
        charts.append(render_chart(chart))
    return Section("多年趋势", charts=tuple(charts), notes=tuple(notes))


def comparison_section(ds: Dataset, year: int | None = None) -> Section:
    """收支总计 of every department in one year (default: the latest year)."""
    years = sorted({y for _, y in ds.pairs()})
    year = years[-1] if year is None else year
    parts, rows = [], []
    t = totals_panel(ds, {"grand": ("T01", "income_grand_total"), "basic": ("T03", "basic")},
                     status=True)  # fmt: skip
    for entity_id in sorted({e for e, y in ds.pairs() if y == year}):
        r = t.loc[(entity_id, year)]
        value, status = (None if pd.isna(r["grand"]) else r["grand"]), r["grand_status"]
        basic, s_basic = (None if pd.isna(r["basic"]) else r["basic"]), r["basic_status"]
        rows.append({"单位名称": ds.name(entity_id), "收支总计": fmt_amount(value, status),
                     "基本支出": fmt_amount(basic, s_basic),
                     "基本支出占比": fmt_pct(share(basic, value))})  # fmt: skip
        if value is not None:
            parts.append((ds.name(entity_id), value))
    charts = ()
    if len(parts) >= 2:
        chart = structure_chart(parts, title=f"{year}年度各单位收支总计")
        charts = (render_chart(chart),)
    notes = (
        ()
        if len(parts) >= 2
        else (f"{year}年度只有{len(parts)}个单位有收支总计，暂无可比较的单位。",)
    )
    table = text_table(rows, ["单位名称", "收支总计", "基本支出", "基本支出占比"])
    return Section(f"{year}年度单位间比较", table=table, charts=charts, notes=notes)


def pefa_section(ds: Dataset, decimals: int = 1) -> Section:
    """PEFA PI-1 (aggregate outturn) and PI-2 (composition variance) per entity-year."""
    t = outturn_table(ds)
    rows = [{"单位名称": ds.name(r.entity_id), "年度": str(r.year), "科目数（项）": str(r.n_lines),
             "年初预算": fmt_amount(r.budget), "决算": fmt_amount(r.actual),
             "PI-1 总体执行率": fmt_pct(r.aggregate, decimals, "年初预算为0，无执行率"),
             "PI-1 等级": r.aggregate_band or "—",
             "PI-2 结构偏差": fmt_pct(r.composition, decimals, "无法计算"),
             "PI-2 等级": r.composition_band or "—"} for r in t.itertuples()]  # fmt: skip
    text = (
        "PEFA 预算可靠性：PI-1 = 决算合计 ÷ 年初预算合计（A：95%–105%，B：90%–110%，C：85%–115%）；"
        "PI-2 = Σ|决算 − k·预算| ÷ 决算合计（k = 决算合计 ÷ 预算合计；A <5%，B <10%，C <15%）。"
    )
    notes = () if rows else ("没有同时公开年初预算和决算的“项”，无法计算 PEFA 指标。",)
    cols = list(rows[0]) if rows else ["单位名称", "年度"]
    return Section("PEFA 预算执行与结构偏差", (text,), text_table(rows, cols), notes=notes)


def questions_section(ds: Dataset) -> Section:
    """The questions an analyst asks next, from what the data shows and lacks."""
    qs = []
    for entity_id, year in ds.pairs():
        f = ds.facts_for(entity_id, year)
        name = ds.name(entity_id)
        if (f["basis"] == "derived").all():
            qs.append(f"{name}{year}年度全部为推算数：能否取得该年度的决算公开文件，核实推算结果？")
        if (f["basis"] == "undisclosed").any():
            qs.append(f"{name}{year}年度基本支出的经济分类明细未公开金额：能否取得公开06表？")
        ey = EntityYear(ds, entity_id, year)
        budget, _ = ey.figure("T05", "budget_initial")
        actual, _ = ey.figure("T05", "total")
        if budget and actual and actual > budget:
            qs.append(
                f"{name}{year}年度决算{fmt_amount(actual)}超过年初预算{fmt_amount(budget)}："
                "追加预算从何而来，是否履行了调整程序？"
            )
    qs.append("年初预算为0的科目有多少支出？“在执行过程中细化功能科目”是否说明年初预算编制过粗？")
    qs.append("变动原因是否能由数字印证（例如“项目支出叁佰余万元”）？需要上年的分科目数据。")
    return Section("接下来要问的问题", tuple(f"{i}. {q}" for i, q in enumerate(qs, 1)))


def widgets_available() -> bool:
    """Whether ipywidgets is installed (controls are optional)."""
    return importlib.util.find_spec("ipywidgets") is not None


def show_picker(ds: Dataset) -> Any:
    """The picker ready for display: the widget box, or the note as HTML without ipywidgets."""
    from fiscal_analysis.report.blocks import show

    found = picker(ds)
    return show(found) if isinstance(found, Section) else found


def picker(ds: Dataset) -> Any:
    """An entity/year picker that shows the annual report sections, or a note without ipywidgets.

    Returns an ``ipywidgets`` box when ipywidgets is installed, else a
    :class:`Section` saying how to get the controls.
    """
    if not widgets_available():
        return Section(
            "交互控件",
            notes=("未安装 ipywidgets，交互控件不可用（pip install ipywidgets 后可用）。",),
        )
    import ipywidgets as w  # pragma: no cover - optional dependency
    from IPython.display import display  # pragma: no cover

    from fiscal_analysis.report.blocks import show  # pragma: no cover
    from fiscal_analysis.report.context import ReportContext  # pragma: no cover
    from fiscal_analysis.report.sections_other import all_sections  # pragma: no cover

    pairs = ds.pairs()  # pragma: no cover
    choice = w.Dropdown(
        options=[(f"{ds.name(e)} {y}", (e, y)) for e, y in pairs]
    )  # pragma: no cover
    out = w.Output()  # pragma: no cover

    def update(_change: object = None) -> None:  # pragma: no cover
        out.clear_output()
        with out:
            for s in all_sections(ReportContext(ds, *choice.value)):
                display(show(s))

    choice.observe(update, names="value")  # pragma: no cover
    update()  # pragma: no cover
    return w.VBox([choice, out])  # pragma: no cover
