"""Validated dataset cache (fiscal_analysis.dataset.cache) and subset loading with it."""

from __future__ import annotations

import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis import files as paths
from fiscal_analysis.dataset import cache as cache_mod
from fiscal_analysis.dataset import load as loader
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.walk import data_states, file_state
from fiscal_analysis.errors import DataValidationError

REPO = Path(__file__).resolve().parents[2]
FACTS = "lusong-xzsp/2020/facts.csv"


@pytest.fixture(autouse=True)
def no_settling(monkeypatch):
    """These tests write files and load them at once; the settling rule has its own test."""
    monkeypatch.setattr(paths, "SETTLE_SECONDS", 0)


def _two_entities(tmp_path: Path) -> Path:
    """The shipped data plus a copy of its entity under another id (``other-xzsp``)."""
    root = tmp_path / "data"
    shutil.copytree(
        REPO / "data", root, ignore=shutil.ignore_patterns("raw", "*.md", "putuo*", "codes.csv")
    )
    for src in (root / "lusong-xzsp").rglob("*.csv"):
        dst = root / "other-xzsp" / src.relative_to(root / "lusong-xzsp")
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(src.read_text(encoding="utf-8").replace("lusong", "other"), "utf-8")
    with (root / "entities.csv").open("a", encoding="utf-8") as f:
        f.write("other-xzsp,另一个行政审批服务局,湖南省株洲市,县级,\n")
    return root


def _cold_loads(monkeypatch) -> list[int]:
    """Count the cold (CSV) loads made from now on."""
    calls: list[int] = []
    real = loader._cold_load

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "_cold_load", counting)
    return calls


def _assert_same(a, b) -> None:
    assert list(a.frames) == list(b.frames)
    for name in a.frames:
        pd.testing.assert_frame_equal(a.frames[name], b.frames[name], check_exact=True)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_warm_load_equals_cold_load_frame_for_frame(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    plain = load_dataset(root)
    calls = _cold_loads(monkeypatch)
    cold = load_dataset(root, cache=where)
    warm = load_dataset(root, cache=where)
    assert len(calls) == 1  # the second load came from the cache
    _assert_same(plain, cold)
    _assert_same(cold, warm)
    assert warm.root == root
    assert warm.value("other-xzsp", 2020, "T01", "income_grand_total") == Decimal("335.78")
    assert warm.value("lusong-xzsp", 2019, "T01", "income_grand_total") == Decimal("662.95")
    assert isinstance(warm.facts["entity_id"].dtype, pd.CategoricalDtype)
    [entry] = list(where.glob("*/all.pkl"))
    assert entry.stat().st_mode & 0o077 == 0  # private to the user


def test_touching_or_editing_a_file_invalidates(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    load_dataset(root, cache=where)
    calls = _cold_loads(monkeypatch)
    path = root / FACTS
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # same bytes, new mtime
    load_dataset(root, cache=where)
    assert len(calls) == 1
    load_dataset(root, cache=where)
    assert len(calls) == 1  # rewritten, so warm again
    _edit(path, "income_fiscal,335.78,", "income_fiscal,335.79,")
    ds = load_dataset(root, cache=where)
    assert len(calls) == 2
    assert ds.value("lusong-xzsp", 2020, "T01", "income_fiscal") == Decimal("335.79")
    (root / "other-xzsp" / "2019" / "facts.csv").unlink()  # a file disappears
    ds = load_dataset(root, cache=where)
    assert len(calls) == 3 and ds.years("other-xzsp") == [2020]


def test_a_new_file_invalidates(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    load_dataset(root, cache=where)
    calls = _cold_loads(monkeypatch)
    extra = root / "lusong-xzsp" / "2021" / "facts.csv"
    extra.parent.mkdir()
    extra.write_text("entity_id,year,table,code,item,value,unit,basis,doc_id,section,note\n")
    load_dataset(root, cache=where)
    assert len(calls) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"garbage"),
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
        lambda p: p.write_bytes(cache_mod.MAGIC + b"\x80\x05not a pickle"),
        lambda p: p.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "bad-pickle", "empty"],
)
def test_corrupt_cache_falls_back_silently_and_is_rewritten(tmp_path, monkeypatch, damage):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    good = load_dataset(root, cache=where)
    [entry] = list(where.glob("*/all.pkl"))
    damage(entry)
    calls = _cold_loads(monkeypatch)
    again = load_dataset(root, cache=where)
    assert len(calls) == 1
    _assert_same(good, again)
    load_dataset(root, cache=where)
    assert len(calls) == 1  # the rewritten cache is used


