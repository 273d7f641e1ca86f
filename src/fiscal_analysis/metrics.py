"""Exact metrics: year-on-year change, shares and budget completion.

Everything here is pure and exact. Amounts come in as :class:`~decimal.Decimal`
(or ``int`` hundredths in the vectorised panel form) and percentages go out as
exact :class:`~fractions.Fraction` values *of percent*; round them only when
presenting, with :func:`fiscal_analysis.money.format_pct` (half up, any number
of decimals). A zero or missing base never gives a rate: the result carries
``None`` and a Chinese ``note`` that a sentence can quote.

Budget completion (:class:`Completion`, :func:`completion`) lives in
:mod:`fiscal_analysis.completion` and is importable from here.

Metrics over a :class:`~fiscal_analysis.dataset.Dataset` for one entity-year
(``income_structure``, ``budget_completion`` …) live in
:mod:`fiscal_analysis.structure` and :mod:`fiscal_analysis.entity_metrics`;
they can also be imported from here (``from fiscal_analysis.metrics import
income_structure``), see ``ENTITY_METRICS``.

Examples:
    >>> c = change(Decimal("335.78"), Decimal("662.95"))
    >>> c.delta, c.direction, format_pct(c.pct)
    (Decimal('-327.17'), '减少', '-49.4%')
    >>> format_pct(completion(Decimal("335.78"), Decimal("200.35")).rate)
    '167.6%'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from .completion import Completion, budget_direction, completion
from .money import format_pct, pct, round_half_up, sign  # noqa: F401 (doctests)

__all__ = [
    "DIRECTIONS",
    "ENTITY_METRICS",
    "Change",
    "Completion",
    "Share",
    "budget_direction",
    "change",
    "completion",
    "share",
    "shares",
    "yoy_panel",
]

#: Words for the sign of a year-on-year change.
DIRECTIONS = {1: "增加", -1: "减少", 0: "持平"}


@dataclass(frozen=True)
class Change:
    """A change from ``prior`` to ``current``.

    Attributes:
        current: This period's amount (``None`` if missing).
        prior: The base amount (``None`` if missing).
        delta: ``current − prior``, exact; ``None`` if either is missing.
        pct: Exact percent change ``delta / |prior| × 100`` (signed), or
            ``None`` when the base is 0 or missing.
        direction: ``增加``, ``减少`` or ``持平``; ``None`` if not comparable.
        note: Why there is no rate (``上年为0，无法计算增长率`` …), else ``""``.
    """

    current: Decimal | None
    prior: Decimal | None
    delta: Decimal | None
    pct: Fraction | None
    direction: str | None
    note: str = ""

    def pct_rounded(self, places: int = 1) -> Decimal | None:
        """The percent change rounded half up (``None`` if undefined)."""
        return None if self.pct is None else round_half_up(self.pct, places)


def change(current: Decimal | None, prior: Decimal | None, *, base_label: str = "上年") -> Change:
    """Year-on-year (or any base) change, exactly.

    Args:
        current: Amount this period.
        prior: Amount in the base period (last year, or the budget).
        base_label: How the base is named in notes (``上年``, ``年初预算``).

    Returns:
        A :class:`Change`. A zero base gives a delta and direction but no
        percent (never "增长100%"); a missing amount gives no delta at all.

    Examples:
        >>> change(Decimal("11.48"), Decimal("44.44")).pct_rounded()
        Decimal('-74.2')
        >>> c = change(Decimal("26"), Decimal("0"))
        >>> c.delta, c.pct, c.direction, c.note
        (Decimal('26'), None, '增加', '上年为0，无法计算增长率')
        >>> change(Decimal("0"), Decimal("0")).direction
        '持平'
        >>> change(Decimal("5"), None).note
        '缺少上年数据，无法比较'
    """
    if current is None or prior is None:
        missing = base_label if prior is None else "本年"
        return Change(current, prior, None, None, None, f"缺少{missing}数据，无法比较")
    delta = Decimal(current) - Decimal(prior)
    direction = DIRECTIONS[sign(delta)]
    if prior == 0:
        note = "" if delta == 0 else f"{base_label}为0，无法计算增长率"
        return Change(current, prior, delta, None, direction, note)
    return Change(current, prior, delta, pct(delta, abs(Decimal(prior))), direction)


def yoy_panel(values: pd.Series) -> pd.DataFrame:
    """Vectorised year-on-year change for every entity × year.

    Args:
        values: ``Int64`` hundredths indexed by ``(entity_id, year)``, as
            returned by :meth:`Dataset.panel`.

    Returns:
        A frame on the same index with ``current``, ``prior`` and ``delta``
        (``Int64`` hundredths; ``prior`` is the same entity's value for
        ``year − 1``, ``<NA>`` when that year is missing), ``pct`` (exact
        :class:`Fraction` percent or ``None``) and ``direction`` (``增加`` /
        ``减少`` / ``持平`` or ``None``). The input is not modified.

    Examples:
        >>> idx = pd.MultiIndex.from_tuples(
        ...     [("a", 2019), ("a", 2020), ("b", 2020)], names=["entity_id", "year"])
        >>> s = pd.Series([66295, 33578, 100], index=idx, dtype="Int64")
        >>> out = yoy_panel(s)
        >>> int(out.loc[("a", 2020), "delta"]), format_pct(out.loc[("a", 2020), "pct"])
        (-32717, '-49.4%')
        >>> out.loc[("b", 2020), "pct"] is None
        True
    """
    if values.index.nlevels != 2:
        raise ValueError("values must be indexed by (entity_id, year)")
    s = values.astype("Int64")
    ents = s.index.get_level_values(0)
    years = s.index.get_level_values(1).astype(int)
    prior_idx = pd.MultiIndex.from_arrays([ents, years - 1], names=s.index.names)
    prior = pd.Series(s.reindex(prior_idx).to_numpy(), index=s.index, dtype="Int64")
    delta = s - prior
    out = pd.DataFrame({"current": s, "prior": prior, "delta": delta}, index=s.index)
    ok = delta.notna() & prior.notna() & (prior != 0)
    pct_col: list[Any] = [None] * len(s)
    for i in (ok.fillna(False).to_numpy()).nonzero()[0]:
        pct_col[i] = Fraction(int(delta.iloc[i]) * 100, abs(int(prior.iloc[i])))
    out["pct"] = pd.Series(pct_col, index=s.index, dtype=object)
    signs = [None if pd.isna(d) else DIRECTIONS[sign(int(d))] for d in delta]
    out["direction"] = pd.Series(signs, index=s.index, dtype=object)
    return out


@dataclass(frozen=True)
class Share:
    """One part of a whole.

    Attributes:
        key: Stable identifier (item key or classification code).
        label: Chinese label as the narrative writes it.
        amount: The part (``None`` if missing or undisclosed).
        pct: Exact percent of the whole, or ``None``.
        status: ``published``, ``derived``, ``undisclosed`` or ``missing``.
    """

    key: str
    label: str
    amount: Decimal | None
    pct: Fraction | None
    status: str = "published"


def share(part: Decimal | None, whole: Decimal | None) -> Fraction | None:
    """Exact percent share of ``part`` in ``whole`` (``None`` if undefined).

    Examples:
        >>> format_pct(share(Decimal("190.92"), Decimal("335.78")))
        '56.9%'
        >>> share(Decimal("1"), Decimal("0")) is None
        True
    """
    return None if part is None else pct(part, whole)


def shares(
    parts: Mapping[str, Decimal | None],
    whole: Decimal | None,
    labels: Mapping[str, str] | None = None,
) -> list[Share]:
    """Shares of several parts in one whole, in the order given.

    A part that is ``None`` is reported with status ``missing`` and no share
    (it is never treated as zero).

    Examples:
        >>> rows = shares({"basic": Decimal("190.92"), "project": Decimal("144.86")},
        ...               Decimal("335.78"), {"basic": "基本支出", "project": "项目支出"})
        >>> [(r.label, format_pct(r.pct)) for r in rows]
        [('基本支出', '56.9%'), ('项目支出', '43.1%')]
    """
    labels = labels or {}
    return [
        Share(k, labels.get(k, k), v, share(v, whole), "missing" if v is None else "published")
        for k, v in parts.items()
    ]


#: Dataset-level metrics importable from this module too (loaded lazily), by module.
ENTITY_METRICS = {
    "basic_structure": "structure",
    "economic_structure": "structure",
    "expense_structure": "structure",
    "figure": "structure",
    "function_structure": "structure",
    "income_structure": "structure",
    "project_structure": "structure",
    "budget_completion": "entity_metrics",
    "change_drivers": "entity_metrics",
    "ops_cost": "entity_metrics",
    "procurement": "entity_metrics",
    "three_public": "entity_metrics",
    "total_completion": "entity_metrics",
    "yoy_for": "entity_metrics",
}


def __getattr__(name: str) -> Any:
    if name in ENTITY_METRICS:
        from importlib import import_module

        return getattr(import_module(f".{ENTITY_METRICS[name]}", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
