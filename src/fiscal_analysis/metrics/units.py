"""Amounts in 万元, exactly: integer 分 inside the engine, decimal 万元 in every frame.

The panel engine computes on ``int64`` 分 (0.01元 = 0.000001万元, the dataset's
minor unit; numpy, no floats), so a figure printed in 元 ("31,205.40元") stays
exact. Every frame it returns shows amounts in 万元 as exact decimals (Arrow
``decimal128`` through :class:`pandas.ArrowDtype`) with two decimals, the same
figures as printed in the disclosure, when every amount of the dataset is a
whole 0.01万元 (:data:`WAN`), and with six decimals (:data:`WAN_FEN`) only when
some amount is finer. No binary float anywhere. :data:`AMOUNT_COLUMNS` lists the
columns that hold amounts, in every frame (see the column vocabulary in
``data/README.md``).

Examples:
    >>> s = to_wan(pd.Series([335780000, -327170000, None], dtype="Int64"))
    >>> s.tolist(), s.dtype == WAN
    ([Decimal('335.78'), Decimal('-327.17'), <NA>], True)
    >>> to_fen(s).tolist()
    [335780000, -327170000, <NA>]
    >>> fine = to_wan(pd.Series([3120540, 26000000], dtype="Int64"))
    >>> fine.tolist(), fine.dtype == WAN_FEN
    ([Decimal('3.120540'), Decimal('26.000000')], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
import pyarrow as pa

from fiscal_analysis.money import CENT

__all__ = [
    "AMOUNT_COLUMNS",
    "WAN",
    "WAN_FEN",
    "amount_decimals",
    "as_wan",
    "decimals_of",
    "frame_of",
    "in_fen",
    "is_amount",
    "to_fen",
    "to_wan",
    "wan_dtype",
]


#: Whether the panel functions show amounts in 万元 (off inside :func:`in_fen`).
_SHOW_WAN: ContextVar[bool] = ContextVar("show_wan", default=True)


@contextmanager
def in_fen() -> Iterator[None]:
    """Inside the block, panel frames keep the engine's ``Int64`` 分 (not 万元).

    For the presentation of one entity-year (:mod:`.present`), which reads a few
    rows as exact Decimals anyway: the frame is not converted to 万元 and back.
    """
    token = _SHOW_WAN.set(False)
    try:
        yield
    finally:
        _SHOW_WAN.reset(token)


#: The dtype of an amount column when every amount is a whole 0.01万元 (as printed).
WAN = pd.ArrowDtype(pa.decimal128(38, 2))
#: The dtype of an amount column when some amount is finer than 0.01万元 (exact 分).
WAN_FEN = pd.ArrowDtype(pa.decimal128(38, 6))

#: Columns that hold amounts (万元) in the metric frames; rates keep their numerator and
#: denominator as amounts too (``share_num``/``share_den`` …), so their ratio is exact.
AMOUNT_COLUMNS = (
    "amount",
    "whole",
    "actual",
    "budget",
    "current",
    "prior",
    "base",
    "delta",
    "share_num",
    "share_den",
    "change_num",
    "change_den",
    "rate_num",
    "rate_den",
)


def wan_dtype(decimals: int) -> pd.ArrowDtype:
    """:data:`WAN` for 2 decimals, :data:`WAN_FEN` for 6."""
    if decimals not in (2, 6):
        raise ValueError(f"万元金额列为 2 或 6 位小数 (2 or 6 decimals), 实为 {decimals}")
    return WAN if decimals == 2 else WAN_FEN


def amount_decimals(fen: np.ndarray | pd.Series) -> int:
    """2 when every amount (in 分) is a whole 0.01万元, else 6.

    Examples:
        >>> amount_decimals(np.array([335780000, 0])), amount_decimals(np.array([3120540]))
        (2, 6)
    """
    if isinstance(fen, pd.Series):
        fen = fen.astype("Int64").to_numpy(dtype=np.int64, na_value=0)
    return 2 if not (np.asarray(fen, dtype=np.int64) % CENT).any() else 6


def decimals_of(column: pd.Series) -> int:
    """The decimals an amount column shows: its decimal scale, or what its 分 need.

    Examples:
        >>> decimals_of(to_wan(pd.Series([26000000], dtype="Int64")))
        2
        >>> decimals_of(pd.Series([3120540], dtype="Int64"))
        6
    """
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_decimal(dtype.pyarrow_dtype):
        return 2 if dtype.pyarrow_dtype.scale <= 2 else 6
    return amount_decimals(column)


def to_wan(fen: pd.Series, decimals: int | None = None) -> pd.Series:
    """``Int64`` 分 → exact 万元 (``decimal128``), on the same index.

    Args:
        fen: The amounts in 分.
        decimals: 2 or 6; ``None`` takes 2 when every value is a whole 0.01万元.

    Raises:
        ValueError: If ``decimals`` is 2 but an amount is finer than 0.01万元.
    """
    s = fen.astype("Int64")
    values = s.to_numpy(dtype=np.int64, na_value=0)
    valid = s.notna().to_numpy(dtype=bool)
    need = amount_decimals(values)
    if decimals is None:
        decimals = need
    elif need > decimals:
        raise ValueError("金额精确到分，不能只显示两位小数 (amounts finer than 0.01万元)")
    if decimals == 2:
        values = values // CENT
    dtype = wan_dtype(decimals)
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0], words[:, 1] = values, values >> 63  # 128-bit two's complement, little-endian
    mask = pa.py_buffer(np.packbits(valid, bitorder="little"))
    arr = pa.Array.from_buffers(dtype.pyarrow_dtype, len(values), [mask, pa.py_buffer(words)])
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=s.index, name=s.name)


def is_amount(column: pd.Series) -> bool:
    """Whether a column holds amounts: exact 万元 decimals or ``Int64`` 分."""
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_decimal(dtype.pyarrow_dtype)
    return isinstance(dtype, pd.Int64Dtype)


def to_fen(amounts: pd.Series) -> pd.Series:
    """Amounts (万元 decimals of any scale up to 6, or already ``Int64`` 分) → ``Int64`` 分."""
    if not isinstance(amounts.dtype, pd.ArrowDtype):
        return amounts.astype("Int64")
    arr = amounts.array._pa_array.combine_chunks()
    scale = arr.type.scale if pa.types.is_decimal128(arr.type) else None
    if scale not in (2, 6):
        arr, scale = arr.cast(WAN_FEN.pyarrow_dtype), 6
    words = np.frombuffer(
        arr.buffers()[1], dtype=np.int64, count=2 * len(arr), offset=arr.offset * 16
    )
    valid = amounts.notna().to_numpy(dtype=bool)
    low = words[0::2]
    if scale == 2:  # whole 0.01万元: × 10,000 分, within int64 (the reader allows ≤ 10¹² 万元)
        if np.abs(np.where(valid, low, 0)).max(initial=0) >= (2**63 - 1) // CENT:
            raise ValueError("金额超出 int64 分的范围 (amount too large for int64 分)")
        low = low * CENT
    return pd.Series(
        pd.arrays.IntegerArray(np.where(valid, low, 0), ~valid),
        index=amounts.index,
        name=amounts.name,
    )


def as_wan(
    df: pd.DataFrame, columns: Iterable[str] = AMOUNT_COLUMNS, decimals: int | None = None
) -> pd.DataFrame:
    """``df`` with its ``Int64`` 分 amount columns shown as exact 万元 (in place).

    Args:
        df: The frame.
        columns: The amount columns to convert (those present and ``Int64``).
        decimals: 2 or 6 for every column (e.g. the dataset's
            :attr:`~fiscal_analysis.metrics.view.PanelView.amount_decimals`);
            ``None`` takes 2 when every amount of these columns is a whole 0.01万元.
    """
    if not _SHOW_WAN.get():
        return df
    cols = [c for c in columns if c in df.columns and isinstance(df[c].dtype, pd.Int64Dtype)]
    if decimals is None:
        decimals = max((amount_decimals(df[c]) for c in cols), default=2)
    for c in cols:
        df[c] = to_wan(df[c], decimals)
    return df


def frame_of(columns: Mapping[str, object], text: Iterable[str]) -> pd.DataFrame:
    """``pd.DataFrame(columns)`` with the ``text`` columns as Python objects.

    pandas 3 stores an object array of strings as its ``str`` dtype, which costs
    a conversion there and another back when the column is wanted as objects,
    and turns ``None`` into ``nan`` in a column that also holds strings. The
    ``text`` columns are wrapped as object Series instead: nothing converted,
    ``None`` kept.

    Examples:
        >>> df = frame_of({"a": np.array(["x", None], dtype=object), "b": [1, 2]}, ["a"])
        >>> str(df["a"].dtype), df["a"].tolist()
        ('object', ['x', None])
    """
    wanted = set(text)
    return pd.DataFrame(
        {k: pd.Series(v, dtype=object) if k in wanted else v for k, v in columns.items()}
    )
