"""PEFA PI-1 / PI-2: worked example, band boundaries, exactness."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics.pefa import (
    aggregate_band,
    aggregate_outturn,
    composition_band,
    composition_variance,
    outturn,
    outturn_table,
    pi_score,
)
from fiscal_analysis.money import format_pct

DATA = Path(__file__).resolve().parents[2] / "data"


def test_worked_example():
    o = outturn([90, 60, 60], [100, 50, 50])
    assert o.composition == Fraction(100, 7)
    assert format_pct(o.composition, 2) == "14.29%"
    assert o.composition_band == "C"
    assert o.aggregate == 105
    assert format_pct(o.aggregate) == "105.0%"
    assert o.aggregate_band == "A"


def test_decimal_inputs_exact():
    a = [Decimal("90.00"), Decimal("60.00"), Decimal("60.00")]
    b = [Decimal("100"), Decimal("50"), Decimal("50")]
    assert composition_variance(a, b) == Fraction(100, 7)


@pytest.mark.parametrize(
    ("value", "band"),
    [
        ("105.0", "A"),
        ("95", "A"),
        ("94.99", "B"),
        ("105.01", "B"),
        ("90", "B"),
        ("110", "B"),
        ("89.99", "C"),
        ("115", "C"),
        ("85", "C"),
        ("84.99", "D"),
        ("115.01", "D"),
        ("167.6", "D"),
    ],
)
def test_aggregate_bands_inclusive(value, band):
    assert aggregate_band(Decimal(value)) == band


def test_aggregate_band_exact_not_rounded():
    just_below = Fraction(95) - Fraction(1, 10**9)  # would round to 95.0 but is below
    assert aggregate_band(just_below) == "B"
    assert aggregate_outturn([95], [100]) == 95


@pytest.mark.parametrize(
    ("value", "band"),
    [
        ("0", "A"),
        ("4.99", "A"),
        ("5", "B"),
        ("9.99", "B"),
        ("10", "C"),
        ("14.99", "C"),
        ("15", "D"),
    ],
)
def test_composition_bands(value, band):
    assert composition_band(Decimal(value)) == band


def test_zero_budget_gives_none():
    assert aggregate_outturn([10], [0]) is None
    assert composition_variance([10, 5], [0, 0]) is None
    o = outturn([0], [0])
    assert o.aggregate is None and o.aggregate_band is None


def test_refuses_float_and_mismatch():
    with pytest.raises(ValueError):
        outturn([1.0], [1])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        outturn([1, 2], [1])


def test_pi_score():
    assert pi_score(["A", "A", "D"]) == "A"
    assert pi_score(["A", "C", "B"]) == "B"
    assert pi_score(["C", "D", "D"]) == "D"
    assert pi_score(["B", "B", "B", "D", "D", "A"]) == "D"  # only the last three count
    assert pi_score(["A", "A"]) is None
    assert pi_score(["A", None, "A"]) is None


def test_outturn_table_seed():
    t = outturn_table(load_dataset(DATA, entities=["lusong-xzsp"]))
    assert list(t["year"]) == [2020]  # 2019 has no 项 budget lines
    r = t.iloc[0]
    assert r["n_lines"] == 5
    assert r["budget"] == Decimal("200.35") and r["actual"] == Decimal("335.78")
    assert r["aggregate"] == Fraction(33578 * 100, 20035)
    assert r["aggregate_band"] == "D"
    # k·B is 335.78 on 2013801 only: |A − kB| = 99.2 + 26 + 123.27 + 325.78 + 77.31 = 651.56
    assert r["composition"] == Fraction(65156 * 100, 33578)
    assert r["composition_band"] == "D"
