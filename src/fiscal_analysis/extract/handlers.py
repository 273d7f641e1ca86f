"""What each number of a 情况说明 section is: amounts, counts and percentages.

A running context (:class:`Ctx`) remembers the last figure, the budget and
actual of the current 项 or 三公 line and the last stated change, so that a
percentage can be tied to the amounts it should follow from.

Examples:
    >>> last_subject("“三公”经费支出0万元，其中：因公出国（境）费支出决算为0万元，与上年")
    'abroad'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fiscal_analysis.extract.records import Change, Figure, Number, Parsed, Project, Rate
from fiscal_analysis.extract.rules import (
    CHANGE_WORDS,
    DEFAULT_DENOMINATOR,
    Key,
    keys_for,
    three_public_subject,
)
from fiscal_analysis.extract.rules import SUBJECTS as _SUBJECT_PATTERNS

__all__ = [
    "Ctx",
    "class_tail",
    "clause_before",
    "handle_amount",
    "handle_count",
    "handle_pct",
    "last_subject",
    "stated",
]


def class_tail(word: str) -> str:
    for w in CHANGE_WORDS:
        if word.endswith(w) or word.endswith(w + "了"):
            return w
    return ""


#: How far back (characters) a clause is read: text without 。 or ； is not read back to its start,
#: which would make a long unpunctuated text quadratic to read.
CLAUSE_SPAN = 400


def clause_before(text: str, end: int) -> str:
    """The text before ``end``, at most :data:`CLAUSE_SPAN` characters of it."""
    return text[max(0, end - CLAUSE_SPAN) : end]


def last_subject(before: str) -> str | None:
    """The 三公 line named last in the clause that ends at the end of ``before``.

    Examples:
        >>> last_subject("“三公”经费支出0万元，其中：因公出国（境）费支出决算为0万元，与上年")
        'abroad'
    """
    start = max(before.rfind("；"), before.rfind("。")) + 1
    seg, best, at = before[start:], None, -1
    for pattern, subject in _SUBJECT_PATTERNS:
        for m in re.finditer(pattern, seg):
            if m.start() > at:
                best, at = subject, m.start()
    return best


@dataclass
class Ctx:
    section: str
    where: str
    last: Key | None = None
    actual: int | None = None
    budget: int | None = None
    initial: int | None = None
    code: str = ""
    subject: str | None = None
    foreign: bool = False
    change: Change | None = None
    last_change: Change | None = None
    item_where: str = ""
    reason_budget: bool = False
    #: What the last comparison phrase compares with: ``prior`` or ``budget``.
    against: str = "prior"
    #: 类 names the document's tables print -> code.
    extra: dict[str, str] | None = None


def _figure(
    p: Parsed, ctx: Ctx, keys: list[Key], value: int, unit: str, num: Number, note: str = ""
) -> None:
    evidence = "guess" if note.startswith("原文未写单位") else "sentence"
    for key in keys:
        p.figures.append(
            Figure(
                key, value, unit, num.line, ctx.item_where or ctx.where, num.text, note, evidence
            )
        )
    if keys:
        ctx.last = keys[0]


def stated(p: Parsed, key: Key | None) -> int | None:
    """The value last stated for ``key`` (an index kept up to date: linear in the text)."""
    if key is None:
        return None
    for f in p.figures[p.indexed :]:
        p.latest[f.key] = f.value
    p.indexed = len(p.figures)
    return p.latest.get(key)


_NAMED_CHANGE = ("total", "fiscal_total", "income", "expense", "gp_total", "gov_fund", "soe")


def handle_amount(p: Parsed, ctx: Ctx, num: Number, value: int, note: str, offset: int) -> None:
    label, sec = num.label, ctx.section
    word = class_tail(label)
    if word and word != "持平":
        subject = ctx.last
        if sec == "three_public":
            subj = three_public_subject(label) or ctx.subject
            subject = ("T07", "", f"{subj}_actual") if subj else None
        elif sec in _NAMED_CHANGE:
            named = keys_for(sec, label.removesuffix(word))
            subject = named[0] if named else subject
        sign = 1 if word in ("增加", "增长", "上升") else -1
        against = ctx.against
        if re.search(r"(?:年初|全年|调整)预算|[比较]预算", label):
            against = "budget"
        ch = Change(
            subject, stated(p, subject), sign * value, word, against, num.line, ctx.where, num.text
        )
        p.changes.append(ch)
        ctx.change = ctx.last_change = ch
        return
    if sec == "annex":
        m = re.match(r"^(?:\d+、)?(?P<name>.{2,}?项目)支出$", label)
        if m and not m.group("name").startswith("项目"):
            p.projects.append(Project(m.group("name"), value, num.line, ctx.where))
            return
    if sec == "gp_detail":
        if ctx.code == "?":  # a 项 entry whose code could not be found
            p.unrecognised.append(num)
            return
        if "年初预算" in label:
            item = "budget_initial"
        elif re.search("全年预算|调整预算", label):
            item = "budget_adjusted"
        elif "决算" in label or "支出" in label:
            item = "total"
        else:
            p.unrecognised.append(num)
            return
        if item == "total":
            ctx.actual = value
        else:
            ctx.budget = value
            if item == "budget_initial":
                ctx.initial = value
        _figure(p, ctx, [("T05", ctx.code, item)], value, "万元", num, note)
        return
    if sec == "three_public":
        subj = three_public_subject(label) or ctx.subject
        if subj is None or "外宾" in label:
            p.unrecognised.append(num)
            return
        measure = "budget" if "预算" in label and "决算" not in label else "actual"
        if subj != ctx.subject:
            ctx.actual = ctx.budget = None
        ctx.subject = subj
        if measure == "actual":
            ctx.actual = value
        else:
            ctx.budget = value
        _figure(p, ctx, [("T07", "", f"{subj}_{measure}")], value, "万元", num, note)
        return
    keys = [k for k in keys_for(sec, label, ctx.extra) if k[0] not in ("staffing",)]
    if not keys:
        p.unrecognised.append(num)
        return
    if "预算" in label:
        ctx.budget = value
    else:
        ctx.actual = value
    _figure(p, ctx, keys, value, "万元", num, note)


def handle_count(p: Parsed, ctx: Ctx, num: Number, value: int) -> None:
    label, unit, sec = num.label, num.unit, ctx.section
    ctx.foreign |= "外宾" in label or "外事" in label
    key: Key | None = None
    if sec == "three_public":
        subj = three_public_subject(label) or ctx.subject
        if unit == "辆":
            key = (
                "three_public_counts",
                "",
                "vehicles_held"
                if re.search(r"保有|共有|现有|实有|在用", label)
                else "vehicles_purchased",
            )
        elif subj in ("abroad", "reception"):
            kind = "groups" if unit in ("个", "批次") else "persons"
            if subj == "abroad":
                key = ("three_public_counts", "", f"abroad_{kind}")
            else:
                batch = "batches" if kind == "groups" else "persons"
                key = (
                    "three_public_counts",
                    "",
                    f"reception_{'foreign_' if ctx.foreign else ''}{batch}",
                )
    elif sec in ("assets", "annex"):
        keys = keys_for(sec, label)
        key = keys[0] if keys and keys[0][0] in ("assets", "staffing") else None
    if key is None:
        p.unrecognised.append(num)
        return
    unit_of = {"staffing": "人", "assets": "台（套）"}.get(key[0], unit)
    if key[2] == "vehicles" or unit == "辆":
        unit_of = "辆"
    elif key[0] == "three_public_counts":
        unit_of = "人次" if key[2].endswith("persons") else "个"
    _figure(p, ctx, [key], value, unit_of, num)


def handle_pct(p: Parsed, ctx: Ctx, num: Number, offset: int) -> None:
    label = num.label
    if "占" in label:
        m = re.search(r"占(.+?)的?$", label)
        den_key = None
        if m:
            found = keys_for(ctx.section, m.group(1)) or keys_for("expense", m.group(1))
            den_key = found[0] if found else None
        den_key = den_key or DEFAULT_DENOMINATOR.get(ctx.section)
        if ctx.section == "gp_total" and den_key and den_key[2] == "expense_total":
            den_key = ("T01", "", "expense_total")
        num_key = ctx.last
        rate = Rate(
            "share", num, stated(p, num_key), stated(p, den_key), den_key, num_key, ctx.where
        )
    elif re.search(r"完成(?:年初|全年|调整)?预算(?:数)?的?$", label):
        subject = ("T05", ctx.code, "total") if ctx.section == "gp_detail" else ctx.last
        budget = ctx.initial if "年初" in label and ctx.initial is not None else ctx.budget
        where = ctx.item_where or ctx.where
        rate = Rate("completion", num, ctx.actual, budget, None, subject, where)
    elif (
        class_tail(label.replace("（增长）", "").replace("（下降）", "")) and ctx.change is not None
    ):
        ch = ctx.change
        base = None if ch.current is None else ch.current - ch.delta
        rate = Rate("change", num, abs(ch.delta), base, None, ch.subject, ctx.where, ch.current)
        ctx.change = None
    else:
        p.unrecognised.append(num)
        return
    p.rates.append(rate)
