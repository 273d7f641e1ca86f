"""Rendering on a Dask cluster from the CLI (``--scheduler local:2``) and its checks.

One small batch (two reports of the fixture notebook, one of which fails) goes
through a two-worker ``LocalCluster``; the report that renders must be the same
page as a local render, and the failure must read as it does locally. The same
holds between the default shell kernels and ``--kernel jupyter``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import fiscal_analysis.render.reports as render_mod
from fiscal_analysis.cli import cli
from fiscal_analysis.errors import RenderError
from fiscal_analysis.render.cluster import ClusterExecutor, check_paths
from fiscal_analysis.render.fingerprint import code_digest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
NOTEBOOK = FIXTURES / "mini_report.ipynb"


def page_text(path: Path) -> str:
    """The report page without what differs from run to run (the time it was made, kernel pid)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<dt>生成时间</dt><dd>[^<]*</dd>", "", text)
    return re.sub(r"kernel pid \d+", "kernel pid N", text)


def failure_text(folder: Path) -> str:
    """FAILED.txt of a report folder without the line saying when it was written."""
    text = (folder / "FAILED.txt").read_text(encoding="utf-8")
    return re.sub(r"(?m)^时间 \(at\): .*$", "", text)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    fixed = code_digest()
    monkeypatch.setattr(render_mod, "code_digest", lambda: fixed)
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    facts = tmp_path / "data/beta/2020/facts.csv"  # beta 2020 fails in cell 4 (no 收入总计)
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    facts.write_text("".join(ln for ln in lines if "income_grand_total" not in ln), "utf-8")
    return tmp_path


def test_render_on_a_local_dask_cluster_matches_a_local_render(workspace, monkeypatch):
    monkeypatch.chdir(workspace)  # relative paths, as typed by a user: sent absolute
    args = ["render", "--data", "data", "--out", "dask", "--notebook", str(NOTEBOOK)]
    args += ["--year", "2020", "--scheduler", "local:2"]
    result = CliRunner().invoke(cli, args)

    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "生成 1 份，跳过 0 份，失败 1 份" in out
    assert "已生成  2020  甲市财政局 (alpha)" in out
    assert str(Path("dask/alpha/2020/report.html")) in out  # the folder as the user named it
    failed = [ln for ln in out.splitlines() if ln.strip().startswith("失败")]
    assert len(failed) == 1 and "beta" in failed[0] and "第 5 个单元格（索引 4）" in failed[0]
    assert "TypeError: int() argument must be" in failed[0]
    assert "Traceback" not in result.output
    assert (workspace / "dask/beta/2020/report.failed.ipynb").is_file()
    assert (workspace / "dask/index.html").is_file()

    local = CliRunner().invoke(cli, [*args[:4], "local", *args[5:-2], "--jobs", "2"])
    assert local.exit_code == 1, local.output
    # the summary (cell, error, the failed notebook it points to) reads as a local batch's
    summary = out[out.index("报告汇总") :]
    assert f"（详见 {Path('dask/beta/2020/report.failed.ipynb')}）" in summary
    local_summary = local.stdout[local.stdout.index("报告汇总") :]
    assert summary == local_summary.replace(str(Path("local")) + os.sep, str(Path("dask")) + os.sep)
    # and so does FAILED.txt beside the failed report (but for the time it was written)
    assert failure_text(workspace / "dask/beta/2020") == failure_text(workspace / "local/beta/2020")
    assert "TypeError: int() argument must be" in failure_text(workspace / "dask/beta/2020")
    dask_page = page_text(workspace / "dask/alpha/2020/report.html")
    assert "收入总计 335.78万元" in dask_page
    assert dask_page == page_text(workspace / "local/alpha/2020/report.html")


def test_render_in_jupyter_kernels_matches_the_default_shell_kernels(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    args = ["render", "--data", "data", "--notebook", str(NOTEBOOK), "--year", "2020"]
    shell = CliRunner().invoke(cli, [*args, "--out", "shell"])
    jupyter = CliRunner().invoke(cli, [*args, "--out", "jupyter", "--kernel", "jupyter"])
    assert shell.exit_code == jupyter.exit_code == 1, jupyter.output
    summary = shell.stdout[shell.stdout.index("报告汇总") :]
    assert "生成 1 份，跳过 0 份，失败 1 份" in summary and "第 5 个单元格（索引 4）" in summary
    jupyter_summary = jupyter.stdout[jupyter.stdout.index("报告汇总") :]
    assert jupyter_summary == summary.replace(
        str(Path("shell")) + os.sep, str(Path("jupyter")) + os.sep
    )
    assert failure_text(workspace / "jupyter/beta/2020") == failure_text(
        workspace / "shell/beta/2020"
    )
    page = page_text(workspace / "shell/alpha/2020/report.html")
    assert "收入总计 335.78万元" in page
    assert page == page_text(workspace / "jupyter/alpha/2020/report.html")

    wrong = CliRunner().invoke(cli, [*args, "--out", "x", "--kernel", "python2"])
    assert wrong.exit_code == 2 and "'python2' is not one of 'shell', 'jupyter'" in wrong.output
    with pytest.raises(RenderError, match="未知的内核「python2」"):
        render_mod.render_reports("data", "x", notebook=NOTEBOOK, kernel="python2")


def test_check_paths_names_what_a_worker_cannot_see(tmp_path):
    (tmp_path / "data").mkdir()
    ok = (str(tmp_path / "data"), str(tmp_path), str(tmp_path))
    assert check_paths(*ok) == ""
    assert (
        check_paths(str(tmp_path / "none"), *ok[1:]) == f"无法读取数据目录「{tmp_path / 'none'}」"
    )
    assert (
        check_paths(ok[0], ok[1], str(tmp_path / "nb"))
        == f"无法读取笔记本目录「{tmp_path / 'nb'}」"
    )
    assert (
        check_paths(ok[0], str(tmp_path / "out"), ok[2])
        == f"无法写入输出目录「{tmp_path / 'out'}」"
    )


class _Workers:
    """Stands in for a ``distributed.Client``: what each worker answered."""

    def __init__(self, answers):
        self.answers = answers

    def run(self, fn, *args):
        return self.answers


def test_a_worker_that_cannot_see_the_data_stops_the_batch_with_a_clear_error(tmp_path):
    ex = ClusterExecutor("tcp://scheduler:8786", tmp_path, tmp_path / "out")
    ex._client = _Workers(
        {"tcp://10.0.0.2:4000": "", "tcp://10.0.0.3:4000": "无法读取数据目录「/d」"}
    )
    with pytest.raises(
        RenderError, match=r"Dask 工作进程 tcp://10.0.0.3:4000 无法读取数据目录「/d」"
    ):
        ex.check_workers(str(tmp_path))
    ex._client = _Workers({})
    with pytest.raises(RenderError, match="没有工作进程"):
        ex.check_workers(str(tmp_path))
