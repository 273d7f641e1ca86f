"""`fiscal-analysis extract DOC -o DATA` into an existing dataset, as a new user tries it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from click.testing import CliRunner

from fiscal_analysis.cli import cli
from fiscal_analysis.dataset.load import load_dataset

ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = ROOT / "data" / "raw" / "lusong-xzsp-2020.txt"
NAME = "株洲市芦淞区行政审批服务局"


def extract(doc: Path, data: Path, *extra: str):
    return CliRunner().invoke(cli, ["extract", str(doc), "-o", str(data), *extra])


def names(data: Path) -> list[str]:
    with (data / "entities.csv").open(encoding="utf-8") as f:
        return [r["name"] for r in csv.DictReader(f)]


def test_extract_into_existing_dataset(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "entities.csv").write_text("entity_id,name,region,level,note\n", encoding="utf-8")
    doc = tmp_path / "doc07_lusong_xzsp_2020.txt"
    shutil.copyfile(SEED_TEXT, doc)

    res = extract(doc, data)
    assert res.exit_code == 0, res.output
    # a readable id from the file name, not doc-<hex>
    assert "（lusong-xzsp）" in res.output
    # raw/ holds the document as published, byte for byte, and nothing else
    assert [p.name for p in (data / "raw").iterdir()] == ["lusong-xzsp-2020.txt"]
    assert (data / "raw" / "lusong-xzsp-2020.txt").read_bytes() == doc.read_bytes()
    # the extraction report goes beside the dataset, not into it
    assert not list(data.rglob("extraction_report.*"))
    report = tmp_path / "data-extraction" / "lusong-xzsp-2020" / "extraction_report.md"
    assert report.is_file()
    ds = load_dataset(data)
    assert str(ds.value("lusong-xzsp", 2020, "T01", "income_grand_total")) == "335.78"

    # the same department again: refused, never silently duplicated
    again = extract(doc, data)
    assert again.exit_code == 1
    assert "--entity lusong-xzsp" in again.output
    assert names(data) == [NAME]
    # --entity by full name resolves to the existing department; its year is kept
    merged = extract(doc, data, "--entity", NAME)
    assert merged.exit_code == 1 and "已有 2020 年度" in merged.output
    assert names(data) == [NAME]


def test_extract_into_refuses_an_id_of_another_department(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "entities.csv").write_text(
        "entity_id,name,region,level,note\nother,另一个单位,某地,县级,\n", encoding="utf-8"
    )
    res = extract(SEED_TEXT, data, "--entity", "other")
    assert res.exit_code == 1 and "已属于「另一个单位」" in res.output


EXCERPT = (
    "（一）一般公共预算财政拨款支出决算总体情况\n"
    "某县教育局一般公共预算财政拨款支出120.40万元，占本年支出合计的98.50%。\n"
    "（二）“三公”经费支出决算情况\n"
    "“三公”经费支出决算为3.25万元，其中公务接待费1.05万元。\n"
)


def test_an_excerpt_without_a_year_needs_and_takes_year(tmp_path):
    doc = tmp_path / "excerpt.txt"
    doc.write_text(EXCERPT, encoding="utf-8")
    refused = extract(doc, tmp_path / "out")
    assert refused.exit_code == 1
    assert "没有找到年度" in refused.output and "--year" in refused.output
    assert "Traceback" not in refused.output

    res = extract(doc, tmp_path / "out", "--year", "2023")
    assert res.exit_code == 0, res.output
    ds = load_dataset(tmp_path / "out")
    (entity,) = {e for e, _ in ds.pairs()}
    assert ds.years(entity) == [2023]
    assert str(ds.value(entity, 2023, "T07", "total_actual")) == "3.25"
    assert str(ds.value(entity, 2023, "T07", "reception_actual")) == "1.05"

    # check DOC takes the same --year for the document it extracts
    checked = CliRunner().invoke(cli, ["check", str(doc), "--year", "2023"])
    assert checked.exit_code in (0, 1) and "2023" in checked.output, checked.output
    assert "Traceback" not in checked.output


def test_extract_into_a_dataset_with_a_link_loop_is_refused_by_name(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "entities.csv").write_text("entity_id,name,region,level,note\n", encoding="utf-8")
    (data / "loop").symlink_to(data, target_is_directory=True)  # data/loop -> data
    doc = tmp_path / "doc07_lusong_xzsp_2020.txt"
    shutil.copyfile(SEED_TEXT, doc)
    res = extract(doc, data)
    assert res.exit_code == 1
    assert "loop" in res.output and "Traceback" not in res.output
    assert not (data / "raw").exists()  # nothing written
