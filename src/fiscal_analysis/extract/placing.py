"""Which column each number of a flattened table row belongs to, from the table's identities.

A flattened row drops its blank cells: "205 教育支出 120.40 120.40" under
合计/基本支出/项目支出 may be (120.40, 120.40, 0) or (120.40, 0, 120.40). Every
placement of the numbers (in order) is a *candidate*; candidates that break the
row's identity (合计 = Σ 各列) are dropped, and when none is left a row with
too few numbers is *recovered* by computing one missing cell from the identity.
Candidates are then narrowed through the code hierarchy (a parent = Σ its
children, column by column, within the rounding tolerance). A cell on which all
remaining candidates agree is read with evidence (``table``); a cell on which
they differ is ``ambiguous`` (the conventional, leftmost placement is kept); a
row that no placement makes consistent is a ``guess``.

Examples:
    >>> rows = [Row("", [300, 100, 200], 1), Row("201", [300, 100, 200], 2),
    ...         Row("2010601", [100, 100], 3), Row("2010607", [200, 200], 4)]
    >>> place(rows, 3, t05_identity, tolerance=0)
    >>> rows[3].value, rows[3].evidence
    ((200, 0, 200), ('table', 'table', 'table'))
    >>> one = [Row("", [50, 50], 1)]
    >>> place(one, 3, t05_identity, tolerance=0)
    >>> one[0].value, one[0].evidence
    ((50, 50, 0), ('table', 'ambiguous', 'ambiguous'))
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import add, le, sub

__all__ = [
    "IDENTITIES",
    "Row",
    "place",
    "sum_identity",
    "t05_identity",
]

Vector = tuple[int, ...]
#: (whole column, part columns) pairs that every row must satisfy.
Identity = Sequence[tuple[int, Sequence[int]]]
_MAX_STATES = 20_000
#: Vector additions one narrowing may spend, and one table in all (plus a share per row):
#: past them candidates are left as they are (read as ``ambiguous``, never guessed), so many
#: rows under one parent cost linear time and memory, not the square of their number.
_MAX_WORK = 400_000
_TABLE_WORK = 4_000_000
_ROW_WORK = 200


class _Budget:
    """Work left for narrowing one table (vector additions)."""

    def __init__(self, left: int) -> None:
        self.left = left

    def spend(self, n: int) -> bool:
        """Take ``n`` units if there are that many left."""
        if n > self.left:
            self.left = 0
            return False
        self.left -= n
        return True


def sum_identity(whole: int, parts: Sequence[int]) -> Identity:
    return ((whole, tuple(parts)),)


t05_identity: Identity = sum_identity(0, (1, 2))

#: Row identities of the coded tables (column indexes as in ``tables.COLUMNS``).
IDENTITIES: dict[str, Identity] = {
    "T02": sum_identity(0, range(1, 7)),
    "T03": sum_identity(0, range(1, 6)),
    "T05": t05_identity,
    "T08": sum_identity(2, (3, 4)),
    "T09": sum_identity(2, (3, 4)),
    # 07表: 合计 = 出国 + 公务用车 + 接待, 公务用车 = 购置 + 运行 (预算数 and 决算数)
    "T07": tuple(
        pair for m in (0, 1) for pair in ((0 + m, (2 + m, 4 + m, 10 + m)), (4 + m, (6 + m, 8 + m)))
    ),
}


@dataclass
class Row:
    """A row's code, its numbers in order (分) and, once placed, its cells and their evidence."""

    code: str
    nums: list[int]
    line: int
    name: str = ""
    candidates: list[Vector] = field(default_factory=list)
    recovered: bool = False
    broken: bool = False
    value: Vector = ()
    evidence: tuple[str, ...] = ()


def _holds(vec: Vector, identity: Identity, tolerance: int) -> bool:
    return all(
        abs(vec[w] - sum(vec[p] for p in parts)) <= tolerance * len(parts) for w, parts in identity
    )


def _placements(nums: list[int], n: int) -> list[Vector]:
    out = []
    for cols in itertools.combinations(range(n), len(nums)):
        vec = [0] * n
        for c, v in zip(cols, nums, strict=True):
            vec[c] = v
        out.append(tuple(vec))
    return out


def _recover(plain: list[Vector], identity: Identity, tolerance: int) -> list[Vector]:
    """Placements made consistent by computing one blank cell from an identity."""
    out = []
    for vec in plain:
        for w, parts in identity:
            cells = (w, *parts)
            blanks = [c for c in cells if vec[c] == 0]
            if len(blanks) != 1:
                continue
            c = blanks[0]
            need = sum(vec[p] for p in parts) if c == w else vec[w] - sum(vec[p] for p in parts)
            if need > 0:
                fixed = tuple(need if i == c else x for i, x in enumerate(vec))
                if _holds(fixed, identity, tolerance) and fixed not in out:
                    out.append(fixed)
    return out


def candidates(row: Row, n: int, identity: Identity, tolerance: int) -> None:
    """Fill ``row.candidates`` (and ``recovered``/``broken``)."""
    if len(row.nums) >= n:
        row.candidates = [tuple(row.nums[:n])]
        return
    plain = _placements(row.nums, n)
    fit = [v for v in plain if _holds(v, identity, tolerance)]
    if not fit:
        fit = _recover(plain, identity, tolerance)
        row.recovered = bool(fit)
    if not fit:
        row.broken = True
        fit = plain
    row.candidates = list(dict.fromkeys(fit))  # equal placements (zeros moved) count once


