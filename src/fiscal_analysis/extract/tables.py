"""Rebuild 公开01–09表 from flattened text.

Flattened rows lose their column positions: a 05表 row ``201 06 07 信息化建设
135.25 135.25`` says 合计 = 135.25 and one of 基本/项目支出 = 135.25, but not
which. Columns are therefore assigned top-down through the code hierarchy:
each row's numbers take the columns that make its children add up to it (and
the 合计 row's take the columns that 01表 says are non-zero). Two-sided tables
(01, 04) pair numbers with the labels on the same or the neighbouring line.

Examples:
    >>> lines = ["一般公共预算财政拨款支出决算表", "单位：万元", "合计  20.00  5.00  15.00",
    ...          "201  一般公共服务支出  20.00  5.00  15.00", "201  06  01  行政运行  5.00  5.00",
    ...          "201  06  07  信息化建设  15.00  15.00"]
    >>> res = parse_table(Block("T05", lines[0], 1, 2, 6), lines)
    >>> [(c, i, v) for c, i, v, _ in res.facts if c == "2010607"]
    [('2010607', 'total', 1500), ('2010607', 'basic', 0), ('2010607', 'project', 1500)]
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from fiscal_analysis.extract.cells import amount as _amount
from fiscal_analysis.extract.cells import read_code, tokenize
from fiscal_analysis.extract.headings import PAGE, Block
from fiscal_analysis.extract.summary_tables import parse_summary

__all__ = ["COLUMNS", "T07_COLUMNS", "TableResult", "parse_table"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "T02": ("total", "fiscal", "superior_subsidy", "business", "operating", "affiliated", "other"),
    "T03": ("total", "basic", "project", "upper_remit", "operating", "affiliated_subsidy"),
    "T05": ("total", "basic", "project"),
    "T08": ("carryover_begin", "income", "expense", "basic", "project", "carryover_end"),
    "T09": ("carryover_begin", "income", "expense", "basic", "project", "carryover_end"),
}
T07_COLUMNS = tuple(
    f"{line}_{m}"
    for line in ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")
    for m in ("budget", "actual")
)
_EMPTY_NOTE = re.compile(r"无数据|本表无|没有.{0,30}(?:收入|支出)")


@dataclass
class TableResult:
    """Facts read from one table block."""

    table: str
    status: str
    line: int
    facts: list[tuple[str, str, int, int]] = field(default_factory=list)  # code, item, value, line
    names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Row:
    code: str
    nums: list[int]
    line: int
    name: str = ""
    options: list[tuple[int, ...]] = field(default_factory=list)
    value: tuple[int, ...] | None = None


def _options(nums: list[int], ncols: int) -> list[tuple[int, ...]]:
    if len(nums) >= ncols:
        return [tuple(nums[:ncols])]
    out = []
    for cols in itertools.combinations(range(1, ncols), len(nums) - 1):
        vec = [0] * ncols
        vec[0] = nums[0]
        for c, v in zip(cols, nums[1:], strict=True):
            vec[c] = v
        out.append(tuple(vec))
    return out


def _deviation(parent: tuple[int, ...], children: tuple[tuple[int, ...], ...]) -> int:
    return sum(abs(p - sum(ch[c] for ch in children)) for c, p in enumerate(parent))


def _solve(parent: tuple[int, ...], kids: list[_Row]) -> None:
    allowed = [
        [o for o in k.options if all(p or not v for p, v in zip(parent, o, strict=True))]
        or k.options
        for k in kids
    ]
    size = 1
    for a in allowed:
        size *= len(a)
    if size > 20000:
        for k, a in zip(kids, allowed, strict=True):
            k.value = a[0]
        return
    best = min(itertools.product(*allowed), key=lambda combo: _deviation(parent, combo))
    for k, v in zip(kids, best, strict=True):
        k.value = v


def _resolve(rows: list[_Row], root: _Row | None, hints: dict[int, int]) -> None:
    by_parent: dict[str, list[_Row]] = {}
    codes = {r.code for r in rows}
    for r in rows:
        parent = r.code[:-2] if len(r.code) > 3 else ""
        while parent and parent not in codes:
            parent = parent[:-2] if len(parent) > 3 else ""
        by_parent.setdefault(parent, []).append(r)
    if root is not None:

        def score(o: tuple[int, ...]) -> tuple[int, int]:
            bad = sum(abs(o[c] - v) for c, v in hints.items())
            kids = by_parent.get("", [])
            kid_cols = {c for k in kids for o2 in k.options[:1] for c, v in enumerate(o2) if v}
            return bad, -len(kid_cols & {c for c, v in enumerate(o) if v})

        root.value = min(root.options, key=score)
    queue = [("", root.value if root else None)]
    while queue:
        code, value = queue.pop(0)
        kids = by_parent.get(code, [])
        if value is None:
            for k in kids:
                k.value = k.options[0]
        else:
            _solve(value, kids)
        queue += [(k.code, k.value) for k in kids]


def _parse_coded(block: Block, lines: list[str], hints: dict[int, int], res: TableResult) -> None:
    cols = COLUMNS[block.table]
    rows: list[_Row] = []
    root: _Row | None = None
    for n in range(block.start, block.end + 1):
        if PAGE.match(lines[n - 1].strip()):
            continue
        toks = tokenize(lines[n - 1])
        texts = [t.text for t in toks if t.kind == "text"]
        nums = [a for t in toks if (a := _amount(t)) is not None and t.kind != "text"]
        code = read_code(toks)
        if code:
            c, used = code
            rest = toks[used:]
            vals = [a for t in rest if t.kind != "text" and (a := _amount(t)) is not None]
            name = "".join(t.text for t in rest if t.kind == "text")
            if vals:
                rows.append(_Row(c, vals, n, name, _options(vals, len(cols))))
            if name:
                res.names.setdefault(c, name)
        elif nums and texts and set(texts) <= {"类", "款", "项", "合计", "总计"}:
            root = _Row("", nums, n, "合计", _options(nums, len(cols)))
    if not rows and root is None:
        return
    _resolve(rows, root, hints)
    for r in ([root] if root else []) + rows:
        for item, v in zip(cols, r.value, strict=True):
            res.facts.append((r.code, item, v, r.line))
    seen = [r.code for r in rows]
    if len(seen) != len(set(seen)):
        res.notes.append(f"{block.table} 有重复的科目编码行，请核对")


def _parse_t07(block: Block, lines: list[str], res: TableResult) -> None:
    for n in range(block.start, block.end + 1):
        toks = tokenize(lines[n - 1])
        if toks and all(t.kind in ("num", "dash") for t in toks):
            vals = [_amount(t) for t in toks]
            if len(vals) == 12 and None not in vals:
                res.facts += [("", item, v, n) for item, v in zip(T07_COLUMNS, vals, strict=True)]
            else:
                res.notes.append(
                    f"07表第{n}行只有{len(vals)}个数（应为12个），无法确定所属列，改用情况说明中的数字"
                )
            return


def parse_table(
    block: Block, lines: list[str], hints: dict[str, dict[int, int]] | None = None
) -> TableResult:
    """Read one table block into facts ``(code, item, hundredths, line)``.

    Args:
        block: The block from :func:`~fiscal_analysis.extract.headings.find_tables`.
        lines: All document lines.
        hints: Known column totals per table (``{"T02": {1: 294005}}``), used to
            place the numbers of an incomplete 合计 row.
    """
    body = lines[block.start - 1 : block.end]
    has_numbers = any(t.kind == "num" and "." in t.text for line in body for t in tokenize(line))
    empty_note = any(_EMPTY_NOTE.search(line) for line in body)
    status = "empty" if empty_note and not has_numbers else "published"
    res = TableResult(block.table, status, block.line)
    if status == "empty":
        return res
    if block.table in COLUMNS:
        _parse_coded(block, lines, (hints or {}).get(block.table, {}), res)
    elif block.table in ("T01", "T04", "T06"):
        parse_summary(block, lines, res)
    elif block.table == "T07":
        _parse_t07(block, lines, res)
    if not res.facts:
        res.notes.append(f"{block.table} 未能从文本中读出数字")
    return res
