"""PDF tables: pdfplumber's table finder on ruled pages settles the columns the text layer drops.

The fixture PDF is drawn with matplotlib: a ruled 05表 whose 项 rows leave one
of 基本支出/项目支出 blank, so the text layer reads "10.00  10.00" for a row
whose columns only the ruling lines say.
"""

from __future__ import annotations

from decimal import Decimal

import matplotlib
import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D

from fiscal_analysis.charts.fonts import cjk_font
from fiscal_analysis.extract import extract_document

W, H = 420.0, 300.0
COLS = [20, 150, 250, 310, 370, 410]  # x of the vertical rules
ROWS = [
    ("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
    ("2010301", "行政运行", "10.00", "", "10.00"),
    ("2010302", "一般行政管理事务", "5.00", "5.00", ""),
]


@pytest.fixture(scope="module")
def ruled(tmp_path_factory):
    cjk = FontProperties(fname=str(cjk_font().path))
    fig = Figure(figsize=(W / 72, H / 72))
    fig.text(20 / W, 270 / H, "某区政府办2024年度部门决算", fontproperties=cjk, fontsize=12)
    fig.text(20 / W, 250 / H, "一般公共预算财政拨款支出决算表", fontproperties=cjk, fontsize=11)
    fig.text(20 / W, 235 / H, "单位：万元", fontproperties=cjk, fontsize=9)
    top, step = 225, 20
    for r, row in enumerate(ROWS):
        y = top - (r + 1) * step + 6
        for c, text in enumerate(row):
            if text:
                fig.text((COLS[c] + 4) / W, y / H, text, fontproperties=cjk, fontsize=9)
    bottom = top - len(ROWS) * step
    for r in range(len(ROWS) + 1):
        y = (top - r * step) / H
        fig.add_artist(Line2D([COLS[0] / W, COLS[-1] / W], [y, y], color="black", lw=0.8))
    for x in COLS:
        fig.add_artist(Line2D([x / W, x / W], [top / H, bottom / H], color="black", lw=0.8))
    path = tmp_path_factory.mktemp("ruled") / "ruled.pdf"
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        pdf.savefig(fig)
    return path


def test_blank_cells_are_placed_by_the_ruled_table(ruled):
    ex = extract_document(ruled)
    t05 = next(t for t in ex.tables if t.table == "T05")
    facts = {(c, i): v for c, i, v, _ in t05.facts}
    assert facts[("2010301", "project")] == 10 * 10**6 and facts[("2010301", "basic")] == 0
    assert facts[("2010302", "basic")] == 5 * 10**6 and facts[("2010302", "project")] == 0
    # without the ruling lines each row would fit both columns; with them, no doubt is left
    assert {t05.evidence[(c, i)] for c, i, _, _ in t05.facts} == {"table"}
    rows = {(r["code"], r["item"]): r for r in ex.rows["facts"]}
    assert Decimal(rows[("2010301", "project")]["value"]) == Decimal("10")
    assert rows[("2010301", "project")]["line"].startswith("第1页第")
