"""Text frames of several files united column by column: values, categories and missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from fiscal_analysis.dataset.textcolumns import concat_text


def _parts() -> list[pd.DataFrame]:
    rng = np.random.default_rng(15)
    parts = []
    for k in range(3):
        values = [f"v{int(x):04d}" for x in rng.integers(0, 300 + 100 * k, 500)]
        col = pd.Categorical(values)
        if k == 1:  # a missing value keeps its place
            col[7] = np.nan
        parts.append(
            pd.DataFrame(
                {
                    "x": col,
                    "few": pd.Categorical(["a", "b"] * 250),
                    "n": np.arange(500) + 1000 * k,
                }
            )
        )
    return parts


def test_same_values_and_categories_as_union_categoricals():
    parts = _parts()
    expected = union_categoricals([p["x"].array for p in parts], sort_categories=True)
    got = concat_text(parts)
    assert got["x"].array.categories.equals(expected.categories)
    assert got["x"].tolist()[:7] == expected.tolist()[:7]
    np.testing.assert_array_equal(got["x"].array.codes, expected.codes)
    assert got["x"].isna().sum() == 1 and pd.isna(got["x"].iloc[507])
    assert got["n"].tolist() == [*range(500), *range(1000, 1500), *range(2000, 2500)]


def test_unsorted_categories_keep_first_appearance_and_the_same_values():
    parts = _parts()
    got = concat_text(parts, sort_categories=False)["x"]
    flat = [v for p in parts for v in p["x"].cat.categories]
    assert got.cat.categories.tolist() == list(dict.fromkeys(flat))
    sorted_ = concat_text(parts)["x"]
    assert got.astype(object).tolist() == sorted_.astype(object).tolist()


def test_codes_stay_narrow():
    got = concat_text(_parts())
    assert got["few"].array.codes.dtype == np.int8
    assert got["x"].array.codes.dtype == np.int16  # (600 categories)


def test_sorted_categories_follow_python_order_for_any_text():
    """The union is sorted by pyarrow (UTF-8 bytes): the same order as Python's sorted()."""
    words = ["财政局", "a", "Z", "规划", "é", "𠀀", "", "10", "9", "芦淞", " x", "ａ"]
    parts = [
        pd.DataFrame({"x": pd.Categorical(words[:7])}),
        pd.DataFrame({"x": pd.Categorical(words[5:][::-1])}),
    ]
    got = concat_text(parts)["x"]
    assert got.cat.categories.tolist() == sorted(set(words))
    assert got.astype(object).tolist() == words[:7] + words[5:][::-1]


def test_a_part_numbered_as_the_union_keeps_its_codes_and_missing_values():
    # unsorted: the first part is numbered as the union (copied), the second is looked up
    first = pd.Categorical(["b", None, "a", "b"])
    second = pd.Categorical(["c", "a", None])
    parts = [pd.DataFrame({"x": first}), pd.DataFrame({"x": second})]
    for sort in (False, True):
        got = concat_text(parts, sort_categories=sort)["x"]
        expected = union_categoricals([first, second], sort_categories=sort)
        assert got.tolist()[:1] + got.tolist()[2:4] == ["b", "a", "b"]
        assert got.isna().tolist() == [False, True, False, False, False, False, True]
        assert got.astype(object).where(got.notna(), None).tolist() == list(
            pd.Series(expected).astype(object).where(pd.Series(expected).notna(), None)
        )
