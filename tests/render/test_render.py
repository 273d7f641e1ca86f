"""Batch rendering: real kernels on a small fixture notebook and dataset.

The fixture notebook (tests/fixtures/notebooks/mini_report.ipynb) loads the
dataset, shows a Chinese heading, a chart and a DataFrame; its cell 4 raises a
TypeError when an entity-year has no 收入总计, which is how a report is broken.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

import fiscal_analysis.dataset.load as loader_mod
import fiscal_analysis.render.reports as render_mod
from fiscal_analysis.cli import cli
from fiscal_analysis.errors import RenderError, UnknownEntityError
from fiscal_analysis.render.batchstamp import STAMP_FILE
from fiscal_analysis.render.export import check_html
from fiscal_analysis.render.fingerprint import (
    FINGERPRINT_FILE,
    code_digest,
    content_digest,
    entity_digests,
)
from fiscal_analysis.render.folders import FAILED_FILE
from fiscal_analysis.render.index import REVIEW_FILE
from fiscal_analysis.render.reports import render_reports

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
NOTEBOOK = FIXTURES / "mini_report.ipynb"
PAIRS = [("alpha", 2019), ("alpha", 2020), ("beta", 2020)]
NOISE = (
    "Debugger warning",
    "frozen modules",
    "zmq",
    "Kernel didn't respond",
    "Traceback",
    "Warning",
)


def statuses(batch):
    return {(r.entity_id, r.year): r.status for r in batch.reports}


def rerender(workspace, **options):
    """Render the workspace's data into its reports (fixture notebook, no bar unless told)."""
    options = {"notebook": NOTEBOOK, "progress": False, **options}
    return render_reports(workspace / "data", workspace / "reports", **options)


@pytest.fixture(scope="module", autouse=True)
def pinned_code_digest():
    """Hold the package-source digest fixed, so edits made elsewhere mid-run don't re-render.

    (:func:`test_code_digest_tracks_package_source` checks the digest itself.)
    """
    fixed = code_digest()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render_mod, "code_digest", lambda: fixed)
        yield


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, pinned_code_digest):
    """One successful render of the fixture data: the starting point of each test."""
    base = tmp_path_factory.mktemp("render-base")
    shutil.copytree(FIXTURES / "data", base / "data")
    batch = render_reports(
        base / "data", base / "reports", notebook=NOTEBOOK, jobs=2, progress=False
    )
    return base, batch


@pytest.fixture
def workspace(rendered, tmp_path):
    """A private copy of the fixture data and its rendered reports."""
    base, _ = rendered
    shutil.copytree(base / "data", tmp_path / "data")
    shutil.copytree(base / "reports", tmp_path / "reports")
    return tmp_path


def test_first_render_writes_notebook_html_and_fingerprint(rendered):
    base, batch = rendered
    assert statuses(batch) == dict.fromkeys(PAIRS, "rendered")
    assert batch.exit_code == 0
    assert {r.reason for r in batch.reports} == {"新报告"}
    for entity, year in PAIRS:
        folder = base / "reports" / entity / str(year)
        assert sorted(p.name for p in folder.iterdir()) == [
            FINGERPRINT_FILE,
            REVIEW_FILE,  # the index's 错误 count, beside the report it belongs to
            "report.html",
            "report.ipynb",
        ]
        nb = nbformat.read(folder / "report.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        assert (
            f'entity = "{entity}"' in injected[0].source and f"year = {year}" in injected[0].source
        )
        assert nb.metadata.papermill["input_path"] == str(NOTEBOOK)
        assert check_html((folder / "report.html").read_text(encoding="utf-8")) == []
        stored = json.loads((folder / FINGERPRINT_FILE).read_text(encoding="utf-8"))
        assert stored["parameters"] == {"entity": entity, "year": year}
    beta = (base / "reports/beta/2020/report.html").read_text(encoding="utf-8")
    alpha = (base / "reports/alpha/2020/report.html").read_text(encoding="utf-8")
    assert "收入总计 99.2万元" in beta and "收入总计 335.78万元" in alpha
    assert "收入总计 662.95万元" in (base / "reports/alpha/2019/report.html").read_text(
        encoding="utf-8"
    )


