"""The vectorised PEFA panel: worked examples, band edges, agreement with the exact definition."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics.entity import budget_completion
from fiscal_analysis.metrics.pefa import (
    outturn,
    outturn_panel,
    outturn_panel_from_lines,
    outturn_table,
)
from fiscal_analysis.money import ratio_pct, round_half_up
from fiscal_analysis.testing.synth import write_panel


def _lines(actual, budget, entity="e", year=2020):
    n = len(actual)
    return pd.DataFrame(
        {"entity_id": [entity] * n, "year": [year] * n, "actual": actual, "budget": budget}
    )


def test_worked_example_in_fen():
    t = outturn_panel_from_lines(_lines([9000, 6000, 6000], [10000, 5000, 5000]), decimals=2)
    row = t.iloc[0]
    assert row["aggregate_rounded"] == Decimal("105.00")
    assert row["aggregate_band"] == "A"  # 105 % is inside A: edges are inclusive
    assert row["composition_rounded"] == Decimal("14.29")
    assert row["composition_band"] == "C"


@pytest.mark.parametrize(
    ("actual", "band"),
    [(9500, "A"), (9499, "B"), (11000, "B"), (11001, "C"), (8500, "C"), (8499, "D")],
)
def test_aggregate_band_edges(actual, band):
    t = outturn_panel_from_lines(_lines([actual], [10000]))
    assert t["aggregate_band"].tolist() == [band]


def test_zero_budget_gives_no_rate_and_no_band():
    t = outturn_panel_from_lines(_lines([100, 50], [0, 0]))
    assert t["aggregate_rounded"].tolist() == [None]
    assert t["aggregate_band"].tolist() == [None]


def test_huge_amounts_do_not_overflow():
    big = 9 * 10**15  # 分; products exceed int64
    t = outturn_panel_from_lines(_lines([big, big], [big, 2 * big]))
    assert t["aggregate_rounded"].tolist() == [ratio_pct(2 * big, 3 * big)]


def test_seed_panel_agrees_with_exact_outturn_of_its_lines():
    ds = load_dataset("data")
    _compare(ds)


def test_synthetic_panel_agrees_with_exact_outturn_of_its_lines(tmp_path):
    write_panel(tmp_path, entities=4, years=3)
    _compare(load_dataset(tmp_path))


def _compare(ds):
    """Each entity-year's panel row against outturn() of its 项 lines, read one by one."""
    panel = outturn_panel(ds, decimals=2).set_index(["entity_id", "year"])
    table = outturn_table(ds).set_index(["entity_id", "year"])
    assert len(panel) > 0 and list(table.index) == list(panel.index)
    for key, p in panel.iterrows():
        lines = budget_completion(ds.entity_year(*key))
        lines = lines[lines["actual"].notna() & lines["budget"].notna()]
        o = outturn(list(lines["actual"]), list(lines["budget"]))
        assert int(p["n_lines"]) == len(lines) == table.loc[key, "n_lines"]
        for name in ("aggregate", "composition"):
            exact = getattr(o, name)
            assert table.loc[key, name] == exact, (key, name)
            expected = None if exact is None else round_half_up(exact, 2)
            assert p[f"{name}_rounded"] == expected, (key, name)
            assert p[f"{name}_band"] == getattr(o, f"{name}_band"), (key, name)


def test_composition_rounding_of_products_beyond_int64_matches_ratio_pct_row_by_row():
    # PI-2's numerator and denominator are products of 分 (beyond int64 for real
    # budgets): the vectorised rounding must agree with the exact per-row definition,
    # ties and signs included.
    import random

    rng = random.Random(15)
    frames = []
    for k in range(300):
        n = rng.randint(1, 6)
        actual = [rng.randint(-(10**12), 5 * 10**12) for _ in range(n)]
        budget = [rng.randint(0, 5 * 10**12) for _ in range(n)]
        if k % 7 == 0:
            budget = [0] * n  # no rate, no band
        frames.append(_lines(actual, budget, entity=f"e{k:03d}"))
    lines = pd.concat(frames, ignore_index=True)
    t = outturn_panel_from_lines(lines, decimals=2)
    assert max(t["composition_den"]) > 2**63  # the big-int path is exercised
    for _, r in t.iterrows():
        assert r["composition_rounded"] == ratio_pct(r["composition_num"], r["composition_den"], 2)
        assert r["aggregate_rounded"] == ratio_pct(r["aggregate_num"], r["aggregate_den"], 2)
    assert t["composition_rounded"].isna().sum() == len(range(0, 300, 7))
    # Lines in any order give the same panel (the groups are sorted, not assumed contiguous).
    shuffled = outturn_panel_from_lines(lines.sample(frac=1, random_state=3), decimals=2)
    pd.testing.assert_frame_equal(shuffled, t, check_exact=True)


@pytest.mark.parametrize("step", [10_000, 1], ids=["whole-0.01-wan", "any-fen"])
def test_exact_sums_and_products_in_fen_whatever_the_amounts_step(step):
    """Whole 0.01万元 amounts are multiplied in units of 0.01万元 (int64) and scaled back:
    the exact 分 sums and products must equal Python's, far beyond int64."""
    import random

    rng = random.Random(7)
    frames, expected = [], {}
    for k in range(40):
        n = rng.randint(1, 5)
        actual = [rng.randint(0, 9 * 10**8) * step for _ in range(n)]
        budget = [rng.randint(1, 9 * 10**8) * step for _ in range(n)]
        frames.append(_lines(actual, budget, entity=f"e{k:02d}"))
        sa, sb = sum(actual), sum(budget)
        spread = sum(abs(a * sb - sa * b) for a, b in zip(actual, budget, strict=True))
        expected[f"e{k:02d}"] = (sa, sb, spread, sa * sb)
    t = outturn_panel_from_lines(pd.concat(frames, ignore_index=True), decimals=2)
    got = {
        r.entity_id: (r.aggregate_num, r.aggregate_den, r.composition_num, r.composition_den)
        for r in t.itertuples()
    }
    assert got == expected
    assert all(type(v) is int for row in got.values() for v in row)
    if step == 10_000:
        assert max(v[3] for v in got.values()) > 2**63  # products of 分 beyond int64
