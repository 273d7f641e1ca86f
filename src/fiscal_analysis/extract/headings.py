"""Find the parts of a disclosure: table blocks and 情况说明 sections.

Numbering and titles vary by region and year, so headings are matched by
keywords, not by position: "四、财政拨款收入支出决算总体情况说明" and
"四、财政拨款收支总体情况" both map to ``fiscal_total``.

Examples:
    >>> section_key("四、财政拨款收入支出决算总体情况说明")
    'fiscal_total'
    >>> section_key("（三）一般公共预算财政拨款支出决算具体情况", parent="gp")
    'gp_detail'
    >>> section_key("九、机关运行经费支出情况")
    'ops_cost'
    >>> table_id("上海市普陀区财政局2024年度部门决算表 收入支出决算总表")
    'T01'
    >>> table_id("一、收入支出决算总表") is None   # a 目录 entry, not a table
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "Section", "find_sections", "find_tables", "section_key", "table_id"]

_CN = "一二三四五六七八九十"
PART = re.compile(rf"^\s*(第[{_CN}]+部分)\s*(.*)$")
TOP = re.compile(rf"^\s*([{_CN}]+)\s*[、.．]\s*(\S.*)$")
SUB = re.compile(rf"^\s*[（(]\s*([{_CN}]+)\s*[）)]\s*(\S.*)$")
PAGE = re.compile(r"^\[第\d+页\]$")

#: (keywords that must all occur, section key); first match wins.
_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("名词解释",), "glossary"),
    (("三公",), "three_public"),
    (("机关运行经费",), "ops_cost"),
    (("一般性支出",), "general"),
    (("政府采购",), "procurement"),
    (("国有资产",), "assets"),
    (("绩效",), "performance"),
    (("政府性基金",), "gov_fund"),
    (("国有资本经营",), "soe"),
    (("其他重要事项",), "other"),
    (("基本支出",), "basic"),
    (("一般公共预算",), "gp"),
    (("财政拨款收入支出",), "fiscal_total"),
    (("财政拨款收支",), "fiscal_total"),
    (("收入支出决算总体",), "total"),
    (("收支决算总体",), "total"),
    (("收入支出总体",), "total"),
    (("收入决算",), "income"),
    (("支出决算",), "expense"),
)
_GP_PARTS = (("总体", "gp_total"), ("结构", "gp_structure"), ("具体", "gp_detail"))

#: Table names, longest first so that 财政拨款收入支出决算总表 wins over 收入支出决算总表.
_TABLES: tuple[tuple[str, str], ...] = (
    (r"财政拨款收入支出决算总表|财政拨款收支决算总表", "T04"),
    (r"基本支出决算(?:明细)?表", "T06"),
    (r"三公.{0,2}经费(?:及会议费、培训费)?支出决算表", "T07"),
    (r"政府性基金预算财政拨款收入支出决算表|政府性基金决算表", "T08"),
    (r"国有资本经营预算财政拨款(?:收入)?支出决算表", "T09"),
    (r"一般公共预算财政拨款(?:收入)?支出决算(?:明细)?表", "T05"),
    (r"收入支出决算总表|收支决算总表", "T01"),
    (r"收入决算(?:总)?表", "T02"),
    (r"支出决算(?:总)?表", "T03"),
)


@dataclass(frozen=True)
class Section:
    """A 情况说明 section: heading at ``line``, body ``start``–``end`` (1-based, inclusive)."""

    key: str
    title: str
    label: str
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """A table block: title at ``line``, rows ``start``–``end`` (1-based, inclusive)."""

    table: str
    title: str
    line: int
    start: int
    end: int


def section_key(title: str, parent: str | None = None) -> str | None:
    """Map a heading to a section key by keywords, or ``None``."""
    t = re.sub(r"[“”\"]", "", title)
    if parent in ("gp", "gp_total", "gp_structure", "gp_detail") and "基本支出" not in t:
        for word, key in _GP_PARTS:
            if word in t:
                return key
    for words, key in _RULES:
        if all(w in t for w in words):
            if key == "gp":
                for word, sub in _GP_PARTS:
                    if word in t and parent is not None:
                        return sub
            if key == "three_public" and parent is not None and parent != "three_public":
                return key
            return key
    return None


def table_id(line: str) -> str | None:
    """The table a title line names, or ``None`` (目录 entries have an ordinal)."""
    s = line.strip()
    if not s or len(s) > 60 or re.match(rf"^[{_CN}]+[、.．]", s) or re.search(r"\d[\d,]*\.\d", s):
        return None
    s = re.sub(rf"[（(]?公开\s*0?\d+\s*表[）)]?|表[{_CN}]+", "", s).strip()
    for pattern, tid in _TABLES:
        m = re.search(rf"(?:{pattern})\s*$", s)
        if m:
            return tid
    return None


def _is_table_start(lines: list[str], i: int) -> bool:
    window = " ".join(lines[i + 1 : i + 6])
    return "单位" in window or "项目" in window or "科目" in window or "项 目" in window


_BARE = re.compile(rf"^\s*(?:[{_CN}]+\s*[、.．]|[（(]\s*[{_CN}]+\s*[）)]|第[{_CN}]+部分)\s*$")


def _heading_text(lines: list[str], i: int) -> str:
    """The heading at line ``i``, joined with the next line when it is split ("三、" / "支出…")."""
    s = lines[i].strip()
    if _BARE.match(s) and i + 1 < len(lines):
        return s + lines[i + 1].strip()
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    if PART.match(s) and nxt in ("说明", "情况说明", "决算情况说明"):
        return s + nxt
    return s


def _ends_block(line: str) -> bool:
    """A narrative heading or sentence: where a table block without a next title ends."""
    s = line.strip().strip("|｜ ")
    if not s or re.match(r"^(?:注|说明|备注|单位)", s):
        return False
    if PART.match(s):
        return True
    m = TOP.match(s) or SUB.match(s)
    if m and "  " not in s and re.search(r"情况|说明", m.group(2)) and section_key(m.group(2)):
        return True
    return len(s) > 25 and "。" in s and bool(re.search(r"万元|元|%", s))


def find_tables(lines: list[str]) -> list[Block]:
    """Table blocks, each running to the next table title, part heading or narrative text."""
    starts = []
    for i, line in enumerate(lines):
        tid = table_id(line.strip().strip("|｜ ").replace(" ", "") if "|" in line else line)
        if tid and _is_table_start(lines, i):
            starts.append((i, tid))
        elif PART.match(line) and "第二部分" not in line:
            starts.append((i, None))
    blocks = []
    for n, (i, tid) in enumerate(starts):
        if tid is None:
            continue
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        for j in range(i + 3, end):
            if _ends_block(lines[j]):
                end = j
                break
        blocks.append(Block(tid, lines[i].strip(), i + 1, i + 2, end))
    return blocks


def _is_narrative_part(s: str) -> bool:
    return "情况说明" in s or (s.endswith("情况") and "决算" in s)


def _narrative_start(lines: list[str]) -> tuple[int, str]:
    """0-based index and label of the body's 情况说明 part heading (the last one), or (0, "")."""
    hits = []
    for i, line in enumerate(lines):
        s = line.strip()
        m = PART.match(s)
        if m and _is_narrative_part(_heading_text(lines, i).replace(" ", "")):
            hits.append((i, m.group(1)))
    return hits[-1] if hits else (0, "")


