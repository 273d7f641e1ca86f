"""Exact money while reading: integer 分 (0.01元), fine enough for 元 with two decimals.

Disclosures print amounts in 万元 (two decimals), sometimes in 元 ("31,205.40元")
and rarely in 亿元. Everything read from a document is held as an ``int`` count
of 分 (1万元 = 1,000,000分), so "31,205.40元" stays 3.120540万元 and is never
confused with "3.12万元". The dataset stores hundredths of 万元: :func:`to_dataset`
rounds half up only there, and says so in the row's note.

Examples:
    >>> money("31,205.40", "元")
    3120540
    >>> money("2,940.05", "万元")
    2940050000
    >>> fen_text(3120540), fen_text(2940050000), fen_text(-500000)
    ('3.12054', '2940.05', '-0.5')
    >>> to_dataset(3120540, "31,205.40元")
    (312, '原文31,205.40元（3.12054万元），四舍五入为3.12万元')
    >>> to_dataset(2940050000, "2940.05万元")
    (294005, '')
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["FEN", "HUNDREDTH", "fen_text", "money", "per_unit", "to_dataset", "wan"]

#: 分 per 万元.
FEN = 1_000_000
#: 分 per 0.01万元 (one hundredth, the dataset's unit).
HUNDREDTH = 10_000
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
    d = wan(fen).normalize()
    text = f"{d:f}"
    return text


def to_dataset(fen: int, printed: str = "") -> tuple[int, str]:
    """Hundredths of 万元 for the dataset, and a note when 分 had to be rounded."""
    hundredths = int((Decimal(fen) / HUNDREDTH).to_integral_value(rounding=ROUND_HALF_UP))
    if hundredths * HUNDREDTH == fen:
        return hundredths, ""
    shown = Decimal(hundredths) / 100
    origin = f"原文{printed}（{fen_text(fen)}万元）" if printed else f"{fen_text(fen)}万元"
    return hundredths, f"{origin}，四舍五入为{shown:.2f}万元"
