"""决算 against 预算, 三公 and 机关运行经费 for every entity × year at once, exactly.

Long frames (one row per entity-year and line) built from a
:class:`~fiscal_analysis.metrics.view.PanelView`; amounts in exact 万元
(:mod:`.units`), rates as exact ``*_num`` / ``*_den`` amount pairs (percent =
num / den × 100, ``<NA>`` when the base is 0 or missing, never infinite) and
``*_rounded`` Decimals for presentation. They agree row for row with
:func:`fiscal_analysis.metrics.entity.budget_completion`,
:func:`~fiscal_analysis.metrics.entity.total_completion`,
:func:`~fiscal_analysis.metrics.entity.three_public` and
:func:`~fiscal_analysis.metrics.entity.ops_cost`.

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> df = completion_panel(load_dataset("data"))
    >>> r = df.set_index("code").loc["2013801"]
    >>> str(r["budget"]), str(r["actual"]), r["direction"], r["rate_rounded"]
    ('200.35', '10.00', '小于', Decimal('5.0'))
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fiscal_analysis.metrics.rates import change_columns, completion_columns, ratio_pct_panel
from fiscal_analysis.metrics.units import as_wan, frame_of
from fiscal_analysis.metrics.view import Source, view_of
from fiscal_analysis.schema.classification import LEVEL_DIGITS
from fiscal_analysis.schema.items import TABLES

__all__ = ["BASES", "completion_panel", "ops_cost_panel", "three_public_panel"]

#: Budget item → its name in reasons.
BASES = {"budget_initial": "年初预算", "budget_adjusted": "调整预算"}
_THREE_PUBLIC = ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")


def _int(values: np.ndarray, valid: np.ndarray) -> pd.Series:
    return pd.Series(pd.arrays.IntegerArray(np.where(valid, values, 0).astype(np.int64), ~valid))


def _prior(view, values: pd.Series) -> pd.Series:
    """The same entity's value one year earlier (``<NA>`` if that year is absent)."""
    at = view.prior_pair
    v = values.to_numpy(dtype=np.int64, na_value=0)
    ok = values.notna().to_numpy(dtype=bool)
    has = at >= 0
    safe = np.where(has, at, 0)
    return _int(v[safe], has & ok[safe])


def _rounded(df: pd.DataFrame, name: str, decimals: int | None) -> pd.DataFrame:
    if decimals is not None:
        df[f"{name}_rounded"] = ratio_pct_panel(df[f"{name}_num"], df[f"{name}_den"], decimals)
    return df


def completion_panel(
    source: Source, level: str = "项", basis: str = "budget_initial", decimals: int | None = 1
) -> pd.DataFrame:
    """05表 决算 (``total``) against a budget, per (entity_id, year, code).

    Args:
        source: A Dataset or a PanelView.
        level: ``类``, ``款`` or ``项`` (every code of that length that has any
            05表 row), or ``合计`` (one row per entity-year, code ``""``).
        basis: ``budget_initial`` (年初预算) or ``budget_adjusted`` (调整预算).
        decimals: Decimals of ``rate_rounded`` (``None``: leave it out).

    Returns:
        Columns ``entity_id``, ``year``, ``code``, ``name``, ``full_name``,
        ``budget``, ``actual``, ``delta``, ``direction`` (大于/小于/持平),
        ``rate_num``, ``rate_den``, ``reason`` and ``rate_rounded``.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ds = load_dataset("data")
        >>> t = completion_panel(ds, "合计").query("entity_id == 'lusong-xzsp'")
        >>> t[["year", "rate_rounded", "direction"]].values.tolist()
        [[2019, None, None], [2020, Decimal('167.6'), '大于']]
        >>> c = completion_panel(ds).set_index("code")
        >>> c.loc["2010301", ["rate_num", "rate_rounded", "reason"]].tolist()
        [<NA>, None, '年初预算为0，无法计算完成率']
    """
    if basis not in BASES:
        raise ValueError(f"basis 应为 budget_initial 或 budget_adjusted (got {basis!r})")
    if level != "合计" and level not in LEVEL_DIGITS:
        raise ValueError(f"level 应为 合计、类、款 或 项 (got {level!r})")
    view = view_of(source)
    cl = view.ds.classification
    if level == "合计":
        actual, budget = view.figure("T05", "total")[0], view.figure("T05", basis)[0]
        pair = np.arange(len(view.pairs))
        actual, budget = actual.reset_index(drop=True), budget.reset_index(drop=True)
        code_id, codes = np.zeros(len(pair), dtype=np.int64), np.array([""], dtype=object)
    else:
        lines = view.lines("T05", LEVEL_DIGITS[level])
        pair, code_id, codes = lines.pair, lines.code_id, lines.codes
        actual = _int(*view.line_item(lines, "total")[:2])
        budget = _int(*view.line_item(lines, basis)[:2])
    names = np.array([cl.name(c) if c else "合计" for c in codes], dtype=object)[code_id]
    fulls = np.array([cl.full_name(c) if c else "合计" for c in codes], dtype=object)[code_id]
    code = codes[code_id]
    cols = {**view.pair_columns(pair), "code": code, "name": names, "full_name": fulls}
    head = frame_of(cols, ("entity_id", "code", "name", "full_name"))
    df = pd.concat([head, completion_columns(actual, budget, BASES[basis])], axis=1)
    df = df[["entity_id", "year", "code", "name", "full_name", "budget", "actual", "delta",
             "direction", "rate_num", "rate_den", "reason"]]  # fmt: skip
    for c in ("entity_id", "code", "name", "full_name", "direction", "reason"):
        df[c] = df[c].astype(object)
    return as_wan(_rounded(df, "rate", decimals), decimals=view.amount_decimals)


