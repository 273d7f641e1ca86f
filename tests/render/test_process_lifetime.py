"""The fork server and its kernels die with the process that started them; kernels keep no history.

A render killed with SIGKILL cannot clean up after itself, so the fork server
watches a pipe from it (EOF the moment it is gone, even during the server's
~2 s preload) and each forked kernel has Linux send it SIGKILL when the server
dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from fiscal_analysis.render.engine import forkserver
from fiscal_analysis.render.engine.kernels import KernelPool
from fiscal_analysis.render.execute import run_notebook

SRC = Path(__file__).resolve().parents[2] / "src"
linux_only = pytest.mark.skipif(not forkserver.available(), reason="fork server is Linux-only")

#: Starts a fork server (and, after preload, one forked kernel), prints the pids, then waits.
PARENT = r"""
import sys, threading, time
from pathlib import Path
from fiscal_analysis.render.engine.forkserver import ForkServer
from fiscal_analysis.render.engine.kernels import KernelPool

if sys.argv[1] == "preload":
    server = ForkServer(Path(sys.argv[2]))
    threading.Thread(target=server._start, daemon=True).start()
    while server.pid is None:
        time.sleep(0.002)
    print(server.pid, server.socket_path, flush=True)
else:
    pool = KernelPool(1, budget=1)
    kernel = pool.acquire()
    print(pool._fork.pid, kernel.pid, flush=True)
time.sleep(120)
"""


def gone(pid: int) -> bool:
    """No such process, or only a zombie waiting for a reaper."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return True
    return fields[0] in ("Z", "X")


def seconds_until_gone(pids: list[int], limit: float = 10) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if all(gone(p) for p in pids):
            return time.monotonic() - started
        time.sleep(0.01)
    return float("inf")


def start_parent(mode: str, tmp_path: Path) -> tuple[subprocess.Popen, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", PARENT, mode, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return proc, proc.stdout.readline().split()


@linux_only
def test_fork_server_killed_parent_during_preload_dies_within_2_seconds(tmp_path):
    proc, (pid, socket_path) = start_parent("preload", tmp_path)
    proc.kill()  # SIGKILL while the server is still importing
    assert not Path(socket_path).exists()  # it really was still in its preload
    _, err = proc.communicate()
    took = seconds_until_gone([int(pid)])
    assert took < 2, f"the fork server outlived its parent by {took} s"
    assert "Traceback" not in err


@linux_only
def test_fork_server_and_kernel_die_within_2_seconds_of_a_sigkilled_parent(tmp_path):
    proc, pids = start_parent("after", tmp_path)
    server, kernel = map(int, pids)
    assert not gone(server) and not gone(kernel)
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    took = seconds_until_gone([server, kernel])
    assert took < 2, f"the fork server or kernel outlived their parent by {took} s"
    assert "Traceback" not in err


def _history_notebook() -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell("x = 0", metadata={"tags": ["parameters"]})])
    nb.cells.append(new_code_cell("hm = get_ipython().history_manager\nprint(hm.enabled)"))
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    return nb


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "plain"])
def test_kernels_write_no_ipython_history(tmp_path, monkeypatch, fork):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("IPYTHONDIR", raising=False)
    with KernelPool(1, budget=1, fork=fork) as pool:
        out = run_notebook(_history_notebook(), {"x": 1}, pool.acquire(), timeout=60)
    printed = "".join(o.get("text", "") for o in out.cells[-1].outputs).strip()
    assert printed == "False"
    assert not (home / ".ipython/profile_default/history.sqlite").exists()
