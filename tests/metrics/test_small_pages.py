"""``small_pages``: numpy's huge-page advice is off inside, and exactly as it was after."""

from __future__ import annotations

import threading

import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics import panel
from fiscal_analysis.metrics.panel import all_metrics, small_pages

pytest.importorskip("numpy._core.multiarray")


class Switch:
    """Stands in for numpy's switch: records every call, returns the previous state."""

    def __init__(self, state: bool):
        self.state, self.calls = state, []

    def __call__(self, enabled: bool) -> bool:
        before, self.state = self.state, bool(enabled)
        self.calls.append(enabled)
        return before


@pytest.mark.parametrize("start", [True, False])
def test_off_inside_and_restored_after(monkeypatch, start):
    switch = Switch(start)
    monkeypatch.setattr(panel, "_set_madvise_hugepage", switch)
    with small_pages():
        assert switch.state is False
        with small_pages():  # nested: still off when the inner block ends
            pass
        assert switch.state is False
    assert switch.state is start
    with pytest.raises(RuntimeError), small_pages():
        raise RuntimeError("a metric failed")
    assert switch.state is start


def test_concurrent_blocks_restore_once_the_last_one_ends(monkeypatch):
    switch = Switch(True)
    monkeypatch.setattr(panel, "_set_madvise_hugepage", switch)
    inside, release = threading.Event(), threading.Event()

    def other():
        with small_pages():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=other)
    t.start()
    inside.wait(10)
    with small_pages():
        pass
    assert switch.state is False  # the other block is still running
    release.set()
    t.join()
    assert switch.state is True


def test_all_metrics_runs_without_the_advice_and_leaves_numpy_as_it_was(monkeypatch):
    ds = load_dataset("data")
    switch = Switch(True)
    seen = []
    real = panel._all_metrics

    def spy(*args):
        seen.append(switch.state)
        return real(*args)

    monkeypatch.setattr(panel, "_set_madvise_hugepage", switch)
    monkeypatch.setattr(panel, "_all_metrics", spy)
    m = all_metrics(ds)
    assert seen == [False] and switch.state is True
    assert m["totals"].shape[0] > 0


def test_the_real_numpy_switch_is_restored():
    from numpy._core.multiarray import _set_madvise_hugepage

    before = _set_madvise_hugepage(True)
    try:
        all_metrics(load_dataset("data"))
        assert _set_madvise_hugepage(True) is True  # still on after all_metrics
    finally:
        _set_madvise_hugepage(before)