def test_unwritable_cache_location_is_not_an_error(tmp_path):
    root = _two_entities(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    ds = load_dataset(root, cache=blocker)
    assert ds.value("lusong-xzsp", 2020, "T05", "budget_initial") == Decimal("200.35")


def test_invalid_data_is_never_cached(tmp_path):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    _edit(root / FACTS, "income_fiscal,335.78,", "income_fiscal,33x,")
    for _ in range(2):
        with pytest.raises(DataValidationError) as info:
            load_dataset(root, cache=where)
        [p] = info.value.problems
        assert (p.file, p.column, p.value) == (FACTS, "value", "33x")
    assert not list(where.glob("*/*.pkl"))


def test_entities_filter_with_cache(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    full = load_dataset(root, cache=where)
    calls = _cold_loads(monkeypatch)
    cold = load_dataset(root, entities=["other-xzsp"], cache=where)
    warm = load_dataset(root, entities=["other-xzsp"], cache=where)
    assert len(calls) == 1
    _assert_same(cold, warm)
    assert warm.pairs() == [("other-xzsp", 2019), ("other-xzsp", 2020)]
    assert warm.entities["entity_id"].tolist() == ["other-xzsp"]
    assert len(warm.facts) == len(full.facts_for("other-xzsp"))
    assert len(list(where.glob("*/*.pkl"))) == 2  # the whole dataset and the subset
    load_dataset(root, cache=where)  # the whole dataset is still cached
    assert len(calls) == 1
    _edit(root / FACTS, "income_fiscal,335.78,", "income_fiscal,335.79,")  # other entity's file
    load_dataset(root, entities=["other-xzsp"], cache=where)
    assert len(calls) == 2  # conservative: any file change invalidates


def test_default_cache_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_mod.cache_dir(True) == tmp_path / "xdg" / "fiscal-analysis"
    root = _two_entities(tmp_path)
    load_dataset(root, cache=True)
    assert len(list((tmp_path / "xdg" / "fiscal-analysis").glob("*/all.pkl"))) == 1


def test_cache_is_keyed_by_schema_and_code(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    load_dataset(root, cache=where)
    calls = _cold_loads(monkeypatch)
    monkeypatch.setattr(cache_mod, "schema_digest", lambda: "another schema")
    load_dataset(root, cache=where)
    assert len(calls) == 1


def test_files_written_moments_ago_are_not_cached_yet(tmp_path, monkeypatch):
    """Rewritten within the same timestamp tick, a file keeps its size and mtime: wait first."""
    monkeypatch.setattr(paths, "SETTLE_SECONDS", 2)
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    calls = _cold_loads(monkeypatch)
    load_dataset(root, cache=where)
    load_dataset(root, cache=where)
    assert len(calls) == 2 and not list(where.glob("*/all.pkl"))
    past = time.time() - 10
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    load_dataset(root, cache=where)
    load_dataset(root, cache=where)
    assert len(calls) == 3 and len(list(where.glob("*/all.pkl"))) == 1


def _wait_for_next_tick() -> None:
    """Let a change that follows land in another change-time tick than the load before it."""
    time.sleep(0.05)


def test_same_length_edit_with_the_mtime_put_back_is_seen(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    path = root / FACTS
    before = path.stat()
    assert load_dataset(root, cache=where).value(
        "lusong-xzsp", 2020, "T01", "income_fiscal"
    ) == Decimal("335.78")
    calls = _cold_loads(monkeypatch)
    _wait_for_next_tick()
    _edit(path, "income_fiscal,335.78,", "income_fiscal,335.79,")  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as touch -d or tar do
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    ds = load_dataset(root, cache=where)
    assert len(calls) == 1
    assert ds.value("lusong-xzsp", 2020, "T01", "income_fiscal") == Decimal("335.79")
    assert load_dataset(root, cache=where).value(
        "lusong-xzsp", 2020, "T01", "income_fiscal"
    ) == Decimal("335.79")
    assert len(calls) == 1  # and cached again


def test_a_file_replaced_by_rename_with_same_size_and_mtime_is_seen(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    path = root / FACTS
    before = path.stat()
    load_dataset(root, cache=where)
    calls = _cold_loads(monkeypatch)
    new = path.with_name("facts.csv.new")
    new.write_text(
        path.read_text(encoding="utf-8").replace("income_fiscal,335.78,", "income_fiscal,335.79,"),
        encoding="utf-8",
    )
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(new, path)  # as editors and atomic writers do
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    ds = load_dataset(root, cache=where)
    assert len(calls) == 1
    assert ds.value("lusong-xzsp", 2020, "T01", "income_fiscal") == Decimal("335.79")


def test_the_manifest_keys_on_the_shared_file_states(tmp_path):
    root = _two_entities(tmp_path)
    (root / "notes.txt").write_text("not a dataset file", encoding="utf-8")
    files = cache_mod.manifest(root, None)["files"]
    assert files == data_states(root, cache_mod.FILES)
    assert [f[0] for f in files][:3] == [
        "entities.csv",
        "lusong-xzsp/2019/facts.csv",
        "lusong-xzsp/2020/facts.csv",
    ]
    assert "notes.txt" not in [f[0] for f in files]
    assert files[0][1:] == file_state(root / "entities.csv")


def test_a_cache_file_of_the_old_layout_is_ignored(tmp_path, monkeypatch):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    load_dataset(root, cache=where)
    [entry] = list(where.glob("*/all.pkl"))
    assert entry.read_bytes().startswith(b"fiscal-analysis dataset cache 3\n")
    entry.write_bytes(
        b"fiscal-analysis dataset cache 1\n" + entry.read_bytes()[len(cache_mod.MAGIC) :]
    )
    calls = _cold_loads(monkeypatch)
    load_dataset(root, cache=where)
    assert len(calls) == 1


def test_a_symlink_loop_is_refused_with_or_without_cache(tmp_path):
    root, where = _two_entities(tmp_path), tmp_path / "cache"
    os.symlink("..", root / "lusong-xzsp" / "2020" / "again")
    for cache in (where, False):
        with pytest.raises(DataValidationError) as info:
            load_dataset(root, cache=cache)
        [p] = info.value.problems
        assert (p.file, p.expected) == (
            "lusong-xzsp/2020/again",
            "符号链接形成循环（指向所在文件夹或其上级，或无法解析），请删除或改正 (symlink loop)",
        )
