"""Whole-panel metrics: every entity × year at once, vectorised and exact.

This is the one implementation of every metric: the functions here compute
them for all entity-years together from a few integer-coded views of
``Dataset.facts`` (:class:`PanelView`), on integer 分. The frames show
amounts in exact 万元 (:mod:`.units`; ``<NA>`` when missing or undisclosed,
never 0 or NaN); rates as exact numerator/denominator amount columns (percent
= num / den × 100) and, for presentation only, ``*_rounded`` Decimals rounded
half up with integer arithmetic. No binary float is involved anywhere. One
entity-year is a row filter of these frames (:mod:`.structure`, :mod:`.entity`).

* :func:`totals_panel`, :func:`yoy_change`: figures and their change on the
  previous year.
* :func:`shares_panel`, :func:`income_shares`, :func:`expense_shares`,
  :func:`basic_shares`, :func:`function_shares`, :func:`procurement_shares`.
* :func:`completion_panel` (per 类/款/项 or 合计), :func:`three_public_panel`,
  :func:`ops_cost_panel`.
* :func:`all_metrics`: all of them over one shared view.

Every function takes a :class:`~fiscal_analysis.dataset.model.Dataset` or a
:class:`PanelView` (pass the view to share its work between calls).

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> ds = load_dataset("data")
    >>> t = totals_panel(ds, {"grand": ("T01", "income_grand_total")})
    >>> t.loc["lusong-xzsp", "grand"].tolist()
    [Decimal('662.95'), Decimal('335.78')]
    >>> y = yoy_change(t).iloc[1]
    >>> y["delta"], y["direction"], y["change_rounded"]
    (Decimal('-327.17'), '减少', Decimal('-49.4'))
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.pages import small_pages
from fiscal_analysis.metrics.completion import completion_panel, ops_cost_panel, three_public_panel
from fiscal_analysis.metrics.pefa import outturn_panel_from_lines
from fiscal_analysis.metrics.rates import (
    change_columns,
    ratio_pct_panel,
)
from fiscal_analysis.metrics.shares import (
    basic_shares,
    expense_shares,
    function_shares,
    income_shares,
    procurement_shares,
)
from fiscal_analysis.metrics.units import as_wan, decimals_of, frame_of, is_amount, to_fen
from fiscal_analysis.metrics.view import PanelView, Source, view_of

__all__ = [
    "KEY_TOTALS",
    "METRIC_NAMES",
    "all_metrics",
    "totals_panel",
    "yoy_change",
]

#: The frames :func:`all_metrics` returns, in this order.
METRIC_NAMES = (
    "totals", "yoy", "income", "expense", "basic", "function", "completion",
    "completion_total", "procurement", "three_public", "ops_cost", "pefa",
)  # fmt: skip

#: Key totals of a 部门决算 (name → (table, item, code)), as the library benchmark uses.
KEY_TOTALS: dict[str, tuple[str, str, str]] = {
    "income_grand_total": ("T01", "income_grand_total", ""),
    "income_total": ("T01", "income_total", ""),
    "expense_total": ("T01", "expense_total", ""),
    "expense": ("T03", "total", ""),
    "basic": ("T03", "basic", ""),
    "project": ("T03", "project", ""),
    "gp_total": ("T05", "total", ""),
    "gp_budget_initial": ("T05", "budget_initial", ""),
    "personnel": ("T06", "personnel_total", ""),
    "public": ("T06", "public_total", ""),
    "three_public": ("T07", "total_actual", ""),
    "ops_cost": ("ops_cost", "actual", ""),
    "procurement": ("procurement", "total", ""),
}


def totals_panel(
    source: Source,
    items: Mapping[str, tuple[str, str] | tuple[str, str, str]],
    *,
    status: bool = False,
) -> pd.DataFrame:
    """Figures for every entity × year: one column of exact 万元 per name.

    Args:
        source: A Dataset or a :class:`PanelView`.
        items: Column name → ``(table, item)`` or ``(table, item, code)``.
        status: Also add ``<name>_status`` columns (``published``, ``derived``,
            ``undisclosed`` or ``missing``).

    Returns:
        A frame indexed by ``(entity_id, year)`` (every pair with facts, sorted);
        a missing or undisclosed figure is ``<NA>``.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> t = totals_panel(load_dataset("data"), {"b": ("T03", "basic")}, status=True)
        >>> t.loc["lusong-xzsp"].values.tolist()
        [[<NA>, 'missing'], [Decimal('190.92'), 'published']]
    """
    view = view_of(source)
    cols: dict[str, object] = {}
    for name, key in items.items():
        if len(key) not in (2, 3):
            raise ValueError(f"{name}: 应为 (table, item) 或 (table, item, code)，实为 {key!r}")
        values, st = view.figure(*key)
        cols[name] = values
        if status:
            cols[f"{name}_status"] = pd.Series(st, index=view.pairs, dtype=object)
    return as_wan(pd.DataFrame(cols, index=view.pairs), items, view.amount_decimals)


def yoy_change(totals: pd.DataFrame, decimals: int | None = 1) -> pd.DataFrame:
    """Change on the previous year of every ``Int64`` column of ``totals``, long form.

    Args:
        totals: A frame indexed by ``(entity_id, year)``, e.g. from
            :func:`totals_panel` (status columns are skipped). Not modified.
        decimals: Decimals of ``change_rounded`` (``None``: leave it out).

    Returns:
        One row per (entity_id, year, item): ``current``, ``prior`` (the same
        entity's ``year − 1``; ``<NA>`` if absent), ``delta``, ``direction``
        (增加/减少/持平), exact ``change_num`` / ``change_den`` (percent = delta /
        |prior| × 100; ``<NA>`` when the base is 0 or missing), ``note`` and
        ``change_rounded``, as :func:`fiscal_analysis.metrics.exact.change`.

    Examples:
        >>> idx = pd.MultiIndex.from_tuples([("a", 2019), ("a", 2020)], names=["entity_id", "year"])
        >>> t = pd.DataFrame({"x": pd.array([0, 26000000], dtype="Int64")}, index=idx)
        >>> yoy_change(t)[["year", "delta", "direction", "change_num", "note"]].values.tolist()
        [[2019, <NA>, None, <NA>, '缺少上年数据，无法比较'],
         [2020, Decimal('26.00'), '增加', <NA>, '上年为0，无法计算增长率']]
    """
    if totals.index.nlevels != 2:
        raise ValueError("totals must be indexed by (entity_id, year)")
    cols = [c for c in totals.columns if is_amount(totals[c])]
    cur = pd.DataFrame({c: to_fen(totals[c]) for c in cols}, index=totals.index)
    ents, years = totals.index.get_level_values(0), totals.index.get_level_values(1)
    before = pd.MultiIndex.from_arrays([ents, years.astype(np.int64) - 1])
    pri = cur.reindex(before)

    def flat(df: pd.DataFrame) -> pd.Series:
        v = df.to_numpy(dtype=np.int64, na_value=0).ravel()
        ok = df.notna().to_numpy(dtype=bool).ravel()
        return pd.Series(pd.arrays.IntegerArray(np.where(ok, v, 0), ~ok))

    k = len(cols)
    c = change_columns(flat(cur), flat(pri))
    head = frame_of(
        {
            "entity_id": np.repeat(ents.to_numpy(dtype=object), k),
            "year": np.repeat(years.to_numpy(), k),
            "item": np.tile(np.array(cols, dtype=object), len(totals)),
        },
        ("entity_id", "item"),
    )
    df = pd.concat([head, c], axis=1)
    for col in ("entity_id", "item", "direction", "note"):
        df[col] = df[col].astype(object)
    if decimals is not None:
        df["change_rounded"] = ratio_pct_panel(df["change_num"], df["change_den"], decimals)
    return as_wan(df, decimals=max((decimals_of(totals[c]) for c in cols), default=2))


def all_metrics(source: Source, decimals: int | None = 1) -> dict[str, pd.DataFrame]:
    """Every panel metric over one shared :class:`PanelView`.

    Returns:
        ``totals`` (:data:`KEY_TOTALS`, with status), ``yoy``, ``income``,
        ``expense``, ``basic``, ``function`` (类), ``completion`` (项 against
        年初预算), ``completion_total`` (合计), ``procurement``,
        ``three_public``, ``ops_cost`` and ``pefa`` (PI-1/PI-2 per entity-year).

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> m = all_metrics(load_dataset("data"))
        >>> sorted(m)  # doctest: +NORMALIZE_WHITESPACE
        ['basic', 'completion', 'completion_total', 'expense', 'function', 'income',
         'ops_cost', 'pefa', 'procurement', 'three_public', 'totals', 'yoy']
        >>> m["procurement"].query("year == 2020 and item == 'sme'")["share_rounded"].tolist()
        [Decimal('100.0')]
    """
    with small_pages():  # (see dataset.pages: no stalls on huge-page compaction)
        return _all_metrics(view_of(source), decimals)


def _all_metrics(view: PanelView, decimals: int | None) -> dict[str, pd.DataFrame]:
    # 05表's 项 lines (completion, then PEFA on them) are built on a second thread while this
    # one computes the figures and the 类 lines: numpy lets go of the interpreter for the bulk
    # of either half. What both halves read is built here first, before they split.
    view.prepare(tables=("T05",))

    def item_lines() -> dict[str, pd.DataFrame]:
        completion = completion_panel(view, decimals=decimals)
        lines = completion[["entity_id", "year", "actual", "budget"]]  # PEFA's 项 lines
        pefa = outturn_panel_from_lines(lines, decimals if decimals is not None else 1)
        return {"completion": completion, "pefa": pefa}

    with ThreadPoolExecutor(1, thread_name_prefix="metrics") as pool:
        second = pool.submit(item_lines)
        totals = totals_panel(view, KEY_TOTALS, status=True)
        first = {
            "totals": totals,
            "yoy": yoy_change(totals, decimals),
            "income": income_shares(view, decimals),
            "expense": expense_shares(view, decimals),
            "basic": basic_shares(view, decimals),
            "function": function_shares(view, decimals=decimals),
            "completion_total": completion_panel(view, "合计", decimals=decimals),
            "procurement": procurement_shares(view, decimals),
            "three_public": three_public_panel(view, decimals),
            "ops_cost": ops_cost_panel(view, decimals),
        }
        both = {**first, **second.result()}
    return {name: both[name] for name in METRIC_NAMES}
