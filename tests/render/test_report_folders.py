"""Report folders change all at once: a kill -9 at any write step leaves the old or the new report.

The write sequence of :func:`commit_report` runs in a subprocess that SIGKILLs
itself at its N-th step (a file write, half-way through it; a folder created; a
rename or exchange; a flush; a removal), for every N until the sequence
completes. After each kill the report folder must hold the complete old report or
the complete new one, whose fingerprint is the one written with its HTML (so the
next run cannot skip a half-written report), both before and after the next run's
:func:`clean_up`, which must leave nothing else behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fiscal_analysis.errors import RenderError
from fiscal_analysis.render.batch import ReportJob
from fiscal_analysis.render.execute import render_one
from fiscal_analysis.render.fingerprint import (
    FINGERPRINT_FILE,
    Fingerprint,
    fingerprint_bytes,
    read_fingerprint,
)
from fiscal_analysis.render.folders import (
    FAILED_FILE,
    FAILED_NOTEBOOK,
    clean_up,
    clear_failure,
    commit_report,
    mark_failed,
)

SRC = Path(__file__).resolve().parents[2] / "src"

#: Runs commit_report(folder, files) and SIGKILLs itself at step N (-1: never).
CRASHER = r"""
import json, os, shutil, signal, sys
from pathlib import Path
import fiscal_analysis.render.folders as folders

folder, n, mode = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
files = {k: v.encode() for k, v in json.loads(sys.argv[4]).items()}
count = 0

def due():
    global count
    count += 1
    return count - 1 == n

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

def hook(module, name):
    real = getattr(module, name)
    def wrapped(*args, **kwargs):
        if due():
            kill()
        return real(*args, **kwargs)
    setattr(module, name, wrapped)

