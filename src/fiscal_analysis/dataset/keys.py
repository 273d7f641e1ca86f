"""Integer keys over code columns: made in place, numbered and tested for repeats.

A row's key over several factorized columns is one ``int64`` (each column's
code scaled by the next column's number of distinct values). The functions
here number keys and find repeated keys in a single pass over the rows where
they can: by marking a table of every possible key when that table is small,
and by sorting runs that are already in order (rows usually arrive grouped
by entity, year and table) instead of hashing every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["all_distinct", "dense_codes", "scaled_sum"]

#: A key space of at most this many keys per row (or 2**20 in all) is marked in a table
#: (a byte and four bytes per possible key, briefly).
TABLE_PER_ROW = 2


def scaled_sum(a: np.ndarray, k: int, b: np.ndarray) -> np.ndarray:
    """``a * k + b`` as a new ``int64`` array (a key over two code columns), made in place:
    one array of every row instead of three, each of them fresh memory to fault in.

    Examples:
        >>> scaled_sum(np.array([0, 1, 2], dtype=np.int8), 10, np.array([3, 4, 5])).tolist()
        [3, 14, 25]
    """
    out = np.multiply(a, k, dtype=np.int64)
    out += b
    return out


def dense_codes(key: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, keys)``: each row's number among the distinct keys (an integer array, int32
    where the table numbers them), and those keys, sorted (``int64``).

    ``key`` holds integers, usually non-negative and below ``bound``. A small key space
    (:data:`TABLE_PER_ROW`) is marked in a table and numbered from it, with no
    hashing; a large one is hashed (:func:`pandas.factorize`). Either way the
    distinct keys come out in ascending order, so the result does not depend
    on the path taken.

    Examples:
        >>> codes, keys = dense_codes(np.array([7, 3, 7, 0]), 8)
        >>> codes.tolist(), keys.tolist()
        ([2, 1, 2, 0], [0, 3, 7])
        >>> codes, keys = dense_codes(np.array([7, 3, 7, 0]), 2**40)
        >>> codes.tolist(), keys.tolist()
        ([2, 1, 2, 0], [0, 3, 7])
    """
    key = np.asarray(key)
    if key.dtype.kind != "i":  # (narrow signed codes stay as they are: no copy of every row)
        key = key.astype(np.int64)
    inside = not len(key) or (key.min() >= 0 and key.max() < bound)
    if inside and bound <= max(TABLE_PER_ROW * len(key), 2**20):
        seen = np.zeros(max(bound, 1), dtype=bool)
        seen[key] = True
        keys = np.flatnonzero(seen)
        del seen
        # each key's number, written only where a key is (int32: the table stays small)
        number = np.empty(max(bound, 1), dtype=np.int32 if len(keys) < 2**31 else np.int64)
        number[keys] = np.arange(len(keys), dtype=number.dtype)
        return number[key], keys
    codes, keys = pd.factorize(key, sort=True)
    return codes, np.asarray(keys, dtype=np.int64)


def all_distinct(key: np.ndarray) -> bool:
    """Whether no two rows share a key.

    Sorted with a merge of the runs already in order (``kind="stable"``):
    keys of rows grouped as they usually are cost little more than one pass,
    and a shuffled column no more than a plain sort.

    Examples:
        >>> all_distinct(np.array([1, 2, 5, 3])), all_distinct(np.array([4, 1, 4]))
        (True, False)
    """
    ordered = np.sort(np.asarray(key), kind="stable")
    return not (ordered[1:] == ordered[:-1]).any()
