"""``report.pdf`` beside each report: the HTML printed to A4 by headless Chromium.

Why Chromium: it is the engine the reports are laid out and tested in (screen, phone
and print), it honours the stylesheet's ``@page`` rules (A4, the running header with
the department and year, page numbers), and it embeds the report's own CJK font
subset, so every Chinese glyph is in the PDF; it is maintained, packaged by Debian
(``apt-get install chromium``) and needs no Python package. A machine without it
gets one clear message (:func:`fiscal_analysis.render.browser.find_chromium`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from fiscal_analysis.errors import RenderError
from fiscal_analysis.files import atomic_write
from fiscal_analysis.render.browser import DevTools, find_chromium

__all__ = ["write_pdfs"]


def write_pdfs(pages: Iterable[Path]) -> list[Path]:
    """Print each ``report.html`` to ``report.pdf`` beside it (atomically); return the PDFs.

    Raises:
        RenderError: If Chromium is missing, or a page cannot be printed.
    """
    pages = list(pages)
    if not pages:
        return []
    find_chromium()  # the clear message first, before anything starts
    written = []
    with tempfile.TemporaryDirectory(prefix="fiscal-pdf-") as profile:
        tools = DevTools(Path(profile))
        try:
            for page in pages:
                try:
                    session, target = tools.load(page)
                    pdf = tools.print_pdf(session)
                    tools.close_tab(target)
                except (OSError, EOFError, TimeoutError, RuntimeError) as exc:
                    raise RenderError(
                        f"无法把「{page}」打印为 PDF：{exc} (Chromium could not print the page)"
                    ) from None
                out = page.with_suffix(".pdf")
                atomic_write(out, pdf)
                written.append(out)
        finally:
            tools.close()
    return written
