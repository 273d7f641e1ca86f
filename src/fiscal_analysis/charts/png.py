"""Charts to PNG without savefig's dry run, and with text shaped once per process.

``savefig(bbox_inches="tight")`` lays a figure out three times: a dry-run
draw, the tight bounding box, then the real draw on a new renderer of the
cropped size. Each pass measures every string again, and each measurement
shapes the string with the chart font; with the 16 MB Noto Sans CJK font one
shaping call costs about a millisecond, so text dominated the cost of a chart.

:func:`png_bytes` computes the tight box once at the output resolution and
then saves with that explicit box, which skips the dry run and gives the same
pixels. Its renderer keeps string measurements and glyph layouts for the
whole process (keyed by everything they depend on), so a tick label, legend
entry or unit seen in an earlier pass or chart is not shaped again, and the
font's line metrics, which matplotlib 3.11 would otherwise read from the font
tables for every text layout. A string's font is resolved only when it is
measured or laid out for the first time, and the image of each glyph of
upright text is kept per font, size and sub-pixel position, so FreeType does
not render it again. The PNG is written by :func:`rgba_png` at zlib level 3
without per-row filters: lossless, less than half the encoding time of
Pillow's writer and, for these flat-colour charts, files of about the same size.

Private matplotlib hooks are used where the public API has none; if one is
missing the renderer falls back to matplotlib's own code (same pixels,
slower). ``tests/test_chart_png.py`` checks the pixels against ``savefig``.
"""

from __future__ import annotations

import io
import os
import struct
import threading
import zlib
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ft2font import FT2Font, RenderMode

__all__ = ["PNG_COMPRESS_LEVEL", "clear_text_cache", "png_bytes", "rgba_png"]

#: zlib level for the embedded PNGs (1 fastest … 9 smallest); lossless at any level.
PNG_COMPRESS_LEVEL = 3
#: Settings that decide which font file a string is measured with, and how.
_FONT_RC = (
    "font.family",
    "font.sans-serif",
    "font.serif",
    "font.monospace",
    "font.cursive",
    "font.fantasy",
    "font.enable_last_resort",
    "text.hinting",
    "text.hinting_factor",
    "text.kerning_factor",
)
#: rcParams without the validation and deprecation checks of ``rcParams[key]`` (read per string).
_rc_get = getattr(mpl.rcParams, "_get", mpl.rcParams.get)
#: Entries kept per cache before it is emptied (a report uses a few hundred).
_CACHE_LIMIT = 20_000
_METRICS: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_LAYOUTS: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_HEIGHTS: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
_GLYPHS: dict[tuple[Any, ...], tuple[Any, int, int]] = {}
#: FreeType's transform for upright text (16.16 fixed point identity).
_UPRIGHT = np.array([[0x10000, 0], [0, 0x10000]])


def clear_text_cache() -> None:
    """Forget the cached text measurements and layouts (e.g. after fonts change)."""
    _METRICS.clear()
    _HEIGHTS.clear()
    _forget_fonts()


def _forget_fonts() -> None:
    """Drop the cached layouts and glyph images: they hold FreeType font objects.

    A font object reads its file through one open file description, and a forked
    child shares that description's position with its parent and with every other
    child. Two kernels forked from the render's fork server that load glyphs
    through the same inherited font at once read each other's bytes (FreeType:
    "broken file"). matplotlib empties its own font cache in a forked child for
    this reason; these caches are emptied with it. Measurements and line metrics
    are plain numbers and are kept.
    """
    _LAYOUTS.clear()
    _GLYPHS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_fonts)


def _rc_key() -> tuple[Any, ...]:
    """The font settings, and how many fonts are registered (``addfont`` changes the choice)."""
    values = (_rc_get(k) for k in _FONT_RC)
    key = tuple(tuple(v) if isinstance(v, list) else v for v in values)
    return (*key, len(fontManager.ttflist))


