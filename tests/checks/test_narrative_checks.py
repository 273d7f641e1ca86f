"""Narrative checks (reference §4.3 N-1…N-14, §4.4 form checks) on template-form fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.checks.text_figures import check_narrative
from fiscal_analysis.extract import extract_to_dir

DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "docs"


def _run(tmp_path, name: str, eid: str):
    path = DOCS / name
    ex = extract_to_dir(path, tmp_path, entity_id=eid)
    ds = load_dataset(tmp_path)
    text = path.read_text(encoding="utf-8")
    return check_narrative(text, ds, eid, ex.year)


def _fails(findings, severity=None):
    return [
        f for f in findings if f.status == "fail" and (severity is None or f.severity == severity)
    ]


def test_shifan_reports_exactly_the_two_real_errors(tmp_path):
    found = _run(tmp_path, "shifan_caizhengju_2024.txt", "sf")
    errors = _fails(found, "error")
    # the fixture is abridged: it leaves out 02表, which a full disclosure must have
    assert sorted(f.rule for f in errors) == ["N-4", "N-6", "S-1"]
    assert "缺少公开02表" in next(f.message for f in errors if f.rule == "S-1")
    n4 = next(f for f in errors if f.rule == "N-4")
    assert n4.figures["说明"] == "0.3万元" and n4.figures["表"] == "2961.68万元"
    assert n4.source == "第9页第107行" and n4.tolerance == "0.01万元"
    # the table closes (收入总计 = 支出总计), so the text is the side to correct
    assert n4.figures["判断"] == "说明有误" and "应按表更正说明" in n4.message
    n6 = next(f for f in errors if f.rule == "N-6")
    assert n6.figures["说明"] == "71.73%" and n6.figures["重算"] == "71.65%"
    assert n6.tolerance == "±0.005个百分点"
    assert "请更正为71.65%" in n6.message and n6.source == "第9页第117行"
    warnings = _fails(found, "warning")
    assert [(f.rule, f.figures["占比合计"]) for f in warnings] == [("N-6", "100.07%")]


def test_shifan_passes_are_recorded(tmp_path):
    found = _run(tmp_path, "shifan_caizhengju_2024.txt", "sf")
    passed = {(f.rule, f.figures.get("说明")) for f in found if f.status == "pass"}
    assert ("N-2", "99.79%") in passed  # 2940.05 / 2946.25
    assert ("N-7", "98.20%") in passed  # 2940.05 / 2993.92
    assert ("N-1", "1.87%") in passed  # 56.95 / 3052.34
    assert ("N-11", "1.40%") in passed  # 2.55 / 182.10
    assert ("N-9", "0%") in passed  # 预算0.95, 决算0: "0%" is acceptable
    assert ("N-7", "持平") in passed


def test_variant_has_no_false_alarm(tmp_path):
    found = _run(tmp_path, "variant_zengjia_2021.txt", "dangan")
    assert [f.message for f in found if f.status == "fail" and f.severity != "info"] == []
    infos = [f.rule for f in _fails(found, "info")]
    assert infos == ["F-UNIT", "F-UNIT"]  # 元 amounts converted, flagged for a look
    assert ("N-1", "3.13%") in {
        (f.rule, f.figures.get("说明")) for f in found if f.status == "pass"
    }


@pytest.fixture(scope="module")
def error_findings(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("err"), "errors_2021.txt", "err")


@pytest.mark.parametrize(
    ("rule", "severity", "words"),
    [
        ("N-1", "error", "上年数为0"),  # growth from a zero base
        ("N-7", "error", "预算数为0，完成率没有意义"),  # rate against a zero budget
        ("N-2", "error", "重算应为75.0%"),  # wrong share
        ("N-7", "error", "应写「大于」"),  # direction word
        ("F-PLACEHOLDER", "error", "「XX」"),
        ("F-PLACEHOLDER", "error", "「增加（减少）」"),
        ("F-PERCENT", "error", "缺少百分号"),
        ("F-UNIT", "error", "「150元」应为万元"),  # 元 where 万元 is meant
        ("F-UNIT", "warning", "「30万」单位不完整"),
        ("F-DUP", "warning", "「增加增加」"),
        ("N-14", "error", "同一数字前后不一致"),  # one figure, two values
        ("N-2", "warning", "占比合计为101.0%"),
    ],
)
def test_each_error_class_is_reported(error_findings, rule, severity, words):
    hits = [f for f in _fails(error_findings, severity) if f.rule == rule and words in f.message]
    assert len(hits) == 1, [f.message for f in _fails(error_findings)]
    assert hits[0].source.startswith("第") and hits[0].entity_id == "err"


def test_without_dataset_and_with_line_map():
    text = "第三部分\n二、收入决算情况说明\n本年收入合计200万元，其中：财政拨款收入150万元，占76%。"
    found = check_narrative(text, None, "e", 2024, lines=[10, 11, 12])
    bad = _fails(found)
    assert [(f.rule, f.figures["重算"], f.source) for f in bad] == [("N-2", "75%", "第12行")]
    assert bad[0].tolerance == "±0.5个百分点"


def test_seed_text_against_shipped_dataset_is_clean():
    root = Path(__file__).resolve().parents[2] / "data"
    ds = load_dataset(root)
    text = (root / "raw" / "lusong-xzsp-2020.txt").read_text(encoding="utf-8")
    found = check_narrative(text, ds, "lusong-xzsp", 2020)
    assert _fails(found) == []
    passed = {f.figures.get("说明") for f in found if f.status == "pass"}
    assert {"49.4%", "167.6%", "5.0%", "94.0%", "47.0%", "74.2%"} <= passed
