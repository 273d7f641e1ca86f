"""The charts' house style: palette, fonts, sizes, label wrapping and PNG embedding.

Shared by every chart in :mod:`fiscal_analysis.charts.figures`. :func:`figure_png`
gives the same bytes for the same chart, and :func:`chart_html` embeds a chart
as an ``<img>`` whose alt text is HTML-escaped.

Examples:
    >>> print(wrap_label("2019年（推算）", 6))  # a bracket never starts or ends a line
    2019年
    （推算）
    >>> signed_amount(Decimal("-327.17"))
    '−327.17万元'
"""

from __future__ import annotations

import base64
import html
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from fiscal_analysis.charts.fonts import MINUS, cjk_font, font_rc
from fiscal_analysis.charts.png import png_bytes
from fiscal_analysis.money import format_amount, format_number

__all__ = [
    "COLORS",
    "DPI",
    "MAX_BARS",
    "MAX_HEIGHT",
    "Chart",
    "chart_html",
    "figure_png",
    "house_rc",
    "house_style",
    "signed_amount",
    "use_house_style",
    "wrap_label",
]

#: House palette: total, increase, decrease, budget, muted.
COLORS = {
    "total": "#2f5597",
    "up": "#c55a11",
    "down": "#548235",
    "budget": "#a5a5a5",
    "actual": "#2f5597",
    "series": ["#2f5597", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6"],
}
#: Resolution of embedded PNGs: crisp 11-point CJK text at a page width of 7.5 inches.
DPI = 115
#: At most this many bars in a budget-vs-actual or structure chart (the table lists every line).
MAX_BARS = 12
#: Tallest chart, in inches (rows get thinner before the figure grows past it).
MAX_HEIGHT = 10.0


class Chart(NamedTuple):
    """A figure and the Chinese text that describes it for screen readers."""

    figure: Figure
    alt: str


def house_rc() -> dict[str, object]:
    """The house style as matplotlib settings (fonts included)."""
    rc: dict[str, object] = {
        # 6.2 in at 115 dpi is about 710 px: its text stays legible at a phone's 400 px.
        "figure.figsize": (6.2, 3.8),
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "savefig.bbox": "tight",
        "font.size": 11,
        "axes.titlesize": 13,
        "axes.titleweight": "normal",  # the CJK fallback has one weight only
        # The title sits on the axes (no chart has an x axis on top): fixed, matplotlib skips
        # placing it above the top axis on every layout pass (a y-axis layout per pass).
        "axes.titley": 1.0,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "x",
        "grid.color": "#d9d9d9",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "text.parse_math": False,
    }
    rc.update(font_rc(cjk_font()))
    return rc


@contextmanager
def house_style() -> Iterator[None]:
    """Use the house style inside a ``with`` block (rcParams restored after)."""
    with mpl.rc_context(house_rc()):
        yield


def use_house_style() -> None:
    """Apply the house style to the whole session (e.g. at the top of a notebook)."""
    mpl.rcParams.update(house_rc())


def typeset_minus(text: str) -> str:
    """Typeset hyphen-minus as U+2212 when the chosen font has that glyph."""
    return text.replace("-", MINUS) if cjk_font().has_minus else text


def signed_amount(value: Decimal) -> str:
    """An amount with an explicit sign, e.g. ``−327.17万元`` or ``+5万元``.

    Examples:
        >>> signed_amount(Decimal("-327.17")) in ("−327.17万元", "-327.17万元")
        True
        >>> signed_amount(Decimal("5.00"))
        '+5万元'
    """
    text = format_amount(value)
    return typeset_minus(text) if value < 0 else (f"+{text}" if value > 0 else text)


def amount_label(value: Decimal | None) -> str:
    return typeset_minus(format_amount(value))


#: Characters that never start a line (closing brackets, punctuation) ...
_NO_START = frozenset("）］｝」』】》〉”’，。、；：！？…—·%％)]},.;:!?")
#: ... and that never end one (opening brackets and quotes).
_NO_END = frozenset("（［｛「『【《〈“‘([{")
_PAIRS = {"（": "）", "【": "】", "《": "》", "「": "」", "『": "』", "“": "”", "(": ")", "[": "]"}
_TOKEN = re.compile(r"\s+|[A-Za-z0-9][A-Za-z0-9.,%+\-]*|.", re.S)


def _units(text: str) -> float:
    """Width in CJK characters: wide and ambiguous ones count 1, narrow (ASCII) ones 1/2."""
    return sum(0.5 if unicodedata.east_asian_width(ch) in "NaH" else 1.0 for ch in text)


def _tokens(label: str, width: float) -> list[str]:
    """Unbreakable pieces: ASCII words, CJK characters, bracketed groups that fit a line."""
    raw = _TOKEN.findall(label)
    grouped: list[str] = []
    i = 0
    while i < len(raw):
        close = _PAIRS.get(raw[i])
        j = raw.index(close, i + 1) if close and close in raw[i + 1 :] else -1
        if j > 0 and _units("".join(raw[i : j + 1])) <= width:
            grouped.append("".join(raw[i : j + 1]))
            i = j + 1
        else:
            grouped.append(raw[i])
            i += 1
    merged: list[str] = []
    glue_next = False
    for tok in grouped:
        space = tok.isspace()
        if merged and not space and not merged[-1].isspace() and (glue_next or tok[0] in _NO_START):
            merged[-1] += tok
        else:
            merged.append(tok)
        glue_next = not space and tok[-1] in _NO_END
    return merged


def wrap_label(label: str, width: float = 14) -> str:
    """Break a chart label into lines of about ``width`` CJK characters.

    Lines break between CJK characters, at spaces, and around short bracketed
    groups, which stay whole; a closing bracket or punctuation mark never
    starts a line and an opening bracket never ends one (禁则). ASCII letters
    and digits count half a character and numbers are never split.

    Examples:
        >>> wrap_label("2019年（推算）", 8)
        '2019年（推算）'
        >>> print(wrap_label("变动（无法按科目分解）", 10))
        变动
        （无法按科目分解）
        >>> print(wrap_label("一般公共服务支出（类）", 8))
        一般公共服务支出
        （类）
        >>> print(wrap_label("公用经费（含“三公”经费），比上年减少", 6))
        公用经费（含
        “三公”经
        费），比上年
        减少
    """
    lines: list[str] = []
    line = ""
    for tok in _tokens(label, width):
        if tok.isspace():
            if line:
                line += " "
            continue
        if line.strip() and _units(line + tok) > width:
            lines.append(line.rstrip())
            line = tok
        else:
            line += tok
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines) or label


