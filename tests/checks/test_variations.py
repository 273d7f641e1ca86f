"""The variation corpus (tests/fixtures/variations): documents in the forms real disclosures take.

Each fixture is written for one kind of variation seen in real disclosures
(partial documents, other provinces' wording, 元, traditional script,
broken tables, and the defects authors leave in). ``expected.json`` says, per
document, the figures that must be extracted (``"2023/T01:item:code"``; the
year defaults to the document's), their evidence where it matters, and the
exact list of 错误 findings (rule ids): every planted defect must be found and
nothing else may be called an error. ``reviews`` lists 需复核 findings that must
appear.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.checks import run_checks
from fiscal_analysis.extract import ExtractError, extract_document, extract_to_dir

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "variations"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))


def _key(spec: str, year: int) -> tuple[int, str, str, str]:
    y, _, rest = spec.rpartition("/")
    table, item, code = [*rest.split(":"), ""][:3]
    return (int(y) if y else year, table, item, code)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = {}
    for name in EXPECTED:
        folder = tmp_path_factory.mktemp(name.split(".")[0])
        ex = extract_to_dir(HERE / name, folder)
        ds = load_dataset(folder)
        out[name] = (ex, ds, run_checks(ds, ex.entity_id))
    return out


def test_corpus_is_larger_than_twenty_documents():
    assert len(EXPECTED) > 20
    assert sorted(p.name for p in HERE.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_figures_are_extracted(corpus, name):
    ex, ds, _ = corpus[name]
    spec = EXPECTED[name]
    assert ex.year == spec["year"]
    for key, want in spec["figures"].items():
        year, table, item, code = _key(key, ex.year)
        assert ds.value(ex.entity_id, year, table, item, code) == Decimal(want), key
    for key, want in spec.get("evidence", {}).items():
        year, table, item, code = _key(key, ex.year)
        assert ds.record(ex.entity_id, year, table, item, code)["evidence"] == want, key
    for key in spec.get("absent", []):
        year, table, item, code = _key(key, ex.year)
        assert ds.record(ex.entity_id, year, table, item, code) is None, key
    for table, status in spec.get("statuses", {}).items():
        assert ds.table_status(ex.entity_id, ex.year, table) == status
    for code, name_ in spec.get("codes", {}).items():
        codes = ds.frames["codes"]
        assert codes.loc[codes["code"] == code, "name"].tolist() == [name_]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_are_exactly_the_planted_errors(corpus, name):
    _, _, findings = corpus[name]
    spec = EXPECTED[name]
    errors = Counter(f.rule for f in findings if f.is_error)
    assert errors == Counter(spec["errors"]), [f.message for f in findings if f.is_error]
    reviews = Counter(f.rule for f in findings if f.review)
    assert Counter(spec.get("reviews", [])) <= reviews
    for f in findings:
        if f.is_error or f.review:
            assert f.source and f.source.startswith("第"), (f.rule, f.message)
        if f.review:
            assert f.severity == "warning" and f.reason and "需复核" in f.message


def test_traditional_script_is_parsed_but_quoted_as_printed(corpus):
    ex, ds, _ = corpus["v06_traditional.txt"]
    assert "財政撥款" in "".join(ex.original) and "财政拨款" in "".join(ex.lines)
    raw = (ds.root / ds.documents["path"].iloc[0]).read_text(encoding="utf-8")
    assert "一般公共預算財政撥款支出1,200.00萬元" in raw


def test_yuan_are_exact_and_shares_recompute_from_them(corpus):
    ex, ds, findings = corpus["v07_yuan_amounts.txt"]
    project = next(f for f in ex.parsed.figures if f.key == ("T03", "", "project"))
    assert project.value == 3120540  # 31,205.40元 in 分, not 3.12万元
    row = ds.record(ex.entity_id, 2024, "T05", "project", "2100302")
    assert ds.fen(ex.entity_id, 2024, "T05", "project", "2100302") == 3120540  # kept exact
    assert row["note"] == "" and row["evidence"] == "table"  # nothing rounded, nothing to say
    share = next(f for f in findings if f.figures.get("说明") == "35.27%")
    assert share.status == "pass"  # 3.12 ÷ 8.85 would give 35.25%


def test_a_check_never_passes_on_a_figure_compared_with_itself(corpus):
    _, _, findings = corpus["v22_missing_tables_blank_row.txt"]
    t07 = [f for f in findings if f.rule == "N-9" and "T07" in f.figures.get("项目", "")]
    assert t07 and all(f.status == "not_applicable" for f in t07)
    assert all("不能自证" in f.message for f in t07)
    missing = {f.figures["表"] for f in findings if f.rule == "S-1"}
    assert missing == {"公开02表", "公开03表", "公开04表", "公开06表", "公开07表"}


def test_disagreement_says_which_side_is_wrong(corpus):
    _, _, findings = corpus["v27_fund_table_disagrees.txt"]
    n10 = next(f for f in findings if f.rule == "N-10" and f.is_error)
    assert n10.figures["说明"] == "90万元" and n10.figures["表"] == "80万元"
    assert n10.figures[
        "判断"
    ] == "说明有误" and "08表本年支出合计 = 08表基本支出 + 08表项目支出" in (n10.message)


def test_ambiguous_columns_give_review_not_error(corpus):
    _, _, findings = corpus["v17_ambiguous_row.txt"]
    review = next(f for f in findings if f.rule == "T05-2" and f.review)
    assert "列位置有多种可能" in review.reason and "第" in review.reason


def test_stated_rate_without_base_is_kept(corpus):
    _, ds, _ = corpus["v15_missing_base_unit.txt"]
    kept = {(r.value, r.unit) for r in ds.frames["indicators"].itertuples()}
    assert (75_000_000, "%") in kept  # 完成预算75.0% (millionths): no 公务接待费 budget is given


def test_document_without_figures_gets_one_clear_message(tmp_path):
    doc = tmp_path / "blank.txt"
    doc.write_text(
        "某局2024年度部门决算\n第一部分 单位概况\n负责全市档案工作。\n", encoding="utf-8"
    )
    with pytest.raises(ExtractError) as info:
        extract_document(doc)
    assert str(info.value).startswith("blank.txt: 文件中没有找到任何金额或百分比")
    assert "facts.csv" not in str(info.value)
