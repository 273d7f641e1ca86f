"""Loading reads facts.csv on a thread of its own while the other files are read, and
validation checks the facts' columns on a second thread: the frames, the problems and their
order are exactly those of one thread doing everything in turn."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest

from fiscal_analysis.dataset import load, validate
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.errors import DataValidationError
from fiscal_analysis.testing.synth import write_panel

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


class _InTurn:
    """An executor that runs each task at once, on the calling thread."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self) -> _InTurn:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def submit(self, fn, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _in_turn(monkeypatch) -> None:
    monkeypatch.setattr(validate, "ThreadPoolExecutor", _InTurn)
    monkeypatch.setattr(load, "ThreadPoolExecutor", _InTurn)


def _problems(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        load_dataset(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("case", CASES)
def test_problems_come_in_the_order_one_thread_finds_them(case, monkeypatch):
    threaded = _problems(BROKEN / case)
    _in_turn(monkeypatch)
    assert _problems(BROKEN / case) == threaded


def test_the_facts_columns_are_checked_on_the_second_thread(monkeypatch):
    seen: list[tuple[str, str]] = []
    real = validate._check_columns

    def spy(name, *args):
        seen.append((name, threading.current_thread().name))
        return real(name, *args)

    monkeypatch.setattr(validate, "_check_columns", spy)
    problems = _problems(BROKEN / "_many_defects")
    assert len(problems) == 5
    threads = dict(seen)
    assert threads["facts"].startswith("validate")
    assert all(t == threading.main_thread().name for n, t in seen if n != "facts")


def test_one_row_broken_both_ways_keeps_its_problems_in_order(tmp_path, monkeypatch):
    """A row that breaks a column rule (checked on the second thread) and facts rules
    (checked on this one), and a repeated key: same problems, same order, either way."""
    root = tmp_path / "data"
    shutil.copytree(BROKEN.parent / "encodings" / "utf8_bom", root)
    facts = root / "demo" / "2020" / "facts.csv"
    lines = facts.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = "demo,2020,T05,2010301,nope,-99.2,元,guessed,demo-2020,第三部分,\x07"
    lines.append(lines[3])
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    threaded = _problems(root)
    _in_turn(monkeypatch)
    assert _problems(root) == threaded
    on_row_3 = [p for p in threaded if "第3行" in p]
    assert len(on_row_3) >= 3, threaded
    assert any("重复" in p for p in threaded)


def test_facts_read_on_their_own_thread_with_problems_in_other_files(tmp_path, monkeypatch):
    """Problems in facts.csv (read on its thread) and in the files read meanwhile."""
    root = tmp_path / "data"
    write_panel(root, 4, 2, first_year=2019, chunk_size=2)
    first = sorted(root.glob("chunk-*"))[0]
    for name, column in (("facts.csv", 1), ("tables.csv", 1), ("projects.csv", 1)):
        path = first / name
        lines = path.read_text(encoding="utf-8").splitlines()
        cells = lines[5].split(",")
        cells[column] = "20x9"  # not a year
        lines[5] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: dict[str, str] = {}
    real = load._read_all

    def spy(files, spec, *args):
        seen[spec.name] = threading.current_thread().name
        return real(files, spec, *args)

    monkeypatch.setattr(load, "_read_all", spy)
    threaded = _problems(root)
    assert seen["facts"].startswith("facts") and seen["tables"] == threading.main_thread().name
    assert [p.split(" ")[0] for p in threaded] == [
        f"{first.name}/{name}" for name in ("facts.csv", "projects.csv", "tables.csv")
    ]
    _in_turn(monkeypatch)
    assert _problems(root) == threaded


def test_a_subset_load_waits_for_the_facts_before_its_documents(tmp_path):
    root = tmp_path / "data"
    write_panel(root, 4, 2, first_year=2019, chunk_size=2)
    ds = load_dataset(root, entities=["synth-0003"])
    assert ds.pairs() == [("synth-0003", 2019), ("synth-0003", 2020)]
    assert set(ds.documents["doc_id"]) == {"synth-0003-2019", "synth-0003-2020"}
    whole = load_dataset(root)
    mine = whole.facts[whole.facts["entity_id"] == "synth-0003"]
    assert len(ds.facts) == len(mine) > 0
