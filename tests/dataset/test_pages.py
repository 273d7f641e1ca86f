"""numpy's huge-page advice is off while the library loads and computes, and put back after."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from fiscal_analysis.dataset import load as load_module
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.pages import small_pages
from fiscal_analysis.metrics import panel

advice = np._core.multiarray._get_madvise_hugepage
set_advice = np._core.multiarray._set_madvise_hugepage

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks" / "data"


@pytest.fixture(params=[True, False], ids=["advice-on", "advice-off"])
def before(request):
    """Each test starts from either setting and leaves numpy as it found it."""
    old = set_advice(request.param)
    yield request.param
    set_advice(old)


def test_off_inside_and_put_back_after(before):
    with small_pages():
        assert advice() is False
        with small_pages():  # nested: still off, and the outer one restores
            assert advice() is False
        assert advice() is False
    assert advice() is before


def test_put_back_after_an_error(before):
    with pytest.raises(ZeroDivisionError), small_pages():
        1 / 0  # noqa: B018
    assert advice() is before


def test_overlapping_threads_restore_only_when_the_last_leaves(before):
    inside, leave = threading.Event(), threading.Event()
    seen = []

    def other():
        with small_pages():
            inside.set()
            leave.wait(10)
            seen.append(advice())

    t = threading.Thread(target=other)
    with small_pages():
        t.start()
        assert inside.wait(10)
    assert advice() is False  # the other thread is still inside
    leave.set()
    t.join(10)
    assert seen == [False]
    assert advice() is before


def test_loading_and_all_metrics_run_without_the_advice(before, monkeypatch):
    during = []
    validate = load_module.validate_frames

    def spy(*args, **kwargs):
        during.append(advice())
        return validate(*args, **kwargs)

    monkeypatch.setattr(load_module, "validate_frames", spy)
    ds = load_dataset(DATA)
    assert during == [False] and advice() is before
    totals = panel.totals_panel

    def spy_totals(*args, **kwargs):
        during.append(advice())
        return totals(*args, **kwargs)

    monkeypatch.setattr(panel, "totals_panel", spy_totals)
    m = panel.all_metrics(ds)
    assert during == [False, False] and advice() is before
    assert str(m["totals"].loc[("alpha", 2020), "income_grand_total"]) == "335.78"
