"""Metrics: change, shares, completion, decomposition, and the Dataset helpers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis import metrics
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics.decompose import allocate_rounded, decompose, decompose_frames
from fiscal_analysis.metrics.exact import (
    budget_direction,
    change,
    completion,
    share,
    shares,
)
from fiscal_analysis.metrics.panel import totals_panel, yoy_change
from fiscal_analysis.money import format_pct, round_half_up

DATA = Path(__file__).resolve().parents[2] / "data"
E = "lusong-xzsp"
D = Decimal


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATA)


# -- change -------------------------------------------------------------------
def test_change_decrease():
    c = change(D("335.78"), D("662.95"))
    assert c.delta == D("-327.17")
    assert c.direction == "减少"
    assert c.pct == Fraction(-32717 * 100, 66295)
    assert c.pct_rounded(1) == D("-49.4")
    assert c.pct_rounded(2) == D("-49.35")


def test_change_flat_and_increase():
    assert change(D("5"), D("5")).direction == "持平"
    assert change(D("5"), D("5")).pct == 0
    c = change(D("12"), D("10"))
    assert (c.direction, c.pct) == ("增加", Fraction(20))


def test_change_zero_base_has_no_pct():
    c = change(D("26"), D("0"))
    assert c.pct is None and c.delta == D("26") and c.direction == "增加"
    assert "上年为0" in c.note
    assert change(D("0"), D("0")).note == ""


def test_change_missing():
    c = change(D("1"), None)
    assert c.delta is None and c.direction is None and c.pct is None
    assert "缺少" in c.note


def test_change_is_frozen():
    c = change(D("1"), D("2"))
    with pytest.raises(AttributeError):
        c.delta = D("0")  # type: ignore[misc]


def test_yoy_change_uses_previous_year_of_same_entity(ds):
    totals = totals_panel(ds, {"grand": ("T01", "income_grand_total")})
    before = totals.copy()
    out = yoy_change(totals).set_index(["entity_id", "year"])
    pd.testing.assert_frame_equal(totals, before)  # input untouched
    row = out.loc[(E, 2020)]
    assert (row["current"], row["prior"], row["delta"]) == (D("335.78"), D("662.95"), D("-327.17"))
    assert str(row["change_rounded"]) == "-49.4"
    assert row["direction"] == "减少"
    first = out.loc[(E, 2019)]
    assert pd.isna(first["prior"]) and pd.isna(first["change_num"]) and first["direction"] is None


def test_yoy_change_gap_and_zero_base():
    idx = pd.MultiIndex.from_tuples(
        [("a", 2017), ("a", 2019), ("b", 2019), ("b", 2020), ("c", 2019), ("c", 2020)],
        names=["entity_id", "year"],
    )
    t = pd.DataFrame({"x": pd.array([10, 20, 0, 5, 7, 7], dtype="Int64")}, index=idx)
    out = yoy_change(t).set_index(["entity_id", "year"])
    assert pd.isna(out.loc[("a", 2019), "prior"])  # 2018 missing: no prior
    assert (
        pd.isna(out.loc[("b", 2020), "change_num"]) and out.loc[("b", 2020), "direction"] == "增加"
    )
    assert out.loc[("b", 2020), "note"] == "上年为0，无法计算增长率"
    assert out.loc[("c", 2020), "direction"] == "持平" and out.loc[("c", 2020), "change_num"] == 0


# -- shares and completion ----------------------------------------------------
def test_shares_missing_part_not_zero():
    rows = shares({"a": D("1"), "b": None}, D("4"))
    assert rows[0].pct == 25
    assert rows[1].pct is None and rows[1].status == "missing"
    assert share(D("1"), None) is None


def test_completion_zero_budget_gives_reason_not_inf():
    c = completion(D("99.2"), D("0"))
    assert c.rate is None and c.direction == "大于" and c.delta == D("99.2")
    assert c.reason == "年初预算为0，无法计算完成率"
    c = completion(D("5"), D("0"), "调整预算")
    assert c.reason == "调整预算为0，无法计算完成率"
    assert completion(D("3"), D("3")).direction == "持平"
    assert budget_direction(D("1"), D("2")) == "小于"


# -- decomposition ------------------------------------------------------------
def test_decompose_sums_exactly():
    prior = {"201": D("500.01"), "210": D("162.94"), "208": D("0.33")}
    current = {"201": D("258.47"), "210": D("77.31"), "213": D("0.01")}
    d = decompose(prior, current)
    assert sum((c.delta for c in d.contributions), D(0)) == d.delta
    assert d.delta == D("335.79") - D("663.28")
    assert sum((c.points for c in d.contributions), Fraction(0)) == d.pct
    assert sum((c.share_of_change for c in d.contributions), Fraction(0)) == 100
    assert [c.key for c in d.contributions] == ["201", "210", "208", "213"]
    for decimals in (0, 1, 2):
        rounded = d.points_rounded(decimals)
        assert sum(rounded, D(0)) == round_half_up(d.pct, decimals)
        for r, c in zip(rounded, d.contributions, strict=True):
            assert abs(Fraction(r) - c.points) < Fraction(1, 10**decimals)


def test_allocate_rounded_thirds():
    out = allocate_rounded([Fraction(100, 3)] * 3, 1)
    assert sum(out, D(0)) == D("100.0")
    assert sorted(out) == [D("33.3"), D("33.3"), D("33.4")]


def test_decompose_refuses_missing_amount():
    with pytest.raises(ValueError, match="无法分解"):
        decompose({"a": None}, {"a": D("1")})  # type: ignore[dict-item]


def test_decompose_frames_from_fen():
    def fen(*values):  # 万元 as 分
        return pd.array([v * 10**6 for v in values], dtype="Int64")

    a = pd.DataFrame({"code": ["201", "210"], "value": fen(10, 5)})
    b = pd.DataFrame({"code": ["201", "210"], "value": fen(9, 8)})
    d = decompose_frames(a, b)
    assert [c.delta for c in d.contributions] == [D("-1.00"), D("3.00")]
    assert d.pct == Fraction(200, 15)
    df = d.to_frame(decimals=1)
    assert list(df["points_rounded"]) == [D("-6.7"), D("20.0")]


# -- Dataset helpers ----------------------------------------------------------
def test_income_structure(ds):
    df = metrics.income_structure(ds.entity_year(E, 2020)).set_index("item")
    assert df.loc["income_fiscal", "amount"] == D("335.78")
    assert format_pct(df.loc["income_fiscal", "share"]) == "100.0%"
    assert df.loc["income_business", "status"] == "derived"
    assert df.attrs["total"] == D("335.78")


def test_structures_2019_missing_are_none(ds):
    df = metrics.expense_structure(ds.entity_year(E, 2019))
    assert all(v is None for v in df["amount"]) and all(v is None for v in df["share"])
    assert set(df["status"]) == {"missing"}
    assert metrics.function_structure(ds.entity_year(E, 2019)).empty
    assert metrics.total_completion(ds.entity_year(E, 2019)).rate is None


def test_function_structure_levels(ds):
    kuan = metrics.function_structure(ds.entity_year(E, 2020), level="款")
    assert list(kuan["code"]) == ["20103", "20138", "21001"]
    xiang = metrics.function_structure(ds.entity_year(E, 2020), level="项")
    assert sum(xiang["amount"], D(0)) == D("335.78")
    assert sum(xiang["share"], Fraction(0)) == 100
    with pytest.raises(ValueError):
        metrics.function_structure(ds.entity_year(E, 2020), level="目")


def test_economic_structure_reports_undisclosed(ds):
    df = metrics.economic_structure(ds.entity_year(E, 2020))
    assert (df["status"] == "undisclosed").all()
    assert all(a is None for a in df["amount"])
    assert set(df["group"]) == {"人员经费", "公用经费"}


def test_budget_completion_frame(ds):
    df = metrics.budget_completion(ds.entity_year(E, 2020)).set_index("code")
    assert list(df.index) == ["2010301", "2010306", "2010399", "2013801", "2100101"]
    for code in ("2010301", "2010306", "2010399", "2100101"):
        assert df.loc[code, "rate"] is None
        assert df.loc[code, "direction"] == "大于"
        assert df.loc[code, "reason"] == "年初预算为0，无法计算完成率"
    assert df.loc["2013801", "delta"] == D("-190.35")
    assert df.loc["2013801", "budget_adjusted"] is None
    assert df.loc["2013801", "rate_adjusted"] is None


def test_three_public_all_zero(ds):
    df = metrics.three_public(ds.entity_year(E, 2020)).set_index("item")
    assert (df["actual"] == D(0)).all()
    assert df.loc["total", "direction"] == "持平"
    assert df.loc["total", "rate"] is None and "预算为0" in df.loc["total", "reason"]
    assert df.loc["vehicle_purchase", "prior"] is None  # not in 2019 data
    assert df.loc["vehicle_purchase", "direction"] is None


def test_pure_functions_do_not_mutate(ds):
    facts_before = ds.facts.copy()
    metrics.budget_completion(ds.entity_year(E, 2020))
    metrics.income_structure(ds.entity_year(E, 2020))
    pd.testing.assert_frame_equal(ds.facts, facts_before)


def test_figure_agrees_with_dataset_record_for_every_fact(ds):
    from dataclasses import replace

    from fiscal_analysis.dataset.model import EntityYear

    for (e, y), f in ds.facts.groupby(["entity_id", "year"]):
        for table, item, code in zip(f["table"], f["item"], f["code"], strict=True):
            row = ds.record(e, y, table, item, code)
            if pd.isna(row["value"]):
                expected = (None, "undisclosed" if row["basis"] == "undisclosed" else "missing")
            else:
                expected = (ds.value(e, y, table, item, code), row["basis"])
            assert EntityYear(ds, e, y).figure(table, item, code) == expected
    assert EntityYear(ds, E, 2020).figure("T05", "total", "999") == (None, "missing")
    # a new Dataset (other frames) is never answered from the old one's figures
    facts = ds.facts.copy()
    facts["value"] = facts["value"] * 2
    doubled = replace(ds, frames={**ds.frames, "facts": facts})
    amount, _ = EntityYear(doubled, E, 2020).figure("T05", "total")
    assert amount == 2 * EntityYear(ds, E, 2020).figure("T05", "total")[0]
