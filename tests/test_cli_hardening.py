"""The command line on hostile or unlucky input: empty --out, permission problems, no traceback."""

from __future__ import annotations

import builtins
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import fiscal_analysis
from fiscal_analysis.cli import cli
from tests.users import as_nobody

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534


@pytest.mark.parametrize(
    "args",
    [
        ["render", "--data", "data", "--out", ""],
        ["render", "--data", "data", "--out", "  "],
        ["export", "--data", "data", "--out", ""],
        ["extract", "doc.txt", "--out", ""],
        ["extract", "doc.txt", "-o", ""],
    ],
    ids=["render", "render-blank", "export", "extract", "extract-short"],
)
def test_an_empty_out_is_refused(tmp_path, args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "不能为空；请给出输出路径 (must not be empty)" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", ["render", "check", "export", "validate", "summary"])
@pytest.mark.parametrize("value", ["", "  "], ids=["empty", "blank"])
def test_an_empty_data_folder_is_refused(tmp_path, monkeypatch, command, value):
    """``--data ""`` would mean the current folder: refused before anything is read."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts.csv").mkdir()  # what a load of the current folder would report
    extra = ["--out", str(tmp_path / "out.xlsx")] if command == "export" else []
    result = CliRunner().invoke(cli, [command, "--data", value, *extra])
    assert result.exit_code == 2
    assert "--data" in result.output
    assert "不能为空；请给出数据目录 (must not be empty)" in result.output
    assert "facts.csv" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.csv"]


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["render", "--notebook", ""], "报告笔记本"),
        (["check", ""], "原文文件"),
        (["extract", " ", "--out", "out"], "原文文件"),
    ],
    ids=["render-notebook", "check-doc", "extract-doc"],
)
def test_an_empty_notebook_or_document_is_refused(tmp_path, monkeypatch, args, what):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert f"不能为空；请给出{what} (must not be empty)" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not list(tmp_path.iterdir())


def _data(folder: Path) -> Path:
    root = folder / "data"
    shutil.copytree(REPO / "data", root, ignore=shutil.ignore_patterns("raw", "*.md", "putuo*"))
    return root


def test_an_unreadable_data_file_is_named_when_open_is_denied(tmp_path, monkeypatch):
    """As root nothing is unreadable: deny the file's open instead."""
    root = _data(tmp_path)
    denied = str(root / "lusong-xzsp" / "2020" / "facts.csv")
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if os.fspath(path) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    result = CliRunner().invoke(cli, ["validate", "--data", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert (
        "  - lusong-xzsp/2020/facts.csv: 无法读取文件：Permission denied (cannot read the file)"
        in result.output
    )
    assert "Traceback" not in result.output


def test_an_unwritable_export_file_is_named(tmp_path, monkeypatch):
    target = tmp_path / "metrics.csv"
    real_open = builtins.open

    def guarded(file, mode="r", *args, **kwargs):
        if "w" in mode and Path(os.fspath(file)).parent == tmp_path:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    result = CliRunner().invoke(
        cli, ["export", "--data", str(REPO / "data"), "--out", str(target), "--no-cache"]
    )
    assert result.exit_code == 1, result.output
    assert "没有权限：" in result.output and "Permission denied" in result.output
    assert str(tmp_path) in result.output
    assert "Traceback" not in result.output


def test_a_render_whose_out_cannot_be_written_is_named(tmp_path, monkeypatch):
    import fiscal_analysis.render.reports as reports

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out" / "index.html"))

    monkeypatch.setattr(reports, "render_reports", denied)
    result = CliRunner().invoke(cli, ["render", "--data", "data", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == (
        f"没有权限：{tmp_path / 'out' / 'index.html'}（Permission denied） (cannot read or write)\n"
    )


# -- the same as the unprivileged user nobody ------------------------------------------------


def _as_nobody() -> list[str]:
    return as_nobody()


@pytest.fixture
def shared():
    """A folder nobody can read, with a copy of the data, a home and a read-only folder."""
    folder = Path(tempfile.mkdtemp(prefix="fa-perm-"))
    folder.chmod(0o755)
    _data(folder)
    for path in (folder / "data").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (folder / "data").chmod(0o755)
    (folder / "home").mkdir(mode=0o777)
    (folder / "home").chmod(0o777)
    (folder / "readonly").mkdir(mode=0o755)
    yield folder
    shutil.rmtree(folder)


def _cli_as_nobody(folder: Path, *args: str) -> subprocess.CompletedProcess:
    src = str(Path(fiscal_analysis.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": src,
        "HOME": str(folder / "home"),
        "XDG_CACHE_HOME": str(folder / "readonly"),  # an unwritable cache is not an error
        "MPLCONFIGDIR": str(folder / "home"),
    }
    code = "from fiscal_analysis.cli import main; main()"
    return subprocess.run(
        [*_as_nobody(), sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_as_nobody_permission_problems_are_named_without_traceback(shared):
    data = str(shared / "data")
    ok = _cli_as_nobody(shared, "validate", "--data", data)  # the cache cannot be written
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("数据校验通过")

    (shared / "data" / "lusong-xzsp" / "2020" / "facts.csv").chmod(0)
    run = _cli_as_nobody(shared, "validate", "--data", data, "--no-cache")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "数据校验发现 1 个问题 (validation found problems):",
        "  - lusong-xzsp/2020/facts.csv: 无法读取文件：Permission denied (cannot read the file)",
    ]

    (shared / "data" / "lusong-xzsp" / "2019").chmod(0)
    run = _cli_as_nobody(shared, "validate", "--data", data, "--no-cache")
    assert run.returncode == 1
    assert "  - lusong-xzsp/2019: 无法读取数据目录：Permission denied (cannot list the folder)" in (
        run.stderr.splitlines()
    )
    assert "Traceback" not in run.stderr
    (shared / "data" / "lusong-xzsp" / "2019").chmod(0o755)
    (shared / "data" / "lusong-xzsp" / "2020" / "facts.csv").chmod(0o644)

    out = shared / "readonly" / "metrics.xlsx"
    run = _cli_as_nobody(shared, "export", "--data", data, "--out", str(out))
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == f"没有权限：{out}（Permission denied） (cannot read or write)\n"

    out = shared / "readonly" / "reports"
    run = _cli_as_nobody(shared, "render", "--data", data, "--out", str(out))
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == f"没有权限：{out}（Permission denied） (cannot read or write)\n"


def test_json_output_escapes_c1_controls_and_stays_valid_json(capsys):
    """``json.dumps(ensure_ascii=False)`` leaves DEL and C1 (such as CSI, 0x9b) raw."""
    import json

    from fiscal_analysis.cli.common import echo

    echo(json.dumps({"name": "甲\x9b2J乙\x7f"}, ensure_ascii=False), json=True)
    out = capsys.readouterr().out
    assert "\x9b" not in out and "\x7f" not in out
    assert out == '{"name": "甲\\u009b2J乙\\u007f"}\n'
    assert json.loads(out) == {"name": "甲\x9b2J乙\x7f"}
