"""Input rules of the hardening: report folders, document paths, non-negative items, controls."""

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
from fiscal_analysis.errors import DataValidationError, Problem, UnknownEntityError, printable
from fiscal_analysis.files import safe_component
from fiscal_analysis.schema.items import TABLES

REPO = Path(__file__).resolve().parents[2]
FACTS = "lusong-xzsp/2020/facts.csv"
DOCS = "lusong-xzsp/documents.csv"
ENTITY = "lusong-xzsp,株洲市芦淞区行政审批服务局,湖南省株洲市芦淞区,县级,"


def _data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(REPO / "data", root, ignore=shutil.ignore_patterns("raw", "*.md", "putuo*"))
    (root / "entities.csv").write_text(
        f"entity_id,name,region,level,note\n{ENTITY}\n", encoding="utf-8"
    )
    return root


def _append(path: Path, line: str) -> int:
    """Append a line; returns its line number."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def _replace(path: Path, old: str, new: str) -> int:
    """Replace the first line starting with ``old`` by ``new``; returns its line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[at] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def _problems(root: Path) -> list[Problem]:
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    return info.value.problems


# -- entity ids that would share a report folder ---------------------------------------------


@pytest.mark.parametrize(
    ("first", "other"),
    [("lusong/xzsp", safe_component("lusong/xzsp")), ("lusong-xzsp", "LUSONG-XZSP")],
    ids=["escaped-name-equals-another-id", "differs-only-in-case"],
)
def test_entity_ids_sharing_a_report_folder_are_refused_naming_both(tmp_path, first, other):
    root = _data(tmp_path)
    line1 = 2  # lusong-xzsp
    if first != "lusong-xzsp":
        line1 = _append(root / "entities.csv", f"{first},甲,乙,县级,")
    line2 = _append(root / "entities.csv", f"{other},丙,丁,县级,")
    [p] = _problems(root)
    assert (p.file, p.row, p.column, p.value) == ("entities.csv", line2, "entity_id", other)
    assert f"与「{first}」（entities.csv 第{line1}行）对应同一个报告文件夹" in p.expected
    assert safe_component(other) in p.expected


def test_distinct_report_folders_pass(tmp_path):
    root = _data(tmp_path)
    _append(root / "entities.csv", "lusong/xzsp,甲,乙,县级,")  # lusong_xzsp-…: its own folder
    ds = load_dataset(root)
    assert sorted(ds.entities["entity_id"]) == ["lusong-xzsp", "lusong/xzsp"]


# -- documents.csv paths stay inside the data folder -----------------------------------------


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("../secret.txt", "路径不能含「..」"),
        ("raw/../../secret.txt", "路径不能含「..」"),
        ("raw\\..\\..\\secret.txt", "路径不能含「..」"),
        ("/etc/passwd", "不能是绝对路径"),
        ("C:\\Windows\\win.ini", "不能是绝对路径"),
        ("\\\\server\\share\\x.txt", "不能是绝对路径"),
    ],
)
def test_document_paths_leaving_the_data_folder_are_refused(tmp_path, path, words):
    root = _data(tmp_path)
    row = _replace(root / DOCS, "lusong-2020,", f"lusong-2020,lusong-xzsp,2020,某决算,{path},")
    [p] = _problems(root)
    assert (p.file, p.row, p.column, p.value) == (DOCS, row, "path", path)
    assert words in p.expected


def test_a_document_path_through_a_link_out_of_the_data_folder_is_refused(tmp_path):
    root = _data(tmp_path)
    (tmp_path / "secret.txt").write_text("not data", encoding="utf-8")
    (root / "raw").mkdir()
    os.symlink(tmp_path / "secret.txt", root / "raw" / "doc.txt")
    _replace(root / DOCS, "lusong-2020,", "lusong-2020,lusong-xzsp,2020,某决算,raw/doc.txt,")
    [p] = _problems(root)
    assert p.column == "path"
    assert p.expected == (
        f"符号链接指向数据目录之外（{os.path.realpath(tmp_path / 'secret.txt')}），不予读取；"
        "请把文件复制进来 (symlink leaves the data folder)"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_document_path_to_a_fifo_is_refused(tmp_path):
    root = _data(tmp_path)
    (root / "raw").mkdir()
    os.mkfifo(root / "raw" / "doc.txt")
    _replace(root / DOCS, "lusong-2020,", "lusong-2020,lusong-xzsp,2020,某决算,raw/doc.txt,")
    [p] = _problems(root)
    assert "不是普通文件（命名管道, FIFO）" in p.expected


def test_document_paths_inside_the_data_folder_pass_even_through_links_or_if_missing(tmp_path):
    root = _data(tmp_path)
    (root / "raw").mkdir()
    (root / "raw" / "a.txt").write_text("原文", encoding="utf-8")
    os.symlink("a.txt", root / "raw" / "b.txt")  # a link that stays inside
    _replace(root / DOCS, "lusong-2020,", "lusong-2020,lusong-xzsp,2020,某决算,raw/b.txt,")
    assert load_dataset(root).documents["path"].tolist() == ["raw/b.txt"]
    _replace(root / DOCS, "lusong-2020,", "lusong-2020,lusong-xzsp,2020,某决算,raw/nope.txt,")
    assert load_dataset(root).documents["path"].tolist() == ["raw/nope.txt"]


# -- amounts that cannot be negative ---------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "table", "item", "value"),
    [
        ("lusong-xzsp,2020,T01,,income_grand_total,", "T01", "income_grand_total", "-335.78"),
        ("lusong-xzsp,2020,T07,,total_actual,", "T07", "total_actual", "-1"),
        ("lusong-xzsp,2020,T07,,reception_budget,", "T07", "reception_budget", "-0.01"),
    ],
    ids=["total", "three-public", "three-public-cent"],
)
def test_negative_values_of_non_negative_items_are_refused(tmp_path, old, table, item, value):
    root = _data(tmp_path)
    facts = root / FACTS
    line = next(x for x in facts.read_text(encoding="utf-8").split("\n") if x.startswith(old))
    fields = line.split(",")
    fields[5] = value
    row = _replace(facts, old, ",".join(fields))
    problems = _problems(root)
    label = TABLES[table].items[item].label
    assert (
        Problem(
            FACTS,
            row,
            "value",
            value,
            f"{table}.{item}（{label}）不能为负数，应 ≥ 0 (expected a value ≥ 0)",
        )
        in problems
    )
    assert str(problems[-1]).startswith(f"{FACTS} 第{row}行 列「value」: 值「{value}」")


