"""Kernels forked from the pre-imported fork server: fresh, isolated, and managed as usual."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from fiscal_analysis.errors import UnknownEntityError
from fiscal_analysis.render.engine import forkserver
from fiscal_analysis.render.engine.kernels import KernelPool
from fiscal_analysis.render.engine.provisioner import ForkedProcess
from fiscal_analysis.render.execute import NotebookRunError, run_notebook
from fiscal_analysis.render.reports import render_reports

pytestmark = pytest.mark.skipif(not forkserver.available(), reason="fork server is Linux-only")

PROBE = [
    "import os, signal, subprocess\n"
    "leaked = 'marker' in globals()\n"
    "marker = 1\n"
    "print(os.getpid(), os.getppid(), leaked, "
    "signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL, subprocess.run(['true']).returncode)",
    "import matplotlib\nprint(matplotlib.get_backend(), matplotlib.rcParams['axes.titley'])",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
]


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell("x = 0", metadata={"tags": ["parameters"]})])
    nb.cells += [new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    return nb


def _stdout(nb: nbformat.NotebookNode, index: int) -> str:
    cell = [c for c in nb.cells if c.cell_type == "code"][index]
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout").strip()


def _gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ForkedProcess(pid).poll() is not None:
            return True
        time.sleep(0.05)
    return False


def test_each_kernel_is_a_new_process_forked_from_the_server():
    pool = KernelPool(1, budget=2, fork=True)
    try:
        seen = []
        for _ in range(2):
            out = run_notebook(_notebook(*PROBE), {"x": 1}, pool.acquire(), timeout=60)
            pid, ppid, leaked, sigchld_default, true_rc = _stdout(out, 2).split()
            seen.append(int(pid))
            assert int(ppid) == pool._fork.pid != os.getpid()  # forked, not started by us
            assert leaked == "False"  # nothing from the previous report
            assert sigchld_default == "True" and true_rc == "0"  # subprocesses work normally
            backend, title_y = _stdout(out, 3).split()
            assert "inline" in backend  # the kernel chose its own matplotlib backend
            assert title_y == "None"  # matplotlib's defaults: the server's chart warm-up left none
            figure = [c for c in out.cells if c.cell_type == "code"][4]
            # pyplot, imported by the server, still draws inline in the kernel
            assert [o.output_type for o in figure.outputs] == ["display_data"]
            assert figure.outputs[0].data["image/png"]
            counts = [c.execution_count for c in out.cells if c.cell_type == "code"]
            assert counts == list(range(1, len(counts) + 1))
        assert seen[0] != seen[1]
        assert all(_gone(pid) for pid in seen)  # shut down after their report
    finally:
        pool.close()
    assert pool._fork.pid is not None
    assert _gone(pool._fork.pid) and not pool._fork.socket_path.exists()


def test_a_cell_timeout_in_a_forked_kernel_fails_the_report_and_kills_the_kernel(tmp_path):
    pid_file = tmp_path / "pid"
    with KernelPool(1, budget=1, fork=True) as pool:
        nb = _notebook(
            f"import os, pathlib\npathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))",
            "import time\ntime.sleep(120)",
        )
        started = time.monotonic()
        with pytest.raises(NotebookRunError, match="CellTimeoutError"):
            run_notebook(nb, {"x": 1}, pool.acquire(), timeout=3)
        assert time.monotonic() - started < 60
        assert _gone(int(pid_file.read_text()))


def test_pool_starts_kernels_normally_when_the_fork_server_fails(monkeypatch):
    def broken(self):
        raise forkserver.ForkServerError("preload failed (test)")

    monkeypatch.setattr(forkserver.ForkServer, "_start", broken)
    with KernelPool(1, budget=1, fork=True) as pool:
        out = run_notebook(_notebook(*PROBE), {"x": 1}, pool.acquire(), timeout=60)
        _, ppid, leaked, *_ = _stdout(out, 2).split()
        assert int(ppid) == os.getpid() and leaked == "False"
        assert pool._fork is None


def test_forked_process_tracks_a_process_it_did_not_start():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    proc = ForkedProcess(child.pid)
    assert proc.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        proc.wait(timeout=0.1)
    proc.kill()
    child.wait()  # our child: reap it so it is gone, not a zombie
    assert proc.wait(timeout=5) == 0 and proc.poll() == 0
    proc.kill()  # already gone: no error


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def _spy_pools(monkeypatch) -> list[KernelPool]:
    """Record every kernel pool whose fork server a batch starts while it plans."""
    made: list[KernelPool] = []
    original = KernelPool.start_server

    def spy(self: KernelPool) -> None:
        made.append(self)
        original(self)

    monkeypatch.setattr(KernelPool, "start_server", spy)
    return made


def _stopped(pool: KernelPool) -> bool:
    """The pool is closed, its folder gone, and its fork server (if it got started) reaped."""
    server = pool._fork
    proc = server._proc if server is not None else None
    reaped = proc is None or proc.returncode is not None  # no zombie, no "still running" warning
    return pool.closed and not pool._socket_dir.exists() and reaped


def test_a_batch_that_fails_while_planning_stops_the_fork_server_it_started(tmp_path, monkeypatch):
    made = _spy_pools(monkeypatch)
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    with pytest.raises(UnknownEntityError):
        render_reports(
            tmp_path / "data",
            tmp_path / "reports",
            notebook=FIXTURES / "mini_report.ipynb",
            entities=["没有这个单位"],
            progress=False,
        )
    (pool,) = made
    assert pool.cancelled and _stopped(pool)
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_a_batch_with_nothing_to_render_stops_the_fork_server_it_started(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    options = {"notebook": FIXTURES / "mini_report.ipynb", "progress": False, "jobs": 2}
    first = render_reports(tmp_path / "data", tmp_path / "reports", **options)
    assert {r.status for r in first.reports} == {"rendered"}
    made = _spy_pools(monkeypatch)
    entities = tmp_path / "data" / "entities.csv"
    os.utime(entities, ns=(entities.stat().st_atime_ns, entities.stat().st_mtime_ns + 10**9))
    again = render_reports(tmp_path / "data", tmp_path / "reports", **options)
    # the batch stamp saw a file's time change, so the batch was planned: every report is
    # unchanged, and the fork server started for it is stopped without forking a kernel
    assert {r.status for r in again.reports} == {"skipped"} and again.exit_code == 0
    (pool,) = made
    assert _stopped(pool) and pool._handed == []


def test_a_started_server_also_serves_other_clients_and_ends_with_the_one_that_started_it(
    tmp_path,
):
    owner = forkserver.ForkServer(tmp_path, shell=True)
    guest = forkserver.ForkServer(tmp_path, address=str(owner.socket_path))
    probe = ["import os\nprint(os.getpid(), os.getppid())"]
    try:
        owner.start()
        with KernelPool(1, budget=1, server=str(owner.socket_path)) as pool:
            assert pool._fork.shared and pool._fork.pid is None  # nothing started here
            out = run_notebook(_notebook(*probe), {"x": 1}, pool.acquire(), timeout=60)
            pid, ppid = map(int, _stdout(out, 2).split())
            assert ppid == owner.pid != os.getpid()  # forked by the owner's server
        # the pool is closed and its connection gone: the server still serves
        assert guest.fork([], dict(os.environ), str(tmp_path), str(tmp_path / "k.log"), shell="x")
        guest.kill()  # a guest only disconnects; a shared server is not its to stop
        assert ForkedProcess(owner.pid).poll() is None
    finally:
        owner.close()
    assert _gone(owner.pid) and _gone(pid)
