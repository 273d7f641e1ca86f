"""Amounts in 万元, exactly: integer hundredths inside the engine, decimal 万元 in every frame.

The panel engine computes on ``int64`` hundredths of 万元 (numpy, no floats).
Every frame it returns shows amounts in 万元 as exact decimals with two decimals
(Arrow ``decimal128(38, 2)`` through :class:`pandas.ArrowDtype`): the same
figures as printed in the disclosure, with no binary float anywhere.
:data:`AMOUNT_COLUMNS` lists the columns that hold amounts, in every frame
(see the column vocabulary in ``data/README.md``).

Examples:
    >>> s = to_wan(pd.Series([33578, -32717, None], dtype="Int64"))
    >>> s.tolist()
    [Decimal('335.78'), Decimal('-327.17'), <NA>]
    >>> to_hundredths(s).tolist()
    [33578, -32717, <NA>]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "AMOUNT_COLUMNS",
    "WAN",
    "as_wan",
    "in_hundredths",
    "is_amount",
    "to_hundredths",
    "to_wan",
]

#: Whether the panel functions show amounts in 万元 (off inside :func:`in_hundredths`).
_SHOW_WAN: ContextVar[bool] = ContextVar("show_wan", default=True)


@contextmanager
def in_hundredths() -> Iterator[None]:
    """Inside the block, panel frames keep the engine's ``Int64`` hundredths (not 万元).

    For the presentation of one entity-year (:mod:`.present`), which reads a few
    rows as exact Decimals anyway: the frame is not converted to 万元 and back.
    """
    token = _SHOW_WAN.set(False)
    try:
        yield
    finally:
        _SHOW_WAN.reset(token)


#: The dtype of an amount column: exact 万元 with two decimal decimals.
WAN = pd.ArrowDtype(pa.decimal128(38, 2))

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


def to_wan(hundredths: pd.Series) -> pd.Series:
    """``Int64`` hundredths of 万元 → exact 万元 (``decimal128(38, 2)``), on the same index."""
    s = hundredths.astype("Int64")
    values = s.to_numpy(dtype=np.int64, na_value=0)
    valid = s.notna().to_numpy(dtype=bool)
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0], words[:, 1] = values, values >> 63  # 128-bit two's complement, little-endian
    mask = pa.py_buffer(np.packbits(valid, bitorder="little"))
    arr = pa.Array.from_buffers(WAN.pyarrow_dtype, len(values), [mask, pa.py_buffer(words)])
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=s.index, name=s.name)


def is_amount(column: pd.Series) -> bool:
    """Whether a column holds amounts: exact 万元 decimals or ``Int64`` hundredths."""
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_decimal(dtype.pyarrow_dtype)
    return isinstance(dtype, pd.Int64Dtype)


def to_hundredths(amounts: pd.Series) -> pd.Series:
    """Amounts (万元 decimals, or already ``Int64`` hundredths) → ``Int64`` hundredths."""
    if not isinstance(amounts.dtype, pd.ArrowDtype):
        return amounts.astype("Int64")
    arr = amounts.array._pa_array.combine_chunks().cast(WAN.pyarrow_dtype)
    words = np.frombuffer(
        arr.buffers()[1], dtype=np.int64, count=2 * len(arr), offset=arr.offset * 16
    )
    valid = amounts.notna().to_numpy(dtype=bool)
    low = words[0::2]
    return pd.Series(
        pd.arrays.IntegerArray(np.where(valid, low, 0), ~valid),
        index=amounts.index,
        name=amounts.name,
    )


def as_wan(df: pd.DataFrame, columns: Iterable[str] = AMOUNT_COLUMNS) -> pd.DataFrame:
    """``df`` with its ``Int64`` hundredths amount columns shown as exact 万元 (in place)."""
    if not _SHOW_WAN.get():
        return df
    for c in columns:
        if c in df.columns and isinstance(df[c].dtype, pd.Int64Dtype):
            df[c] = to_wan(df[c])
    return df
