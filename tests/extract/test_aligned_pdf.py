"""PDF tables without ruling lines: the header's position on the page settles the columns.

The fixture PDFs are drawn with matplotlib: an unruled 05表 whose headings wrap
over two lines ("基本支" / "出"), with 项 rows that leave one of 基本支出/项目支出
blank, so the text layer reads "10.00  10.00" for a row that only the page layout
places; a second page continues the table without a header of its own. The
shipped 普陀 财政局 PDF (``data/raw``, as published) is read the same way.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import matplotlib
import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from fiscal_analysis.charts.fonts import cjk_font
from fiscal_analysis.extract import extract_document

W, H = 420.0, 300.0
#: Centre x of each column (amounts and headings are centred on it).
CENTRES = {"code": 50, "name": 120, "total": 230, "basic": 300, "project": 370}
WAN = 10**6  # 分 in one 万元

#: Symmetric on purpose: swapping the blank of both 项 rows keeps every sum, so the
#: table's identities cannot tell the columns apart; only the page layout can.
PAGE_1 = [
    ("", "合计", "20.00", "10.00", "10.00"),
    ("201", "一般公共服务支出", "20.00", "10.00", "10.00"),
    ("20103", "政府办公厅（室）及相关机构事务", "20.00", "10.00", "10.00"),
    ("2010301", "行政运行", "10.00", "", "10.00"),
]
PAGE_2 = [("2010302", "一般行政管理事务", "10.00", "10.00", "")]


def _page(pdf, cjk, rows, header: tuple[tuple[str, str], ...] | None, title: bool) -> None:
    fig = Figure(figsize=(W / 72, H / 72))

    def put(x_centre, y, text, size=9):
        fig.text(x_centre / W, y / H, text, fontproperties=cjk, fontsize=size, ha="center")

    if title:
        put(210, 275, "某区政府办2024年度部门决算", 12)
        put(210, 258, "一般公共预算财政拨款支出决算表", 11)
        put(380, 242, "单位：万元")
    y = 225
    if header:
        for (first, second), key in zip(header, ("total", "basic", "project"), strict=True):
            put(CENTRES[key], y, first)
            if second:
                put(CENTRES[key], y - 11, second)
        put(CENTRES["name"], y, "科目名称")
        y -= 35
    for code, name, *amounts in rows:
        put(CENTRES["code"], y, code)
        put(CENTRES["name"], y, name, 8)
        for key, text in zip(("total", "basic", "project"), amounts, strict=True):
            if text:
                put(CENTRES[key], y, text)
        y -= 20
    pdf.savefig(fig)


def _draw(path: Path, header) -> Path:
    cjk = FontProperties(fname=str(cjk_font().path))
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        _page(pdf, cjk, PAGE_1, header, title=True)
        _page(pdf, cjk, PAGE_2, None, title=False)
    return path


@pytest.fixture(scope="module")
def unruled(tmp_path_factory):
    header = (("本年支出", "合计"), ("基本支", "出"), ("项目支", "出"))
    return _draw(tmp_path_factory.mktemp("unruled") / "unruled.pdf", header)


def _t05(path):
    ex = extract_document(path)
    t05 = next(t for t in ex.tables if t.table == "T05")
    return ex, t05, {(c, i): v for c, i, v, _ in t05.facts}


def test_blank_cells_are_placed_under_their_wrapped_heading(unruled):
    ex, t05, facts = _t05(unruled)
    assert facts[("2010301", "total")] == 10 * WAN
    assert facts[("2010301", "basic")] == 0 and facts[("2010301", "project")] == 10 * WAN
    # the text layer alone cannot tell: "10.00  10.00" fits 基本 or 项目; the page layout can
    assert t05.evidence[("2010301", "project")] == "table"
    rows = {(r["code"], r["item"]): r for r in ex.rows["facts"]}
    assert Decimal(rows[("2010301", "project")]["value"]) == Decimal("10")
    assert rows[("2010301", "project")]["evidence"] == "table"


def test_a_page_continuing_the_table_reuses_the_last_header(unruled):
    _, t05, facts = _t05(unruled)
    assert facts[("2010302", "basic")] == 10 * WAN and facts[("2010302", "project")] == 0
    assert t05.evidence[("2010302", "basic")] == "table"
    assert set(t05.evidence.values()) == {"table"}


def test_a_header_that_does_not_give_every_column_settles_nothing(tmp_path):
    # two headings over three columns: the layout is not trusted, the rows stay open
    path = _draw(tmp_path / "two.pdf", (("本年支出合计基本支出", ""), ("", ""), ("项目支出", "")))
    _, t05, facts = _t05(path)
    assert t05.evidence[("2010301", "project")] == "ambiguous"
    # the conventional (leftmost) placement is kept, marked as not read with evidence
    assert facts[("2010301", "basic")] == 10 * WAN


def test_the_published_putuo_pdf_is_read_with_every_column_in_place():
    pdf = Path(__file__).resolve().parents[2] / "data" / "raw" / "putuo-czj-2024.pdf"
    ex = extract_document(pdf)
    evidence = Counter(e for t in ex.tables for e in t.evidence.values())
    assert evidence == Counter({"table": evidence["table"]}) and evidence["table"] == 403
    facts = {(t.table, c, i): v for t in ex.tables for c, i, v, _ in t.facts}
    # 201 06 01 行政运行: "1,511.89 1,503.52 8.37" under six 03表 columns; 8.37 is 项目支出
    assert facts[("T03", "2010601", "project")] == 837 * 10**4
    assert facts[("T03", "2010601", "upper_remit")] == 0
    # "1,511.90 1,511.89 0.01" under seven 02表 columns; 0.01 is printed under 其他收入
    assert facts[("T02", "2010601", "other")] == 10**4
    assert facts[("T02", "2010601", "superior_subsidy")] == 0
