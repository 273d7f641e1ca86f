"""Exact, vectorised rates over whole columns: integer half-up rounding, changes, completion.

A rate is kept as two exact ``Int64`` columns, a numerator and a
denominator, meaning ``num / den × 100`` percent; ``<NA>`` in both when no rate
exists (zero or missing base). Rounding happens only at presentation, with
integer arithmetic on whole columns (numpy ``int64``, or Python ints when the
numbers are too large for it): never a binary float. The results agree with
:func:`fiscal_analysis.money.ratio_pct`, :func:`fiscal_analysis.metrics.exact.change`
and :func:`fiscal_analysis.metrics.exact.completion` row for row.

Examples:
    >>> num = pd.Series([1, -1, 5, 7, 3], dtype="Int64")
    >>> den = pd.Series([16, 16, 0, None, 8], dtype="Int64")
    >>> round_ratio(num, den, 1).tolist()      # 6.25 -> 6.3, -6.25 -> -6.3, 37.5
    [63, -63, <NA>, <NA>, 375]
    >>> [str(d) for d in ratio_pct_panel(num, den, 1)]
    ['6.3', '-6.3', 'None', 'None', '37.5']
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from fiscal_analysis.metrics.exact import BUDGET_WORDS, DIRECTIONS
from fiscal_analysis.metrics.units import to_fen

__all__ = [
    "change_columns",
    "completion_columns",
    "fractions_of",
    "ratio_pct_panel",
    "round_ratio",
    "units_to_decimal",
]

#: Sign of 决算 − 预算 → words (决算数大于/小于/持平 预算数).
_INT64_MAX = 2**63 - 1


def _ints(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``int64`` 分 (0 where missing) and the mask of present values (万元 or ``Int64``)."""
    s = to_fen(s)
    return s.to_numpy(dtype="int64", na_value=0), s.notna().to_numpy(dtype=bool)


def _int_series(values: np.ndarray, valid: np.ndarray, index: pd.Index) -> pd.Series:
    arr = pd.arrays.IntegerArray(np.where(valid, values, 0).astype("int64"), ~valid)
    return pd.Series(arr, index=index)


def round_ratio(num: pd.Series, den: pd.Series, decimals: int = 1, scale: int = 100) -> pd.Series:
    """``num / den × scale`` rounded half up (四舍五入) to ``decimals``, in units of 10⁻ᵖˡᵃᶜᵉˢ.

    Whole columns at once with integer arithmetic: for ``a = |num|``,
    ``b = |den|`` the rounded magnitude is ``(2·a·scale·10ᵖ + b) // (2·b)`` and
    the sign is that of ``num·den`` (a zero result is never negative). Python
    ints are used instead of ``int64`` when the products could overflow.

    Args:
        num: Numerators (``Int64``, same index as ``den``).
        den: Denominators; ``0`` or ``<NA>`` gives ``<NA>`` (no rate).
        decimals: Decimals kept.
        scale: 100 for a percent.

    Returns:
        ``Int64`` rounded values times ``10**decimals`` (``494`` for 49.4 %).

    Raises:
        ValueError: If a rounded ratio does not fit in ``int64`` units.

    Examples:
        >>> round_ratio(pd.Series([-32717]), pd.Series([66295])).tolist()
        [-494]
        >>> round_ratio(pd.Series([1]), pd.Series([-30])).tolist()   # -3.33… -> -3.3
        [-33]
        >>> round_ratio(pd.Series([1]), pd.Series([-3000])).tolist()  # -0.03… -> 0.0
        [0]
    """
    n, n_ok = _ints(num)
    d, d_ok = _ints(den)
    ok = n_ok & d_ok & (d != 0)
    a = np.abs(np.where(ok, n, 0))
    b = np.abs(np.where(ok, d, 1))
    mult = 2 * scale * 10**decimals
    big = len(a) and int(a.max()) * mult + int(b.max()) > _INT64_MAX // 2
    if big:
        a, b = a.astype(object), b.astype(object)
    q = (a * mult + b) // (2 * b)
    try:
        q = np.asarray(q, dtype=np.int64)
    except OverflowError as exc:
        raise ValueError("比率过大，无法表示 (a rounded ratio exceeds 9.2e18 units)") from exc
    signed = np.sign(n) * np.sign(d) * q
    return _int_series(signed, ok, num.index)


def units_to_decimal(units: pd.Series, decimals: int = 1) -> pd.Series:
    """``Int64`` units of 10⁻ᵖˡᵃᶜᵉˢ as exact :class:`~decimal.Decimal` (``None`` for ``<NA>``).

    Each distinct value is converted once, so a column of shares costs about
    as many Decimal constructions as there are distinct percents.

    Examples:
        >>> units_to_decimal(pd.Series([494, -5, None], dtype="Int64"), 1).tolist()
        [Decimal('49.4'), Decimal('-0.5'), None]
    """
    vals, ok = _ints(units)
    out = np.full(len(vals), None, dtype=object)
    if ok.any():
        v = vals[ok]
        lo, hi = int(v.min()), int(v.max())
        if hi - lo <= 4 * len(v) + 1000:  # dense: index by offset, no sort
            seen = np.zeros(hi - lo + 1, dtype=bool)
            seen[v - lo] = True
            uniq = np.flatnonzero(seen) + lo
            inv = (np.cumsum(seen) - 1)[v - lo]
        else:
            uniq, inv = np.unique(v, return_inverse=True)
        decs = np.array([Decimal(int(u)).scaleb(-decimals) for u in uniq] + [None], dtype=object)
        out[ok] = decs[inv.reshape(-1)]
    return pd.Series(out, index=units.index, dtype=object)


