"""Integer keys: numbering by table or by hashing gives the same answer, and repeats are found
in any row order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fiscal_analysis.dataset import keys
from fiscal_analysis.dataset.keys import TABLE_PER_ROW, all_distinct, dense_codes
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.errors import DataValidationError
from fiscal_analysis.testing.synth import write_panel


def _expected(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(key, sort=True)
    return codes, uniques


@pytest.mark.parametrize(
    ("rows", "bound", "hashed"),
    [
        (1000, 50, False),  # a small key space: the table
        (1000, 2**20, False),  # the table's floor
        (1000, 2**40, True),  # a large key space: hashed
        (2**21 // TABLE_PER_ROW + 7, 2**21, False),  # just inside the per-row allowance
        (2**21 // TABLE_PER_ROW - 7, 2**21, True),  # just outside it
    ],
)
def test_dense_codes_numbers_keys_as_a_sorted_factorize_does(rows, bound, hashed, monkeypatch):
    rng = np.random.default_rng(rows + bound)
    key = rng.integers(0, bound, rows, dtype=np.int64)
    want_codes, want_keys = _expected(key)
    calls = []
    real = pd.factorize

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(keys.pd, "factorize", spy)
    codes, distinct = dense_codes(key, bound)
    assert bool(calls) == hashed
    assert codes.dtype.kind == "i" and distinct.dtype == np.int64
    assert codes.dtype == (np.intp if hashed else np.int32)
    np.testing.assert_array_equal(distinct, want_keys)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(distinct[codes], key)


def test_dense_codes_outside_the_bound_are_hashed_not_wrapped() -> None:
    # A -1 code (a missing value) must not land on the table's last slot.
    key = np.array([5, -1, 5, 9, 0], dtype=np.int64)
    codes, keys = dense_codes(key, 10)
    assert keys.tolist() == [-1, 0, 5, 9]
    assert codes.tolist() == [2, 0, 2, 3, 1]
    codes, keys = dense_codes(np.array([3, 12, 3]), 10)  # past the stated bound
    assert keys.tolist() == [3, 12] and codes.tolist() == [0, 1, 0]


def test_dense_codes_of_no_rows() -> None:
    codes, keys = dense_codes(np.zeros(0, dtype=np.int64), 0)
    assert codes.tolist() == [] and keys.tolist() == []


@pytest.mark.parametrize("order", ["sorted", "blocks", "shuffled", "descending"])
def test_all_distinct_finds_one_repeat_in_any_row_order(order: str) -> None:
    rng = np.random.default_rng(7)
    key = np.sort(rng.choice(10**9, 200_000, replace=False))
    if order == "blocks":
        key = np.concatenate([part for part in np.array_split(key, 97)][::-1])
    elif order == "shuffled":
        rng.shuffle(key)
    elif order == "descending":
        key = key[::-1].copy()
    assert all_distinct(key)
    repeated = key.copy()
    repeated[123_457] = repeated[5]  # one repeat, far from its twin
    assert not all_distinct(repeated)
    assert all_distinct(key[:1]) and all_distinct(key[:0])


def test_a_fact_repeated_in_another_file_is_reported_against_its_first(tmp_path: Path) -> None:
    """Rows in two chunk files, neither of them in key order: the repeat is still found."""
    root = tmp_path / "data"
    write_panel(root, 4, 2, first_year=2019, chunk_size=2)
    first, second = sorted(root.glob("chunk-*/facts.csv"))
    head, *rows = first.read_text(encoding="utf-8").splitlines()
    twin = rows[10]
    rng = np.random.default_rng(3)
    rng.shuffle(rows)
    first.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    lines = second.read_text(encoding="utf-8").splitlines()
    second.write_text("\n".join([*lines, twin]) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    (problem,) = info.value.problems
    at = rows.index(twin) + 2  # (line 1 is the header)
    assert problem.file == f"{second.parent.name}/facts.csv"
    assert problem.row == len(lines) + 1
    assert f"与 {first.parent.name}/facts.csv 第{at}行 重复" in problem.expected