def _font_key(prop: FontProperties) -> tuple[Any, ...]:
    """What :class:`FontProperties` hashes (its font request), as a tuple: no copy needed."""
    return (
        tuple(prop.get_family()),
        prop.get_slant(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
        prop.get_math_fontfamily(),
    )


def _remember(cache: dict, key: tuple[Any, ...], value: Any) -> Any:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


#: Whether glyphs can be rendered one by one here (FT2Font's private hooks of matplotlib 3.11).
_CAN_CACHE_GLYPHS = hasattr(RendererAgg, "_draw_text_glyphs_and_boxes") and all(
    hasattr(FT2Font, name) for name in ("_set_transform", "_render_glyph")
)
#: Whether this matplotlib lays text out with ``FT2Font._layout`` (3.11 and later).
_CAN_CACHE_LAYOUT = hasattr(RendererAgg, "_prepare_font") and hasattr(
    RendererAgg, "_draw_text_glyphs_and_boxes"
)


class _Renderer(RendererAgg):
    """Agg renderer whose string measurements and glyph layouts outlive it."""

    def get_text_width_height_descent(
        self, s: str, prop: FontProperties, ismath: Any
    ) -> tuple[float, float, float]:
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, _font_key(prop), self.dpi, _rc_key())
        hit = _METRICS.get(key)
        if hit is None:
            hit = super().get_text_width_height_descent(s, prop, ismath)
            _remember(_METRICS, key, hit)
        return hit

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None) -> None:
        if ismath or not _CAN_CACHE_LAYOUT:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            return
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        flags = get_hinting_flag()
        # The glyphs hold this thread's font objects (matplotlib keeps fonts per thread).
        key = (_font_key(prop), _rc_key(), threading.get_ident(), self.dpi, s, flags,
               _frozen(features), _frozen(language))  # fmt: skip
        items = _LAYOUTS.get(key)
        if items is None:  # the font is looked up only for a string not laid out before
            font = self._prepare_font(prop)
            if not hasattr(font, "_layout"):
                super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
                return
            laid = font._layout(s, flags=flags, features=features, language=language)
            items = _remember(_LAYOUTS, key, tuple(laid))
        if angle == 0 and gc.get_antialiased() and _CAN_CACHE_GLYPHS:
            self._draw_upright_glyphs(gc, x, y, size, items)
            return
        glyphs = ((i.ft_object, size, i.glyph_index, 0, 1, i.x, i.y) for i in items)
        self._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, [])

    def _draw_upright_glyphs(self, gc, x: float, y: float, size: float, items: Any) -> None:
        """``_draw_text_glyphs_and_boxes`` for horizontal antialiased text, glyph images kept.

        FreeType renders a glyph at a pen position given in 1/64 pixel; moved by
        whole pixels its image is the same, only placed elsewhere. So an image
        is kept per font, size, glyph and the position's fraction of a pixel,
        with its offset from the pen's whole pixel: the same pixels as
        rendering it again (same arithmetic as matplotlib's method).
        """
        flags = get_hinting_flag()
        height = self.height
        draw = self._renderer.draw_text_image
        for i in items:
            font, dx, dy = i.ft_object, i.x, i.y
            px, py = round(0x40 * (x + dx)), round(0x40 * (height - y + dy))
            key = (font, size, self.dpi, i.glyph_index, flags, px & 0x3F, py & 0x3F)
            hit = _GLYPHS.get(key)
            if hit is None:
                font.set_size(size, self.dpi)
                font._set_transform(_UPRIGHT, [px, py])
                bitmap = font._render_glyph(i.glyph_index, flags, RenderMode.NORMAL)
                image = np.array(bitmap.buffer)  # a copy: the image is drawn again later
                hit = _remember(_GLYPHS, key, (image, bitmap.left - (px >> 6),
                                               bitmap.top - (py >> 6)))  # fmt: skip
            image, left, top = hit
            draw(image, left + (px >> 6), int(height) - (top + (py >> 6)) + image.shape[0], 0, gc)

    def _get_font_height_metrics(self, prop: FontProperties) -> tuple[Any, Any, Any]:
        """Ascent, descent and line gap of the font, in pixels, for line spacing.

        The hook ``Text._get_layout`` asks a renderer for (matplotlib 3.11);
        without it every layout reads the font's OS/2 and head tables again.
        Same tables, same arithmetic, kept per font request, font settings and dpi.
        """
        if not _CAN_CACHE_LAYOUT:
            return None, None, None  # matplotlib then reads the tables itself
        key = (_font_key(prop), _rc_key(), self.dpi)
        hit = _HEIGHTS.get(key)
        if hit is None:  # the font is looked up (and its tables read) once per key
            font, size = self._prepare_font(prop), prop.get_size_in_points()
            hit = _remember(_HEIGHTS, key, _height_metrics(font, size, self.dpi))
        return hit


