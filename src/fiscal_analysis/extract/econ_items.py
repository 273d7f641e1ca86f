"""Economic items the 基本支出 section lists without amounts (06表, basis ``undisclosed``).

§六 typically says "人员经费X万元，…，主要包括基本工资、津贴补贴、…；公用经费Y万元，
…，主要包括办公费、印刷费、…". Each listed name becomes a 06表 row with an empty
value: the document says the item was spent on but not how much. Codes are
looked up by name in the economic dictionary, only in the groups that make up
that kind of 经费: 301/303 for 人员经费, 302/310 (then 307/312/399) for 公用经费;
309 (资本性支出（基本建设）) replaces 310 only when the sentence names 基本建设,
because 309xx and 310xx share their names. Names not found are returned as
not understood.

Examples:
    >>> lines = ["第三部分", "六、一般公共预算财政拨款基本支出决算情况说明",
    ...          "人员经费10万元，主要包括基本工资、津贴补贴；",
    ...          "公用经费2万元，主要包括办公费、飞行费等。"]
    >>> items, unknown = listed_items(lines)
    >>> [(i.code, i.name) for i in items]
    [('30101', '基本工资'), ('30102', '津贴补贴'), ('30201', '办公费')]
    >>> [(u.name, u.group) for u in unknown]
    [('飞行费', '公用经费')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fiscal_analysis.extract.headings import PAGE, Section, find_sections
from fiscal_analysis.extract.text import compact
from fiscal_analysis.schema.classification import Classification

__all__ = ["EconItem", "listed_items", "lookup"]

_GROUPS = {
    "人员经费": ("301", "303"),
    "公用经费": ("302", "310", "307", "312", "399"),
}
_LIST = re.compile(
    r"(?P<group>人员经费|公用经费)[^。；]*?(?:主要)?(?:包括|用于)[:：]?(?P<list>[^。；]+)"
)
_TRAIL = re.compile(r"(?:等(?:各项)?(?:支出|费用|方面)?)$")


@dataclass(frozen=True)
class EconItem:
    """A listed name; ``code`` is ``None`` when the dictionary has no such item."""

    name: str
    group: str
    code: str | None
    line: int
    where: str


def _norm(name: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]|费用$|支出$", "", name).removesuffix("费")


def lookup(
    name: str, group: str, capital: bool = False, cls: Classification | None = None
) -> str | None:
    """The 5-digit economic code named ``name`` within the groups of ``group``.

    Examples:
        >>> lookup("办公设备购置", "公用经费"), lookup("办公设备购置", "公用经费", capital=True)
        ('31002', '30902')
        >>> lookup("医疗费", "人员经费"), lookup("因公出国（境）费", "公用经费")
        ('30114', '30212')
        >>> lookup("办公费", "人员经费") is None
        True
    """
    econ = (cls or Classification.builtin()).economic
    prefixes = _GROUPS[group]
    if capital and group == "公用经费":
        prefixes = tuple("309" if p == "310" else p for p in prefixes)
    for match in (lambda n: n == name, lambda n: _norm(n) == _norm(name)):
        for prefix in prefixes:
            hits = [c for c, n in econ.items() if len(c) == 5 and c.startswith(prefix) and match(n)]
            if len(hits) == 1:
                return hits[0]
    return None


def _stream(lines: list[str], sec: Section) -> tuple[str, list[int]]:
    parts: list[str] = []
    where: list[int] = []
    for n in range(sec.start, sec.end + 1):
        if PAGE.match(lines[n - 1].strip()):
            continue
        s = compact(lines[n - 1])
        parts.append(s)
        where += [n] * len(s)
    return "".join(parts), where


def _names(raw: str, group: str, capital: bool, cls: Classification) -> list[str]:
    out = []
    for piece in raw.split("、"):
        name = _TRAIL.sub("", re.sub(r"^.*中的", "", piece.strip("，,：: ")))
        if not name:
            continue
        if lookup(name, group, capital, cls) is None and re.search(r"[和及与]", name):
            parts = [p for p in re.split(r"[和及与]", name) if p]
            if parts and all(lookup(p, group, capital, cls) for p in parts):
                out += parts
                continue
        out.append(name)
    return out


def listed_items(
    lines: list[str], sections: list[Section] | None = None
) -> tuple[list[EconItem], list[EconItem]]:
    """Items listed under 人员经费/公用经费 in the 基本支出 section: (found, not understood)."""
    cls = Classification.builtin()
    found: list[EconItem] = []
    unknown: list[EconItem] = []
    seen: set[str] = set()
    for sec in sections if sections is not None else find_sections(lines):
        if sec.key != "basic":
            continue
        text, pos = _stream(lines, sec)
        for m in _LIST.finditer(text):
            group = m.group("group")
            capital = "基本建设" in m.group(0)
            line = pos[m.start("list")]
            for name in _names(m.group("list"), group, capital, cls):
                code = lookup(name, group, capital, cls)
                item = EconItem(name, group, code, line, sec.label)
                if code is None:
                    unknown.append(item)
                elif code not in seen:
                    seen.add(code)
                    found.append(item)
    return found, unknown
