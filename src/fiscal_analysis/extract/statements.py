"""Numeric sentences of the 情况说明 -> recognised figures, rates, changes, reasons.

Each section's lines are joined into one stream (a sentence may wrap
anywhere, even inside a number) with a map from character to source line.
Every number with its unit is read in order; the text just before it (its
label) and the section say which figure it is (:mod:`.rules`). A running
context remembers the last figure, the budget and actual of the current
项 or 三公 line, and the last stated change, so that "占56.9%", "完成年初预算的
167.6%" and "减少49.4%" can be recomputed later.

Examples:
    >>> lines = ["第三部分", "二、收入决算情况说明",
    ...          "本年收入合计335.78万元，其中：财政拨款收入335.78万元，占100.0%。"]
    >>> p = parse(lines)
    >>> [(f.key[2], f.value) for f in p.figures]
    [('income_total', 335780000), ('income_fiscal', 335780000)]
    >>> r = p.rates[0]
    >>> (r.kind, r.pct.text, r.numerator == r.denominator)
    ('share', '100.0%', True)
    >>> [(f.key, f.value) for f in parse(["本年支出合计10万元。"]).figures]  # no heading
    [(('T01', '', 'expense_total'), 10000000), (('T03', '', 'total'), 10000000)]
"""

import re
from decimal import Decimal

from fiscal_analysis.extract.handlers import (
    CLAUSE_SPAN,
    Ctx,
    clause_before,
    handle_amount,
    handle_count,
    handle_pct,
    last_subject,
    stated,
)
from fiscal_analysis.extract.headings import PAGE, Section, find_sections, find_tables
from fiscal_analysis.extract.item_codes import class_extra, name_sets, resolve_item
from fiscal_analysis.extract.pairs import expand_pairs
from fiscal_analysis.extract.records import (
    Change,
    Direction,
    Figure,
    Item,
    Number,
    Parsed,
    Reason,
    to_fen,
)
from fiscal_analysis.extract.rules import Key
from fiscal_analysis.extract.text import compact
from fiscal_analysis.extract.topics import covered_lines, loose_units

__all__ = ["parse"]

_NUM = re.compile(
    r"(?<![\d.])(?<!\d,)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>万元|亿元|元|万(?=[（(，。；、,;）)]|$)|%|个|人次|辆|台（套）|台|名|人|件|项|批次|次|家|户|套)?"
)
_BOUND = set("，。；：,;:、！？")
_ITEM = re.compile(
    r"(?:(\d+)[、.．])?(?P<lei>[^，。；：、\d]+?)（类）(?P<kuan>[^。；]+?)（款）(?P<xiang>[^。；]+?)（项）"
)
_REASON = re.compile(r"主要原因(?:是|为|如下)?[:：]|主要因为[:：]?|原因(?:是|为)[:：]")
_DIR = re.compile(
    r"决算数?(?P<w>大于|小于|高于|低于|超过|少于|多于|等于)(?:年初|全年|调整)?预算数?"
    r"|决算数?[与同和](?:年初|全年|调整)?预算数?(?P<f>(?:基本)?(?:持平|相等|一致))"
)
_FLAT = re.compile(r"持平")
_MONEY = ("万元", "亿元", "元", "万")
_COUNT = {"个", "人次", "辆", "台（套）", "台", "名", "人", "批次", "套"}
_TOPICS = {
    "total": "total_change",
    "fiscal_total": "fiscal_change",
    "gp_total": "general_public_change",
    "gp_detail": "budget_variance",
    "gov_fund": "gov_fund",
    "soe": "soe_capital",
}
_ZERO_RULES: dict[str, tuple[tuple[str, list[tuple[Key, str]]], ...]] = {
    "gov_fund": (
        (
            r"(?:没有|无)政府性基金[^。]*?收入",
            [(("T01", "", "income_gov_fund"), "万元"), (("T08", "", "income"), "万元")],
        ),
        (r"(?:没有|无)(?:使用)?政府性基金[^。]*?支出", [(("T08", "", "expense"), "万元")]),
    ),
    "soe": (
        (
            r"(?:没有|无)国有资本经营[^。]*?收入",
            [(("T01", "", "income_soe_capital"), "万元"), (("T09", "", "income"), "万元")],
        ),
        (r"(?:没有|无)(?:使用)?国有资本经营[^。]*?支出", [(("T09", "", "expense"), "万元")]),
    ),
    "three_public": (
        (r"未购置公务用车", [(("three_public_counts", "", "vehicles_purchased"), "辆")]),
        (r"无“?三公”?经费财政拨款支出", [(("T07", "", "total_actual"), "万元")]),
    ),
    "annex": ((r"无退休人员", [(("staffing", "", "retirees"), "人")]),),
}


_HALF = str.maketrans({"(": "（", ")": "）", ":": "：", ";": "；"})


