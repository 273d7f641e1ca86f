"""Executed notebook -> leadership HTML: no code, no noise, nothing external.

:func:`leadership_notebook` drops the ``parameters``/``injected-parameters``
cells, stderr streams, outputs that mention warnings, error outputs and code
cells left without output. :func:`export_html` renders the rest in-process
with nbconvert's :class:`~nbconvert.HTMLExporter` (input and prompts
excluded) through the small template in ``render/templates/leadership``:
``<html lang="zh-CN">``, a ``<title>`` with the department and year, the
print-friendly ``render/templates/report.css`` inlined, and a 生成信息 footer.
Images stay the base64 ``data:`` URIs they already are in the notebook, and a
subset of the CJK font with exactly the page's characters is inlined as an
``@font-face`` ``data:`` URI (:mod:`fiscal_analysis.charts.webfont`), so the text is
Chinese on a machine without any CJK font too.

Data strings are text, never markup: the title and footer are escaped here;
DataFrames are escaped by pandas; Markdown built from data must be escaped by
whoever builds it. Nothing here un-escapes anything, and :func:`check_html`
rejects any output that still contains a script, an event handler or an
external URL, so such a report fails instead of being sent.
"""

from __future__ import annotations

import copy
import functools
import html
import re
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

from fiscal_analysis.charts.webfont import FAMILY, font_face_css, page_characters
from fiscal_analysis.errors import ExportError
from fiscal_analysis.render.page import head_html, page_html

__all__ = [
    "REMOVE_TAGS",
    "Provenance",
    "check_html",
    "embed_font",
    "export_html",
    "footer_html",
    "leadership_notebook",
    "report_title",
]

#: Cells with any of these tags are removed entirely.
REMOVE_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})

_WARNING = re.compile(r"warning", re.I)
_TEMPLATES = Path(str(files("fiscal_analysis.render") / "templates"))
_LOCAL = threading.local()
#: Stands in the template's <style> for the @font-face rule until the page text is known.
#: Where :func:`embed_font` puts the ``@font-face`` rule of a page.
FONT_SLOT = "/* fiscal-analysis: embedded CJK font */"


@dataclass(frozen=True)
class Provenance:
    """What the 生成信息 footer states.

    Attributes:
        version: ``fiscal_analysis.__version__``.
        data_hash: Digest of the data files the report read.
        parameters: The notebook parameters (shown as ``key = value``).
        rendered_at: When the report was rendered.
    """

    version: str
    data_hash: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    rendered_at: datetime = field(default_factory=lambda: datetime.now().astimezone())


def report_title(name: str, year: int) -> str:
    """The report's title (plain text; escape it before putting it in HTML).

    Examples:
        >>> report_title("株洲市芦淞区行政审批服务局", 2020)
        '株洲市芦淞区行政审批服务局 2020年度部门决算分析报告'
    """
    return f"{name} {int(year)}年度部门决算分析报告"


#: Notebook parameters as a reader names them in the footer.
PARAMETER_LABELS = {
    "entity": "单位",
    "year": "年度",
    "decimals": "百分比小数位",
    "data": "数据目录",
}


