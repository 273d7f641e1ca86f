"""Plain-text tables for the terminal: CJK characters take two columns.

Examples:
    >>> text_width("甲局 (a)")
    8
    >>> pad("合计", 6) + "|"
    '合计  |'
"""

from __future__ import annotations

import unicodedata

__all__ = ["pad", "text_width"]


def text_width(text: str) -> int:
    """Terminal columns of ``text`` (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (never cut)."""
    return text + " " * max(0, width - text_width(text))
