"""CJK fonts for charts: find one that has the glyphs, register it, never warn.

Charts must show Chinese on a fresh Linux machine where only pip packages are
installed. The order of preference is:

1. a CJK font already installed on the system (Noto Sans CJK SC, Source Han
   Sans SC, WenQuanYi; Microsoft YaHei, SimHei, DengXian on Windows; PingFang
   SC, Hiragino Sans GB, Heiti SC, STHeiti on macOS);
2. Noto Sans CJK SC out of the Noto Sans CJK collection (Regular, version
   2.004, SIL Open Font License 1.1) shipped by the pip package
   ``noto-cjk-sans-otc`` (registered with
   :meth:`matplotlib.font_manager.FontManager.addfont`, which since matplotlib
   3.11 knows every font of a ``.ttc`` collection).

Nothing is written to the user's ``matplotlibrc``. A font is only accepted if
it really has a CJK glyph, and the minus sign is only typeset as U+2212 if the
chosen font has that glyph.

Examples:
    >>> choice = cjk_font()
    >>> has_glyph(choice.path, "财")
    True
    >>> font_rc(choice)["font.family"]
    'sans-serif'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from fiscal_analysis.errors import FontNotFoundError

__all__ = [
    "BUNDLED_FAMILY",
    "BUNDLED_FONT_FILE",
    "BUNDLED_PACKAGE",
    "MINUS",
    "SYSTEM_FAMILIES",
    "FontChoice",
    "bundled_font_path",
    "choose_font",
    "cjk_font",
    "font_rc",
    "has_glyph",
]

#: System CJK families, best first: Linux, then Windows, then macOS.
SYSTEM_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "DengXian",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
)

#: The file inside the ``noto-cjk-sans-otc`` package that serves as the pip-only fallback.
BUNDLED_FONT_FILE = "NotoSansCJK-Regular.ttc"
#: The package (import name) that ships it.
BUNDLED_PACKAGE = "noto_cjk_sans_otc"
#: The font of the collection the charts and pages use.
BUNDLED_FAMILY = "Noto Sans CJK SC"

#: The typographic minus sign.
MINUS = "\u2212"

#: A character every usable font must have (财 as in 财政).
_PROBE = "财"


@dataclass(frozen=True)
class FontChoice:
    """The font the charts use.

    Attributes:
        family: Family name as matplotlib knows it.
        path: The font file.
        source: ``system`` or ``bundled`` (the ``noto-cjk-sans-otc`` package).
        has_minus: Whether the font has U+2212 (so ``axes.unicode_minus`` may be on).
    """

    family: str
    path: Path
    source: str
    has_minus: bool


def has_glyph(path: str | Path, char: str) -> bool:
    """Whether the font file at ``path`` has a glyph for ``char``.

    Unreadable files count as having no glyphs.

    Examples:
        >>> has_glyph(bundled_font_path(), "−")
        True
        >>> has_glyph("/no/such/font.ttf", "财")
        False
    """
    if len(char) != 1:
        raise ValueError(f"应为单个字符 (expected one character): {char!r}")
    from matplotlib.ft2font import FT2Font  # matplotlib only when a font is looked into

    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return font.get_char_index(ord(char)) != 0


def bundled_font_path() -> Path | None:
    """The Noto Sans CJK collection inside the ``noto-cjk-sans-otc`` package, if installed.

    Examples:
        >>> bundled_font_path().name
        'NotoSansCJK-Regular.ttc'
    """
    spec = find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / BUNDLED_FONT_FILE
        if path.is_file():
            return path
    return None


def choose_font(
    installed: Iterable[tuple[str, str | Path]],
    bundled: str | Path | None,
    families: Sequence[str] = SYSTEM_FAMILIES,
) -> FontChoice:
    """Pick the best CJK font from what is installed, else the bundled file.

    Pure: it only reads the font files it is given, and registers nothing.

    Args:
        installed: ``(family name, file path)`` of each font matplotlib knows,
            e.g. from ``font_manager.fontManager.ttflist``.
        bundled: The pip-only fallback file, or ``None`` if there is none.
        families: Acceptable system families, best first.

    Returns:
        The chosen font.

    Raises:
        FontNotFoundError: If no candidate has Chinese glyphs.

    Examples:
        >>> choose_font([], bundled_font_path()).source
        'bundled'
        >>> choose_font([("DejaVu Sans", "x.ttf")], bundled_font_path()).family
        'Noto Sans CJK SC'
    """
    by_family: dict[str, list[Path]] = {}
    for name, path in installed:
        by_family.setdefault(str(name), []).append(Path(path))
    for family in families:
        for path in sorted(by_family.get(family, [])):
            if has_glyph(path, _PROBE):
                return FontChoice(family, path, "system", has_glyph(path, MINUS))
    if bundled is not None and has_glyph(bundled, _PROBE):
        path = Path(bundled)
        if path.suffix.lower() in (".ttc", ".otc"):
            family = BUNDLED_FAMILY
        else:
            from matplotlib.ft2font import FT2Font

            family = FT2Font(str(path)).family_name
        return FontChoice(family, path, "bundled", has_glyph(path, MINUS))
    raise FontNotFoundError(
        "找不到可显示中文的字体：请安装 noto-cjk-sans-otc（pip install noto-cjk-sans-otc）"
        "或系统中文字体，如 Noto Sans CJK SC (no CJK font found; install noto-cjk-sans-otc "
        "or a system CJK font)"
    )


@cache
def cjk_font() -> FontChoice:
    """Find the CJK font once per process and make it known to matplotlib.

    A system font is already known to matplotlib; the bundled file is added
    with ``fontManager.addfont`` (in memory only, nothing is written).

    Raises:
        FontNotFoundError: If there is no CJK font at all.
    """
    from matplotlib import font_manager

    installed = [(f.name, f.fname) for f in font_manager.fontManager.ttflist]
    choice = choose_font(installed, bundled_font_path())
    if choice.source == "bundled":
        font_manager.fontManager.addfont(str(choice.path))
    return choice


def font_rc(choice: FontChoice) -> dict[str, object]:
    """Matplotlib settings that use ``choice`` for all text.

    Only the chosen family is listed (then DejaVu Sans, which ships with
    matplotlib), so matplotlib never logs "font family not found".

    Examples:
        >>> rc = font_rc(FontChoice("X", Path("x.otf"), "system", False))
        >>> rc["font.sans-serif"], rc["axes.unicode_minus"]
        (['X', 'DejaVu Sans'], False)
    """
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [choice.family, "DejaVu Sans"],
        "axes.unicode_minus": choice.has_minus,
        "text.usetex": False,
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
    }