def _height_metrics(font: Any, size: float, dpi: float) -> tuple[Any, Any, Any]:
    for table_name, gap, ascent, descent in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * size * dpi / 72
        return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


def _frozen(value: Any) -> Any:
    """A hashable form of a font-feature or language setting."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def rgba_png(rgba: np.ndarray, dpi: float, level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """An RGBA image (rows × columns × 4, ``uint8``) as PNG: no row filter, zlib ``level``.

    Lossless like any PNG. For flat-colour charts the rows compress about as
    well unfiltered as with Pillow's per-row filter search, which costs about
    as much again as the compression (the charts of the shipped reports: 1.5%
    smaller in all, a single chart from 14% smaller to 14% larger). The ``pHYs``
    chunk states ``dpi`` (as Pillow writes it); nothing else is tagged.

    Examples:
        >>> from PIL import Image
        >>> png = rgba_png(np.full((2, 3, 4), 255, np.uint8), 115)
        >>> im = Image.open(io.BytesIO(png))
        >>> im.mode, im.size, round(im.info["dpi"][0])
        ('RGBA', (3, 2), 115)
    """
    height, width, depth = rgba.shape
    if depth != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"expected rows × columns × 4 uint8, got {rgba.shape} {rgba.dtype}")
    rows = np.zeros((height, 1 + 4 * width), np.uint8)  # a 0 (filter "None") before each row
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    per_metre = int(dpi / 0.0254 + 0.5)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
        chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
        chunk(b"IEND", b""),
    ))  # fmt: skip


class _Canvas(FigureCanvasAgg):
    """Agg canvas that draws with :class:`_Renderer` and writes PNGs with :func:`rgba_png`."""

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_: Any) -> None:
        # savefig has already applied dpi, facecolor and the box (passed for other backends)
        FigureCanvasAgg.draw(self)
        level = (pil_kwargs or {}).get("compress_level", PNG_COMPRESS_LEVEL)
        data = rgba_png(np.asarray(self.buffer_rgba()), self.figure.dpi, level)
        if hasattr(filename_or_obj, "write"):
            filename_or_obj.write(data)
        else:
            Path(filename_or_obj).write_bytes(data)

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _Renderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def png_bytes(figure: Figure, dpi: float) -> bytes:
    """The figure as PNG at ``dpi``, cropped to its tight bounding box.

    Same pixels as ``figure.savefig(..., bbox_inches="tight")`` with the
    padding of :rc:`savefig.pad_inches`; no timestamp or software tag, so the
    same chart gives the same bytes. Uses the current rcParams.
    """
    shown_canvas, shown_dpi = figure.canvas, figure.dpi
    canvas = _Canvas(figure)
    try:
        figure.set_dpi(dpi)
        try:
            box = figure.get_tightbbox(canvas.get_renderer())
        finally:
            figure.set_dpi(shown_dpi)
        pad = mpl.rcParams["savefig.pad_inches"]
        buf = io.BytesIO()
        figure.savefig(
            buf,
            format="png",
            dpi=dpi,
            bbox_inches=box.padded(pad if isinstance(pad, int | float) else 0.1),
            metadata={"Software": None},
            pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
        )
    finally:
        figure.set_canvas(shown_canvas)  # the figure keeps no pixel buffer
    return buf.getvalue()
