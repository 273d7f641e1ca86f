"""Records of what the 情况说明 says: numbers, figures, rates, changes, reasons.

Examples:
    >>> to_hundredths(Decimal("101800"), "元")
    (1018, '')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from fiscal_analysis.extract.headings import Section
from fiscal_analysis.extract.rules import Key

__all__ = [
    "Change", "Direction", "Figure", "Item", "Number", "Parsed", "Project", "Rate", "Reason",
    "to_hundredths",
]  # fmt: skip


@dataclass(frozen=True)
class Number:
    """A number as printed, with its unit, label and source line."""

    text: str
    value: Decimal
    decimals: int
    unit: str
    label: str
    line: int
    section: str
    where: str


@dataclass(frozen=True)
class Figure:
    """A recognised figure: ``value`` in hundredths of the item's unit."""

    key: Key
    value: int
    unit: str
    line: int
    where: str
    text: str
    note: str = ""


@dataclass(frozen=True)
class Rate:
    """A printed percentage and the amounts it should follow from."""

    kind: str  # share, completion or change
    pct: Number
    numerator: int | None
    denominator: int | None
    den_key: Key | None
    subject: Key | None
    where: str


@dataclass(frozen=True)
class Change:
    """ "增加/减少 X万元" against the prior year or the budget; ``delta`` is signed."""

    subject: Key | None
    current: int | None
    delta: int
    word: str
    against: str
    line: int
    where: str
    text: str


@dataclass(frozen=True)
class Direction:
    """ "决算数大于/小于/持平 预算数" with the amounts of the same 项 or line."""

    subject: Key | None
    word: str
    actual: int | None
    budget: int | None
    line: int
    where: str


@dataclass(frozen=True)
class Reason:
    topic: str
    code: str
    text: str
    line: int
    where: str


@dataclass(frozen=True)
class Project:
    name: str
    value: int
    line: int
    where: str


@dataclass(frozen=True)
class Item:
    """A numbered 项 entry of 五（三）: its printed names and the code found."""

    number: str
    names: tuple[str, str, str]
    code: str | None
    how: str
    line: int
    where: str


@dataclass
class Parsed:
    sections: list[Section]
    numbers: list[Number] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    directions: list[Direction] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    unrecognised: list[Number] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def to_hundredths(value: Decimal, unit: str) -> tuple[int, str]:
    """Amount in hundredths of 万元, with a note when 元 is not whole 0.01万元.

    Examples:
        >>> to_hundredths(Decimal("101800"), "元")
        (1018, '')
        >>> to_hundredths(Decimal("1234"), "元")
        (12, '原文1234元，换算为0.1234万元，四舍五入为0.12万元')
    """
    if unit == "元":
        wan = value / 10000
        rounded = wan.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        note = (
            ""
            if rounded == wan
            else f"原文{value}元，换算为{wan.normalize():f}万元，四舍五入为{rounded}万元"
        )
        return int(rounded * 100), note
    if unit == "亿元":
        return int(value * 1000000), ""
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP)), ""
