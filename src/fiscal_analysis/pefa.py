"""PEFA-style budget reliability: aggregate outturn (PI-1) and composition (PI-2).

* **PI-1 aggregate outturn** = ΣA / ΣB × 100, actual over original budget.
  Bands (boundaries inclusive): A 95–105 %, B 90–110 %, C 85–115 %, else D.
* **PI-2 composition variance**: with ``k = ΣA / ΣB`` (the budget scaled to the
  actual total), variance = Σ|A − k·B| / ΣA × 100. Bands: A < 5 %, B < 10 %,
  C < 15 %, else D.

Arithmetic is exact (:class:`~fractions.Fraction`); a band is decided on the
exact value, never on a rounded one. Over several years PEFA scores a band when
it is reached in at least two of the last three years (:func:`pi_score`).

Here the lines are the 05表 功能分类 codes (项 by default) with both a
``budget_initial`` and a ``total``.

Examples:
    >>> o = outturn([90, 60, 60], [100, 50, 50])
    >>> format_pct(o.aggregate), o.aggregate_band
    ('105.0%', 'A')
    >>> format_pct(o.composition, 2), o.composition_band
    ('14.29%', 'C')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from .classification import LEVEL_DIGITS
from .dataset import Dataset
from .money import Exact, format_pct, to_decimal  # noqa: F401 (doctests)

__all__ = [
    "Outturn",
    "aggregate_band",
    "aggregate_outturn",
    "composition_band",
    "composition_variance",
    "outturn",
    "outturn_table",
    "pi_score",
]

_AGGREGATE_BANDS = (("A", 95, 105), ("B", 90, 110), ("C", 85, 115))
_COMPOSITION_BANDS = (("A", 5), ("B", 10), ("C", 15))


def _check(
    actual: Sequence[Exact], budget: Sequence[Exact]
) -> tuple[list[Fraction], list[Fraction]]:
    if len(actual) != len(budget):
        raise ValueError(f"actual 与 budget 长度不同 ({len(actual)} ≠ {len(budget)})")
    for v in [*actual, *budget]:
        if v is None or isinstance(v, float):
            raise ValueError(f"应为精确金额 (expected an exact amount, not {v!r})")
    return [Fraction(a) for a in actual], [Fraction(b) for b in budget]


def aggregate_outturn(actual: Sequence[Exact], budget: Sequence[Exact]) -> Fraction | None:
    """PI-1: ΣA / ΣB × 100 as an exact percent (``None`` if ΣB is 0).

    Examples:
        >>> aggregate_outturn([Decimal("335.78")], [Decimal("200.35")]) > 167
        True
        >>> aggregate_outturn([1], [0]) is None
        True
    """
    a, b = _check(actual, budget)
    total_b = sum(b, Fraction(0))
    return None if total_b == 0 else sum(a, Fraction(0)) * 100 / total_b


def composition_variance(actual: Sequence[Exact], budget: Sequence[Exact]) -> Fraction | None:
    """PI-2: Σ|A − k·B| / ΣA × 100 with k = ΣA / ΣB (``None`` if ΣA or ΣB is 0).

    Examples:
        >>> composition_variance([90, 60, 60], [100, 50, 50])
        Fraction(100, 7)
        >>> composition_variance([10, 20], [10, 20])
        Fraction(0, 1)
    """
    a, b = _check(actual, budget)
    total_a, total_b = sum(a, Fraction(0)), sum(b, Fraction(0))
    if total_a == 0 or total_b == 0:
        return None
    k = total_a / total_b
    return sum((abs(x - k * y) for x, y in zip(a, b, strict=True)), Fraction(0)) * 100 / total_a


def aggregate_band(value: Fraction | Decimal | None) -> str | None:
    """PI-1 band for an outturn percent; boundaries are inclusive.

    Examples:
        >>> [aggregate_band(Decimal(v)) for v in ("105.0", "95", "94.99", "110", "115.01")]
        ['A', 'A', 'B', 'B', 'D']
    """
    if value is None:
        return None
    for band, low, high in _AGGREGATE_BANDS:
        if low <= value <= high:
            return band
    return "D"


def composition_band(value: Fraction | Decimal | None) -> str | None:
    """PI-2 band for a composition variance percent (strictly below the limit).

    Examples:
        >>> [composition_band(Decimal(v)) for v in ("4.99", "5", "9.99", "14.29", "15")]
        ['A', 'B', 'B', 'C', 'D']
    """
    if value is None:
        return None
    for band, limit in _COMPOSITION_BANDS:
        if value < limit:
            return band
    return "D"


@dataclass(frozen=True)
class Outturn:
    """PI-1 and PI-2 for one year: exact percents and their bands."""

    actual: Fraction
    budget: Fraction
    aggregate: Fraction | None
    aggregate_band: str | None
    composition: Fraction | None
    composition_band: str | None


def outturn(actual: Sequence[Exact], budget: Sequence[Exact]) -> Outturn:
    """PI-1 and PI-2 for matching lines of actual and budget."""
    agg = aggregate_outturn(actual, budget)
    comp = composition_variance(actual, budget)
    a, b = _check(actual, budget)
    return Outturn(
        sum(a, Fraction(0)),
        sum(b, Fraction(0)),
        agg,
        aggregate_band(agg),
        comp,
        composition_band(comp),
    )


def pi_score(bands: Sequence[str | None]) -> str | None:
    """Score over years: the best band reached in at least two of the last three.

    ``bands`` are in year order; only the last three count. Fewer than three
    years with a band gives ``None`` (PEFA needs three years).

    Examples:
        >>> pi_score(["A", "C", "B"]), pi_score(["D", "D", "A"]), pi_score(["A", "A"])
        ('B', 'D', None)
    """
    last = [b for b in bands[-3:] if b is not None]
    if len(bands) < 3 or len(last) < 3:
        return None
    for band in "ABC":
        if sum(b <= band for b in last) >= 2:
            return band
    return "D"


def outturn_table(ds: Dataset, entity_id: str | None = None, level: str = "项") -> pd.DataFrame:
    """PI-1 and PI-2 per entity-year from 05表 lines with budget and actual.

    Only entity-years where at least one line at ``level`` has both a
    ``budget_initial`` and a ``total`` appear; lines lacking either are left out
    (``n_lines`` counts those used).

    Columns: ``entity_id``, ``year``, ``n_lines``, ``budget``, ``actual``
    (Decimal), ``aggregate`` and ``composition`` (exact percent Fractions or
    ``None``), ``aggregate_band``, ``composition_band``.

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> t = outturn_table(load_dataset("data"), "lusong-xzsp")
        >>> r = t.iloc[0]
        >>> r["year"], r["n_lines"], format_pct(r["aggregate"]), r["aggregate_band"]
        (2020, 5, '167.6%', 'D')
        >>> format_pct(r["composition"], 2), r["composition_band"]
        ('194.04%', 'D')
    """
    f = ds.facts
    sel = f[(f["table"] == "T05") & (f["code"].str.len() == LEVEL_DIGITS[level])]
    sel = sel[sel["item"].isin(["total", "budget_initial"]) & sel["value"].notna()]
    if entity_id is not None:
        sel = sel[sel["entity_id"] == entity_id]
    wide = sel.pivot_table(
        index=["entity_id", "year", "code"], columns="item", values="value", aggfunc="first"
    )
    rows = []
    if {"total", "budget_initial"} <= set(wide.columns):
        wide = wide.dropna(subset=["total", "budget_initial"])
        for (ent, year), g in wide.groupby(level=[0, 1], sort=True):
            actual = [int(v) for v in g["total"]]
            budget = [int(v) for v in g["budget_initial"]]
            o = outturn(actual, budget)
            bands = {"aggregate_band": o.aggregate_band, "composition_band": o.composition_band}
            sums = {"budget": to_decimal(sum(budget)), "actual": to_decimal(sum(actual))}
            exact = {"aggregate": o.aggregate, "composition": o.composition}
            rows.append(
                {"entity_id": ent, "year": int(year), "n_lines": len(g), **sums, **exact, **bands}
            )
    cols = ["entity_id", "year", "n_lines", "budget", "actual", "aggregate", "aggregate_band"]
    return pd.DataFrame(rows, columns=[*cols, "composition", "composition_band"], dtype=object)