def test_a_negative_count_is_refused(tmp_path):
    root = _data(tmp_path)
    row = _replace(
        root / FACTS,
        "lusong-xzsp,2020,three_public_counts,,vehicles_held,",
        "lusong-xzsp,2020,three_public_counts,,vehicles_held,-2,辆,published,lusong-2020,七,",
    )
    [p] = _problems(root)
    assert (p.row, p.column, p.value) == (row, "value", "-2")
    assert "vehicles_held（公务用车保有量）不能为负数，应 ≥ 0" in p.expected


def test_items_that_can_be_negative_and_minus_zero_stay_allowed(tmp_path):
    root = _data(tmp_path)
    for item, value in [
        ("T01,,carryover_end", "-5.00,万元"),
        ("T01,,balance_distribution", "-1.5,万元"),
        ("three_public_counts,,abroad_groups", "-0,个"),
    ]:
        old = f"lusong-xzsp,2020,{item},"
        _replace(root / FACTS, old, f"{old}{value},published,lusong-2020,一,")
    ds = load_dataset(root)
    assert str(ds.value("lusong-xzsp", 2020, "T01", "carryover_end")) == "-5.00"
    assert str(ds.value("lusong-xzsp", 2020, "T01", "balance_distribution")) == "-1.50"
    assert str(ds.value("lusong-xzsp", 2020, "three_public_counts", "abroad_groups")) == "0.00"


def test_non_negative_is_declared_for_totals_three_public_and_counts_only():
    signed = {(t, k) for t, spec in TABLES.items() for k, i in spec.items.items() if i.non_negative}
    assert {("T01", "income_grand_total"), ("T01", "expense_grand_total")} <= signed
    assert all((("T07", k) in signed) for k in TABLES["T07"].items)
    assert all((("three_public_counts", k) in signed) for k in TABLES["three_public_counts"].items)
    for free in [("T01", "carryover_end"), ("T01", "balance_distribution"), ("T01", "expense")]:
        assert free not in signed
    assert not any(t in ("T02", "T03", "T06", "T08", "T09") for t, _ in signed)


# -- control characters never reach the terminal ---------------------------------------------

HOSTILE = "坏\x1b]0;pwned\x07单位\x1b[8m隐藏\x9b2J"


def test_a_problem_shows_control_characters_escaped():
    p = Problem("a\x1b[31m.csv", 3, "na\x07me", HOSTILE, "应为\x9b文本")
    shown = str(p)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert shown == (
        "a\\x1b[31m.csv 第3行 列「na\\x07me」: 值「坏\\x1b]0;pwned\\x07单位\\x1b[8m隐藏\\x9b2J」"
        " — 应为\\x9b文本"
    )
    error = str(UnknownEntityError(f"没有「{HOSTILE}」\n第二行"))
    assert error == printable(f"没有「{HOSTILE}」", keep="\n") + "\n第二行"  # lines kept


def test_an_entity_name_with_terminal_sequences_is_refused_and_shown_escaped(tmp_path):
    root = _data(tmp_path)
    (root / "entities.csv").write_text(
        f"entity_id,name,region,level,note\nlusong-xzsp,{HOSTILE},湖南省,县级,\n",
        encoding="utf-8",
    )
    script = "from fiscal_analysis.cli import main; main()"
    src = str(REPO / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    run = subprocess.run(
        [sys.executable, "-c", script, "validate", "--data", str(root), "--no-cache"],
        capture_output=True,
        env=env,
        timeout=120,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1
    assert b"\x1b" not in out and b"\x07" not in out and "\x9b".encode() not in out
    text = out.decode("utf-8")
    assert "Traceback" not in text
    assert (
        "entities.csv 第2行 列「name」: 值「坏\\x1b]0;pwned\\x07单位\\x1b[8m隐藏\\x9b2J」"
        " — 含有控制字符 (control characters)"
    ) in text


def test_an_unknown_entity_with_terminal_sequences_is_echoed_escaped():
    result = CliRunner().invoke(
        cli, ["summary", "--data", str(REPO / "data"), "--entity", HOSTILE, "--year", "2020"]
    )
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "数据中没有单位「坏\\x1b]0;pwned\\x07单位\\x1b[8m隐藏\\x9b2J」" in result.output
