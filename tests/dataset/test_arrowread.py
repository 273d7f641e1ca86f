"""Large files read by pyarrow give exactly what the exact reader gives: frames and problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.reading import arrowread, bundle, readtable
from fiscal_analysis.errors import DataValidationError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _outcome(root: Path):
    try:
        return load_dataset(root).frames
    except DataValidationError as exc:
        return exc.problems


@pytest.fixture
def both(monkeypatch):
    """Load a folder twice: every file through pyarrow when it can, then never through it."""
    used: list[bool] = []

    def spy(data, *, threads=True):
        got = arrowread.arrow_records(data, threads=threads)
        used.append(got is not None)
        return got

    monkeypatch.setattr(bundle, "MAX_FILE", -1)  # no bundling: every file to read_table
    monkeypatch.setattr(readtable, "arrow_records", spy)

    def load(root: Path):
        used.clear()
        monkeypatch.setattr(readtable, "ARROW_MIN_BYTES", 1)
        arrow = _outcome(root)
        took = list(used)
        monkeypatch.setattr(readtable, "ARROW_MIN_BYTES", 2**60)
        return arrow, _outcome(root), took

    return load


def _data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(FIXTURES / "notebooks" / "data", root)
    return root


def test_same_frames_as_the_exact_reader(tmp_path, both):
    root = _data(tmp_path)
    arrow, exact, took = both(root)
    assert any(took)  # pyarrow really read files (facts.csv, …)
    assert list(arrow) == list(exact)
    for name in exact:
        pd.testing.assert_frame_equal(arrow[name], exact[name], check_exact=True)
    amounts = arrow["facts"].set_index(["entity_id", "year", "item"])["value"]
    assert amounts["alpha", 2020, "income_grand_total"] == 335_780_000  # exact 分


def test_same_problems_with_file_row_column_and_value(tmp_path, both):
    root = _data(tmp_path)
    path = root / "alpha/2020/facts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    fields[5] = "335.78万"
    lines[2] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arrow, exact, took = both(root)
    assert any(took)
    assert isinstance(arrow, list) and arrow == exact
    bad = [p for p in arrow if p.value == "335.78万"]
    assert [(p.file, p.row, p.column) for p in bad] == [("alpha/2020/facts.csv", 3, "value")]


@pytest.mark.parametrize(
    "edit",
    [
        lambda lines: [*lines[:2], ",".join(lines[2].split(",")[:4]), *lines[3:]],  # short row
        lambda lines: [*lines[:2], "", *lines[2:]],  # blank line
        lambda lines: [*lines[:2], lines[2].replace("alpha", '"alpha"', 1), *lines[3:]],  # quotes
    ],
    ids=["short-row", "blank-line", "quoted"],
)
def test_irregular_files_take_the_exact_path(tmp_path, both, edit):
    root = _data(tmp_path)
    path = root / "alpha/2020/facts.csv"
    lines = edit(path.read_text(encoding="utf-8").splitlines())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arrow, exact, _ = both(root)
    assert type(arrow) is type(exact)
    if isinstance(exact, list):
        assert arrow == exact
    else:
        for name in exact:
            pd.testing.assert_frame_equal(arrow[name], exact[name], check_exact=True)


def test_gbk_file_is_decoded_by_the_exact_path(tmp_path, both):
    root = _data(tmp_path)
    path = root / "alpha/2020/facts.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    assert arrowread.arrow_records(path.read_bytes()) is None
    arrow, exact, _ = both(root)
    for name in exact:
        pd.testing.assert_frame_equal(arrow[name], exact[name], check_exact=True)


@pytest.mark.parametrize("threads", [False, True])
def test_blocks_with_their_own_dictionaries_give_every_row_its_own_value(monkeypatch, threads):
    """pyarrow parses a large file in blocks, each with a dictionary of its own values in
    the order it met them; united, every row still reads back its own text."""
    monkeypatch.setattr(arrowread, "_BLOCK_BYTES", 64)  # a few records a block
    rows = [
        (f"e{(i * 7) % 11}", f"{(i * 37) % 101}.{i % 3}", "单位" if i % 5 else "", f"n{i}")
        for i in range(400)
    ]
    data = ("entity_id,value,unit,note\n" + "".join(",".join(r) + "\n" for r in rows)).encode()
    got = arrowread.arrow_records(data, threads=threads)
    assert got is not None
    for j in range(4):
        assert got.frame[j].tolist() == [r[j] for r in rows]
        cats = got.frame[j].cat.categories
        assert cats.is_unique and set(cats) == {r[j] for r in rows}
    assert got.lines.tolist() == list(range(2, 402))
