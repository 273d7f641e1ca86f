"""Headline summary and the `fiscal-analysis summary` command, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fiscal_analysis.cli import cli
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.errors import UnknownEntityError
from fiscal_analysis.report.summary import headline, render_json, render_text

DATA = Path(__file__).resolve().parents[2] / "data"
NAME = "株洲市芦淞区行政审批服务局"


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATA)


def run(*args: str):
    return CliRunner().invoke(cli, ["summary", "--data", str(DATA), *args])


def test_headline_2020(ds):
    h = headline(ds.entity_year("lusong-xzsp", 2020))
    assert h["totals"]["income_grand_total"] == "335.78"
    assert h["yoy"] == {
        "label": "收、支总计",
        "current": "335.78",
        "prior": "662.95",
        "delta": "-327.17",
        "pct": "-49.4",
        "direction": "减少",
        "note": None,
        "prior_year": 2019,
        "prior_derived": True,
    }
    assert h["units"] == {"amount": "万元", "pct": "%", "rounding": "四舍五入（仅展示）"}
    assert "yoy.prior" in h["derived"] and "yoy.current" not in h["derived"]
    assert [(p["label"], p["pct"]) for p in h["expense_structure"]] == [
        ("基本支出", "56.9"),
        ("项目支出", "43.1"),
    ]
    assert [p["pct"] for p in h["function_structure"]] == ["77.0", "23.0"]
    assert [p["pct"] for p in h["basic_structure"]] == ["94.0", "6.0"]
    assert h["completion"]["rate"] == "167.6"
    assert h["completion"]["items_without_rate"] == ["2010301", "2010306", "2010399", "2100101"]
    assert h["ops_cost"]["vs_budget_pct"] == "-47.0" and h["ops_cost"]["vs_prior_pct"] == "-74.2"
    assert h["procurement"]["sme_pct"] == "100.0" and h["procurement"]["works"] == "0"
    assert h["three_public"]["direction"] == "持平" and h["three_public"]["rate"] is None
    assert h["missing"] == []
    json.loads(render_json(h))  # serialisable


def test_headline_decimals(ds):
    h = headline(ds.entity_year("lusong-xzsp", 2020), decimals=2)
    assert h["yoy"]["pct"] == "-49.35"
    assert h["income_structure"][0]["pct"] == "100.00"


def test_headline_2019_partial(ds):
    h = headline(ds.entity_year(NAME, 2019))
    assert h["totals"]["income_grand_total"] == "662.95"
    assert h["completion"]["rate"] is None
    assert "年初预算数" in h["missing"] and "本年收入合计" in h["missing"]
    assert h["ops_cost"]["actual"] == "44.44"
    assert "缺少的数据" in render_text(h)


def test_headline_unknown(ds):
    with pytest.raises(UnknownEntityError):
        headline(ds.entity_year("nobody", 2020))
    with pytest.raises(UnknownEntityError):
        headline(ds.entity_year("lusong-xzsp", 2018))


def test_cli_text():
    res = run("--entity", "lusong-xzsp", "--year", "2020")
    assert res.exit_code == 0, res.output
    assert "减少327.17万元（-49.4%）；上年662.95万元（推算）" in res.output
    assert "金额单位：万元" in res.output
    assert "167.6%" in res.output
    lines = res.output.splitlines()
    assert lines[0].startswith(NAME)


def test_cli_json_by_chinese_name():
    res = run("--entity", NAME, "--year", "2020", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["entity_id"] == "lusong-xzsp"
    assert data["completion"]["rate"] == "167.6"
    assert "\\u" not in res.output  # Chinese kept as text


def test_cli_2019_says_what_is_missing():
    res = run("--entity", "lusong-xzsp", "--year", "2019")
    assert res.exit_code == 0, res.output
    assert "缺少的数据：" in res.output and "年初预算数" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--entity", "nobody", "--year", "2020"), "数据中没有单位「nobody」"),
        (("--entity", "lusong-xzsp", "--year", "2018"), "没有 2018 年度数据"),
    ],
)
def test_cli_unknown_exits_1_without_traceback(args, message):
    res = run(*args)
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output


def test_cli_usage_error_exits_2():
    res = run("--entity", "lusong-xzsp", "--year", "twenty")
    assert res.exit_code == 2


def test_cli_bad_data_dir_exits_1(tmp_path):
    res = CliRunner().invoke(
        cli, ["summary", "--data", str(tmp_path / "none"), "--entity", "x", "--year", "2020"]
    )
    assert res.exit_code == 1
    assert "数据目录不存在" in res.output and "Traceback" not in res.output