def test_every_report_gets_a_fresh_kernel(rendered):
    base, _ = rendered
    pids = set()
    for entity, year in PAIRS:
        nb = nbformat.read(base / "reports" / entity / str(year) / "report.ipynb", as_version=4)
        noise = [
            o.text for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"
        ]
        line = next(t for t in noise if "kernel pid" in t)
        pids.add(line.split("kernel pid")[1].split()[0])
        # execution counts start at 1: the silent warm-up does not count
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
    assert len(pids) == len(PAIRS)


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail the test if the batch tries to run any report."""

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged batch must not start any kernel")

    monkeypatch.setattr(render_mod, "_run", refuse)


def test_second_render_skips_everything_without_starting_kernels(workspace, no_kernels):
    batch = rerender(workspace)
    assert statuses(batch) == dict.fromkeys(PAIRS, "skipped")
    assert batch.exit_code == 0
    assert "跳过 3 份" in batch.summary()


def age(folder, seconds=60):
    """Make every file below ``folder`` older than the stamp's settling time."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


@pytest.fixture
def planned_in_full(monkeypatch):
    """Count the batches that loaded the dataset (the full plan) instead of trusting the stamp."""
    calls = []
    real = loader_mod.load_dataset

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader_mod, "load_dataset", counting)
    return calls


def test_unchanged_batch_is_recognised_from_its_stamp_without_loading(
    workspace, no_kernels, planned_in_full
):
    first = rerender(workspace)  # a new data folder: planned in full, then stamped
    assert statuses(first) == dict.fromkeys(PAIRS, "skipped") and len(planned_in_full) == 1
    assert (workspace / "reports" / STAMP_FILE).is_file()
    again = rerender(workspace)
    assert len(planned_in_full) == 1  # the stamp vouched for every report
    assert again.summary() == first.summary()
    assert [r.reason for r in again.reports] == ["未变化"] * 3
    # another selection, a touched file or a missing report: planned in full again
    rerender(workspace, entities=["beta"])
    assert len(planned_in_full) == 2
    rerender(workspace)
    assert len(planned_in_full) == 3
    facts = workspace / "data/alpha/2020/facts.csv"
    os.utime(facts, (time.time() - 30, time.time() - 30))
    assert statuses(rerender(workspace)) == dict.fromkeys(PAIRS, "skipped")
    assert len(planned_in_full) == 4
    assert rerender(workspace).summary() == first.summary() and len(planned_in_full) == 4
    (workspace / "reports/beta/2020/report.html").unlink()
    with pytest.raises(AssertionError, match="must not start any kernel"):
        rerender(workspace)  # the full plan finds the missing report and would render it


def test_unchanged_rerun_does_not_import_pandas(workspace):
    rerender(workspace)  # stamps the batch
    script = (
        "import sys\n"
        "from fiscal_analysis.render.reports import render_reports\n"
        f"b = render_reports({str(workspace / 'data')!r}, {str(workspace / 'reports')!r},"
        f" notebook={str(NOTEBOOK)!r}, progress=False)\n"
        "print(b.summary().splitlines()[0]); print('pandas' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "报告汇总：生成 0 份，跳过 3 份，失败 0 份 (rendered 0, skipped 3, failed 0)",
        "False",
    ]


def test_data_edited_moments_ago_is_not_stamped(workspace, no_kernels):
    """A file younger than the settling time could change again unseen (same size and mtime)."""
    facts = workspace / "data/beta/2020/facts.csv"
    facts.write_bytes(facts.read_bytes())
    assert statuses(rerender(workspace)) == dict.fromkeys(PAIRS, "skipped")
    assert not (workspace / "reports" / STAMP_FILE).exists()


