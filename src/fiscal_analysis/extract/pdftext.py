"""A PDF's text layer -> the words of each page, with their boxes and font size.

Characters come from PDFium (:mod:`pypdfium2`, about ten times faster than
pdfplumber's pdfminer); when pypdfium2 cannot be imported, from pdfplumber.
With PDFium each character gets the box pdfminer would give it (left edge and
advance width, bottom at the font's /Descent, height the font size, pages
turned by /Rotate, content-stream order) and words are formed by pdfplumber's
``extract_words(x_tolerance=1.5, y_tolerance=2, extra_attrs=["size"])`` rule
(:func:`chars_to_words`), so both engines give the same words:
characters are taken in runs of one size and orientation, clustered into
lines by their top (2 pt apart at most), sorted left to right, and split
into words at spaces and at gaps wider than 1.5 pt.

Examples:
    >>> def ch(text, x0, top, size=10.0):
    ...     return {"text": text, "x0": x0, "x1": x0 + size, "top": top,
    ...             "bottom": top + size, "size": size, "upright": True}
    >>> chars = [ch("合", 0, 0), ch("计", 10, 0), ch(" ", 20, 0),
    ...          ch("1", 40, 1.5), ch("2", 50, 1.5), ch("3", 70, 3)]
    >>> [w["text"] for w in chars_to_words(chars)]
    ['合计', '12', '3']
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from fiscal_analysis.errors import PdfReadError
from fiscal_analysis.extract.limits import MAX_FORM_DEPTH, MAX_PAGE_CHARS, MAX_PAGES, refuse
from fiscal_analysis.files import bar_shape

__all__ = [
    "PROGRESS_PAGES",
    "chars_to_words",
    "engine_available",
    "page_progress",
    "page_words",
]

_T = TypeVar("_T")

Char = dict
#: pdfplumber expands these ligatures when it joins characters into words.
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


def engine_available(engine: str) -> bool:
    """Whether ``"pdfium"`` or ``"pdfplumber"`` can be imported here."""
    try:
        __import__("pypdfium2" if engine == "pdfium" else "pdfplumber")
    except ImportError:
        return False
    return True


def _cluster(chars: list[Char], key: Callable[[Char], float], tol: float) -> list[list[Char]]:
    """pdfplumber's ``cluster_objects``: chain sorted key values at most ``tol`` apart."""
    group_of: dict[float, int] = {}
    n, last = -1, None
    for v in sorted({key(c) for c in chars}):
        if last is None or v > last + tol:
            n += 1
        group_of[v], last = n, v
    ordered = sorted(chars, key=lambda c: group_of[key(c)])
    return [list(g) for _, g in itertools.groupby(ordered, key=lambda c: group_of[key(c)])]


def _word(chars: list[Char]) -> dict:
    return {
        "text": "".join(_LIGATURES.get(c["text"], c["text"]) for c in chars),
        "x0": min(c["x0"] for c in chars),
        "x1": max(c["x1"] for c in chars),
        "top": min(c["top"] for c in chars),
        "bottom": max(c["bottom"] for c in chars),
        "size": chars[0]["size"],
    }


def chars_to_words(chars: Iterable[Char], x_tol: float = 1.5, y_tol: float = 2) -> list[dict]:
    """Words as pdfplumber's ``extract_words(x_tolerance, y_tolerance, extra_attrs=["size"])``."""
    words = []
    for (upright, _), run in itertools.groupby(chars, key=lambda c: (c["upright"], c["size"])):
        run = list(run)
        if upright:  # lines by top, characters left to right
            lines, along, across, tol = _cluster(run, lambda c: c["top"], y_tol), "x", "top", x_tol
        else:  # rotated: lines by left edge, characters top to bottom
            lines, along, across, tol = _cluster(run, lambda c: c["x0"], x_tol), "y", "x0", y_tol
        start, end = ("x0", "x1") if along == "x" else ("top", "bottom")
        for line in lines:
            line.sort(key=lambda c: (c[start], c["x0"] if along == "x" else c["bottom"]))
            cur: list[Char] = []
            for c in line:
                if c["text"].isspace():
                    if cur:
                        words.append(_word(cur))
                    cur = []
                    continue
                if cur:
                    p = cur[-1]
                    gap_y = abs(c[across] - p[across]) > (y_tol if upright else x_tol)
                    if c[start] < p[start] or c[start] > p[end] + tol or gap_y:
                        words.append(_word(cur))
                        cur = []
                cur.append(c)
            if cur:
                words.append(_word(cur))
    return words


