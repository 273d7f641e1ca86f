"""Two-sided tables (01, 04) and the totals and rows of 06 from flattened text.

A row of 01表 reads "一、一般公共预算财政拨款收入  2,940.05  一、一般公共服务支出
2,106.66": a label, its number, a label, its numbers. When a label cell wraps,
its numbers land on a line of their own, before or after the labels; such a
line is attached to the label that is still waiting for numbers.

Examples:
    >>> lines = ["收入支出决算总表",
    ...          "一、一般公共预算财政拨款收入  10.00  一、一般公共服务支出  9.00",
    ...          "本年收入合计  10.00  本年支出合计  9.00", "年初结转和结余  年末结转和结余  1.00",
    ...          "总计  10.00  总计  10.00"]
    >>> res = TableResultLike("T01")
    >>> parse_summary(Block("T01", lines[0], 1, 2, 5), lines, res)
    >>> sorted((c, i, v // 10000) for c, i, v, _ in res.facts)[:3]
    [('', 'carryover_begin', 0), ('', 'carryover_end', 100), ('', 'expense_grand_total', 1000)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from fiscal_analysis.extract.cells import amount, read_code, tokenize
from fiscal_analysis.extract.headings import PAGE, Block
from fiscal_analysis.schema.classification import Classification

__all__ = ["TableResultLike", "parse_summary"]

_ORDINAL = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_LEFT: tuple[tuple[str, str, str], ...] = (  # pattern, T01 item, T04 item
    (r"^一般公共预算财政拨", "income_general_public", "income_general_public"),
    (r"^政府性基金预算财政", "income_gov_fund", "income_gov_fund"),
    (r"^国有资本经营预算财政", "income_soe_capital", "income_soe_capital"),
    (r"^上级补助收入", "income_superior_subsidy", ""),
    (r"^事业收入", "income_business", ""),
    (r"^经营收入", "income_operating", ""),
    (r"^附属单位上缴收入", "income_affiliated", ""),
    (r"^其他收入", "income_other", ""),
    (r"^本年收入合计", "income_total", "income_total"),
    (r"^使用非财政拨款结余", "nonfiscal_balance_used", ""),
    (r"^年初(?:财政拨款)?结转和结余", "carryover_begin", "carryover_begin"),
)
_RIGHT: tuple[tuple[str, str, str], ...] = (
    (r"^本年支出合计", "expense_total", "total"),
    (r"^结余分配", "balance_distribution", ""),
    (r"^年末(?:财政拨款)?结转和结余", "carryover_end", "carryover_end"),
)
_T04_SPLIT = {
    "total": ("total", "general_public", "gov_fund", "soe_capital"),
    "carryover_end": (
        "carryover_end",
        "carryover_end_general_public",
        "carryover_end_gov_fund",
        "carryover_end_soe_capital",
    ),
}
_T06 = (("人员经费合计", "personnel_total"), ("公用经费合计", "public_total"))


@dataclass
class TableResultLike:
    """Minimal stand-in with the fields :func:`parse_summary` fills."""

    table: str
    facts: list = field(default_factory=list)
    names: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    unit: str = "万元"


@cache
def _classes() -> tuple[tuple[str, str], ...]:
    func = Classification.builtin().function
    return tuple((c, n) for c, n in func.items() if len(c) == 3)


def _class_code(label: str) -> str | None:
    if "财政拨" in label or len(label) < 4:
        return None
    for code, name in _classes():
        if label == name or (name.startswith(label) and len(label) >= 5):
            return code
    return None


@dataclass
class _Seg:
    side: str
    item: str
    code: str = ""
    nums: list[int] = field(default_factory=list)
    cap: int = 1
    line: int = 0
    #: numbers taken from a line of their own (a wrapped label), not beside the label
    apart: bool = False


def _classify(table: str, label: str, seen_total: bool, after_begin: bool) -> _Seg | None:
    s = _ORDINAL.sub("", label)
    if table == "T06":
        return next((_Seg("l", item) for word, item in _T06 if s.startswith(word)), None)
    col = 1 if table == "T01" else 2
    if s.startswith("总计"):
        return _Seg(
            "r" if seen_total else "l",
            "expense_grand_total" if seen_total else "income_grand_total",
        )
    for pattern, *items in _RIGHT:
        if re.search(pattern, s) and items[col - 1]:
            return _Seg("r", items[col - 1], cap=1 if table == "T01" else 4)
    code = _class_code(s) if _ORDINAL.match(label) or s.endswith("支出") else None
    if code:
        return _Seg(
            "r", "expense" if table == "T01" else "total", code, cap=1 if table == "T01" else 4
        )
    for pattern, *items in _LEFT:
        item = items[col - 1]
        numbered = bool(_ORDINAL.match(label)) or not item.startswith("income_")
        if re.search(pattern, s) and item and (numbered or item == "income_total"):
            if (
                after_begin
                and table == "T04"
                and item.startswith("income_")
                and item != "income_total"
            ):
                item = "carryover_begin_" + item.removeprefix("income_")
            return _Seg("l", item)
    return None


def _economic_rows(toks, n: int, res) -> None:
    unit = getattr(res, "unit", "万元")
    """Panels "30101 基本工资 537.64" (code, name, amount) of 06表."""
    i = 0
    while i < len(toks):
        code = read_code(toks[i:])
        if not code or not code[0].startswith("3") or len(code[0]) not in (3, 5):
            i += 1
            continue
        c, used = code
        j = i + used
        name = ""
        while j < len(toks) and toks[j].kind == "text":
            name += toks[j].text
            j += 1
        cell = toks[j] if j < len(toks) else None
        value = amount(cell, unit) if cell and (cell.kind == "dash" or "." in cell.text) else None
        if name and value is not None:
            res.facts.append((c, "amount", value, n))
            res.names.setdefault(c, name)
            j += 1
        i = max(j, i + 1)


def _check_economic(res, coded: bool = False) -> None:
    """Keep 06表 rows only if they are complete: 类 = Σ款, no duplicates.

    ``coded``: the block prints 经济分类 codes; when none of its rows could be read,
    the table is ``unreadable`` (in the document, not read), not a table of totals.
    """
    rows = [(c, v) for c, i, v, _ in res.facts if i == "amount"]
    if coded and not rows:
        res.status = "unreadable"
        res.notes.append("06表明细行排版错乱（科目编码与金额不在同一行），未能读出经济分类明细")
        return
    codes = [c for c, _ in rows]
    values = dict(rows)
    ok = bool(rows) and len(codes) == len(set(codes))
    for c, v in rows:
        if len(c) == 3:
            kids = [w for k, w in rows if len(k) == 5 and k.startswith(c)]
            step = 1 if getattr(res, "unit", "万元") == "元" else 10000
            ok &= (bool(kids) and abs(sum(kids) - v) <= len(kids) * step) or (not kids and v == 0)
        elif c[:3] not in values:
            ok = False
    if rows and not ok:
        res.facts[:] = [f for f in res.facts if f[1] != "amount"]
        # the table is published; the tool could not read its rows (not the same as unpublished)
        res.status = "unreadable"
        res.notes.append(
            "06表明细行排版错乱（类≠Σ款或科目重复），未能读出经济分类明细，"
            "只保留人员经费合计与公用经费合计"
        )


def parse_summary(block: Block, lines: list[str], res) -> None:
    """Read 01/04 (two-sided) or 06 (totals and rows) into ``res.facts``."""
    table = block.table
    head = " ".join(lines[block.start - 1 : min(block.end, block.start + 6)])
    # central layouts number their rows (行次 / 栏次): those small integers are not amounts
    numbered = "行次" in head or "栏次" in head
    segs: list[_Seg] = []
    pending: list[int] = []
    last: _Seg | None = None
    seen_total = after_begin = False
    for n in range(block.start, block.end + 1):
        toks = tokenize(lines[n - 1])
        if not toks or PAGE.match(lines[n - 1].strip()):
            continue
        if table == "T06":
            _economic_rows(toks, n, res)
        line_segs: list[_Seg] = []
        loose: list[int] = []
        for t in toks:
            if t.kind == "text":
                seg = _classify(table, t.text, seen_total, after_begin)
                if seg is None:
                    last = None
                    continue
                seen_total |= t.text.startswith("总计")
                after_begin |= seg.item == "carryover_begin"
                seg.line = n
                line_segs.append(seg)
                last = seg
            else:
                v = amount(t, getattr(res, "unit", "万元"))
                if v is None or (table == "T06" and "." not in t.text):
                    continue
                if numbered and t.text.isdigit() and int(t.text) < 200:
                    continue
                if last is not None and len(last.nums) < last.cap:
                    last.nums.append(v)
                elif not line_segs:
                    loose.append(v)
        if loose and not line_segs:
            prev = segs[-1] if segs else None
            if prev is not None and last is prev and len(prev.nums) < prev.cap:
                prev.nums += loose[: prev.cap - len(prev.nums)]
                prev.apart = True
            else:
                pending = loose
            continue
        if pending and line_segs and not any(s.nums for s in line_segs):
            for k, seg in enumerate(line_segs):
                take = len(pending) if k == len(line_segs) - 1 else 1
                seg.nums, pending = pending[:take], pending[take:]
                seg.apart = True
        pending = []
        segs += line_segs
        if table == "T06":
            last = None if not line_segs else last
    if table == "T06":
        block_lines = lines[block.start - 1 : block.end]
        coded = re.compile(r"(?:^|\s)3\d\d(?:\d\d)?(?:\s|$)")  # a code cell, not 300.00
        _check_economic(res, any(coded.search(x) for x in block_lines))
    for seg in segs:
        if not seg.nums and seg.item in ("expense", "total") and seg.code:
            continue
        values = seg.nums or [0]
        items = _T04_SPLIT.get(seg.item, (seg.item,)) if table == "T04" else (seg.item,)
        if table == "T04" and seg.item == "total" and seg.nums and len(seg.nums) < 4:
            items = items[: len(seg.nums)]
        for item, v in zip(items, values, strict=False):
            res.facts.append((seg.code, item, v, seg.line))
            if seg.apart and hasattr(res, "evidence"):
                res.evidence[(seg.code, item)] = "apart"
