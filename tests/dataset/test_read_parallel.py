"""Large files read several at once (threads) give exactly what the serial reader gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.reading import readtable
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