def _parent_of(code: str, codes: set[str]) -> str:
    parent = code[:-2] if len(code) > 3 else ""
    while parent and parent not in codes:
        parent = parent[:-2] if len(parent) > 3 else ""
    return parent


def _sums(kids: list[Row], hi: list[int] | None, budget: _Budget) -> list[set[Vector]] | None:
    """Reachable column sums after each prefix of ``kids`` (pruned above ``hi``).

    ``None`` when there are too many, or the work would exceed ``budget``.
    """
    n = len(kids[0].candidates[0])
    out: list[set[Vector]] = [{(0,) * n}]
    work = 0
    for k in kids:
        step = len(out[-1]) * len(k.candidates)
        work += step
        if work > _MAX_WORK or not budget.spend(step):
            return None
        nxt = set()
        for s in out[-1]:
            for v in k.candidates:
                t = tuple(map(add, s, v))  # the vectors all have n entries
                if hi is None or all(map(le, t, hi)):
                    nxt.add(t)
        if len(nxt) > _MAX_STATES:
            return None
        out.append(nxt)
    return out


class _Near:
    """Vectors, found again within ``tol`` in every column (bucketed on the most varied one)."""

    def __init__(self, vectors: list[Vector], tol: int) -> None:
        self.tol, self.width = tol, tol + 1
        n = len(vectors[0]) if vectors else 0
        self.col = max(range(n), key=lambda c: len({v[c] for v in vectors}), default=0)
        self.buckets: dict[int, list[Vector]] = {}
        for v in vectors:
            self.buckets.setdefault(v[self.col] // self.width, []).append(v)

    def hit(self, s: Vector) -> bool:
        col, tol = self.col, self.tol
        key = s[col] // self.width
        for b in (key - 1, key, key + 1):
            for v in self.buckets.get(b, ()):
                if abs(v[col] - s[col]) <= tol and max(map(abs, map(sub, v, s))) <= tol:
                    return True
        return False


def _narrow(parent: Row, kids: list[Row], tolerance: int, budget: _Budget) -> bool:
    """Keep the candidates that take part in a combination where the kids add up to the parent."""
    if not parent.candidates or any(not k.candidates for k in kids):
        return False
    size = len(parent.candidates)
    for k in kids:
        size *= len(k.candidates)
    if size == 1:
        return False
    tol = tolerance * len(kids)
    n = len(parent.candidates[0])
    nonneg = all(x >= 0 for r in (parent, *kids) for v in r.candidates for x in v)
    hi = [max(p[c] for p in parent.candidates) + tol for c in range(n)] if nonneg else None
    fwd = _sums(kids, hi, budget)
    bwd = _sums(kids[::-1], hi, budget) if fwd is not None else None
    if fwd is None or bwd is None:
        return False
    bwd = bwd[::-1]

    reach = _Near(list(fwd[-1]), tol)
    targets = [p for p in parent.candidates if reach.hit(p)]
    if not targets:
        return False
    changed = len(targets) < len(parent.candidates)
    parent.candidates = targets
    for i, k in enumerate(kids):
        if len(bwd[i + 1]) * len(targets) > _MAX_STATES:
            continue
        if not budget.spend(len(bwd[i + 1]) * len(targets) + len(fwd[i]) * len(k.candidates)):
            break
        need = _Near([tuple(map(sub, p, b)) for p in targets for b in bwd[i + 1]], tol)
        keep = [v for v in k.candidates if any(need.hit(tuple(map(add, a, v))) for a in fwd[i])]
        if keep and len(keep) < len(k.candidates):
            k.candidates = keep
            changed = True
    return changed


def place(
    rows: list[Row],
    n: int,
    identity: Identity,
    tolerance: int,
    prefer: Callable[[Vector], int] | None = None,
) -> None:
    """Place every row's numbers; the row with code ``""`` is the 合计 row.

    Args:
        rows: The table's rows (the 合计 row, if any, has code ``""``).
        n: Number of columns.
        identity: The row identity.
        tolerance: Rounding tolerance per addend, in 分.
        prefer: Among ambiguous candidates of the 合计 row, a lower score wins
            (e.g. the distance to the totals 01表 gives); evidence stays ``ambiguous``.
    """
    for r in rows:
        candidates(r, n, identity, tolerance)
    codes = {r.code for r in rows if r.code}
    by_code = {r.code: r for r in rows}
    groups: dict[str, list[Row]] = {}
    for r in rows:
        if r.code:
            groups.setdefault(_parent_of(r.code, codes), []).append(r)
    budget = _Budget(_TABLE_WORK + _ROW_WORK * len(rows))
    changed = True
    while changed and budget.left:
        changed = False
        for parent_code, kids in groups.items():
            parent = by_code.get(parent_code)
            if parent is not None and kids:
                changed |= _narrow(parent, kids, tolerance, budget)
    for r in rows:  # evidence before any choice among what is left
        first = r.candidates[0]
        sure = "guess" if r.broken else "table"
        r.evidence = tuple(
            sure if all(v[c] == first[c] for v in r.candidates) else "ambiguous" for c in range(n)
        )
    # choose top-down, each parent first, so that its children follow its choice
    for r in sorted(rows, key=lambda r: len(r.code)):
        best = r.candidates[0]
        if prefer is not None and r.code == "" and len(r.candidates) > 1:
            best = min(r.candidates, key=prefer)
        r.value = best
        r.candidates = [best]
        if by_code.get(r.code) is r and groups.get(r.code):
            _narrow(r, groups[r.code], tolerance, budget)
