"""all_metrics computes 05表's 项 lines on a second thread: the frames are exactly what each
panel function gives alone, on its own fresh view, and a failure on either thread surfaces."""

from __future__ import annotations

import importlib
import threading

import pandas as pd
import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics import panel, pefa
from fiscal_analysis.metrics.view import PanelView
from fiscal_analysis.testing.synth import write_panel

# (the package's ``completion`` and ``shares`` are scalar functions: the modules by full name)
completion = importlib.import_module("fiscal_analysis.metrics.completion")
shares = importlib.import_module("fiscal_analysis.metrics.shares")


@pytest.fixture(scope="module")
def synth_path(tmp_path_factory):
    root = tmp_path_factory.mktemp("threads-synth")
    write_panel(root, 6, 4, first_year=2018, chunk_size=3)
    return root


def _alone(path) -> dict[str, pd.DataFrame]:
    """Every frame from its own function on a view of its own, one after another."""

    def view() -> PanelView:
        return PanelView(load_dataset(path))

    totals = panel.totals_panel(view(), panel.KEY_TOTALS, status=True)
    items = completion.completion_panel(view(), decimals=1)
    return {
        "totals": totals,
        "yoy": panel.yoy_change(totals, 1),
        "income": shares.income_shares(view(), 1),
        "expense": shares.expense_shares(view(), 1),
        "basic": shares.basic_shares(view(), 1),
        "function": shares.function_shares(view(), decimals=1),
        "completion": items,
        "completion_total": completion.completion_panel(view(), "合计", decimals=1),
        "procurement": shares.procurement_shares(view(), 1),
        "three_public": completion.three_public_panel(view(), 1),
        "ops_cost": completion.ops_cost_panel(view(), 1),
        "pefa": pefa.outturn_panel_from_lines(items[["entity_id", "year", "actual", "budget"]], 1),
    }


@pytest.mark.parametrize("source", ["synth", "data"])
def test_all_metrics_equals_each_function_alone(source, synth_path, data_dir):
    path = synth_path if source == "synth" else data_dir
    got = panel.all_metrics(load_dataset(path))
    want = _alone(path)
    assert list(got) == list(panel.METRIC_NAMES) == list(want)
    for name in panel.METRIC_NAMES:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)
    assert len(got["completion"]) > 0 and len(got["pefa"]) > 0


def test_the_item_lines_run_on_a_second_thread_and_their_failure_surfaces(synth_path, monkeypatch):
    seen: list[tuple[str, str]] = []
    real = completion.completion_panel

    def spy(source, level="项", *args, **kwargs):
        seen.append((level, threading.current_thread().name))
        return real(source, level, *args, **kwargs)

    monkeypatch.setattr(panel, "completion_panel", spy)
    panel.all_metrics(load_dataset(synth_path))
    threads = dict(seen)
    assert threads["项"].startswith("metrics")
    assert threads["合计"] == threading.main_thread().name

    def broken(*args, **kwargs):
        raise ZeroDivisionError("on the lines thread")

    monkeypatch.setattr(panel, "outturn_panel_from_lines", broken)
    with pytest.raises(ZeroDivisionError, match="on the lines thread"):
        panel.all_metrics(load_dataset(synth_path))
