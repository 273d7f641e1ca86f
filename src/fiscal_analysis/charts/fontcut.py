"""Cutting a font down to some characters, and the GB 2312 base font kept between runs.

:func:`cut` is fontTools' subsetter with the options a leadership page needs
(no vertical layout, no hints, only the name records the licence asks for).
:func:`base_font` is the font cut once to GB 2312 and
:data:`~fiscal_analysis.charts.webfont.BASE_CHARACTERS` with hints and subroutines
removed, so each glyph's charstring stands alone; :func:`cut_base` copies a
page's glyphs out of it (the same outlines, advances and font dicts as
:func:`cut` of the full font gives, without the layout tables) in about a
tenth of the time. Making it takes about six CPU-seconds, so it is kept in the user cache
(``$XDG_CACHE_HOME/fiscal-analysis/fonts``), keyed on the font file, its
size and time and the fontTools version; a later process reads it instead.
A damaged or missing cache file is never an error: the base is cut again.
Beside the base font lies its seal: a SHA-256 of the source font's own bytes and
the base font's bytes. A base font whose bytes do not match the seal (glyphs
swapped, a copy from another font, a damaged file) is not embedded but cut again.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from fiscal_analysis.files import atomic_write, cache_dir

__all__ = [
    "FontSource",
    "base_font",
    "cut",
    "cut_base",
    "font_bytes",
    "gb2312",
    "stored_base",
]

#: Layout features never needed for horizontal simplified Chinese (they add glyphs).
DROP_FEATURES = frozenset({"locl", "vert", "vrt2", "vkna", "vkrn", "vpal", "vhal", "valt"})
DROP_TABLES = ("vhea", "vmtx", "VORG", "DSIG")
#: Name records kept: family/style/version names and the copyright and licence (OFL).
NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)


@dataclass(frozen=True)
class FontSource:
    """Which font file (and which font in a collection) the subset is cut from."""

    path: Path
    number: int = 0


@lru_cache(maxsize=2)
def font_bytes(path: Path) -> bytes:
    return path.read_bytes()


@lru_cache(maxsize=4)
def _source_digest(path: Path) -> bytes:
    return hashlib.sha256(font_bytes(path)).digest()


def _seal(source: FontSource, data: bytes) -> str:
    """The base font's seal: its bytes bound to the source font's content and recipe."""
    h = hashlib.sha256(b"fiscal-analysis base font\0%d\0" % _BASE_FORMAT)
    h.update(_source_digest(source.path))
    h.update(b"%d\0" % source.number)
    h.update(data)
    return h.hexdigest()


def cut(data: bytes, number: int, chars: str, flavor: str | None) -> bytes:
    """Subset ``data`` (font ``number`` of a collection) to ``chars``: hints and subroutines go."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # bounding boxes stay the full font's (valid, if generous): recomputing them reads every glyph
    font = TTFont(
        io.BytesIO(data), fontNumber=number, lazy=True, recalcTimestamp=False, recalcBBoxes=False
    )
    options = subset.Options()
    options.layout_features = [f for f in options.layout_features if f not in DROP_FEATURES]
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    options.name_IDs = list(NAME_IDS)
    options.name_languages = [0x409]
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.flavor = None if flavor in (None, "otf", "ttf") else flavor
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


#: Tables a page's subset of the base font leaves out: the layout features (kerning, ligatures,
#: alternates) that horizontal simplified Chinese body text does without.
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH")


class _ParsedBase(NamedTuple):
    """The tables of a base font that :func:`cut_base` reads whole, parsed once per process."""

    cmap: Any
    hmtx: Any
    best: dict[int, str]