def prepare(raw: str) -> str:
    """A line as the statement reader sees it: compact, full-width brackets, "1、" numbering."""
    s = compact(re.sub(r"^\s*(\d+)\s*[.．]\s*(?=\D)", r"\1、", raw)).translate(_HALF)
    return s.replace("收、支", "收支").replace("收入、支出", "收入支出")


def _stream(lines: list[str], start: int, end: int) -> tuple[str, list[int]]:
    parts, where = [], []
    for n in range(start, end + 1):
        raw = lines[n - 1]
        if PAGE.match(raw.strip()):
            continue
        s = prepare(raw)
        parts.append(s)
        where += [n] * len(s)
    return expand_pairs("".join(parts), where)


def _label(text: str, start: int, floor: int) -> str:
    i = start
    while i > floor and text[i - 1] not in _BOUND:
        i -= 1
    return text[i:start]


def _walk(
    p: Parsed,
    sec: Section,
    text: str,
    pos: list[int],
    names: dict[str, str],
    known: dict[Key, int],
) -> None:
    if not text:
        return
    ctx = Ctx(sec.key, sec.label)
    ctx.extra = class_extra(names)
    events: list[tuple[int, str, re.Match]] = []
    if sec.key == "gp_detail":
        events += [(m.start(), "item", m) for m in _ITEM.finditer(text)]
    events += [(m.start(), "num", m) for m in _NUM.finditer(text)]
    events += [(m.start(), "reason", m) for m in _REASON.finditer(text)]
    events += [(m.start(), "dir", m) for m in _DIR.finditer(text)]
    for pattern, keys in _ZERO_RULES.get(sec.key, ()):
        for m in re.finditer(pattern, text):
            for key, unit in keys:
                p.figures.append(
                    Figure(
                        key, 0, unit, pos[m.start()], sec.label, m.group(0), "文字说明为无，按0计"
                    )
                )
    floor = 0
    for offset, kind, m in sorted(events, key=lambda e: (e[0], e[1] != "item")):
        if kind == "item":
            code, how = resolve_item(m, names, known, text)
            ctx.code, ctx.actual, ctx.budget, ctx.initial = code or "?", None, None, None
            ctx.item_where = f"{sec.label}{m.group(1)}"
            p.items.append(
                Item(
                    m.group(1),
                    (m.group("lei"), m.group("kuan"), m.group("xiang")),
                    code,
                    how,
                    pos[offset],
                    ctx.item_where,
                )
            )
            floor = m.end()
        elif kind == "reason":
            _reason(p, ctx, text, pos, m)
        elif kind == "dir":
            flat = m.group("f")
            word = ("等于" if flat in ("相等", "一致") else "持平") if flat else m.group("w")
            subj = ("T05", ctx.code, "total") if sec.key == "gp_detail" else ctx.last
            subj = None if subj and subj[1] == "?" else subj
            if sec.key == "three_public":
                s3 = last_subject(clause_before(text, offset))
                subj = ("T07", "", f"{s3}_actual") if s3 else None
                ctx.actual = stated(p, subj)
                ctx.budget = stated(p, ("T07", "", f"{s3}_budget")) if s3 else None
            p.directions.append(
                Direction(
                    subj, word, ctx.actual, ctx.budget, pos[offset], ctx.item_where or sec.label
                )
            )
            ctx.reason_budget = True
        elif kind == "num" and offset >= floor and _number(p, ctx, text, pos, m, floor, names):
            floor = m.end()
    flat_lines = {d.line for d in p.directions if d.word == "持平"}
    first_key: list[Key | None] = []  # the section's first figure, looked up once
    for m in _FLAT.finditer(text):
        if pos[m.start()] in flat_lines:
            continue
        before = text[max(0, m.start() - 30) : m.start()]
        if not re.search(r"(?:上年|上一年度|\d{4}年度?)(?:相比)?$|决算数?$|总计$", before):
            continue
        subj = ctx.last
        if sec.key == "three_public":
            s = last_subject(clause_before(text, m.start()))
            subj = ("T07", "", f"{s}_actual") if s else None
        elif sec.key in ("total", "fiscal_total", "gp_total", "ops_cost"):
            if not first_key:
                first_key.append(
                    next((f.key for f in p.figures if f.where.startswith(sec.label)), None)
                )
            subj = first_key[0] or subj
        p.changes.append(
            Change(subj, stated(p, subj), 0, "持平", "prior", pos[m.start()], sec.label, "持平")
        )


_UNITLESS = re.compile(r"(?:决算|预算|支出|收入|合计|总计)(?:数)?(?:为|是)?$")
_AGAINST = re.compile(
    r"(?P<b>预算(?:数)?相比|[比较][^，。；]{0,4}预算|与[^，。；]{0,10}预算(?:数)?相比)"
    r"|(?P<p>上年|上一年度|\d{4}年度?相比|[比较]\d{4})"
)