def find_sections(lines: list[str], blocks: list[Block] | None = None) -> list[Section]:
    """情况说明 sections (and 附件), in document order, with their line ranges.

    Headings are hints: the 情况说明 may be any 第X部分 or have no part heading
    at all, a heading may be split over two lines, and a part may have only
    sub-headings "（一）…". Lines inside table blocks are never headings.
    """
    first, narrative = _narrative_start(lines)
    inside = set()
    for b in blocks if blocks is not None else find_tables(lines):
        inside.update(range(b.line - 1, b.end))
    heads: list[tuple[int, str, str, str]] = []  # (index, key, title, label)
    part, top, top_key = narrative, "", None
    in_narrative = True
    for i in range(first, len(lines)):
        if i in inside:
            continue
        s = _heading_text(lines, i)
        m = PART.match(s)
        if m:
            label = m.group(1)
            top, top_key = "", None
            in_narrative = _is_narrative_part(s.replace(" ", "")) or (
                label == narrative and bool(narrative)
            )
            if in_narrative:
                part = label
                continue
            key = "glossary" if "名词解释" in s else "annex" if "附件" in s else None
            if key is None and first and i > first:
                key = "annex"
            if key:
                heads.append((i, key, s, label))
            continue
        if not in_narrative or len(s) > 45:
            continue
        m = TOP.match(s)
        if m and not re.search(r"\d[\d,]*\.\d", s):
            key = section_key(m.group(2))
            if key:
                top, top_key = f"{m.group(1)}", key
                heads.append((i, key, s, f"{part} {top}".strip()))
            continue
        m = SUB.match(s)
        if m and not re.search(r"\d[\d,]*\.\d", s):
            key = section_key(m.group(2), parent=top_key or "top")
            if top_key:
                key = key or top_key
            if key:
                heads.append((i, key, s, f"{part} {top}（{m.group(1)}）".strip()))
    out = []
    for n, (i, key, title, label) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        end = min([end, *(b.line - 1 for b in blocks or () if b.line - 1 > i)], default=end)
        out.append(Section(key, title, label, i + 1, i + 2, end))
    return out
