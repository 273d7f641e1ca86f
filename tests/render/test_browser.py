"""Open rendered reports in headless Chromium, offline, over the DevTools protocol.

Checks that every image loads from the file itself, that no request leaves
the file, that markup in entity names and ids never runs (no alert dialog, no
``window.__xss``, no script elements), that the seed report's Chinese text is
drawn with a font that has the glyphs (the embedded subset where the machine
has no CJK font) and takes screenshots.

Chromium is driven through ``--remote-debugging-pipe`` (NUL-separated JSON on
file descriptors 3 and 4), so the test needs no network port at all.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from fiscal_analysis.charts.webfont import FAMILY
from fiscal_analysis.render.browser import DevTools
from fiscal_analysis.render.reports import render_reports

REPO = Path(__file__).resolve().parents[2]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install --no-install-recommends chromium; CI does)",
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
XSS = {
    "<script>alert(1)</script>": "<script>window.__xss=1</script>财政局",
    "<img src=x onerror=alert(1)>": '<img src=x onerror="window.__xss=2">审批局',
}
PAGE_STATE = """JSON.stringify({
  images: document.images.length,
  loaded: Array.from(document.images).every(i => i.complete && i.naturalWidth > 0),
  scripts: document.scripts.length,
  xss: typeof window.__xss,
  lang: document.documentElement.lang,
  title: document.title,
  text: document.body.innerText
})"""
FONT_STATE = (
    "document.fonts.ready.then(() => JSON.stringify({"
    "  status: document.fonts.status,"
    f"  check: document.fonts.check('16px {FAMILY}', '收支总计'),"
    "  faces: Array.from(document.fonts).map(f => [f.family.replace(/\"/g, ''), f.status]),"
    "  h1: document.querySelector('h1').innerText"
    "}))"
)
#: Families the stylesheet lists before the embedded font (a reader's own CJK fonts).
SYSTEM_CJK = {
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    data = base / "data"
    shutil.copytree(FIXTURES / "data", data)
    with open(data / "entities.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([e, n, "测试地区", "县级", ""] for e, n in XSS.items())
    (data / "xss").mkdir()
    head = {
        "documents": ["doc_id", "entity_id", "year", "title", "path", "note"],
        "tables": ["entity_id", "year", "table", "status", "doc_id", "section", "note"],
        "facts": [
            *["entity_id", "year", "table", "code", "item", "value", "unit", "basis"],
            *["doc_id", "section", "note"],
        ],
    }
    rows: dict[str, list[list[str]]] = {name: [cols] for name, cols in head.items()}
    for i, entity in enumerate(XSS):
        rows["documents"].append([f"x{i}", entity, "2020", "测试", "", ""])
        rows["tables"].append([entity, "2020", "T01", "published", f"x{i}", "二", ""])
        for item in ("income_grand_total", "expense_grand_total"):
            rows["facts"].append(
                [entity, "2020", "T01", "", item, "12", "万元", "published", f"x{i}", "一", ""]
            )
    for name, table in rows.items():
        with open(data / "xss" / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(table)
    batch = render_reports(
        data,
        base / "reports",
        notebook=FIXTURES / "mini_report.ipynb",
        entities=["alpha", *XSS],
        years=[2020],
        jobs=2,
        progress=False,
    )
    assert batch.exit_code == 0, batch.summary()
    return {r.entity_id: r.html for r in batch.reports}


@pytest.fixture(scope="module")
def seed_report(seed_report_html):
    """The shipped 2020 report, rendered with the real notebook (shared, see conftest)."""
    return seed_report_html


@pytest.fixture
def browser(tmp_path):
    tools = DevTools(tmp_path / "profile")
    yield tools
    tools.close()


def test_report_opens_offline_with_images_loaded(reports, browser, tmp_path):
    session, state, png = browser.open(reports["alpha"], PAGE_STATE)
    assert state["images"] == 1 and state["loaded"] is True
    assert state["scripts"] == 0
    assert state["lang"] == "zh-CN"
    assert state["title"] == "甲市财政局 2020年度部门决算分析报告"
    assert "收入总计 335.78万元" in state["text"] and "生成信息" in state["text"]
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session
    ]
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests
    shot = tmp_path / "report.png"
    shot.write_bytes(png)
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and shot.stat().st_size > 5000


@pytest.mark.parametrize("entity", list(XSS))
def test_markup_in_names_never_runs(reports, browser, entity, tmp_path):
    _, state, png = browser.open(reports[entity], PAGE_STATE)
    assert state["xss"] == "undefined"
    assert state["scripts"] == 0
    assert state["loaded"] is True
    assert XSS[entity] in state["text"]  # shown as text, character for character
    assert entity in state["text"]
    assert XSS[entity] in state["title"]
    dialogs = [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    assert dialogs == []
    (tmp_path / "xss.png").write_bytes(png)
    assert png.startswith(b"\x89PNG")


def _system_cjk_fonts() -> bool:
    """Whether fontconfig knows any Chinese font (a fresh Linux machine has none)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def test_chinese_text_is_drawn_with_glyphs_offline(seed_report, browser, tmp_path):
    session, state, png = browser.open(seed_report, PAGE_STATE)
    assert state["lang"] == "zh-CN" and state["scripts"] == 0 and state["loaded"] is True
    assert "2020年度收、支总计335.78万元" in state["text"] and "主要发现" in state["text"]
    assert "附录：数据说明与核对明细" in state["text"]  # the folded appendix shows its summary line
    fonts = browser.evaluate(session, FONT_STATE)
    assert fonts["status"] == "loaded"
    assert fonts["faces"] == [[FAMILY, "loaded"]]
    assert fonts["check"] is True
    # every glyph of the title comes from a font that has it: the embedded subset
    # (a custom font) or one of the system CJK fonts the stylesheet lists first
    used = browser.platform_fonts(session, "h1")
    assert sum(f["glyphCount"] for f in used) == len(fonts["h1"].replace(" ", ""))
    for font in used:  # full names, e.g. "Noto Sans CJK SC Regular"
        assert font["isCustomFont"] or font["familyName"].startswith(tuple(SYSTEM_CJK)), used
    if not _system_cjk_fonts():  # e.g. this CI machine: only the embedded font can draw it
        assert all(f["isCustomFont"] for f in used), used
        assert all(f["familyName"].startswith("Noto Sans CJK SC") for f in used), used
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session
    ]
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    shot = tmp_path / "seed.png"
    shot.write_bytes(png)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 50_000