def test_changed_data_file_rerenders_only_reports_that_read_it(workspace):
    facts = workspace / "data/beta/2020/facts.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(",99.2,", ",99.3,"), encoding="utf-8"
    )
    alpha_before = (workspace / "reports/alpha/2020/report.html").read_bytes()
    batch = rerender(workspace)
    assert statuses(batch) == {
        ("alpha", 2019): "skipped",
        ("alpha", 2020): "skipped",
        ("beta", 2020): "rendered",
    }
    beta = next(r for r in batch.reports if r.entity_id == "beta")
    assert beta.reason == "数据已变化"
    assert "收入总计 99.3万元" in beta.html.read_text(encoding="utf-8")
    assert (workspace / "reports/alpha/2020/report.html").read_bytes() == alpha_before


def test_other_entitys_row_in_shared_entities_csv_rerenders_only_that_entity(workspace):
    """The data part of the fingerprint is the entity's own rows, not the shared file's bytes."""
    entities = workspace / "data/entities.csv"
    text = entities.read_text(encoding="utf-8")
    assert "乙县行政审批服务局,湖南省乙县,县级,测试单位" in text
    entities.write_text(
        text.replace("湖南省乙县,县级,测试单位", "湖南省乙县,县级,测试单位（已更正）"),
        encoding="utf-8",
    )
    batch = rerender(workspace)
    assert statuses(batch) == {
        ("alpha", 2019): "skipped",
        ("alpha", 2020): "skipped",
        ("beta", 2020): "rendered",
    }
    assert next(r for r in batch.reports if r.entity_id == "beta").reason == "数据已变化"


def test_one_year_file_rerenders_every_report_of_that_entity_and_no_other(workspace):
    """A year's facts feed the entity's reports of every year (trends, YoY), nobody else's."""
    facts = workspace / "data/alpha/2019/facts.csv"
    text = facts.read_text(encoding="utf-8")
    assert text.count(",662.95,") == 2
    facts.write_text(text.replace(",662.95,", ",662.96,"), encoding="utf-8")
    batch = rerender(workspace)
    assert statuses(batch) == {
        ("alpha", 2019): "rendered",
        ("alpha", 2020): "rendered",
        ("beta", 2020): "skipped",
    }
    page = (workspace / "reports/alpha/2019/report.html").read_text(encoding="utf-8")
    assert "收入总计 662.96万元" in page


def test_reformatted_csv_with_the_same_values_rerenders_nothing(workspace, no_kernels):
    """Row order, ``99.20`` for ``99.2``, GB18030 instead of UTF-8: the values are unchanged."""
    facts = workspace / "data/beta/2020/facts.csv"
    head, *rows = facts.read_text(encoding="utf-8").splitlines()
    rows = [r.replace(",99.2,", ",99.20,") for r in reversed(rows)]
    facts.write_bytes(("\r\n".join([head, *rows]) + "\r\n").encode("gb18030"))
    entities = workspace / "data/entities.csv"
    entities.write_bytes(b"\xef\xbb\xbf" + entities.read_bytes())  # a BOM
    batch = rerender(workspace)
    assert statuses(batch) == dict.fromkeys(PAIRS, "skipped")


def test_entity_digests_equal_each_entitys_own_digest():
    """The one-pass digests of planning are the per-entity content digests, value for value."""
    ds = loader_mod.load_dataset(FIXTURES / "data")
    ids = ["beta", "alpha", "nobody"]
    assert entity_digests(ds, ids) == {e: content_digest(ds.rows_for(e)) for e in ids}
    assert len(set(entity_digests(ds, ids).values())) == 3


def test_code_digest_tracks_package_source(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "resources").mkdir(parents=True)
    (pkg / "charts.py").write_text("A = 1\n")
    (pkg / "resources" / "report.css").write_text("body {}\n")
    before = code_digest(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "charts.cpython-311.pyc").write_bytes(b"\0")
    assert code_digest(pkg) == before  # caches do not count
    (pkg / "resources" / "report.css").write_text("body { color: red }\n")
    assert code_digest(pkg) != before


