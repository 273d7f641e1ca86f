"""``fiscal-analysis render`` as a person at a terminal sees it: the progress bar, and Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from fiscal_analysis.render.batchstamp import STAMP_FILE
from fiscal_analysis.render.fingerprint import FINGERPRINT_FILE, read_fingerprint
from fiscal_analysis.render.index import REVIEW_FILE
from tests.terminal import run_in_terminal

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
NOTEBOOK = FIXTURES / "mini_report.ipynb"
PAIRS = [("alpha", 2019), ("alpha", 2020), ("beta", 2020)]
posix_only = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals and SIGINT: POSIX")


def cli_env(tmp_path: Path) -> dict[str, str]:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(temp)}


def render_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "fiscal_analysis.cli", "render",
        "--data", str(tmp_path / "data"), "--out", str(tmp_path / "reports"),
        "--notebook", str(NOTEBOOK), *extra,
    ]  # fmt: skip


@posix_only
def test_progress_bar_shows_in_a_pseudo_terminal_before_the_summary(tmp_path):
    """A fresh pty reports a 0 x 0 window; the bar used to be hidden, leaving a blank line."""
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    args = render_args(tmp_path, "--entity", "beta", "--year", "2020")
    env = cli_env(tmp_path)
    status, text = run_in_terminal(args, env)
    assert status == 0, text
    summary = text.index("报告汇总")
    assert "生成报告:   0%" in text[:summary] and "0/1" in text[:summary]
    assert "100%" in text[:summary] and "1/1" in text[:summary]
    assert "█" in text[:summary]
    assert "Traceback" not in text


def fake_last_good_reports(reports: Path) -> dict[Path, dict[str, bytes]]:
    """Earlier reports of every pair, made from other inputs (so all are rendered again)."""
    old = {}
    for entity, year in PAIRS:
        folder = reports / entity / str(year)
        folder.mkdir(parents=True)
        files = {
            "report.html": f"<p>上一次的报告 {entity} {year}</p>".encode(),
            "report.ipynb": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            FINGERPRINT_FILE: b'{"notebook": "old", "data": "old", "version": "0", '
            b'"code": "old", "parameters": {}}',
        }
        for name, data in files.items():
            (folder / name).write_bytes(data)
        old[folder] = files
    return old


def processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if text.encode() in cmdline and state not in ("Z", "X"):
                found.append(int(proc.name))
    return found


@posix_only
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_first_ctrl_c_exits_130_promptly_and_leaves_every_report_whole(tmp_path):
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    reports = tmp_path / "reports"
    old = fake_last_good_reports(reports)
    env = cli_env(tmp_path)
    proc = subprocess.Popen(
        render_args(tmp_path, "--jobs", "1"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # wait until the first report is in place: the batch is then under way, with more to do
    deadline = time.monotonic() + 240
    while not any(
        (f / "report.html").read_bytes() != files["report.html"]
        for f, files in old.items()
        if (f / "report.html").is_file()
    ):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode == 130
    assert took < 5, f"Ctrl-C took {took:.1f} s"
    assert "已中断" in err and "Traceback" not in err and "Traceback" not in out
    assert "报告汇总" not in out  # no summary of a batch that did not finish
    # every folder holds its last good report, or a complete new one
    new = []
    for folder, files in old.items():
        found = {p.name: p.read_bytes() for p in folder.iterdir()}
        if found == files:
            continue
        assert sorted(found) == [FINGERPRINT_FILE, "report.html", "report.ipynb"]
        assert "收入总计" in found["report.html"].decode("utf-8")
        assert read_fingerprint(folder) is not None
        nbformat.reads(found["report.ipynb"].decode("utf-8"), as_version=4)
        new.append(folder)
    assert 1 <= len(new) < len(old)
    # nothing of the batch is left running: fork server and kernels are gone
    deadline = time.monotonic() + 2
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_mentioning(str(tmp_path)) == []
    # the next run renders exactly the reports that were not finished, and leaves no debris
    again = subprocess.run(render_args(tmp_path), env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"生成 {len(old) - len(new)} 份，跳过 {len(new)} 份，失败 0 份" in again.stdout
    left = {p.name for p in reports.rglob(".*")}
    # no staging folder, no temporary file (the index keeps each report's 错误 count beside it)
    assert left == {FINGERPRINT_FILE, STAMP_FILE, REVIEW_FILE}
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "tmp").rglob("*")) == []
