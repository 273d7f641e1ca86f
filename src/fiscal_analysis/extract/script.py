"""Traditional script (財政撥款, 一般公共預算) -> simplified, line by line, for parsing only.

Disclosures from Hong Kong-style pipelines, or text run through a converter,
arrive in traditional characters or a mix. OpenCC's ``t2s`` conversion
(the pure-Python ``opencc-python-reimplemented`` package: no compiled
extension, so it installs on every platform the project runs on) turns
each line that holds a traditional character into simplified script before
any pattern is matched. Line count and order never change, so line numbers
still point into the original text, which is what findings quote.

Examples:
    >>> simplify(["財政撥款收入支出決算總表", "一般公共預算財政撥款支出1.00萬元", "本年收入合计"])
    ['财政拨款收入支出决算总表', '一般公共预算财政拨款支出1.00万元', '本年收入合计']
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["simplify"]


@cache
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


@cache
def _traditional() -> re.Pattern[str]:
    """A character class of every character ``t2s`` changes."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key = line.split("\t", 1)[0]
        if len(key) == 1:
            chars.add(key)
    chars -= {"-", "]", "\\", "^"}
    return re.compile("[" + "".join(sorted(chars)) + "]")


def simplify(lines: list[str]) -> list[str]:
    """Each line in simplified script (lines without traditional characters are kept)."""
    trad = _traditional()
    if not any(trad.search(line) for line in lines):
        return list(lines)
    cc = _converter()
    out = []
    for line in lines:
        if trad.search(line):
            new = cc.convert(line)
            # a phrase conversion must not move characters: keep the line's length
            out.append(new if len(new) == len(line) else _by_char(line))
        else:
            out.append(line)
    return out


def _by_char(line: str) -> str:
    cc = _converter()
    return "".join(cc.convert(ch) if len(cc.convert(ch)) == 1 else ch for ch in line)
