"""A two-panel 06表 whose text layer is garbled is read from the page layout.

The fixture PDF is drawn with matplotlib in the form many disclosures use: 人员经费
on the left, 公用经费 on the right, each row's 类 and 款 codes printed apart at the
top of the cell, its name and amount a few points lower, and blank amounts dropped.
Its text layer interleaves the panels, so the text alone proves only the totals;
the positions of the words on the page give every row back.
"""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from fiscal_analysis.charts.fonts import cjk_font
from fiscal_analysis.extract import extract_document
from fiscal_analysis.extract.build import build
from fiscal_analysis.extract.text import read_lines

W, H = 600.0, 520.0
WAN = 10**6  # 分 in one 万元
LEFT = [
    ("301", "", "工资福利支出", "100.00"),
    ("301", "01", "基本工资", "60.00"),
    ("301", "02", "津贴补贴", "40.00"),
    ("301", "03", "奖金", ""),
    ("303", "", "对个人和家庭的补助", "5.00"),
    ("303", "02", "退休费", "5.00"),
]
RIGHT = [
    ("302", "", "商品和服务支出", "20.00"),
    ("302", "01", "办公费", "12.00"),
    ("302", "17", "公务接待费", "3.00"),
    ("302", "31", "公务用车运行维护费", "5.00"),
    ("302", "05", "水费", ""),
]


def _draw(path):
    cjk = FontProperties(fname=str(cjk_font().path))
    fig = Figure(figsize=(W / 72, H / 72))

    def put(x, top, text, ha="left", size=9):
        fig.text(x / W, (H - top) / H, text, fontproperties=cjk, fontsize=size, ha=ha, va="top")

    put(300, 30, "某区城管局2024年度部门决算", "center", 12)
    put(300, 50, "一般公共预算财政拨款基本支出决算表", "center", 11)
    put(560, 75, "单位：万元", "right")
    for x0 in (20, 310):
        put(x0 + 10, 100, "科目编码")
        put(x0 + 110, 100, "科目名称")
        put(x0 + 250, 100, "决算数", "right")
    for x0, rows in ((20, LEFT), (310, RIGHT)):
        for k, (lei, kuan, name, amount) in enumerate(rows):
            top = 125 + 29 * k
            put(x0 + 10, top, lei)
            if kuan:
                put(x0 + 45, top + (0 if x0 == 20 else 7), kuan)
            put(x0 + 80, top + 7, name)
            if amount:
                put(x0 + 280, top + 11, amount, "right")
    put(30, 420, "人员经费合计")
    put(300, 421, "105.00", "right")
    put(320, 420, "公用经费合计")
    put(590, 421, "20.00", "right")
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        pdf.savefig(fig)
    return path


@pytest.fixture(scope="module")
def two_panel(tmp_path_factory):
    return _draw(tmp_path_factory.mktemp("t06") / "two_panel.pdf")


def test_the_text_layer_alone_cannot_prove_the_rows(two_panel):
    text_only = build(read_lines(two_panel), two_panel.name)
    t06 = next(t for t in text_only.tables if t.table == "T06")
    assert t06.status == "unreadable"
    assert {i for _, i, _, _ in t06.facts} == {"personnel_total", "public_total"}


def test_every_row_is_read_from_the_page_layout(two_panel):
    ex = extract_document(two_panel)
    t06 = next(t for t in ex.tables if t.table == "T06")
    assert t06.status == "published"
    amounts = {c: v for c, i, v, _ in t06.facts if i == "amount"}
    assert amounts == {
        "301": 100 * WAN, "30101": 60 * WAN, "30102": 40 * WAN,
        "303": 5 * WAN, "30302": 5 * WAN,
        "302": 20 * WAN, "30201": 12 * WAN, "30217": 3 * WAN, "30231": 5 * WAN,
    }  # fmt: skip
    assert {t06.evidence.get((c, "amount"), "table") for c in amounts} == {"table"}
    # a row printed without an amount (奖金, 水费) is not invented
    assert "30103" not in amounts and "30205" not in amounts
    rows = [r for r in ex.rows["facts"] if r["table"] == "T06"]
    assert not [r for r in rows if r["basis"] == "undisclosed"]
