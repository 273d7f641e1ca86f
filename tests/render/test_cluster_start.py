"""Starting the cluster early: in the background while the batch is planned (no real cluster).

:class:`ClusterExecutor` reaches or starts the cluster in a thread as soon as
:func:`render_reports` knows the batch has work; the first report sent waits
for it and gets any error it met. The connection itself is replaced here by
stand-ins, so these tests start no cluster and no kernel.
"""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import fiscal_analysis.dataset.load as loader_mod
import fiscal_analysis.render.reports as render_mod
from fiscal_analysis.errors import RenderError
from fiscal_analysis.render.batch import ReportResult
from fiscal_analysis.render.cluster import ClusterExecutor
from fiscal_analysis.render.reports import render_reports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
NOTEBOOK = FIXTURES / "mini_report.ipynb"


@dataclass(frozen=True)
class Job:
    """The fields of a ReportJob that the executor reads and sets."""

    folder: Path
    notebook_path: str
    shown_folder: Path | None = None


class _Client:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


def test_a_background_start_error_is_raised_by_the_first_report_sent(tmp_path, monkeypatch):
    ex = ClusterExecutor("tcp://nowhere:8786", tmp_path, tmp_path / "out", NOTEBOOK)
    calls = []

    def unreachable(notebook_dir):
        calls.append(notebook_dir)
        time.sleep(0.2)
        raise RenderError("无法连接 Dask 调度器「tcp://nowhere:8786」 (cannot reach the scheduler)")

    monkeypatch.setattr(ex, "_connect", unreachable)
    ex.start()
    ex.start()  # under way: not a second connection
    with pytest.raises(RenderError, match="无法连接 Dask 调度器「tcp://nowhere:8786」"):
        ex.submit(print, Job(Path("r/a/2020"), str(NOTEBOOK)), None)
    assert calls == [str(NOTEBOOK.parent)]
    ex.shutdown()  # nothing was opened: nothing to close, nothing raised


def test_reports_go_through_the_connection_started_early(tmp_path, monkeypatch):
    ex = ClusterExecutor("tcp://scheduler:8786", tmp_path, tmp_path / "out", NOTEBOOK)
    pool = ThreadPoolExecutor(max_workers=1)  # stands in for the cluster's executor
    connected = []

    def connect(notebook_dir):
        time.sleep(0.2)
        connected.append((notebook_dir, threading.current_thread().name))
        ex._client, ex._executor = _Client(), pool

    monkeypatch.setattr(ex, "_connect", connect)
    ex.start()
    client = None

    def fails(job, kernels):  # what a worker's render_one returns for a broken report
        assert kernels is None and job.folder.is_absolute()
        assert job.shown_folder == Path("r/b/2020")  # messages name the folder as given
        note = f"（详见 {job.shown_folder / 'report.failed.ipynb'}）"
        return ReportResult("b", "乙局", 2020, "failed", job.folder, error=f"TypeError: x{note}")

    result = ex.submit(fails, Job(Path("r/b/2020"), str(NOTEBOOK)), None).result()
    assert connected == [(str(NOTEBOOK.parent), "dask-connect")]
    # the summary names the folder, and the failed notebook, as the caller did
    assert result.folder == Path("r/b/2020")
    assert result.error == f"TypeError: x（详见 {Path('r/b/2020/report.failed.ipynb')}）"
    client = ex._client
    ex.shutdown()
    assert client.closed and ex._client is None
    pool.shutdown()


def test_shutdown_waits_for_a_start_under_way_and_closes_what_it_opened(tmp_path, monkeypatch):
    ex = ClusterExecutor("tcp://scheduler:8786", tmp_path, tmp_path / "out", NOTEBOOK)
    client = _Client()

    def slow(notebook_dir):
        time.sleep(0.3)
        ex._client = client

    monkeypatch.setattr(ex, "_connect", slow)
    ex.start()
    ex.shutdown()
    assert client.closed


class _Recording(ThreadPoolExecutor):
    """An executor with ``start()``: records when it is started."""

    def __init__(self, events):
        super().__init__(max_workers=1)
        self.events = events

    def start(self):
        self.events.append("start")


def test_render_starts_the_executor_before_planning_and_not_for_an_unchanged_batch(
    tmp_path, monkeypatch
):
    events = []
    real_load = loader_mod.load_dataset
    monkeypatch.setattr(
        loader_mod, "load_dataset", lambda *a, **k: events.append("plan") or real_load(*a, **k)
    )
    monkeypatch.setattr(render_mod, "_run", lambda *a, **k: events.append("run") or {})
    ex = _Recording(events)
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    (tmp_path / "out").mkdir()
    render_reports(tmp_path / "data", tmp_path / "out", notebook=NOTEBOOK, executor=ex)
    assert events == ["start", "plan", "run"]

    events.clear()  # the stamp says nothing changed: nothing is planned, nothing started
    same = [ReportResult("alpha", "甲", 2020, "skipped", tmp_path, reason="未变化")]
    monkeypatch.setattr(render_mod, "unchanged_reports", lambda *a: same)
    monkeypatch.setattr(render_mod, "_complete", lambda *a: True)
    batch = render_reports(tmp_path / "data", tmp_path / "out", notebook=NOTEBOOK, executor=ex)
    assert batch.reports == same and events == []
    ex.shutdown()
