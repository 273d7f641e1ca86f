"""Form checks of the 情况说明 (reference §4.4).

F-PLACEHOLDER 模板占位词未删改 (``增加（减少）``, ``XX``); F-DUP 词语重复;
F-DIR 两个方向词连写 ("大于小于", "增加减少"); F-PERCENT 百分数缺少%;
F-UNIT 单位不完整或元/万元混用; F-NOUNIT 金额缺少单位 ("支出决算为2.07。").

Examples:
    >>> from fiscal_analysis.extract.statements import parse
    >>> lines = ["本年支出增加（减少）10万元。"]
    >>> [(r, s) for r, s, *_ in form_findings(parse(lines), lines)]
    [('F-PLACEHOLDER', 'error')]
    >>> wan_text(335780000), wan_text(None)
    ('335.78万元', '—')
    >>> lines = ["决算数大于小于预算数。"]
    >>> [(r, s) for r, s, *_ in form_findings(parse(lines), lines)]
    [('F-DIR', 'error')]
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from fiscal_analysis.extract.records import Parsed, to_fen
from fiscal_analysis.extract.units import fen_text
from fiscal_analysis.money import format_number

__all__ = [
    "FormFinding",
    "form_findings",
    "pct_text",
    "shown_figure",
    "stream_all",
    "wan_text",
]

#: rule, severity, message, figures, line (1-based, in the checked text).
FormFinding = tuple[str, str, str, dict[str, str], int]

_PLACEHOLDER = re.compile(
    r"X{2,}|×{2,}|某某|增加（减少）|减少（增加）|增长（下降）|下降（增长）|大于（小于）|小于（大于）|高于（低于）"
)
_DUP = re.compile(r"(增加|减少|增长|下降|万元|支出|收入|的)\1")
_DIRS = "大于|小于|等于|高于|低于|增加|减少|增长|下降|持平"
_DIR_RUN = re.compile(rf"(?P<a>{_DIRS})(?P<b>{_DIRS})")
_PCT_WORD = re.compile(r"(?:占|增长|下降|降低|上升|完成(?:年初|全年|调整)?预算(?:数)?的)$")


def wan_text(v: int | None) -> str:
    """An amount in 分 as ``335.78万元`` (exact), or ``—`` when missing."""
    return "—" if v is None else f"{fen_text(v)}万元"


def form_findings(parsed: Parsed, lines: list[str]) -> list[FormFinding]:
    """Form problems of the text: placeholders, doubled words, missing % and units.

    Args:
        parsed: The statements read from ``lines`` (numbers, figures).
        lines: The normalised lines of the text.

    Returns:
        ``(rule, severity, message, figures, line)`` per problem, in text order
        within each rule; every one is a failure.
    """
    out: list[FormFinding] = []

    def add(rule: str, severity: str, msg: str, figures: dict[str, str], line: int) -> None:
        out.append((rule, severity, msg, figures, line))

    for n, line in enumerate(lines, start=1):
        for m in _PLACEHOLDER.finditer(line):
            msg = f"模板占位或备选词「{m.group(0)}」未删改，请按实际情况改写。"
            add("F-PLACEHOLDER", "error", msg, {"原文": m.group(0)}, n)
        for m in _DUP.finditer(line):
            msg = f"「{m.group(0)}」词语重复，请删去多余的「{m.group(1)}」。"
            add("F-DUP", "warning", msg, {"原文": m.group(0)}, n)
        for m in _DIR_RUN.finditer(line.replace(" ", "")):
            if m.group("a") != m.group("b"):
                msg = (
                    f"方向词「{m.group('a')}」与「{m.group('b')}」连写，只能保留与数字相符的一个。"
                )
                add("F-DIR", "error", msg, {"原文": m.group(0)}, n)
    known = {f.value for f in parsed.figures if f.unit == "万元" and f.value}
    for num in parsed.unitless:
        msg = f"「{num.label}{num.text}」金额缺少单位（万元或元），请补上单位。"
        add("F-NOUNIT", "error", msg, {"原文": num.label + num.text}, num.line)
    for num in parsed.numbers + parsed.unrecognised:
        if num.unit == "" and _PCT_WORD.search(num.label) and num in parsed.unrecognised:
            msg = f"「{num.label}{num.text}」缺少百分号，应写作{num.text}%。"
            add("F-PERCENT", "error", msg, {"原文": num.label + num.text}, num.line)
        elif num.unit == "万":
            msg = f"「{num.text}」单位不完整，应写作「{num.text}元」。"
            add("F-UNIT", "warning", msg, {"原文": num.text}, num.line)
        elif num.unit == "元":
            as_wan = to_fen(num.value, "万元")
            if as_wan in known:
                msg = f"「{num.text}」应为万元：同一数字在其他处写作{wan_text(as_wan)}。"
                add("F-UNIT", "error", msg, {"原文": num.text}, num.line)
            else:
                msg = f"金额「{num.text}」以元为单位，已按元精确换算；请确认单位。"
                add("F-UNIT", "info", msg, {"原文": num.text}, num.line)
    return out


def stream_all(lines: list[str]) -> tuple[str, list[int]]:
    """All lines as one text without spaces, and each character's line."""
    parts, pos = [], []
    for n, line in enumerate(lines, start=1):
        s = re.sub(r"\s", "", line)
        parts.append(s)
        pos += [n] * len(s)
    return "".join(parts), pos


def shown_figure(f) -> str:
    """A stated figure as printed in its unit (万元 in 分, counts in hundredths)."""
    if f.unit == "万元":
        return wan_text(f.value)
    return f"{format_number(Decimal(f.value) / 100, 2)}{f.unit}"


def pct_text(value: Fraction, decimals: int) -> str:
    """An exact rate as printed: rounded half up to ``decimals``, with %."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{format_number(d, decimals, keep_zeros=True)}%"
