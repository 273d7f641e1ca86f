"""Paired statements with 各 spelled out, keeping each character's source line.

"收、支总计各是1234.56,1250.10万元。…各减少100.20,150.30万元,各下降7.51%、10.73%"
states two figures at once. Before the sentence is read, such a pair becomes
two ordinary statements: "收入总计1234.56万元，支出总计1250.10万元" and
"收入总计减少100.20万元，下降7.51%，支出总计减少150.30万元，下降10.73%".

Examples:
    >>> text = ("收支总计各是1234.56,1250.10万元。与上年相比，"
    ...         "各减少100.20,150.30万元,各下降7.51%、10.73%。")
    >>> out, pos = expand_pairs(text, list(range(len(text))))
    >>> out
    '收入总计1234.56万元，支出总计1250.10万元。与上年相比，收入总计减少100.20万元，下降7.51%，支出总计减少150.30万元，下降10.73%。'
    >>> len(pos) == len(out)
    True
"""

from __future__ import annotations

import re

__all__ = ["expand_pairs"]

_NUM = r"\d[\d,]*(?:\.\d+)?"
_SEP = r"[,，、和]"
_SUBJECT = re.compile(
    rf"(?P<pre>本年)?(?P<fiscal>财政拨款)?(?:收支|收入支出)(?P<what>总计|合计)各(?:是|为|自)?"
    rf"(?P<a>{_NUM})(?:万元|元)?{_SEP}(?P<b>{_NUM})(?P<unit>万元|元|亿元)"
)
_CHANGE = re.compile(
    rf"各(?P<w>增加|减少|增长|下降)(?P<a>{_NUM})(?:万元|元)?{_SEP}(?P<b>{_NUM})(?P<unit>万元|元|亿元)"
    rf"(?:[,，；;]?各(?P<w2>增长|下降|增加|减少)(?P<p>{_NUM})%?{_SEP}(?P<q>{_NUM})%)?"
)


def _sub_all(pattern: re.Pattern, text: str, pos: list[int], write) -> tuple[str, list[int]]:
    """Every match of ``pattern`` replaced by ``write(match)``, in one pass (linear in the text).

    A replacement's characters all map to the line of the match's first character.
    """
    parts: list[str] = []
    where: list[int] = []
    done = 0
    for m in pattern.finditer(text):
        new = write(m)
        at = pos[m.start()] if m.start() < len(pos) else (pos[-1] if pos else 0)
        parts += [text[done : m.start()], new]
        where += pos[done : m.start()]
        where += [at] * len(new)
        done = m.end()
    if not parts:
        return text, pos
    parts.append(text[done:])
    where += pos[done:]
    return "".join(parts), where


def expand_pairs(text: str, pos: list[int]) -> tuple[str, list[int]]:
    """``text`` with every 各 pair written out; ``pos`` maps each character to its line."""
    names = ["收入总计", "支出总计"]  # of the last pair of totals: its 各 changes follow it

    def subject(m: re.Match) -> str:
        fiscal = m.group("fiscal") or ""
        what = m.group("what")
        pre = m.group("pre") or ("本年" if what == "合计" else "")
        names[:] = [f"{pre}{fiscal}收入{what}", f"{pre}{fiscal}支出{what}"]
        unit = m.group("unit")
        return f"{names[0]}{m.group('a')}{unit}，{names[1]}{m.group('b')}{unit}"

    def change(m: re.Match) -> str:
        unit, w = m.group("unit"), m.group("w")
        first = f"{names[0]}{w}{m.group('a')}{unit}"
        second = f"{names[1]}{w}{m.group('b')}{unit}"
        if m.group("w2"):
            first += f"，{m.group('w2')}{m.group('p')}%"
            second += f"，{m.group('w2')}{m.group('q')}%"
        return f"{first}，{second}"

    # a written-out pair holds no 各, so one left-to-right pass finds what repeated searches did
    text, pos = _sub_all(_SUBJECT, text, pos, subject)
    return _sub_all(_CHANGE, text, pos, change)