def page_words(path: Path, engine: str | None = None) -> list[list[dict]]:
    """Each page's words: ``text``, ``x0``, ``x1``, ``top``, ``bottom`` and ``size``.

    Args:
        path: The PDF file.
        engine: ``"pdfium"`` or ``"pdfplumber"``; by default PDFium when
            pypdfium2 is installed, else pdfplumber.

    Raises:
        PdfReadError: If the engine cannot open or parse the file.
        ExtractError: Over :data:`~.limits.MAX_PAGES` pages, a page over
            :data:`~.limits.MAX_PAGE_CHARS` characters or forms nested deeper
            than :data:`~.limits.MAX_FORM_DEPTH`.
        ImportError: If the engine asked for (or neither) is installed.
    """
    if engine is None:
        engine = "pdfium" if engine_available("pdfium") else "pdfplumber"
    if engine == "pdfium":
        return [chars_to_words(chars) for chars in _pdfium_pages(path)]
    if engine == "pdfplumber":
        return _read_pdfplumber(path)
    raise ValueError(f"unknown PDF engine {engine!r} (expected 'pdfium' or 'pdfplumber')")


def _read_pdfplumber(path: Path) -> list[list[dict]]:
    import pdfplumber

    try:
        with pdfplumber.open(path) as pdf:
            _check_pages(path, len(pdf.pages))
            out = []
            for n, page in enumerate(page_progress(pdf.pages, path), start=1):
                _check_chars(path, n, len(page.chars))
                out.append(page.extract_words(x_tolerance=1.5, y_tolerance=2, extra_attrs=["size"]))
            return out
    except Exception as exc:  # pdfminer raises many private error types
        if type(exc).__module__.startswith(("pdfminer", "pdfplumber")):
            raise PdfReadError(str(exc) or type(exc).__name__) from exc
        raise


#: A PDF of at least this many pages shows a page counter on a terminal while it is read.
PROGRESS_PAGES = 40


def page_progress(pages: Sequence[_T], path: Path) -> Iterable[_T]:
    """``pages``, counted on stderr while a long PDF is read (on a terminal only)."""
    if len(pages) < PROGRESS_PAGES or not sys.stderr.isatty():
        return pages
    from tqdm import tqdm

    shape = bar_shape(sys.stderr)
    return tqdm(pages, desc=f"读取 {path.name}", unit="页", file=sys.stderr, leave=False, **shape)


def _check_pages(path: Path, n: int) -> None:
    if n > MAX_PAGES:
        refuse(str(path), f"PDF 有 {n} 页，超过上限 {MAX_PAGES} 页", f"over {MAX_PAGES} pages")


def _check_chars(path: Path, page: int, n: int) -> None:
    if n > MAX_PAGE_CHARS:
        refuse(
            str(path),
            f"第{page}页有 {n} 个字符，超过每页上限 {MAX_PAGE_CHARS} 个字符",
            f"page {page} over {MAX_PAGE_CHARS} characters",
        )


def _pdfminer_box(m: tuple, lo: float, hi: float, adv: float) -> tuple[float, float, float, float]:
    """pdfminer's box of a character: text-space ``(0, lo)-(adv, hi)`` through ``m``, bounded."""
    a, b, c, d, e, f = m
    corners = ((0.0, lo), (adv, lo), (adv, hi), (0.0, hi))
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _rotation(page) -> tuple[tuple, float]:
    """pdfminer's page matrix for ``/Rotate`` and the height of the turned page."""
    x0, y0, x1, y1 = page.get_mediabox()
    rotate = page.get_rotation()
    ctm = {
        90: (0, -1, 1, 0, -y0, x1),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, 1, -1, 0, y1, -x0),
    }.get(rotate, (1, 0, 0, 1, -x0, -y0))
    return ctm, (x1 - x0) if rotate in (90, 270) else (y1 - y0)


