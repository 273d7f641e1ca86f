"""The loader's walk (layout.Tree) is the shared one: the same files, the same refusals."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fiscal_analysis.dataset.layout import Tree
from fiscal_analysis.dataset.walk import data_files
from fiscal_analysis.errors import DataValidationError
from fiscal_analysis.schema.columns import FILES

REPO = Path(__file__).resolve().parents[2]
LOOP = "符号链接形成循环（指向所在文件夹或其上级，或无法解析），请删除或改正 (symlink loop)"


def _tree(tmp_path: Path) -> Path:
    """The shipped data, a second entity nested deeper, links inside and out of the tree."""
    root = tmp_path / "data"
    shutil.copytree(
        REPO / "data", root, ignore=shutil.ignore_patterns("putuo*", "codes.csv")
    )  # the seed department
    other = root / "other-xzsp" / "chunks" / "2020"
    other.mkdir(parents=True)
    shutil.copy(root / "lusong-xzsp/2020/facts.csv", other / "facts.csv")
    (root / ".trash" / "2020").mkdir(parents=True)
    shutil.copy(root / "entities.csv", root / ".trash" / "2020" / "entities.csv")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "facts.csv").write_text("x\n", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(root / "lusong-xzsp/2019/facts.csv", outside / "facts.csv")
    os.symlink(root / "lusong-xzsp", root / "mirror-xzsp")  # a folder inside: not followed
    os.symlink(root / "other-xzsp/chunks/2020/facts.csv", root / "other-xzsp/projects.csv")
    os.symlink(outside, root / "lusong-xzsp" / "archive")  # a folder out of the tree
    os.symlink(outside / "facts.csv", root / "raw" / "facts-2019.csv")  # not a dataset name
    return root


def _tree_rels(root: Path) -> list[str]:
    found = Tree(root).walk_all().files()
    return sorted(p.relative_to(root).as_posix() for paths in found.values() for p in paths)


def test_loader_and_shared_walk_list_the_same_files(tmp_path):
    root = _tree(tmp_path)
    rels = [f.rel for f in data_files(root, FILES)]
    assert _tree_rels(root) == sorted(rels)
    assert rels == [
        "entities.csv",
        "lusong-xzsp/2019/facts.csv",
        "lusong-xzsp/2020/facts.csv",
        "lusong-xzsp/2020/indicators.csv",
        "lusong-xzsp/2020/projects.csv",
        "lusong-xzsp/2020/reasons.csv",
        "lusong-xzsp/2020/tables.csv",
        "lusong-xzsp/documents.csv",
        "other-xzsp/chunks/2020/facts.csv",
        "other-xzsp/projects.csv",
    ]
    tree = Tree(root)  # folder by folder, as a load of some entities walks
    assert sorted(tree.pending) == ["lusong-xzsp", "other-xzsp", "raw"]
    tree.walk(["other-xzsp"])
    assert [p.relative_to(root).as_posix() for p in tree.files()["facts"]] == [
        "other-xzsp/chunks/2020/facts.csv"
    ]


def test_loader_and_shared_walk_refuse_a_loop_alike(tmp_path):
    root = _tree(tmp_path)
    os.symlink("../..", root / "other-xzsp" / "chunks" / "up")
    with pytest.raises(DataValidationError) as shared:
        data_files(root, FILES)
    with pytest.raises(DataValidationError) as loader:
        Tree(root).walk_all()
    assert str(loader.value) == str(shared.value)
    assert [(p.file, p.expected) for p in loader.value.problems] == [("other-xzsp/chunks/up", LOOP)]
    Tree(root).walk(["lusong-xzsp"])  # a load of another entity never walks that folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("cache", [False, True])
def test_load_refuses_a_fifo_named_facts_csv_without_blocking(tmp_path, cache):
    root = _tree(tmp_path)
    fifo = root / "lusong-xzsp" / "2019" / "facts.csv"
    fifo.unlink()
    os.mkfifo(fifo)
    script = (
        "import sys\n"
        "from fiscal_analysis.dataset.load import load_dataset\n"
        "from fiscal_analysis.errors import DataValidationError\n"
        "try:\n"
        f"    load_dataset(sys.argv[1], cache={str(tmp_path / 'cache') if cache else False!r})\n"
        "except DataValidationError as exc:\n"
        "    print(exc)\n"
    )
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=20
    )
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - start < 20
    assert run.stdout.splitlines() == [
        "数据校验发现 1 个问题 (validation found problems):",
        "  - lusong-xzsp/2019/facts.csv: 不是普通文件（命名管道, FIFO），不予读取"
        " (not a regular file)",
    ]
