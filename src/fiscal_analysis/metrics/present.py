"""One entity-year's rows of a whole-panel metric, presented exactly.

Every metric is computed once, for every entity × year, by the vectorised
functions of :mod:`fiscal_analysis.metrics.panel` (``Int64`` hundredths and
exact ``*_num`` / ``*_den`` pairs). A single entity-year is a row filter of
that frame (computed once per dataset, see
:meth:`~fiscal_analysis.metrics.view.PanelView.metric`), with amounts turned
into :class:`~decimal.Decimal` 万元 and rates into exact
:class:`~fractions.Fraction` percents: round them only when presenting.

Examples:
    >>> dec(33578), dec(pd.NA)
    (Decimal('335.78'), None)
    >>> frac(33578, 20035) == Fraction(3357800, 20035), frac(pd.NA, pd.NA)
    (True, None)
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from fiscal_analysis.metrics.view import PanelView, Source, view_of
from fiscal_analysis.money import to_decimal

__all__ = ["dec", "frac", "rows_for"]


def dec(value: Any) -> Decimal | None:
    """Integer hundredths to an exact :class:`Decimal` of 万元 (``None`` for ``<NA>``)."""
    return None if value is None or pd.isna(value) else to_decimal(int(value))


def frac(num: Any, den: Any) -> Fraction | None:
    """An exact percent ``num / den × 100`` (``None`` when the pair is ``<NA>``)."""
    if num is None or den is None or pd.isna(num) or pd.isna(den):
        return None
    return Fraction(int(num) * 100, int(den))


def rows_for(
    source: Source,
    key: tuple,
    build: Callable[[PanelView], pd.DataFrame],
    entity_id: str,
    year: int,
) -> list[dict]:
    """The rows of one entity-year in a whole-panel metric frame, as dicts, in panel order.

    Args:
        source: A Dataset or its PanelView.
        key: Identifies the metric frame (its function and arguments).
        build: Computes the whole-panel frame from the view (called once per view).
        entity_id: The entity.
        year: The year.
    """
    df, rows = view_of(source).metric(key, build)
    pos = rows.get((entity_id, int(year)))
    return [] if pos is None else df.iloc[pos].to_dict("records")
