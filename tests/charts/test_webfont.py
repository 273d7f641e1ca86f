"""The CJK font subset embedded in each leadership report: coverage, format, determinism."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTCollection, TTFont
from nbformat.v4 import new_code_cell, new_notebook, new_output

from fiscal_analysis.charts import fontcut, webfont
from fiscal_analysis.charts.fontcut import FontSource
from fiscal_analysis.charts.fonts import FontChoice, bundled_font_path
from fiscal_analysis.charts.webfont import (
    BASE_CHARACTERS,
    FAMILY,
    embedded_font,
    font_face_css,
    font_source,
    missing_glyphs,
    page_characters,
    subset_font,
)
from fiscal_analysis.render.export import Provenance, check_html, export_html

REPO = Path(__file__).resolve().parents[2]
#: CJK ideographs, CJK punctuation and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


class VisibleText(HTMLParser):
    """The text a reader can see (everything outside <style>), plus alt texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        self._style = tag == "style"
        self.parts += [v for k, v in attrs if k == "alt" and v]

    def handle_endtag(self, tag):
        if tag == "style":
            self._style = False

    def handle_data(self, data):
        if not self._style:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    return "".join(parser.parts)


@pytest.fixture(scope="module")
def seed_page(seed_report_html) -> str:
    """The shipped 2020 report, rendered with the real notebook (shared, see conftest)."""
    return seed_report_html.read_text(encoding="utf-8")


def test_seed_report_embeds_a_subset_with_every_glyph_of_its_text(seed_page):
    text = visible_text(seed_page)
    assert "2020年度收、支总计335.78万元" in text and "数据核对" in text
    font = embedded_font(seed_page)
    assert font is not None
    # 100% coverage: every character shown (ASCII, digits, punctuation, CJK) has a glyph
    assert missing_glyphs(font, text) == []
    cmap = TTFont(io.BytesIO(font)).getBestCmap()
    cjk = set(CJK.findall(text))
    assert len(cjk) > 300 and all(ord(c) in cmap for c in cjk)
    # exactly the page's characters plus the base set: no whole-font embedding
    assert set(map(chr, cmap)) <= set(page_characters(seed_page)) | set(BASE_CHARACTERS)
    assert len(cmap) < 700
    # one @font-face rule, a data: URI only, in the <head>; the stack ends with the subset
    assert seed_page.count("@font-face") == 1
    head = seed_page[: seed_page.index("</head>")]
    assert f'@font-face{{font-family:"{FAMILY}";' in head
    assert re.search(r"src:url\(data:font/woff2?;base64,[A-Za-z0-9+/=]+\) format\(", head)
    stack = re.search(r"body \{[^}]*font-family: ([^;]+);", head).group(1)
    families = [f.strip().strip('"') for f in stack.split(",")]
    assert families[-2:] == [FAMILY, "sans-serif"]
    assert families[:3] == ["Microsoft YaHei", "PingFang SC", "Hiragino Sans GB"]
    assert "Noto Sans CJK SC" in families
    # still a leadership page: offline, no script, lang
    assert check_html(seed_page) == [] and '<html lang="zh-CN">' in seed_page
    assert not re.search(r"url\((?!data:)", seed_page)


def test_same_text_gives_the_same_bytes_and_cache_is_exact():
    chars = page_characters("<p>收支总计335.78万元，下降49.4%。</p>")
    first = subset_font(chars)
    assert subset_font(reversed(chars)) == first  # order and duplicates do not matter
    flavor = webfont.best_flavor()
    uncached = webfont._subset.__wrapped__(font_source(), "".join(sorted(set(chars))), flavor)
    assert uncached == first
    assert font_face_css(chars) == font_face_css(chars + "收")


def test_a_cut_leaves_the_parsed_base_font_as_it_was(seed_page):
    """The base font's cmap and metrics are parsed once per process; no cut may change them."""
    src = font_source()
    base, _ = fontcut.base_font(src, webfont.BASE_CHARACTERS)
    pages = ["".join(sorted(set(p))) for p in ("收支总计335.78万元", seed_page, "〇一二三四五")]
    fontcut._parsed_base.cache_clear()
    reused = [fontcut.cut_base(base, chars, "otf") for chars in pages + pages[::-1]]
    fresh = []
    for chars in pages + pages[::-1]:
        fontcut._parsed_base.cache_clear()
        fresh.append(fontcut.cut_base(base, chars, "otf"))
    assert reused == fresh and reused[0] == reused[-1] and len(set(reused)) == 3
    assert missing_glyphs(reused[0], "收支总计335.78万元") == []


