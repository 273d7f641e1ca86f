"""Counts, rates and other non-financial numbers of the 绩效/其他 parts -> indicators.

The 绩效自评报告 (附件) and the 绩效/其他 sections state outputs such as
"共受理3414件事，12365个事项，办结率98%" or "共为10余家企业". Each number
printed with a unit (件, 个, %, 万件 …, Arabic or, after 第 or before 余,
Chinese numerals) that is not a money amount and not a figure already
recognised (e.g. 编制 counts) becomes an indicator:

- name: the words around the number in its clause (filler such as 其中/共/设/达
  dropped); a number inside "（…）" after another figure is named after it
  ("实有在职在编人员（政务服务中心）"); "A及B均为100%" gives two indicators;
- qualifier: 第 (a rank), 余/多 (more than), 以上 as printed;
- a number restated later (same value, same kind of unit, same name or the same
  counted noun: "服务事项71项 … 推动71项事项") is kept once, at its first place.

Examples:
    >>> lines = ["第五部分", "附件", "六、资金使用及绩效情况", "（一）部门整体支出绩效情况",
    ...          "全区共受理3414件事，12365个事项，办结率98%，服务企业10余家，居全市第二名。"]
    >>> for i in find_indicators(lines):
    ...     print(i.name, i.value, i.unit, i.qualifier or "-", i.where)
    全区共受理事 341400 件 - 第五部分 附件 六（一）
    全区共受理事项 1236500 个 - 第五部分 附件 六（一）
    办结率 9800 % - 第五部分 附件 六（一）
    服务企业 1000 家 余 第五部分 附件 六（一）
    居全市 200 名 第 第五部分 附件 六（一）
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from fiscal_analysis.extract.handlers import CLAUSE_SPAN
from fiscal_analysis.extract.headings import PAGE, SUB, TOP, Section, find_sections
from fiscal_analysis.extract.records import Parsed
from fiscal_analysis.extract.text import compact
from fiscal_analysis.extract.units import count_text

__all__ = ["Indicator", "chinese_number", "find_indicators", "indicator_rows"]

_UNITS = (
    "万人次", "万件", "万人", "万户", "万次", "台（套）", "人次", "批次", "小时", "平方米",
    "公里", "%", "个", "件", "项", "名", "人", "家", "次", "类", "户", "套", "台", "辆",
    "所", "场", "篇", "条", "期", "天", "倍", "元", "万元", "亿元",
)  # fmt: skip
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_MONEY = {"元", "万元", "亿元"}
_COUNT = set(_UNITS) - _MONEY - {"%", "小时", "平方米", "公里", "天", "倍"}
_TOKEN = re.compile(
    rf"(?P<di>第)?(?:(?P<num>\d+(?:\.\d+)?)|(?P<cn>[一二三四五六七八九十百千两]+))"
    rf"(?P<q>余|多)?(?P<unit>{_UNIT})?(?P<q2>以上)?"
)
_DIGIT = re.compile(r"\d")
_STOP = set("，。；：、！？,;:")
_LEAD = re.compile(
    r"^(?:[（(]|[一二三四五六七八九十]+是|其中|截至\S*?底|共为|共有|共计|共|设有|设|累计|先后|并|同时|在|\d+月)+"
)
_TAIL = re.compile(r"(?:达到|均达|均为|都是|达|为|是|共计|共有|共|累计|计|约|有)+$")
_SECTIONS = ("performance", "other", "annex")
_SAME_WINDOW = 200


@dataclass(frozen=True)
class Indicator:
    """A stated number: ``value`` in hundredths of ``unit``."""

    name: str
    value: int
    unit: str
    qualifier: str
    line: int
    where: str


def chinese_number(text: str) -> int | None:
    """The value of a small Chinese numeral (一 … 九千九百九十九).

    Examples:
        >>> chinese_number("百"), chinese_number("二十三"), chinese_number("两千零五") is None
        (100, 23, True)
    """
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
    scale = {"十": 10, "百": 100, "千": 1000}
    total, cur = 0, None
    for ch in text:
        if ch in digits:
            if cur is not None:
                return None
            cur = digits[ch]
        elif ch in scale:
            total += (1 if cur is None else cur) * scale[ch]
            cur = None
        else:
            return None
    return total + (cur or 0)


def _stream(lines: list[str], sec: Section) -> tuple[str, list[int]]:
    parts: list[str] = []
    pos: list[int] = []
    for n in range(sec.start, sec.end + 1):
        if PAGE.match(lines[n - 1].strip()):
            continue
        raw = lines[n - 1].strip()
        s = compact(re.sub(r"^\s*(\d+)\s*[.．]\s*(?=\D)", r"\1、", raw))
        if (TOP.match(raw) or SUB.match(raw)) and len(raw) <= 45 and s[-1:] not in _STOP:
            s += "。"  # a heading ends its own sentence
        parts.append(s)
        pos += [n] * len(s)
    return "".join(parts), pos


def _labels(lines: list[str], sec: Section) -> dict[int, str]:
    """Line -> "第五部分 附件 六（二）1": headings, sub-headings and numbered items.

    A "（一）" right after a numbered item opens a list, not a sub-heading.
    """
    if sec.key != "annex":
        return {}
    base = f"{sec.label} 附件"
    top = sub = num = ""
    in_list = False
    out: dict[int, str] = {}
    for n in range(sec.start, sec.end + 1):
        s = lines[n - 1].strip()
        m_top, m_sub = TOP.match(s), SUB.match(s)
        m_num = re.match(r"^(\d+)\s*[.．、]\s*\D", s)
        if m_top and len(s) <= 45:
            top, sub, num, in_list = m_top.group(1), "", "", False
        elif m_sub and not (in_list or (num and m_sub.group(1) == "一")):
            sub, num = f"（{m_sub.group(1)}）", ""
        elif m_sub:
            in_list = True
        elif m_num:
            num, in_list = m_num.group(1), False
        out[n] = f"{base} {top}{sub}{num}".rstrip()
    return out


def _recognised(parsed: Parsed | None) -> dict[tuple[int, Decimal], list[bool]]:
    """Per (line, value), whether each printed occurrence is already a figure."""
    out: dict[tuple[int, Decimal], list[bool]] = defaultdict(list)
    if parsed is not None:
        missed = {id(n) for n in parsed.unrecognised}
        for n in parsed.numbers:
            out[(n.line, n.value)].append(id(n) not in missed)
    return out


@dataclass
class _Hit:
    start: int
    end: int  # end of the right context
    value: Decimal
    unit: str
    qualifier: str
    left: str
    right: str
    line: int
    outer: str = ""


def _clean(s: str) -> str:
    s = _LEAD.sub("", s)
    return _TAIL.sub("", s)


def _plain(s: str) -> str:
    return re.sub(r"[（）()“”\"「」]", "", s)


def _right(text: str, end: int, starts: set[int]) -> int:
    i = end
    while i < len(text) and text[i] not in _STOP and not _DIGIT.match(text[i]) and i not in starts:
        if text[i] == "（":
            close = text.find("）", i, i + CLAUSE_SPAN)
            if close < 0 or _DIGIT.search(text[i:close]):
                break
        i += 1
    return i


def _outer(text: str, start: int) -> str:
    """The label of the figure whose "（…）" encloses ``start``, if any."""
    floor = max(0, start - CLAUSE_SPAN)
    sent = max(floor, text.rfind("。", floor, start) + 1, text.rfind("；", floor, start) + 1)
    seg = text[sent:start]
    open_at = seg.rfind("（")
    if open_at < 0 or "）" in seg[open_at:]:
        return ""
    m = re.search(rf"([^\d，。；：、（]+?)\d+(?:\.\d+)?(?:{_UNIT})$", seg[:open_at])
    return _clean(m.group(1)) if m else ""


def _scan(text: str, pos: list[int], seen: dict[tuple[int, Decimal], list[bool]]) -> list[_Hit]:
    hits: list[_Hit] = []
    prev_end, count = 0, defaultdict(int)
    matches = list(_TOKEN.finditer(text))
    starts = {m.start() for m in matches if m.group("num") or m.group("di") or m.group("q")}
    for m in matches:
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        unit, num = m.group("unit") or "", m.group("num")
        if num is not None:
            key = (pos[m.start("num")], Decimal(num))
            k = count[key]
            count[key] += 1
            known = seen.get(key, [])
            if k < len(known) and known[k]:
                prev_end = max(prev_end, m.end())
                continue
            if re.match(r"[A-Za-z“\"x×]", before or " "):
                continue
            value = Decimal(num)
        else:
            if not (m.group("di") or m.group("q")):
                continue
            cn = chinese_number(m.group("cn"))
            if cn is None:
                continue
            value = Decimal(cn)
        if not unit or unit in _MONEY or re.match(r"[A-Za-z”\"]", after or " "):
            if unit in _MONEY:
                prev_end = max(prev_end, m.end())
            continue
        qualifier = "第" if m.group("di") else (m.group("q") or m.group("q2") or "")
        floor = max(0, m.start() - CLAUSE_SPAN)
        lo = max(prev_end, floor, *(text.rfind(c, floor, m.start()) + 1 for c in _STOP))
        lo = max(lo, text.rfind("（", floor, m.start()) + 1 if _outer(text, m.start()) else lo)
        end = _right(text, m.end(), starts)
        right = text[m.end() : end].lstrip("）)").removeprefix("的")
        if right.count("）") > right.count("（"):
            right = right.rstrip("）)")
        hits.append(
            _Hit(
                m.start(),
                end,
                value,
                unit,
                qualifier,
                text[lo : m.start()],
                right,
                pos[m.start()],
                _outer(text, m.start()),
            )
        )
        prev_end = end
    return hits


def _names(hits: list[_Hit], text: str) -> list[list[str]]:
    out: list[list[str]] = []
    for i, h in enumerate(hits):
        left = _clean(h.left.removeprefix("的"))
        name = left + h.right
        prev = hits[i - 1] if i else None
        same_sentence = prev is not None and not re.search(r"[。；]", text[prev.start : h.start])
        if prev is not None and same_sentence and not h.left.strip() and len(name) < 3:
            name = (_clean(prev.left) + name) if name else f"{out[-1][0]}（{h.unit}）"
        if h.outer:
            name = f"{h.outer}（{name}）"
        parts = [name]
        if re.search(r"(?:均为|均达|都是|均)$", h.left) and re.search(r"[及和]", left):
            parts = [p for p in re.split(r"[及和]", left) if p] or parts
        out.append(parts or [name])
    return out


def _same(a: _Hit, an: str, b: _Hit, bn: str) -> bool:
    if a.value != b.value or a.qualifier != b.qualifier:
        return False
    if a.unit != b.unit and not (a.unit in _COUNT and b.unit in _COUNT):
        return False
    if an == bn:
        return True
    if not (a.right or b.right):
        return False

    def anchor(h: _Hit, name: str) -> str:
        if not h.right:
            return _plain(name)[-4:]
        return _plain(_clean(h.left))[-3:] + _plain(h.right)[:6]

    x, y = anchor(a, an), anchor(b, bn)
    return any(x[i : i + 2] in y for i in range(len(x) - 1))


def find_indicators(
    lines: list[str], parsed: Parsed | None = None, sections: list[Section] | None = None
) -> list[Indicator]:
    """Indicators of the 绩效/其他 sections and the 附件, in document order.

    Args:
        lines: Normalised document lines.
        parsed: The statements already read (:func:`~.statements.parse`); numbers
            it recognised as figures are not indicators.
        sections: The document's sections (found from ``lines`` if omitted).
    """
    seen = _recognised(parsed)
    kept: list[tuple[_Hit, str, Indicator]] = []
    # only hits of one value and qualifier can be the same indicator; of a value stated very
    # often, the latest _SAME_WINDOW are compared (all of them would be quadratic)
    alike: dict[tuple[Decimal, str], list[tuple[_Hit, str]]] = defaultdict(list)
    for sec in sections if sections is not None else find_sections(lines):
        if sec.key not in _SECTIONS:
            continue
        text, pos = _stream(lines, sec)
        labels = _labels(lines, sec)
        hits = _scan(text, pos, seen)
        for h, names in zip(hits, _names(hits, text), strict=True):
            for name in names:
                group = alike[(h.value, h.qualifier)]
                if any(_same(h, name, k, kn) for k, kn in group[-_SAME_WINDOW:]):
                    continue
                where = labels.get(h.line, sec.label)
                ind = Indicator(name, int(h.value * 100), h.unit, h.qualifier, h.line, where)
                kept.append((h, name, ind))
                group.append((h, name))
    used: dict[str, int] = {}
    out = []
    for _, _, ind in kept:
        n = used[ind.name] = used.get(ind.name, 0) + 1
        out.append(ind if n == 1 else replace(ind, name=f"{ind.name}（{n}）"))
    return out


def indicator_rows(
    indicators: list[Indicator], entity_id: str, year: int, doc_id: str
) -> list[dict[str, str]]:
    """``indicators.csv`` rows."""
    return [
        {"entity_id": entity_id, "year": str(year), "indicator": i.name,
         "value": count_text(i.value), "unit": i.unit, "qualifier": i.qualifier,
         "doc_id": doc_id, "section": i.where}
        for i in indicators
    ]  # fmt: skip
