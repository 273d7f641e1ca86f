"""Cross-department analysis: one row per department, rankings, outlier flags, 结转结余.

:func:`cross_section` puts every department side by side, for one year or for
the latest year of each department: exact 万元 amounts (Arrow decimals) and,
for every ratio of :data:`RATIOS`, a float view ``<ratio>_float`` for ranking
and plotting. Each ratio has **one** numerator and **one** denominator,
declared here and used everywhere (the report divides the same way): a share
of spending divides by 本年支出合计 (公开03表), the completion rate is
一般公共预算财政拨款支出决算 ÷ 年初预算数 (公开05表), a change divides by
|上年数|. A zero or missing base gives no ratio (``NaN`` in the float view;
:func:`ratio_exact` says why in words).

:func:`rank` orders departments on a ratio; :func:`outliers` flags values
outside Tukey's fences (:data:`OUTLIER_RULE`); :func:`carryover_panel` gives
年初/年末结转和结余 by fund type and their share of spending.

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> ds = load_dataset("data")
    >>> cs = cross_section(ds)  # the latest year of each department
    >>> cs[["entity_id", "year", "expense", "basic_share_float"]]
         entity_id  year  expense  basic_share_float
    0  lusong-xzsp  2020   335.78          56.858657
    1    putuo-czj  2024  2940.05          79.485383
    2   putuo-ghzy  2024  9759.38          55.102271
    3  putuo-shgzb  2024   307.82          34.299266
    >>> rank(cs, "completion")[["entity_id", "completion_float", "rank"]]
         entity_id  completion_float  rank
    0  lusong-xzsp        167.596706     1
    1    putuo-czj         98.200687     2
    2   putuo-ghzy         95.457154     3
    3  putuo-shgzb               NaN  <NA>
    >>> ratio_exact(cs.iloc[0], "basic_share")
    (Decimal('56.9'), '')
    >>> ratio_exact(cross_section(ds, 2019).iloc[0], "completion")
    (None, '缺少年初预算数，无法计算')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from fiscal_analysis.metrics.panel import KEY_TOTALS, totals_panel
from fiscal_analysis.metrics.tidy import float_view, rate_float
from fiscal_analysis.metrics.units import decimals_of, to_fen, to_wan
from fiscal_analysis.metrics.view import Source, view_of
from fiscal_analysis.money import Exact, ratio_pct

__all__ = [
    "CARRYOVER_FUNDS",
    "CROSS_COLUMNS",
    "OUTLIER_RULE",
    "RATIOS",
    "Ratio",
    "carryover_panel",
    "cross_section",
    "outliers",
    "rank",
    "ratio_exact",
]


@dataclass(frozen=True)
class Ratio:
    """One ratio: numerator ÷ denominator (× 100 when ``unit`` is ``%``)."""

    num: str
    den: str
    label: str
    definition: str
    unit: str = "%"
    #: What a missing or zero denominator is called in the sentence saying why.
    base: str = ""


#: Every ratio of the comparison, defined once (columns of :func:`cross_section`).
RATIOS: dict[str, Ratio] = {
    "basic_share": Ratio("basic", "expense", "基本支出占比", "基本支出 ÷ 本年支出合计",
                         base="本年支出合计"),
    "project_share": Ratio("project", "expense", "项目支出占比", "项目支出 ÷ 本年支出合计",
                           base="本年支出合计"),
    "completion": Ratio("gp_total", "gp_budget_initial", "预算完成率",
                        "一般公共预算财政拨款支出决算 ÷ 年初预算数", base="年初预算数"),
    "yoy": Ratio("grand_delta", "grand_prior", "收支总计增减率", "（本年 − 上年）÷ |上年| 收支总计",
                 base="上年收支总计"),
    "carryover_share": Ratio("carryover_end", "expense", "年末结转结余占支出",
                             "年末结转和结余 ÷ 本年支出合计", base="本年支出合计"),
    "three_public_per_person": Ratio("three_public", "staff", "人均“三公”经费",
                                     "“三公”经费 ÷ 实有在职在编人数", "万元/人", "在职人数"),
    "ops_cost_per_person": Ratio("ops_cost", "staff", "人均机关运行经费",
                                 "机关运行经费 ÷ 实有在职在编人数", "万元/人", "在职人数"),
}  # fmt: skip

#: Columns of :func:`cross_section` → (Chinese label, unit).
CROSS_COLUMNS: dict[str, tuple[str, str]] = {
    "entity_id": ("单位标识", ""),
    "entity_name": ("单位名称", ""),
    "year": ("年度", ""),
    "income_grand_total": ("收入总计", "万元"),
    "grand_prior": ("上年收入总计", "万元"),
    "grand_delta": ("收入总计增减额", "万元"),
    "expense": ("本年支出合计", "万元"),
    "basic": ("基本支出", "万元"),
    "project": ("项目支出", "万元"),
    "gp_total": ("一般公共预算财政拨款支出", "万元"),
    "gp_budget_initial": ("年初预算数", "万元"),
    "three_public": ("“三公”经费", "万元"),
    "ops_cost": ("机关运行经费", "万元"),
    "staff": ("实有在职在编人数", "人"),
    "carryover_begin": ("年初结转和结余", "万元"),
    "carryover_end": ("年末结转和结余", "万元"),
    "derived": ("含推算数", ""),
    "grand_derived": ("收入总计为推算数", ""),
    "prior_derived": ("上年收入总计为推算数", ""),
    **{f"{k}_float": (r.label, r.unit) for k, r in RATIOS.items()},
}

#: 结转结余 by fund type: fund key → (label, 年初 item, 年末 item) of 公开01/04表.
CARRYOVER_FUNDS: dict[str, tuple[str, str, str, str]] = {
    "all": ("全部资金", "T01", "carryover_begin", "carryover_end"),
    "fiscal": ("财政拨款", "T04", "carryover_begin", "carryover_end"),
    "general_public": ("一般公共预算财政拨款", "T04", "carryover_begin_general_public",
                       "carryover_end_general_public"),
    "gov_fund": ("政府性基金预算财政拨款", "T04", "carryover_begin_gov_fund",
                 "carryover_end_gov_fund"),
    "soe_capital": ("国有资本经营预算财政拨款", "T04", "carryover_begin_soe_capital",
                    "carryover_end_soe_capital"),
}  # fmt: skip

#: How :func:`outliers` flags a value, in words.
OUTLIER_RULE = (
    "异常值规则：在参与比较的单位中（至少4个有数值），低于 Q1 − 1.5×IQR 或高于 Q3 + 1.5×IQR "
    "（Tukey 栅栏，Q1、Q3 为四分位数，IQR = Q3 − Q1）；预算完成率另以 PEFA PI-1 的 85%–115% 为界。"
)

_FIGURES = {
    "income_grand_total": KEY_TOTALS["income_grand_total"],
    "expense": KEY_TOTALS["expense"],
    "basic": KEY_TOTALS["basic"],
    "project": KEY_TOTALS["project"],
    "gp_total": KEY_TOTALS["gp_total"],
    "gp_budget_initial": KEY_TOTALS["gp_budget_initial"],
    "three_public": KEY_TOTALS["three_public"],
    "ops_cost": KEY_TOTALS["ops_cost"],
    "staff": ("staffing", "staff_actual", ""),
    "carryover_begin": ("T01", "carryover_begin", ""),
    "carryover_end": ("T01", "carryover_end", ""),
}


def _panel(source: Source) -> pd.DataFrame:
    """Every pair's figures of :data:`_FIGURES`, the prior 收入总计 and the 推算 flag."""
    view = view_of(source)
    t = totals_panel(view, _FIGURES, status=True)
    ents = t.index.get_level_values(0)
    years = t.index.get_level_values(1).to_numpy(dtype=np.int64)
    before = pd.MultiIndex.from_arrays([ents, years - 1], names=t.index.names)
    prior = t["income_grand_total"].reindex(before)
    prior.index = t.index
    t["grand_prior"] = prior
    t["grand_derived"] = (t["income_grand_total_status"] == "derived").to_numpy()
    prior_status = t["income_grand_total_status"].reindex(before).to_numpy()
    t["prior_derived"] = prior_status == "derived"
    t["grand_delta"] = _minus(t["income_grand_total"], t["grand_prior"])
    status = [c for c in t.columns if c.endswith("_status")]
    t["derived"] = (t[status] == "derived").any(axis=1)
    t = t.drop(columns=status).reset_index()
    names = {e: view.ds.name(e) for e in t["entity_id"].unique()}
    t.insert(1, "entity_name", t["entity_id"].map(names).astype(object))
    t["entity_id"] = t["entity_id"].astype(object)
    return t


