"""Exact amounts and percentages, and how the disclosures print them.

Amounts are held as whole *minor units*: millionths of their unit (:data:`SCALE`).
For money in 万元 that is 分 (0.01元 = 0.000001万元), fine enough for a figure
printed in 元 with two decimals, so "31,205.40元" stays 3.120540万元. An ``int``
is exact, sums are exact and pandas can add them vectorised (``int64`` holds
up to about 9.2 万亿万元). :class:`~decimal.Decimal` is the public scalar type.
Nothing here ever goes through a binary float.

Rounding is 四舍五入 (round half up, away from zero for ties) and happens only
when a value is presented.

Percentages stay exact as :class:`~fractions.Fraction` (see :func:`pct`) until
they are presented; :func:`round_half_up`, :func:`ratio_pct`, :func:`format_pct`
and :func:`format_number` accept a ``Fraction`` as well as a ``Decimal``.

Examples:
    >>> parse_amount("335.78")
    335780000
    >>> to_decimal(335780000), to_decimal(3120540)
    (Decimal('335.78'), Decimal('3.12054'))
    >>> amount_text(3120540), exact_text(3120540)
    ('3.12', '3.12054')
    >>> format_amount(Decimal("99.20"))
    '99.2万元'
    >>> format_pct(ratio_pct(32717, 66295))
    '49.4%'
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

__all__ = [
    "CENT",
    "DECIMALS",
    "SCALE",
    "Exact",
    "amount_text",
    "exact_text",
    "format_amount",
    "format_number",
    "format_pct",
    "from_decimal",
    "parse_amount",
    "pct",
    "ratio_pct",
    "round_half_up",
    "sign",
    "to_decimal",
]

#: An exact number: what the functions below accept (never a float).
Exact = int | Decimal | Fraction

#: Minor units per unit: amounts are stored as ``int(value * SCALE)`` (for 万元: 分).
SCALE = 1_000_000
#: Decimals of the unit one minor unit is (0.000001万元 = 1分).
DECIMALS = 6
#: Minor units per 0.01 of the unit (0.01万元 = 10,000分): the last digit amounts are
#: printed to, so the step of rounding tolerances (a money amount, not an integer).
CENT = 10_000
_TOO_FINE = "金额最多六位小数，即 1分 = 0.000001万元 (at most 6 decimals)"

_PLAIN = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def parse_amount(text: str) -> int:
    """Parse a written amount into exact minor units (millionths of its unit).

    Accepts an optional sign, digits, thousands separators in groups of three
    and at most six decimals. Anything else raises :class:`ValueError` whose
    message says what was expected; nothing is ever turned into NaN.

    Args:
        text: The amount as written, e.g. ``"2,940.05"``.

    Returns:
        The amount in minor units of its unit (分 for 万元).

    Raises:
        ValueError: If ``text`` is not a number with at most six decimals.

    Examples:
        >>> parse_amount("26")
        26000000
        >>> parse_amount("2,940.05")
        2940050000
        >>> parse_amount("-10.1"), parse_amount("3.12054")
        (-10100000, 3120540)
        >>> parse_amount("12.3456789")
        Traceback (most recent call last):
        ...
        ValueError: 金额最多六位小数，即 1分 = 0.000001万元 (at most 6 decimals): '12.3456789'
    """
    if not isinstance(text, str):
        raise ValueError(f"应为数字文本 (expected a number as text): {text!r}")
    s = text.strip()
    if not (_PLAIN.match(s) or _GROUPED.match(s)):
        raise ValueError(f"应为数字，例如 335.78 (expected a number such as 335.78): {text!r}")
    s = s.replace(",", "")
    if "." in s and len(s.split(".", 1)[1]) > DECIMALS:
        raise ValueError(f"{_TOO_FINE}: {text!r}")
    return from_decimal(Decimal(s))


def from_decimal(value: Decimal | int | str) -> int:
    """Convert an exact decimal amount into minor units (millionths).

    Args:
        value: A :class:`Decimal`, ``int`` or numeric string with at most six
            decimals. Floats are refused because they are not exact.

    Returns:
        The amount in minor units.

    Raises:
        TypeError: If ``value`` is a float.
        ValueError: If ``value`` has more than six decimals.

    Examples:
        >>> from_decimal(Decimal("11.48"))
        11480000
        >>> from_decimal(3)
        3000000
    """
    if isinstance(value, float):
        raise TypeError("金额不能是二进制浮点数 (floats are not exact; use Decimal or str)")
    try:
        d = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"应为数字 (expected a number): {value!r}") from exc
    scaled = d * SCALE
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"{_TOO_FINE}: {value!r}")
    return int(scaled)


def to_decimal(minor: int) -> Decimal:
    """Turn minor units back into an exact :class:`Decimal` (at least two decimals).

    A whole 0.01 keeps two decimals, as the disclosures print it; a finer
    amount keeps the decimals it needs (at most six), never rounded.

    Examples:
        >>> to_decimal(10180000)
        Decimal('10.18')
        >>> to_decimal(-26000000)
        Decimal('-26.00')
        >>> to_decimal(3120540), to_decimal(1)
        (Decimal('3.12054'), Decimal('0.000001'))
    """
    m = int(minor)
    if m % CENT == 0:  # a whole 0.01, as printed: the common case
        return Decimal(m // CENT).scaleb(-2)
    places = DECIMALS
    while places > 2 and m % 10 ** (DECIMALS - places + 1) == 0:
        places -= 1
    return Decimal(m // 10 ** (DECIMALS - places)).scaleb(-places)


def _fraction(value: Exact) -> Fraction:
    """``value`` as an exact Fraction; floats are refused (they are not exact)."""
    if isinstance(value, float | bool) or not isinstance(value, int | Decimal | Fraction):
        raise TypeError(f"应为精确数值 int/Decimal/Fraction (floats are not exact): {value!r}")
    return Fraction(value)


def round_half_up(value: Exact, decimals: int = 2) -> Decimal:
    """Round 四舍五入 (ties away from zero), exactly, to ``decimals`` decimals.

    Accepts ``int``, :class:`Decimal` or :class:`~fractions.Fraction`; the
    rounding is done with integer arithmetic, so ties such as 0.125 or 1/16 of
    a hundred always round up. A result of zero is never negative.

    Examples:
        >>> round_half_up(Decimal("0.125"), 2)
        Decimal('0.13')
        >>> round_half_up(Decimal("-2.5"), 0)
        Decimal('-3')
        >>> round_half_up(Fraction(100, 16), 1)   # 6.25 -> 6.3
        Decimal('6.3')
        >>> round_half_up(Fraction(-1, 30), 1)    # -0.03… -> 0.0, not -0.0
        Decimal('0.0')
        >>> round(0.125, 2)  # Python's float round is not 四舍五入
        0.12
    """
    f = _fraction(value)
    scale = 10**decimals
    q, r = divmod(abs(f.numerator) * scale, f.denominator)
    if 2 * r >= f.denominator:
        q += 1
    sign = -1 if f < 0 and q else 1
    return Decimal(sign * q).scaleb(-decimals)


def pct(numerator: Exact, denominator: Exact | None) -> Fraction | None:
    """Exact percentage ``numerator / denominator × 100`` as a Fraction.

    Nothing is rounded: keep this until presentation, then use
    :func:`round_half_up` or :func:`format_pct`. A zero or missing
    denominator (or a missing numerator) gives ``None``: no rate exists.

    Examples:
        >>> pct(1, 16)
        Fraction(25, 4)
        >>> pct(32717, 66295) == Fraction(3271700, 66295)
        True
        >>> format_pct(pct(Decimal("10"), Decimal("200.35")))
        '5.0%'
        >>> pct(5, 0) is None, pct(None, 5) is None
        (True, True)
    """
    if numerator is None or denominator is None:
        return None
    den = _fraction(denominator)
    if den == 0:
        return None
    return _fraction(numerator) * 100 / den


def ratio_pct(numerator: Exact, denominator: Exact | None, decimals: int = 1) -> Decimal | None:
    """Percentage ``numerator / denominator × 100``, rounded half up.

    The ratio is computed exactly (see :func:`pct`), so a ratio that lies
    exactly on a tie (…x5) always rounds up, and no float artefact can appear.
    Both arguments must be in the same unit (e.g. both minor units).

    Args:
        numerator: Part, as an int, Decimal or Fraction.
        denominator: Whole. ``0`` or ``None`` gives ``None``: no rate exists.
        decimals: Decimals to keep (1 by default; some regions print 2).

    Returns:
        The rounded percentage as a :class:`Decimal`, or ``None``.

    Examples:
        >>> ratio_pct(33578, 20035)
        Decimal('167.6')
        >>> ratio_pct(1, 8, decimals=1)   # 12.5 exactly, one decimal kept
        Decimal('12.5')
        >>> ratio_pct(1, 16, decimals=1)  # 6.25 is a tie: half up gives 6.3
        Decimal('6.3')
        >>> ratio_pct(7, 0) is None
        True
    """
    p = pct(numerator, denominator)
    return None if p is None else round_half_up(p, decimals)


def format_number(value: Exact | None, decimals: int = 2, *, keep_zeros: bool = False) -> str:
    """Write a number the way disclosures do: up to ``decimals`` decimals.

    Trailing zeros are dropped unless ``keep_zeros`` is set.

    Examples:
        >>> format_number(Decimal("99.20"))
        '99.2'
        >>> format_number(Decimal("26.00"))
        '26'
        >>> format_number(Decimal("0.1") + Decimal("0.2"))
        '0.3'
        >>> format_number(Decimal("100.0"), 1, keep_zeros=True)
        '100.0'
    """
    if value is None:
        return "—"
    d = round_half_up(value, decimals)
    if keep_zeros:
        return f"{d:f}"
    with localcontext() as ctx:
        ctx.prec = 40
        text = f"{d.normalize():f}" if d != 0 else "0"
    return text


def format_amount(value: Exact | None, unit: str = "万元") -> str:
    """Write an amount in 万元 as the disclosures do.

    Examples:
        >>> format_amount(Decimal("11.48"))
        '11.48万元'
        >>> format_amount(Decimal("26.00"))
        '26万元'
        >>> format_amount(None)
        '—'
    """
    if value is None:
        return "—"
    return f"{format_number(value, 2)}{unit}"


def format_pct(value: Exact | None, decimals: int = 1) -> str:
    """Write a percentage with a fixed number of decimals (``100.0%``).

    ``None`` (no rate defined) is written as an em dash; callers that write
    sentences should say in words why there is no rate.

    Examples:
        >>> format_pct(Decimal("5"))
        '5.0%'
        >>> format_pct(Decimal("71.65"), 2)
        '71.65%'
        >>> format_pct(Fraction(1, 8) * 100, 2)   # exact 12.5
        '12.50%'
        >>> format_pct(Decimal("0.1") + Decimal("0.2"))
        '0.3%'
        >>> format_pct(None)
        '—'
    """
    if value is None:
        return "—"
    return f"{round_half_up(value, decimals):f}%"


def sign(value: Exact) -> int:
    """``1``, ``-1`` or ``0``: the direction of an exact change.

    Examples:
        >>> sign(Decimal("-0.01")), sign(0), sign(Fraction(1, 3))
        (-1, 0, 1)
    """
    return (value > 0) - (value < 0)


def amount_text(minor: int | None) -> str:
    """Minor units presented as the disclosures print them (no unit), or ``—``.

    Rounded half up to 0.01 (this is presentation); :func:`exact_text` keeps
    every digit.

    Examples:
        >>> amount_text(335780000), amount_text(26000000), amount_text(None)
        ('335.78', '26', '—')
        >>> amount_text(3120540), amount_text(3125000)
        ('3.12', '3.13')
    """
    return "—" if minor is None else format_number(to_decimal(minor))


def exact_text(minor: int) -> str:
    """Minor units written exactly, without trailing zeros (as data files keep them).

    Examples:
        >>> exact_text(335780000), exact_text(26000000), exact_text(3120540)
        ('335.78', '26', '3.12054')
        >>> exact_text(-500000), exact_text(0)
        ('-0.5', '0')
    """
    return format_number(to_decimal(minor), DECIMALS)
