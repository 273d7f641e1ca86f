"""Reconciliation checks on the shipped seed dataset (data/): golden figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.checks import RULES, findings_frame, run_checks, summarise

DATA = Path(__file__).resolve().parents[2] / "data"
E, Y = "lusong-xzsp", 2020


@pytest.fixture(scope="module")
def findings():
    return run_checks(load_dataset(DATA), E, Y, text_checks=False)


def one(findings, rule, contains=""):
    hits = [f for f in findings if f.rule == rule and contains in f.message]
    assert len(hits) == 1, [f.message for f in findings if f.rule == rule]
    return hits[0]


def test_no_errors_and_nothing_fails(findings):
    s = summarise(findings)
    assert s["error"] == 0
    assert s["fail"] == 0
    assert s["pass"] == 50
    assert not [f for f in findings if f.is_error]


def test_every_rule_reports_something(findings):
    assert {f.rule for f in findings} == set(RULES)
    assert all(f.entity_id == E and f.year == Y for f in findings)


def test_t01_totals_balance(findings):
    f = one(findings, "T01-5")
    assert f.status == "pass"
    assert f.figures == {"01表支出总计": "335.78", "01表收入总计": "335.78", "差额": "0"}
    t013 = one(findings, "T01-3")
    assert t013.status == "pass"
    assert "335.78 = 258.47 + 77.31 = 335.78" in t013.message


def test_t03_basic_plus_project(findings):
    f = one(findings, "T03-1")
    assert f.status == "pass"
    assert f.figures["03表基本支出"] == "190.92"
    assert f.figures["03表项目支出"] == "144.86"
    assert "335.78 = 190.92 + 144.86 + 0 + 0 + 0 = 335.78" in f.message
    assert f.tolerance == "±0.05万元"


def test_t05_hierarchy(findings):
    kuan = one(findings, "T05-2", "[20103 政府办公厅（室）及相关机构事务]支出决算合计等于")
    assert kuan.status == "pass"
    assert "248.47 = 99.2 + 26 + 123.27 = 248.47" in kuan.message
    lei = one(findings, "T05-2", "[201 一般公共服务支出]支出决算合计等于")
    assert lei.status == "pass"
    assert "258.47 = 248.47 + 10 = 258.47" in lei.message
    total = one(findings, "T05-2", "支出决算合计（合计）等于各类之和")
    assert total.status == "pass"
    assert "335.78 = 258.47 + 77.31 = 335.78" in total.message
    budget = one(findings, "T05-2", "年初预算数（合计）")
    assert "200.35 = 200.35 + 0 = 200.35" in budget.message


def test_x11_basic_equals_personnel_plus_public(findings):
    f = one(findings, "X-11")
    assert f.status == "pass"
    assert "190.92 = 179.44 + 11.48 = 190.92" in f.message
    assert f.figures["06表人员经费合计"] == "179.44"
    assert f.tolerance == "±0.02万元"


def test_x13_ops_cost_within_public_cost(findings):
    f = one(findings, "X-13")
    assert f.status == "pass"
    assert f.figures == {"机关运行经费支出": "11.48", "06表公用经费合计": "11.48", "差额": "0"}


def test_n12_procurement(findings):
    parts = one(findings, "N-12", "货物、工程、服务")
    assert parts.status == "pass"
    assert "46.42 = 27.47 + 0 + 18.95 = 46.42" in parts.message
    sme = one(findings, "N-12", "中小企业合同金额不超过政府采购总额")
    assert sme.status == "pass"
    assert "46.42 ≤" in sme.message


def test_three_public_all_zero(findings):
    t071 = [f for f in findings if f.rule == "T07-1"]
    assert [f.status for f in t071] == ["pass", "pass"]
    assert all("0 = 0 + 0 + 0 = 0" in f.message for f in t071)
    assert [f.status for f in findings if f.rule == "T07-3"] == ["pass", "pass"]
    assert one(findings, "X-15").status == "pass"
    assert {f.status for f in findings if f.rule == "N-9"} == {"pass"}


def test_empty_fund_tables(findings):
    x14 = [f for f in findings if f.rule == "X-14"]
    assert [f.status for f in x14] == ["pass", "pass"]
    assert x14[0].figures["08表公开状态"] == "空表"


def test_missing_inputs_are_not_applicable(findings):
    for rule in ("T02-1", "T02-2", "X-1", "X-2", "T06-1", "X-12", "T04-3"):
        statuses = {f.status for f in findings if f.rule == rule}
        assert statuses == {"not_applicable"}, rule
    t062 = one(findings, "T06-2")
    assert "缺少06表[301 工资福利支出]" in t062.message


def test_derived_year_2019():
    found = run_checks(load_dataset(DATA), E, 2019, text_checks=False)
    assert summarise(found)["fail"] == 0
    assert one(found, "T01-5").figures["01表收入总计"] == "662.95"
    assert one(found, "N-9").status == "not_applicable"


def test_findings_frame(findings):
    df = findings_frame(findings)
    assert len(df) == len(findings) == 71
    row = df[df["rule"] == "X-11"].iloc[0]
    assert (
        row["figures"]
        == "05表基本支出 190.92；06表人员经费合计 179.44；06表公用经费合计 11.48；差额 0"
    )
    assert row["year"] == 2020
