"""``fiscal-analysis validate`` on broken datasets: exit 1, one clear problem line, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fiscal_analysis.cli import cli
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.errors import DataValidationError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN = FIXTURES / "broken"
FACTS = "demo/2020/facts.csv"

#: case -> (file, line, column, value, words the message must contain)
CASES: dict[str, tuple[str, int | None, str | None, str | None, str]] = {
    "missing_column": (FACTS, 1, "unit", None, "缺少必需的列「unit」"),
    "text_in_amount": (FACTS, 3, "value", "约99.2万", "数值里不要写单位"),
    "nan_amount": (FACTS, 3, "value", "NaN", "缺失值请留空"),
    "fullwidth_amount": (FACTS, 3, "value", "９９.2", "请使用半角数字"),
    "padded_amount": (FACTS, 3, "value", " 99.2 ", "前后有多余的空格"),
    "year_decimal": (FACTS, 4, "year", "2020.0", "应为四位年份"),
    "padded_code": (FACTS, 3, "code", " 2010301 ", "前后有多余的空格"),
    "duplicate_key": (
        FACTS,
        8,
        "item",
        "demo / 2020 / T05 / 2010301 / total",
        "与 demo/2020/facts.csv 第3行 重复",
    ),
    "malformed_code": (FACTS, 3, "code", "20103011", "应为3、5或7位数字"),
    "unknown_code": (FACTS, 3, "code", "2019999", "未知的功能分类科目编码"),
    "wrong_unit": (FACTS, 2, "unit", "元", "单位应为「万元」"),
    "unknown_item": (FACTS, 3, "item", "totals", "T05 没有此项目"),
    "unknown_table": (FACTS, 3, "table", "T10", "应为以下之一：T01"),
    "unknown_entity": (FACTS, 4, "entity_id", "demo2", "未在 entities.csv 中登记"),
    "derived_without_formula": (FACTS, 6, "note", "", "推算数须在 note 列写明推算式"),
    "ragged_row": (FACTS, 4, None, "多出的值", "该行有 12 个字段，但表头只有 11 列"),
    "short_row": (FACTS, 5, "section", None, "该行只有 9 个字段"),
    "empty_file": (FACTS, None, None, None, "文件为空"),
    "undecodable": (FACTS, 2, None, "e9 20 73 65", "无法按 UTF-8 或 GBK 解码"),
    "folder_named_facts": ("demo/2021/facts.csv", None, None, None, "这里却是一个文件夹"),
}


def _problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  - ")]


def _script() -> str:
    """The installed console script, next to the running interpreter when possible."""
    local = Path(sys.executable).parent / "fiscal-analysis"
    found = str(local) if local.exists() else shutil.which("fiscal-analysis")
    assert found, "the fiscal-analysis console script is not installed (pip install -e .)"
    return found


def test_every_broken_fixture_has_expectations():
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert folders == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_case_gives_one_clear_problem(case):
    file, line, column, value, words = CASES[case]
    with pytest.raises(DataValidationError) as info:
        load_dataset(BROKEN / case)
    problems = info.value.problems
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.row, p.column) == (file, line, column)
    assert (p.value or None) == (value or None)
    assert words in p.expected

    result = CliRunner().invoke(cli, ["validate", "--data", str(BROKEN / case)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = _problem_lines(result.output)
    assert lines == [f"  - {p}"]
    assert file in lines[0] and words in lines[0]
    if line is not None:
        assert f"第{line}行" in lines[0]
    if column is not None:
        assert f"列「{column}」" in lines[0]
    if value:
        assert f"「{value}」" in lines[0]


@pytest.mark.parametrize("case", ["text_in_amount", "undecodable", "ragged_row"])
def test_console_script_reports_without_traceback(case):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [_script(), "validate", "--data", str(BROKEN / case)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert len(_problem_lines(proc.stderr)) == 1
    assert CASES[case][4] in proc.stderr


def test_console_script_accepts_shipped_data(data_dir):
    proc = subprocess.run(
        [_script(), "validate", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "数据校验通过" in proc.stdout
    assert proc.stderr == ""


def test_shipped_data_validates_with_cli_runner(data_dir):
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "4 个单位，8 个单位年度，1581 条数字" in result.output


def test_all_problems_reported_in_one_pass():
    with pytest.raises(DataValidationError) as info:
        load_dataset(BROKEN / "_many_defects")
    found = {(p.file, p.row, p.column, p.value) for p in info.value.problems}
    assert found == {
        (FACTS, 3, "value", "12元"),
        (FACTS, 7, "unit", "台"),
        ("demo/2020/tables.csv", 2, "status", "public"),
        ("demo/documents.csv", 2, "year", "20２0"),
        ("entities.csv", 2, "level", "区级"),
    }
    result = CliRunner().invoke(cli, ["validate", "--data", str(BROKEN / "_many_defects")])
    assert result.exit_code == 1
    assert len(_problem_lines(result.output)) == 5
    assert "数据校验发现 5 个问题" in result.output


def test_missing_data_folder_is_a_problem_not_a_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["validate", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "数据目录不存在" in result.output
    assert "Traceback" not in result.output


def test_validate_reuses_the_validated_cache_unless_told_not_to(tmp_path, monkeypatch):
    """A second ``validate`` of unchanged data is served from the cache; ``--no-cache`` parses."""
    import time

    from fiscal_analysis.dataset import load as loader

    data = tmp_path / "data"
    shutil.copytree(FIXTURES.parent.parent / "data", data)
    past = time.time() - 60  # older than the cache's settling time
    for path in data.rglob("*"):
        os.utime(path, (past, past))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cold: list[int] = []
    real = loader._cold_load
    monkeypatch.setattr(loader, "_cold_load", lambda *a, **k: cold.append(1) or real(*a, **k))
    runs = [
        CliRunner().invoke(cli, ["validate", "--data", str(data), *extra])
        for extra in ([], [], ["--no-cache"])
    ]
    assert [r.exit_code for r in runs] == [0, 0, 0]
    assert len({r.output for r in runs}) == 1
    assert "数据校验通过：4 个单位，8 个单位年度，1581 条数字。" in runs[0].output
    assert len(cold) == 2  # the first run and the --no-cache run
    assert len(list((tmp_path / "cache" / "fiscal-analysis").glob("*/all.pkl"))) == 1
