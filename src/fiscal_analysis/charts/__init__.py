"""Charts in the house style: CJK fonts, exact labels, PNG output and the web font.

* :mod:`.figures`: the report's charts (waterfall, donut, budget against actual,
  trend), each with Chinese labels and alt text.
* :mod:`.style`: palette, sizes, label wrapping; :mod:`.png`: fast PNG output.
* :mod:`.fonts`: find and register a font with the Chinese glyphs;
  :mod:`.fontcut` and :mod:`.webfont`: the subset embedded in an HTML page.

May import :mod:`fiscal_analysis.money`, :mod:`fiscal_analysis.errors` and
:mod:`fiscal_analysis.files` only.
"""