def _glyphs(font: bytes) -> dict[str, tuple[bytes, tuple[int, int]]]:
    """Each mapped character's charstring bytes and (advance, left side bearing)."""
    f = TTFont(io.BytesIO(font))
    top = f["CFF "].cff.topDictIndex[0]
    out = {}
    for point, name in f.getBestCmap().items():
        charstring, _ = top.CharStrings.getItemAndSelector(name)
        charstring.compile()
        out[chr(point)] = (charstring.bytecode, f["hmtx"][name])
    return out


def test_subsets_cut_from_the_gb2312_base_font_have_the_full_fonts_glyphs(seed_page):
    """A page is cut from the GB 2312 base font by copying glyphs: the full font's outlines."""
    chars = "".join(sorted(set(page_characters(seed_page))))
    assert len(chars) > 300
    src = font_source()
    direct = fontcut.cut(fontcut.font_bytes(src.path), src.number, chars, "otf")
    for flavor in ("woff", "otf"):
        fast = webfont._subset.__wrapped__(src, chars, flavor)
        assert fast[:4] == (b"wOFF" if flavor == "woff" else b"OTTO")
        glyphs = _glyphs(fast)
        assert glyphs == _glyphs(direct)  # same characters, outlines and advances
        assert len(glyphs) > 300 and missing_glyphs(fast, chars.strip()) == []
        kept = TTFont(io.BytesIO(fast))
        assert len(kept.getGlyphOrder()) == len(set(glyphs.values())) + 1  # + .notdef only
        assert not {"GSUB", "GPOS", "GDEF"} & set(kept.keys())
        assert len(fast) < len(direct)  # no layout tables: smaller too
    base, covered = fontcut.base_font(src, webfont.BASE_CHARACTERS)
    assert covered.issuperset(chars) and "們" not in covered  # 們: traditional, not GB 2312
    rare = webfont._subset.__wrapped__(src, chars + "們", "otf")  # falls back to the full font
    assert missing_glyphs(rare, chars.strip() + "們") == []
    assert missing_glyphs(base, "收支總") == ["總"]


def test_flavors():
    assert subset_font("财政", flavor="otf")[:4] == b"OTTO"
    assert subset_font("财政", flavor="woff")[:4] == b"wOFF"
    assert webfont.best_flavor() in ("woff", "woff2")
    if webfont.best_flavor() == "woff2":
        assert subset_font("财政", flavor="woff2")[:4] == b"wOF2"
    else:
        with pytest.raises(ValueError, match="brotli"):
            subset_font("财政", flavor="woff2")
    with pytest.raises(ValueError, match="flavor"):
        subset_font("财政", flavor="eot")
    css = font_face_css("财政", flavor="otf")
    assert "src:url(data:font/otf;base64," in css and 'format("opentype")' in css
    data = base64.b64decode(re.search(r"base64,([^)]+)\)", css).group(1))
    assert missing_glyphs(data, "财政") == [] and missing_glyphs(data, "财务") == ["务"]


def test_page_characters():
    chars = page_characters("<p title='乙'>甲&#x4e19;&amp;\x07\n</p>", extra="")
    assert set(chars) >= {"甲", "乙", "丙", "&"} and "\x07" not in chars and "\n" not in chars
    assert list(chars) == sorted(chars)
    assert set(BASE_CHARACTERS) <= set(page_characters(""))
    assert {"（", "）", "“", "”", "：", "；", "、", "。", "，", "％", "—", "−"} <= set(
        BASE_CHARACTERS
    )


def test_font_source_prefers_the_bundled_file():
    # Noto Sans CJK SC is the third font of the collection (JP, KR, SC, ...)
    assert font_source() == FontSource(bundled_font_path(), 2)