def _times(m1: tuple, m0: tuple) -> tuple:
    """``m1`` then ``m0`` (pdfminer's ``mult_matrix``)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )


def _pdfium_pages(path: Path) -> list[list[Char]]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise PdfReadError(str(exc)) from exc
    try:
        _check_pages(path, len(doc))
        pages = []
        for i in page_progress(range(len(doc)), path):
            page = doc[i]
            try:
                pages.append(_pdfium_chars(page, path, i + 1))
            finally:
                page.close()
        return pages
    finally:
        doc.close()


def _pdfium_chars(page, path: Path, number: int) -> list[Char]:
    """The page's characters with pdfminer's geometry, in content-stream order."""
    import ctypes

    import pypdfium2.raw as raw

    ctm, height = _rotation(page)
    order = _stream_order(page, path, number)
    textpage = page.get_textpage()
    tp = textpage.raw
    try:
        _check_chars(path, number, raw.FPDFText_CountChars(tp))
    except BaseException:
        textpage.close()
        raise
    rect, mat, value = raw.FS_RECTF(), raw.FS_MATRIX(), ctypes.c_float()
    x, y = ctypes.c_double(), ctypes.c_double()
    descents: dict[int | None, float] = {}
    ranked = []
    try:
        for i in range(raw.FPDFText_CountChars(tp)):
            if raw.FPDFText_IsGenerated(tp, i):  # spaces and line breaks PDFium adds
                continue
            code = raw.FPDFText_GetUnicode(tp, i)
            size = raw.FPDFText_GetFontSize(tp, i)  # Tf, before the text matrix
            raw.FPDFText_GetLooseCharBox(tp, i, rect)  # x: origin and advance width
            raw.FPDFText_GetMatrix(tp, i, mat)  # the text object's: its e, f are not the char's
            raw.FPDFText_GetCharOrigin(tp, i, x, y)
            obj = raw.FPDFText_GetTextObject(tp, i)
            key = ctypes.cast(obj, ctypes.c_void_p).value
            descent = descents.get(key)
            if descent is None:  # pdfminer: the descriptor's /Descent, always negative
                font = raw.FPDFTextObj_GetFont(obj)
                ok = font and raw.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), value)
                descent = descents[key] = -abs(value.value) / 1000 if ok else 0.0
            m = (mat.a, mat.b, mat.c, mat.d, x.value, y.value)
            if abs(m[0]) >= abs(m[1]):
                adv = (rect.right - rect.left) / abs(m[0])
            else:
                adv = (rect.top - rect.bottom) / abs(m[1])
            m = _times(m, ctm)
            lo = descent * size
            x0, y0, x1, y1 = _pdfminer_box(m, lo, lo + size, adv)
            char = {
                "text": chr(code) if 0 < code < 0xD800 or 0xDFFF < code <= 0x10FFFF else "\ufffd",
                "x0": x0,
                "x1": x1,
                "top": height - y1,
                "bottom": height - y0,
                "size": round(y1 - y0, 4),  # not PDFium's float32 noise
                "upright": m[0] * m[3] > 0 and m[1] * m[2] <= 0,
            }
            ranked.append((order.get(key, len(order)), i, char))
    finally:
        textpage.close()
    ranked.sort(key=lambda t: t[:2])
    return [c for _, _, c in ranked]


def _stream_order(page, path: Path, number: int) -> dict[int | None, int]:
    """Rank of each text object in content-stream order (form XObjects inline).

    PDFium reorders text objects that share a line; pdfplumber's runs of one
    font size follow the stream, so the characters are put back in its order.
    """
    import ctypes

    import pypdfium2.raw as raw

    order: dict[int | None, int] = {}

    def walk(objects: list, depth: int) -> None:
        if depth > MAX_FORM_DEPTH:
            refuse(
                str(path),
                f"第{number}页的表单对象嵌套超过 {MAX_FORM_DEPTH} 层",
                f"page {number}: forms nested over {MAX_FORM_DEPTH} levels",
            )
        for obj in objects:
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                order[ctypes.cast(obj, ctypes.c_void_p).value] = len(order)
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                n = raw.FPDFFormObj_CountObjects(obj)
                walk([raw.FPDFFormObj_GetObject(obj, j) for j in range(n)], depth + 1)

    top = raw.FPDFPage_CountObjects(page.raw)
    walk([raw.FPDFPage_GetObject(page.raw, j) for j in range(top)], 0)
    return order