@lru_cache(maxsize=2)
def _parsed_base(base: bytes) -> _ParsedBase:
    """The base font's ``cmap`` (every subtable decoded) and ``hmtx``, and its best cmap.

    Decoding the cmap of the 7,000-odd GB 2312 characters was 40 % of cutting a
    page's subset; each cut takes shallow copies and never changes these.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(base), recalcTimestamp=False, recalcBBoxes=False)
    cmap, hmtx = font["cmap"], font["hmtx"]
    for table in cmap.tables:
        table.ensureDecompiled()
    return _ParsedBase(cmap, hmtx, font.getBestCmap() or {})


def cut_base(base: bytes, chars: str, flavor: str | None) -> bytes:
    """Cut the :func:`base_font` down to ``chars`` by copying glyphs, without re-encoding any.

    The base font has no hints and no subroutines, so every glyph's CFF
    charstring stands alone: the subset keeps the glyphs of ``chars`` (and
    ``.notdef``) in the base's order, their charstrings' bytes as they are,
    their advance widths and font dicts, and maps exactly ``chars``. Unlike
    fontTools' general subsetter (:func:`cut`), nothing is decompiled, closed
    over or compiled again: about a sixth of the time. The layout tables
    (:data:`LAYOUT_TABLES`) are left out. The same base and characters always
    give the same bytes. Characters the base lacks are skipped (the caller
    falls back to :func:`cut` of the full font for those).
    """
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(base), recalcTimestamp=False, recalcBBoxes=False)
    parsed = _parsed_base(base)
    cmap = copy.copy(parsed.cmap)  # copies throughout: the parsed tables are never changed
    cmap.tables = [copy.copy(t) for t in parsed.cmap.tables]
    font.tables["cmap"], font.tables["hmtx"] = cmap, copy.copy(parsed.hmtx)
    for tag in ("hhea", "maxp", "OS/2", "post", "head", "name"):
        font[tag]  # read now: they are tied to the glyph order that changes below
    best = parsed.best
    points = {ord(c) for c in chars}
    want = {".notdef"} | {best[p] for p in points if p in best}
    order = font.getGlyphOrder()
    indices = [i for i, name in enumerate(order) if name in want]
    keep = [order[i] for i in indices]
    cff = font["CFF "].cff
    top = cff[cff.fontNames[0]]
    charstrings = top.CharStrings
    index = charstrings.charStringsIndex
    index.items = [index[i] for i in indices]  # raw charstrings, still undecoded
    del index.file, index.offsets
    if hasattr(top, "FDSelect"):
        top.FDSelect.format = None
        top.FDSelect.gidArray = [top.FDSelect.gidArray[i] for i in indices]
    charstrings.charStrings = {name: i for i, name in enumerate(keep)}
    top.charset = keep
    top.numGlyphs = len(keep)
    font.setGlyphOrder(keep)
    for table in cmap.tables:
        if hasattr(table, "uvsDict"):  # format 14: variation sequences of kept glyphs only
            table.uvsDict = {
                selector: kept
                for selector, pairs in table.uvsDict.items()
                if (kept := [(p, g) for p, g in pairs if p in points and g in (None, *want)])
            }
        else:
            mapping = table.cmap  # only the page's points, looked up: not every mapping scanned
            table.cmap = {p: g for p in sorted(points) if (g := mapping.get(p)) in want}
    metrics = parsed.hmtx.metrics
    font["hmtx"].metrics = {name: metrics[name] for name in keep}
    mapped = [p for p in points if p in best]
    if mapped:
        font["OS/2"].usFirstCharIndex = min(min(mapped), 0xFFFF)
        font["OS/2"].usLastCharIndex = min(max(mapped), 0xFFFF)
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    font.flavor = None if flavor in (None, "otf", "ttf") else flavor
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def gb2312() -> str:
    """The 6,763 hanzi and the symbols of GB 2312 (what Chinese report text nearly always uses)."""
    found = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                found.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(found)


#: Bump when the base font's recipe changes (old cached base fonts are then ignored).
_BASE_FORMAT = 2


def _base_path(source: FontSource) -> Path:
    """Where the base font cut from ``source`` is kept between processes (user cache)."""
    import fontTools

    st = source.path.stat()
    key = f"{source.path.resolve()}|{source.number}|{st.st_size}|{st.st_mtime_ns}|"
    key += f"{fontTools.version}|{_BASE_FORMAT}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_dir() / "fonts" / f"base-{digest}.otf"


def stored_base(source: FontSource) -> bytes | None:
    """The base font from the user cache, if an earlier process made it and it is intact.

    Intact means its seal (kept beside it) matches its bytes and the source
    font's, and every table is there in full with the checksum the font
    records for it; anything else is cut again (and overwritten) rather than
    embedded or failing every later subset.
    """
    from fontTools.ttLib import TTFont

    path = _base_path(source)
    try:
        data = path.read_bytes()
        if path.with_suffix(".sha256").read_text(encoding="ascii").strip() != _seal(source, data):
            return None
        font = TTFont(io.BytesIO(data), checkChecksums=2, lazy=True)
        for tag in list(font.reader.tables):
            font.reader[tag]  # reads the table's bytes and checks its checksum
    except Exception:  # unreadable, not a font, truncated, bad checksum
        return None
    return data


@cache
def base_font(source: FontSource, extra: str) -> tuple[bytes, frozenset[str]]:
    """The font cut once to GB 2312 and ``extra``, hints and subroutines removed.

    Its glyphs are the full font's (tested), and :func:`cut_base` copies a
    page's out of it in about a tenth of the time :func:`cut` takes. Making it
    costs about six CPU-seconds, so it is made once and kept in the user cache
    (``$XDG_CACHE_HOME/fiscal-analysis/fonts``, keyed on the font file, its
    size and time and the fontTools version), so later processes read it.
    Failing to keep it is silent.
    """
    chars = "".join(sorted(set(gb2312() + extra)))
    data = stored_base(source)
    if data is None:
        data = cut(font_bytes(source.path), source.number, chars, None)
        with contextlib.suppress(OSError):
            path = _base_path(source)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(path, data)
            atomic_write(path.with_suffix(".sha256"), _seal(source, data).encode("ascii") + b"\n")
    return data, frozenset(chars)
