"""One vocabulary on the command line: --entity, --year, --data and --decimals.

Each option means the same (same type, default and help) in every command that
takes it, and each command does something with it that shows in its output.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fiscal_analysis.cli import cli
from fiscal_analysis.cli.common import NonEmptyPath

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED = DATA / "raw" / "lusong-xzsp-2020.txt"

#: Which of the shared options each command takes.
TAKES = {
    "validate": {"--data"},
    "summary": {"--entity", "--year", "--data", "--decimals"},
    "check": {"--entity", "--year", "--data"},
    "render": {"--entity", "--year", "--data", "--decimals"},
    "extract": {"--entity", "--year"},
}
SHARED = ("--entity", "--year", "--data", "--decimals")


def option(command: str, name: str) -> click.Option | None:
    found = [
        p
        for p in cli.commands[command].params
        if isinstance(p, click.Option) and name in p.opts and not p.hidden
    ]
    return found[0] if found else None


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("command", list(TAKES))
def test_each_command_takes_its_shared_options(command):
    shown = {name for name in SHARED if option(command, name) is not None}
    assert shown == TAKES[command]
    help_text = invoke(command, "--help").output
    for name in TAKES[command]:
        assert f"  {name} " in help_text
    assert "--entity-id" not in help_text and "--data-dir" not in help_text


def test_data_and_decimals_mean_the_same_everywhere():
    data = [option(c, "--data") for c in TAKES if "--data" in TAKES[c]]
    assert {(o.name, o.default, o.help, type(o.type)) for o in data} == {
        ("data_dir", Path("data"), "数据目录 (dataset folder).", NonEmptyPath)
    }
    assert {o.type.what for o in data} == {"数据目录"}
    decimals = [option(c, "--decimals") for c in TAKES if "--decimals" in TAKES[c]]
    assert len(decimals) == 2
    for o in decimals:
        assert (o.default, o.type.min, o.type.max) == (1, 0, 4)
        assert o.help == "百分比保留的小数位数，四舍五入 (decimals of percentages)."
    years = [option(c, "--year") for c in TAKES if "--year" in TAKES[c]]
    assert {o.type for o in years} == {click.INT}


def test_validate_takes_data():
    result = invoke("validate", "--data", str(DATA))
    assert result.exit_code == 0
    assert result.output == "数据校验通过：4 个单位，8 个单位年度，1581 条数字。\n"


@pytest.mark.parametrize(
    ("decimals", "change", "completion"),
    [("0", "（-49%）", "168%"), ("1", "（-49.4%）", "167.6%"), ("2", "（-49.35%）", "167.60%")],
)
def test_summary_takes_entity_year_data_and_decimals(decimals, change, completion):
    args = ["--entity", "lusong-xzsp", "--year", "2020", "--data", str(DATA)]
    result = invoke("summary", *args, "--decimals", decimals)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert next(ln for ln in lines if ln.startswith("与上年相比")).endswith(
        f"减少327.17万元{change}；上年662.95万元（推算）"
    )
    assert next(ln for ln in lines if ln.startswith("完成年初预算")).endswith(completion)


def test_summary_default_decimals_is_one():
    args = ["--entity", "株洲市芦淞区行政审批服务局", "--year", "2020", "--data", str(DATA)]
    result = invoke("summary", *args)
    assert "减少327.17万元（-49.4%）" in result.output


def test_decimals_out_of_range_is_a_usage_error():
    for command in ("summary", "render"):
        result = invoke(command, "--entity", "lusong-xzsp", "--year", "2020", "--decimals", "5")
        assert result.exit_code == 2
        assert "Invalid value for '--decimals': 5 is not in the range 0<=x<=4." in result.output


def test_check_takes_entity_year_and_data():
    args = ["--entity", "株洲市芦淞区行政审批服务局", "--year", "2020", "--data", str(DATA)]
    result = invoke("check", *args, "--no-text")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last == "共 71 项核对：通过 50，未通过 0（错误 0，警告 0，提示 0），不适用 21。"


def test_extract_takes_entity(tmp_path):
    out = tmp_path / "out"
    result = invoke("extract", str(SEED), "-o", str(out), "--entity", "lusong")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("已提取「株洲市芦淞区行政审批服务局」2020年度（lusong）")
    assert (out / "lusong" / "2020" / "facts.csv").is_file()