def test_changed_notebook_or_force_rerenders(workspace, tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("附注：笔记本已修改。"))
    edited = tmp_path / "edited.ipynb"
    nbformat.write(nb, edited)
    batch = rerender(workspace, notebook=edited, entities=["beta"])
    assert statuses(batch) == {("beta", 2020): "rendered"}
    assert batch.reports[0].reason == "笔记本已变化"
    assert "附注：笔记本已修改。" in batch.reports[0].html.read_text(encoding="utf-8")
    again = render_reports(
        workspace / "data", workspace / "reports", notebook=edited, entities=["beta"], force=True
    )
    assert statuses(again) == {("beta", 2020): "rendered"} and again.reports[0].reason == "--force"


def test_failure_in_one_report_keeps_previous_files_and_names_the_cell(workspace, capfd):
    folder = workspace / "reports/beta/2020"
    html_before = (folder / "report.html").read_bytes()
    ipynb_before = (folder / "report.ipynb").read_bytes()
    fp_before = (folder / FINGERPRINT_FILE).read_bytes()
    facts = workspace / "data/beta/2020/facts.csv"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    facts.write_text(
        "".join(ln for ln in lines if "income_grand_total" not in ln), encoding="utf-8"
    )

    args = ["render", "--data", str(workspace / "data"), "--out", str(workspace / "reports")]
    result = CliRunner().invoke(cli, [*args, "--notebook", str(NOTEBOOK), "--force", "--jobs", "2"])

    assert result.exit_code == 1
    out = result.stdout
    assert "生成 2 份，跳过 0 份，失败 1 份" in out
    failed = [ln for ln in out.splitlines() if ln.strip().startswith("失败")]
    assert len(failed) == 1 and "beta" in failed[0] and "2020" in failed[0]
    assert "第 5 个单元格（索引 4）" in failed[0]
    assert '「total = int(ds.fen(entity, year, "T01", "income_grand_total"))' in failed[0]
    assert "TypeError: int() argument must be" in failed[0] and "NoneType" in failed[0]
    assert "Traceback" not in result.output and 'File "' not in result.output
    # the last good report is untouched, byte for byte
    assert (folder / "report.html").read_bytes() == html_before
    assert (folder / "report.ipynb").read_bytes() == ipynb_before
    assert (folder / FINGERPRINT_FILE).read_bytes() == fp_before
    assert (folder / "report.failed.ipynb").is_file()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    # the others were rendered
    assert (workspace / "reports/alpha/2020/report.html").read_bytes() != b""
    assert "已生成  2019  甲市财政局 (alpha)" in out
    captured = capfd.readouterr()
    for noise in NOISE:
        assert noise not in captured.err and noise not in captured.out


def test_failed_report_is_retried_and_recovers(workspace):
    facts = workspace / "data/beta/2020/facts.csv"
    good = facts.read_text(encoding="utf-8")
    facts.write_text("".join(ln for ln in good.splitlines(True) if "income_grand_total" not in ln))
    age(workspace)
    rerender(workspace, entities=["alpha"])  # a batch without failures leaves a stamp …
    assert (workspace / "reports" / STAMP_FILE).is_file()
    first = rerender(workspace)
    assert not (workspace / "reports" / STAMP_FILE).exists()  # … one with failures none
    failed = next(r for r in first.reports if r.status == "failed")
    assert (failed.cell_index, failed.ename) == (4, "TypeError")
    assert failed.cell_source.startswith("total = int(ds.fen(")
    folder = workspace / "reports/beta/2020"
    # the folder says so, beside the last good report
    assert "本报告最近一次生成失败" in (folder / FAILED_FILE).read_text(encoding="utf-8")
    assert "TypeError" in (folder / FAILED_FILE).read_text(encoding="utf-8")
    assert (folder / "report.failed.ipynb").is_file() and (folder / "report.html").is_file()
    facts.write_text(good, encoding="utf-8")  # data restored: the stored report matches again
    second = rerender(workspace)
    assert statuses(second) == dict.fromkeys(PAIRS, "skipped")
    assert sorted(p.name for p in folder.iterdir()) == [
        FINGERPRINT_FILE, REVIEW_FILE, "report.html", "report.ipynb"
    ]  # fmt: skip
    # failed again, then fixed with new values: the new report replaces the markers too
    facts.write_text("".join(ln for ln in good.splitlines(True) if "income_grand_total" not in ln))
    assert statuses(rerender(workspace))["beta", 2020] == "failed"
    assert (folder / FAILED_FILE).is_file()
    facts.write_text(good.replace(",99.2,", ",99.4,"), encoding="utf-8")
    assert statuses(rerender(workspace))["beta", 2020] == "rendered"
    assert "收入总计 99.4万元" in (folder / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.iterdir()) == [
        FINGERPRINT_FILE, REVIEW_FILE, "report.html", "report.ipynb"
    ]  # fmt: skip


