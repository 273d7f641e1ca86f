"""Amounts printed in 元 stay exact end to end (issue #11: the dataset's unit is 分).

A document whose tables and text are in 元 (tests/fixtures/docs/yuan_exact_2024.txt:
项目支出 31,205.40元 of 本年支出合计 88,476.20元, 收支总计 1,234.56元 more than the
year before) is extracted; the dataset keeps 3.12054万元 exactly (not 3.12), the metrics
compute shares and changes from the exact 分, and only what is presented is rounded
half up to 0.01万元: the narrative and the summary say 3.12万元.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.extract import extract_to_dir
from fiscal_analysis.metrics.panel import totals_panel, yoy_change
from fiscal_analysis.metrics.shares import expense_shares
from fiscal_analysis.metrics.structure import expense_structure
from fiscal_analysis.metrics.tidy import tidy
from fiscal_analysis.metrics.units import WAN, WAN_FEN
from fiscal_analysis.narrative.describe import describe
from fiscal_analysis.report.summary import headline, render_text

DOC = Path(__file__).resolve().parents[1] / "fixtures" / "docs" / "yuan_exact_2024.txt"
E = "wsy"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    out = tmp_path_factory.mktemp("yuan")
    extract_to_dir(DOC, out, entity_id=E)
    return load_dataset(out)


def test_dataset_keeps_yuan_to_the_fen(ds):
    assert ds.fen(E, 2024, "T03", "project") == 3_120_540  # 31,205.40元 = 3,120,540分
    assert ds.value(E, 2024, "T03", "project") == Decimal("3.12054")
    assert ds.value(E, 2024, "T05", "total") == Decimal("8.84762")
    assert ds.value(E, 2024, "T05", "basic", "2100302") == Decimal("5.72708")
    # the prior year, derived from "增加1,234.56元": 88,476.20 − 1,234.56 = 87,241.64元
    assert ds.entity_year(E, 2023).figure("T01", "income_grand_total") == (
        Decimal("8.724164"),
        "derived",
    )


def test_shares_are_computed_from_the_exact_amounts(ds):
    df = expense_shares(ds, decimals=2)
    row = df[(df["year"] == 2024) & (df["item"] == "project")].iloc[0]
    assert df["amount"].dtype == WAN_FEN  # some amount is finer than 0.01万元: six decimals
    assert (row["amount"], row["whole"]) == (Decimal("3.120540"), Decimal("8.847620"))
    exact = Fraction(row["share_num"]) * 100 / Fraction(row["share_den"])
    assert exact == Fraction(312054, 884762) * 100
    assert row["share_rounded"] == Decimal("35.27")  # 3.12 ÷ 8.85 would give 35.25
    one = expense_structure(ds.entity_year(E, 2024)).set_index("item")
    assert one.loc["project", "amount"] == Decimal("3.12054")
    assert one.loc["project", "share"] == exact


def test_changes_are_computed_from_the_exact_amounts(ds):
    t = totals_panel(ds, {"grand": ("T01", "income_grand_total")})
    y = yoy_change(t, decimals=2).set_index("year").loc[2024]
    assert (y["current"], y["prior"], y["delta"]) == (
        Decimal("8.847620"),
        Decimal("8.724164"),
        Decimal("0.123456"),
    )
    assert Fraction(y["change_num"]) / Fraction(y["change_den"]) == Fraction(123456, 8724164)
    assert y["change_rounded"] == Decimal("1.42")
    floats = tidy(ds, "expense").set_index(["year", "item"]).loc[(2024, "project")]
    assert floats["amount_float"] == 3.12054  # the float view of the exact amount


def test_presentation_rounds_half_up_to_the_printed_cent(ds):
    text = describe(ds.entity_year(E, 2024), decimals=2)
    assert text["expense"] == (
        "本年支出合计8.85万元，其中：基本支出5.73万元，占64.73%；项目支出3.12万元，占35.27%。"
    )
    total = "2024年度收、支总计8.85万元。与上年相比，增加0.12万元，增长1.42%"
    assert text["total"].startswith(total)
    summary = render_text(headline(ds.entity_year(E, 2024), decimals=2))
    assert "支出结构：项目支出                3.12万元  占35.27%" in summary
    assert "上年8.72万元（推算）" in summary
    assert "3.12054" not in summary and "3.120540" not in summary


def test_whole_cent_data_keeps_two_decimals_in_frames():
    shipped = load_dataset(Path(__file__).resolve().parents[2] / "data")
    df = expense_shares(shipped)
    assert df["amount"].dtype == WAN
    assert str(df.loc[df["amount"].notna(), "amount"].iloc[0]).count(".") == 1
    assert all(len(str(v).split(".")[1]) == 2 for v in df["amount"].dropna())
