"""Excel in: the nine 公开表 written as printed, extracted back, give the same facts."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from fiscal_analysis.cli import cli
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.extract.excel import read_workbook
from fiscal_analysis.testing.xlsx_tables import write_tables_workbook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "xlsx"
HEADING = "上海市普陀区财政局2024年度部门决算表"
#: 公开表 facts of three real 2024 disclosures (extracted from their PDFs).
DOCS = ["putuo-czj", "putuo-ghzy", "putuo-shgzb"]
#: 08/09表 lines with data (the three real ones publish them empty).
FUND_LINES = [
    {"table": t, "code": code, "item": item, "value": value}
    for t in ("T08", "T09")
    for code, item, value in [
        ("", "income", "12.50"), ("", "expense", "10.00"), ("", "basic", "0.00"),
        ("", "project", "10.00"), ("", "carryover_begin", "1.00"), ("", "carryover_end", "3.50"),
        ("212", "expense", "10.00"), ("21208", "expense", "10.00"),
        ("2120801", "expense", "10.00"), ("2120801", "project", "10.00"),
    ]
]  # fmt: skip


def facts(name: str) -> list[dict[str, str]]:
    with (FIXTURES / f"{name}-2024-tables.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def as_set(rows) -> set[tuple[str, str, str, Decimal]]:
    return {(r["table"], r["code"], r["item"], Decimal(r["value"])) for r in rows}


@pytest.mark.parametrize("shuffle", [False, True], ids=["printed-order", "shuffled"])
@pytest.mark.parametrize("name", DOCS)
def test_nine_tables_round_trip(tmp_path, name, shuffle):
    rows = facts(name) + (FUND_LINES if name == "putuo-czj" else [])
    path = write_tables_workbook(rows, tmp_path / "t.xlsx", HEADING, shuffle=shuffle)
    wb = read_workbook(path)
    assert (wb.name, wb.year, wb.region) == ("上海市普陀区财政局", 2024, "上海市普陀区")
    assert set(wb.facts) == as_set(rows)
    assert len(wb.facts) == len(rows)
    assert sorted(wb.tables) == [f"T0{i}" for i in range(1, 10)]


def test_sheets_and_columns_are_found_by_title(tmp_path):
    path = write_tables_workbook(facts("putuo-czj"), tmp_path / "t.xlsx", HEADING, shuffle=True)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[1] == "Sheet1"  # 09表 first, under a name that says nothing
    header = [c.value for c in book["Sheet7"][3]]  # 03表, amount columns reversed
    assert header.index("基本支出") > header.index("项目支出")
    got = {(t, c, i): v for t, c, i, v in read_workbook(path).facts}
    assert got[("T03", "", "basic")] == Decimal("2336.91")
    assert got[("T07", "", "total_budget")] == Decimal("0.95")
    assert got[("T01", "", "expense_total")] == Decimal("2940.05")


def test_extract_command_reads_xlsx_into_a_dataset(tmp_path):
    path = write_tables_workbook(facts("putuo-czj"), tmp_path / "putuo-czj.xlsx", HEADING)
    data = tmp_path / "data"
    res = CliRunner().invoke(cli, ["extract", str(path), "-o", str(data)])
    assert res.exit_code == 0, res.output
    assert "（putuo-czj）" in res.output and "T08（空表）" in res.output
    assert [p.name for p in (data / "raw").iterdir()] == ["putuo-czj-2024.xlsx"]
    ds = load_dataset(data)
    assert str(ds.value("putuo-czj", 2024, "T01", "income_grand_total")) == "2995.39"
    again = CliRunner().invoke(cli, ["extract", str(path), "-o", str(data)])
    assert again.exit_code == 1 and "--entity putuo-czj" in again.output


def test_a_workbook_without_tables_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.cell(1, 1, "随便什么")
    book.save(tmp_path / "x.xlsx")
    res = CliRunner().invoke(cli, ["extract", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "d")])
    assert res.exit_code == 1 and "标题" in res.output
