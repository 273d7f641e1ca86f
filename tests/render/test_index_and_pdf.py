"""``render`` writes ``index.html`` linking every report, and ``report.pdf`` with ``pdf=True``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from fiscal_analysis.errors import RenderError
from fiscal_analysis.render import pdf as pdf_mod
from fiscal_analysis.render.browser import DevTools
from fiscal_analysis.render.export import check_html
from fiscal_analysis.render.reports import render_reports

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


#: The seed bureau and a real 普陀 2024 department of the shipped data.
ENTITIES = ["lusong-xzsp", "putuo-czj"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Two departments of the shipped data rendered with PDFs (4 reports)."""
    out = tmp_path_factory.mktemp("two") / "reports"
    result = render_reports(
        REPO / "data", out, entities=ENTITIES, jobs=2, progress=False, pdf=CHROMIUM is not None
    )
    assert result.exit_code == 0, result.summary()
    return out, result


def test_index_links_every_report_and_marks_errors(batch):
    out, result = batch
    page = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', page)
    assert sorted(links) == sorted(r.html.relative_to(out).as_posix() for r in result.reports)
    assert all((out / link).is_file() for link in links)
    assert check_html(page, links) == []  # offline: only the reports' relative links
    assert '<html lang="zh-CN">' in page and "<script" not in page
    assert "株洲市芦淞区行政审批服务局" in page and "上海市普陀区财政局" in page
    assert "335.78万元" in page and "167.6%" in page
    assert re.search(r"发现\d+处错误", page)  # the 普陀 2024 disclosure's own errors are marked
    assert "@font-face" in page  # the CJK subset travels with the page


def test_index_is_rewritten_only_when_the_batch_renders(batch):
    out, _ = batch
    index = out / "index.html"
    before = index.stat().st_mtime_ns
    again = render_reports(REPO / "data", out, entities=ENTITIES, jobs=1, progress=False)
    assert {r.status for r in again.reports} == {"skipped"}
    assert index.stat().st_mtime_ns == before
    index.unlink()
    render_reports(REPO / "data", out, entities=ENTITIES, jobs=1, progress=False)
    assert index.is_file()  # a missing index is written even when nothing else changed


@needs_chromium
def test_pdf_beside_each_report_has_pages_and_chinese_text(batch, tmp_path):
    _, result = batch
    for r in result.reports:
        doc = pdfium.PdfDocument(r.folder / "report.pdf")
        assert 1 <= len(doc) <= 12
        text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        assert f"共 {len(doc)} 页" in text
        assert f"{r.year}年度部门决算分析" in text
    seed = next(r for r in result.reports if r.entity_id == "lusong-xzsp" and r.year == 2020)
    text = pdfium.PdfDocument(seed.folder / "report.pdf")[0].get_textpage().get_text_range()
    assert "335.78万元" in text and "主要发现" in text


@needs_chromium
def test_index_opens_offline_and_fits_a_phone(batch, tmp_path):
    out, _ = batch
    tools = DevTools(tmp_path / "profile")
    try:
        session, _ = tools.load(out / "index.html")
        tools.viewport(session, 420, 900, mobile=True)
        state = tools.evaluate(
            session,
            "Promise.resolve(JSON.stringify({w: document.documentElement.scrollWidth,"
            " links: document.links.length}))",
        )
    finally:
        tools.close()
    assert state["w"] <= 420 and state["links"] == 4


def test_pdf_without_chromium_is_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    page = tmp_path / "report.html"
    page.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(RenderError, match="找不到 Chromium，无法生成 PDF") as err:
        pdf_mod.write_pdfs([page])
    assert "apt-get install" in str(err.value) and not (tmp_path / "report.pdf").exists()


def test_each_report_states_the_error_count_the_checks_give(batch):
    """The index takes a rendered report's 错误 count from its notebook: the checks' own count."""
    from fiscal_analysis.dataset.load import load_dataset
    from fiscal_analysis.report.index_page import error_count

    _, result = batch
    ds = load_dataset(REPO / "data")
    stated = {(r.entity_id, r.year): r.errors for r in result.reports}
    assert len(stated) == 4 and all(isinstance(n, int) for n in stated.values())
    assert stated == {k: error_count(ds.entity_year(*k)) for k in stated}
    assert stated["putuo-czj", 2024] > 0  # the 普陀 2024 disclosure's own errors


def test_index_checks_again_only_the_reports_the_batch_rendered(batch, monkeypatch):
    """A batch that re-renders one report takes its count from it, and reads the others back."""
    from fiscal_analysis.render.index import REVIEW_FILE
    from fiscal_analysis.report import index_page

    out, _ = batch
    before = (out / "index.html").read_text(encoding="utf-8")
    assert (out / "putuo-czj" / "2024" / REVIEW_FILE).is_file()
    checked = []
    real = index_page.error_count

    def counting(ey, **kw):
        checked.append((ey.entity_id, ey.year))
        return real(ey, **kw)

    monkeypatch.setattr(index_page, "error_count", counting)
    (out / "putuo-czj" / "2023" / ".fingerprint.json").unlink()  # that report is now stale
    again = render_reports(
        REPO / "data", out, entities=ENTITIES, jobs=1, progress=False, pdf=CHROMIUM is not None
    )
    assert sorted(
        (r.entity_id, r.year, r.status) for r in again.reports if r.status != "skipped"
    ) == [("putuo-czj", 2023, "rendered")]
    assert checked == []  # the re-rendered report stated its count; the others were remembered
    # the same counts as when every department-year was checked
    strip = lambda page: re.sub(r"<style>.*?</style>", "", page, flags=re.S)  # noqa: E731
    assert strip((out / "index.html").read_text(encoding="utf-8")) == strip(before)


def test_rendering_one_department_keeps_the_others_in_the_index(batch):
    """``--entity X`` re-renders X's reports; the index still lists every report in the folder."""
    out, _ = batch
    before = re.findall(r'<a href="([^"]+)">', (out / "index.html").read_text(encoding="utf-8"))
    assert len(before) == 4
    again = render_reports(
        REPO / "data", out, entities=["putuo-czj"], years=[2024], jobs=1, progress=False,
        force=True,
    )  # fmt: skip
    assert [(r.entity_id, r.year, r.status) for r in again.reports] == [
        ("putuo-czj", 2024, "rendered")
    ]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert sorted(re.findall(r'<a href="([^"]+)">', page)) == sorted(before)
    assert "株洲市芦淞区行政审批服务局" in page and "335.78万元" in page  # not in this batch
    assert "共2个单位、4份报告" in page