def wrap_title(label: str, width: float = 14) -> str:
    return wrap_label(label, width)


def _tick(x: float, _pos: object = None) -> str:
    return _tick_text(float(x))


@lru_cache(maxsize=4096)
def _tick_text(x: float) -> str:
    """A tick's label; kept, as every layout pass formats every tick again."""
    return typeset_minus(format_number(Decimal(repr(x))))  # format_number rounds half up


def new_axes(fig: Figure, title: str, value_axis: str):
    ax = fig.subplots()
    ax.set_title(wrap_title(title, 30))
    fmt = FuncFormatter(_tick)
    if value_axis == "x":
        ax.xaxis.set_major_formatter(fmt)
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.set_xlabel("万元")
    else:
        ax.yaxis.set_major_formatter(fmt)
        ax.yaxis.set_major_locator(MaxNLocator(6))
        ax.set_ylabel("万元")
        ax.grid(axis="x", visible=False)
        ax.grid(axis="y", visible=True)
    return ax


def figure_height(n: int, row: float, least: float) -> float:
    """Figure height in inches for ``n`` bars of ``row`` inches, capped at :data:`MAX_HEIGHT`."""
    return min(MAX_HEIGHT, max(least, row * n + 1.5))


def largest_positions(keys: Sequence[tuple[Decimal, Decimal]], n: int) -> list[int]:
    """Positions of the ``n`` largest ``keys`` (ties: earlier first), in their original order."""
    ranked = sorted(range(len(keys)), key=lambda i: (-keys[i][0], -keys[i][1], i))
    return sorted(ranked[:n])


def lump_small_parts(parts: Sequence[tuple[str, Decimal]], limit: int) -> list[tuple[str, Decimal]]:
    """At most ``limit`` parts: the largest ``limit - 1`` and one exact sum of the rest.

    Examples:
        >>> lump_small_parts([("a", Decimal(1)), ("b", Decimal(5)), ("c", Decimal(2))], 2)
        [('b', Decimal('5')), ('其余2项合计', Decimal('3'))]
    """
    if len(parts) <= limit:
        return list(parts)
    keep = set(largest_positions([(abs(v), v) for _, v in parts], limit - 1))
    rest = [v for i, (_, v) in enumerate(parts) if i not in keep]
    kept = [p for i, p in enumerate(parts) if i in keep]
    return [*kept, (f"其余{len(rest)}项合计", sum(rest, Decimal(0)))]


def require_rows(rows: Sequence, what: str) -> None:
    if not rows:
        raise ValueError(f"{what}没有数据，无法作图；请用文字说明 (nothing to chart)")


def figure_png(figure: Figure) -> bytes:
    """Render a figure to PNG in the house style and release it.

    Cropped to the tight bounding box (as ``savefig.bbox: tight``) in one
    layout pass, see :mod:`fiscal_analysis.charts.png`. The PNG carries no
    timestamp or software tag, so the same chart gives the same bytes.
    """
    with house_style():
        data = png_bytes(figure, DPI)
    for ax in figure.axes:  # not Figure.clear alone: Axes.clear rebuilds the axes to drop them
        figure.delaxes(ax)
    figure.clear()
    return data


def chart_html(chart: Chart, *, caption: bool = True) -> str:
    """An HTML ``<figure>`` with the PNG embedded and the alt text escaped.

    Args:
        chart: The chart to render (its figure is released afterwards).
        caption: Also show the alt text as a visible ``<figcaption>``.
    """
    data = base64.b64encode(figure_png(chart.figure)).decode("ascii")
    alt = html.escape(chart.alt, quote=True)
    cap = f"<figcaption>{alt}</figcaption>" if caption else ""
    style = "max-width:100%;height:auto"
    img = f'<img alt="{alt}" src="data:image/png;base64,{data}" style="{style}"/>'
    return f'<figure class="fisc-chart">{img}{cap}</figure>'
