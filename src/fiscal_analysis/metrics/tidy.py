"""Tidy, pandas-native views of the metric frames: numbers ``.plot()`` and ``.describe()`` use.

The panel frames (:func:`~fiscal_analysis.metrics.panel.all_metrics`) keep every
amount as an exact 万元 decimal and every rate as an exact numerator and
denominator. That is right for printing, but pandas' numeric tools skip decimal
columns. :func:`tidy` keeps those exact columns and adds, beside each, a
**float view** named ``<column>_float`` (float64 万元 for an amount, float64
percent for a rate, ``NaN`` where there is none), plus ``entity_name`` (单位名称)
and ``derived`` (the figure is 推算). Float views are for plotting and
describing only: print the exact columns (round half up when presenting).
:func:`zh_columns` gives the Chinese header, with its unit, of any column.

Every rate keeps one denominator, defined once in the vocabulary: a share of
spending divides by 本年支出合计 (as the report and the disclosure do), a
completion rate by 年初预算数, a change by |上年数|.

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> ds = load_dataset("data")
    >>> t = tidy(ds, "expense").query("entity_id == 'lusong-xzsp'")
    >>> t.query("year == 2020")[["item", "amount", "amount_float", "share_float"]]
    ... # doctest: +NORMALIZE_WHITESPACE
            item  amount  amount_float  share_float
    5      basic  190.92        190.92    56.858657
    6    project  144.86        144.86    43.141343
    7  upper_remit    0.00          0.00     0.000000
    8    operating    0.00          0.00     0.000000
    9  affiliated_subsidy  0.00  0.00     0.000000
    >>> t.pivot_table(index="item", columns="year", values="amount_float").loc["basic"].tolist()
    [190.92]
    >>> g = tidy(ds, "totals").query("item == 'income_grand_total' and entity_id == 'lusong-xzsp'")
    >>> g[["year", "amount", "derived"]].values.tolist()
    [[2019, Decimal('662.95'), True], [2020, Decimal('335.78'), False]]
    >>> zh_columns(["entity_name", "amount", "share_float"])
    ['单位名称', '金额（万元）', '占比（%，浮点视图）']
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from fiscal_analysis.metrics.panel import KEY_TOTALS, all_metrics
from fiscal_analysis.metrics.units import AMOUNT_COLUMNS, is_amount, to_fen
from fiscal_analysis.metrics.view import Source, view_of
from fiscal_analysis.money import SCALE
from fiscal_analysis.schema.items import TABLES
from fiscal_analysis.schema.vocabulary import METRIC_COLUMNS

__all__ = ["FAMILIES", "RATES", "float_view", "rate_float", "tidy", "tidy_all", "zh_columns"]

#: The metric families of :func:`tidy` (the keys of ``all_metrics``), with a Chinese title.
FAMILIES: dict[str, str] = {
    "totals": "主要数字",
    "yoy": "与上年相比",
    "income": "收入结构",
    "expense": "支出结构",
    "basic": "基本支出结构",
    "function": "功能分类结构",
    "completion": "预算完成（项）",
    "completion_total": "预算完成（合计）",
    "procurement": "政府采购",
    "three_public": "三公经费",
    "ops_cost": "机关运行经费",
    "pefa": "PEFA",
}

#: Rate name → (numerator, denominator): percent = num / den × 100.
RATES: dict[str, tuple[str, str]] = {
    "share": ("share_num", "share_den"),
    "change": ("change_num", "change_den"),
    "rate": ("rate_num", "rate_den"),
    "aggregate": ("aggregate_num", "aggregate_den"),
    "composition": ("composition_num", "composition_den"),
}


def float_view(column: pd.Series) -> pd.Series:
    """A float64 view of an exact column (``NaN`` where missing): for plots and describe only.

    Examples:
        >>> from decimal import Decimal
        >>> float_view(pd.Series([Decimal("335.78"), None], dtype=object)).tolist()
        [335.78, nan]
    """
    if isinstance(column.dtype, pd.ArrowDtype) and is_amount(column):
        fen = to_fen(column).astype("Float64")  # exact int / 10⁶: correctly rounded
        return (fen / SCALE).astype("float64")
    return pd.to_numeric(column.astype(object).where(column.notna(), np.nan), errors="coerce")


def rate_float(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den × 100 as float64; ``NaN`` where the base is 0 or missing (no rate)."""
    n, d = float_view(num), float_view(den)
    return (n * 100 / d.where(d != 0)).astype("float64")


