"""Large arrays without numpy's huge-page advice while the library builds them.

numpy asks the kernel to back each array of 4 MB or more with transparent huge
pages (``madvise(MADV_HUGEPAGE)``). Where the kernel's THP ``defrag`` setting
is ``madvise`` (a common default), the first touch of such memory may stall
on synchronous compaction when no huge page is free (numpy issue 31590).
Loading a large dataset and computing the panel metrics allocate, and touch
for the first time, hundreds of MB of short-lived arrays. On the 2-core
benchmark machine, a warm 1,000 × 10 load + ``all_metrics`` took 1.20 s
instead of 1.39 s without the advice (medians of 8 alternated new processes;
median system time 0.65 → 0.41 s); the cold load was unchanged.

:func:`small_pages` turns the advice off while the library's own work runs and
puts back what was there before once the outermost use ends, also when
several threads use it at once. Nothing else about numpy changes: arrays are
the same, only the kernel's page size for them may differ.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

__all__ = ["small_pages"]

_lock = threading.Lock()
_users = 0
_before = True


def _switch() -> Callable[[bool], bool] | None:
    """numpy's setter of the advice (it returns the previous setting), if it has one."""
    core = getattr(np, "_core", None)
    multiarray = getattr(core, "multiarray", None)
    return getattr(multiarray, "_set_madvise_hugepage", None)


@contextmanager
def small_pages() -> Iterator[None]:
    """Run the body with numpy's huge-page advice off, then restore it.

    Examples:
        >>> from numpy._core.multiarray import _get_madvise_hugepage
        >>> before = _get_madvise_hugepage()
        >>> with small_pages():
        ...     _get_madvise_hugepage()
        False
        >>> _get_madvise_hugepage() == before
        True
    """
    global _users, _before
    switch = _switch()
    if switch is None:  # pragma: no cover - a numpy without the setting
        yield
        return
    with _lock:
        if _users == 0:
            _before = switch(False)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                switch(_before)
