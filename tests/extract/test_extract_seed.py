"""Seed round trip: extracting data/raw/lusong-xzsp-2020.txt reproduces the shipped dataset."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.extract import extract_to_dir

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "raw" / "lusong-xzsp-2020.txt"


def _facts(ds, basis=None):
    f = ds.facts if basis is None else ds.facts[ds.facts["basis"] == basis]
    return {
        (int(r.year), r.table, r.code, r.item): None if str(r.value) == "<NA>" else int(r.value)
        for r in f.itertuples()
    }


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    ex = extract_to_dir(SEED, out, entity_id="lusong-xzsp")
    return load_dataset(ROOT / "data", entities=["lusong-xzsp"]), load_dataset(out), ex


def test_every_published_fact_is_reproduced(pair):
    shipped, extracted, _ = pair
    want = _facts(shipped, "published")
    got = _facts(extracted, "published")
    assert len(want) == 67
    assert {k: got.get(k) for k in want} == want


def test_prior_year_and_budget_derivations_match(pair):
    shipped, extracted, _ = pair
    got = _facts(extracted)
    derived_2019 = {k: v for k, v in _facts(shipped).items() if k[0] == 2019}
    assert {k: got.get(k) for k in derived_2019} == derived_2019
    assert got[(2019, "T01", "", "income_grand_total")] == 662_950_000  # 分
    assert got[(2019, "ops_cost", "", "actual")] == 44_440_000
    assert got[(2020, "ops_cost", "", "budget_initial")] == 21_660_000


def test_golden_values(pair):
    _, ds, _ = pair
    v = ds.value
    assert v("lusong-xzsp", 2020, "T01", "income_grand_total") == Decimal("335.78")
    assert v("lusong-xzsp", 2020, "T05", "budget_initial") == Decimal("200.35")
    assert v("lusong-xzsp", 2020, "T05", "budget_initial", "2013801") == Decimal("200.35")
    assert v("lusong-xzsp", 2020, "T06", "public_total") == Decimal("11.48")
    assert v("lusong-xzsp", 2020, "procurement", "services") == Decimal("18.95")
    assert ds.table_status("lusong-xzsp", 2020, "T08") == "empty"
    assert ds.table_status("lusong-xzsp", 2020, "T01") == "absent"


def test_projects_and_reasons_match(pair):
    shipped, extracted, _ = pair
    want = sorted(zip(shipped.projects["project"], shipped.projects["value"], strict=True))
    got = sorted(zip(extracted.projects["project"], extracted.projects["value"], strict=True))
    assert got == want
    assert sum(v for _, v in got) == 144_860_000
    sr = {(r.topic, r.code): r.text for r in shipped.reasons.itertuples()}
    er = {(r.topic, r.code): r.text for r in extracted.reasons.itertuples()}
    assert er == sr


def test_report_lists_figures_and_unknown_numbers(pair):
    _, _, ex = pair
    import json

    data = json.loads((pair[1].root / "extraction_report.json").read_text(encoding="utf-8"))
    assert data["summary"]["figures"] == len(ex.parsed.figures)
    lines = {(f["item"], f["line"]) for f in data["figures"]}
    assert ("income_grand_total", 87) in lines
    assert ("budget_initial", 129) in lines
    texts = {m["text"] for m in data["not_understood"]}
    assert "3414件" not in texts and "98%" not in texts  # kept as indicators, not "not understood"
    kept = {(i["value"], i["unit"]) for i in data["indicators"]}
    assert {("3414", "件"), ("98", "%"), ("18.71", "万件")} <= kept
    assert data["summary"]["indicators"] == 29
    md = (pair[1].root / "extraction_report.md").read_text(encoding="utf-8")
    assert "未能理解的数字" in md and "| 87 |" in md


@pytest.mark.parametrize("bad", ["../../x", "a/b", "CON", "x:y"])
def test_unsafe_entity_id_writes_nothing(tmp_path, bad):
    from click.testing import CliRunner

    from fiscal_analysis.cli import cli

    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["extract", str(SEED), "-o", str(out), "--entity", bad])
    assert r.exit_code == 1
    assert "不能用作文件夹名" in r.output and "Traceback" not in r.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_different_raw_document_is_never_overwritten(tmp_path):
    from fiscal_analysis.extract import ExtractError

    raw = tmp_path / "raw" / "lusong-xzsp-2020.txt"
    raw.parent.mkdir(parents=True)
    raw.write_text("已有的原文", encoding="utf-8")
    with pytest.raises(ExtractError, match="原始文件不可改写"):
        extract_to_dir(SEED, tmp_path, entity_id="lusong-xzsp")
    assert raw.read_text(encoding="utf-8") == "已有的原文"
