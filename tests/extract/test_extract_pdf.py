"""PDF text layer -> lines, through PDFium (pypdfium2) and through pdfplumber.

The fixture PDF is drawn here with matplotlib (CJK font from
:func:`fiscal_analysis.charts.fonts.cjk_font`, Latin digits in DejaVu Sans, so the
digits sit lower than the Chinese text like in the Shanghai files).
"""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D

from fiscal_analysis.charts.fonts import cjk_font
from fiscal_analysis.extract import ExtractError, extract_lines, pdftext
from fiscal_analysis.extract.text import read_lines

W, H = 420.0, 300.0  # page size in points

PAGE_1 = [
    "[第1页]",
    "上海市示范区财政局2024年度部门决算",
    "科目编码  科目名称  决算数",
    "201  06  01  行政运行  1,511.89",
    "合计  2,106.66",
    "本年支出决算1511.",
    "89万元，比上年增加12.5%。",
]
PAGE_2 = [
    "[第2页]",
    "预算数  决算数  预算数  决算数  预算数  决算数",
    "10.00  9.50  -  3.00  -  -",  # numbers placed under their 预算数/决算数 column
    "出支目项",  # vertical text, read as pdfplumber reads it
]

ENGINES = [
    "pdfium",
    pytest.param(
        "pdfplumber",
        marks=pytest.mark.skipif(
            not pdftext.engine_available("pdfplumber"), reason="pdfplumber not installed"
        ),
    ),
]


def _page(texts: list[tuple[float, float, str, int, bool, int]]) -> Figure:
    cjk = FontProperties(fname=str(cjk_font().path))
    latin = FontProperties(family="DejaVu Sans")
    fig = Figure(figsize=(W / 72, H / 72))
    for x, y, s, size, is_latin, rotation in texts:
        font = latin if is_latin else cjk
        fig.text(x / W, y / H, s, fontproperties=font, fontsize=size, rotation=rotation)
    return fig


def _write(path, pages: list[Figure]) -> None:
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for fig in pages:
            pdf.savefig(fig)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Two pages: a title, a table row with a split code, a broken number; a 预算数 table."""
    page1 = _page(
        [
            (40, 260, "上海市示范区财政局2024年度部门决算", 16, False, 0),
            (320, 220, "决算数", 10, False, 0),  # drawn before the cells left of it
            (200, 220, "科目名称", 10, False, 0),
            (40, 220, "科目编码", 10, False, 0),
            (40, 200, "201", 10, True, 0),
            (75, 200, "06", 10, True, 0),
            (100, 200, "01", 10, True, 0),
            (200, 200, "行政运行", 10, False, 0),
            (320, 200, "1,511.89", 10, True, 0),
            (40, 180, "合计", 10, False, 0),
            (320, 178, "2,106.66", 10, True, 0),  # set 2 pt lower: still the same line
            (40, 140, "本年支出决算1511.", 10, False, 0),
            (40, 126, "89万元，比上年增加12.5%。", 10, False, 0),
        ]
    )
    header = [(60 + 55 * i, 200, s, 10, False, 0) for i, s in enumerate(["预算数", "决算数"] * 3)]
    numbers = [(60, 180, "10.00", 10, False, 0), (115, 180, "9.50", 10, False, 0)]
    page2 = _page(
        [*header, *numbers, (225, 180, "3.00", 10, False, 0), (20, 150, "项目支出", 10, False, 90)]
    )
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    _write(path, [page1, page2])
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_lines_read_back(sample, engine):
    assert read_lines(sample, pdf_engine=engine) == PAGE_1 + PAGE_2


def test_default_engine_is_pdfium_and_title_reaches_the_parser(sample, monkeypatch):
    lines = read_lines(sample)
    assert lines == PAGE_1 + PAGE_2
    ex = extract_lines(lines, "sample.pdf")
    assert (ex.name, ex.year) == ("上海市示范区财政局", 2024)
    # pypdfium2 missing: pdfplumber is used
    if pdftext.engine_available("pdfplumber"):
        monkeypatch.setattr(pdftext, "engine_available", lambda engine: engine != "pdfium")
        monkeypatch.setattr(pdftext, "_pdfium_pages", None)  # would fail if called
        assert read_lines(sample) == PAGE_1 + PAGE_2


@pytest.mark.skipif(not pdftext.engine_available("pdfplumber"), reason="pdfplumber not installed")
def test_pdfium_characters_have_pdfminers_boxes(sample):
    import pdfplumber

    ours = pdftext._pdfium_pages(sample)
    with pdfplumber.open(sample) as pdf:
        theirs = [page.chars for page in pdf.pages]
    assert [len(p) for p in ours] == [len(p) for p in theirs] == [86, 35]
    for mine, ref in zip(ours, theirs, strict=True):
        assert [c["text"] for c in mine] == [c["text"] for c in ref]  # stream order
        for a, b in zip(mine, ref, strict=True):
            assert a["upright"] == b["upright"]
            for key in ("x0", "x1", "top", "bottom", "size"):
                assert a[key] == pytest.approx(b[key], abs=0.01), (a["text"], key)


@pytest.mark.parametrize("angle", [90, 180, 270])
@pytest.mark.parametrize("engine", ENGINES)
def test_turned_pages_read_upright(sample, tmp_path, angle, engine):
    """A landscape table stored turned (/Rotate) with its content drawn the other way."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(sample)
    page = pdf[0]
    w, h = page.get_size()
    turn = {
        90: (pdfium.PdfMatrix().rotate(90, ccw=True).translate(h, 0), (0, 0, h, w)),
        180: (pdfium.PdfMatrix().rotate(180).translate(w, h), (0, 0, w, h)),
        270: (pdfium.PdfMatrix().rotate(90).translate(0, w), (0, 0, h, w)),
    }
    matrix, box = turn[angle]
    for obj in list(page.get_objects()):
        obj.transform(matrix)
    page.set_mediabox(*box)
    page.set_rotation(angle)
    page.gen_content()
    out = tmp_path / f"turned{angle}.pdf"
    pdf.save(out)
    pdf.close()
    assert read_lines(out, pdf_engine=engine) == PAGE_1 + PAGE_2


