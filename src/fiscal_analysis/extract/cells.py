"""Cells of a flattened table line: numbers, dashes and text.

Examples:
    >>> [t.kind for t in tokenize("201  06  01  行政运行  1,511.90  1,511.89")]
    ['num', 'num', 'num', 'text', 'num', 'num']
    >>> read_code(tokenize("201 | 06 | 01  行政运行  1.00"))
    ('2010601', 3)
    >>> amount(tokenize("2,940.05")[0]), amount(tokenize("—")[0])
    (2940050000, 0)
    >>> amount(tokenize("31,205.40")[0], "元")
    3120540
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fiscal_analysis.extract.units import money

__all__ = ["Token", "amount", "read_code", "tokenize"]

_TOKEN = re.compile(
    r"(?P<num>-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)"
    r"|(?P<dash>(?<!\S)[-—–]+(?!\S))"
    r"|(?P<text>[^\s\d|｜]+)"
)


@dataclass(frozen=True)
class Token:
    """One cell: ``kind`` is ``num``, ``dash`` or ``text``."""

    kind: str
    text: str


def tokenize(line: str) -> list[Token]:
    """Split a flattened table line into numbers, dashes and text cells."""
    return [Token(m.lastgroup or "text", m.group(m.lastgroup or 0)) for m in _TOKEN.finditer(line)]


def amount(tok: Token, unit: str = "万元") -> int | None:
    """The cell in 分 (a dash is 0), or ``None`` if it is not an amount.

    A cell with more decimals than its unit allows (``12.345`` in a 万元 table is
    fine, ``1.234`` in a 元 table is not) is not an amount.
    """
    if tok.kind == "dash":
        return 0
    if tok.kind != "num":
        return None
    decimals = len(tok.text.split(".")[1]) if "." in tok.text else 0
    if decimals > (2 if unit == "元" else 6):
        return None
    return money(tok.text, unit)


def read_code(tokens: list[Token]) -> tuple[str, int] | None:
    """A leading 功能/经济分类 code (``2010601`` or ``201 06 01``) and the tokens it used."""
    if not tokens or tokens[0].kind != "num" or not tokens[0].text.isdigit():
        return None
    code, used = tokens[0].text, 1
    if len(code) not in (3, 5, 7):
        return None
    while len(code) < 7 and used < len(tokens):
        t = tokens[used]
        if t.kind == "num" and t.text.isdigit() and len(t.text) == 2:
            code += t.text
            used += 1
        else:
            break
    return code, used
