"""PEFA budget reliability on the published totals: PI-1, PI-2.1, PI-2.2 and PI-3 with bands.

Built from the tidy frames (:func:`fiscal_analysis.metrics.tidy.tidy`): the
totals are the **published** 合计 of 公开05表 (支出决算合计 and 年初预算数), not
the sum of the 项 lines (which can differ from it by rounding, e.g. 2993.93
against a published 2993.92).

* **PI-1** aggregate expenditure outturn = 决算合计 ÷ 年初预算合计 × 100;
  bands A 95–105 %, B 90–110 %, C 85–115 %, else D (boundaries inclusive).
* **PI-2.1** composition by function (项): Σ|A_i − k·B_i| ÷ A × 100 with
  k = A ÷ B on the published totals; bands A < 5 %, B < 10 %, C < 15 %, else D.
* **PI-2.2** composition by economic classification: needs the 年初预算 of each
  经济分类 款, which the nine 公开表 do not publish; computed when the data has it.
* **PI-3** revenue outturn (收入决算 ÷ 收入预算; A 97–106 %, B 94–112 %,
  C 92–116 %): the 公开表 publish no revenue budget, so it is said in words.

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> p = pefa_indicators(load_dataset("data")).query("entity_id == 'lusong-xzsp'")
    >>> p[["year", "indicator", "value", "band", "note"]]  # doctest: +NORMALIZE_WHITESPACE
       year indicator  value  band                          note
    0  2019      PI-1   None  None                 缺少年初预算数，无法计算
    1  2019    PI-2.1   None  None                 缺少年初预算数，无法计算
    2  2019    PI-2.2   None  None  公开表未列经济分类的年初预算数，无法计算
    3  2019      PI-3   None  None      公开表未列收入预算数，无法计算
    4  2020      PI-1  167.6     D
    5  2020    PI-2.1  194.0     D
    6  2020    PI-2.2   None  None  公开表未列经济分类的年初预算数，无法计算
    7  2020      PI-3   None  None      公开表未列收入预算数，无法计算
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from fiscal_analysis.metrics.pefa import aggregate_band, composition_band
from fiscal_analysis.metrics.tidy import tidy_all
from fiscal_analysis.metrics.units import to_fen
from fiscal_analysis.metrics.view import Source
from fiscal_analysis.money import round_half_up

__all__ = ["PEFA_INDICATORS", "PI3_BANDS", "pefa_indicators", "revenue_band"]

#: Indicator → (Chinese name, definition with its bands).
PEFA_INDICATORS: dict[str, tuple[str, str]] = {
    "PI-1": ("总体支出执行率",
             "决算合计 ÷ 年初预算合计（公开05表公布的合计）；A 95%–105%，B 90%–110%，C 85%–115%"),
    "PI-2.1": ("支出结构偏差（按功能分类项）",
               "Σ|决算ᵢ − k·预算ᵢ| ÷ 决算合计，k = 决算合计 ÷ 预算合计；A <5%，B <10%，C <15%"),
    "PI-2.2": ("支出结构偏差（按经济分类）", "同 PI-2.1，按经济分类款级；需要经济分类的年初预算数"),
    "PI-3": ("收入执行率", "收入决算 ÷ 收入预算；A 97%–106%，B 94%–112%，C 92%–116%"),
}  # fmt: skip

PI3_BANDS = (("A", 97, 106), ("B", 94, 112), ("C", 92, 116))


def revenue_band(value: Fraction | None) -> str | None:
    """PI-3 band of a revenue outturn percent (boundaries inclusive).

    Examples:
        >>> [revenue_band(Fraction(v)) for v in (100, 93, 120)]
        ['A', 'C', 'D']
    """
    if value is None:
        return None
    for band, low, high in PI3_BANDS:
        if low <= value <= high:
            return band
    return "D"


def _row(e, name, year, indicator, value: Fraction | None, band, note, decimals):
    return {"entity_id": e, "entity_name": name, "year": int(year), "indicator": indicator,
            "label": PEFA_INDICATORS[indicator][0],
            "value": None if value is None else round_half_up(value, decimals),
            "value_float": float("nan") if value is None else float(value),
            "band": band, "note": note}  # fmt: skip


def _fen(value: object) -> int:
    """An exact 万元 amount as integer 分."""
    return int(Decimal(str(value)).scaleb(6))


def pefa_indicators(source: Source, decimals: int = 1) -> pd.DataFrame:
    """PI-1, PI-2.1, PI-2.2 and PI-3 for every entity-year, on the published totals.

    Returns:
        One row per (entity_id, year, indicator): ``label``, ``value`` (percent,
        rounded half up from the exact value; ``None`` when it cannot be
        computed), ``value_float`` (for plots), ``band`` (decided on the exact
        value) and ``note`` (why there is no value).
    """
    frames = tidy_all(source)
    totals = frames["totals"]
    wide = totals.set_index(["entity_id", "entity_name", "year", "item"])["amount"]
    wide = wide.unstack("item")
    lines = frames["completion"].dropna(subset=["actual", "budget"])
    lines = lines.assign(a=to_fen(lines["actual"]), b=to_fen(lines["budget"]))
    by_pair = {k: g for k, g in lines.groupby(["entity_id", "year"])}
    rows = []
    for (e, name, year), r in wide.iterrows():
        big_a, big_b = r.get("gp_total"), r.get("gp_budget_initial")
        no_budget = pd.isna(big_b) or pd.isna(big_a)
        why = "缺少年初预算数，无法计算" if no_budget else ("年初预算数为0，无法计算")
        a = None if no_budget else _fen(big_a)
        b = None if no_budget else _fen(big_b)
        pi1 = None if not b else Fraction(a * 100, b)
        rows.append(_row(e, name, year, "PI-1", pi1, aggregate_band(pi1),
                         "" if pi1 is not None else why, decimals))  # fmt: skip
        g = by_pair.get((e, int(year)))
        pi2, note2 = None, why
        if b and a and g is not None and len(g):
            spread = sum(abs(int(x) * b - a * int(y)) for x, y in zip(g["a"], g["b"], strict=True))
            pi2, note2 = Fraction(spread * 100, a * b), ""
        elif b and a:
            note2 = "没有同时公开年初预算和决算的“项”，无法计算"
        rows.append(_row(e, name, year, "PI-2.1", pi2, composition_band(pi2), note2, decimals))
        rows.append(_row(e, name, year, "PI-2.2", None, None,
                         "公开表未列经济分类的年初预算数，无法计算", decimals))  # fmt: skip
        rows.append(_row(e, name, year, "PI-3", None, None, "公开表未列收入预算数，无法计算",
                         decimals))  # fmt: skip
    cols = ["entity_id", "entity_name", "year", "indicator", "label", "value", "value_float",
            "band", "note"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols, dtype=object)
    return out.astype({"year": "int64", "value_float": "float64"})
