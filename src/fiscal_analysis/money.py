"""Exact amounts and percentages, and how the disclosures print them.

Amounts are held as whole *hundredths* of their unit (for money, hundredths of
万元, i.e. 100 元): an ``int`` is exact, sums are exact and pandas can add them
vectorised. :class:`~decimal.Decimal` is the public scalar type. Nothing here
ever goes through a binary float.

Rounding is 四舍五入 (round half up, away from zero for ties) and happens only
when a value is presented.

Examples:
    >>> parse_amount("335.78")
    33578
    >>> to_decimal(33578)
    Decimal('335.78')
    >>> format_amount(Decimal("99.20"))
    '99.2万元'
    >>> format_pct(ratio_pct(32717, 66295))
    '49.4%'
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = [
    "SCALE",
    "format_amount",
    "format_number",
    "format_pct",
    "from_decimal",
    "parse_amount",
    "ratio_pct",
    "round_half_up",
    "to_decimal",
]

#: Hundredths per unit: amounts are stored as ``int(value * SCALE)``.
SCALE = 100

_PLAIN = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def parse_amount(text: str) -> int:
    """Parse a written amount into exact hundredths.

    Accepts an optional sign, digits, thousands separators in groups of three
    and at most two decimals. Anything else raises :class:`ValueError` whose
    message says what was expected; nothing is ever turned into NaN.

    Args:
        text: The amount as written, e.g. ``"2,940.05"``.

    Returns:
        The amount in hundredths of its unit.

    Raises:
        ValueError: If ``text`` is not a number with at most two decimals.

    Examples:
        >>> parse_amount("26")
        2600
        >>> parse_amount("2,940.05")
        294005
        >>> parse_amount("-10.1")
        -1010
        >>> parse_amount("12.345")
        Traceback (most recent call last):
        ...
        ValueError: 金额最多两位小数 (at most 2 decimals, i.e. 0.01): '12.345'
    """
    if not isinstance(text, str):
        raise ValueError(f"应为数字文本 (expected a number as text): {text!r}")
    s = text.strip()
    if not (_PLAIN.match(s) or _GROUPED.match(s)):
        raise ValueError(f"应为数字，例如 335.78 (expected a number such as 335.78): {text!r}")
    s = s.replace(",", "")
    if "." in s and len(s.split(".", 1)[1]) > 2:
        raise ValueError(f"金额最多两位小数 (at most 2 decimals, i.e. 0.01): {text!r}")
    return from_decimal(Decimal(s))


def from_decimal(value: Decimal | int | str) -> int:
    """Convert an exact decimal amount into hundredths.

    Args:
        value: A :class:`Decimal`, ``int`` or numeric string with at most two
            decimals. Floats are refused because they are not exact.

    Returns:
        The amount in hundredths.

    Raises:
        TypeError: If ``value`` is a float.
        ValueError: If ``value`` has more than two decimals.

    Examples:
        >>> from_decimal(Decimal("11.48"))
        1148
        >>> from_decimal(3)
        300
    """
    if isinstance(value, float):
        raise TypeError("金额不能是二进制浮点数 (floats are not exact; use Decimal or str)")
    try:
        d = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"应为数字 (expected a number): {value!r}") from exc
    scaled = d * SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"金额最多两位小数 (at most 2 decimals, i.e. 0.01): {value!r}")
    return int(scaled)


def to_decimal(hundredths: int) -> Decimal:
    """Turn hundredths back into an exact :class:`Decimal`.

    Examples:
        >>> to_decimal(1018)
        Decimal('10.18')
        >>> to_decimal(-2600)
        Decimal('-26.00')
    """
    return Decimal(int(hundredths)).scaleb(-2)


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round a :class:`Decimal` 四舍五入 (ties away from zero).

    Examples:
        >>> round_half_up(Decimal("0.125"), 2)
        Decimal('0.13')
        >>> round_half_up(Decimal("-2.5"), 0)
        Decimal('-3')
        >>> round(0.125, 2)  # Python's float round is not 四舍五入
        0.12
    """
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio_pct(numerator: int | Decimal, denominator: int | Decimal | None, places: int = 1):
    """Percentage ``numerator / denominator × 100``, rounded half up.

    The ratio is computed with integer arithmetic, so a ratio that lies exactly
    on a tie (…x5) always rounds up, and no float artefact can appear.
    Both arguments must be in the same unit (e.g. both hundredths).

    Args:
        numerator: Part, as an int or Decimal.
        denominator: Whole. ``0`` or ``None`` gives ``None``: no rate exists.
        places: Decimals to keep (1 by default; some regions print 2).

    Returns:
        The rounded percentage as a :class:`Decimal`, or ``None``.

    Examples:
        >>> ratio_pct(33578, 20035)
        Decimal('167.6')
        >>> ratio_pct(1, 8, places=1)   # 12.5 exactly, one decimal kept
        Decimal('12.5')
        >>> ratio_pct(1, 16, places=1)  # 6.25 is a tie: half up gives 6.3
        Decimal('6.3')
        >>> ratio_pct(7, 0) is None
        True
    """
    if denominator is None:
        return None
    num, den = Decimal(numerator), Decimal(denominator)
    if den == 0:
        return None
    # Scale both to integers, then do exact integer division with a remainder.
    exp = -min(num.as_tuple().exponent, den.as_tuple().exponent, 0)
    n = int(num.scaleb(exp)) * 100 * 10**places
    d = int(den.scaleb(exp))
    sign = -1 if (n < 0) != (d < 0) else 1
    q, r = divmod(abs(n), abs(d))
    if 2 * r >= abs(d):
        q += 1
    return Decimal(sign * q).scaleb(-places)


def format_number(value: Decimal | int | None, places: int = 2, *, keep_zeros: bool = False) -> str:
    """Write a number the way disclosures do: up to ``places`` decimals.

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
    d = round_half_up(Decimal(value), places)
    if keep_zeros:
        return f"{d:f}"
    with localcontext() as ctx:
        ctx.prec = 40
        text = f"{d.normalize():f}" if d != 0 else "0"
    return text


def format_amount(value: Decimal | None, unit: str = "万元") -> str:
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


def format_pct(value: Decimal | None, places: int = 1) -> str:
    """Write a percentage with a fixed number of decimals (``100.0%``).

    ``None`` (no rate defined) is written as an em dash; callers that write
    sentences should say in words why there is no rate.

    Examples:
        >>> format_pct(Decimal("5"))
        '5.0%'
        >>> format_pct(Decimal("71.65"), 2)
        '71.65%'
        >>> format_pct(None)
        '—'
    """
    if value is None:
        return "—"
    return f"{round_half_up(Decimal(value), places):f}%"
