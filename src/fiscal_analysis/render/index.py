"""``<out>/index.html``: every department-year of the batch, linked to its report.

Self-contained and offline like the reports: the same stylesheet inlined, the CJK
font subset embedded, no script; its only links are relative links to the reports
beside it. It is rewritten whenever the batch renders anything (or it is missing).
Each row's 错误 count comes from the checks: a report rendered now states it in its
notebook's output (:func:`~fiscal_analysis.render.execute.stated_errors`, computed by
the kernel for the report itself); for a report the batch skipped as unchanged it is
read back from :data:`REVIEW_FILE` beside the report (valid only for that report's
fingerprint); only a report that states none (a notebook of the user's own) is checked
here. So the parent process never runs the checks a second time.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
from collections.abc import Sequence
from pathlib import Path

from fiscal_analysis.errors import ExportError
from fiscal_analysis.files import VERSION, atomic_write
from fiscal_analysis.render.batch import ReportResult
from fiscal_analysis.render.export import FONT_SLOT, check_html, embed_font, page_css, report_css
from fiscal_analysis.render.fingerprint import FINGERPRINT_FILE
from fiscal_analysis.render.page import head_html

__all__ = ["INDEX_TITLE", "REVIEW_FILE", "write_index"]

INDEX_TITLE = "部门决算分析报告目录"


#: Beside a report: its 错误 count for the index, keyed to the report's fingerprint, so
#: that a batch re-renders a few reports without checking every other one again.
REVIEW_FILE = ".index-review.json"


def _stamp(folder: Path, text_checks: bool) -> str | None:
    try:
        fingerprint = (folder / FINGERPRINT_FILE).read_bytes()
    except OSError:
        return None
    return hashlib.sha256(fingerprint + f"|{text_checks}|{VERSION}".encode()).hexdigest()


def _known_errors(reports: Sequence[ReportResult], text_checks: bool) -> dict[tuple[str, int], int]:
    """The 错误 counts the rendered reports stated, and those remembered beside skipped ones."""
    known = {}
    for r in reports:
        if r.status == "rendered" and r.errors is not None and text_checks:
            known[r.entity_id, r.year] = r.errors
            continue
        stamp = _stamp(r.folder, text_checks) if r.status == "skipped" else None
        if stamp is None:
            continue
        try:
            saved = json.loads((r.folder / REVIEW_FILE).read_text(encoding="utf-8"))
            if saved["stamp"] == stamp:
                known[r.entity_id, r.year] = int(saved["errors"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return known


def _remember_errors(reports: Sequence[ReportResult], rows: Sequence, text_checks: bool) -> None:
    """Keep each current report's 错误 count beside it (a failed one keeps nothing)."""
    counts = {(row.entity_id, row.year): row.errors for row in rows}
    for r in reports:
        stamp = _stamp(r.folder, text_checks) if r.status != "failed" else None
        if stamp is None or (r.entity_id, r.year) not in counts:
            continue
        body = {"stamp": stamp, "errors": counts[r.entity_id, r.year]}
        with contextlib.suppress(OSError):
            atomic_write(r.folder / REVIEW_FILE, json.dumps(body).encode("utf-8"))


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
    errors = _known_errors(reports, text_checks)
    rows = index_rows(ds, chosen, text_checks=text_checks, errors=errors)  # type: ignore[arg-type]
    _remember_errors(reports, rows, text_checks)
    main = index_html(rows, links, INDEX_TITLE)
    footer = (
        '<footer class="provenance"><h2>生成信息</h2><dl>'
        f"<dt>生成工具</dt><dd>fiscal-analysis {html.escape(VERSION)}</dd></dl></footer>"
    )
    style = f"{FONT_SLOT}\n{report_css()}\n{page_css(INDEX_TITLE)}"
    page = (
        f'{head_html(INDEX_TITLE, style)}<main class="report">{main}</main>\n{footer}\n'
        "</body>\n</html>\n"
    )
    page = embed_font(page)
    problems = check_html(page, links.values())
    if problems:
        raise ExportError("目录页不符合要求 (unsafe HTML): " + "；".join(problems[:3]))
    path = out / "index.html"
    atomic_write(path, page.encode("utf-8"))
    return path