def ops_cost_panel(source: Source, decimals: int | None = 1) -> pd.DataFrame:
    """机关运行经费 against 年初预算 and against 上年决算: two rows per entity-year.

    Columns ``entity_id``, ``year``, ``comparison`` (``年初预算``/``上年决算``),
    ``base``, ``actual``, ``delta``, ``direction``, ``change_num``, ``change_den``,
    ``note``, ``change_rounded``.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = ops_cost_panel(load_dataset("data"))
        >>> df[df["year"] == 2020][["delta", "change_rounded"]].values.tolist()
        [[Decimal('-10.18'), Decimal('-47.0')], [Decimal('-32.96'), Decimal('-74.2')]]
    """
    view = view_of(source)
    actual = view.figure("ops_cost", "actual")[0].reset_index(drop=True)
    budget = view.figure("ops_cost", "budget_initial")[0].reset_index(drop=True)
    frames = []
    for label, base in (("年初预算", budget), ("上年决算", _prior(view, actual))):
        c = change_columns(actual, base, base_label="上年" if label == "上年决算" else label)
        c.insert(0, "comparison", label)
        c.insert(0, "_pair", np.arange(len(actual)))
        frames.append(c)
    df = pd.concat(frames, ignore_index=True).sort_values("_pair", kind="stable")
    pair = df.pop("_pair").to_numpy()
    df = df.rename(columns={"prior": "base", "current": "actual"}).reset_index(drop=True)
    head = frame_of(view.pair_columns(pair), ("entity_id",))
    df = pd.concat([head, df], axis=1)
    df = df[["entity_id", "year", "comparison", "base", "actual", "delta", "direction",
             "change_num", "change_den", "note"]]  # fmt: skip
    for c in ("entity_id", "comparison", "direction", "note"):
        df[c] = df[c].astype(object)
    return as_wan(_rounded(df, "change", decimals), decimals=view.amount_decimals)


def three_public_panel(source: Source, decimals: int | None = 1) -> pd.DataFrame:
    """“三公”经费 (T07) per line: completion against 预算, change on last year, share.

    Columns ``entity_id``, ``year``, ``item``, ``label``, ``budget``, ``actual``, ``rate_num``,
    ``rate_den``, ``reason``, ``prior``, ``delta``, ``direction``,
    ``change_num``, ``change_den``, ``note``, ``share_num``, ``share_den``,
    ``status`` (of the actual) and the ``*_rounded`` Decimals.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = three_public_panel(load_dataset("data"))
        >>> r = df[(df["year"] == 2020) & (df["item"] == "abroad")].iloc[0]
        >>> int(r["actual"]), r["rate_rounded"], r["direction"], r["reason"]
        (0, None, '持平', '预算为0，无法计算完成率')
    """
    view = view_of(source)
    n, k = len(view.pairs), len(_THREE_PUBLIC)

    def stacked(suffix: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pair-major) values, valid mask and statuses of every line's ``suffix`` item."""
        parts = [view.figure("T07", f"{line}_{suffix}") for line in _THREE_PUBLIC]
        vals = np.stack([s.to_numpy(dtype=np.int64, na_value=0) for s, _ in parts], axis=1)
        ok = np.stack([s.notna().to_numpy(dtype=bool) for s, _ in parts], axis=1)
        st = np.stack([np.asarray(status, dtype=object) for _, status in parts], axis=1)
        return vals.ravel(), ok.ravel(), st.ravel()

    actual_v, actual_ok, status = stacked("actual")
    budget_v, budget_ok, _ = stacked("budget")
    actual, budget = _int(actual_v, actual_ok), _int(budget_v, budget_ok)
    prior_at = np.repeat(view.prior_pair, k) * k + np.tile(np.arange(k), n)
    has_prior = np.repeat(view.prior_pair >= 0, k)
    safe = np.where(has_prior, prior_at, 0)
    prior = _int(actual_v[safe], has_prior & actual_ok[safe])
    total_s = view.figure("T07", "total_actual")[0]
    total_v = np.repeat(total_s.to_numpy(dtype=np.int64, na_value=0), k)
    total_ok = np.repeat(total_s.notna().to_numpy(dtype=bool), k)
    comp = completion_columns(actual, budget, "预算")
    yoy = change_columns(actual, prior)
    share_ok = actual_ok & total_ok & (total_v != 0)
    labels = [
        TABLES["T07"].items[f"{x}_actual"].label.removesuffix("决算数") for x in _THREE_PUBLIC
    ]
    pair = np.repeat(np.arange(n), k)
    df = frame_of(
        {
            **view.pair_columns(pair),
            "item": np.tile(np.array(_THREE_PUBLIC, dtype=object), n),
            "label": np.tile(np.array(labels, dtype=object), n),
            "budget": budget,
            "actual": actual,
            "rate_num": comp["rate_num"],
            "rate_den": comp["rate_den"],
            "reason": comp["reason"],
            "prior": yoy["prior"],
            "delta": yoy["delta"],
            "direction": yoy["direction"],
            "change_num": yoy["change_num"],
            "change_den": yoy["change_den"],
            "note": yoy["note"],
            "share_num": _int(actual_v, share_ok),
            "share_den": _int(total_v, share_ok),
            "status": status,
        },
        ("entity_id", "item", "label", "reason", "direction", "note", "status"),
    )
    for name in ("rate", "change", "share"):
        df = _rounded(df, name, decimals)
    return as_wan(df, decimals=view.amount_decimals)
