"""One entity-year's rows of a whole-panel metric, presented exactly.

Every metric is computed once, for every entity × year, by the vectorised
functions of :mod:`fiscal_analysis.metrics.panel` (``Int64`` 分 and
exact ``*_num`` / ``*_den`` pairs). A single entity-year is a row filter of
that frame (computed once per dataset, see
:meth:`~fiscal_analysis.metrics.view.PanelView.metric`), with amounts turned
into :class:`~decimal.Decimal` 万元 and rates into exact
:class:`~fractions.Fraction` percents: round them only when presenting.

Examples:
    >>> dec(Decimal("335.78")), dec(335780000), dec(pd.NA)
    (Decimal('335.78'), Decimal('335.78'), None)
    >>> frac(Decimal("335.78"), Decimal("200.35")) == Fraction(3357800, 20035)
    True
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.metrics.units import in_fen
from fiscal_analysis.metrics.view import PanelView, view_of
from fiscal_analysis.money import to_decimal

__all__ = ["dec", "frac", "rows_for"]


def dec(value: Any) -> Decimal | None:
    """An amount of a metric frame as an exact :class:`Decimal` of 万元 (``None`` for ``<NA>``).

    Frames show 万元 decimals; integer 分 (the engine's unit) are accepted too.
    """
    if type(value) is int:  # 分, as the metric frames' records keep them
        return to_decimal(value)
    if value is None or value is pd.NA or (not isinstance(value, Decimal) and pd.isna(value)):
        return None
    return value if isinstance(value, Decimal) else to_decimal(int(value))


def frac(num: Any, den: Any) -> Fraction | None:
    """An exact percent ``num / den × 100`` (``None`` when the pair is ``<NA>``)."""
    if type(num) is int and type(den) is int:  # 分: the unit cancels
        return Fraction(num * 100, den)
    a, b = dec(num), dec(den)
    if a is None or b is None:
        return None
    return Fraction(a) * 100 / Fraction(b)


def rows_for(ey: EntityYear, key: tuple, build: Callable[[PanelView], pd.DataFrame]) -> list[dict]:
    """The rows of one entity-year in a whole-panel metric frame, as dicts, in panel order.

    Args:
        ey: The entity-year.
        key: Identifies the metric frame (its function and arguments).
        build: Computes the whole-panel frame from the view (called once per dataset).
    """

    def build_in_fen(view: PanelView) -> pd.DataFrame:
        with in_fen():
            return build(view)

    return view_of(ey.ds).metric(key, build_in_fen).records(ey.entity_id, ey.year)
