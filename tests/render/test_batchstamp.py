"""The batch stamp: an unchanged batch is recognised from os.stat alone, and nothing else is."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

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


def test_a_data_file_with_another_size_or_mtime_gives_another_key(batch):
    data, _, key = batch
    facts = data / "lusong-xzsp/2020/facts.csv"
    st = facts.stat()
    os.utime(facts, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))
    assert batch_key(data, b"notebook", "code", "0.1.0", None, None) != key
    (data / "raw" / "note.txt").write_text("x")  # any new file, even one the loader ignores
    os.utime(data / "raw" / "note.txt", (time.time() - 60, time.time() - 60))
    assert "raw/note.txt" in [p for p, _, _ in data_stats(data)]


def test_fresh_files_give_no_key(batch):
    data, out, _ = batch
    (data / "entities.csv").touch()
    assert batch_key(data, b"notebook", "code", "0.1.0", None, None) is None
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