def footer_html(prov: Provenance) -> str:
    """The provenance footer in small Chinese print, every value HTML-escaped.

    The data digest is kept for tracing in an HTML comment, not shown.

    Examples:
        >>> from datetime import datetime
        >>> p = Provenance("0.1.0", "ab" * 32, {"entity": "<b>x</b>", "year": 2020},
        ...                datetime(2024, 5, 1, 9, 30))
        >>> print(footer_html(p))  # doctest: +NORMALIZE_WHITESPACE
        <footer class="provenance"><!-- data sha256:abababababababababababababababab -->
        <h2>生成信息</h2><dl>
        <dt>生成工具</dt><dd>fiscal-analysis 0.1.0</dd>
        <dt>报告范围</dt><dd>单位 &lt;b&gt;x&lt;/b&gt;；年度 2020</dd>
        <dt>生成时间</dt><dd>2024-05-01 09:30:00</dd>
        </dl></footer>
    """
    params = "；".join(
        f"{PARAMETER_LABELS.get(k, '其他参数')} {v}"
        for k, v in prov.parameters.items()
        if k != "data"
    )
    rows = [
        ("生成工具", f"fiscal-analysis {prov.version}"),
        ("报告范围", params),
        ("生成时间", prov.rendered_at.isoformat(sep=" ", timespec="seconds")),
    ]
    body = "\n".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    digest = re.sub(r"[^0-9a-f]", "", prov.data_hash.lower())[:32]
    return (
        f'<footer class="provenance"><!-- data sha256:{digest} -->\n'
        f"<h2>生成信息</h2><dl>\n{body}\n</dl></footer>"
    )


def page_css(title: str) -> str:
    """Print rules for one report: its title as the running header, and page numbers.

    The title is written as a CSS string (quotes, backslashes and ``<`` escaped), so no
    department name can end the rule or the ``<style>`` element.

    Examples:
        >>> print(page_css('某局"2020'))  # doctest: +NORMALIZE_WHITESPACE
        @page { @top-center { content: "某局\\22 2020"; font-family: "FiscalReportCJK",
        sans-serif; font-size: 9pt; color: #59636e; }
        @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页";
        font-family: "FiscalReportCJK", sans-serif; font-size: 9pt; color: #59636e; } }
    """
    safe = "".join(f"\\{ord(ch):x} " if ch in '"\\<>\n\r' or ord(ch) < 32 else ch for ch in title)
    # page-margin boxes do not inherit the body's fonts: name the embedded CJK subset here,
    # or a machine without a Chinese system font prints the header and page numbers as boxes
    small = f'font-family: "{FAMILY}", sans-serif; font-size: 9pt; color: #59636e;'
    return (
        f'@page {{ @top-center {{ content: "{safe}"; {small} }}\n'
        '@bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页";\n'
        f"{small} }} }}"
    )


def _output_text(output: Mapping[str, Any]) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _keep_output(output: Mapping[str, Any]) -> bool:
    if output.get("output_type") == "error":
        return False
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        return False
    return not _WARNING.search(_output_text(output))


def leadership_notebook(nb: Any) -> Any:
    """A copy of ``nb`` with only what leadership should see (``nb`` is not changed).

    Examples:
        >>> from nbformat.v4 import new_notebook, new_code_cell, new_output
        >>> nb = new_notebook(cells=[
        ...     new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        ...     new_code_cell("print(x)", outputs=[
        ...         new_output("stream", name="stdout", text="1\\n"),
        ...         new_output("stream", name="stderr", text="oops\\n")]),
        ...     new_code_cell("import warnings", outputs=[
        ...         new_output("stream", name="stdout", text="UserWarning: x\\n")]),
        ... ])
        >>> out = leadership_notebook(nb)
        >>> [c.source for c in out.cells], [o.text for o in out.cells[0].outputs]
        (['print(x)'], ['1\\n'])
        >>> len(nb.cells)
        3
    """
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if _keep_output(o)]
            if not cell.outputs:
                continue
        cells.append(cell)
    out.cells = cells
    return out


