"""Rounding tolerance for reconciliation checks (reference §3.4).

Amounts are rounded from 元 to 0.01万元 independently at every level, so a
total need not equal the sum of its rounded parts. A difference of at most
0.01万元 per addend is a rounding artefact (取整误差): information, not an
error. Anything larger is a real discrepancy.

Percentages are printed with a precision that varies by region; the
tolerance follows the printed precision plus the error propagated from the
two-decimal amounts they are computed from.

All arithmetic is exact: amounts are integer 分 (the dataset's unit,
0.000001万元), percentages :class:`~fractions.Fraction` or
:class:`~decimal.Decimal`. The tolerances are money amounts (0.01万元 =
10,000分 per addend), whatever unit the amounts were printed in.

Examples:
    >>> sum_tolerance(4)
    40000
    >>> compare_equal(2940060000, 2940050000, 4).severity
    'info'
    >>> compare_equal(2940050000, 2940050000, 4).status
    'pass'
    >>> format_tolerance(40000)
    '±0.04万元'
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from fiscal_analysis.money import CENT, format_number, to_decimal

__all__ = [
    "Comparison",
    "compare_at_most",
    "compare_equal",
    "format_tolerance",
    "pct_matches",
    "pct_tolerance",
    "printed_places",
    "sum_tolerance",
]

#: Half a unit of the last printed amount digit (0.005万元), in 分.
_HALF_CENT = Fraction(CENT, 2)


@dataclass(frozen=True)
class Comparison:
    """Outcome of comparing two exact amounts.

    Attributes:
        status: ``pass`` or ``fail``.
        severity: ``info`` when the difference is within tolerance (取整误差),
            otherwise the severity asked for (``error`` by default).
        diff: ``left - right`` in 分.
        tolerance: The tolerance used, in 分.
    """

    status: str
    severity: str
    diff: int
    tolerance: int

    @property
    def rounding(self) -> bool:
        """True for a non-zero difference within the rounding tolerance."""
        return self.status == "fail" and self.severity == "info"


def sum_tolerance(n_addends: int) -> int:
    """Tolerance in 分 for a total of ``n_addends`` rounded parts.

    ±0.01万元 per addend (reference §3.4), at least 0.01万元.

    Examples:
        >>> sum_tolerance(1), sum_tolerance(0), sum_tolerance(8)
        (10000, 10000, 80000)
    """
    return max(1, int(n_addends)) * CENT


def compare_equal(left: int, right: int, n_addends: int = 1, severity: str = "error") -> Comparison:
    """Compare ``left`` with ``right`` (分) allowing rounding.

    Args:
        left: The computed side, e.g. the sum of the parts.
        right: The printed side, e.g. the printed total.
        n_addends: How many rounded figures make up ``left``.
        severity: Severity of a difference beyond tolerance.

    Examples:
        >>> compare_equal(326720000, 326710000)
        Comparison(status='fail', severity='info', diff=10000, tolerance=10000)
        >>> compare_equal(335780000, 334780000, 2)
        Comparison(status='fail', severity='error', diff=1000000, tolerance=20000)
    """
    tol = sum_tolerance(n_addends)
    diff = int(left) - int(right)
    if diff == 0:
        return Comparison("pass", severity, 0, tol)
    if abs(diff) <= tol:
        return Comparison("fail", "info", diff, tol)
    return Comparison("fail", severity, diff, tol)


def compare_at_most(
    left: int, right: int, n_addends: int = 1, severity: str = "error"
) -> Comparison:
    """Check ``left <= right`` (分), allowing rounding.

    Examples:
        >>> compare_at_most(21630000, 49140000).status
        'pass'
        >>> compare_at_most(11490000, 11480000).severity
        'info'
        >>> compare_at_most(12000000, 11480000).severity
        'error'
    """
    tol = sum_tolerance(n_addends)
    diff = int(left) - int(right)
    if diff <= 0:
        return Comparison("pass", severity, diff, tol)
    if diff <= tol:
        return Comparison("fail", "info", diff, tol)
    return Comparison("fail", severity, diff, tol)


def format_tolerance(fen: int, unit: str = "万元") -> str:
    """Write a tolerance in 分 as ``±0.02万元``.

    Examples:
        >>> format_tolerance(10000), format_tolerance(5000)
        ('±0.01万元', '±0.005万元')
    """
    d = to_decimal(fen)
    return f"±{format_number(d, max(2, -d.normalize().as_tuple().exponent), keep_zeros=True)}{unit}"


def printed_places(text: str) -> int:
    """Decimals printed in a percentage such as ``71.73%`` or ``31%``.

    Examples:
        >>> printed_places("71.73%"), printed_places("29.2"), printed_places("0%")
        (2, 1, 0)
    """
    s = text.strip().rstrip("%％").strip()
    return len(s.split(".", 1)[1]) if "." in s else 0


def pct_tolerance(
    printed: str, numerator: int | None = None, denominator: int | None = None
) -> Decimal:
    """Tolerance in percentage points for a printed percentage.

    Half a unit of the printed precision, plus (when the amounts are given in
    分) the error propagated from amounts rounded to 0.01万元:
    ``100 × (0.005/b + a × 0.005/b²)`` for ``a / b``. Computed exactly and
    rounded up to 6 decimals.

    Examples:
        >>> pct_tolerance("71.73%")
        Decimal('0.005')
        >>> pct_tolerance("99.79%", 2940050000, 2946250000)
        Decimal('0.00534')
        >>> pct_tolerance("49.4%", 327170000, 662950000)
        Decimal('0.051127')
    """
    tol = Fraction(1, 2) / Fraction(10) ** printed_places(printed)
    if numerator is not None and denominator:
        a, b = abs(Fraction(numerator)), abs(Fraction(denominator))
        tol += 100 * (_HALF_CENT / b + a * _HALF_CENT / (b * b))
    scaled = tol * 10**6
    up = -(-scaled.numerator // scaled.denominator)
    return Decimal(up).scaleb(-6).normalize()


def pct_matches(printed: str, numerator: int, denominator: int) -> bool | None:
    """Whether a printed percentage recomputes from ``numerator / denominator``.

    Returns ``None`` when the denominator is zero (no percentage exists).

    Examples:
        >>> pct_matches("71.65%", 2106660000, 2940050000)
        True
        >>> pct_matches("71.73%", 2106660000, 2940050000)
        False
        >>> pct_matches("5%", 1, 0) is None
        True
    """
    if not denominator:
        return None
    value = Fraction(Decimal(printed.strip().rstrip("%％").strip()))
    exact = Fraction(int(numerator) * 100, int(denominator))
    return abs(exact - value) <= Fraction(pct_tolerance(printed, numerator, denominator))
