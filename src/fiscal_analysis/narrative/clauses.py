"""Clauses shared by the 情况说明 sentences: the change, the completion rate, the reason.

Examples:
    >>> change_clause(change(Decimal("335.78"), Decimal("662.95")))
    '与上年相比，减少327.17万元，下降49.4%'
    >>> rate_clause(completion(Decimal("10"), Decimal("200.35")), 1)
    '，完成年初预算的5.0%'
    >>> reason_clause("在执行过程中细化功能科目。")
    '，主要原因是：在执行过程中细化功能科目'
"""

from __future__ import annotations

from decimal import Decimal  # noqa: F401 (doctests)

from fiscal_analysis.metrics.exact import Change, Completion, change, completion  # noqa: F401 (doctests)
from fiscal_analysis.money import format_amount, format_pct

__all__ = ["change_clause", "rate_clause", "reason_clause"]


def reason_clause(reason: str | None, lead: str = "，主要原因是：") -> str:
    """``，主要原因是：…`` without a doubled full stop, or ``""``."""
    text = (reason or "").strip().rstrip("。；;，,")
    return f"{lead}{text}" if text else ""


def change_clause(
    c: Change,
    decimals: int = 1,
    *,
    base: str = "与上年相比，",
    flat: str = "与上年持平",
    verbs: tuple[str, str] = ("增长", "下降"),
) -> str:
    """``与上年相比，减少327.17万元，下降49.4%`` (or 持平, or no rate in words).

    Examples:
        >>> change_clause(change(Decimal("10"), Decimal("10")))
        '与上年持平'
        >>> change_clause(change(Decimal("26"), Decimal("0")))
        '与上年相比，增加26万元（上年为0，无法计算增长率）'
        >>> change_clause(change(Decimal("11.48"), Decimal("21.66"), base_label="年初预算"),
        ...               base="比年初预算数", verbs=("增长", "降低"))
        '比年初预算数减少10.18万元，降低47.0%'
        >>> change_clause(change(Decimal("1"), None))
        '缺少上年数据，无法比较'
    """
    if c.direction is None or c.delta is None:
        return c.note
    if c.direction == "持平":
        return flat
    text = f"{base}{c.direction}{format_amount(abs(c.delta))}"
    if c.pct is None:
        return f"{text}（{c.note}）"
    verb = verbs[0] if c.pct > 0 else verbs[1]
    return f"{text}，{verb}{format_pct(abs(c.pct), decimals)}"


def rate_clause(c: Completion, decimals: int) -> str:
    """``，完成年初预算的5.0%`` or the reason there is no rate, in words."""
    if c.rate is not None:
        return f"，完成{c.basis}的{format_pct(c.rate, decimals)}"
    return "" if c.actual == 0 and c.budget == 0 else f"（{c.reason}）"
