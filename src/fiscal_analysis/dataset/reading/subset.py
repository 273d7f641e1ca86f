"""Loading a subset of entities: which rows to keep and which files can be skipped.

A subset is described by :data:`Only`, wanted values per column (for example
``{"entity_id": {"a", "b"}}``); a row is kept when its value, stripped of
surrounding spaces, is wanted in any of those columns. A file whose bytes
contain none of the wanted values (in UTF-8 or GB18030) cannot hold such a row
and need not be parsed.

Examples:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"entity_id": pd.Categorical(["a", " b", "c"])})
    >>> keep_rows(df, {"entity_id": {"a", "b"}}).tolist()
    [True, True, False]
    >>> may_hold(b"entity_id\\nc\\n", {"entity_id": {"a"}})
    False
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["Only", "entity_refs", "keep_rows", "may_hold", "resolve_entities"]

#: Wanted (stripped) values per column.
Only = Mapping[str, set[str]]


def _needles(value: str) -> list[bytes] | None:
    """The byte forms of ``value`` a file holding it must contain (``None``: cannot tell)."""
    if not value or any(ch in value for ch in '"\r\n'):
        return None
    out = [value.encode("utf-8")]
    with contextlib.suppress(UnicodeEncodeError):
        out.append(value.encode("gb18030"))
    return out


def may_hold(data: bytes, only: Only) -> bool:
    """Whether the file bytes may hold a wanted row (exact when ``False``)."""
    for values in only.values():
        for value in values:
            needles = _needles(value)
            if needles is None or any(n in data for n in needles):
                return True
    return False


def keep_rows(df: pd.DataFrame, only: Only) -> np.ndarray:
    """Boolean mask of the rows whose stripped value is wanted in one of ``only``'s columns."""
    keep = np.zeros(len(df), dtype=bool)
    for column, values in only.items():
        if column not in df.columns:
            continue
        col = df[column]
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = col.cat.categories
            hit = np.fromiter((str(c).strip() in values for c in cats), bool, len(cats))
            codes = col.array.codes
            keep |= (hit[codes] if len(hit) else np.zeros(len(df), bool)) & (codes >= 0)
        else:
            keep |= np.fromiter((str(v).strip() in values for v in col), bool, len(col))
    return keep


def entity_refs(frames: Iterable[pd.DataFrame], column: str) -> set[str]:
    """The distinct stripped, non-empty values of ``column`` across ``frames``."""
    out: set[str] = set()
    for df in frames:
        if column in df.columns:
            col = df[column]
            values = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col
            out |= {str(v).strip() for v in pd.unique(np.asarray(values, dtype=object))}
    out.discard("")
    return out


def resolve_entities(entities: pd.DataFrame, wanted: Iterable[str]) -> tuple[set[str], list[str]]:
    """Entity ids for ids or full names, and the keys that match no entity.

    Examples:
        >>> ents = pd.DataFrame({"entity_id": ["a", "b"], "name": ["甲局", "乙局"]})
        >>> ids, unknown = resolve_entities(ents, ["a", "乙局", "丙局"])
        >>> sorted(ids), unknown
        (['a', 'b'], ['丙局'])
    """
    ids = [str(v).strip() for v in entities["entity_id"]] if len(entities) else []
    names: dict[str, list[str]] = {}
    if "name" in entities.columns:
        for i, n in zip(ids, entities["name"], strict=True):
            names.setdefault(str(n).strip(), []).append(i)
    known = set(ids)
    found: set[str] = set()
    unknown: list[str] = []
    for key in wanted:
        key = str(key).strip()
        if key in known:
            found.add(key)
        elif len(names.get(key, [])) == 1:
            found.add(names[key][0])
        else:
            unknown.append(key)
    return found, unknown
