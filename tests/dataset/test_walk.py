"""The shared walk of a data folder and the state of its files: what "an input changed" means."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fiscal_analysis.dataset.walk import data_files, data_listing, data_states, file_state
from fiscal_analysis.errors import DataValidationError

# -- file state and the shared walk of a data folder ---------------------------------------------

FILES = ["entities", "facts"]  # the walk looks only at these names (the loader passes all)
LOOP = "符号链接形成循环（指向所在文件夹或其上级，或无法解析），请删除或改正 (symlink loop)"


def _aged(path: Path, seconds: int = 60) -> os.stat_result:
    past = time.time_ns() - seconds * 10**9
    os.utime(path, ns=(past, past))
    time.sleep(0.05)  # so that a later change lands in another change-time tick
    return path.stat()


def test_same_length_edit_with_mtime_put_back_changes_the_state(tmp_path):
    facts = tmp_path / "facts.csv"
    facts.write_text("income_fiscal,335.78\n", encoding="utf-8")
    st = _aged(facts)
    before = file_state(facts)
    facts.write_text("income_fiscal,335.79\n", encoding="utf-8")  # same length
    os.utime(facts, ns=(st.st_atime_ns, st.st_mtime_ns))  # as touch -d or an archive tool does
    after = file_state(facts)
    assert (facts.stat().st_size, facts.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert after[:2] == before[:2] and after != before
    assert after[2] != before[2]  # the change time moved


def test_replacing_by_rename_with_same_size_and_mtime_changes_the_state(tmp_path):
    facts = tmp_path / "facts.csv"
    facts.write_text("income_fiscal,335.78\n", encoding="utf-8")
    st = _aged(facts)
    before = file_state(facts)
    new = tmp_path / "facts.csv.new"
    new.write_text("income_fiscal,335.79\n", encoding="utf-8")
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, facts)
    after = file_state(facts)
    assert after[:2] == before[:2] and after[3] != before[3]  # another inode


def test_file_state_of_a_directory_entry_equals_that_of_its_path(tmp_path):
    (tmp_path / "facts.csv").write_text("x", encoding="utf-8")
    [entry] = list(os.scandir(tmp_path))
    assert file_state(entry) == file_state(tmp_path / "facts.csv")


def _tree(tmp_path: Path) -> Path:
    """Nested folders, skipped names, links inside and out of the tree (no loop yet)."""
    root = tmp_path / "data"
    for rel in [
        "entities.csv",
        "demo/2019/facts.csv",
        "demo/2020/facts.csv",
        "demo/2020/notes.txt",
        "chunk/deep/er/facts.csv",
        ".hidden/facts.csv",
        "__pycache__/facts.csv",
        "demo/.facts.csv",
        "demo/facts.csv.bak",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    (outside / "2021").mkdir(parents=True)
    (outside / "2021" / "facts.csv").write_text("x\n", encoding="utf-8")
    os.symlink(root / "demo", root / "mirror")  # a folder inside: not followed, listed once
    (root / "linked").mkdir()
    os.symlink(root / "demo" / "2019" / "facts.csv", root / "linked" / "facts.csv")  # a file inside
    os.symlink(outside, root / "demo" / "outside")  # a folder out of the tree: not followed
    os.symlink(outside / "2021" / "facts.csv", root / "demo" / "2020" / "notes.csv")  # not data
    return root


LISTED = [
    "chunk/deep/er/facts.csv",
    "demo/2019/facts.csv",
    "demo/2020/facts.csv",
    "entities.csv",
    "linked/facts.csv",
]


def test_walk_lists_dataset_files_once_and_follows_no_folder_link(tmp_path):
    root = _tree(tmp_path)
    files = data_files(root, FILES)
    assert [f.rel for f in files] == LISTED
    assert [f.path for f in files] == [os.path.join(root, rel) for rel in LISTED]
    assert [f.rel for f in data_files(root, FILES, under="demo")] == LISTED[1:3]
    listed, folders = data_listing(root, FILES, deep=False)
    assert [f.rel for f in listed] == ["entities.csv"]
    assert sorted(folders) == ["chunk", "demo", "linked"]
    states = data_states(root, FILES)
    assert [s[0] for s in states] == LISTED
    assert states[4][1:] == file_state(root / "demo/2019/facts.csv")  # a link: its target's state


def _walk_in_child(root: Path) -> tuple[str, float]:
    """Walk ``root`` in another process, so that a walk that hangs fails instead of hanging."""
    script = (
        "import sys\n"
        "from fiscal_analysis.errors import DataValidationError\n"
        "from fiscal_analysis.dataset.walk import data_files\n"
        "try:\n"
        "    print([f.rel for f in data_files(sys.argv[1], ['entities', 'facts'])])\n"
        "except DataValidationError as exc:\n"
        "    print(exc)\n"
    )
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=5
    )
    assert run.returncode == 0, run.stderr
    return run.stdout, time.monotonic() - start


@pytest.mark.parametrize(
    ("link", "target"),
    [("demo/2020/again", ".."), ("demo/up", "../.."), ("demo/2020/facts.csv", "facts.csv")],
    ids=["to-a-parent", "above-the-data-folder", "to-itself"],
)
def test_a_symlink_loop_is_refused_quickly_by_path(tmp_path, link, target):
    root = _tree(tmp_path)
    (root / link).unlink(missing_ok=True)
    os.symlink(target, root / link)
    out, seconds = _walk_in_child(root)
    assert seconds < 5
    assert out.splitlines() == [
        "数据校验发现 1 个问题 (validation found problems):",
        f"  - {link}: {LOOP}",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_like_a_dataset_file_is_refused_by_name_without_blocking(tmp_path):
    root = _tree(tmp_path)
    (root / "demo/2020/facts.csv").unlink()
    os.mkfifo(root / "demo/2020/facts.csv")
    os.mkfifo(root / "demo/2020/pipe")  # not a dataset file's name: never looked at
    out, seconds = _walk_in_child(root)
    assert seconds < 5
    assert out.splitlines()[1:] == [
        "  - demo/2020/facts.csv: 不是普通文件（命名管道, FIFO），不予读取 (not a regular file)"
    ]


def test_dataset_files_that_cannot_be_read_from_inside_are_refused_together(tmp_path):
    root = _tree(tmp_path)
    os.symlink(tmp_path / "elsewhere/2021/facts.csv", root / "chunk/facts.csv")  # leaves
    os.symlink(root / "nowhere.csv", root / "demo/facts.csv")  # dangling
    (root / "demo/2021/facts.csv").mkdir(parents=True)  # a folder
    with pytest.raises(DataValidationError) as info:
        data_files(root, FILES)
    target = os.path.realpath(tmp_path / "elsewhere/2021/facts.csv")
    assert [(p.file, p.expected) for p in info.value.problems] == [
        (
            "chunk/facts.csv",
            f"符号链接指向数据目录之外（{target}），不予读取；请把文件复制进来"
            " (symlink leaves the data folder)",
        ),
        (
            "demo/2021/facts.csv",
            "应为 CSV 文件，这里却是一个文件夹，请改名 (expected a file, found a folder)",
        ),
        ("demo/facts.csv", "无法读取文件：No such file or directory (cannot read the file)"),
    ]


def test_a_missing_data_folder_is_named(tmp_path):
    with pytest.raises(DataValidationError, match="数据目录不存在") as info:
        data_files(tmp_path / "nope", FILES)
    assert [p.file for p in info.value.problems] == [str(tmp_path / "nope")]
