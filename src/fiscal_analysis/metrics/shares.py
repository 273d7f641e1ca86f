"""Shares of a whole for every entity × year at once, exactly.

Every function returns a long frame, one row per (entity_id, year, part), in
the order of the per-entity functions of :mod:`fiscal_analysis.metrics.structure`:
``amount`` and ``whole`` in exact 万元 (:mod:`.units`; ``<NA>`` when missing or
undisclosed, with ``status`` saying which), the exact share as ``share_num`` /
``share_den`` (percent = ``share_num / share_den × 100``; ``<NA>`` when the part is
missing or the whole is 0 or missing) and, for presentation, ``share_rounded``:
a :class:`~decimal.Decimal` rounded half up to ``decimals`` decimals.

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> df = expense_shares(load_dataset("data"))
    >>> df = df[df["year"] == 2020]
    >>> [(r.label, str(r.amount), str(r.share_rounded)) for r in df.head(2).itertuples()]
    [('基本支出', '190.92', '56.9'), ('项目支出', '144.86', '43.1')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fiscal_analysis.metrics.rates import ratio_pct_panel
from fiscal_analysis.metrics.units import as_wan, frame_of
from fiscal_analysis.metrics.view import Source, view_of
from fiscal_analysis.schema.classification import LEVEL_DIGITS
from fiscal_analysis.schema.items import (
    EXPENSE_PARTS,
    INCOME_FISCAL_PARTS,
    INCOME_OTHER_PARTS,
    PROCUREMENT_PARTS,
    TABLES,
)

__all__ = [
    "basic_shares",
    "expense_shares",
    "function_shares",
    "income_shares",
    "procurement_shares",
    "shares_frame",
    "shares_panel",
]


#: One part for :func:`shares_frame`: values, valid mask and status arrays over the pairs.
Part = tuple[np.ndarray, np.ndarray, np.ndarray]


def _int(values: np.ndarray, valid: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(valid, values, 0).astype(np.int64), ~valid)


def _part(view, table: str, item: str) -> Part:
    s, status = view.figure(table, item)
    return s.to_numpy(dtype=np.int64, na_value=0), s.notna().to_numpy(dtype=bool), status


def shares_frame(
    view,
    parts: Mapping[str, Part],
    labels: Mapping[str, str],
    whole: tuple[np.ndarray, np.ndarray],
    decimals: int | None = 1,
    extra: Mapping[str, Sequence] | None = None,
) -> pd.DataFrame:
    """Long share frame from per-pair arrays (one ``Part`` per key), pair-major order.

    ``extra`` maps a column name to one value per part (e.g. ``parent``).
    """
    n, k = len(view.pairs), len(parts)
    keys = list(parts)
    vals = np.stack([parts[x][0] for x in keys], axis=1).ravel() if k else np.zeros(0, np.int64)
    ok = np.stack([parts[x][1] for x in keys], axis=1).ravel() if k else np.zeros(0, bool)
    status = np.stack([parts[x][2] for x in keys], axis=1).ravel() if k else np.zeros(0, object)
    w, w_ok = np.repeat(whole[0], k), np.repeat(whole[1], k)
    has = ok & w_ok & (w != 0)
    pair = np.repeat(np.arange(n), k)
    cols: dict[str, object] = dict(view.pair_columns(pair))
    cols["item"] = np.tile(np.array(keys, dtype=object), n)
    cols["label"] = np.tile(np.array([labels[x] for x in keys], dtype=object), n)
    for name, per_part in (extra or {}).items():
        cols[name] = pd.Series(np.tile(np.array(list(per_part), dtype=object), n), dtype=object)
    cols |= {"amount": _int(vals, ok), "status": status.astype(object), "whole": _int(w, w_ok)}
    cols |= {"share_num": _int(vals, has), "share_den": _int(w, has)}
    df = frame_of(cols, ("entity_id", "item", "label", "status", *(extra or {})))
    if decimals is not None:
        df["share_rounded"] = ratio_pct_panel(df["share_num"], df["share_den"], decimals)
    return as_wan(df, decimals=view.amount_decimals)


def _label(table: str, item: str) -> str:
    return TABLES[table].items[item].label


def shares_panel(
    source: Source,
    table: str,
    items: Sequence[str],
    whole: str | tuple[str, str],
    *,
    labels: Mapping[str, str] | None = None,
    decimals: int | None = 1,
) -> pd.DataFrame:
    """Shares of uncoded ``items`` of ``table`` in a whole, for every entity × year.

    Args:
        source: A Dataset or a :class:`~fiscal_analysis.metrics.view.PanelView`.
        table: The parts' table (``T03``, ``procurement`` …).
        items: Item keys of the parts, in output order.
        whole: The whole's item in ``table``, or ``(table, item)`` elsewhere.
        labels: Chinese labels (default: the declared item labels).
        decimals: Decimals of ``share_rounded`` (``None``: leave it out).

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = shares_panel(load_dataset("data"), "procurement", ["sme"], "total")
        >>> df = df[df["entity_id"] == "lusong-xzsp"]
        >>> df[["year", "amount", "status", "share_rounded"]].values.tolist()
        [[2019, <NA>, 'missing', None], [2020, Decimal('46.42'), 'published', Decimal('100.0')]]
    """
    view = view_of(source)
    wt, wi = (table, whole) if isinstance(whole, str) else whole
    w, w_ok, _ = _part(view, wt, wi)
    labels = {x: (labels or {}).get(x) or _label(table, x) for x in items}
    parts = {x: _part(view, table, x) for x in items}
    return shares_frame(view, parts, labels, (w, w_ok), decimals)


def income_shares(source: Source, decimals: int | None = 1) -> pd.DataFrame:
    """本年收入 by source vs 本年收入合计 (one entity-year: :func:`.structure.income_structure`).

    ``income_fiscal`` (财政拨款收入) comes first; when it is not in the data
    but its three parts are, it is their sum with status ``derived``. Column
    ``parent`` is ``income_fiscal`` for those three parts.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = income_shares(load_dataset("data"))
        >>> r = df[df["year"] == 2020].iloc[0]
        >>> r["label"], str(r["amount"]), r["share_rounded"], r["status"]
        ('财政拨款收入', '335.78', Decimal('100.0'), 'published')
    """
    view = view_of(source)
    w, w_ok, _ = _part(view, "T01", "income_total")
    fv, fok, fst = _part(view, "T01", "income_fiscal")
    subs = [_part(view, "T01", x) for x in INCOME_FISCAL_PARTS]
    derive = ~fok & np.logical_and.reduce([p[1] for p in subs])
    fv = np.where(derive, sum(p[0] for p in subs), fv)
    fst = np.where(derive, "derived", fst).astype(object)
    parts = {"income_fiscal": (fv, fok | derive, fst)}
    parts |= dict(zip(INCOME_FISCAL_PARTS, subs, strict=True))
    parts |= {x: _part(view, "T01", x) for x in INCOME_OTHER_PARTS}
    labels = {x: _label("T01", x) for x in parts}
    parent = [None] + ["income_fiscal"] * 3 + [None] * len(INCOME_OTHER_PARTS)
    return shares_frame(view, parts, labels, (w, w_ok), decimals, {"parent": parent})


def expense_shares(source: Source, decimals: int | None = 1) -> pd.DataFrame:
    """本年支出 by kind (T03) vs 本年支出合计, as :func:`.structure.expense_structure`."""
    return shares_panel(source, "T03", EXPENSE_PARTS, "total", decimals=decimals)


def procurement_shares(source: Source, decimals: int | None = 1) -> pd.DataFrame:
    """政府采购 parts vs 政府采购支出总额, as :func:`fiscal_analysis.metrics.entity.procurement`."""
    return shares_panel(source, "procurement", PROCUREMENT_PARTS, "total", decimals=decimals)


def basic_shares(source: Source, decimals: int | None = 1) -> pd.DataFrame:
    """人员经费 / 公用经费 (T06) vs 基本支出 (T05), as :func:`.structure.basic_structure`.

    When T05 基本支出 is missing, the sum of the two parts is the whole.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = basic_shares(load_dataset("data"))
        >>> [str(p) for p in df.loc[df["year"] == 2020, "share_rounded"]]
        ['94.0', '6.0']
    """
    view = view_of(source)
    w, w_ok, _ = _part(view, "T05", "basic")
    parts = {x: _part(view, "T06", x) for x in ("personnel_total", "public_total")}
    both = parts["personnel_total"][1] & parts["public_total"][1]
    fill = ~w_ok & both
    w = np.where(fill, parts["personnel_total"][0] + parts["public_total"][0], w)
    labels = {"personnel_total": "人员经费", "public_total": "公用经费"}
    return shares_frame(view, parts, labels, (w, w_ok | fill), decimals)


def function_shares(
    source: Source,
    level: str = "类",
    table: str = "T05",
    item: str = "total",
    decimals: int | None = 1,
) -> pd.DataFrame:
    """Lines by 功能分类 vs the table's 合计, as :func:`.structure.function_structure`.

    One row per (entity_id, year, code) that has ``item`` at ``level``;
    columns ``code``, ``name``, ``full_name``, ``level``, ``amount``,
    ``status``, ``whole``, ``share_num``, ``share_den``, ``share_rounded``.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = function_shares(load_dataset("data")).query("entity_id == 'lusong-xzsp'")
        >>> [(r.code, str(r.amount), str(r.share_rounded)) for r in df.itertuples()]
        [('201', '258.47', '77.0'), ('210', '77.31', '23.0')]
    """
    if level not in LEVEL_DIGITS:
        raise ValueError(f"level 应为 类、款 或 项 (got {level!r})")
    view = view_of(source)
    lines = view.lines(table, LEVEL_DIGITS[level])
    vals, ok, keep = view.line_item(lines, item)
    pair, code_id = lines.pair[keep], lines.code_id[keep]
    vals, ok = vals[keep], ok[keep]
    basis = lines.basis.get(item, np.full(len(keep), None, dtype=object))[keep]
    status = np.where(ok, basis, "undisclosed").astype(object)
    w, w_ok, _ = _part(view, table, item)
    w, w_ok = w[pair], w_ok[pair]
    has = ok & w_ok & (w != 0)
    cl = view.ds.classification
    code = lines.codes[code_id]
    names = np.array([cl.name(c) for c in lines.codes], dtype=object)[code_id]
    full = np.array([cl.full_name(c) for c in lines.codes], dtype=object)[code_id]
    df = frame_of(
        {
            **view.pair_columns(pair),
            "code": code,
            "name": names,
            "full_name": full,
            "level": np.full(len(pair), level, dtype=object),
            "amount": _int(vals, ok),
            "status": status,
            "whole": _int(w, w_ok),
            "share_num": _int(vals, has),
            "share_den": _int(w, has),
        },
        ("entity_id", "code", "name", "full_name", "level", "status"),
    )
    if decimals is not None:
        df["share_rounded"] = ratio_pct_panel(df["share_num"], df["share_den"], decimals)
    return as_wan(df, decimals=view.amount_decimals)