def _minus(a: pd.Series, b: pd.Series) -> pd.Series:
    """``a − b`` of two exact 万元 columns (in integer 分, so no decimal overflow)."""
    return to_wan(to_fen(a) - to_fen(b), max(decimals_of(a), decimals_of(b)))


def cross_section(source: Source, year: int | None = None) -> pd.DataFrame:
    """Every department side by side: one row each, exact amounts and float ratio views.

    Args:
        source: A Dataset (or its PanelView).
        year: The year to compare; ``None`` takes the latest year of each
            department (so a department whose last year is 2020 is still compared).

    Returns:
        The columns of :data:`CROSS_COLUMNS`: amounts in exact 万元, ``staff``
        in persons, ``<ratio>_float`` for every ratio of :data:`RATIOS`.
    """
    view = view_of(source)
    cached = view.__dict__.get("_cross_panel")
    if cached is None:
        cached = view.__dict__["_cross_panel"] = _panel(view)
    t = cached
    if year is None:
        t = t[t["year"] == t.groupby("entity_id")["year"].transform("max")]
    else:
        t = t[t["year"] == int(year)]
    t = t.reset_index(drop=True).copy()
    for key, r in RATIOS.items():
        scale = 100 if r.unit == "%" else 1
        t[f"{key}_float"] = rate_float(t[r.num], t[r.den]) * scale / 100
    return t


