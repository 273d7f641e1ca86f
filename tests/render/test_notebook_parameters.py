"""What render passes to a notebook: the names its parameters cell declares.

Every report notebook declares ``entity``, ``year`` and ``data`` (the command
line's ``--entity``, ``--year`` and ``--data``); ``decimals`` and extra
parameters go only to a notebook that declares them. A notebook that lacks a
required name, or is asked for one it does not declare, is refused before any
kernel starts, with a message naming the file and the names.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

import fiscal_analysis.render.reports as render_mod
from fiscal_analysis.cli import cli
from fiscal_analysis.errors import RenderError
from fiscal_analysis.render.batchstamp import STAMP_FILE
from fiscal_analysis.render.fingerprint import FINGERPRINT_FILE, code_digest
from fiscal_analysis.render.reports import render_reports

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
MINI = FIXTURES / "mini_report.ipynb"

ENTITY = 'entity: str = "alpha"  # 单位标识 (entity id)'
YEAR = "year: int = 2020  # 年度 (fiscal year)"
DATA = 'data: str = "data"  # 数据目录 (dataset folder)'
OLD_DATA = 'data_dir: str = "data"  # 数据目录 (dataset folder)'
DECIMALS = "decimals: int = 1  # 百分比小数位数 (decimals of percentages)"
TITLE = 'title: str = "决算概览"  # 标题 (heading)'


@pytest.fixture(scope="module", autouse=True)
def pinned_code_digest():
    """Hold the package-source digest fixed, so edits made elsewhere mid-run don't re-render."""
    fixed = code_digest()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render_mod, "code_digest", lambda: fixed)
        yield


def variant(folder: Path, name: str, parameters: list[str] | None, *cells: str) -> Path:
    """The fixture notebook with another parameters cell (``None``: no parameters cell)."""
    nb = nbformat.read(MINI, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    if parameters is None:
        cell.metadata["tags"] = []
        cell.source = "# 没有参数单元格 (no parameters cell)"
    else:
        cell.source = "\n".join(parameters)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    path = folder / name
    nbformat.write(nb, path)
    return path


def age(folder: Path, seconds: int = 60) -> None:
    """Make every file below ``folder`` older than the batch stamp's settling time."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


@pytest.fixture
def workspace(tmp_path):
    """A private copy of the fixture data, settled (old enough for the batch stamp)."""
    shutil.copytree(FIXTURES / "data", tmp_path / "data")
    age(tmp_path / "data")
    return tmp_path


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail the test if the batch tries to run any report."""

    def refuse(*args, **kwargs):
        raise AssertionError("no report may be run")

    monkeypatch.setattr(render_mod, "_run", refuse)


@pytest.fixture
def inspections(monkeypatch):
    """Count how often the notebook's parameters cell is read."""
    calls = []
    real = render_mod.declared_parameters

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(render_mod, "declared_parameters", counting)
    return calls


def render(workspace: Path, notebook: Path, **options):
    options = {"entities": ["alpha"], "years": [2020], "progress": False, **options}
    return render_reports(workspace / "data", workspace / "reports", notebook=notebook, **options)


def injected(folder: Path) -> dict:
    """The values papermill injected into the rendered notebook, in order."""
    nb = nbformat.read(folder / "report.ipynb", as_version=4)
    cells = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}


# -- a notebook that declares entity, year and data renders ----------------------------


