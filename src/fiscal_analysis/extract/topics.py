"""Numeric sentences outside any recognised heading: what each one is about.

Excerpts, partial documents and other provinces' layouts often have no
"第三部分" or no headings at all, and text before the first heading may hold
figures. Headings are only hints: every sentence outside the recognised
sections and tables is read, and its own words say which section's rules
apply ("本年收入合计…" is about 收入决算, "“三公”经费…" about 三公).

Examples:
    >>> sentence_key("本年收入合计335.78万元，其中：财政拨款收入335.78万元")
    'income'
    >>> sentence_key("“三公”经费支出3.50万元")
    'three_public'
    >>> sentence_key("全局共有干部职工30人。") is None
    True
    >>> lines = ["某局2024年度部门决算", "本年支出合计10万元。", "三、支出决算情况说明", "x"]
    >>> [(u.key, u.text) for u in loose_units(lines, covered=set(range(2, 4)))]
    [('expense', '本年支出合计10万元。')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fiscal_analysis.extract.headings import PAGE, Block, Section

__all__ = ["Unit", "covered_lines", "loose_units", "sentence_key"]

#: (pattern, section key); first match wins. Order: the most specific topics first.
_TOPICS: tuple[tuple[str, str], ...] = (
    (r"三公|因公出国|公务接待|公务用车", "three_public"),
    (r"机关运行经费", "ops_cost"),
    (r"政府采购", "procurement"),
    (r"车辆\d|共有车辆|单价\d+万元|台（套）", "assets"),
    (r"政府性基金", "gov_fund"),
    (r"国有资本经营", "soe"),
    (r"人员经费|公用经费", "basic"),
    (r"（类）.*（款）.*（项）|（项）", "gp_detail"),
    (r"一般公共预算财政拨款支出.*(?:主要用于|（类）)|（类）", "gp_structure"),
    (r"(?:年初|全年|调整)预算(?:数)?为", "gp_detail"),
    (r"一般公共预算财政拨款(?:基本)?支出", "gp_total"),
    (r"财政拨款收入支出总计|财政拨款收支总计|财政拨款收入总计|财政拨款支出总计", "fiscal_total"),
    (r"收入支出总计|收支总计|收入总计|支出总计", "total"),
    (r"本年收入|收入合计|收入总额|财政拨款收入|事业收入|其他收入", "income"),
    (r"本年支出|支出合计|支出总额|基本支出|项目支出", "expense"),
)
_SENTENCE = re.compile(r"[^。]*。|[^。]+$")
#: A number with its unit. Tried only at the start of a run of digits, "," and "." (possessive:
#: never backtracking into it), so a long run of digits costs linear time, not quadratic.
_MONEY = re.compile(r"(?<![\d,.])[,.]*+\d[\d,.]*+\s*(?:万元|元|万|%)|\d\s*(?:批次|人次|辆|个)")


@dataclass(frozen=True)
class Unit:
    """A run of sentences about one topic: its key, text and each character's line."""

    key: str
    text: str
    pos: tuple[int, ...]
    label: str


def sentence_key(sentence: str) -> str | None:
    """The section whose rules read ``sentence``, from its own words (or ``None``)."""
    s = re.sub(r"[“”\"‘’]", "", sentence).replace("收、支", "收支")
    for pattern, key in _TOPICS:
        if re.search(pattern, s):
            return key
    return None


def loose_units(lines: list[str], covered: set[int], prepare=None, first: int = 0) -> list[Unit]:
    """Sentences outside ``covered`` (0-based line indexes), grouped by topic.

    Args:
        lines: Normalised document lines.
        covered: Lines already read as a table or a section (or the title).
        prepare: How a line becomes stream text (default: stripped).
        first: The first line to consider (0-based).
    """
    parts: list[str] = []  # joined once: growing one string would copy it again and again
    pos: list[int] = []
    runs: list[tuple[str, list[int]]] = []
    for i in range(first, len(lines)):
        raw = lines[i]
        if i in covered or PAGE.match(raw.strip()):
            if pos:
                runs.append(("".join(parts), pos))
                parts, pos = [], []
            continue
        s = prepare(raw) if prepare else raw.strip()
        if s and len(s) <= 30 and not re.search(r"[，。；：,;:、]", s):
            s += "。"  # a title or heading line ends its own sentence
        parts.append(s)
        pos += [i + 1] * len(s)
    if pos:
        runs.append(("".join(parts), pos))
    grown: list[tuple[str, list[str], list[int], str]] = []  # sentences joined in place
    for text, pos in runs:
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0)
            if not _MONEY.search(sentence) and "（项）" not in sentence:
                continue
            key = sentence_key(sentence)
            if key is None:
                continue
            where = pos[m.start() : m.end()]
            if grown and grown[-1][0] == key and grown[-1][2][-1] + 1 >= where[0]:
                grown[-1][1].append(sentence)
                grown[-1][2].extend(where)
            else:
                grown.append((key, [sentence], where, f"第{where[0]}行"))
    return [Unit(key, "".join(parts), tuple(at), label) for key, parts, at, label in grown]


def covered_lines(lines: list[str], sections: list[Section], blocks: list[Block]) -> set[int]:
    """0-based lines read as tables, sections, 目录 or 名词解释 (not searched again)."""
    out: set[int] = set()
    for b in blocks:
        out.update(range(b.line - 1, b.end))
    for sec in sections:
        out.update(range(sec.line - 1, sec.end))
    for i, line in enumerate(lines[:400]):
        if re.sub(r"\s", "", line) in ("目录", "目录："):
            j = i + 1
            while j < len(lines) and not re.search(r"[，。]", lines[j]) and j - i < 60:
                out.add(j)
                j += 1
    return out