@pytest.mark.parametrize("engine", ENGINES)
def test_unreadable_and_textless_pdfs(tmp_path, engine):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ExtractError, match="不是可读取的 PDF"):
        read_lines(bad, pdf_engine=engine)
    fig = Figure(figsize=(2, 2))
    fig.add_artist(Line2D([0.1, 0.9], [0.5, 0.5]))
    scan = tmp_path / "scan.pdf"
    _write(scan, [fig])
    with pytest.raises(ExtractError, match="没有文字层"):
        read_lines(scan, pdf_engine=engine)


def test_words_follow_pdfplumbers_rules():
    def ch(text, x0, top, size=10.0, upright=True):
        return {
            "text": text,
            "x0": x0,
            "x1": x0 + size,
            "top": top,
            "bottom": top + size,
            "size": size,
            "upright": upright,
        }

    chars = [
        ch("合", 0, 0),
        ch("计", 11.5, 0),  # gap 1.5: same word
        ch("数", 23.1, 0),  # gap 1.6: new word
        ch(" ", 33.1, 0),
        ch("ﬁ", 34, 0),  # after a space: new word; ligature expanded
        ch("下", 0, 2.5),  # top 2.5 lower: another line
        ch("小", 44, 0, size=8),  # another size: another run, another word
    ]
    assert [w["text"] for w in pdftext.chars_to_words(chars)] == ["合计", "数", "fi", "下", "小"]
    vertical = [ch("项", 0, 0, upright=False), ch("目", 0, 10, upright=False)]
    assert [w["text"] for w in pdftext.chars_to_words(vertical)] == ["项目"]


@pytest.mark.parametrize("engine", ENGINES)
def test_pages_over_the_limits_are_refused(sample, engine, monkeypatch):
    monkeypatch.setattr(pdftext, "MAX_PAGES", 1)
    with pytest.raises(ExtractError, match=r"PDF 有 2 页，超过上限 1 页.*over 1 pages"):
        read_lines(sample, pdf_engine=engine)
    monkeypatch.setattr(pdftext, "MAX_PAGES", 10)
    monkeypatch.setattr(pdftext, "MAX_PAGE_CHARS", 20)
    with pytest.raises(ExtractError, match=r"sample.pdf: 第1页有 \d+ 个字符，超过每页上限 20 个"):
        read_lines(sample, pdf_engine=engine)


def test_forms_nested_too_deep_are_refused(sample, monkeypatch):
    monkeypatch.setattr(pdftext, "MAX_FORM_DEPTH", -1)  # the page itself is one level too deep
    with pytest.raises(ExtractError, match=r"第1页的表单对象嵌套超过 -1 层"):
        read_lines(sample, pdf_engine="pdfium")
