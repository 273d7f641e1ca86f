"""The leadership report as a reader meets it, in headless Chromium: first screen, phone, A4.

Two reports: the shipped 2020 seed report, and a report on a real disclosure the project
did not build from (上海市普陀区财政局 2024, extracted by the project's own extractor from the
published PDF into ``tests/fixtures/report-data/putuo-czj-2024``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from fiscal_analysis.render.browser import DevTools
from fiscal_analysis.render.reports import render_reports

REPO = Path(__file__).resolve().parents[2]
PUTUO = REPO / "tests" / "fixtures" / "report-data" / "putuo-czj-2024"

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="Chromium is not installed (apt-get install --no-install-recommends chromium; CI does)",
)

#: Text of every element whose box starts within the first ``top`` CSS pixels, as shown.
FIRST_SCREEN = """(top => Promise.resolve(JSON.stringify(
  Array.from(document.querySelectorAll('main *'))
    .filter(e => e.children.length === 0 && e.getBoundingClientRect().top < top
                 && e.getBoundingClientRect().bottom > 0)
    .map(e => e.innerText).join('\\n'))))(900)"""
#: What a reader sees without opening anything: the main text (closed details excluded).
VISIBLE = """Promise.resolve(JSON.stringify({
  main: document.querySelector('main').innerText,
  images: Array.from(document.images).map(i => i.src),
  details: Array.from(document.querySelectorAll('details')).map(d => d.open),
  width: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth,
  lang: document.documentElement.lang
}))"""
#: Internal material a leader must not see: rule ids, English keys, snake_case, files, NaN.
INTERNAL = [
    re.compile(r"\b[TXN]\d{0,2}-\d+\b"),
    re.compile(r"\bF-[A-Z]+\b"),
    re.compile(r"\bT0\d\b"),
    re.compile(r"\b[a-z]+_[a-z_]+\b"),
    re.compile(r"\.csv\b"),
    re.compile(r"\bNaN\b|\bnan\b|<NA>|None"),
    re.compile(r"sha256"),
]


@pytest.fixture(scope="module")
def putuo_report(tmp_path_factory) -> Path:
    batch = render_reports(
        PUTUO,
        tmp_path_factory.mktemp("putuo") / "reports",
        notebook=REPO / "notebooks" / "annual_report.ipynb",
        years=[2024],
        jobs=1,
        progress=False,
    )
    assert batch.exit_code == 0, batch.summary()
    return batch.reports[0].html


@pytest.fixture
def browser(tmp_path):
    tools = DevTools(tmp_path / "profile")
    yield tools
    tools.close()


def _page(browser: DevTools, html: Path, width: int = 1280, mobile: bool = False):
    session, _, _ = browser.open(html)
    browser.viewport(session, width, 900, mobile=mobile)
    return session


def _internal(text: str) -> list[str]:
    return [m.group(0) for pattern in INTERNAL for m in pattern.finditer(text)]


def test_seed_first_screen_tells_the_year(seed_report_html, browser):
    session = _page(browser, seed_report_html)
    first = browser.evaluate(session, FIRST_SCREEN)
    for figure in ("335.78", "49.4%", "167.6%"):
        assert figure in first, figure
    assert "主要发现" in first


@pytest.mark.parametrize("which", ["seed", "putuo"])
def test_what_a_leader_sees_is_plain_chinese(which, seed_report_html, putuo_report, browser):
    html = seed_report_html if which == "seed" else putuo_report
    state = browser.evaluate(_page(browser, html), VISIBLE)
    assert state["lang"] == "zh-CN"
    assert _internal(state["main"]) == []
    assert state["details"] == [False]  # the analyst's appendix is folded away
    assert len(state["images"]) == len(set(state["images"])) > 0  # no image repeats


@pytest.mark.parametrize("which", ["seed", "putuo"])
def test_phone_width_has_no_sideways_scroll(which, seed_report_html, putuo_report, browser):
    html = seed_report_html if which == "seed" else putuo_report
    state = browser.evaluate(_page(browser, html, 420, mobile=True), VISIBLE)
    assert state["client"] == 420
    assert state["width"] <= 420


@pytest.mark.parametrize("which", ["seed", "putuo"])
def test_a4_print_is_short_and_numbered(which, seed_report_html, putuo_report, browser, tmp_path):
    html = seed_report_html if which == "seed" else putuo_report
    pdf = browser.print_pdf(_page(browser, html))
    doc = pdfium.PdfDocument(pdf)
    if which == "seed":
        assert len(doc) <= 10
    first = doc[0].get_textpage().get_text_range()
    last = doc[len(doc) - 1].get_textpage().get_text_range()
    assert f"共 {len(doc)} 页" in first.replace("\r", "") or f"共 {len(doc)} 页" in last
    assert "部门决算分析" in first  # the running header and the title
    width, height = doc[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_putuo_first_screen_states_its_headline(putuo_report, browser):
    first = browser.evaluate(_page(browser, putuo_report), FIRST_SCREEN)
    assert "上海市普陀区财政局2024年度部门决算分析" in first
    assert "收支总计" in first and "预算完成率" in first
