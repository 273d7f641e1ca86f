"""Exact metrics: year-on-year change, shares and budget completion.

Everything here is pure and exact. Amounts come in as :class:`~decimal.Decimal`
(or ``int`` 分 in the vectorised panel form) and percentages go out as
exact :class:`~fractions.Fraction` values *of percent*; round them only when
presenting, with :func:`fiscal_analysis.money.format_pct` (half up, any number
of decimals). A zero or missing base never gives a rate: the result carries
``None`` and a Chinese ``note`` that a sentence can quote.


These are the exact building blocks; the metrics of a dataset are computed
once for every entity × year in :mod:`fiscal_analysis.metrics.panel`, and one
entity-year's rows are presented with them
(:mod:`fiscal_analysis.metrics.structure`, :mod:`fiscal_analysis.metrics.entity`).

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

from fiscal_analysis.money import format_pct, pct, round_half_up, sign  # noqa: F401 (doctests)

__all__ = [
    "BUDGET_WORDS",
    "DIRECTIONS",
    "Change",
    "Completion",
    "Share",
    "budget_direction",
    "change",
    "completion",
    "share",
    "shares",
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

    def pct_rounded(self, decimals: int = 1) -> Decimal | None:
        """The percent change rounded half up (``None`` if undefined)."""
        return None if self.pct is None else round_half_up(self.pct, decimals)


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


#: Words comparing 决算 with 预算 (决算数大于/小于/持平 年初预算数).
BUDGET_WORDS = {1: "大于", -1: "小于", 0: "持平"}


def budget_direction(actual: Decimal, budget: Decimal) -> str:
    """``大于``, ``小于`` or ``持平``: 决算数 compared with 预算数.

    Examples:
        >>> budget_direction(Decimal("99.2"), Decimal("0"))
        '大于'
        >>> budget_direction(Decimal("10"), Decimal("200.35"))
        '小于'
    """
    return BUDGET_WORDS[sign(Decimal(actual) - Decimal(budget))]


@dataclass(frozen=True)
class Completion:
    """决算 against 预算.

    Attributes:
        actual: 支出决算数 (``None`` if missing).
        budget: 预算数 (``None`` if missing).
        rate: Exact percent ``actual / budget × 100``, or ``None`` when the
            budget is 0 or missing (never infinite).
        delta: ``actual − budget`` (``None`` if either is missing).
        direction: ``大于`` / ``小于`` / ``持平`` or ``None``.
        reason: Why there is no rate (``年初预算为0，无法计算完成率``), else ``""``.
        basis: ``年初预算`` or ``调整预算``.
    """

    actual: Decimal | None
    budget: Decimal | None
    rate: Fraction | None
    delta: Decimal | None
    direction: str | None
    reason: str = ""
    basis: str = "年初预算"

    def rate_rounded(self, decimals: int = 1) -> Decimal | None:
        """The completion rate rounded half up (``None`` if undefined)."""
        return None if self.rate is None else round_half_up(self.rate, decimals)


def completion(
    actual: Decimal | None, budget: Decimal | None, basis: str = "年初预算"
) -> Completion:
    """Budget completion rate (完成年初预算的 X%) and variance, exactly.

    Args:
        actual: 支出决算数.
        budget: 年初预算数 (or 调整预算数 with ``basis="调整预算"``).
        basis: Name of the budget, used in ``reason``.

    Examples:
        >>> c = completion(Decimal("10"), Decimal("200.35"))
        >>> format_pct(c.rate), c.delta, c.direction
        ('5.0%', Decimal('-190.35'), '小于')
        >>> c = completion(Decimal("99.2"), Decimal("0"))
        >>> c.rate, c.direction, c.reason
        (None, '大于', '年初预算为0，无法计算完成率')
        >>> completion(Decimal("1"), None, "调整预算").reason
        '缺少调整预算数，无法计算完成率'
    """
    if actual is None or budget is None:
        what = f"{basis}数" if budget is None else "决算数"
        return Completion(actual, budget, None, None, None, f"缺少{what}，无法计算完成率", basis)
    delta = Decimal(actual) - Decimal(budget)
    direction = BUDGET_WORDS[sign(delta)]
    if budget == 0:
        return Completion(
            actual, budget, None, delta, direction, f"{basis}为0，无法计算完成率", basis
        )
    return Completion(actual, budget, pct(actual, budget), delta, direction, "", basis)