def _names(source: Source) -> dict[str, str]:
    ds = view_of(source).ds
    return {e: ds.name(e) for e in ds.entities["entity_id"]}


def _long_totals(totals: pd.DataFrame) -> pd.DataFrame:
    """The wide ``totals`` frame as one row per (entity, year, item)."""
    rows = []
    for name in (c for c in totals.columns if not c.endswith("_status")):
        table, item, _ = KEY_TOTALS.get(name, (None, name, ""))
        spec = TABLES.get(table) if table else None
        label = spec.items[item].label if spec and item in spec.items else name
        part = pd.DataFrame(
            {"item": name, "label": label, "amount": totals[name],
             "status": totals.get(f"{name}_status")}
        )  # fmt: skip
        rows.append(part.reset_index())
    if not rows:
        return pd.DataFrame(columns=["entity_id", "year", "item", "label", "amount", "status"])
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["entity_id", "year"], kind="stable", ignore_index=True)


def _tidy_frame(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    out = frame.copy()
    out.insert(1, "entity_name", out["entity_id"].map(names).astype(object))
    out["entity_id"] = out["entity_id"].astype(object)
    out = out.drop(columns=[c for c in out.columns if c.endswith("_rounded")])
    for c in list(out.columns):
        if c in AMOUNT_COLUMNS and not c.endswith(("_num", "_den")):
            out[f"{c}_float"] = float_view(out[c])
    for rate, (num, den) in RATES.items():
        if num in out.columns and den in out.columns:
            out[f"{rate}_float"] = rate_float(out[num], out[den])
    if "status" in out.columns:
        out["derived"] = (out["status"] == "derived").astype(bool)
    return out


def tidy(source: Source, family: str) -> pd.DataFrame:
    """One metric family as a tidy frame: exact columns, their float views, Chinese names.

    Args:
        source: A Dataset (or its PanelView).
        family: One of :data:`FAMILIES` (``totals`` comes in long form: one row
            per entity, year and key figure).

    Returns:
        One row per observation; the columns of :func:`all_metrics`'s frame
        (without the ``*_rounded`` presentation columns) plus ``entity_name``,
        ``<amount>_float``, ``<rate>_float`` (percent) and ``derived``.
    """
    return tidy_all(source)[family]


def tidy_all(source: Source) -> dict[str, pd.DataFrame]:
    """Every family of :func:`tidy`, computed once per dataset (cached on its view)."""
    view = view_of(source)

    def build(v):
        m = all_metrics(v, decimals=None)
        names = _names(v)
        m["totals"] = _long_totals(m["totals"])
        return {k: _tidy_frame(m[k], names) for k in FAMILIES}

    cached = view.__dict__.get("_tidy")
    if cached is None:
        cached = view.__dict__["_tidy"] = build(view)
    return {k: f.copy() for k, f in cached.items()}


def zh_columns(columns: Iterable[str]) -> list[str]:
    """Chinese headers, with the unit, for metric column names (from the vocabulary)."""
    out = []
    for c in columns:
        col = METRIC_COLUMNS.get(c)
        if col is None:
            out.append(c)
            continue
        head = col.meaning.split("：")[0].split("（")[0]
        if c.endswith("_float"):
            out.append(f"{head}（{col.unit}，浮点视图）")
        elif col.unit in ("万元", "%"):
            out.append(f"{head}（{col.unit}）")
        else:
            out.append(head)
    return out
