"""Leadership HTML: unit tests of the export, then real rendered reports (kernels).

The rendered part uses the fixture notebook on the fixture data plus five
entities whose ids and names are hostile (markup, path traversal, device names).
"""

from __future__ import annotations

import base64
import csv
import json
import re
import shutil
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from fiscal_analysis import __version__
from fiscal_analysis.charts.webfont import FAMILY, embedded_font, missing_glyphs
from fiscal_analysis.errors import ExportError
from fiscal_analysis.files import safe_component
from fiscal_analysis.render.export import (
    Provenance,
    check_html,
    export_html,
    footer_html,
    leadership_notebook,
    report_title,
)
from fiscal_analysis.render.fingerprint import FINGERPRINT_FILE
from fiscal_analysis.render.reports import render_reports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
NOTEBOOK = FIXTURES / "mini_report.ipynb"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()

#: entity id -> name; each must render inside --out and show as text.
HOSTILE = {
    "<script>alert(1)</script>": "<script>window.__xss=1</script>财政局",
    "<img src=x onerror=alert(1)>": '<img src=x onerror="window.__xss=2">审批局',
    "../../evil": "../../evil 局",
    "a/b": "甲/乙 联合局",
    "CON": "CON 局 & <b>粗体</b>",
}


def add_hostile_entities(data: Path) -> None:
    """Append the HOSTILE entities (one 2020 report each) to a fixture dataset."""
    with open(data / "entities.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([e, n, "测试地区", "县级", ""] for e, n in HOSTILE.items())
    folder = data / "hostile"
    folder.mkdir()
    rows = {
        "documents": [["doc_id", "entity_id", "year", "title", "path", "note"]],
        "tables": [["entity_id", "year", "table", "status", "doc_id", "section", "note"]],
        "facts": [
            [
                "entity_id",
                "year",
                "table",
                "code",
                "item",
                "value",
                "unit",
                "basis",
                "doc_id",
                "section",
                "note",
            ]
        ],
    }
    for i, entity in enumerate(HOSTILE):
        doc = f"hostile-{i}"
        rows["documents"].append([doc, entity, "2020", "测试文件", "", ""])
        rows["tables"].append([entity, "2020", "T01", "published", doc, "第二部分", ""])
        for item in ("income_grand_total", "expense_grand_total"):
            rows["facts"].append(
                [entity, "2020", "T01", "", item, f"1{i}.5", "万元", "published", doc, "一", ""]
            )
    for name, table in rows.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(table)


class Attributes(HTMLParser):
    """Collects every tag and attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def parse(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = Attributes()
    parser.feed(page)
    return parser.tags


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("export")
    shutil.copytree(FIXTURES / "data", base / "data")
    add_hostile_entities(base / "data")
    batch = render_reports(
        base / "data",
        base / "reports",
        notebook=NOTEBOOK,
        entities=["alpha", *HOSTILE],
        years=[2020],
        jobs=2,
        progress=False,
    )
    assert batch.exit_code == 0, batch.summary()
    return base, {r.entity_id: r for r in batch.reports}


# -- unit tests (no kernel) -----------------------------------------------------


def test_leadership_notebook_keeps_only_what_leadership_sees():
    nb = new_notebook(
        cells=[
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]}),
            new_markdown_cell("## 说明"),
            new_code_cell(
                "print(x)",
                outputs=[
                    new_output("stream", name="stdout", text="收入总计 335.78万元\n"),
                    new_output("stream", name="stderr", text="noise\n"),
                    new_output("stream", name="stdout", text="/x.py:1: UserWarning: careful\n"),
                    new_output("display_data", data={"text/plain": "FutureWarning: soon"}),
                    new_output("error", ename="ValueError", evalue="bad", traceback=["tb"]),
                ],
            ),
            new_code_cell("y = 1"),
        ]
    )
    before = nbformat.writes(nb)
    out = leadership_notebook(nb)
    assert [c.source for c in out.cells] == ["## 说明", "print(x)"]
    assert [o.text for o in out.cells[1].outputs] == ["收入总计 335.78万元\n"]
    assert nbformat.writes(nb) == before  # input untouched


def test_title_and_footer_escape_data():
    assert report_title("<b>局</b>", 2020) == "<b>局</b> 2020年度部门决算分析报告"
    prov = Provenance(
        "9.9",
        "f" * 64,
        {"entity": "<script>x</script>", "year": 2020},
        datetime(2021, 1, 2, 3, 4, 5),
    )
    footer = footer_html(prov)
    assert "<script>" not in footer and "&lt;script&gt;x&lt;/script&gt;" in footer
    assert (
        "生成信息" in footer and "fiscal-analysis 9.9" in footer and "2021-01-02 03:04:05" in footer
    )


def test_export_of_a_handmade_notebook():
    nb = new_notebook(
        cells=[
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell(
                "show()",
                outputs=[
                    new_output(
                        "display_data",
                        data={"text/markdown": "# 标题 &lt;i&gt;", "text/plain": "x"},
                    ),
                    new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
                    new_output("display_data", data={"application/javascript": "window.__xss = 1"}),
                ],
            ),
        ]
    )
    prov = Provenance(__version__, "a" * 64, {"entity": "e", "year": 2020})
    page = export_html(nb, title=report_title("<甲>", 2020), provenance=prov)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "<title>&lt;甲&gt; 2020年度部门决算分析报告</title>" in page
    assert "&lt;i&gt;" in page and "<i>" not in page
    assert f'src="data:image/png;base64,{PNG}"' in page
    assert "<script" not in page and "__xss" not in page
    assert "x = 1" not in page


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        ({"text/html": "<script>alert(1)</script>"}, "<script>"),
        ({"text/html": '<img src="https://example.com/x.png">'}, "external URL"),
        ({"text/html": '<a href="http://example.com">x</a>'}, "external URL"),
        ({"text/html": '<b onclick="x()">x</b>'}, "onclick"),
        ({"text/html": '<link rel="stylesheet" href="https://cdn/x.css">'}, "<link>"),
        ({"text/html": '<div style="background:url(https://t/x.png)">x</div>'}, "external CSS"),
        ({"text/markdown": "![logo](https://example.com/logo.png)"}, "external URL"),
    ],
)
def test_export_refuses_scripts_and_external_urls(output, problem):
    nb = new_notebook(
        cells=[new_code_cell("show()", outputs=[new_output("display_data", data=output)])]
    )
    with pytest.raises(ExportError, match=re.escape(problem)):
        export_html(nb, title="t", provenance=Provenance("0", "0" * 64))


# -- rendered reports (kernels) ---------------------------------------------------


def test_leadership_html_rules(reports):
    _, results = reports
    page = results["alpha"].html.read_text(encoding="utf-8")
    tags = parse(page)
    # offline: no scripts at all, no external URL in any src or href
    assert "<script" not in page.lower()
    for tag, attrs in tags:
        assert tag not in {"script", "link", "iframe"}
        for name in ("src", "href"):
            value = attrs.get(name, "")
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*https?://", page)
    assert '<html lang="zh-CN">' in page
    # no code, prompts or parameter cells
    for code in (
        "load_dataset(",
        "import matplotlib",
        "plt.subplots",
        "data: str",
        "entity: str",
        "In&nbsp;[",
        "Out[",
    ):
        assert code not in page
    assert 'class="input' not in page and "injected" not in page
    # no stderr and no warnings
    for noise in ("stderr noise", "kernel pid", "fixture warning", "UserWarning", "Warning"):
        assert noise not in page
    # the chart is embedded as a PNG data URI that decodes
    images = [attrs["src"] for tag, attrs in tags if tag == "img"]
    assert len(images) == 1
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    # title, content, print CSS and provenance footer
    assert "<title>甲市财政局 2020年度部门决算分析报告</title>" in page
    assert "甲市财政局 2020年度决算概览" in page and "收入总计 335.78万元" in page
    assert "<td>335.78万元</td>" in page
    assert "@page" in page and "@media print" in page
    fingerprint = json.loads(
        (results["alpha"].folder / FINGERPRINT_FILE).read_text(encoding="utf-8")
    )
    footer = page[page.index('<footer class="provenance">') :]
    assert "生成信息" in footer and f"fiscal-analysis {__version__}" in footer
    assert f"sha256:{fingerprint['data'][:32]}" in footer
    assert "单位 甲市财政局；年度 2020" in footer and "生成时间" in footer
    assert "alpha" not in footer  # the entity's internal id is no reader's name for it


def test_hostile_ids_render_inside_out_and_show_as_text(reports):
    base, results = reports
    out = (base / "reports").resolve()
    assert sorted(p.name for p in base.iterdir()) == ["data", "reports"]
    folders = {p.name for p in out.iterdir() if p.is_dir()}
    assert folders == {safe_component(e) for e in ["alpha", *HOSTILE]}
    assert (out / "index.html").is_file()  # the index of the batch sits beside the folders
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out)
    assert not list(base.parent.glob("evil*"))
    for entity, name in HOSTILE.items():
        result = results[entity]
        assert result.status == "rendered"
        assert result.folder.resolve().parent.parent == out
        page = result.html.read_text(encoding="utf-8")
        assert check_html(page) == []
        assert "<script>" not in page and "<img src=x" not in page and "<b>粗体" not in page
        esc_id = entity.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        esc_name = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"单位标识：{esc_id}" in page  # Markdown heading built with html.escape
        assert f"<td>{esc_name}</td>" in page  # DataFrame cell escaped by pandas
        title = re.search(r"<title>(.*)</title>", page).group(1)
        assert title.startswith(esc_name) and "2020年度" in title  # quotes need no escaping in text


def test_every_report_carries_the_cjk_subset_for_its_own_text(reports):
    _, results = reports
    fonts = {}
    for entity, result in results.items():
        page = result.html.read_text(encoding="utf-8")
        head, body = page.split("</head>", 1)
        assert head.count(f'@font-face{{font-family:"{FAMILY}";') == 1 and "@font-face" not in body
        font = embedded_font(page)
        text = re.sub(r"<[^>]+>", "", body)  # tag-free text; entities need no glyphs
        assert missing_glyphs(font, unescape(text)) == [], entity
        fonts[entity] = font
    # each report has its own subset: the names differ, so do the fonts
    assert len(set(fonts.values())) == len(fonts)
    assert missing_glyphs(fonts["alpha"], "甲市财政局") == []
    assert missing_glyphs(fonts["alpha"], "审批局") == ["审", "批"]


class _Markup(HTMLParser):
    """The text and the elements (tag, attributes but image data) of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.elements: list[tuple[str, list]] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, sorted((k, v) for k, v in attrs if k != "src")))


