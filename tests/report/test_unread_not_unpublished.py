"""A table the department published but the tool could not read is never called unpublished.

The fixture is a text disclosure whose 06表 is printed in two panels with codes
split over lines, as the text layer of many PDFs gives it: the extractor can
prove only the 人员经费/公用经费 totals. The dataset, the report and the explore
notebook's overview must say the rest could not be read, not that it was not
published; and the 情况说明's list of economic items must not turn into
「未公开金额」 rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.extract import extract_to_dir
from fiscal_analysis.report.context import open_report
from fiscal_analysis.report.explore import overview_section, questions_section
from fiscal_analysis.report.sections_spending import basic_section

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "tests" / "fixtures" / "unread" / "t06_two_panel_garbled.txt"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("unread") / "data"
    extract_to_dir(DOC, out, "chengguan")
    return out


def test_extraction_marks_the_unread_06_table_and_lists_no_undisclosed_items(data):
    ds = load_dataset(data)
    ey = ds.entity_year("chengguan", 2024)
    assert ey.table_status("T06") == "unreadable"
    facts = ds.facts_for("chengguan", 2024)
    # the two totals it could prove are kept, read from the table
    assert sorted(facts.loc[facts["table"] == "T06", "item"]) == ["personnel_total", "public_total"]
    assert str(ds.value("chengguan", 2024, "T06", "personnel_total")) == "105.00"
    assert str(ds.value("chengguan", 2024, "T06", "public_total")) == "20.00"
    # 基本工资, 办公费 … are listed in the text, but the table has their amounts: not 未公开
    assert not (facts["basis"] == "undisclosed").any()


def test_the_report_says_could_not_read_not_unpublished(data):
    section = basic_section(open_report(data, "chengguan", 2024))
    notes = " ".join(section.notes)
    assert "未能读出其经济分类明细（不是单位未公开）" in notes
    assert "未公开金额" not in notes
    # the totals are still analysed: 人员经费 105.00 of 基本支出 125.00
    cells = {row["科目名称"]: row["金额"] for row in section.table.to_dict("records")}
    assert cells["人员经费合计"].startswith("105")


def test_the_overview_tells_unread_from_not_in_the_document(data):
    t = overview_section(load_dataset(data)).table.set_index(["单位标识", "年度"])
    note = t.loc[("chengguan", "2024"), "公开表"]
    assert "文件中有但未能读出：06表" in note
    # the excerpt holds no 01–05表 at all: that is "not in the document", not "unread"
    assert note.startswith("文件中没有：01、02、03、04、05")


def test_the_questions_ask_for_the_unread_table_against_the_original(data):
    text = " ".join(questions_section(load_dataset(data)).paragraphs)
    assert "2024年度的06表在公开文件中，但未能读出数字（不是单位未公开）" in text


def test_the_shipped_data_overview_has_nothing_unread():
    t = overview_section(load_dataset(ROOT / "data")).table.set_index(["单位标识", "年度"])
    assert t.loc[("putuo-czj", "2024"), "公开表"] == "—"
    assert t.loc[("lusong-xzsp", "2019"), "公开表"] == "无该年度文件"
