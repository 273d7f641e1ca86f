"""Seed round trip (issue 4): extracting data/raw/lusong-xzsp-2020.txt reproduces every
figure of the shipped dataset (published, derived and undisclosed facts, projects, reasons,
indicators); plus unit tests of the derivation, economic-item and indicator rules."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.extract import extract_to_dir
from fiscal_analysis.extract.build import build
from fiscal_analysis.extract.derive import derive_facts
from fiscal_analysis.extract.econ_items import listed_items, lookup
from fiscal_analysis.extract.indicators import chinese_number, find_indicators

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "raw" / "lusong-xzsp-2020.txt"


def _facts(ds):
    return {
        (int(r.year), r.table, r.code, r.item): (
            None if str(r.value) == "<NA>" else int(r.value),
            r.basis,
        )
        for r in ds.facts.itertuples()
    }


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    out = tmp_path_factory.mktemp("roundtrip")
    ex = extract_to_dir(SEED, out, entity_id="lusong-xzsp")
    shipped = load_dataset(ROOT / "data", entities=["lusong-xzsp"])  # the seed department
    extracted = load_dataset(out)
    return shipped, extracted, ex


@pytest.mark.parametrize(
    ("basis", "count"), [("published", 67), ("derived", 38), ("undisclosed", 17)]
)
def test_every_shipped_fact_is_reproduced(seed, basis, count):
    shipped, extracted, _ = seed
    want = {k: v for k, v in _facts(shipped).items() if v[1] == basis}
    got = _facts(extracted)
    assert len(want) == count
    missing = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    assert missing == {}


def test_no_figure_beyond_the_shipped_ones(seed):
    shipped, extracted, _ = seed
    assert set(_facts(extracted)) == set(_facts(shipped))


def test_golden_derived_values(seed):
    _, ds, _ = seed
    got = _facts(ds)
    assert got[(2020, "T05", "20103", "total")] == (248_470_000, "derived")  # 分
    assert got[(2020, "T05", "201", "budget_initial")] == (200_350_000, "derived")
    assert got[(2020, "T01", "210", "expense")] == (77_310_000, "derived")
    assert got[(2020, "T04", "", "income_total")] == (335_780_000, "derived")
    assert got[(2020, "T07", "", "vehicle_operation_budget")] == (0, "derived")
    assert got[(2020, "T06", "30299", "amount")] == (None, "undisclosed")
    note = ds.record("lusong-xzsp", 2020, "T05", "total", "20103")["note"]
    assert "99.2 + 26 + 123.27" in note


def test_projects_reasons_and_indicators(seed):
    shipped, extracted, _ = seed

    def projects(ds):
        return sorted(zip(ds.projects["project"], ds.projects["value"], strict=True))

    assert projects(extracted) == projects(shipped)
    assert len(projects(shipped)) == 3

    def reasons(ds):
        return {(r.topic, r.code): r.text for r in ds.reasons.itertuples()}

    assert reasons(extracted) == reasons(shipped)
    assert len(reasons(shipped)) == 10

    def indicators(ds):
        i = ds.indicators
        return Counter(
            (int(v), u, "" if str(q) in ("<NA>", "nan", "None") else q)
            for v, u, q in zip(i["value"], i["unit"], i["qualifier"], strict=True)
        )

    assert sum(indicators(shipped).values()) == 29
    assert indicators(extracted) == indicators(shipped)
    assert indicators(shipped)[(2_000_000, "名", "第")] == 1  # 2名, in millionths
    assert indicators(shipped)[(100_000_000, "次", "余")] == 1


def test_indicators_keep_their_place(seed):
    shipped, extracted, _ = seed

    def placed(ds):
        i = ds.indicators
        return Counter(zip(i["value"].astype(int), i["unit"], i["section"], strict=True))

    assert placed(extracted) == placed(shipped)
    assert placed(shipped)[(1_000_000, "名", "第五部分 附件 一（一）3")] == 2  # 局长, 副局长
    names = set(extracted.indicators["indicator"])
    assert "全区“互联网+政务服务”平台办件量" in names
    assert "实有在职在编人员（政务服务中心）" in names


# --- derivation rules on small inputs -------------------------------------------------


def _row(table, item, value, code="", year="2024"):
    return {"entity_id": "e", "year": year, "table": table, "code": code, "item": item,
            "value": value, "section": "第三部分 五（三）", "doc_id": "d"}  # fmt: skip


def _derived(rows):
    return {(r["table"], r["code"], r["item"]): r["value"] for r in derive_facts(rows)}


def test_kuan_and_lei_sums_need_every_xiang():
    rows = [
        _row("T05", "total", "30"),
        _row("T05", "total", "10", "2010101"),
        _row("T05", "total", "20", "2010102"),
        _row("T05", "budget_initial", "7", "2010101"),
    ]
    got = _derived(rows)
    assert got[("T05", "20101", "total")] == "30"
    assert got[("T05", "201", "total")] == "30"
    # one 项 lacks its 年初预算: no 款/类 budget
    assert ("T05", "20101", "budget_initial") not in got
    assert ("T05", "201", "budget_initial") not in got


def test_no_sum_when_a_xiang_is_missing_from_the_list():
    # the 项 listed add up to 25, not the published 合计 30: one is missing
    rows = [
        _row("T05", "total", "30"),
        _row("T05", "total", "10", "2010101"),
        _row("T05", "total", "15", "2010102"),
    ]
    assert _derived(rows) == {}


def test_class_total_published_makes_its_xiang_complete():
    rows = [
        _row("T05", "total", "25", "201"),
        _row("T05", "total", "10", "2010101"),
        _row("T05", "total", "15", "2010302"),
        _row("T05", "total", "4", "2080101"),
    ]
    got = _derived(rows)
    assert got == {("T05", "20101", "total"): "10", ("T05", "20103", "total"): "15"}


def test_published_figures_are_never_overridden():
    rows = [
        _row("T05", "total", "30"),
        _row("T05", "total", "10", "2010101"),
        _row("T05", "total", "20", "2010102"),
        _row("T05", "total", "99", "20101"),
    ]
    got = _derived(rows)
    assert ("T05", "20101", "total") not in got


def test_income_sources_zero_only_when_fiscal_is_the_whole():
    base = [_row("T01", "income_total", "100"), _row("T01", "income_fiscal", "100")]
    got = _derived(base)
    assert got[("T01", "", "income_business")] == "0"
    assert got[("T01", "", "income_other")] == "0"
    assert _derived([_row("T01", "income_total", "100"), _row("T01", "income_fiscal", "90")]) == {}


def test_soe_by_difference_is_never_negative():
    rows = [
        _row("T01", "income_fiscal", "100"),
        _row("T01", "income_general_public", "80"),
        _row("T01", "income_gov_fund", "15"),
    ]
    assert _derived(rows)[("T01", "", "income_soe_capital")] == "5"
    rows[2] = _row("T01", "income_gov_fund", "30")
    assert ("T01", "", "income_soe_capital") not in _derived(rows)


def test_balances_t03_t01_expense_t04_t07():
    rows = [
        _row("T01", "income_grand_total", "50"),
        _row("T01", "income_total", "40"),
        _row("T01", "expense_grand_total", "50"),
        _row("T01", "expense_total", "50"),
        _row("T03", "total", "50"),
        _row("T03", "basic", "30"),
        _row("T03", "project", "20"),
        _row("T05", "total", "50"),
        _row("T05", "total", "50", "201"),
        _row("T04", "general_public", "50"),
        _row("T08", "expense", "0"),
        _row("T09", "expense", "0"),
        _row("T07", "vehicle_budget", "0"),
        _row("T07", "vehicle_actual", "3"),
    ]
    got = _derived(rows)
    # 收入总计 50 ≠ 本年收入合计 40: the 10 is not split between the two lines
    assert ("T01", "", "carryover_begin") not in got
    assert got[("T01", "", "carryover_end")] == "0"
    assert got[("T01", "", "balance_distribution")] == "0"
    assert got[("T03", "", "operating")] == "0"
    assert got[("T01", "201", "expense")] == "50"
    assert got[("T04", "", "total")] == "50"
    assert ("T04", "", "income_total") not in got  # no 04表 收入总计
    assert got[("T07", "", "vehicle_purchase_budget")] == "0"
    assert ("T07", "", "vehicle_purchase_actual") not in got


def test_derived_rows_state_their_formula():
    rows = [_row("T03", "total", "50"), _row("T03", "basic", "30"), _row("T03", "project", "20")]
    (row, *_) = derive_facts(rows)
    assert row["basis"] == "derived"
    assert "本年支出合计50 − 基本支出30 − 项目支出20 = 0" in row["note"]


# --- economic items and indicators ----------------------------------------------------


def test_economic_items_by_group():
    assert lookup("医疗费", "人员经费") == "30114"
    assert lookup("办公设备购置", "公用经费") == "31002"
    assert lookup("办公设备购置", "公用经费", capital=True) == "30902"
    assert lookup("基本工资", "公用经费") is None
    lines = ["某局2024年度部门决算", "第三部分", "六、一般公共预算财政拨款基本支出决算情况说明",
             "人员经费1万元，主要包括基本工资、退休费；公用经费2万元，主要包括办公费、"
             "资本性支出（基本建设）中的办公设备购置、神秘费等。"]  # fmt: skip
    found, unknown = listed_items(lines)
    assert [(i.code, i.group) for i in found] == [
        ("30101", "人员经费"), ("30302", "人员经费"), ("30201", "公用经费"), ("30902", "公用经费"),
    ]  # fmt: skip
    assert [u.name for u in unknown] == ["神秘费"]
    ex = build(lines, "x.txt")  # the pipeline adds the listed items
    assert any("神秘费" in n and "未能理解" in n for n in ex.notes)
    codes = {r["code"] for r in ex.rows["facts"] if r["basis"] == "undisclosed"}
    assert codes == {"30101", "30302", "30201", "30902"}


def test_indicators_from_narrative():
    assert chinese_number("百") == 100 and chinese_number("二十三") == 23
    lines = ["第五部分", "附件", "六、绩效情况", "（一）整体绩效",
             "共受理3414件事，办结率及满意率均为100%，累计7x24小时服务，"
             "“3140”系统上线，预算资金5万元，共为10余家企业服务百余次，居全市第二名。"
             "再次受理3414件事。"]  # fmt: skip
    got = [(i.name, i.value, i.unit, i.qualifier) for i in find_indicators(lines)]
    assert got == [
        ("受理事", 341400, "件", ""),
        ("办结率", 10000, "%", ""),
        ("满意率", 10000, "%", ""),
        ("企业服务", 1000, "家", "余"),
        ("企业服务（次）", 10000, "次", "余"),
        ("居全市", 200, "名", "第"),
    ]