def _markup(page: str) -> tuple[list[str], list]:
    parser = _Markup()
    parser.feed(page)
    return parser.text, parser.elements


def test_own_page_writer_gives_the_text_and_markup_nbconvert_gives(reports, monkeypatch):
    """Report pages are written without nbconvert: same text, same elements, same images."""
    from fiscal_analysis.render import export, page

    prov = Provenance(__version__, "a" * 64, {"entity": "alpha", "year": 2020})
    _, by_entity = reports
    executed = [r.folder / "report.ipynb" for r in by_entity.values() if r.status == "rendered"]
    assert len(executed) == 1 + len(HOSTILE)
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        ours = export_html(nb, title=report_title("甲局", 2020), provenance=prov)
        with monkeypatch.context() as m:
            m.setattr(export, "page_html", lambda *a, **k: None)  # as for an exotic notebook
            theirs = export_html(nb, title=report_title("甲局", 2020), provenance=prov)
        assert '<div class="output_html rendered_html' in ours
        assert _markup(ours) == _markup(theirs)
        images = re.compile(r'src="(data:image/png;base64,[^"]+)"')
        assert images.findall(ours) == images.findall(theirs)
        assert len(images.findall(ours)) >= 1
        # a kind of output the writer leaves to nbconvert
        nb.cells[-1].outputs[0]["data"]["image/svg+xml"] = "<svg></svg>"
        assert page.page_html(export.leadership_notebook(nb), head="", footer="") is None
