"""Words of the 情况说明 against its figures: direction words, 项 names, outdated 科目 names.

- Direction words (N-5/N-7/N-9 …): "决算数大于/小于/等于/持平 预算数" must match the
  sign of 决算 − 预算 (等于 exactly, 持平/基本持平 within 1%).
- 项 entries of 五（三） (N-7): the 类/款/项 names must be those of a 05表 code; an entry
  found only by its amount has a wrong name.
- F-NAME 科目名称已过时: a 科目 name from an earlier edition of the classification
  (医疗卫生与计划生育支出, 其他国土资源事务支出 …) is named with today's name.
- N-7 用途与科目不符: a 项 whose "主要用于" names another kind of spending
  (住房公积金（项）"主要用于：医疗保险支出").
- F-UNITNAME 单位名称前后不一: the unit's name printed with another conjunction
  (规划和自然资源局 / 规划与自然资源局).

Examples:
    >>> outdated("医疗卫生与计划生育支出（类）")
    ('医疗卫生与计划生育支出', '卫生健康支出')
    >>> outdated("卫生健康支出") is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fiscal_analysis.checks.text_form import wan_text as _w
from fiscal_analysis.extract.records import Parsed

__all__ = [
    "OUTDATED",
    "name_findings",
    "outdated",
    "purpose_findings",
    "unit_name_findings",
    "word_findings",
]

#: Old 科目 names (earlier editions of the 政府收支分类科目) -> the current name.
OUTDATED: dict[str, str] = {
    "医疗卫生与计划生育支出": "卫生健康支出",
    "医疗卫生与计划生育管理事务": "卫生健康管理事务",
    "文化体育与传媒支出": "文化旅游体育与传媒支出",
    "其他国土资源事务支出": "其他自然资源事务支出",
    "国土资源事务": "自然资源事务",
    "国土海洋气象等支出": "自然资源海洋气象等支出",
    "城乡社区事务": "城乡社区支出",
    "商业服务业等事务": "商业服务业等支出",
    "粮油物资储备管理事务": "粮油物资储备支出",
}
_SAME = {"大于": "大于", "高于": "大于", "超过": "大于", "多于": "大于",
         "小于": "小于", "低于": "小于", "少于": "小于"}  # fmt: skip
_EQUAL = ("等于", "相等", "一致")

#: rule, status, severity, message, figures, line, why-review ("" when read with evidence)
WordFinding = tuple[str, str, str, str, dict[str, str], int, str]


def outdated(text: str) -> tuple[str, str] | None:
    """The first outdated 科目 name in ``text`` and its current name, or ``None``."""
    for old, new in OUTDATED.items():
        if old != new and old in text:
            return old, new
    return None


def word_findings(
    parsed: Parsed, lookup: Callable, rule_of: Callable | None = None
) -> list[WordFinding]:
    """Direction words, 项 names and outdated names of the parsed 情况说明."""
    out: list[WordFinding] = []
    for d in parsed.directions:
        if d.actual is None or d.budget is None:
            continue
        diff = d.actual - d.budget
        truth = "大于" if diff > 0 else "小于" if diff < 0 else "持平"
        word = _SAME.get(d.word, d.word)
        if word in _EQUAL:
            ok = diff == 0
        elif "持平" in word:
            ok = abs(diff) * 100 <= abs(d.budget)
        else:
            ok = word == truth
        figs = {"说明": d.word, "决算": _w(d.actual), "预算": _w(d.budget)}
        rule = (rule_of or (lambda w: "N-7"))(d.where)
        if ok:
            out.append((rule, "pass", "info", f"方向词「{d.word}」与数字一致", figs, d.line, ""))
        else:
            right = "等于" if truth == "持平" and word in _EQUAL else truth
            msg = f"决算{_w(d.actual)}、预算{_w(d.budget)}，应写「{right}」，说明却写「{d.word}」。"
            out.append((rule, "fail", "error", msg, figs, d.line, ""))
    for it in parsed.items:
        name = f"{it.names[0]}（类）{it.names[1]}（款）{it.names[2]}（项）"
        figs = {"说明": name, "编码": it.code or "—"}
        old = outdated(name)
        if old:
            msg = f"第{it.number or '?'}项科目名称「{old[0]}」已过时，应为「{old[1]}」。"
            out.append(("F-NAME", "fail", "error", msg, figs | {"应为": old[1]}, it.line, ""))
            continue
        if it.how == "amount":
            ref = lookup(("T05", it.code, "total"))
            why = (
                ""
                if ref is None or ref.evidence not in ("guess", "ambiguous")
                else "表中金额读数不确定"
            )
            msg = (
                f"第{it.number or '?'}项名称「{name}」与05表科目{it.code}的名称不符（按金额对应），"
            )
            msg += "请按科目名称更正。"
            out.append(("N-7", "fail", "error", msg, figs, it.line, why))
        elif it.how == "none":
            msg = f"第{it.number or '?'}项「{name}」在05表中找不到对应的项级科目。"
            out.append(("N-7", "fail", "warning", msg, figs, it.line, ""))
    return out


def name_findings(lines: list[str], skip: set[int]) -> list[WordFinding]:
    """F-NAME for each line with an outdated 科目 name (``skip``: 项 entries already named)."""
    out: list[WordFinding] = []
    near = {n + d for n in skip for d in (-1, 0, 1, 2)}  # a flagged 项 entry may wrap
    for n, line in enumerate(lines, start=1):
        if n in near or "名词解释" in line:
            continue
        old = outdated(line.replace(" ", ""))
        if old:
            msg = f"科目名称「{old[0]}」已过时，应为「{old[1]}」。"
            out.append(("F-NAME", "fail", "error", msg, {"说明": old[0], "应为": old[1]}, n, ""))
    return out


#: Kinds of personnel spending whose 项 must not be described as another kind.
_KINDS = ("公积金", "医疗", "养老", "年金", "购房", "离退休")


def purpose_findings(parsed: Parsed, text: str, pos: list[int]) -> list[WordFinding]:
    """N-7 for a 项 whose stated use ("主要用于：…") is another kind of spending."""
    out: list[WordFinding] = []
    for it in parsed.items:
        own = [k for k in _KINDS if k in it.names[2]]
        if not own:
            continue
        for m in re.finditer(
            re.escape(it.names[2]) + r"（项）[。.]?主要用于[:：]?([^。；]*)", text
        ):
            use = m.group(1)
            other = [k for k in _KINDS if k in use and k not in it.names[2]]
            if other and not any(k in use for k in own):
                msg = (
                    f"第{it.number or '?'}项「{it.names[2]}」的用途写作「{use}」，"
                    f"与科目不符（{it.names[2]}不是{other[0]}支出），请更正用途说明。"
                )
                figs = {"科目": it.names[2], "用途": use}
                out.append(("N-7", "fail", "error", msg, figs, pos[m.start()], ""))
            break
    return out


_CONJ = re.compile(r"[和与及]")


def unit_name_findings(name: str, text: str, pos: list[int]) -> list[WordFinding]:
    """F-UNITNAME when the unit's name appears with another conjunction (和/与/及)."""
    if not _CONJ.search(name) or len(name) < 4:
        return []
    pattern = re.escape(name)
    variant = re.compile(_CONJ.sub("[和与及]", pattern.replace("\\", "")))
    for m in variant.finditer(text):
        if m.group(0) != name:
            msg = f"单位名称前后不一：标题为「{name}」，此处写作「{m.group(0)}」，请统一。"
            figs = {"标题": name, "此处": m.group(0)}
            return [("F-UNITNAME", "fail", "error", msg, figs, pos[m.start()], "")]
    return []
