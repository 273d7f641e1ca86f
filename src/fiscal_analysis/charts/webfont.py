"""Embed a subset of the CJK font in a leadership HTML page, so its text shows everywhere.

Charts are PNGs and always show Chinese, but the page's text is drawn by the
reader's browser, which on a fresh Linux machine may have no CJK font at all
(every character a box). Each report therefore carries, as a ``data:`` URI in
its ``<style>``, the CJK font cut down to exactly the characters on the page
(plus printable ASCII and common Chinese punctuation), under the family name
:data:`FAMILY`. ``report.css`` lists the usual system CJK fonts first and
:data:`FAMILY` just before the generic ``sans-serif``, so a reader's own font is
used where there is one and any glyph it lacks comes from the embedded subset.

The font is Noto Sans CJK SC out of the collection shipped in the pip package
``noto-cjk-sans-otc`` (the same font the charts use); only if that package is
missing is the system font that :func:`fiscal_analysis.charts.fonts.cjk_font`
chose used (one font out of a ``.ttc`` collection is picked by family name).
The subset is WOFF2 when the ``brotli`` module is importable, else WOFF (zlib,
always available). Hints,
vertical metrics and the ``locl``/vertical layout features are dropped: the
page is horizontal simplified Chinese. The result depends only on the font file
and the set of characters, so the same text always gives the same bytes; the
parsed font file and the last subsets are cached per process, as a renderer
exports many reports in one process. Pages in GB 2312 (nearly all) are cut from a
base font reduced once to GB 2312 and kept in the user cache
(:func:`~fiscal_analysis.charts.fontcut.cut_base`: glyphs copied, about 0.03 s a page);
a page with rarer characters is cut from the full font.

Examples:
    >>> chars = page_characters("<p>收支总计 &amp; 335.78万元</p>")
    >>> "收" in chars and "&" in chars and "；" in chars and "\\n" not in chars
    True
    >>> data = subset_font(chars)
    >>> missing_glyphs(data, "收支总计：335.78万元")
    []
    >>> subset_font(page_characters("<p>收支总计 &amp; 335.78万元</p>")) == data  # same bytes
    True
    >>> font_face_css("收支总计").startswith('@font-face{font-family:"FiscalReportCJK";')
    True
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import re
import threading
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

from fiscal_analysis.charts.fontcut import FontSource, base_font, cut, cut_base, font_bytes
from fiscal_analysis.charts.fonts import BUNDLED_FAMILY, bundled_font_path, cjk_font

__all__ = [
    "BASE_CHARACTERS",
    "FAMILY",
    "best_flavor",
    "embedded_font",
    "font_face_css",
    "font_source",
    "missing_glyphs",
    "page_characters",
    "prepare",
    "subset_font",
]

#: The CSS family name of the embedded subset.
FAMILY = "FiscalReportCJK"

#: Always in the subset: printable ASCII and common Chinese punctuation and signs.
BASE_CHARACTERS = "".join(map(chr, range(0x20, 0x7F))) + "“”‘’（）：；、。，！？《》【】％—…−·"

_MIME = {"woff2": "font/woff2", "woff": "font/woff", "otf": "font/otf", "ttf": "font/ttf"}
_FORMAT = {"woff2": "woff2", "woff": "woff", "otf": "opentype", "ttf": "truetype"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DATA_URI = re.compile(r"data:font/(woff2|woff|otf|ttf);base64,([A-Za-z0-9+/=]+)")
_LOCK = threading.Lock()


def best_flavor() -> str:
    """``woff2`` if the ``brotli`` module is available, else ``woff``.

    Examples:
        >>> best_flavor() in ("woff2", "woff")
        True
    """
    return "woff2" if find_spec("brotli") is not None else "woff"


def _collection_index(path: Path, family: str) -> int | None:
    """The index of ``family`` in a ``.ttc``/``.otc`` collection, if it is there."""
    from fontTools.ttLib import TTCollection

    try:
        collection = TTCollection(str(path), lazy=True)
    except Exception:  # an unreadable collection: fall back to another file
        return None
    with collection:  # the lazy collection keeps its file open until closed
        for i, font in enumerate(collection.fonts):
            if font["name"].getBestFamilyName() == family:
                return i
    return None


@cache
def font_source() -> FontSource:
    """The font file to subset: the bundled Noto Sans CJK SC, else the chosen system font.

    Raises:
        FontNotFoundError: If there is no CJK font at all.

    Examples:
        >>> font_source().path.name, font_source().number
        ('NotoSansCJK-Regular.ttc', 2)
    """
    bundled = bundled_font_path()
    if bundled is not None:
        if bundled.suffix.lower() in (".ttc", ".otc"):
            return FontSource(bundled, _collection_index(bundled, BUNDLED_FAMILY) or 0)
        return FontSource(bundled)
    choice = cjk_font()
    if choice.path.suffix.lower() in (".ttc", ".otc"):
        number = _collection_index(choice.path, choice.family)
        if number is None:
            number = 0
        return FontSource(choice.path, number)
    return FontSource(choice.path)


def page_characters(page: str, extra: str = BASE_CHARACTERS) -> str:
    """Every character a page can show (entities decoded), plus ``extra``, sorted.

    Markup, CSS and base64 data only add ASCII, which ``extra`` holds anyway.
    Control characters are left out.

    Examples:
        >>> page_characters("<b>甲&lt;乙</b>", extra="")
        '/<>b乙甲'
    """
    chars = set(html.unescape(page)) | set(extra)
    return "".join(sorted(c for c in chars if not _CONTROL.match(c)))


@lru_cache(maxsize=16)
def _subset(source: FontSource, chars: str, flavor: str) -> bytes:
    base, covered = base_font(source, BASE_CHARACTERS)  # (a damaged stored one is re-cut)
    if covered.issuperset(chars):
        return cut_base(base, chars, flavor)
    return cut(font_bytes(source.path), source.number, chars, flavor)


def prepare(source: FontSource | None = None) -> None:
    """Make or read the base font now (e.g. in a thread while a batch's kernels start).

    Errors are left for the first subset to raise where they belong. Holds the
    subsets' lock meanwhile, so a page exported at the same time waits for this
    base font instead of cutting a second one.
    """
    with _LOCK, contextlib.suppress(Exception):
        base_font(source or font_source(), BASE_CHARACTERS)


def subset_font(
    chars: Iterable[str], *, source: FontSource | None = None, flavor: str | None = None
) -> bytes:
    """The font cut down to ``chars`` (characters the font lacks are skipped).

    Args:
        chars: The characters to keep (any iterable of one-character strings).
        source: The font to cut from (default: :func:`font_source`).
        flavor: ``woff2``, ``woff`` or ``otf``/``ttf`` (plain sfnt); default
            :func:`best_flavor`.

    Returns:
        The font file as bytes; the same characters always give the same bytes.

    Raises:
        ValueError: If ``flavor`` is unknown, or ``woff2`` without ``brotli``.
    """
    flavor = flavor or best_flavor()
    if flavor not in _MIME:
        raise ValueError(f"字体格式应为 woff2、woff、otf 或 ttf (unknown font flavor): {flavor!r}")
    if flavor == "woff2" and find_spec("brotli") is None:
        raise ValueError("WOFF2 需要 brotli 模块 (woff2 needs the brotli module)")
    key = "".join(sorted(set("".join(chars))))
    with _LOCK:  # pure Python (GIL-bound) anyway; also stops two threads cutting one subset twice
        return _subset(source or font_source(), key, flavor)


def _flavor_of(data: bytes) -> str:
    head = data[:4]
    if head == b"wOF2":
        return "woff2"
    if head == b"wOFF":
        return "woff"
    return "otf" if head == b"OTTO" else "ttf"


def font_face_css(chars: Iterable[str], *, flavor: str | None = None) -> str:
    """An ``@font-face`` rule for :data:`FAMILY` with the subset inlined as a ``data:`` URI.

    Only the regular weight exists; browsers synthesise bold for headings.
    """
    data = subset_font(chars, flavor=flavor)
    kind = _flavor_of(data)
    payload = base64.b64encode(data).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:400;'
        f'src:url(data:{_MIME[kind]};base64,{payload}) format("{_FORMAT[kind]}");}}'
    )


def embedded_font(page: str) -> bytes | None:
    """The font embedded in ``page`` by :func:`font_face_css`, or ``None``.

    Examples:
        >>> embedded_font("<p>no font</p>") is None
        True
    """
    match = _DATA_URI.search(page)
    return None if match is None else base64.b64decode(match.group(2))


def missing_glyphs(font: bytes, text: str) -> list[str]:
    """Characters of ``text`` (whitespace and controls aside) that ``font`` has no glyph for.

    Examples:
        >>> missing_glyphs(subset_font("收支"), "收支总计")
        ['总', '计']
    """
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(font), lazy=True).getBestCmap() or {}
    wanted = dict.fromkeys(c for c in text if not c.isspace() and not _CONTROL.match(c))
    return [c for c in wanted if ord(c) not in cmap]
