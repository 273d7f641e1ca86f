"""Row indexes over a dataset's frames, so lookups need no scan of the whole facts.

:class:`FrameIndex` is built lazily by :class:`~fiscal_analysis.dataset.model.Dataset`
(once per Dataset) and holds:

* per frame with ``entity_id`` and ``year`` columns, the row positions of every
  (entity, year) (one ``groupby``);
* the row positions in the facts of every (table, item, code), for panels;
* per (entity, year), as it is first used, that pair's facts and a dict from
  (table, item, code) to its row; the most recently used
  :data:`PAIR_CACHE_SIZE` pairs are kept, so memory stays bounded when a
  whole panel is walked.

The frames are treated as immutable: nothing here copies or modifies them.

Examples:
    >>> import pandas as pd
    >>> facts = pd.DataFrame({"entity_id": ["a", "a", "b"], "year": [2020, 2020, 2020],
    ...                       "table": ["T01"] * 3, "item": ["x", "y", "x"],
    ...                       "code": ["", "", ""], "value": [1, 2, 3]})
    >>> index = FrameIndex({"facts": facts})
    >>> sub, keys = index.pair("a", 2020)
    >>> int(sub.iloc[keys[("T01", "y", "")]]["value"])
    2
    >>> index.pairs(), len(index.rows("facts", "b", 2019))
    ([('a', 2020), ('b', 2020)], 0)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd

__all__ = ["PAIR_CACHE_SIZE", "FrameIndex"]

#: How many (entity, year) slices of the facts are kept, most recently used first.
PAIR_CACHE_SIZE = 256
_NO_ROWS = np.empty(0, dtype=np.intp)

Key = tuple[str, str, str]


class FrameIndex:
    """Row positions of (entity, year) and (table, item, code) in a set of frames.

    Args:
        frames: The dataset's frames by name; ``facts`` must be among them.
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = frames
        self._lock = threading.Lock()
        self._pairs: OrderedDict[tuple[str, int], tuple[pd.DataFrame, dict[Key, int]]] = (
            OrderedDict()
        )

    @cached_property
    def by_pair(self) -> dict[str, dict[tuple[str, int], np.ndarray]]:
        """Per frame with ``entity_id`` and ``year``: row positions of each (entity, year)."""
        return {
            name: df.groupby(["entity_id", "year"], sort=False).indices
            for name, df in self.frames.items()
            if {"entity_id", "year"} <= set(df.columns)
        }

    @cached_property
    def by_key(self) -> dict[Key, np.ndarray]:
        """Row positions in the facts of each (table, item, code)."""
        return self.frames["facts"].groupby(["table", "item", "code"], sort=False).indices

    def pairs(self) -> list[tuple[str, int]]:
        """Every (entity, year) with facts, sorted."""
        return sorted((str(e), int(y)) for e, y in self.by_pair["facts"])

    def rows(self, frame: str, entity_id: str, year: int) -> pd.DataFrame:
        """The rows of ``frame`` for one (entity, year), in file order."""
        pos = self.by_pair[frame].get((entity_id, year), _NO_ROWS)
        return self.frames[frame].iloc[pos]

    def entity_rows(self, frame: str, entity_id: str) -> pd.DataFrame:
        """The rows of ``frame`` for one entity, every year, in file order."""
        parts = [pos for (e, _), pos in self.by_pair[frame].items() if e == entity_id]
        return self.frames[frame].iloc[np.sort(np.concatenate(parts)) if parts else _NO_ROWS]

    def key_rows(self, table: str, item: str, code: str) -> pd.DataFrame:
        """The facts of one (table, item, code) for every entity and year, in file order."""
        return self.frames["facts"].iloc[self.by_key.get((table, item, code), _NO_ROWS)]

    def pair(self, entity_id: str, year: int) -> tuple[pd.DataFrame, dict[Key, int]]:
        """Facts of one (entity, year) and the position in them of each (table, item, code).

        Cached (most recently used :data:`PAIR_CACHE_SIZE` pairs); callers must
        not modify the frame returned.
        """
        key = (entity_id, year)
        with self._lock:
            hit = self._pairs.get(key)
            if hit is not None:
                self._pairs.move_to_end(key)
                return hit
        sub = self.rows("facts", entity_id, year)
        keys = zip(sub["table"].tolist(), sub["item"].tolist(), sub["code"].tolist(), strict=True)
        positions: dict[Key, int] = {}
        for i, k in enumerate(keys):
            positions.setdefault(k, i)  # keys are unique once validated; keep the first
        with self._lock:
            self._pairs[key] = (sub, positions)
            while len(self._pairs) > PAIR_CACHE_SIZE:
                self._pairs.popitem(last=False)
        return sub, positions
