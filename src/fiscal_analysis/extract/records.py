"""Records of what the 情况说明 says: numbers, figures, rates, changes, reasons.

Money values (``Figure.value`` of unit 万元, amounts, changes) are in 分
(:mod:`.units`); counts are in hundredths of their unit.

Examples:
    >>> to_fen(Decimal("101800"), "元")
    10180000
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from fiscal_analysis.extract.headings import Section
from fiscal_analysis.extract.rules import Key
from fiscal_analysis.extract.units import per_unit

__all__ = [
    "Change", "Direction", "Figure", "Item", "Number", "Parsed", "Project", "Rate", "Reason",
    "to_fen",
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
    """A recognised figure: ``value`` in 分 (unit 万元) or hundredths of a count.

    ``evidence`` is ``sentence`` (the label names the figure in a section that
    says what it is about) or ``guess`` (a unit or the topic had to be assumed).
    """

    key: Key
    value: int
    unit: str
    line: int
    where: str
    text: str
    note: str = ""
    evidence: str = "sentence"


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
    #: For a change: the current amount the sentence itself states (its base is this
    #: minus the change), so a check can rebase it on the table's figure.
    current: int | None = None


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
    #: Amounts printed without a unit ("支出决算为2.07。"), read as 万元 by guess.
    unitless: list[Number] = field(default_factory=list)
    #: The last value stated for each key, and how many figures that covers.
    latest: dict = field(default_factory=dict, repr=False)
    indexed: int = field(default=0, repr=False)


def to_fen(value: Decimal, unit: str) -> int:
    """A printed money amount in 分, exact to 0.01元 (rounded half up below that).

    Examples:
        >>> to_fen(Decimal("101800"), "元"), to_fen(Decimal("31205.40"), "元")
        (10180000, 3120540)
        >>> to_fen(Decimal("2.07"), "万元"), to_fen(Decimal("1.5"), "亿元")
        (2070000, 15000000000)
    """
    return int((value * per_unit(unit)).to_integral_value(rounding=ROUND_HALF_UP))
