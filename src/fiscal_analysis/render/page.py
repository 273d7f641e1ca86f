"""The leadership page written straight from a notebook's outputs, without a template engine.

A report notebook's leadership outputs are HTML fragments and images that
are already complete (``show(...)`` returns an :class:`IPython.display.HTML`;
charts are ``data:`` PNGs inside it). :func:`page_html` writes them into the
same markup nbconvert's ``classic`` template gives them (one
``div.cell > div.output_wrapper > div.output > div.output_area`` per cell and
output, the same classes, the cell id as ``id="cell-id=…"``), with the
page's ``<head>`` and footer around them. It takes a few milliseconds where
nbconvert's exporter takes a tenth of a second: it validates the notebook
after each of its dozen preprocessors and re-parses the whole page with
BeautifulSoup to embed images that are already embedded.

Only the outputs a leadership page is made of are written here: HTML, PNG
and JPEG images, plain text and standard output. A notebook with anything
else (Markdown or raw cells, SVG, LaTeX, Markdown or JavaScript outputs,
widgets, ANSI colours) gets ``None``, and the caller uses nbconvert for it.

Nothing is un-escaped: HTML outputs are written as they are (their builders
escape data), text is escaped here, and the caller checks the whole page
(:func:`fiscal_analysis.render.export.check_html`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = ["head_html", "page_html"]

#: The output kinds written here, in the order nbconvert's HTML exporter prefers them.
#: An output that also carries any other kind (Markdown, SVG, LaTeX, JavaScript,
#: widgets …) sends the notebook to nbconvert, which knows what to do with it.
PRIORITY = ("text/html", "image/png", "image/jpeg", "text/plain")
_IMAGE_ALT = {"image/png": "图表", "image/jpeg": "图片"}
_IMAGE_CLASS = {"image/png": "output_png", "image/jpeg": "output_jpeg"}


class _Unsupported(Exception):
    """An output this writer leaves to nbconvert."""


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _plain(text: str) -> str:
    if "\x1b" in text:  # ANSI colours: nbconvert turns them into spans
        raise _Unsupported
    return html.escape(text, quote=False)


def _data(output: Mapping[str, Any], cell: Mapping[str, Any], extra: str) -> str:
    data = output.get("data", {})
    if not set(data) <= set(PRIORITY):
        raise _Unsupported
    kind = next((k for k in PRIORITY if k in data), None)
    if kind is None:
        return ""  # an output without data: nbconvert shows nothing either
    value = _text(data[kind])
    if kind == "text/html":
        return _div(f"output_html rendered_html output_subarea {extra}", value)
    if kind == "text/plain":
        return _div(f"output_text output_subarea {extra}", f"<pre>{_plain(value)}</pre>")
    meta = output.get("metadata", {}).get(kind, {})
    alt = meta.get("alt") or cell.get("metadata", {}).get("alt") or _IMAGE_ALT[kind]
    width = meta.get("width")
    size = f' width="{html.escape(str(width), quote=True)}"' if width is not None else ""
    src = f"data:{kind};base64,{html.escape(value.strip(), quote=True)}"
    image = f'<img src="{src}" alt="{html.escape(str(alt), quote=True)}"{size}>'
    return _div(f"{_IMAGE_CLASS[kind]} output_subarea {extra}", image)


def _div(classes: str, inner: str) -> str:
    return f'<div class="{classes}">\n{inner}\n</div>'


def _output(output: Mapping[str, Any], cell: Mapping[str, Any]) -> str:
    kind = output.get("output_type")
    if kind == "execute_result":
        inner = _data(output, cell, "output_execute_result")
    elif kind == "display_data":
        inner = _data(output, cell, "")
    elif kind == "stream" and output.get("name") == "stdout":
        text = _plain(_text(output.get("text", "")))
        inner = _div("output_subarea output_stream output_stdout output_text", f"<pre>{text}</pre>")
    else:  # stderr and errors never reach a leadership notebook; anything else: nbconvert
        raise _Unsupported
    return _div("output_area", inner)


def _cell(cell: Mapping[str, Any]) -> str:
    if cell.get("cell_type") != "code":
        raise _Unsupported
    tags = "".join(f" celltag_{html.escape(str(t), quote=True)}" for t in _tags(cell))
    anchor = f' id="cell-id={html.escape(str(cell["id"]), quote=True)}"' if cell.get("id") else ""
    outputs = "\n".join(_output(o, cell) for o in cell.get("outputs", []))
    return (
        f'<div class="cell border-box-sizing code_cell rendered{tags}"{anchor}>\n'
        f'<div class="output_wrapper">\n<div class="output">\n{outputs}\n</div>\n</div>\n</div>'
    )


def _tags(cell: Mapping[str, Any]) -> list[Any]:
    tags = cell.get("metadata", {}).get("tags", [])
    return list(tags) if isinstance(tags, list) else []


def head_html(title: str, style: str) -> str:
    """A leadership page up to ``<body>``: ``lang="zh-CN"``, viewport, title, inline style.

    ``title`` must already be HTML-escaped; ``style`` is the stylesheet's text.

    Examples:
        >>> print(head_html("某局 2020年度", "p { margin: 0 }"))  # doctest: +NORMALIZE_WHITESPACE
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="fiscal-analysis">
        <title>某局 2020年度</title>
        <style>
        p { margin: 0 }
        </style>
        </head>
        <body>
    """
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="fiscal-analysis">\n'
        f"<title>{title}</title>\n<style>\n{style}\n</style>\n</head>\n<body>\n"
    )


def page_html(nb: Any, *, head: str, footer: str) -> str | None:
    """The page of a leadership notebook (see :func:`~.export.leadership_notebook`).

    Args:
        nb: The notebook, already reduced to what leadership sees.
        head: Everything up to and including ``<main class="report">``.
        footer: The footer's HTML (after ``</main>``).

    Returns:
        The HTML page, or ``None`` if the notebook has an output this writer
        leaves to nbconvert (see the module docstring).

    Examples:
        >>> from nbformat.v4 import new_notebook, new_code_cell, new_output
        >>> nb = new_notebook(cells=[new_code_cell("show(x)", id="summary", outputs=[
        ...     new_output("execute_result", {"text/html": "<p>收支总计</p>",
        ...                                   "text/plain": "<HTML>"}, execution_count=1)])])
        >>> print(page_html(nb, head="<main>", footer="<footer></footer>"))
        <main>
        <div class="cell border-box-sizing code_cell rendered" id="cell-id=summary">
        <div class="output_wrapper">
        <div class="output">
        <div class="output_area">
        <div class="output_html rendered_html output_subarea output_execute_result">
        <p>收支总计</p>
        </div>
        </div>
        </div>
        </div>
        </div></main>
        <footer></footer>
        </body>
        </html>
        >>> nb.cells[0].outputs[0].data = {"image/svg+xml": "<svg/>"}
        >>> page_html(nb, head="<main>", footer="") is None
        True
    """
    try:
        cells = "\n".join(_cell(cell) for cell in nb.cells)
    except _Unsupported:
        return None
    return f"{head}\n{cells}</main>\n{footer}\n</body>\n</html>\n"