class _Checker(HTMLParser):
    BANNED = frozenset({"script", "iframe", "frame", "object", "embed", "applet", "link", "base"})
    URL_ATTRS = frozenset(
        {"src", "href", "srcset", "poster", "action", "formaction", "data", "background"}
    )

    def __init__(self, links: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False
        self._links = links

    def _flag(self, what: str) -> None:
        self.problems.append(f"第 {self.getpos()[0]} 行: {what}")

    def _check_css(self, css: str) -> None:
        if "@import" in css or re.search(r"url\(\s*['\"]?(?!data:)", css, re.I):
            self._flag("CSS 引用了外部资源 (external CSS url)")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BANNED:
            self._flag(f"不允许的 <{tag}> 元素 (forbidden element)")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self._flag("不允许的 <meta http-equiv> (forbidden meta)")
        self._in_style = tag == "style"
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self._flag(f"不允许的事件属性 {name} (event handler)")
            elif name == "style":
                self._check_css(value)
            elif name in self.URL_ATTRS or name.endswith(":href"):
                if name == "href" and value in self._links:
                    continue
                ok = value.startswith("#") if name.endswith("href") else value.startswith("data:")
                if not ok:
                    self._flag(
                        f"<{tag} {name}=「{value[:60]}」> 不是内嵌数据或页内链接 (external URL)"
                    )

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._check_css(data)


def check_html(text: str, links: Collection[str] = ()) -> list[str]:
    """Problems that make HTML unfit for leadership (empty list if none).

    Flags ``<script>``, ``<iframe>``, ``<link>`` and similar elements, ``on*``
    event attributes, and any ``src``/``href`` that is not a ``data:`` URI or
    an in-page ``#`` link, or one of ``links`` (the index page's relative links to
    its reports).

    Examples:
        >>> check_html('<p>&lt;script&gt;</p><img src="data:image/png;base64,AA==">')
        []
        >>> check_html('<img src=x onerror=alert(1)>')  # doctest: +NORMALIZE_WHITESPACE
        ['第 1 行: <img src=「x」> 不是内嵌数据或页内链接 (external URL)',
         '第 1 行: 不允许的事件属性 onerror (event handler)']
    """
    checker = _Checker(frozenset(links))
    checker.feed(text)
    checker.close()
    return checker.problems


def _exporter() -> Any:
    exporter = getattr(_LOCAL, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(
            template_name="leadership",
            extra_template_basedirs=[str(_TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        _LOCAL.exporter = exporter
    return exporter


def embed_font(page: str) -> str:
    """``page`` with the template's font slot replaced by the CJK subset for its characters.

    Only the ``<head>`` is searched, so the same text in the report body stays as it is.
    """
    head, sep, rest = page.partition("</head>")
    if not sep or FONT_SLOT not in head:
        raise ExportError("模板缺少字体位置 (template has no font slot)")
    rule = font_face_css(page_characters(page))
    return head.replace(FONT_SLOT, rule, 1) + sep + rest


@functools.cache
def report_css() -> str:
    """The print-friendly report stylesheet, read once per process."""
    return (_TEMPLATES / "report.css").read_text(encoding="utf-8")


def export_html(nb: Any, *, title: str, provenance: Provenance) -> str:
    """Render an executed notebook as a self-contained leadership HTML page.

    Args:
        nb: The executed notebook (not modified).
        title: Plain-text title, e.g. from :func:`report_title` (escaped here).
        provenance: What the 生成信息 footer states.

    Returns:
        The HTML document as text.

    Raises:
        ExportError: If the result contains a script, event handler or
            external URL (see :func:`check_html`).
    """
    css = report_css()
    resources = {
        "leadership": {
            "title": html.escape(title),
            "fontface": FONT_SLOT,
            "css": css + "\n" + page_css(title),
            "footer": footer_html(provenance),
        }
    }
    shown = leadership_notebook(nb)
    parts = resources["leadership"]
    # as the template's <head> (render/templates/leadership/index.html.j2)
    style = f"{parts['fontface']}\n{parts['css']}"
    head = head_html(parts["title"], style) + '<main class="report">'
    body = page_html(shown, head=head, footer=parts["footer"])
    if body is None:  # an output only nbconvert writes (Markdown, SVG, LaTeX …)
        body, _ = _exporter().from_notebook_node(shown, resources=resources)
    body = embed_font(body)
    problems = check_html(body)
    if problems:
        raise ExportError("HTML 不符合要求 (unsafe HTML): " + "；".join(problems[:3]))
    return body