def ratio_exact(row: pd.Series, ratio: str, decimals: int = 1) -> tuple[Decimal | None, str]:
    """One ratio of a :func:`cross_section` row, exact and rounded half up, or why there is none.

    Per-person ratios are rounded to 2 decimals (万元/人) unless ``decimals`` says more.
    """
    r = RATIOS[ratio]
    num, den = row[r.num], row[r.den]
    if pd.isna(den):
        return None, f"缺少{r.base}，无法计算"
    if den == 0:
        return None, f"{r.base}为0，无法计算"
    if pd.isna(num):
        return None, f"缺少{CROSS_COLUMNS[r.num][0]}，无法计算"
    if r.unit == "%":
        value = ratio_pct(_exact(num), _exact(den), decimals)
        return (None, f"{r.base}为0，无法计算") if value is None else (value, "")
    from fiscal_analysis.money import round_half_up

    return round_half_up(_exact(num) / _exact(den), max(decimals, 2)), ""


def _exact(value: object) -> Exact:
    from fractions import Fraction

    return Fraction(str(value))


def rank(frame: pd.DataFrame, ratio: str, ascending: bool = False) -> pd.DataFrame:
    """Departments ordered on a ratio (highest first by default), with a ``rank`` column.

    Departments without the ratio come last with ``rank`` ``<NA>``; ties share a rank.
    """
    col = ratio if ratio in frame.columns else f"{ratio}_float"
    out = frame.sort_values(col, ascending=ascending, na_position="last", kind="stable")
    out = out.reset_index(drop=True)
    ranks = out[col].rank(method="min", ascending=ascending)
    out["rank"] = ranks.astype("Int64")
    return out


def outliers(frame: pd.DataFrame, ratio: str) -> pd.DataFrame:
    """Rows of ``frame`` whose ratio lies outside :data:`OUTLIER_RULE`'s bounds, with the bound.

    Returns:
        ``entity_id``, ``entity_name``, ``year``, ``value`` (float view),
        ``low``, ``high`` (the fences) and ``side`` (偏高/偏低); empty when fewer
        than four departments have a value and no fixed bound applies.
    """
    col = f"{ratio}_float"
    values = frame[col].dropna()
    low, high = np.nan, np.nan
    if len(values) >= 4:
        q1, q3 = values.quantile(0.25), values.quantile(0.75)
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    if ratio == "completion":
        low = 85.0 if np.isnan(low) else max(low, 85.0)
        high = 115.0 if np.isnan(high) else min(high, 115.0)
    v = frame[col]
    hit = (v < low) | (v > high)
    out = frame.loc[hit.fillna(False), ["entity_id", "entity_name", "year"]].copy()
    out["value"] = v[hit.fillna(False)]
    out["low"], out["high"] = low, high
    out["side"] = np.where(out["value"] > high, "偏高", "偏低")
    return out.reset_index(drop=True)


def carryover_panel(source: Source) -> pd.DataFrame:
    """年初/年末结转和结余 by fund type for every entity-year, and their share of spending.

    Returns:
        One row per (entity_id, year, fund) with the fund's ``label``,
        ``begin``, ``end`` and ``delta`` (exact 万元), ``expense`` (本年支出合计,
        the denominator), ``end_share_float`` (年末 ÷ 本年支出合计 × 100) and
        ``status`` (the 年末 figure's). Funds the data has no figure for are left out.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> c = carryover_panel(load_dataset("data"))
        >>> c.query("year == 2020")[["fund", "begin", "end", "end_share_float"]]
          fund  begin   end  end_share_float
        0  all   0.00  0.00              0.0
    """
    view = view_of(source)
    items: dict[str, tuple[str, str, str]] = {"expense": KEY_TOTALS["expense"]}
    for fund, (_, table, begin, end) in CARRYOVER_FUNDS.items():
        items[f"{fund}:begin"] = (table, begin, "")
        items[f"{fund}:end"] = (table, end, "")
    t = totals_panel(view, items, status=True)
    parts = []
    for fund, (label, *_rest) in CARRYOVER_FUNDS.items():
        part = pd.DataFrame({"fund": fund, "label": label, "begin": t[f"{fund}:begin"],
                             "end": t[f"{fund}:end"], "expense": t["expense"],
                             "status": t[f"{fund}:end_status"]}, index=t.index)  # fmt: skip
        part = part[part["begin"].notna() | part["end"].notna()]
        parts.append(part.reset_index())
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if out.empty:
        return out
    order = {f: i for i, f in enumerate(CARRYOVER_FUNDS)}
    out["_order"] = out["fund"].map(order)
    out = out.sort_values(["entity_id", "year", "_order"], kind="stable")
    out = out.drop(columns="_order").reset_index(drop=True)
    out["delta"] = _minus(out["end"], out["begin"])
    out["end_share_float"] = rate_float(out["end"], out["expense"])
    out["begin_float"], out["end_float"] = float_view(out["begin"]), float_view(out["end"])
    return out