def ratio_pct_panel(num: pd.Series, den: pd.Series, decimals: int = 1) -> pd.Series:
    """Vectorised :func:`fiscal_analysis.money.ratio_pct`: rounded percents as Decimals.

    Examples:
        >>> ratio_pct_panel(pd.Series([33578, 1]), pd.Series([20035, 0])).tolist()
        [Decimal('167.6'), None]
    """
    return units_to_decimal(round_ratio(num, den, decimals), decimals)


def fractions_of(num: pd.Series, den: pd.Series) -> list[Fraction | None]:
    """Exact percents ``num / den × 100`` as Fractions, made only when asked for.

    Examples:
        >>> fractions_of(pd.Series([1, 2], dtype="Int64"), pd.Series([16, None], dtype="Int64"))
        [Fraction(25, 4), None]
    """
    n, n_ok = _ints(num)
    d, d_ok = _ints(den)
    ok = n_ok & d_ok & (d != 0)
    return [Fraction(int(x) * 100, int(y)) if k else None for x, y, k in zip(n, d, ok, strict=True)]


def _words(signs: np.ndarray, valid: np.ndarray, words: dict[int, str]) -> np.ndarray:
    table = np.array([words[-1], words[0], words[1], None], dtype=object)
    return table[np.where(valid, signs + 1, 3)]


def change_columns(current: pd.Series, prior: pd.Series, base_label: str = "上年") -> pd.DataFrame:
    """Vectorised :func:`fiscal_analysis.metrics.exact.change` for aligned ``Int64`` columns.

    Returns:
        A frame on the same index: ``current``, ``prior``, ``delta`` (``Int64``
        分), ``direction`` (增加/减少/持平 or ``None``), ``change_num`` =
        delta and ``change_den`` = |prior| (the exact percent is
        ``change_num / change_den × 100``; ``<NA>`` when the base is 0 or missing) and
        ``note`` (why there is no rate, else ``""``).

    Examples:
        >>> c = change_columns(pd.Series([33578, 2600, 500], dtype="Int64"),
        ...                    pd.Series([66295, 0, None], dtype="Int64"))
        >>> c[["delta", "direction", "change_num", "change_den"]].values.tolist()
        [[-32717, '减少', -32717, 66295], [2600, '增加', <NA>, <NA>], [<NA>, None, <NA>, <NA>]]
        >>> c["note"].tolist()
        ['', '上年为0，无法计算增长率', '缺少上年数据，无法比较']
    """
    cur, c_ok = _ints(current)
    pri, p_ok = _ints(prior)
    ok = c_ok & p_ok
    delta = cur - pri
    sign = np.sign(delta)
    has_pct = ok & (pri != 0)
    note = np.full(len(cur), "", dtype=object)
    note[ok & (pri == 0) & (delta != 0)] = f"{base_label}为0，无法计算增长率"
    note[~c_ok] = "缺少本年数据，无法比较"
    note[~p_ok] = f"缺少{base_label}数据，无法比较"
    idx = current.index
    return pd.DataFrame(
        {
            "current": _int_series(cur, c_ok, idx),
            "prior": _int_series(pri, p_ok, idx),
            "delta": _int_series(delta, ok, idx),
            "direction": pd.Series(_words(sign, ok, DIRECTIONS), index=idx, dtype=object),
            "change_num": _int_series(delta, has_pct, idx),
            "change_den": _int_series(np.abs(pri), has_pct, idx),
            "note": pd.Series(note, index=idx, dtype=object),
        },
        index=idx,
    )


def completion_columns(
    actual: pd.Series, budget: pd.Series, basis: str = "年初预算"
) -> pd.DataFrame:
    """Vectorised :func:`fiscal_analysis.metrics.exact.completion` for aligned ``Int64`` columns.

    Returns:
        ``actual``, ``budget``, ``delta`` (``Int64``), ``direction``
        (大于/小于/持平 or ``None``), ``rate_num`` = actual and ``rate_den`` =
        budget (rate = ``rate_num / rate_den × 100``, ``<NA>`` when the budget is
        0 or missing: never infinite) and ``reason``.

    Examples:
        >>> c = completion_columns(pd.Series([1000, 9920, 1], dtype="Int64"),
        ...                        pd.Series([20035, 0, None], dtype="Int64"))
        >>> c[["delta", "direction", "rate_num", "rate_den"]].values.tolist()
        [[-19035, '小于', 1000, 20035], [9920, '大于', <NA>, <NA>], [<NA>, None, <NA>, <NA>]]
        >>> c["reason"].tolist()
        ['', '年初预算为0，无法计算完成率', '缺少年初预算数，无法计算完成率']
    """
    act, a_ok = _ints(actual)
    bud, b_ok = _ints(budget)
    ok = a_ok & b_ok
    delta = act - bud
    has_rate = ok & (bud != 0)
    reason = np.full(len(act), "", dtype=object)
    reason[ok & (bud == 0)] = f"{basis}为0，无法计算完成率"
    reason[~a_ok] = "缺少决算数，无法计算完成率"
    reason[~b_ok] = f"缺少{basis}数，无法计算完成率"
    idx = actual.index
    return pd.DataFrame(
        {
            "actual": _int_series(act, a_ok, idx),
            "budget": _int_series(bud, b_ok, idx),
            "delta": _int_series(delta, ok, idx),
            "direction": pd.Series(
                _words(np.sign(delta), ok, BUDGET_WORDS), index=idx, dtype=object
            ),
            "rate_num": _int_series(act, has_rate, idx),
            "rate_den": _int_series(bud, has_rate, idx),
            "reason": pd.Series(reason, index=idx, dtype=object),
        },
        index=idx,
    )
