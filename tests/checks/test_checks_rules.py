"""Reconciliation rules on a dataset modelled on the 普陀 sample (reference §4.5),
and on variants of it with one error class each."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.checks import run_checks, summarise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
PUTUO = FIXTURES / "putuo"
E, Y = "putuo-czj", 2024


def build(tmp_path: Path, edits=None, drop=(), statuses=None) -> list:
    """Copy the 普陀 fixture, change facts (key -> value), drop keys, set table statuses, check."""
    dst = tmp_path / "data"
    shutil.copytree(PUTUO, dst)
    edits = dict(edits or {})
    with (dst / "facts.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    out = []
    for r in rows:
        key = (r["table"], r["code"], r["item"])
        if key in drop:
            continue
        if key in edits:
            r["value"] = edits.pop(key)
        out.append(r)
    for (table, code, item), value in edits.items():
        unit = "个" if table == "three_public_counts" else "万元"
        values = [E, str(Y), table, code, item, value, unit, "published", "putuo-2024", "测试", ""]
        out.append(dict(zip(header, values, strict=True)))
    with (dst / "facts.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    if statuses:
        text = (dst / "tables.csv").read_text(encoding="utf-8")
        for table, status in statuses.items():
            for old in ("published", "empty"):
                text = text.replace(f",{table},{old},", f",{table},{status},")
        (dst / "tables.csv").write_text(text, encoding="utf-8")
    return run_checks(load_dataset(dst), E, Y, text_checks=False)


def of(findings, rule, contains=""):
    return [f for f in findings if f.rule == rule and contains in f.message]


def one(findings, rule, contains=""):
    hits = of(findings, rule, contains)
    assert len(hits) == 1, [f.message for f in findings if f.rule == rule]
    return hits[0]


# -- the 普陀-like dataset: every identity holds, up to rounding ---------------------------


@pytest.fixture(scope="module")
def putuo():
    return run_checks(load_dataset(PUTUO), E, Y, text_checks=False)


def test_putuo_only_rounding_info(putuo):
    fails = [f for f in putuo if f.status == "fail"]
    assert fails, "the fixture has rounding differences"
    assert all(f.severity == "info" and f.message.startswith("取整误差") for f in fails)
    s = summarise(putuo)
    assert s["error"] == 0 and s["warning"] == 0
    assert s["info"] == 8
    assert s["pass"] == 140


def test_putuo_t01_identities(putuo):
    t011 = one(putuo, "T01-1")
    assert t011.status == "pass"
    assert "2946.25 = 2940.05 + 0 + 0 + 0 + 0 + 0 + 0 + 6.2 = 2946.25" in t011.message
    t012 = one(putuo, "T01-2")
    assert "2995.39 = 2946.25 + 0 + 49.14 = 2995.39" in t012.message
    t014 = one(putuo, "T01-4")
    assert "2995.39 = 2940.05 + 0 + 55.34 = 2995.39" in t014.message
    assert one(putuo, "T01-3").status == "pass"
    assert one(putuo, "T01-5").status == "pass"


def test_putuo_t04(putuo):
    income = one(putuo, "T04-4", "04表收入总计：")
    assert "2961.68 = 2940.05 + 21.63 = 2961.68" in income.message
    assert one(putuo, "T04-4", "04表支出总计：").status == "pass"
    assert [f.status for f in of(putuo, "T04-3")] == ["pass", "pass"]
    x5 = of(putuo, "X-5")
    assert [f.status for f in x5] == ["pass", "pass"]
    assert "21.63 ≤ 01表年初结转和结余 49.14" in x5[0].message
    assert "21.63 ≤ 01表年末结转和结余 55.34" in x5[1].message


def test_putuo_t05_sum_of_classes_is_rounding(putuo):
    f = one(putuo, "T05-2", "05表支出决算合计（合计）")
    assert (f.status, f.severity) == ("fail", "info")
    assert "2940.05 ≠ 2106.66 + 326.72 + 171.41 + 335.27 = 2940.06" in f.message
    assert f.tolerance == "±0.04万元"
    assert f.figures["差额"] == "0.01"
    kuan = one(putuo, "T05-2", "[20805 行政事业单位养老支出]支出决算合计等于")
    assert kuan.status == "pass"
    assert "326.72 = 84.65 + 160.75 + 80.38 + 0.94 = 326.72" in kuan.message


def test_putuo_208_rounded_differently_across_tables(putuo):
    x3 = one(putuo, "X-3", "208类")
    assert (x3.status, x3.severity) == ("fail", "info")
    assert x3.figures["01表[208 社会保障和就业支出]支出（功能分类类级）"] == "326.71"
    assert x3.figures["03表[208 社会保障和就业支出]本年支出合计"] == "326.72"
    x7 = one(putuo, "X-7", "208类")
    assert (x7.status, x7.severity) == ("fail", "info")
    assert one(putuo, "X-6", "208类").status == "pass"


def test_putuo_t06_and_x11(putuo):
    assert "2152.26 = 2082.85 + 69.41 = 2152.26" in one(putuo, "T06-2").message
    assert "184.65 = 171.07 + 13.58 = 184.65" in one(putuo, "T06-3").message
    x11 = one(putuo, "X-11")
    assert x11.status == "pass"
    assert "2336.91 = 2152.26 + 184.65 = 2336.91" in x11.message
    assert one(putuo, "X-13").status == "pass"
    assert {f.status for f in of(putuo, "T06-1")} == {"pass"}


def test_putuo_three_public(putuo):
    actual = one(putuo, "T07-1", "决算数")
    assert "15.3 = 0 + 15 + 0.3 = 15.3" in actual.message
    budget = one(putuo, "T07-1", "预算数")
    assert "16.95 = 0.95 + 15 + 1 = 16.95" in budget.message
    x12 = {f.message.split("（")[0]: f.status for f in of(putuo, "X-12")}
    assert x12 == {"06表30217": "pass", "06表30231": "pass"}
    assert one(putuo, "X-15").status == "not_applicable"


# -- one error class at a time ------------------------------------------------------------


def test_sum_that_does_not_add_is_an_error(tmp_path):
    found = build(
        tmp_path, {("T05", "2080505", "total"): "170.75", ("T05", "2080505", "basic"): "170.75"}
    )
    f = one(found, "T05-2", "[20805 行政事业单位养老支出]支出决算合计等于")
    assert f.is_error
    assert "326.72 ≠ 84.65 + 170.75 + 80.38 + 0.94 = 336.72" in f.message
    assert "相差10万元，超出容差±0.04万元" in f.message
    assert f.figures["差额"] == "10"
    assert one(found, "T05-1", "2080505").status == "pass"


def test_row_sum_error(tmp_path):
    found = build(tmp_path, {("T01", "", "income_total"): "2956.25"})
    f = one(found, "T01-1")
    assert f.is_error
    assert f.figures["差额"] == "-10"
    assert one(found, "T01-2").is_error
    assert one(found, "X-1").is_error


def test_difference_within_tolerance_is_info_beyond_is_error(tmp_path):
    found = build(tmp_path, {("T05", "", "total"): "2940.02"})
    f = one(found, "T05-2", "05表支出决算合计（合计）")
    assert (f.status, f.severity) == ("fail", "info")
    assert f.figures["差额"] == "0.04"
    found = build(tmp_path / "b", {("T05", "", "total"): "2940.01"})
    f = one(found, "T05-2", "05表支出决算合计（合计）")
    assert f.is_error
    assert "相差0.05万元，超出容差±0.04万元" in f.message


def test_x11_mismatch(tmp_path):
    found = build(tmp_path, {("T06", "", "personnel_total"): "2142.26"})
    f = one(found, "X-11")
    assert f.is_error
    assert "2336.91 ≠ 2142.26 + 184.65 = 2326.91" in f.message
    assert one(found, "T06-2").is_error


def test_x14_gov_fund_income_with_empty_t08(tmp_path):
    found = build(
        tmp_path, {("T01", "", "income_gov_fund"): "5", ("T01", "", "income_other"): "1.20"}
    )
    f = one(found, "X-14", "政府性基金")
    assert f.is_error
    assert f.figures["01表政府性基金预算财政拨款收入"] == "5"
    assert f.figures["08表公开状态"] == "空表"
    assert one(found, "T01-1").status == "pass"
    assert one(found, "X-14", "国有资本经营").status == "pass"


def test_x14_t08_absent_is_not_applicable(tmp_path):
    found = build(tmp_path, statuses={"T08": "absent"})
    assert one(found, "X-14", "08表").status == "not_applicable"


def test_three_public_items_not_summing(tmp_path):
    found = build(tmp_path, {("T07", "", "reception_actual"): "0.50"})
    f = one(found, "T07-1", "决算数")
    assert f.is_error
    assert "15.3 ≠ 0 + 15 + 0.5 = 15.5" in f.message
    assert one(found, "T07-1", "预算数").status == "pass"


def test_three_public_zero_total_with_nonzero_item(tmp_path):
    edits = {
        ("T07", "", k): "0" for k in ("total_actual", "vehicle_actual", "vehicle_operation_actual")
    }
    edits[("T07", "", "reception_actual")] = "0.30"
    found = build(tmp_path, edits)
    f = one(found, "T07-3", "决算数")
    assert f.is_error
    assert "公务接待费决算数不为0" in f.message


def test_vehicle_split_not_summing(tmp_path):
    found = build(tmp_path, {("T07", "", "vehicle_operation_actual"): "14"})
    assert one(found, "T07-2", "决算数").is_error


def test_x12_basic_item_above_three_public(tmp_path):
    edits = {("T07", "", "reception_actual"): "0.10", ("T07", "", "total_actual"): "15.10"}
    found = build(tmp_path, edits)
    f = one(found, "X-12", "30217")
    assert f.is_error
    assert "0.3 > 07表公务接待费决算数 0.1" in f.message


def test_x13_ops_cost_above_public_cost(tmp_path):
    found = build(tmp_path, {("ops_cost", "", "actual"): "200"})
    assert one(found, "X-13").is_error
    found = build(tmp_path / "b", {("ops_cost", "", "actual"): "150"})
    f = one(found, "X-13")
    assert f.status == "pass"
    assert "非参公事业单位" in f.message


def test_n12_procurement_errors(tmp_path):
    found = build(tmp_path, {("procurement", "", "goods"): "40", ("procurement", "", "sme"): "130"})
    assert one(found, "N-12", "货物、工程、服务").is_error
    assert one(found, "N-12", "中小企业合同金额不超过").is_error
    assert one(found, "N-12", "小微企业").status == "pass"


def test_n9_counts_missing(tmp_path):
    found = build(tmp_path, drop={("three_public_counts", "", "abroad_groups")})
    f = one(found, "N-9", "缺少")
    assert (f.status, f.severity) == ("fail", "warning")
    assert "因公出国（境）团组数" in f.message


def test_n9_spending_without_batches(tmp_path):
    found = build(tmp_path, {("three_public_counts", "", "reception_batches"): "0"})
    f = one(found, "N-9", "国内公务接待")
    assert (f.status, f.severity) == ("fail", "warning")


def test_missing_inputs_are_not_applicable_never_pass(tmp_path):
    drop = {("T06", "", "personnel_total"), ("T05", "", "basic")}
    found = build(tmp_path, drop=drop, statuses={"T06": "absent"})
    x11 = one(found, "X-11")
    assert x11.status == "not_applicable"
    assert "缺少05表基本支出、06表人员经费合计" in x11.message
    assert one(found, "T06-2").status == "not_applicable"


def test_published_table_unlisted_cell_counts_as_zero(tmp_path):
    found = build(tmp_path, drop={("T06", "303", "amount"), ("T06", "30302", "amount")})
    f = one(found, "T06-2")
    assert f.is_error
    assert "06表[303 对个人和家庭的补助]决算数（按经济分类）（未列示，按0计）" in f.figures
    found = build(
        tmp_path / "b",
        drop={("T06", "303", "amount"), ("T06", "30302", "amount")},
        statuses={"T06": "absent"},
    )
    assert one(found, "T06-2").status == "not_applicable"


def test_t08_with_data(tmp_path):
    edits = {
        ("T08", "", "income"): "10",
        ("T08", "", "expense"): "8",
        ("T08", "", "basic"): "0",
        ("T08", "", "project"): "8",
        ("T08", "", "carryover_begin"): "0",
        ("T08", "", "carryover_end"): "3",
    }
    found = build(tmp_path, edits, statuses={"T08": "published"})
    assert one(found, "T08-1", "基本支出加项目支出").status == "pass"
    balance = one(found, "T08-1", "年末结转")
    assert (balance.status, balance.severity) == ("fail", "warning")
    assert "3 ≠ 0 + 10 − 8 = 2" in balance.message
    x8 = one(found, "X-8", "支出一致")
    assert x8.is_error


def test_published_table_without_any_rows_is_not_zero_filled(tmp_path):
    # An extraction that captured 人员经费合计/公用经费合计 but none of the economic rows
    # must not be read as "every row is 0" (that would be a false error).
    with (PUTUO / "facts.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    drop = {(r["table"], r["code"], r["item"]) for r in rows if r["item"] == "amount"}
    assert len(drop) == 22
    found = build(tmp_path, drop=drop)
    for rule in ("T06-1", "T06-2", "T06-3"):
        assert {f.status for f in of(found, rule)} == {"not_applicable"}, rule
    assert one(found, "X-11").status == "pass"


def test_n9_counts_not_required_when_there_is_no_three_public_spending(tmp_path):
    zero = {
        ("T07", "", f"{k}_actual"): "0"
        for k in (
            "total",
            "abroad",
            "vehicle",
            "vehicle_purchase",
            "vehicle_operation",
            "reception",
        )
    }
    found = build(tmp_path, zero, drop={("three_public_counts", "", "abroad_groups")})
    f = one(found, "N-9", "不要求列示")
    assert f.status == "pass"
    assert "因公出国（境）团组数" in f.message
