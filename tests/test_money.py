"""Exact money and percentage presentation: half-up rounding, no float artefacts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from fiscal_analysis.money import (
    format_amount,
    format_number,
    format_pct,
    parse_amount,
    pct,
    ratio_pct,
    round_half_up,
    to_decimal,
)


@pytest.mark.parametrize(
    ("num", "den", "decimals", "expected"),
    [
        (1, 16, 1, "6.3"),  # 6.25 exactly: half up
        (1, 8, 0, "13"),  # 12.5 exactly
        (1, 8, 2, "12.50"),
        (1, 3, 2, "33.33"),
        (2, 3, 1, "66.7"),
        (-1, 16, 1, "-6.3"),  # ties away from zero
        (32717, 66295, 1, "49.4"),
        (33578, 20035, 1, "167.6"),
        (1000, 20035, 1, "5.0"),
    ],
)
def test_ratio_pct_half_up(num, den, decimals, expected):
    assert ratio_pct(num, den, decimals) == Decimal(expected)
    assert str(ratio_pct(num, den, decimals)) == expected


def test_round_half_up_ties():
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_half_up(Fraction(1, 8), 2) == Decimal("0.13")
    assert round_half_up(Decimal("2.5"), 0) == Decimal("3")
    assert round_half_up(Decimal("0.05"), 1) == Decimal("0.1")
    assert str(round_half_up(Fraction(-1, 100), 1)) == "0.0"  # never '-0.0'


def test_round_refuses_float():
    with pytest.raises(TypeError):
        round_half_up(0.125, 2)  # type: ignore[arg-type]


def test_zero_or_missing_denominator_gives_no_rate():
    assert ratio_pct(5, 0) is None
    assert ratio_pct(5, None) is None
    assert pct(Decimal("99.2"), Decimal("0")) is None
    assert format_pct(None) == "—"


def test_no_float_artefact_reaches_text():
    total = Decimal("0.1") + Decimal("0.2")
    assert format_number(total) == "0.3"
    assert format_amount(total) == "0.3万元"
    assert format_pct(total) == "0.3%"
    assert "0000000" not in format_pct(pct(Decimal("0.3"), Decimal("1")), 2)


def test_format_pct_accepts_fraction_and_places():
    assert format_pct(Fraction(100, 16)) == "6.3%"
    assert format_pct(Fraction(100, 7), 2) == "14.29%"
    assert format_pct(Fraction(100, 1)) == "100.0%"
    assert format_pct(Fraction(100, 1), 2) == "100.00%"
    assert format_pct(Fraction(1, 3), 0) == "0%"


def test_amounts_written_like_disclosures():
    assert format_amount(to_decimal(parse_amount("99.20"))) == "99.2万元"
    assert format_amount(to_decimal(parse_amount("26"))) == "26万元"
    assert format_amount(to_decimal(parse_amount("11.48"))) == "11.48万元"
    assert format_amount(Decimal("0")) == "0万元"
    assert format_amount(Decimal("-10.18")) == "-10.18万元"


def test_pct_is_exact():
    assert pct(1, 16) == Fraction(25, 4)
    assert pct(Decimal("10"), Decimal("200.35")) == Fraction(1000 * 100, 20035)
