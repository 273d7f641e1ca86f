"""``<out>/index.html``: every department-year of the batch, linked to its report.

Self-contained and offline like the reports: the same stylesheet inlined, the CJK
font subset embedded, no script; its only links are relative links to the reports
beside it. It is rewritten whenever the batch renders anything (or it is missing).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from fiscal_analysis.errors import ExportError
from fiscal_analysis.files import VERSION, atomic_write
from fiscal_analysis.render.batch import ReportResult
from fiscal_analysis.render.export import FONT_SLOT, check_html, embed_font, page_css, report_css

__all__ = ["INDEX_TITLE", "write_index"]

INDEX_TITLE = "部门决算分析报告目录"


def write_index(out_dir: str | Path, ds: object, chosen: Sequence[tuple[str, int]],
                reports: Sequence[ReportResult], *, text_checks: bool = True) -> Path:  # fmt: skip
    """Write ``<out>/index.html`` for the ``chosen`` (entity, year) pairs; return its path."""
    from fiscal_analysis.report.index_page import index_html, index_rows

    out = Path(out_dir)
    links = {}
    for r in reports:
        page = r.folder / "report.html"
        if page.is_file():
            links[r.entity_id, r.year] = page.relative_to(out).as_posix()
    rows = index_rows(ds, chosen, text_checks=text_checks)  # type: ignore[arg-type]
    main = index_html(rows, links, INDEX_TITLE)
    footer = (
        '<footer class="provenance"><h2>生成信息</h2><dl>'
        f"<dt>生成工具</dt><dd>fiscal-analysis {html.escape(VERSION)}</dd></dl></footer>"
    )
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{INDEX_TITLE}</title>\n<style>\n{FONT_SLOT}\n{report_css()}\n"
        f"{page_css(INDEX_TITLE)}\n</style>\n</head>\n<body>\n"
        f'<main class="report">{main}</main>\n{footer}\n</body>\n</html>\n'
    )
    page = embed_font(page)
    problems = check_html(page, links.values())
    if problems:
        raise ExportError("目录页不符合要求 (unsafe HTML): " + "；".join(problems[:3]))
    path = out / "index.html"
    atomic_write(path, page.encode("utf-8"))
    return path
