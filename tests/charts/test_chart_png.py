"""Charts to PNG in one layout pass: the same pixels as ``savefig(bbox_inches="tight")``."""

from __future__ import annotations

import io
import os
import warnings

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties
from PIL import Image
from test_charts import BUILDERS, strict  # noqa: F401 (fixture)

from fiscal_analysis.charts import png as chart_png
from fiscal_analysis.charts.style import DPI, figure_png, house_style


def _pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as im:
        assert im.info.get("dpi") == pytest.approx((DPI, DPI), abs=0.05)
        return np.asarray(im.convert("RGBA"))


def _tight_savefig(kind: str) -> bytes:
    buf = io.BytesIO()
    with house_style():
        BUILDERS[kind]().figure.savefig(buf, format="png", bbox_inches="tight", dpi=DPI)
    return buf.getvalue()


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_same_pixels_as_a_tight_savefig(kind, strict):  # noqa: F811
    ours = figure_png(BUILDERS[kind]().figure)
    assert np.array_equal(_pixels(ours), _pixels(_tight_savefig(kind)))


def test_same_bytes_with_a_cold_or_a_warm_text_cache(strict):  # noqa: F811
    chart_png.clear_text_cache()
    cold = figure_png(BUILDERS["budget"]().figure)
    assert chart_png._METRICS
    assert cold == figure_png(BUILDERS["budget"]().figure)


def test_text_cache_is_bounded(monkeypatch, strict):  # noqa: F811
    monkeypatch.setattr(chart_png, "_CACHE_LIMIT", 5)
    chart_png.clear_text_cache()
    figure_png(BUILDERS["budget"]().figure)
    assert 0 < len(chart_png._METRICS) <= 5 and len(chart_png._LAYOUTS) <= 5


def test_cached_measurements_follow_the_font_settings(strict):  # noqa: F811
    """A string measured under the house font is measured again under another font."""
    cached, fresh = chart_png._Renderer(50, 50, DPI), RendererAgg(50, 50, DPI)
    prop = FontProperties(size=11)
    seen = []
    for rc in ({}, {"font.sans-serif": ["DejaVu Sans"]}):
        with house_style(), mpl.rc_context(rc):
            got = cached.get_text_width_height_descent("1,234.56", prop, False)
            assert got == fresh.get_text_width_height_descent("1,234.56", prop, False)
            seen.append(got)
    assert seen[0] != seen[1]


def test_png_is_untagged(strict):  # noqa: F811
    png = figure_png(BUILDERS["bars"]().figure)
    assert png.startswith(b"\x89PNG") and b"Software" not in png and b"tIME" not in png


def test_a_rendered_figure_is_released(strict):  # noqa: F811
    fig = BUILDERS["trend"]().figure
    figure_png(fig)
    assert fig.axes == [] and not hasattr(fig.canvas, "renderer")


def test_a_warm_cache_looks_no_font_up(monkeypatch, strict):  # noqa: F811
    """Strings measured and laid out before are drawn without resolving their font again."""
    figure_png(BUILDERS["budget"]().figure)
    calls = []
    prepare = chart_png._Renderer._prepare_font
    monkeypatch.setattr(
        chart_png._Renderer, "_prepare_font", lambda self, p: calls.append(p) or prepare(self, p)
    )
    warm = figure_png(BUILDERS["budget"]().figure)
    assert calls == []
    monkeypatch.undo()
    chart_png.clear_text_cache()
    assert warm == figure_png(BUILDERS["budget"]().figure)


def test_cached_layouts_follow_registered_fonts(monkeypatch, strict):  # noqa: F811
    """Registering a font (``addfont``) can change which file a request picks: keys differ."""
    with house_style():
        before = chart_png._rc_key()
        monkeypatch.setattr(
            chart_png.fontManager, "ttflist", [*chart_png.fontManager.ttflist, None]
        )
        assert chart_png._rc_key() != before


def test_kept_glyph_images_give_the_same_pixels(strict):  # noqa: F811
    """Glyph images kept from other charts (other pen positions) are placed pixel-exactly."""
    chart_png.clear_text_cache()
    for kind in sorted(BUILDERS):  # every chart's glyphs, at that chart's positions
        figure_png(BUILDERS[kind]().figure)
    kept = len(chart_png._GLYPHS)
    assert kept > 0
    for kind in sorted(BUILDERS):
        ours = figure_png(BUILDERS[kind]().figure)
        assert np.array_equal(_pixels(ours), _pixels(_tight_savefig(kind))), kind
    assert len(chart_png._GLYPHS) == kept  # the second round rendered no glyph again


def test_rgba_png_decodes_to_the_same_pixels():
    rng = np.random.default_rng(15)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    png = chart_png.rgba_png(rgba, DPI)
    with Image.open(io.BytesIO(png)) as im:
        assert im.mode == "RGBA" and im.size == (53, 37)
        assert im.info["dpi"] == pytest.approx((DPI, DPI), abs=0.05)
        assert np.array_equal(np.asarray(im), rgba)
    assert chart_png.rgba_png(rgba, DPI) == png  # same image, same bytes
    with pytest.raises(ValueError, match="uint8"):
        chart_png.rgba_png(rgba[:, :, :3], DPI)


def test_chart_pngs_are_about_as_small_as_pillows(strict):  # noqa: F811
    """Unfiltered rows compress flat-colour charts about as well as Pillow's filter search."""
    for kind in sorted(BUILDERS):
        ours = figure_png(BUILDERS[kind]().figure)
        pixels = _pixels(ours)
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, format="png", compress_level=3)
        assert len(ours) <= len(buf.getvalue()) * 1.2, kind


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_inherits_no_font_object(strict):  # noqa: F811
    """Kernels forked after the warm-up must not load glyphs through the parent's fonts.

    A FreeType font object reads its file through an open file description whose
    position every forked child shares; two kernels loading glyphs through one
    inherited font at once read each other's bytes ("broken file", a report failed
    now and then). The child keeps the measurements (plain numbers) only.
    """
    chart_png.clear_text_cache()
    figure_png(BUILDERS["budget"]().figure)
    held = {item.ft_object for items in chart_png._LAYOUTS.values() for item in items}
    assert held and chart_png._GLYPHS and chart_png._METRICS
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # the child only writes three numbers and exits
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        sizes = (len(chart_png._LAYOUTS), len(chart_png._GLYPHS), len(chart_png._METRICS))
        os.write(write_end, " ".join(map(str, sizes)).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as answer:
        layouts, glyphs, metrics = map(int, answer.read().split())
    os.waitpid(pid, 0)
    assert (layouts, glyphs, metrics) == (0, 0, len(chart_png._METRICS))
    assert chart_png._LAYOUTS and chart_png._GLYPHS  # the parent keeps its own
