"""Large files read several at once (threads) give exactly what the serial reader gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.reading import bundle, readtable
from fiscal_analysis.errors import DataValidationError
from fiscal_analysis.schema.columns import FILES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

pytestmark = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="the pool needs two cores")


def _two_chunks(tmp_path: Path) -> Path:
    """The notebooks fixture (two entities) with each entity's folder renamed to a chunk."""
    root = tmp_path / "data"
    shutil.copytree(FIXTURES / "notebooks" / "data", root)
    for i, folder in enumerate(sorted(p for p in root.iterdir() if p.is_dir())):
        folder.rename(root / f"chunk-{i:04d}")
    return root


def _outcome(root: Path):
    try:
        return load_dataset(root).frames
    except DataValidationError as exc:
        return exc.problems


@pytest.mark.parametrize("arrow", [False, True], ids=["exact-path", "pyarrow-path"])
def test_pool_reads_the_same_frames_and_problems(tmp_path, monkeypatch, arrow):
    if arrow:  # the fixture's files are small: send them to pyarrow (one thread per file)
        monkeypatch.setattr(readtable, "ARROW_MIN_BYTES", 1)
    root = _two_chunks(tmp_path)
    facts = sorted(root.rglob("facts.csv"))
    assert len(facts) >= 2
    serial = _outcome(root)
    monkeypatch.setattr(readtable, "LARGE_FILE", 1)
    monkeypatch.setattr(readtable, "_cores", lambda: 2)
    seen = []
    real = readtable.arrow_records

    def spy(data, *, threads=True):
        got = real(data, threads=threads)
        seen.append((threads, got is not None))
        return got

    monkeypatch.setattr(readtable, "arrow_records", spy)
    got = readtable.read_parallel(facts, FILES["facts"], root, None)
    assert list(got) == facts  # both files really went through the pool
    # in the pool, pyarrow parses each file on one thread (and really parsed them)
    assert seen == ([(False, True)] * len(facts) if arrow else [])
    pooled = _outcome(root)
    assert list(pooled) == list(serial)
    for name in serial:
        pd.testing.assert_frame_equal(pooled[name], serial[name], check_exact=True)
    # a short row in one of them: the same problem, same file and line
    path = facts[1]
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = ",".join(lines[2].split(",")[:5])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(readtable, "LARGE_FILE", 2**60)
    serial = _outcome(root)
    monkeypatch.setattr(readtable, "LARGE_FILE", 1)
    assert _outcome(root) == serial
    assert isinstance(serial, list) and serial[0].row == 3


def _pooled_and_serial(root: Path, monkeypatch):
    """Load with every file large and sent to pyarrow, two at once; then serially."""
    monkeypatch.setattr(bundle, "MAX_FILE", -1)  # no bundling: every file to read_table
    monkeypatch.setattr(readtable, "ARROW_MIN_BYTES", 1)
    monkeypatch.setattr(readtable, "_cores", lambda: 2)
    monkeypatch.setattr(readtable, "LARGE_FILE", 1)
    pooled = _outcome(root)
    monkeypatch.setattr(readtable, "LARGE_FILE", 2**60)
    return pooled, _outcome(root)


def _assert_same(pooled, serial) -> None:
    assert type(pooled) is type(serial)
    if isinstance(serial, list):
        assert pooled == serial
        return
    assert list(pooled) == list(serial)
    for name in serial:
        pd.testing.assert_frame_equal(pooled[name], serial[name], check_exact=True)


def _edit_line(path: Path, index: int, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[index : index + 1] = edit(lines[index])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: _edit_line(p, 2, lambda line: [line, ""]),  # a blank line
        lambda p: _edit_line(p, 2, lambda line: [line, ",,,,,,,,,,"]),  # bare commas
        lambda p: p.write_bytes(p.read_text(encoding="utf-8").encode("gbk")),  # not UTF-8
        lambda p: _edit_line(p, 0, lambda line: [line.replace("table,code", "code,table")]),
        lambda p: _edit_line(p, 0, lambda line: [line.replace(",note", ",notes")]),
        lambda p: _edit_line(p, 2, lambda line: [line.replace("万元", "万元\\")]),
    ],
    ids=["blank-line", "bare-commas", "gbk", "other-header", "unknown-column", "backslash"],
)
def test_an_irregular_file_in_the_pool_reads_as_it_reads_serially(tmp_path, monkeypatch, edit):
    """One file among those read two at once needs the exact path (or is refused): the
    same frames, or the same problems, as the serial reader gives."""
    root = _two_chunks(tmp_path)
    facts = sorted(root.rglob("facts.csv"))
    assert len(facts) >= 3
    edit(facts[1])
    pooled, serial = _pooled_and_serial(root, monkeypatch)
    _assert_same(pooled, serial)
