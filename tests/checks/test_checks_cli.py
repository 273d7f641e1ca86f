"""`fiscal-analysis check`: table and JSON output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

from fiscal_analysis.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "checks"


def run(*args: str):
    result = CliRunner().invoke(cli, ["check", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_seed_exits_0_with_summary():
    r = run("--data", str(DATA), "--entity", "lusong-xzsp", "--year", "2020", "--no-text")
    assert r.exit_code == 0, r.output
    last = r.output.strip().splitlines()[-1]
    assert last == "共 71 项核对：通过 50，未通过 0（错误 0，警告 0，提示 0），不适用 21。"
    # passes and not-applicable rules are hidden by default, listed with --all
    assert "X-11" not in r.output and "T02-1" not in r.output
    assert "没有未通过的核对" in r.output
    r = run("--data", str(DATA), "--entity", "lusong-xzsp", "--year", "2020", "--no-text", "--all")
    assert any(x.startswith("T02-1") and "不适用" in x for x in r.output.splitlines())


def test_seed_all_lists_passes():
    r = run(
        "--data",
        str(DATA),
        "--entity",
        "株洲市芦淞区行政审批服务局",
        "--year",
        "2020",
        "--all",
        "--no-text",
    )
    assert r.exit_code == 0
    line = next(x for x in r.output.splitlines() if x.startswith("X-11"))
    assert "通过" in line and "190.92 = 179.44 + 11.48 = 190.92" in line


def test_seed_default_runs_every_year_and_text_bridge():
    r = run("--data", str(DATA), "--all")
    assert r.exit_code in (0, 1)
    assert "lusong-xzsp·2019" in r.output and "lusong-xzsp·2020" in r.output


def test_json_output():
    r = run("--data", str(DATA), "--year", "2020", "--json", "--no-text")
    assert r.exit_code == 0
    payload = json.loads(r.output)
    assert payload["summary"] == {
        "total": 71,
        "pass": 50,
        "fail": 0,
        "not_applicable": 21,
        "error": 0,
        "warning": 0,
        "info": 0,
    }
    x11 = next(f for f in payload["findings"] if f["rule"] == "X-11")
    assert x11["status"] == "pass"
    assert x11["figures"]["06表公用经费合计"] == "11.48"
    assert x11["tolerance"] == "±0.02万元"


def test_error_fixture_exits_1():
    r = run("--data", str(FIXTURES / "errors"), "--no-text")
    assert r.exit_code == 1
    lines = r.output.splitlines()
    x11 = next(x for x in lines if x.startswith("X-11"))
    assert "错误" in x11 and "2336.91 ≠ 2152.26 + 194.65 = 2346.91" in x11
    assert any(x.startswith("X-14") and "错误" in x for x in lines)
    assert any(x.startswith("T07-1") and "错误" in x for x in lines)
    assert (
        "数字：05表基本支出 2336.91；06表人员经费合计 2152.26；06表公用经费合计 194.65；"
        "差额 10（容差±0.02万元）" in r.output
    )
    assert lines[-1] == "共 150 项核对：通过 133，未通过 15（错误 7，警告 0，提示 8），不适用 2。"


def test_error_fixture_json_exit_1():
    r = run("--data", str(FIXTURES / "errors"), "--json", "--no-text")
    assert r.exit_code == 1
    payload = json.loads(r.output)
    errors = sorted(
        {
            f["rule"]
            for f in payload["findings"]
            if f["status"] == "fail" and f["severity"] == "error"
        }
    )
    assert errors == ["T06-3", "T07-1", "X-11", "X-14", "X-2", "X-4"]


def test_putuo_fixture_rounding_only_exits_0():
    r = run("--data", str(FIXTURES / "putuo"), "--no-text")
    assert r.exit_code == 0
    assert "取整误差" in r.output


def test_unknown_entity_and_year_exit_1():
    r = run("--data", str(DATA), "--entity", "nobody")
    assert r.exit_code == 1
    assert "数据中没有单位「nobody」" in r.output
    r = run("--data", str(DATA), "--entity", "lusong-xzsp", "--year", "1999")
    assert r.exit_code == 1
    assert "没有 1999 年度数据" in r.output
    r = run("--data", str(DATA), "--year", "1999")
    assert r.exit_code == 1
    assert "数据中没有 1999 年度的数字" in r.output


def test_bad_data_dir_exit_1(tmp_path):
    r = run("--data", str(tmp_path / "missing"))
    assert r.exit_code == 1
    assert "数据目录不存在" in r.output


def test_doc_and_data_together_is_usage_error(tmp_path):
    doc = tmp_path / "x.txt"
    doc.write_text("样本", encoding="utf-8")
    r = run(str(doc), "--data", str(DATA))
    assert r.exit_code == 2
    assert "不能同时给出" in r.output


def test_doc_with_wrong_suffix_is_usage_error(tmp_path):
    doc = tmp_path / "x.docx"
    doc.write_text("样本", encoding="utf-8")
    r = run(str(doc))
    assert r.exit_code == 2
    assert ".txt 或 .pdf" in r.output


def test_doc_with_wrong_suffix_is_a_usage_error(tmp_path):
    doc = tmp_path / "x.docx"
    doc.write_text("样本", encoding="utf-8")
    r = run(str(doc))
    assert r.exit_code == 2
    assert ".txt 或 .pdf" in r.output


def test_doc_without_a_title_exits_1_without_traceback(tmp_path):
    doc = tmp_path / "x.txt"
    doc.write_text("样本", encoding="utf-8")
    r = run(str(doc))
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert r.output.strip()


def test_doc_is_extracted_then_checked(tmp_path, monkeypatch):
    import shutil
    import types

    doc = tmp_path / "x.txt"
    doc.write_text("样本", encoding="utf-8")
    calls = []

    def extract_to_dir(path, out_dir, year=None):
        calls.append(Path(path))
        assert year is None  # no --year: the document's own year
        shutil.copytree(FIXTURES / "errors", Path(out_dir) / "data")
        return Path(out_dir) / "data"

    fake = types.ModuleType("fiscal_analysis.extract")
    fake.extract_to_dir = extract_to_dir
    monkeypatch.setitem(sys.modules, "fiscal_analysis.extract", fake)
    monkeypatch.setattr("fiscal_analysis.extract", fake, raising=False)
    r = run(str(doc), "--no-text")
    assert calls == [doc]
    assert r.exit_code == 1
    assert "X-11" in r.output


def test_seed_document_through_real_extraction():
    r = run(str(DATA / "raw" / "lusong-xzsp-2020.txt"), "--no-text")
    assert r.exit_code == 0, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("共 ") and "错误 0" in last


def test_doc_and_an_explicit_default_data_folder_is_usage_error(tmp_path):
    """``--data`` defaults to ``data`` as everywhere, but naming it beside DOC is still refused."""
    doc = tmp_path / "x.txt"
    doc.write_text("样本", encoding="utf-8")
    r = run(str(doc), "--data", "data")
    assert r.exit_code == 2
    assert "请只给出 --data 数据目录或一个原文文件 DOC，不能同时给出。" in r.output


def test_data_defaults_to_the_data_folder(monkeypatch):
    monkeypatch.chdir(ROOT)
    r = run("--entity", "lusong-xzsp", "--year", "2020", "--no-text")
    assert r.exit_code == 0, r.output
    last = r.output.strip().splitlines()[-1]
    assert last == "共 71 项核对：通过 50，未通过 0（错误 0，警告 0，提示 0），不适用 21。"