def test_notebook_whose_parameters_cell_names_data_renders(workspace, inspections):
    batch = render(workspace, MINI)
    assert batch.exit_code == 0, batch.summary()
    [report] = batch.reports
    assert (report.status, report.reason) == ("rendered", "新报告")
    data_root = str((workspace / "data").resolve())
    assert list(injected(report.folder).items()) == [
        ("entity", "alpha"),
        ("year", 2020),
        ("data", data_root),
    ]
    page = report.html.read_text(encoding="utf-8")
    assert "甲市财政局 2020年度决算概览" in page and "收入总计 335.78万元" in page
    assert "单位 甲市财政局；年度 2020" in page and data_root not in page
    assert "单位 alpha" not in page
    stored = json.loads((report.folder / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    assert stored["parameters"] == {"entity": "alpha", "year": 2020}
    assert len(inspections) == 1


def test_planning_and_skipping_do_not_import_papermill(workspace):
    """Only a batch with something to render reads the notebook's parameters (papermill)."""
    render(workspace, MINI)
    (workspace / "reports" / STAMP_FILE).unlink()  # so the batch is planned in full
    script = (
        "import sys\n"
        "from fiscal_analysis.render.reports import render_reports\n"
        f"b = render_reports({str(workspace / 'data')!r}, {str(workspace / 'reports')!r},"
        f" notebook={str(MINI)!r}, entities=['alpha'], years=[2020], progress=False)\n"
        "print(b.summary().splitlines()[0]); print('papermill' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "报告汇总：生成 0 份，跳过 1 份，失败 0 份 (rendered 0, skipped 1, failed 0)",
        "False",
    ]


# -- decimals and extra parameters --------------------------------------------------


def test_decimals_and_extra_parameters_reach_the_notebook_and_rerender_when_changed(
    workspace, inspections, monkeypatch
):
    notebook = variant(
        workspace,
        "params.ipynb",
        [ENTITY, YEAR, DATA, DECIMALS, TITLE],
        "from fractions import Fraction\n"
        "from fiscal_analysis.money import format_pct\n"
        'print(title, "三分之一", format_pct(Fraction(100, 3), decimals))',
    )
    first = render(workspace, notebook, decimals=2, parameters={"title": "简本"})
    [report] = first.reports
    assert report.status == "rendered", first.summary()
    assert injected(report.folder) == {
        "entity": "alpha",
        "year": 2020,
        "data": str((workspace / "data").resolve()),
        "decimals": 2,
        "title": "简本",
    }
    page = report.html.read_text(encoding="utf-8")
    assert "简本 三分之一 33.33%" in page
    assert "单位 甲市财政局；年度 2020；百分比小数位 2；其他参数 简本" in page
    stored = json.loads((report.folder / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    assert stored["parameters"] == {"entity": "alpha", "year": 2020, "decimals": 2, "title": "简本"}
    assert len(inspections) == 1

    # the same parameters again: skipped without a kernel or a look at the notebook
    real_run = render_mod._run
    monkeypatch.setattr(render_mod, "_run", lambda *a, **k: pytest.fail("must skip"))
    again = render(workspace, notebook, decimals=2, parameters={"title": "简本"})
    assert [r.status for r in again.reports] == ["skipped"] and len(inspections) == 1
    assert (workspace / "reports" / STAMP_FILE).is_file()
    monkeypatch.setattr(render_mod, "_run", real_run)

    # another decimals (the default now): re-rendered, although the stamp is there
    fewer = render(workspace, notebook, parameters={"title": "简本"})
    [report] = fewer.reports
    assert (report.status, report.reason) == ("rendered", "参数已变化")
    assert (injected(report.folder)["decimals"], injected(report.folder)["title"]) == (1, "简本")
    page = report.html.read_text(encoding="utf-8")
    assert "简本 三分之一 33.3%" in page and "33.33%" not in page
    assert "单位 甲市财政局；年度 2020；其他参数 简本" in page and "百分比小数位" not in page
    assert len(inspections) == 2

    # without the extra parameter the notebook's own default applies
    plain = render(workspace, notebook)
    [report] = plain.reports
    assert (report.status, report.reason) == ("rendered", "参数已变化")
    assert "决算概览 三分之一 33.3%" in report.html.read_text(encoding="utf-8")
    stored = json.loads((report.folder / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    assert stored["parameters"] == {"entity": "alpha", "year": 2020}


# -- refusals: before any kernel starts, naming the notebook and the names --------------


@pytest.mark.parametrize(
    ("parameters", "missing"),
    [
        ([ENTITY, YEAR], "data"),
        ([YEAR, DATA], "entity"),
        ([ENTITY, DATA], "year"),
        ([DATA], "entity、year"),
        (None, "entity、year、data"),
    ],
    ids=["no-data", "no-entity", "no-year", "only-data", "no-parameters-cell"],
)
def test_notebook_lacking_a_required_parameter_is_refused(
    workspace, no_kernels, parameters, missing
):
    notebook = variant(workspace, "lacking.ipynb", parameters)
    with pytest.raises(RenderError) as caught:
        render(workspace, notebook)
    message = str(caught.value)
    assert message.startswith(f"报告笔记本「{notebook}」的参数单元格缺少参数 {missing}（")
    assert "须声明 entity、year、data" in message
    assert message.endswith(f"(notebook parameters cell lacks: {missing.replace('、', ', ')})")
    assert not (workspace / "reports").exists()


def test_old_data_dir_parameter_is_refused_with_a_hint_on_the_command_line(workspace):
    notebook = variant(workspace, "old.ipynb", [ENTITY, YEAR, OLD_DATA])
    args = ["render", "--data", str(workspace / "data"), "--out", str(workspace / "reports")]
    result = CliRunner().invoke(cli, [*args, "--notebook", str(notebook)])
    assert result.exit_code == 1
    assert result.output == (
        f"报告笔记本「{notebook}」的参数单元格缺少参数 data"
        "（报告笔记本须声明 entity、year、data；参数 data_dir 已改名为 data） "
        "(notebook parameters cell lacks: data)\n"
    )
    assert not (workspace / "reports").exists()


def test_unknown_extra_parameter_is_refused_listing_the_declared_ones(workspace, no_kernels):
    with pytest.raises(RenderError) as caught:
        render(workspace, MINI, parameters={"title": "简本", "colour": "red"})
    assert str(caught.value) == (
        f"报告笔记本「{MINI}」没有声明参数 title、colour（已声明：entity、year、data） "
        "(unknown notebook parameters: title, colour; declared: entity, year, data)"
    )
    assert not (workspace / "reports").exists()


def test_decimals_for_a_notebook_without_decimals_is_refused(workspace, no_kernels):
    """The fixture notebook shows no percentages: --decimals 1 (the default) is fine, 2 is not."""
    args = ["render", "--data", str(workspace / "data"), "--out", str(workspace / "reports")]
    result = CliRunner().invoke(cli, [*args, "--notebook", str(MINI), "--decimals", "2"])
    assert result.exit_code == 1
    expected = f"报告笔记本「{MINI}」没有声明参数 decimals（已声明：entity、year、data）"
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (workspace / "reports").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"parameters": {"year": 2019}}, "参数 year 由 render 设置，不能在 parameters 中给出"),
        ({"parameters": {"data": "/x", "entity": "b"}}, "参数 entity、data 由 render 设置"),
        ({"parameters": {"decimals": 2}}, "(set by render, not in parameters: decimals)"),
        ({"parameters": {"when": object()}}, "参数 when 的值"),
        ({"parameters": {"page size": 2, 3: 4}}, "identifiers): 'page size'、3"),
        ({"decimals": 5}, "decimals 应为 0–4 的整数 (decimals must be 0–4): 5"),
    ],
)
def test_parameters_render_sets_itself_or_cannot_pass_are_refused(
    workspace, no_kernels, options, message
):
    with pytest.raises(RenderError) as caught:
        render(workspace, MINI, **options)
    assert message in str(caught.value)


def test_notebook_that_is_not_json_is_refused_cleanly(workspace):
    broken = workspace / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    args = ["render", "--data", str(workspace / "data"), "--out", str(workspace / "reports")]
    result = CliRunner().invoke(cli, [*args, "--notebook", str(broken)])
    assert result.exit_code == 1
    assert result.output.startswith(f"无法读取报告笔记本「{broken}」的参数单元格: ")
    assert "Traceback" not in result.output


# -- the command line ---------------------------------------------------------------


def test_render_command_takes_entity_year_data_and_decimals(tmp_path):
    out = tmp_path / "reports"
    args = ["render", "--data", str(ROOT / "data"), "--out", str(out), "--jobs", "1"]
    args += ["--notebook", str(ROOT / "notebooks/annual_report.ipynb")]
    args += ["--entity", "株洲市芦淞区行政审批服务局", "--year", "2020", "--decimals", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("报告汇总：生成 1 份，跳过 0 份，失败 0 份")
    folder = out / "lusong-xzsp" / "2020"
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "与上年相比，减少327.17万元，下降49.35%。" in page
    assert "单位 株洲市芦淞区行政审批服务局；年度 2020；百分比小数位 2" in page
    assert injected(folder) == {
        "entity": "lusong-xzsp",
        "year": 2020,
        "data": str((ROOT / "data").resolve()),
        "decimals": 2,
    }
