"""The batch stamp: an unchanged batch is recognised from os.stat alone, and nothing else is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fiscal_analysis.dataset import cache as cache_mod
from fiscal_analysis.dataset.layout import Tree
from fiscal_analysis.dataset.walk import file_state
from fiscal_analysis.errors import DataValidationError
from fiscal_analysis.files import report_dir
from fiscal_analysis.render.batchstamp import (
    STAMP_FILE,
    batch_key,
    data_stats,
    unchanged_reports,
    write_stamp,
)
from fiscal_analysis.render.fingerprint import Fingerprint, write_fingerprint

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def batch(tmp_path):
    """A data folder (old files), two stamped report folders and their key."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    past = time.time() - 60
    for path in data.rglob("*"):
        os.utime(path, (past, past))
    time.sleep(0.05)  # later changes land in another change-time tick than the key's
    out = tmp_path / "reports"
    entries = []
    for year in (2019, 2020):
        folder = report_dir(out, "lusong-xzsp", year)
        folder.mkdir(parents=True)
        (folder / "report.html").write_text("<html></html>", encoding="utf-8")
        (folder / "report.ipynb").write_text("{}", encoding="utf-8")
        fp = Fingerprint("nb", "data", "0.1.0", "code", {"entity": "lusong-xzsp", "year": year})
        write_fingerprint(folder, fp)
        entries.append(("lusong-xzsp", "株洲市芦淞区行政审批服务局", year, fp.digest))
    key = batch_key(data, b"notebook", "code", "0.1.0", None, None)
    write_stamp(out, key, entries)
    return data, out, key


def test_stamped_batch_comes_back_as_skipped(batch):
    data, out, key = batch
    assert key is not None and batch_key(data, b"notebook", "code", "0.1.0", None, None) == key
    again = unchanged_reports(out, key)
    assert [(r.entity_id, r.name, r.year, r.status, r.reason) for r in again] == [
        ("lusong-xzsp", "株洲市芦淞区行政审批服务局", 2019, "skipped", "未变化"),
        ("lusong-xzsp", "株洲市芦淞区行政审批服务局", 2020, "skipped", "未变化"),
    ]
    assert again[1].html == out / "lusong-xzsp" / "2020" / "report.html"


@pytest.mark.parametrize(
    "change",
    [
        {"notebook": b"notebook 2"},
        {"code": "code 2"},
        {"version": "0.2.0"},
        {"entities": ["lusong-xzsp"]},
        {"years": [2020]},
    ],
)
def test_any_other_input_gives_another_key(batch, change):
    data, _, key = batch
    args = {
        "notebook": b"notebook",
        "code": "code",
        "version": "0.1.0",
        "entities": None,
        "years": None,
    }
    assert batch_key(data, **{**args, **change}) != key


def _key(data: Path) -> str | None:
    return batch_key(data, b"notebook", "code", "0.1.0", None, None)


def _aged(path: Path) -> None:
    os.utime(path, (time.time() - 60, time.time() - 60))


def test_a_data_file_with_another_mtime_gives_another_key(batch):
    data, _, key = batch
    facts = data / "lusong-xzsp/2020/facts.csv"
    st = facts.stat()
    os.utime(facts, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))
    assert _key(data) not in (None, key)


def test_a_new_dataset_file_anywhere_gives_another_key_other_files_do_not(batch):
    data, _, key = batch
    (data / "raw" / "note.txt").write_text("x")  # the loader never reads it: nor does the key
    _aged(data / "raw" / "note.txt")
    (data / "README.md").write_text("edited")
    _aged(data / "README.md")
    assert "raw/note.txt" not in [p for p, *_ in data_stats(data)]
    assert _key(data) == key
    (data / "raw" / "projects.csv").write_bytes(
        (data / "lusong-xzsp/2020/projects.csv").read_bytes()
    )
    _aged(data / "raw" / "projects.csv")
    assert "raw/projects.csv" in [p for p, *_ in data_stats(data)]
    assert _key(data) not in (None, key)


def test_same_length_edit_with_the_mtime_put_back_gives_another_key(batch):
    data, _, key = batch
    facts = data / "lusong-xzsp/2020/facts.csv"
    before = facts.stat()
    text = facts.read_text(encoding="utf-8")
    assert "income_fiscal,335.78," in text
    facts.write_text(text.replace("income_fiscal,335.78,", "income_fiscal,335.79,"), "utf-8")
    os.utime(facts, ns=(before.st_atime_ns, before.st_mtime_ns))  # as touch -d or tar do
    after = facts.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert _key(data) not in (None, key)


