"""What drove a change: exact contributions of components to a total's change.

For a total ``T = Σ c_i`` that moves from ``T₀`` to ``T₁``, component ``i``
contributes ``Δc_i = c_i¹ − c_i⁰`` (exact; the contributions add up to ``ΔT``
to the cent) and ``Δc_i / T₀ × 100`` *percentage points* to the total's percent
change (exact Fractions that add up to the total's percent change). A component
present in only one period counts as 0 in the other (a new or ended item).

Rounded percentage points do not in general add up to the rounded total, so
:func:`allocate_rounded` rounds with the largest-remainder method: every value
is floored to the display unit, and the units still needed to reach the
half-up-rounded total go to the values with the largest remainders (ties: larger
magnitude first, then input order). Each rounded value then differs from its
exact value by less than one display unit and the rounded values sum exactly to
the rounded total.

Examples:
    >>> d = decompose({"201": Decimal("500"), "210": Decimal("162.95")},
    ...               {"201": Decimal("258.47"), "210": Decimal("77.31")})
    >>> [(c.key, c.delta) for c in d.contributions]
    [('201', Decimal('-241.53')), ('210', Decimal('-85.64'))]
    >>> sum(c.delta for c in d.contributions) == d.delta
    True
    >>> [format_pct(c.points, 2) for c in d.contributions], format_pct(d.pct, 2)
    (['-36.43%', '-12.92%'], '-49.35%')
    >>> d.points_rounded(1), format_pct(d.pct)   # -36.4 + -12.9 would not add up to -49.4
    ([Decimal('-36.5'), Decimal('-12.9')], '-49.4%')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from fiscal_analysis.money import Exact, format_pct, pct, round_half_up, to_decimal  # noqa: F401 (doctests)

__all__ = [
    "Contribution",
    "Decomposition",
    "allocate_rounded",
    "decompose",
    "decompose_frames",
]


@dataclass(frozen=True)
class Contribution:
    """One component's part in a change.

    Attributes:
        key: The component (item key or code).
        prior: Amount in the base period (0 if absent then).
        current: Amount in the current period (0 if absent now).
        delta: ``current − prior``, exact.
        points: Exact percentage-point contribution ``delta / total prior × 100``
            (``None`` when the total's base is 0).
        share_of_change: Exact percent of the total change explained
            (``None`` when the total did not change).
    """

    key: str
    prior: Decimal
    current: Decimal
    delta: Decimal
    points: Fraction | None
    share_of_change: Fraction | None


@dataclass(frozen=True)
class Decomposition:
    """A total's change split into component contributions."""

    prior: Decimal
    current: Decimal
    delta: Decimal
    pct: Fraction | None
    contributions: tuple[Contribution, ...]

    def points_rounded(self, decimals: int = 1) -> list[Decimal] | None:
        """Percentage points rounded so that they add up to the rounded total.

        Returns ``None`` when the base total is 0 (no percent change exists).
        """
        if self.pct is None:
            return None
        return allocate_rounded([c.points for c in self.contributions], decimals)  # type: ignore[misc]

    def to_frame(self, decimals: int | None = None) -> pd.DataFrame:
        """One row per component (``key``, ``prior``, ``current``, ``delta``,
        ``points``, ``share_of_change``); with ``decimals``, also
        ``points_rounded`` from :func:`allocate_rounded`."""
        rows = [
            {
                "key": c.key,
                "prior": c.prior,
                "current": c.current,
                "delta": c.delta,
                "points": c.points,
                "share_of_change": c.share_of_change,
            }
            for c in self.contributions
        ]
        df = pd.DataFrame(rows, dtype=object)
        if decimals is not None:
            rounded = self.points_rounded(decimals)
            df["points_rounded"] = rounded if rounded is not None else [None] * len(df)
        return df


def allocate_rounded(values: Sequence[Exact], decimals: int = 1) -> list[Decimal]:
    """Round values half up *as a group* so they sum to their rounded total.

    Largest-remainder method: see the module docstring.

    Args:
        values: Exact values (Fraction, Decimal or int).
        decimals: Decimals to keep.

    Returns:
        Rounded values, in input order, whose sum equals
        ``round_half_up(sum(values), decimals)``.

    Examples:
        >>> allocate_rounded([Fraction(1, 3)] * 3, 1)   # plain rounding gives 0.9
        [Decimal('0.4'), Decimal('0.3'), Decimal('0.3')]
        >>> allocate_rounded([Decimal("-36.43"), Decimal("-12.92")], 1)  # total -49.35 -> -49.4
        [Decimal('-36.5'), Decimal('-12.9')]
        >>> allocate_rounded([Decimal("12.34"), Decimal("0.01")], 1)  # total 12.35 -> 12.4
        [Decimal('12.4'), Decimal('0.0')]
    """
    fracs = [Fraction(v) for v in values]
    unit = Fraction(1, 10**decimals)
    target = round_half_up(sum(fracs, Fraction(0)), decimals)
    target_units = int(target.scaleb(decimals))
    floors = [(f / unit).__floor__() for f in fracs]
    remainders = [f / unit - n for f, n in zip(fracs, floors, strict=True)]
    missing = target_units - sum(floors)
    order = sorted(range(len(fracs)), key=lambda i: (-remainders[i], -abs(fracs[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return [Decimal(n).scaleb(-decimals) for n in floors]


def decompose(
    prior: Mapping[str, Decimal | int], current: Mapping[str, Decimal | int]
) -> Decomposition:
    """Split the change of ``Σ components`` into each component's contribution.

    Args:
        prior: Component amounts in the base period (Decimal 万元 or int).
        current: Component amounts in the current period.

    Returns:
        A :class:`Decomposition`; components appear in the order of ``prior``
        followed by those new in ``current``.

    Raises:
        ValueError: If an amount is missing (``None``/NA) or a float: an
            undisclosed component cannot be decomposed.

    Examples:
        >>> d = decompose({"a": Decimal("100"), "b": Decimal("50")},
        ...               {"a": Decimal("90"), "c": Decimal("10")})
        >>> [(c.key, c.delta, c.points) for c in d.contributions]
        [('a', Decimal('-10'), Fraction(-20, 3)), ('b', Decimal('-50'), Fraction(-100, 3)),
         ('c', Decimal('10'), Fraction(20, 3))]
        >>> d.delta, d.pct
        (Decimal('-50'), Fraction(-100, 3))
    """
    for side, data in (("prior", prior), ("current", current)):
        for k, v in data.items():
            if v is None or v is pd.NA or isinstance(v, float):
                raise ValueError(f"{side}「{k}」缺少精确金额，无法分解 (missing or inexact: {v!r})")
    keys = list(prior) + [k for k in current if k not in prior]
    zero = Decimal(0)
    p = {k: Decimal(prior.get(k, zero)) for k in keys}
    c = {k: Decimal(current.get(k, zero)) for k in keys}
    total_prior = sum(p.values(), zero)
    total_current = sum(c.values(), zero)
    total_delta = total_current - total_prior
    contributions = tuple(
        Contribution(
            k,
            p[k],
            c[k],
            c[k] - p[k],
            pct(c[k] - p[k], total_prior),
            pct(c[k] - p[k], total_delta),
        )
        for k in keys
    )
    return Decomposition(
        total_prior, total_current, total_delta, pct(total_delta, total_prior), contributions
    )


def decompose_frames(
    prior: pd.DataFrame, current: pd.DataFrame, key: str = "code", value: str = "value"
) -> Decomposition:
    """:func:`decompose` for two frames of ``Int64`` 分 (e.g. ``Dataset.lines``).

    Examples:
        >>> a = pd.DataFrame({"code": ["201"], "value": pd.array([10**7], dtype="Int64")})
        >>> v = pd.array([9 * 10**6, 3 * 10**6], dtype="Int64")
        >>> b = pd.DataFrame({"code": ["201", "210"], "value": v})
        >>> [c.delta for c in decompose_frames(a, b).contributions]
        [Decimal('-1.00'), Decimal('3.00')]
    """

    def as_map(df: pd.DataFrame) -> dict[str, Decimal | None]:
        return {
            str(k): None if pd.isna(v) else to_decimal(int(v))
            for k, v in zip(df[key], df[value], strict=True)
        }

    return decompose(as_map(prior), as_map(current))  # type: ignore[arg-type]
