"""Exact money while reading: integer 分 (0.01元), fine enough for 元 with two decimals.

Disclosures print amounts in 万元 (two decimals), sometimes in 元 ("31,205.40元")
and rarely in 亿元. Everything read from a document is held as an ``int`` count
of 分 (1万元 = 1,000,000分), so "31,205.40元" stays 3.120540万元 and is never
confused with "3.12万元". 分 is also the dataset's unit (:data:`fiscal_analysis.money.SCALE`
minor units of 万元), so a figure goes into the dataset exactly as read, never rounded.

Examples:
    >>> money("31,205.40", "元")
    3120540
    >>> money("2,940.05", "万元")
    2940050000
    >>> fen_text(3120540), fen_text(2940050000), fen_text(-500000)
    ('3.12054', '2940.05', '-0.5')
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fiscal_analysis.money import CENT, SCALE, exact_text

__all__ = ["FEN", "HUNDREDTH", "count_text", "fen_text", "money", "per_unit", "wan"]

#: 分 per 万元 (the dataset's minor unit of 万元).
FEN = SCALE
#: 分 per 0.01万元: the last digit of a figure printed in 万元 (a rounding step, in 分).
HUNDREDTH = CENT
_PER_UNIT = {"万元": FEN, "万": FEN, "元": 100, "亿元": 10_000 * FEN}


def per_unit(unit: str) -> int:
    """分 per one printed ``unit`` (万元 when the unit is unknown)."""
    return _PER_UNIT.get(unit, FEN)


def money(text: str, unit: str = "万元") -> int:
    """A printed amount (thousands separators allowed) in 分, rounded half up below 1分.

    Raises:
        ValueError: If ``text`` is not a number.
    """
    try:
        d = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation as exc:
        raise ValueError(f"应为数字 (expected a number): {text!r}") from exc
    return int((d * per_unit(unit)).to_integral_value(rounding=ROUND_HALF_UP))


def wan(fen: int) -> Decimal:
    """分 as an exact :class:`Decimal` of 万元."""
    return Decimal(fen) / FEN


def fen_text(fen: int) -> str:
    """分 as 万元 without trailing zeros (exact)."""
    return exact_text(fen)


def count_text(hundredths: int) -> str:
    """A count or indicator value, which the reader keeps in hundredths, as exact text.

    Examples:
        >>> count_text(1250), count_text(300)
        ('12.5', '3')
    """
    return exact_text(hundredths * (SCALE // 100))
