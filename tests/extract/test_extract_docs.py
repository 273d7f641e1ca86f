"""Extraction from template-form documents (fixtures written for these tests) and the CLI."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from fiscal_analysis import load_dataset
from fiscal_analysis.cli import cli
from fiscal_analysis.extract import ExtractError, extract_document, extract_to_dir
from fiscal_analysis.extract.text import read_lines

DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "docs"
SHIFAN = DOCS / "shifan_caizhengju_2024.txt"
VARIANT = DOCS / "variant_zengjia_2021.txt"


@pytest.fixture(scope="module")
def shifan(tmp_path_factory):
    out = tmp_path_factory.mktemp("shifan")
    ex = extract_to_dir(SHIFAN, out)
    return ex, load_dataset(out)


def test_entity_and_year_from_title(shifan):
    ex, ds = shifan
    assert (ex.name, ex.year) == ("上海市示范区财政局", 2024)
    assert ex.entity_id.startswith("doc-") and len(ex.entity_id) == 12
    assert ds.entity(ex.entity_id)["region"] == "上海市示范区"


def test_headline_figures_from_tables(shifan):
    ex, ds = shifan

    def v(table, item, code=""):
        return ds.value(ex.entity_id, 2024, table, item, code)

    assert v("T01", "income_grand_total") == Decimal("2995.39")
    assert v("T01", "income_general_public") == Decimal("2940.05")
    assert v("T01", "income_other") == Decimal("6.20")
    assert v("T01", "carryover_begin") == Decimal("49.14")
    assert v("T01", "expense", "208") == Decimal("326.71")
    assert v("T04", "income_grand_total") == Decimal("2961.68")
    assert v("T04", "carryover_end") == Decimal("21.63")
    assert v("T04", "general_public", "201") == Decimal("2106.66")
    assert v("T05", "total", "208") == Decimal("326.72")
    # columns placed by the hierarchy: 信息化建设 is project spending, 离退休 basic
    assert v("T05", "project", "2010607") == Decimal("594.77")
    assert v("T05", "basic", "2010607") == Decimal("0")
    assert v("T05", "basic", "2080501") == Decimal("326.72")
    assert v("T03", "basic") == Decimal("2336.91")
    assert v("T06", "personnel_total") == Decimal("2152.26")
    assert v("T06", "amount", "30302") == Decimal("69.41")
    assert v("T07", "total_budget") == Decimal("0.95")
    assert v("T07", "reception_budget") == Decimal("0.95")
    assert ds.table_status(ex.entity_id, 2024, "T08") == "empty"


def test_narrative_figures_fill_what_tables_lack(shifan):
    ex, ds = shifan

    def v(table, item, code=""):
        return ds.value(ex.entity_id, 2024, table, item, code)

    assert v("T05", "budget_initial") == Decimal("2993.92")
    assert v("T05", "budget_initial", "2010601") == Decimal("1560.05")
    assert v("ops_cost", "actual") == Decimal("184.65")
    assert v("procurement", "total") == Decimal("251.25")
    assert v("procurement", "services") == Decimal("246.47")
    assert v("assets", "equipment_100w") == Decimal("2")
    # the table wins over the wrong "0.3万元" of the text
    assert ds.record(ex.entity_id, 2024, "T04", "income_grand_total")["section"] == "公开04表"
    # a number split across a line break ("1511.\n89") is read whole
    line = next(f for f in ex.parsed.figures if f.key == ("T05", "2010601", "total"))
    assert line.value == 1511890000  # 分


def test_prior_year_derived_from_stated_changes(shifan):
    ex, ds = shifan
    assert ds.value(ex.entity_id, 2023, "T01", "income_grand_total") == Decimal("3052.34")
    assert ds.value(ex.entity_id, 2023, "ops_cost", "actual") == Decimal("182.10")
    assert ds.record(ex.entity_id, 2023, "T05", "total")["basis"] == "derived"


def test_variant_full_width_yuan_and_flat(tmp_path):
    ex = extract_to_dir(VARIANT, tmp_path, entity_id="dangan")
    ds = load_dataset(tmp_path)
    assert ds.value("dangan", 2021, "T01", "income_grand_total") == Decimal("412.50")
    assert ds.value("dangan", 2021, "T06", "personnel_total") == Decimal("270")  # 2,700,000元
    assert ds.value("dangan", 2021, "T05", "budget_initial", "2010302") == Decimal("0")
    assert ds.value("dangan", 2021, "T04", "income_grand_total") == Decimal("400")
    assert ds.value("dangan", 2020, "T04", "income_grand_total") == Decimal("400")  # 持平
    assert ds.value("dangan", 2020, "T01", "income_grand_total") == Decimal("400")
    assert ds.value("dangan", 2021, "ops_cost", "budget_initial") == Decimal("35")
    assert ds.value("dangan", 2020, "T07", "reception_actual") == Decimal("1.5")
    assert {r.topic for r in ds.reasons.itertuples()} >= {
        "total_change",
        "fiscal_change",
        "budget_variance",
    }
    assert not [n.text for n in ex.parsed.unrecognised]


def test_yuan_kept_exact_in_the_dataset(tmp_path):
    from fiscal_analysis.extract.records import to_fen
    from fiscal_analysis.extract.units import fen_text
    from fiscal_analysis.money import parse_amount

    assert to_fen(Decimal("12345"), "元") == 1234500
    assert fen_text(1234500) == "1.2345"  # written to facts.csv as is, not rounded to 1.23
    assert parse_amount(fen_text(1234500)) == 1234500  # and read back exactly
    assert to_fen(Decimal("50"), "元") == 5000  # 0.005万元 stays 0.005万元
    ex = extract_to_dir(DOCS / "yuan_exact_2024.txt", tmp_path, entity_id="wsy")
    facts = (tmp_path / "wsy" / "2024" / "facts.csv").read_text(encoding="utf-8")
    assert "project,3.12054,万元,published" in facts and "四舍五入" not in facts
    ds = load_dataset(tmp_path)
    assert ds.value("wsy", 2024, "T05", "project", "2100302") == Decimal("3.12054")
    assert ds.record("wsy", 2024, "T05", "project", "2100302")["note"] == ""
    assert not any("四舍五入" in n for n in ex.notes)


def test_pdf_text_layer_is_grouped_into_lines(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["pdf.fonttype"] = 42
    fig = plt.figure(figsize=(6, 3))
    fig.text(0.1, 0.6, "201")
    fig.text(0.3, 0.6, "2,106.66")
    fig.text(0.5, 0.6, "603.14")
    fig.savefig(tmp_path / "t.pdf")
    plt.close(fig)
    assert read_lines(tmp_path / "t.pdf") == ["[第1页]", "201  2,106.66  603.14"]


def test_bad_inputs_raise_clear_errors(tmp_path):
    (tmp_path / "x.doc").write_text("x")
    (tmp_path / "bad.pdf").write_text("not a pdf")
    (tmp_path / "h.txt").write_text("hello")
    with pytest.raises(ExtractError, match="不支持的文件类型"):
        extract_document(tmp_path / "x.doc")
    with pytest.raises(ExtractError, match="不是可读取的 PDF"):
        extract_document(tmp_path / "bad.pdf")
    with pytest.raises(ExtractError, match=r"h\.txt: 文件中没有找到任何金额或百分比"):
        extract_document(tmp_path / "h.txt")
    (tmp_path / "y.txt").write_text("本年支出合计10万元。", encoding="utf-8")
    with pytest.raises(ExtractError, match=r"y\.txt: 文件中没有找到年度"):
        extract_document(tmp_path / "y.txt")
    with pytest.raises(ExtractError, match="文件不存在"):
        extract_document(tmp_path / "none.txt")


def test_cli_extract(tmp_path):
    runner = CliRunner()
    res = runner.invoke(
        cli, ["extract", str(SHIFAN), "-o", str(tmp_path / "out"), "--entity", "sf"]
    )
    assert res.exit_code == 0, res.output
    assert "已提取「上海市示范区财政局」2024年度（sf）" in res.output
    assert "未能理解的数字 0 个" in res.output
    assert (tmp_path / "out" / "sf" / "2024" / "facts.csv").is_file()
    assert (tmp_path / "out" / "extraction_report.md").is_file()
    assert load_dataset(tmp_path / "out").value("sf", 2024, "T05", "total") == Decimal("2940.05")


def test_cli_extract_old_entity_id_option_still_works(tmp_path):
    """``--entity-id`` is the hidden, deprecated old name of ``--entity``."""
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(cli, ["extract", str(SHIFAN), "-o", str(out), "--entity-id", "sf"])
    assert res.exit_code == 0, res.output
    assert "提示：--entity-id 已改名为 --entity (--entity-id is deprecated)" in res.stderr
    assert "已提取「上海市示范区财政局」2024年度（sf）" in res.stdout
    assert (out / "sf" / "2024" / "facts.csv").is_file()
    assert "--entity-id" not in runner.invoke(cli, ["extract", "--help"]).output
    both = ["--entity", "a", "--entity-id", "b"]
    res = runner.invoke(cli, ["extract", str(SHIFAN), "-o", str(tmp_path / "o2"), *both])
    assert res.exit_code == 2
    assert "--entity-id 是 --entity 的旧名，请只给出 --entity。" in res.output
    assert not (tmp_path / "o2").exists()


def test_cli_extract_bad_input(tmp_path):
    runner = CliRunner()
    (tmp_path / "bad.pdf").write_text("nope")
    res = runner.invoke(cli, ["extract", str(tmp_path / "bad.pdf"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "不是可读取的 PDF" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(cli, ["extract", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1 and "文件不存在" in res.output
