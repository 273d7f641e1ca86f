"""CJK font discovery: a real font is found, glyphs render without warnings, fallbacks work."""

from __future__ import annotations

import gc
import io
import logging
import warnings
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from fiscal_analysis.charts.fonts import (
    MINUS,
    SYSTEM_FAMILIES,
    FontChoice,
    bundled_font_path,
    choose_font,
    cjk_font,
    font_rc,
    has_glyph,
)
from fiscal_analysis.errors import FontNotFoundError

DEJAVU = Path(font_manager.findfont("DejaVu Sans", fallback_to_default=False))


def _render(text: str, rc: dict) -> bytes:
    buf = io.BytesIO()
    with mpl.rc_context(rc):
        fig = Figure(figsize=(3, 1))
        fig.text(0.1, 0.5, text)
        fig.savefig(buf, format="png")
    return buf.getvalue()


def test_bundled_font_is_the_ofl_noto_collection():
    path = bundled_font_path()
    assert path is not None and path.name == "NotoSansCJK-Regular.ttc"
    assert has_glyph(path, "财") and has_glyph(path, MINUS)
    from fontTools.ttLib import TTCollection

    sc = next(
        f
        for f in TTCollection(str(path), lazy=True).fonts
        if f["name"].getBestFamilyName() == "Noto Sans CJK SC"
    )
    assert "SIL Open Font License" in sc["name"].getDebugName(13)
    assert sc["name"].getDebugName(5).startswith("Version 2.004")


def test_cjk_font_is_found_and_has_glyphs():
    choice = cjk_font()
    assert choice.source in {"system", "bundled"}
    assert has_glyph(choice.path, "财") and has_glyph(choice.path, "决")
    assert choice.family in {f.name for f in font_manager.fontManager.ttflist}


def test_chinese_and_minus_render_without_warnings(caplog):
    rc = font_rc(cjk_font())
    gc.collect()
    with caplog.at_level(logging.WARNING), warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ResourceWarning)
        png = _render(f"一般公共预算财政拨款 {MINUS}327.17万元 -49.4%", rc)
    assert png.startswith(b"\x89PNG")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_missing_glyph_is_caught_as_an_error():
    """Proves the warning checks can fail: a Latin-only font has no 财."""
    rc = {"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        _render("财政", rc)


def test_system_font_preferred_in_listed_order():
    noto = bundled_font_path()
    installed = [("DejaVu Sans", DEJAVU), ("WenQuanYi Zen Hei", noto), ("Noto Sans CJK SC", noto)]
    choice = choose_font(installed, None)
    assert choice == FontChoice("Noto Sans CJK SC", noto, "system", True)
    later = choose_font([("PingFang SC", noto), ("Microsoft YaHei", noto)], None)
    assert later.family == "Microsoft YaHei"


def test_every_platform_family_is_a_candidate():
    for family in ("Source Han Sans SC", "WenQuanYi Micro Hei", "SimHei", "DengXian"):
        assert family in SYSTEM_FAMILIES
    for family in ("Hiragino Sans GB", "Heiti SC", "STHeiti"):
        assert family in SYSTEM_FAMILIES


def test_fallback_to_bundled_when_no_system_cjk_font():
    noto = bundled_font_path()
    # A "SimHei" entry whose file has no CJK glyphs is not trusted by name.
    choice = choose_font([("DejaVu Sans", DEJAVU), ("SimHei", DEJAVU)], noto)
    assert choice.source == "bundled"
    assert choice.family == "Noto Sans CJK SC"
    assert choice.path == noto


def test_no_font_at_all_is_a_clear_error():
    with pytest.raises(FontNotFoundError, match="noto-cjk-sans-otc"):
        choose_font([("DejaVu Sans", DEJAVU)], None)
    with pytest.raises(FontNotFoundError):
        choose_font([], DEJAVU)


def test_unicode_minus_follows_the_glyph():
    with_minus = font_rc(FontChoice("A", DEJAVU, "system", has_glyph(DEJAVU, MINUS)))
    assert with_minus["axes.unicode_minus"] is True
    without = font_rc(FontChoice("B", DEJAVU, "system", False))
    assert without["axes.unicode_minus"] is False
    assert without["font.sans-serif"] == ["B", "DejaVu Sans"]


def test_has_glyph_rejects_bad_input():
    assert has_glyph(Path("/nonexistent.otf"), "财") is False
    with pytest.raises(ValueError):
        has_glyph(DEJAVU, "财政")
