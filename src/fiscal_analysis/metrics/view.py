"""Integer-coded views of ``Dataset.facts`` for whole-panel metrics, built once and shared.

A :class:`PanelView` turns the facts frame into a few numpy arrays: every
row's position in the sorted list of (entity, year) pairs, a wide grid of the
uncoded figures (one column per ``(table, item)``) and, per coded table and
level, a long grid of (pair, code) lines. Text columns are compared once as
numpy object arrays (run-length first, so clustered data is cheap); after that
everything is integer indexing. Amounts stay exact ``int64`` 分 (0.000001万元).

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> v = PanelView(load_dataset("data"))
    >>> list(v.pairs)[:3]
    [('lusong-xzsp', 2019), ('lusong-xzsp', 2020), ('putuo-czj', 2023)]
    >>> values, status = v.figure("ops_cost", "actual")
    >>> values.tolist()[:2], status.tolist()[:2]
    ([44440000, 11480000], ['derived', 'published'])
    >>> v.amount_decimals
    2
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.keys import dense_codes, scaled_sum
from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.dataset.textcolumns import column_codes
from fiscal_analysis.metrics.units import amount_decimals, is_amount, to_fen
from fiscal_analysis.money import CENT

__all__ = ["Lines", "MetricFrame", "PanelView", "Source", "view_of"]

#: Rows a whole-column check works through at a time (no temporary of every row).
_BLOCK_ROWS = 1 << 20


@dataclass(frozen=True)
class Lines:
    """Coded lines of one table at one code length, one row per (pair, code).

    Attributes:
        pair: Position of each line's (entity, year) in :attr:`PanelView.pairs`.
        code_id: Position of each line's code in ``codes``.
        codes: The distinct codes (sorted); ``codes[code_id]`` is each line's code.
        values: Per item, ``int64`` 分 (0 where absent).
        valid: Per item, whether a value is present.
        present: Per item, whether the item has a row at all.
        basis: Per item, the row's ``basis`` (``None`` where absent).
    """

    pair: np.ndarray
    code_id: np.ndarray
    codes: np.ndarray
    values: dict[str, np.ndarray]
    valid: dict[str, np.ndarray]
    present: dict[str, np.ndarray]
    basis: dict[str, np.ndarray]

    @property
    def code(self) -> np.ndarray:
        """The code of every line (object array)."""
        return self.codes[self.code_id]


def _python_list(column: pd.Series) -> list:
    """A column's values as Python objects, nulls ``None``; amounts as integer 分.

    Amounts stay ``int`` 分 here (exact, and cheap to read);
    :func:`fiscal_analysis.metrics.present.dec` turns the ones read into 万元.
    """
    if is_amount(column):
        return to_fen(column).to_numpy(dtype=object, na_value=None).tolist()
    if isinstance(column.dtype, pd.ArrowDtype):
        return column.array.__arrow_array__().to_pylist()
    return column.tolist()


class MetricFrame:
    """A whole-panel metric frame and fast access to one entity-year's rows.

    The rows of one (entity, year) are found through a dict of positions built
    once; their values come from per-column Python lists, also built once, so
    reading one entity-year costs a few list look-ups, not a pandas selection.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._rows: dict[tuple[str, int], np.ndarray] | None = None
        self._columns: dict[str, list] | None = None

    @property
    def rows(self) -> dict[tuple[str, int], np.ndarray]:
        """``(entity_id, year)`` → row positions in :attr:`frame`."""
        if self._rows is None:
            df = self.frame
            groups = df.groupby(["entity_id", "year"], sort=False).indices if len(df) else {}
            self._rows = {(e, int(y)): pos for (e, y), pos in groups.items()}
        return self._rows

    def records(self, entity_id: str, year: int) -> list[dict]:
        """The rows of one entity-year as dicts, in frame order (``[]`` if it has none)."""
        pos = self.rows.get((entity_id, int(year)))
        if pos is None:
            return []
        if self._columns is None:
            self._columns = {c: _python_list(self.frame[c]) for c in self.frame.columns}
        cols = self._columns
        return [{c: values[i] for c, values in cols.items()} for i in pos]


