"""Budget completion (完成年初预算的 X%): 决算 against 预算, exactly.

A zero or missing budget never gives a rate: :class:`Completion` then carries
``None`` and a Chinese ``reason`` a sentence can quote. Importable from
:mod:`fiscal_analysis.metrics` as well.

Examples:
    >>> format_pct(completion(Decimal("335.78"), Decimal("200.35")).rate)
    '167.6%'
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .money import format_pct, pct, round_half_up, sign  # noqa: F401 (doctests)

__all__ = ["BUDGET_WORDS", "Completion", "budget_direction", "completion"]

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

    def rate_rounded(self, places: int = 1) -> Decimal | None:
        """The completion rate rounded half up (``None`` if undefined)."""
        return None if self.rate is None else round_half_up(self.rate, places)


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
