"""The 数据核对 section, the bridge to the narrative checks, and percentage tolerance."""

from __future__ import annotations

import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.checks import run_checks
from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.checks.text_loader import NARRATIVE_MODULES
from fiscal_analysis.checks.tolerance import (
    compare_at_most,
    compare_equal,
    format_tolerance,
    pct_matches,
    pct_tolerance,
    printed_places,
    sum_tolerance,
)
from fiscal_analysis.money import parse_amount as fen
from fiscal_analysis.report.review import COLUMNS, review_section, rule_title

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "checks"


@pytest.fixture
def no_narrative(monkeypatch):
    for name in NARRATIVE_MODULES:
        monkeypatch.setitem(sys.modules, name, None)


@pytest.fixture
def fake_narrative(monkeypatch):
    calls = []

    def check_narrative(text, ds, entity_id, year):
        calls.append((text, entity_id, year))
        return [
            Finding("N-1", "pass", "error", "收支总计相符", entity_id, year, {"收支总计": "335.78"})
        ]

    module = types.ModuleType(NARRATIVE_MODULES[0])
    module.check_narrative = check_narrative
    monkeypatch.setitem(sys.modules, NARRATIVE_MODULES[0], module)
    return calls


def test_review_seed(no_narrative):
    r = review_section(load_dataset(DATA).entity_year("lusong-xzsp", 2020))
    assert r.counts["error"] == 0 and r.counts["pass"] == 50
    assert (
        r.summary
        == "按勾稽关系规则核对 50 项：50 项相符；未发现错误。另有 22 项因缺少所需数字未能核对。"
    )
    assert list(r.table.columns) == COLUMNS
    assert len(r.table) == 22
    assert set(r.table["结果"]) == {"不适用"}
    assert r.errors == []


def test_review_errors_first(no_narrative):
    r = review_section(load_dataset(FIXTURES / "errors").entity_year("putuo-czj", 2024))
    assert r.summary.startswith(
        "按勾稽关系规则核对 148 项：发现 7 项错误（见下表），需核实原表或数据；"
    )
    assert r.table["规则"].tolist()[:2] == [rule_title("T06-3"), rule_title("T07-1")]
    assert "133 项相符，8 项差异在取整误差以内" in r.summary
    assert list(r.table["结果"][:7]) == ["错误"] * 7
    assert r.table["结果"].iloc[7] == "提示"
    x11 = r.table[r.table["规则"] == rule_title("X-11")].iloc[0]
    assert x11["容差"] == "±0.02万元"
    assert "06表公用经费合计 194.65" in x11["涉及数字"]


def test_review_putuo_rounding(no_narrative):
    r = review_section(
        load_dataset(FIXTURES / "putuo").entity_year("上海市普陀区财政局（测试数据）", 2024)
    )
    assert r.entity_id == "putuo-czj"
    assert "8 项差异在取整误差以内（各级数字分别四舍五入所致，不是错误）；未发现错误" in r.summary


def test_text_checks_skipped_when_module_missing(no_narrative):
    found = run_checks(load_dataset(DATA), "lusong-xzsp", 2020)
    text = [f for f in found if f.rule == "N-TEXT"]
    assert len(text) == 1
    assert text[0].status == "not_applicable"
    assert "文字核对模块尚未提供" in text[0].message


def test_text_checks_get_the_raw_document(fake_narrative):
    found = run_checks(load_dataset(DATA), "lusong-xzsp", 2020)
    assert len(fake_narrative) == 1
    text, eid, year = fake_narrative[0]
    assert (eid, year) == ("lusong-xzsp", 2020)
    assert "2020年度收、支总计335.78万元" in text
    assert [f.rule for f in found][-1] == "N-1"
    # 2019 has no document of its own: said so, not silently skipped
    found = run_checks(load_dataset(DATA), "lusong-xzsp", 2019)
    assert len(fake_narrative) == 1
    assert [f.status for f in found if f.rule == "N-TEXT"] == ["not_applicable"]


def test_text_checks_off(fake_narrative):
    found = run_checks(load_dataset(DATA), "lusong-xzsp", 2020, text_checks=False)
    assert fake_narrative == []
    assert not [f for f in found if f.rule.startswith("N-TEXT") or f.rule == "N-1"]


def test_failing_text_check_is_an_error_not_a_silent_pass(monkeypatch):
    def check_narrative(text, ds, entity_id, year):
        raise ValueError("boom")

    module = types.ModuleType(NARRATIVE_MODULES[0])
    module.check_narrative = check_narrative
    monkeypatch.setitem(sys.modules, NARRATIVE_MODULES[0], module)
    found = run_checks(load_dataset(DATA), "lusong-xzsp", 2020)
    f = next(f for f in found if f.rule == "N-TEXT")
    assert (f.status, f.severity) == ("fail", "error")  # `check` exits 1: the check did not run
    assert "ValueError: boom" in f.message


# -- tolerance ----------------------------------------------------------------------------


def test_sum_tolerance_per_addend():
    # amounts in 分 (万元 text parsed exactly); the tolerance is 0.01万元 of money per addend
    assert compare_equal(fen("2940.06"), fen("2940.05"), 4).severity == "info"
    assert compare_equal(fen("2940.10"), fen("2940.05"), 4).severity == "error"
    assert compare_equal(fen("326.72"), fen("326.71")).rounding
    assert compare_equal(fen("326.73"), fen("326.71")).status == "fail"
    assert compare_equal(fen("326.73"), fen("326.71")).severity == "error"
    assert compare_at_most(fen("21.63"), fen("49.14")).status == "pass"
    assert compare_at_most(fen("49.15"), fen("49.14")).rounding
    assert sum_tolerance(2) == fen("0.02") and format_tolerance(sum_tolerance(2)) == "±0.02万元"


def test_tolerance_is_money_not_an_integer_step():
    # 31,205.40元 kept exact (3.12054万元) against a figure printed as 3.12万元: 0.00054万元
    # apart, within ±0.01万元; 3.14万元 is 0.01946万元 apart, beyond it.
    near = compare_equal(fen("3.12054"), fen("3.12"))
    assert near.rounding and near.diff == 540 and near.tolerance == 10_000
    assert compare_equal(fen("3.14"), fen("3.12054")).severity == "error"
    assert compare_equal(fen("3.12054"), fen("3.120540")).status == "pass"


def test_percent_tolerance_from_printed_precision():
    assert printed_places("98.20%") == 2
    assert printed_places("31%") == 0
    assert pct_matches("99.79%", fen("2940.05"), fen("2946.25"))
    assert pct_matches("98.20%", fen("2940.05"), fen("2993.92"))
    assert pct_matches("71.65%", fen("2106.66"), fen("2940.05"))
    assert not pct_matches("71.73%", fen("2106.66"), fen("2940.05"))  # the 普陀 sample's error
    assert pct_matches("49.4%", fen("327.17"), fen("662.95"))
    assert pct_matches("49%", fen("327.17"), fen("662.95"))
    assert not pct_matches("49.5%", fen("327.17"), fen("662.95"))
    assert pct_matches("1.87%", fen("56.95"), fen("3052.34"))
    assert pct_matches("5%", 100, 0) is None
    assert pct_tolerance("71.73%") == Decimal("0.005")