def test_selection_by_name_and_year(workspace):
    batch = render_reports(
        workspace / "data",
        workspace / "reports",
        notebook=NOTEBOOK,
        entities=["乙县行政审批服务局"],
        years=[2020],
        progress=False,
    )
    assert [(r.entity_id, r.year) for r in batch.reports] == [("beta", 2020)]
    with pytest.raises(UnknownEntityError, match="没有 2019 年度数据"):
        render_reports(
            workspace / "data",
            workspace / "reports",
            notebook=NOTEBOOK,
            entities=["beta"],
            years=[2019],
        )
    with pytest.raises(UnknownEntityError, match="nope"):
        render_reports(
            workspace / "data", workspace / "reports", notebook=NOTEBOOK, entities=["nope"]
        )


def test_missing_notebook_is_a_clear_error(workspace):
    with pytest.raises(RenderError, match="无法读取报告笔记本"):
        render_reports(workspace / "data", workspace / "reports", notebook=workspace / "none.ipynb")
    result = CliRunner().invoke(
        cli,
        ["render", "--data", str(workspace / "data"), "--notebook", str(workspace / "none.ipynb")],
    )
    assert result.exit_code == 1 and "无法读取报告笔记本" in result.output
    assert "Traceback" not in result.output


def test_executor_is_pluggable(workspace):
    """A process-based executor works too: each job starts its own kernel where it runs."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        batch = rerender(workspace, entities=["beta"], force=True, executor=executor)
    assert statuses(batch) == {("beta", 2020): "rendered"}
    assert "收入总计 99.2万元" in batch.reports[0].html.read_text(encoding="utf-8")


def test_shipped_data_renders_with_the_report_notebook(tmp_path):
    out = tmp_path / "reports"
    batch = render_reports(
        ROOT / "data", out, notebook=ROOT / "notebooks/annual_report.ipynb", progress=False
    )
    assert batch.exit_code == 0, batch.summary()
    # the seed (2020, its 2019 推算) and three real 2024 departments (each with its 2023 推算)
    assert [(r.entity_id, r.year, r.status) for r in batch.reports] == [
        (e, y, "rendered")
        for e, years in [("lusong-xzsp", (2019, 2020)), ("putuo-czj", (2023, 2024)),
                         ("putuo-ghzy", (2023, 2024)), ("putuo-shgzb", (2023, 2024))]
        for y in years
    ]  # fmt: skip
    names = {"lusong-xzsp": "株洲市芦淞区行政审批服务局", "putuo-czj": "上海市普陀区财政局"}
    for r in batch.reports:
        page = r.html.read_text(encoding="utf-8")
        assert check_html(page) == []
        assert '<html lang="zh-CN">' in page and "生成信息" in page
        if r.entity_id in names:
            assert f"{names[r.entity_id]} {r.year}年度" in page
    again = render_reports(
        ROOT / "data", out, notebook=ROOT / "notebooks/annual_report.ipynb", progress=False
    )
    assert {r.status for r in again.reports} == {"skipped"}
