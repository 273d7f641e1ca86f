"""`fiscal-analysis export`: every metric of every entity-year, read back from the file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from fiscal_analysis.cli import cli

DATA = Path(__file__).resolve().parents[2] / "data"


def export(out: Path):
    return CliRunner().invoke(cli, ["export", "--data", str(DATA), "--out", str(out)])


def test_export_xlsx_is_read_back_with_numbers_under_wan_headers(tmp_path):
    out = tmp_path / "x.xlsx"
    res = export(out)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert {"主要数字", "与上年相比", "支出结构", "预算完成（项）", "三公经费", "PEFA"} <= set(
        wb.sheetnames
    )
    found = []
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.value == 335.78 and isinstance(cell.value, float):
                    found.append((ws.title, header[cell.column - 1]))
    assert found and all("万元" in head for _, head in found), found
    assert ("主要数字", "金额（万元）") in found
    ws = wb["支出结构"]
    header = [c.value for c in ws[1]]
    assert "占比（%，四舍五入至1位小数）" in header
    basic = [
        r for r in ws.iter_rows(min_row=2, values_only=True) if r[header.index("项目键")] == "basic"
    ]
    assert [r[header.index("占比（%，四舍五入至1位小数）")] for r in basic if r[2] == 2020] == [
        56.9
    ]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_export_csv_and_parquet_by_extension(tmp_path, suffix):
    out = tmp_path / f"x{suffix}"
    assert export(out).exit_code == 0
    table = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert table.columns[0] == "指标族"
    totals = table[
        (table["指标族"] == "主要数字")
        & (table["项目键"] == "income_grand_total")
        & (table["单位标识"] == "lusong-xzsp")
    ]
    assert [float(v) for v in totals["金额（万元）"]] == [662.95, 335.78]


def test_export_refuses_an_unknown_extension(tmp_path):
    res = export(tmp_path / "x.json")
    assert res.exit_code == 2 and ".xlsx" in res.output