def test_a_file_replaced_by_rename_with_same_size_and_mtime_gives_another_key(batch):
    data, _, key = batch
    facts = data / "lusong-xzsp/2020/facts.csv"
    before = facts.stat()
    new = facts.with_name("facts.csv.new")
    new.write_bytes(facts.read_bytes())
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(new, facts)  # as editors and atomic writers do
    assert (facts.stat().st_size, facts.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert _key(data) not in (None, key)


def _tree(tmp_path: Path) -> Path:
    """Nested entity folders, a link to a file inside, links out of the tree, skipped names."""
    data = tmp_path / "data"
    shutil.copytree(
        ROOT / "data", data, ignore=shutil.ignore_patterns("putuo*", "codes.csv")
    )  # the seed department
    nested = data / "other-xzsp" / "chunks" / "2020"
    nested.mkdir(parents=True)
    shutil.copy(data / "lusong-xzsp/2020/facts.csv", nested / "facts.csv")
    os.symlink(nested / "facts.csv", data / "other-xzsp" / "projects.csv")
    os.symlink(data / "lusong-xzsp", data / "mirror")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "facts.csv").write_text("x\n", encoding="utf-8")
    os.symlink(outside, data / "raw" / "archive")
    (data / ".hidden").mkdir()
    (data / ".hidden" / "facts.csv").write_text("x\n", encoding="utf-8")
    return data


def test_cache_stamp_and_loader_list_the_same_files_with_the_same_states(tmp_path):
    data = _tree(tmp_path)
    stamp = data_stats(data)
    assert stamp == cache_mod.manifest(data, None)["files"]
    found = Tree(data).walk_all().files()
    assert [p for p, *_ in stamp] == sorted(
        q.relative_to(data).as_posix() for paths in found.values() for q in paths
    )
    assert [p for p, *_ in stamp][-2:] == [
        "other-xzsp/chunks/2020/facts.csv",
        "other-xzsp/projects.csv",
    ]
    assert stamp[-1][1:] == file_state(data / "other-xzsp/chunks/2020/facts.csv")


def _key_in_child(data: Path) -> list[str]:
    """The key computed in another process (so that a walk that hangs fails, not hangs)."""
    script = (
        "import sys\n"
        "from fiscal_analysis.errors import DataValidationError\n"
        "from fiscal_analysis.render.batchstamp import batch_key\n"
        "try:\n"
        "    key = batch_key(sys.argv[1], b'nb', 'code', '0.1.0', None, None)\n"
        "    print(key is not None, 'pandas' in sys.modules)\n"
        "except DataValidationError as exc:\n"
        "    print(exc)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(data)], capture_output=True, text=True, timeout=5
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_the_key_is_computed_without_pandas(batch):
    data, _, _ = batch
    assert _key_in_child(data) == ["True False"]


def test_a_symlink_loop_is_refused_quickly_naming_it(tmp_path):
    data = _tree(tmp_path)
    os.symlink("..", data / "other-xzsp" / "chunks" / "loop")
    start = time.monotonic()
    assert _key_in_child(data) == [
        "数据校验发现 1 个问题 (validation found problems):",
        "  - other-xzsp/chunks/loop: 符号链接形成循环（指向所在文件夹或其上级，或无法解析），"
        "请删除或改正 (symlink loop)",
    ]
    assert time.monotonic() - start < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_facts_csv_is_refused_by_name_without_blocking(tmp_path):
    data = _tree(tmp_path)
    (data / "lusong-xzsp/2019/facts.csv").unlink()
    os.mkfifo(data / "lusong-xzsp/2019/facts.csv")
    assert _key_in_child(data) == [
        "数据校验发现 1 个问题 (validation found problems):",
        "  - lusong-xzsp/2019/facts.csv: 不是普通文件（命名管道, FIFO），不予读取"
        " (not a regular file)",
    ]
    with pytest.raises(DataValidationError) as info:
        data_stats(data)
    assert [p.file for p in info.value.problems] == ["lusong-xzsp/2019/facts.csv"]


def test_fresh_files_give_no_key(batch):
    data, out, _ = batch
    (data / "entities.csv").touch()
    assert batch_key(data, b"notebook", "code", "0.1.0", None, None) is None
    _aged(data / "entities.csv")
    assert batch_key(data, b"notebook", "code", "0.1.0", None, None) is not None
    assert unchanged_reports(out, None) is None
    write_stamp(out, None, [])
    assert not (out / STAMP_FILE).exists()


def test_a_report_that_differs_from_the_stamp_means_a_full_plan(batch):
    _, out, key = batch
    folder = out / "lusong-xzsp" / "2020"
    write_fingerprint(folder, Fingerprint("nb2", "data", "0.1.0", "code", {"year": 2020}))
    assert unchanged_reports(out, key) is None


@pytest.mark.parametrize("text", ["", "{", "[]", '{"key": 1}', '{"reports": [{"x": 1}]}'])
def test_damaged_stamp_means_a_full_plan(batch, text):
    _, out, key = batch
    (out / STAMP_FILE).write_text(text, encoding="utf-8")
    assert unchanged_reports(out, key) is None