real_write = folders._write
def write(path, data):
    if due():  # killed half-way through writing a file
        with open(path, "wb") as fh:
            fh.write(data[: len(data) // 2])
        kill()
    real_write(path, data)
folders._write = write
for name in ("mkdir", "rename"):
    hook(os, name)
hook(shutil, "rmtree")
hook(folders, "_sync_dir")
if mode == "fallback":  # a platform or file system without an atomic exchange
    def refuse(a, b):
        raise OSError(22, "exchange not supported here")
    folders._exchange = refuse
hook(folders, "_exchange")
folders.commit_report(folder, files)
print("steps", count)
"""


def report_files(tag: str, year: int = 2020) -> dict[str, str]:
    """A report whose HTML and notebook name the fingerprint they were made with."""
    fp = Fingerprint(f"nb-{tag}", f"data-{tag}", "0.1.0", "code", {"entity": "a", "year": year})
    return {
        "report.html": f"<p>{tag} {fp.digest}</p>" + "x" * 5000,
        "report.ipynb": json.dumps({"tag": tag, "digest": fp.digest}) + " " * 5000,
        FINGERPRINT_FILE: fingerprint_bytes(fp).decode(),
    }


def state(folder: Path, old: dict[str, str] | None, new: dict[str, str]) -> str:
    """``old``, ``new`` or ``missing``; fails on anything half-written or mixed."""
    if not folder.exists():
        return "missing"
    found = {p.name: p.read_text() for p in folder.iterdir()}
    for name, files in (("old", old), ("new", new)):
        if files is not None and found == files:
            fp = read_fingerprint(folder)
            assert fp is not None and fp.digest in found["report.html"]
            assert fp.digest in found["report.ipynb"]
            return name
    raise AssertionError(f"a mixed or partial report: { {k: v[:30] for k, v in found.items()} }")


def crash_at(folder: Path, n: int, mode: str, files: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    args = [sys.executable, "-c", CRASHER, str(folder), str(n), mode, json.dumps(files)]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
@pytest.mark.parametrize("existing", [True, False], ids=["replace", "first"])
def test_kill_at_every_write_step_leaves_old_or_new_report_never_a_mix(tmp_path, mode, existing):
    old = report_files("old") if existing else None
    new = report_files("new")
    outcomes = []
    for n in range(40):
        out = tmp_path / f"run{n}"
        folder = out / "a" / "2020"
        if old is not None:
            commit_report(folder, {k: v.encode() for k, v in old.items()})
        run = crash_at(folder, n, mode, new)
        assert "Traceback" not in run.stderr, run.stderr
        seen = state(folder, old, new)
        if run.returncode == 0:
            assert seen == "new" and run.stdout.startswith("steps")
            steps = int(run.stdout.split()[1])
            break
        assert run.returncode == -signal.SIGKILL
        # the fallback's two renames: between them the old folder waits under its .old name
        assert seen != "missing" or mode == "fallback" or not existing
        clean_up(out)
        after = state(folder, old, new)
        assert after == seen or (seen == "missing" and after == "old")
        assert after != "missing" or not existing  # the last good report is never lost
        left = sorted(p.name for p in (out / "a").iterdir()) if (out / "a").exists() else []
        assert left == ([] if after == "missing" else ["2020"])
        outcomes.append(after)
    else:
        raise AssertionError("the write sequence never completed")
    assert steps == n >= 6  # every step of the sequence was interrupted once
    assert ("old" if existing else "missing") in outcomes and "new" in outcomes


def test_failed_report_is_marked_beside_the_last_good_one_and_cleared_when_good(tmp_path):
    folder = tmp_path / "a" / "2020"
    good = {k: v.encode() for k, v in report_files("good").items()}
    commit_report(folder, good)
    mark_failed(folder, "TypeError: 收入总计缺失", b'{"cells": []}')
    marker = (folder / FAILED_FILE).read_text(encoding="utf-8")
    assert marker.startswith("本报告最近一次生成失败")
    assert "TypeError: 收入总计缺失" in marker and "上一次成功生成的报告" in marker
    assert (folder / FAILED_NOTEBOOK).read_bytes() == b'{"cells": []}'
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in good} == good
    # a later failure without a notebook leaves no stale failed notebook
    mark_failed(folder, "OSError: disk full", None)
    assert not (folder / FAILED_NOTEBOOK).exists()
    assert "OSError: disk full" in (folder / FAILED_FILE).read_text(encoding="utf-8")
    clear_failure(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(good)
    # a new render replaces the folder, markers and all
    mark_failed(folder, "TypeError: x", b"{}")
    new = {k: v.encode() for k, v in report_files("new").items()}
    commit_report(folder, new)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == new


def test_clean_up_removes_what_killed_runs_left_and_keeps_live_ones(tmp_path):
    out = tmp_path / "reports"
    folder = out / "a" / "2020"
    commit_report(folder, {"report.html": b"good"})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    leftovers = [
        folder / ".report.html.abc123_x.tmp",
        out / ".index.html.k2j3h4.tmp",
        out / "a" / f".2020.new-{dead}-0123abcd",
        out / "a" / f".2019.old-{dead}-0123abcd",
        out / "a" / f".2018.old-{dead}-0123abcd",
    ]
    (out / "a" / "2018").mkdir()
    for path in leftovers:
        if path.suffix == ".tmp":
            path.write_bytes(b"partial")
        else:
            path.mkdir()
            (path / "report.html").write_bytes(path.name.encode())
    live = out / "a" / f".2017.new-{os.getpid()}-0123abcd"  # a run still going (this one)
    live.mkdir()
    kept = [out / "notes.tmp", folder / "mine.tmp"]  # not ours: left alone
    for path in kept:
        path.write_bytes(b"user")
    assert clean_up(out) == 5
    assert sorted(p.name for p in (out / "a").iterdir()) == [live.name, "2018", "2019", "2020"]
    # 2019 was caught between the fallback's two renames: its old folder is back
    assert (out / "a/2019/report.html").read_bytes() == f".2019.old-{dead}-0123abcd".encode()
    assert not any((out / "a/2018").iterdir())  # a folder there already: the old copy goes
    assert all(p.exists() for p in kept) and not leftovers[0].exists()
    assert clean_up(out) == 0


def test_clean_up_is_quick_on_a_large_output_folder(tmp_path):
    out = tmp_path / "reports"
    for e in range(300):
        for y in (2019, 2020):
            (out / f"e{e}" / str(y)).mkdir(parents=True)
    started = time.monotonic()
    assert clean_up(out) == 0
    assert time.monotonic() - started < 5


class FakePool:
    """A kernel pool that cannot start kernels, or was cancelled (Ctrl-C)."""

    def __init__(self, cancelled: bool = False):
        self.cancelled = cancelled

    def acquire(self):
        raise RenderError("内核启动失败 (test)")


def _job(folder: Path) -> ReportJob:
    fp = Fingerprint("nb", "data", "0.1.0", "code", {"entity": "a", "year": 2020})
    text = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    return ReportJob("a", "甲局", 2020, folder, "nb.ipynb", text, {"entity": "a"}, fp)


def test_report_failing_outside_its_notebook_is_marked_and_keeps_the_last_good_one(tmp_path):
    folder = tmp_path / "a" / "2020"
    good = {k: v.encode() for k, v in report_files("good").items()}
    commit_report(folder, good)
    result = render_one(_job(folder), FakePool())
    assert (result.status, result.error) == ("failed", "RenderError: 内核启动失败 (test)")
    assert "RenderError: 内核启动失败 (test)" in (folder / FAILED_FILE).read_text(encoding="utf-8")
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != FAILED_FILE} == good


def test_a_cancelled_batch_writes_nothing(tmp_path):
    folder = tmp_path / "a" / "2020"
    good = {k: v.encode() for k, v in report_files("good").items()}
    commit_report(folder, good)
    result = render_one(_job(folder), FakePool(cancelled=True))
    assert (result.status, result.error) == ("failed", "已取消 (cancelled)")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == good
