"""Building blocks of ``notebooks/explore.ipynb``: every entity and year at once.

Every entity-year at a glance and multi-year trends per department (the
comparison across departments, rankings, 结转结余 and PEFA are in
:mod:`fiscal_analysis.report.compare`), and the questions an analyst asks
next, generated from the data. Everything returns a
:class:`~fiscal_analysis.report.blocks.Section` (shown with
:func:`~fiscal_analysis.report.blocks.show`).

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> ds = load_dataset("data")
    >>> t = overview_section(ds).table
    >>> t[["单位标识", "年度", "收支总计", "推算数"]].values.tolist()[:4]
    [['lusong-xzsp', '2019', '662.95万元（推算）', '10/10'],
     ['lusong-xzsp', '2020', '335.78万元', '28/112'],
     ['putuo-czj', '2023', '3052.34万元（推算）', '8/8'],
     ['putuo-czj', '2024', '2995.39万元', '8/435']]
    >>> t["公开表"].tolist()[:4]
    ['无该年度文件', '文件中没有：01、02、03、04、05、06、07表', '无该年度文件', '—']
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from fiscal_analysis.charts.figures import trend_chart
from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.metrics.compare import RATIOS, cross_section, outliers, ratio_exact
from fiscal_analysis.metrics.panel import all_metrics, totals_panel
from fiscal_analysis.report.blocks import Section, fmt_amount, render_chart, text_table
from fiscal_analysis.report.sections_other import TREND_SERIES

__all__ = [
    "overview_section",
    "questions_section",
    "tables_note",
    "trends_section",
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


#: How the overview names a 公开表 that holds no figures of its own: *not in the document*
#: (the department did not publish it there) is not *could not be read* (the tool's limit).
_NOT_READ = {"absent": "文件中没有", "unreadable": "文件中有但未能读出"}


def tables_note(statuses: dict[str, str]) -> str:
    """Which 公开表 the document lacks and which the tool could not read, or ``—``.

    Examples:
        >>> tables_note({"T01": "published", "T06": "unreadable", "T08": "absent", "T09": "absent"})
        '文件中没有：08、09表；文件中有但未能读出：06表'
        >>> tables_note({"T01": "published", "T08": "empty"})
        '—'
    """
    parts = []
    for status, words in _NOT_READ.items():
        tables = sorted(t[1:] for t, s in statuses.items() if s == status)
        if tables:
            parts.append(f"{words}：{'、'.join(tables)}表")
    return "；".join(parts) or "—"


def overview_section(ds: Dataset) -> Section:
    """One row per entity-year: the key figures, how many are 推算, and the tables not read.

    The last column tells a table the document does not hold (文件中没有) from one it
    holds but the tool could not read (文件中有但未能读出): only the first is unpublished.
    """
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
        statuses = ds.entity_year(entity_id, year).table_statuses
        row["公开表"] = "无该年度文件" if n_derived == n else tables_note(statuses)
        rows.append(row)
    cols = ["单位标识", "单位名称", "年度", *(s[0] for s in TREND_SERIES), "推算数", "公开表"]
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


def questions_section(ds: Dataset, year: int | None = None) -> Section:
    """The questions an analyst asks next, generated from what the data shows and lacks.

    Nothing here is about one dataset: every question comes from a figure (or a
    missing one) of the entity-years compared (``year``, or each department's latest).
    """
    qs = []
    cs = cross_section(ds, year)
    lines = all_metrics(ds)["completion"]
    for _, r in cs.iterrows():
        entity_id, y, name = r["entity_id"], int(r["year"]), r["entity_name"]
        f = ds.facts_for(entity_id, y)
        if (f["basis"] == "derived").all():
            qs.append(f"{name}{y}年度全部为推算数：能否取得该年度的决算公开文件，核实推算结果？")
        if (f["basis"] == "undisclosed").any():
            qs.append(f"{name}{y}年度有未公开金额的数字：能否取得完整的公开表？")
        statuses = ds.entity_year(entity_id, y).table_statuses
        unread = sorted(t[1:] for t, s in statuses.items() if s == "unreadable")
        if unread:
            qs.append(f"{name}{y}年度的{'、'.join(unread)}表在公开文件中，但未能读出数字"
                      "（不是单位未公开）：请对照原文补录或核对。")  # fmt: skip
        rate, _ = ratio_exact(r, "completion")
        if rate is not None and rate > 100:
            qs.append(f"{name}{y}年度一般公共预算财政拨款支出决算{fmt_amount(_dec(r['gp_total']))}"
                      f"超过年初预算{fmt_amount(_dec(r['gp_budget_initial']))}（完成{rate:f}%）："
                      "追加预算从何而来，是否履行了调整程序？")  # fmt: skip
        elif rate is not None and rate < 90:
            qs.append(f"{name}{y}年度只完成年初预算的{rate:f}%：哪些项目未执行，资金是否结转？")
        mine = lines[(lines["entity_id"] == entity_id) & (lines["year"] == y)]
        zero = mine[(mine["budget"] == 0) & (mine["actual"] > 0)]
        if len(zero):
            total = sum((_dec(v) for v in zero["actual"]), Decimal(0))
            qs.append(f"{name}{y}年度有{len(zero)}个“项”年初预算为0、决算共{fmt_amount(total)}："
                      "是在执行中细化了功能科目，还是年初预算编制过粗？")  # fmt: skip
        change, _ = ratio_exact(r, "yoy")
        if change is not None and abs(change) >= 20:
            qs.append(f"{name}{y}年度收入总计比上年变动{change:f}%："
                      "情况说明给出的主要原因能否由分科目数字印证？")  # fmt: skip
        share, _ = ratio_exact(r, "carryover_share")
        if share is not None and share >= 20:
            qs.append(f"{name}{y}年度年末结转和结余相当于本年支出的{share:f}%：资金为何沉淀？")
    for ratio, spec in RATIOS.items():
        for _, o in outliers(cs, ratio).iterrows():
            qs.append(f"{o['entity_name']}{o['year']}年度{spec.label}{o['side']}（超出比较规则界限）："
                      "原因是什么？")  # fmt: skip
    if not qs:
        qs.append("数据中没有需要追问的异常。")
    return Section("接下来要问的问题", tuple(f"{i}. {q}" for i, q in enumerate(qs, 1)))


def _dec(value: object) -> Decimal:
    return Decimal(str(value))