def _against(text: str, start: int) -> str:
    """``budget`` or ``prior``: what the last comparison phrase before ``start`` compares with."""
    clause = text[max(0, start - 40) : start]
    cut = max(clause.rfind("。"), clause.rfind("；"))
    last = None
    for m in _AGAINST.finditer(clause[cut + 1 :]):
        last = m
    return "budget" if last is not None and last.group("b") else "prior"


def _number(
    p: Parsed,
    ctx: Ctx,
    text: str,
    pos: list[int],
    m: re.Match,
    floor: int,
    names: dict | None = None,
) -> bool:
    """Read one number; ``False`` when it is not a figure (a year, a list number …)."""
    start, end, unit = m.start(), m.end(), m.group("unit") or ""
    after = text[end : end + 6]
    if text[start - 1 : start] == "第" or (
        not unit and after[:1] in ("年", "月", "日", "号", "季")
    ):
        return False
    if not unit and after[:1] in ("、", ".", "．", "）", ")"):
        return False
    if unit in _MONEY and re.match(r"(?:（含）)?以[上下]", after):
        return False
    between = text[floor:start]
    if "。" in between:
        ctx.foreign = False
    label_now = _label(text, start, floor)
    if re.search(r"外宾|外事", label_now):
        ctx.foreign = True
    elif re.search(r"[）；，。]", between):
        ctx.foreign = False
    raw = m.group("num")
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    label = _label(text, start, floor).removeprefix("其中")
    num = Number(
        raw + unit,
        Decimal(raw.replace(",", "")),
        decimals,
        unit,
        label,
        pos[start],
        ctx.section,
        ctx.where,
    )
    p.numbers.append(num)
    ctx.against = _against(text, start)
    if not unit and _UNITLESS.search(label) and after[:1] in ("。", "，", "；", ""):
        p.unitless.append(num)
        handle_amount(p, ctx, num, to_fen(num.value, "万元"), "原文未写单位，按万元推测", start)
        return True
    if unit in _MONEY:
        value = to_fen(num.value, "万元" if unit == "万" else unit)
        handle_amount(p, ctx, num, value, "", start)
    elif unit == "%":
        handle_pct(p, ctx, num, start)
    elif unit in _COUNT:
        handle_count(p, ctx, num, int(num.value * 100))
    else:
        p.unrecognised.append(num)
    return True


def _reason(p: Parsed, ctx: Ctx, text: str, pos: list[int], m: re.Match) -> None:
    stop = min(len(text), m.end() + CLAUSE_SPAN)  # a reason is one sentence, read this far at most
    end = text.find("。", m.end(), stop)
    body = text[m.end() : end + 1 if end >= 0 else stop]
    cut = re.search(r"；(?=比上年|与上年|比年初|较上年|\d)", body)
    if cut:
        body = body[: cut.start()]
    body = body.rstrip("；，,;") if not body.endswith("。") else body
    if not body:
        return
    if not body.endswith("。"):
        body += "。"
    topic = _TOPICS.get(ctx.section)
    code = ctx.code if ctx.section == "gp_detail" and ctx.code != "?" else ""
    if ctx.section == "gp_detail" and ctx.code == "?":
        return
    before = text[max(0, m.start() - 60) : m.start()]
    if ctx.section == "three_public":
        topic = "three_public_budget" if re.search(r"预算", before[-25:]) else "three_public_change"
    elif ctx.section == "ops_cost":
        lc = ctx.last_change
        topic = "ops_cost_budget" if lc and lc.against == "budget" else "ops_cost_change"
    if topic is None or any(r.topic == topic and r.code == code for r in p.reasons):
        return
    p.reasons.append(Reason(topic, code, body, pos[m.start()], ctx.item_where or ctx.where))


def parse(
    lines: list[str], names: dict[str, str] | None = None, known: dict[Key, int] | None = None
) -> Parsed:
    """Read every numeric statement of the 情况说明 (and 附件) in ``lines``.

    Args:
        lines: Normalised document lines (:func:`~fiscal_analysis.extract.text.read_lines`).
        names: Extra code names (from the document's tables) for matching 项 entries.
        known: Figures from the tables, used to find a 项 whose printed name is wrong.
    """
    blocks = find_tables(lines)
    p = Parsed(find_sections(lines, blocks))
    allnames = name_sets(names)
    for sec in p.sections:
        if sec.key not in ("glossary", "other", "performance"):
            text, pos = _stream(lines, sec.start, sec.end)
            _walk(p, sec, text, pos, allnames, known or {})
    for unit in loose_units(lines, covered_lines(lines, p.sections, blocks), prepare):
        sec = Section(unit.key, "", unit.label, unit.pos[0], unit.pos[0], unit.pos[-1])
        p.sections.append(sec)
        text, pos = expand_pairs(unit.text, list(unit.pos))
        _walk(p, sec, text, pos, allnames, known or {})
    return p