class PanelView:
    """Views of one dataset's facts, computed lazily and cached on the view.

    Args:
        ds: A loaded :class:`~fiscal_analysis.dataset.model.Dataset` (not modified).
    """

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.facts = ds.facts
        self._lines: dict[tuple[str, int], Lines] = {}
        self._tables_cache: dict[str, dict[str, np.ndarray]] = {}
        #: Whole-panel metric frames computed on this view, by key (see :meth:`metric`).
        self._metrics: dict[tuple, MetricFrame] = {}

    def metric(self, key: tuple, build) -> MetricFrame:
        """A whole-panel metric frame, computed once per view (see :class:`MetricFrame`).

        Args:
            key: What identifies the frame (the function and its arguments).
            build: Called with this view to compute the frame the first time.
        """
        hit = self._metrics.get(key)
        if hit is None:
            hit = self._metrics[key] = MetricFrame(build(self))
        return hit

    def prepare(self, tables: tuple[str, ...] = ()) -> None:
        """Build now what every figure and line reads (pairs, prior years, values, table
        codes, the uncoded figures and the rows of ``tables``), so that threads computing
        metrics on this view afterwards only read those; two threads may then build lines
        of one of ``tables`` at different levels, never the same level."""
        _ = self._pair_info, self.prior_pair, self._values, self._tables, self._blank
        _ = self.amount_decimals, [self._table_rows(table) for table in tables]

    # -- pairs and row codes -------------------------------------------------
    @cached_property
    def _pair_info(self) -> tuple[pd.MultiIndex, np.ndarray]:
        f = self.facts
        ent_col = f["entity_id"]
        year = f["year"].to_numpy(dtype=np.int64)
        if len(year) == 0:
            empty = pd.MultiIndex.from_arrays([[], []], names=["entity_id", "year"])
            return empty, np.zeros(0, dtype=np.int64)
        if isinstance(ent_col.dtype, pd.CategoricalDtype):
            ents = ent_col.array.codes  # (compared only: the narrow codes will do)
        else:
            ents = ent_col.to_numpy(dtype=object)
        # work on runs of equal (entity, year): rows of one entity-year are usually together
        heads = np.flatnonzero(np.r_[True, (ents[1:] != ents[:-1]) | (year[1:] != year[:-1])])
        ent, uniq = column_codes(ent_col.iloc[heads] if ents.dtype != object else ents[heads])
        y = year[heads]
        y0, n_years = int(y.min()), int(y.max() - y.min()) + 1
        order = np.argsort(uniq.astype(str), kind="stable")
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[order] = np.arange(len(uniq))
        key = rank[ent] * n_years + (y - y0)
        present = np.zeros(len(uniq) * n_years, dtype=bool)
        present[key] = True
        keys = np.flatnonzero(present)
        position = np.cumsum(present) - 1
        pairs = pd.MultiIndex.from_arrays(
            [uniq[order][keys // n_years].astype(str), keys % n_years + y0],
            names=["entity_id", "year"],
        )
        return pairs, np.repeat(position[key], np.diff(np.r_[heads, len(year)]))

    @property
    def pairs(self) -> pd.MultiIndex:
        """Every (entity_id, year) with facts, sorted like :meth:`Dataset.pairs`."""
        return self._pair_info[0]

    @property
    def pair_of_row(self) -> np.ndarray:
        """Position in :attr:`pairs` of every facts row."""
        return self._pair_info[1]

    @cached_property
    def prior_pair(self) -> np.ndarray:
        """Position of each pair's (entity, year − 1) in :attr:`pairs`, or −1."""
        p = self.pairs
        years = p.get_level_values(1).to_numpy(dtype=np.int64) - 1
        before = pd.MultiIndex.from_arrays([p.get_level_values(0), years], names=p.names)
        return p.get_indexer(before)

    def pair_columns(self, pair: np.ndarray) -> dict[str, np.ndarray]:
        """``entity_id`` and ``year`` columns for rows at pair positions ``pair``."""
        p = self.pairs
        ents = p.get_level_values(0).to_numpy(dtype=object)
        return {"entity_id": ents[pair], "year": p.get_level_values(1).to_numpy()[pair]}

    @cached_property
    def _values(self) -> tuple[np.ndarray, np.ndarray]:
        v = self.facts["value"].astype("Int64")
        return v.to_numpy(dtype=np.int64, na_value=0), v.notna().to_numpy(dtype=bool)

    @cached_property
    def amount_decimals(self) -> int:
        """Decimals the frames show 万元 with: 2 unless some amount is finer than 0.01万元."""
        v, ok = self._values
        # (absent values are 0 here; a block at a time: no remainder array of every row)
        finer = np.zeros(len(v), dtype=bool)
        for lo in range(0, len(v), _BLOCK_ROWS):
            np.not_equal(v[lo : lo + _BLOCK_ROWS] % CENT, 0, out=finer[lo : lo + _BLOCK_ROWS])
        if not finer.any():  # the usual case: no unit needs looking at
            return 2
        money = (self.facts["unit"] == "万元").to_numpy(dtype=bool) & ok
        return amount_decimals(v[money & finer])

    @cached_property
    def _tables(self) -> tuple[np.ndarray, np.ndarray]:
        col = self.facts["table"]
        if isinstance(col.dtype, pd.CategoricalDtype) and not col.hasnans:
            # the category codes as they are (int8 for the few tables): no int64 copy per row
            return col.array.codes, col.cat.categories.to_numpy(dtype=object)
        return column_codes(col)

    def table_rows(self, table: str) -> np.ndarray:
        """Row positions of ``table`` in the facts."""
        codes, uniq = self._tables
        hit = np.flatnonzero(uniq == table)
        return np.flatnonzero(codes == hit[0]) if len(hit) else np.zeros(0, dtype=np.int64)

    def _column(self, name: str, rows: np.ndarray) -> np.ndarray:
        return self.facts[name].iloc[rows].to_numpy(dtype=object)

    def _codes(self, name: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``column_codes(self._column(name, rows))``, from a category column's codes."""
        col = self.facts[name]
        if not isinstance(col.dtype, pd.CategoricalDtype):
            return column_codes(self._column(name, rows))
        codes = col.array.codes[rows]
        if not len(codes) or codes.min() < 0:  # missing values: the general path
            return column_codes(self._column(name, rows))
        # distinct codes in category order, numbered through a table (int32: half the
        # memory of a row index; arithmetic on them widens to int64 first)
        numbered, used = dense_codes(codes, len(col.cat.categories))
        cats = col.cat.categories.to_numpy(dtype=object)
        return numbered, cats[used]

    def _table_rows(self, table: str) -> dict[str, np.ndarray]:
        """Rows of ``table`` with their code and item as integer codes, and basis (cached)."""
        if table not in self._tables_cache:
            rows = self.table_rows(table)
            cc, cu = self._codes("code", rows)
            ic, iu = self._codes("item", rows)
            bc, bu = self._codes("basis", rows)
            self._tables_cache[table] = {"rows": rows, "cc": cc, "cu": cu, "ic": ic, "iu": iu,
                                         "bc": bc, "bu": bu}  # fmt: skip
        return self._tables_cache[table]

    # -- uncoded figures -------------------------------------------------------
    @cached_property
    def _blank(self) -> tuple[dict[tuple[str, str], int], np.ndarray, np.ndarray, np.ndarray]:
        code = self.facts["code"]
        if isinstance(code.dtype, pd.CategoricalDtype):  # (distinct categories: one "" at most)
            hit = np.flatnonzero(code.cat.categories == "")
            rows = np.flatnonzero(code.array.codes == hit[0]) if len(hit) else hit
        else:
            rows = np.flatnonzero(code.to_numpy(dtype=object) == "")
        tc, tu = self._tables
        icode, iu = self._codes("item", rows)
        bcode, bu = self._codes("basis", rows)
        combo = scaled_sum(tc[rows], max(len(iu), 1), icode)
        seen = np.zeros(max(len(tu), 1) * max(len(iu), 1), dtype=bool)
        seen[combo] = True
        used = np.flatnonzero(seen)
        col = (np.cumsum(seen) - 1)[combo]
        keys = {(str(tu[k // len(iu)]), str(iu[k % len(iu)])): i for i, k in enumerate(used)}
        shape = (len(self.pairs), len(used))  # status: 0 for no row, else 1 + the basis code
        values, valid, status = (np.zeros(shape, dtype=d) for d in (np.int64, bool, np.int64))
        flat = scaled_sum(self.pair_of_row[rows], len(used), col)
        v, ok = self._values
        values.ravel()[flat] = v[rows]
        valid.ravel()[flat] = ok[rows]
        status.ravel()[flat] = bcode + 1
        return keys, values, valid, np.r_[np.array([None], dtype=object), bu][status]

    def figure(self, table: str, item: str, code: str = "") -> tuple[pd.Series, np.ndarray]:
        """One figure for every pair: ``Int64`` 分 and a status array.

        The status is ``published``/``derived`` (the row's basis),
        ``undisclosed`` or ``missing``, as :func:`fiscal_analysis.metrics.structure.figure`.
        """
        n = len(self.pairs)
        if code == "":
            keys, values, valid, basis = self._blank
            col = keys.get((table, item))
            if col is None:
                vals, ok, bas = np.zeros(n, np.int64), np.zeros(n, bool), np.full(n, None, object)
            else:
                vals, ok, bas = values[:, col], valid[:, col], basis[:, col]
        else:
            rows = self.table_rows(table)
            rows = rows[(self._column("item", rows) == item) & (self._column("code", rows) == code)]
            vals, ok = np.zeros(n, np.int64), np.zeros(n, bool)
            bas = np.full(n, None, dtype=object)
            p = self.pair_of_row[rows]
            vals[p], ok[p] = self._values[0][rows], self._values[1][rows]
            bas[p] = self._column("basis", rows)
        status = np.where(ok, bas, np.where(bas == "undisclosed", "undisclosed", "missing"))
        arr = pd.arrays.IntegerArray(np.where(ok, vals, 0), ~ok)
        return pd.Series(arr, index=self.pairs), status.astype(object)

    # -- coded lines -------------------------------------------------------------
    def lines(self, table: str, length: int) -> Lines:
        """Lines of ``table`` whose code has ``length`` digits, every item (cached).

        A (pair, code) appears when the table has any row for it (any item).
        """
        if (table, length) not in self._lines:
            self._lines[table, length] = self._build_lines(table, length)
        return self._lines[table, length]

    def _build_lines(self, table: str, length: int) -> Lines:
        t = self._table_rows(table)
        cu = t["cu"]
        wanted = np.array([len(str(c)) == length for c in cu], dtype=bool)
        rows, cc, ic, bc = t["rows"], t["cc"], t["ic"], t["bc"]
        if not (keep := wanted[cc]).all():
            rows, cc, ic, bc = rows[keep], cc[keep], ic[keep], bc[keep]
        order = np.argsort(cu.astype(str), kind="stable")
        rank = np.argsort(order).astype(np.int32)  # each code's place in code order
        n_codes = max(len(cu), 1)
        key = scaled_sum(self.pair_of_row[rows], n_codes, rank[cc])
        space = len(self.pairs) * n_codes
        if space <= 50_000_000:
            present = np.zeros(space, dtype=bool)
            present[key] = True
            keys = np.flatnonzero(present)
            if space <= 8 * len(key):  # a running count where the key space is small
                line = np.cumsum(present)[key]
                line -= 1
            else:  # else no cumulative sum over it
                line = np.searchsorted(keys, key)
        else:
            keys, line = np.unique(key, return_inverse=True)
        n, n_items = len(keys), len(t["iu"])
        v, ok = self._values
        # basis: 0 for no row, else 1 + the basis code; one flat position per row
        values, valid = np.zeros((n_items, n), dtype=np.int64), np.zeros((n_items, n), dtype=bool)
        basis = np.zeros((n_items, n), dtype=np.min_scalar_type(len(t["bu"])))
        flat = scaled_sum(ic, n, line)
        del key, line, cc  # (let go at once: the allocator hands their memory to the next)
        values.ravel()[flat] = v[rows]
        valid.ravel()[flat] = ok[rows]
        basis.ravel()[flat] = bc + 1
        del flat, rows, ic, bc
        words = np.r_[np.array([None], dtype=object), t["bu"]]
        items = [str(it) for it in t["iu"]]
        present = {it: basis[j] > 0 for j, it in enumerate(items)}
        basis_d = {it: words[basis[j]] for j, it in enumerate(items)}
        values_d = {it: values[j] for j, it in enumerate(items)}
        valid_d = {it: valid[j] for j, it in enumerate(items)}
        names = cu[order].astype(str).astype(object)
        return Lines(keys // n_codes, keys % n_codes, names, values_d, valid_d, present, basis_d)

    def line_item(self, lines: Lines, item: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``values``, ``valid`` and ``present`` of ``item`` (all absent if it has no row)."""
        if item in lines.values:
            return lines.values[item], lines.valid[item], lines.present[item]
        n = len(lines.pair)
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)


#: What the panel functions accept: a dataset, or a view already built on one.
Source = Dataset | PanelView


def view_of(source: Source) -> PanelView:
    """The :class:`PanelView` of a dataset (built once and kept on it) or the view itself.

    A Dataset's frames never change, so its view, and every metric frame
    computed on the view, stay valid as long as the dataset lives.
    """
    if isinstance(source, PanelView):
        return source
    view = source.__dict__.get("_panel_view")
    if view is None:
        view = PanelView(source)
        object.__setattr__(source, "_panel_view", view)
    return view