def test_collection_font_is_picked_by_family(tmp_path, monkeypatch):
    """Without the bundled font, the chosen system font is used; in a .ttc, that family's."""
    fonts = []
    for family in ("Fake CJK JP", "Fake CJK SC"):
        font = TTFont(io.BytesIO(subset_font("财政" if "SC" in family else "財", flavor="otf")))
        for record in font["name"].names:
            if record.nameID in (1, 16):
                record.string = family
        fonts.append(font)
    collection = TTCollection()
    collection.fonts = fonts
    path = tmp_path / "fake.ttc"
    collection.save(str(path))
    monkeypatch.setattr(webfont, "bundled_font_path", lambda: None)
    monkeypatch.setattr(
        webfont, "cjk_font", lambda: FontChoice("Fake CJK SC", path, "system", True)
    )
    font_source.cache_clear()
    try:
        source = font_source()
        assert source == FontSource(path, 1)
        assert missing_glyphs(subset_font("财政", source=source, flavor="woff"), "财政") == []
    finally:
        font_source.cache_clear()


def test_export_embeds_the_font_for_its_own_text_only_in_the_head():
    slot = "/* fiscal-analysis: embedded CJK font */"
    nb = new_notebook(
        cells=[
            new_code_cell(
                "show()",
                outputs=[
                    new_output("display_data", data={"text/html": f"<p>罕见字：龘 {slot}</p>"}),
                ],
            )
        ]
    )
    page = export_html(nb, title="测试报告", provenance=Provenance("0", "0" * 64))
    assert page.count("@font-face") == 1 and slot in page.split("</head>", 1)[1]
    font = embedded_font(page)
    assert missing_glyphs(font, visible_text(page)) == []
    assert ord("龘") in TTFont(io.BytesIO(font)).getBestCmap()


def test_base_font_is_kept_for_later_processes_and_a_damaged_copy_is_ignored(tmp_path, monkeypatch):
    """The base font goes to the user cache; the next process reads it instead of cutting it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fontcut, "gb2312", lambda: "收支总计")  # a small base: a quick test
    src = font_source()
    fontcut.base_font.cache_clear()
    try:
        assert fontcut.stored_base(src) is None
        made, _ = fontcut.base_font(src, webfont.BASE_CHARACTERS)
        assert fontcut.stored_base(src) == made
        (kept,) = (tmp_path / "fiscal-analysis" / "fonts").glob("base-*.otf")
        fontcut.base_font.cache_clear()  # as in a new process
        monkeypatch.setattr(fontcut, "cut", lambda *a, **k: pytest.fail("cut again"))
        assert fontcut.base_font(src, webfont.BASE_CHARACTERS)[0] == made
        monkeypatch.undo()
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        assert missing_glyphs(kept.read_bytes(), "收支总计") == []
        kept.write_bytes(b"garbage")
        assert fontcut.stored_base(src) is None  # not a font: cut again, no error
    finally:
        fontcut.base_font.cache_clear()


def test_tampered_base_font_is_detected_and_cut_again(tmp_path, monkeypatch):
    """A cached base font whose glyphs were swapped (checksums made good) is not embedded."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fontcut, "gb2312", lambda: "收支总计")
    src = font_source()
    fontcut.base_font.cache_clear()
    try:
        made, _ = fontcut.base_font(src, webfont.BASE_CHARACTERS)
        (kept,) = (tmp_path / "fiscal-analysis" / "fonts").glob("base-*.otf")
        assert kept.with_suffix(".sha256").is_file()
        font = TTFont(io.BytesIO(kept.read_bytes()))
        for table in font["cmap"].tables:  # 收 shows 支's glyph and the other way round
            cmap = table.cmap
            if ord("收") in cmap and ord("支") in cmap:
                cmap[ord("收")], cmap[ord("支")] = cmap[ord("支")], cmap[ord("收")]
        out = io.BytesIO()
        font.save(out)  # a well-formed font: every table checksum is right
        kept.write_bytes(out.getvalue())
        checked = TTFont(io.BytesIO(kept.read_bytes()), checkChecksums=2, lazy=True)
        for tag in checked.reader.tables:
            checked.reader[tag]  # passes the checksum test the cache used to rely on
        assert fontcut.stored_base(src) is None
        fontcut.base_font.cache_clear()  # as in a new process: the base is cut again
        again, _ = fontcut.base_font(src, webfont.BASE_CHARACTERS)
        assert again == made
        assert kept.read_bytes() == made and fontcut.stored_base(src) == made
        # a seal copied from elsewhere does not help either
        kept.with_suffix(".sha256").write_text("0" * 64 + "\n")
        assert fontcut.stored_base(src) is None
    finally:
        fontcut.base_font.cache_clear()
