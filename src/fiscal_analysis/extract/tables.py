"""Rebuild 公开01–09表 from flattened text.

Flattened rows lose their column positions: a 05表 row ``201 06 07 信息化建设
135.25 135.25`` says 合计 = 135.25 and one of 基本/项目支出 = 135.25, but not
which. Columns are assigned from the table's identities (:mod:`.placing`):
the row's own sum and the code hierarchy; each cell records whether that
settled it (evidence ``table``), left several placements (``ambiguous``) or
nothing fitted (``guess``). A code the built-in dictionary lacks is kept when
it is a well-formed 3/5/7-digit code, with the name the document prints
(names wrapped onto the lines around the code line are joined). Amounts are in
分 (:mod:`.units`); a table headed "单位：元" is read in 元. Two-sided tables
(01, 04) pair numbers with the labels on the same or the neighbouring line.

Examples:
    >>> lines = ["一般公共预算财政拨款支出决算表", "单位：万元", "合计  20.00  5.00  15.00",
    ...          "201  一般公共服务支出  20.00  5.00  15.00", "201  06  01  行政运行  5.00  5.00",
    ...          "201  06  07  信息化建设  15.00  15.00"]
    >>> res = parse_table(Block("T05", lines[0], 1, 2, 6), lines)
    >>> [(c, i, v // 10000) for c, i, v, _ in res.facts if c == "2010607"]
    [('2010607', 'total', 1500), ('2010607', 'basic', 0), ('2010607', 'project', 1500)]
    >>> res.evidence[("2010607", "project")], res.unit
    ('table', '万元')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from fiscal_analysis.extract.cells import amount as _amount
from fiscal_analysis.extract.cells import read_code, tokenize
from fiscal_analysis.extract.headings import PAGE, Block
from fiscal_analysis.extract.placing import IDENTITIES, Row, place
from fiscal_analysis.extract.summary_tables import parse_summary
from fiscal_analysis.extract.units import HUNDREDTH
from fiscal_analysis.schema.classification import Classification

__all__ = ["COLUMNS", "T07_COLUMNS", "TableResult", "join_spaced", "parse_table", "table_unit"]

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
    """Facts read from one table block: ``(code, item, 分, line)`` and each one's evidence."""

    table: str
    status: str
    line: int
    facts: list[tuple[str, str, int, int]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: (code, item) -> ``table``, ``ambiguous`` or ``guess``.
    evidence: dict[tuple[str, str], str] = field(default_factory=dict)
    unit: str = "万元"
    #: Coded rows printed without any number: (line, code, name).
    blank_rows: list[tuple[int, str, str]] = field(default_factory=list)


_UNIT = re.compile(r"(?:单位|金额单位)\s*[:：]\s*(万元|亿元|元)")
_SPACED = re.compile(r"(?<![^\s|｜])([\u4e00-\u9fff](?: [\u4e00-\u9fff])+)(?![^\s|｜])")
_ROOT_WORDS = {"类", "款", "项", "合计", "总计", "栏次"}
_ENDS = ("支出", "事务", "运行", "管理", "费", "金", "贴", "疗", "休", "助", "建设", "保障")


def join_spaced(line: str) -> str:
    """Join headers printed with a space between characters: "合 计" -> "合计".

    Examples:
        >>> join_spaced("项 目 | 合 计 | 201 一般公共服务支出")
        '项目 | 合计 | 201 一般公共服务支出'
    """
    return _SPACED.sub(lambda m: m.group(1).replace(" ", ""), line)


def table_unit(lines: list[str]) -> str:
    """The unit a table block states ("单位：元"), 万元 by default."""
    for line in lines[:8]:
        m = _UNIT.search(line.replace(" ", ""))
        if m:
            return m.group(1)
    return "万元"


def _complete(name: str) -> bool:
    return name.endswith(_ENDS)


_HEADER = re.compile(r"科目|功能分类|项目|编码|名称|^[类款项]+$|合计|单位|决算|栏次")


def _suffix(last: Row, loose: list[str], code: str, name: str) -> bool:
    """Whether the first text line between two coded rows ends the previous row's name.

    A name wraps after the code line ("20805 行政事业单位" / "养老支出") or starts
    before it ("其他社会工作" / "2013999 事务支出"); the dictionary decides when it
    knows the codes, else the shape of the pieces.
    """
    piece = loose[0]
    if len(loose) >= 2 or _prefix_of(last.code, last.name, piece):
        return True
    if _prefix_of(code, piece, name) or not name:
        return False
    return len(piece) <= 3 or _complete(piece) or not _complete(last.name)


def _prefix_of(code: str, head: str, tail: str) -> bool:
    """Whether the dictionary name of ``code`` starts with ``head + tail`` (a wrapped name)."""
    full = _dictionary().get(code, "")
    return bool(full) and full.startswith(head + tail)


@cache
def _dictionary() -> dict[str, str]:
    cls = Classification.builtin()
    return {**cls.function, **cls.economic}


def _read_rows(block: Block, lines: list[str], res: TableResult) -> tuple[list[Row], Row | None]:
    """Coded rows with their numbers and names (wrapped name pieces joined), and the 合计 row."""
    rows: list[Row] = []
    root: Row | None = None
    loose_text: list[str] = []  # text-only lines since the last coded row
    last: Row | None = None
    waiting: Row | None = None  # a coded row without numbers (they may follow)
    for n in range(block.start, block.end + 1):
        raw = lines[n - 1]
        if PAGE.match(raw.strip()):
            continue
        toks = tokenize(join_spaced(raw))
        texts = [t.text for t in toks if t.kind == "text"]
        code = read_code(toks)
        if code:
            c, used = code
            rest = toks[used:]
            vals = [a for t in rest if t.kind != "text" and (a := _amount(t, res.unit)) is not None]
            name = "".join(t.text for t in rest if t.kind == "text")
            if last is None:
                loose_text = [x for x in loose_text[-1:] if not _HEADER.search(x)]
            elif loose_text and _suffix(last, loose_text, c, name):
                last.name += loose_text.pop(0)
            name = "".join(loose_text) + name
            loose_text = []
            row = Row(c, vals, n, name)
            if waiting is not None:
                res.blank_rows.append((waiting.line, waiting.code, waiting.name))
                waiting = None
            if vals:
                rows.append(row)
                waiting = None
            else:
                waiting = row
            last = row
            continue
        nums = [a for t in toks if t.kind != "text" and (a := _amount(t, res.unit)) is not None]
        if nums and texts and set(texts) <= _ROOT_WORDS and "栏次" not in texts:
            root = Row("", nums, n, "合计")
            continue
        if nums and not texts and waiting is not None:
            waiting.nums = nums
            rows.append(waiting)
            waiting = None
            continue
        if texts and not nums:
            joined = "".join(texts)
            if len(joined) <= 20 and not re.search(r"^(?:注|说明|本表|单位[:：])", joined):
                loose_text.append(joined)
            continue
        if waiting is not None and texts:
            res.blank_rows.append((waiting.line, waiting.code, waiting.name))
            waiting = None
    if last is not None and loose_text and (not last.name or not _complete(last.name)):
        last.name += loose_text[0]
    if waiting is not None:
        res.blank_rows.append((waiting.line, waiting.code, waiting.name))
    for r in rows:
        if r.name:
            res.names.setdefault(r.code, r.name)
    for _line, code, name in res.blank_rows:
        if name:
            res.names.setdefault(code, name)
    return rows, root


def _parse_coded(block: Block, lines: list[str], hints: dict[int, int], res: TableResult) -> None:
    cols = COLUMNS[block.table]
    rows, root = _read_rows(block, lines, res)
    if not rows and root is None:
        return
    tol = HUNDREDTH if res.unit != "元" else 1
    every = ([root] if root else []) + rows

    def prefer(vec: tuple[int, ...]) -> int:
        return sum(abs(vec[c] - v) for c, v in hints.items())

    place(every, len(cols), IDENTITIES[block.table], tol, prefer if hints else None)
    for r in every:
        for (item, v), ev in zip(zip(cols, r.value, strict=True), r.evidence, strict=True):
            res.facts.append((r.code, item, v, r.line))
            res.evidence[(r.code, item)] = ev
    guessed = [r.line for r in every if r.broken]
    if guessed:
        shown = "、".join(f"第{n}行" for n in guessed[:5])
        res.notes.append(f"{block.table} {shown}的数字与表内等式不符，列位置为推测")
    seen = [r.code for r in rows]
    if len(seen) != len(set(seen)):
        res.notes.append(f"{block.table} 有重复的科目编码行，请核对")


def _parse_t07(block: Block, lines: list[str], res: TableResult) -> None:
    for n in range(block.start, block.end + 1):
        toks = tokenize(lines[n - 1])
        if toks and all(t.kind in ("num", "dash") for t in toks):
            vals = [_amount(t, res.unit) for t in toks]
            if None in vals or len(vals) > 12:
                res.notes.append(f"07表第{n}行有{len(vals)}个数（应为12个），无法读出")
                return
            row = Row("", [v for v in vals if v is not None], n)
            tol = HUNDREDTH if res.unit != "元" else 1
            place([row], 12, IDENTITIES["T07"], tol)
            for item, v, ev in zip(T07_COLUMNS, row.value, row.evidence, strict=True):
                res.facts.append(("", item, v, n))
                res.evidence[("", item)] = ev
            if len(vals) < 12:
                res.notes.append(
                    f"07表第{n}行只有{len(vals)}个数（应为12个），列位置由表内等式推定"
                )
            return


_SUMMARY_IDENTITIES = {
    "T01": (
        ("income_total", ("income_general_public", "income_gov_fund", "income_soe_capital",
                          "income_superior_subsidy", "income_business", "income_operating",
                          "income_affiliated", "income_other")),
        ("income_grand_total", ("income_total", "nonfiscal_balance_used", "carryover_begin")),
        ("expense_grand_total", ("expense_total", "balance_distribution", "carryover_end")),
        ("income_grand_total", ("expense_grand_total",)),
    ),
    "T04": (
        ("income_grand_total", ("income_total", "carryover_begin")),
        ("expense_grand_total", ("total", "carryover_end")),
        ("income_grand_total", ("expense_grand_total",)),
    ),
}  # fmt: skip


def _summary_closes(res: TableResult) -> bool:
    """Whether a 01/04表's totals add up (each identity whose figures were all read)."""
    vals = {i: v for c, i, v, _n in res.facts if not c}
    tol = HUNDREDTH if res.unit != "元" else 1
    for whole, parts in _SUMMARY_IDENTITIES.get(res.table, ()):
        if whole in vals and any(p in vals for p in parts):
            total = sum(vals.get(p, 0) for p in parts)
            if abs(vals[whole] - total) > tol * len(parts):
                return False
    return True


def parse_table(
    block: Block, lines: list[str], hints: dict[str, dict[int, int]] | None = None
) -> TableResult:
    """Read one table block into facts ``(code, item, 分, line)``.

    Args:
        block: The block from :func:`~fiscal_analysis.extract.headings.find_tables`.
        lines: All document lines.
        hints: Known column totals per table (``{"T02": {1: 2940050000}}``), used to
            choose among the placements of an incomplete 合计 row (evidence
            stays ``ambiguous``).
    """
    body = lines[block.start - 1 : block.end]
    unit = table_unit([lines[block.line - 1], *body])
    has_numbers = any(t.kind == "num" and "." in t.text for line in body for t in tokenize(line))
    empty_note = any(_EMPTY_NOTE.search(line) for line in body)
    status = "empty" if empty_note and not has_numbers else "published"
    res = TableResult(block.table, status, block.line, unit=unit)
    if status == "empty":
        return res
    if block.table in COLUMNS:
        _parse_coded(block, lines, (hints or {}).get(block.table, {}), res)
    elif block.table in ("T01", "T04", "T06"):
        parse_summary(block, lines, res)
        closes = _summary_closes(res)
        for c, i, _v, _n in res.facts:
            if res.evidence.get((c, i)) == "apart":
                # numbers on a line of their own: placed with evidence only if the table closes
                res.evidence[(c, i)] = "table" if closes else "guess"
            res.evidence.setdefault((c, i), "table")
    elif block.table == "T07":
        _parse_t07(block, lines, res)
    if not res.facts:
        res.status = "unreadable" if has_numbers else "blank"
        if has_numbers:
            res.notes.append(f"{block.table} 有数字但未能读出其行列")
    return res
