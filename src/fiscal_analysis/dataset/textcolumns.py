"""Text columns, judged once per distinct value, and exact amounts from text.

Dataset columns repeat a lot (codes, years, units, ids), so each column is
factorized once and every check runs on its distinct values, then is broadcast
to the rows. Amounts are validated and turned into integer minor units (millionths
of their unit: 分 for 万元, see :data:`fiscal_analysis.money.SCALE`) with numpy
integer arithmetic on a matrix of code points: no float is ever involved.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = [
    "AMOUNT_PATTERN",
    "CATEGORY_COLUMNS",
    "Column",
    "amount_hint",
    "amounts_minor",
    "amounts_ok",
    "amounts_ok_rows",
    "category_text",
    "column_codes",
    "compact",
    "concat_text",
    "parse_amounts",
    "parse_column",
]

#: A number with an optional sign, optional thousands groups, ≤ 12 integer digits and
#: ≤ 6 decimals (0.000001万元 = 1分), in ASCII digits; it fits ``int64`` minor units.
AMOUNT_PATTERN = re.compile(r"^[+-]?(?:[0-9]{1,12}|[0-9]{1,3}(?:,[0-9]{3}){1,3})(?:\.[0-9]{1,6})?$")
_MISSING = {"nan", "null", "none", "na", "n/a", "-", "--", "—", "–", "/", "无", "inf", "-inf"}
_NUMBER = re.compile(r"^[+-]?[0-9][0-9,]*(?:\.[0-9]+)?$")
_EXPECTED_NUMBER = "应为数字，最多六位小数（1分 = 0.000001万元），如 335.78"
_WIDE = 256  # longest value Column.text holds as it is


def amount_hint(value: str, *, undisclosed: bool = True) -> str:
    """Say why ``value`` is not an amount, for the problem message.

    Examples:
        >>> amount_hint("１２")
        '应为数字，最多六位小数（1分 = 0.000001万元），如 335.78；请使用半角数字 0–9 ...'
        >>> amount_hint("12元")
        '应为数字，...；数值里不要写单位，单位写在 unit 列 ...'
        >>> amount_hint("3.1205401")
        '应为数字，...；最多六位小数，即精确到分 (at most 6 decimals: 1分 = 0.000001万元)'
    """
    low = value.strip().lower()
    if low in _MISSING:
        hint = (
            "缺失值请留空并把 basis 设为 undisclosed (leave missing amounts empty)"
            if undisclosed
            else f"不能用「{value}」表示缺失 (not a number)"
        )
    elif any(c.isdigit() and not c.isascii() for c in value) or any(c in "．，" for c in value):
        hint = "请使用半角数字 0–9 (use ASCII digits)"
    elif any(u in value for u in ("元", "万", "%", "％", "个", "人")):
        hint = "数值里不要写单位，单位写在 unit 列 (no unit in the value)"
    elif re.fullmatch(r"[+-]?[0-9.]+[eE][+-]?[0-9]+", low):
        hint = "不接受科学计数法，请写出完整数字 (no scientific notation)"
    elif _NUMBER.match(low) and "." in low and len(low.split(".")[1]) > 6:
        hint = "最多六位小数，即精确到分 (at most 6 decimals: 1分 = 0.000001万元)"
    elif _NUMBER.match(low):
        hint = "数字过大或千分位逗号位置不对 (too large, or misplaced thousands separators)"
    else:
        hint = "只能包含数字、小数点、千分位逗号和正负号 (expected a number)"
    return f"{_EXPECTED_NUMBER}；{hint}"


class Column:
    """A column factorized once: codes per row and the distinct values (an object array)."""

    def __init__(self, values: pd.Series):
        codes = values.array.codes if isinstance(values.dtype, pd.CategoricalDtype) else None
        if codes is not None and (not len(codes) or codes.min() >= 0):  # (-1: missing)
            # Already factorized while reading: reuse the codes (a read-only view, not a
            # copy), no hashing of rows.
            self.codes = codes
            self.uniques = values.cat.categories.to_numpy(dtype=object)
        elif isinstance(values.dtype, pd.StringDtype):
            # Factorized by the string array itself (pyarrow's hashing when it backs the
            # column): the same codes and first-seen order, without a Python object per row.
            codes, uniques = pd.factorize(values)
            self.codes, self.uniques = np.asarray(codes), np.asarray(uniques, dtype=object)
        else:
            self.codes, self.uniques = pd.factorize(values.to_numpy(dtype=object))
        self._text: np.ndarray | None = None

    def stripped(self) -> tuple[pd.Categorical, np.ndarray]:
        """The column with every value stripped (a sorted ``Categorical``) and, per
        distinct value, its stripped text."""
        text = np.array([u.strip() for u in self.uniques], dtype=object)
        merged, cats = pd.factorize(text)
        cats = pd.Index(cats, dtype="str")
        order = cats.argsort()
        rank = np.empty(len(order), dtype="int64")
        rank[order] = np.arange(len(order))
        codes = rank[merged][self.codes] if len(merged) else self.codes.astype("int64")
        return pd.Categorical.from_codes(codes, cats[order]), text

    @property
    def text(self) -> np.ndarray:
        """The distinct values as a numpy unicode array (for ``np.strings`` ufuncs).

        Values longer than :data:`_WIDE` characters (never an amount, a code or
        a year) are ``"\\x00?"`` here: the array is as wide as its longest
        value, so one long note would cost that width for every distinct value.
        """
        if self._text is None:
            lengths = np.fromiter(map(len, self.uniques), "int64", len(self.uniques))
            short = np.where(lengths > _WIDE, "", self.uniques) if len(self.uniques) else []
            text = np.asarray(short).astype(str) if len(short) else np.array([], "<U1")
            # numpy drops trailing NUL characters; keep such values (and long ones) invalid.
            self._text = np.where(np.strings.str_len(text) == lengths, text, "\x00?")
        return self._text

    def judge_padded(self) -> np.ndarray:
        """Per distinct value: whether it has leading or trailing whitespace."""
        answers = self.text != np.strings.strip(self.text)
        for i in np.flatnonzero(self.text == "\x00?"):  # (rare: long values, NULs)
            answers[i] = self.uniques[i] != self.uniques[i].strip()
        return answers

    def rows(self, answers: np.ndarray) -> np.ndarray:
        """Broadcast one answer per distinct value to every row."""
        if not len(answers) or (answers.dtype == bool and not answers.any()):
            return np.zeros(len(self.codes), dtype=bool)
        return answers[self.codes]

    def eq(self, value: str) -> np.ndarray:
        return self.rows(self.uniques == value)

    def judge_isin(self, allowed) -> np.ndarray:
        """Per distinct value: whether it is in ``allowed``."""
        wanted = allowed if isinstance(allowed, set | frozenset) else set(allowed)
        return np.fromiter((u in wanted for u in self.uniques), bool, len(self.uniques))

    def isin(self, allowed) -> np.ndarray:
        return self.rows(self.judge_isin(allowed))

    def judge(self, check: Callable[[str], bool]) -> np.ndarray:
        """``check`` of each distinct value (a bool array per distinct value)."""
        return np.fromiter((bool(check(u)) for u in self.uniques), bool, len(self.uniques))


def column_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct values of a text column.

    Runs of equal neighbours are collapsed before hashing, so sorted or
    clustered columns (entity ids, tables) cost one comparison pass.

    Examples:
        >>> codes, uniq = column_codes(np.array(["b", "b", "a", "b"], dtype=object))
        >>> codes.tolist(), uniq.tolist()
        ([0, 0, 1, 0], ['b', 'a'])
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories.to_numpy(dtype=object)
        return values.cat.codes.to_numpy(dtype=np.int64), cats
    a = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64), np.array([], dtype=object)
    heads = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
    head_codes, uniq = pd.factorize(a[heads])
    lengths = np.diff(np.r_[heads, len(a)])
    return np.repeat(head_codes.astype(np.int64), lengths), np.asarray(uniq, dtype=object)


def _char_matrix(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Short strings as an (n, width) matrix of code points, and their lengths.

    Strings longer than 24 characters (never a valid amount) are blanked.
    """
    lengths = np.strings.str_len(text).astype("int64")
    width = int(min(lengths.max(initial=1), 24)) or 1
    short = np.where(lengths <= width, text, "").astype(f"<U{width}")
    return short.view(np.uint32).reshape(len(text), width), lengths


def amounts_ok(text: np.ndarray) -> np.ndarray:
    """Vectorised :data:`AMOUNT_PATTERN` test; the regex decides only unusual values."""
    if not len(text):
        return np.zeros(0, dtype=bool)
    c, n = _char_matrix(text)
    col = np.arange(c.shape[1])
    inside = col[None, :] < n[:, None]
    digit = (c >= 48) & (c <= 57)
    dot = c == 46
    sign = ((c == 45) | (c == 43)) & (col[None, :] == 0)
    plain = ((digit | dot | sign) == inside).all(axis=1) & (n <= 20) & (n > 0)
    ndots = dot.sum(axis=1)
    at = np.where(ndots > 0, dot.argmax(axis=1), n)
    decimals = n - at - 1
    lead = at - sign[:, 0]
    plain &= (ndots == 0) | ((ndots == 1) & (decimals >= 1) & (decimals <= 6))
    plain &= (lead >= 1) & (lead <= 12)
    rest = np.flatnonzero(~plain)
    ok = plain.copy()
    ok[rest] = [bool(AMOUNT_PATTERN.match(str(v))) for v in text[rest]]
    return ok


def amounts_minor(text: np.ndarray) -> np.ndarray:
    """Exact int64 minor units (millionths) of validated amount strings, by integer arithmetic."""
    if not len(text):
        return np.zeros(0, dtype="int64")
    c, _ = _char_matrix(text)
    total = np.zeros(len(text), dtype="int64")
    decimals = np.zeros(len(text), dtype="int64")
    seen_dot = np.zeros(len(text), dtype=bool)
    for j in range(c.shape[1]):
        ch = c[:, j].astype("int64")
        digit = (ch >= 48) & (ch <= 57)
        total = np.where(digit, total * 10 + (ch - 48), total)
        decimals += digit & seen_dot
        seen_dot |= ch == 46
    total *= 10 ** (6 - decimals)
    return np.where(c[:, 0] == 45, -total, total)


def parse_amounts(values: pd.Series) -> pd.Series:
    """Turn validated amount strings into exact ``Int64`` minor units (vectorised).

    Empty strings become ``<NA>`` (only allowed for undisclosed figures).

    Examples:
        >>> parse_amounts(pd.Series(["335.78", "26", "1,234.5", "-0.01", "3.12054", ""])).tolist()
        [335780000, 26000000, 1234500000, -10000, 3120540, <NA>]
        >>> parse_amounts(pd.Series([], dtype=str)).tolist()
        []
    """
    return parse_column(Column(values), values.index)


def parse_column(col: Column, index: pd.Index) -> pd.Series:
    filled = col.text != ""
    parsed = np.zeros(len(col.uniques), dtype="int64")
    parsed[filled] = amounts_minor(col.text[filled])
    # (the values and their mask as they are: no validating copy of every row)
    values = pd.arrays.IntegerArray(parsed[col.codes], ~filled[col.codes])
    return pd.Series(values, index=index, copy=False)


def amounts_ok_rows(col: Column) -> np.ndarray:
    """Rows of ``col`` that hold a valid amount."""
    ok = amounts_ok(col.text)
    return ok[col.codes] if len(ok) else np.zeros(len(col.codes), dtype=bool)


def concat_text(parts: list[pd.DataFrame], *, sort_categories: bool = True) -> pd.DataFrame:
    """Concatenate text frames column by column, keeping categories where all parts have them.

    The parts' categories are united once (each distinct value hashed once, not
    each row) and every part's codes are renumbered with one ``take``. With
    ``sort_categories=False`` the united categories are in order of first
    appearance (:func:`compact` sorts the columns that stay text; a column
    that is typed later, such as ``value``, need not be sorted at all).

    Examples:
        >>> a = pd.DataFrame({"x": pd.Categorical(["b", "a"])})
        >>> b = pd.DataFrame({"x": pd.Categorical(["c", "a"])})
        >>> col = concat_text([a, b])["x"]
        >>> col.tolist(), col.cat.categories.tolist()
        (['b', 'a', 'c', 'a'], ['a', 'b', 'c'])
        >>> concat_text([b, a], sort_categories=False)["x"].cat.categories.tolist()
        ['a', 'c', 'b']
    """
    if len(parts) == 1:
        return parts[0]
    out = {}
    for c in parts[0].columns:
        cols = [p[c] for p in parts]
        if all(isinstance(s.dtype, pd.CategoricalDtype) for s in cols):
            out[c] = _union([_str_categories(s) for s in cols], sort_categories)
        elif all(s.dtype == cols[0].dtype for s in cols):
            out[c] = pd.concat(cols, ignore_index=True)
        else:
            objs = np.concatenate([s.to_numpy(dtype=object) for s in cols])
            out[c] = pd.array(objs, dtype="str")
    return pd.DataFrame(out, copy=False)


def _union(cats: list[pd.Categorical], sort: bool) -> pd.Categorical:
    """The Categoricals one after another, over the union of their categories.

    pyarrow hashes every part's categories once, in one table: the union is its
    dictionary and each part's renumbering its indices (no Python strings).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = [pa.array(c.categories.array).cast(pa.large_string()) for c in cats]
    encoded = pc.dictionary_encode(pa.concat_arrays(arrays))
    union, renumber = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
    if sort:  # (UTF-8 byte order is code point order, as Python sorts str)
        order = pc.sort_indices(union).to_numpy()
        union, rank = union.take(order), np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        renumber = rank[renumber]
    # codes as narrow as pandas keeps them (int8/16/32), written in place: no int64 copy
    width = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(union) < np.iinfo(t).max)
    codes = np.empty(sum(len(c) for c in cats), dtype=width)
    at = start = 0
    for c in cats:
        n = len(c.categories)
        part = np.r_[renumber[start : start + n], -1].astype(width)  # -1: NaN
        if np.array_equal(part[:-1], np.arange(n)):  # numbered as before (a first part)
            codes[at : at + len(c)] = c.codes  # (a copy, no lookup)
        else:
            np.take(part, c.codes, out=codes[at : at + len(c)])
        at, start = at + len(c), start + n
    categories = pd.Index(pd.array(union, dtype="str"))
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories), validate=False)


def _str_categories(s: pd.Series) -> pd.Categorical:
    """The column's Categorical with ``str`` categories (an empty one may have ``object``)."""
    cat = s.array
    if cat.categories.dtype != "str":
        cat = cat.rename_categories(pd.Index(cat.categories.astype(str), dtype="str"))
    return cat


#: Columns kept as ``category`` in every typed frame (all text columns of ``facts`` are).
CATEGORY_COLUMNS = ("entity_id", "_file")


def compact(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Typed frames with repeated text as sorted ``category`` and other text as ``str``."""
    out = {}
    for name, df in frames.items():
        cols = {}
        for c in df.columns:
            s = df[c]
            is_cat = isinstance(s.dtype, pd.CategoricalDtype)
            if not is_cat and s.dtype != object and s.dtype != "str":
                continue  # year, value, _row: typed already
            if name == "facts" or c in CATEGORY_COLUMNS:
                cols[c] = _as_category(s)
            elif is_cat:
                cols[c] = category_text(s)
        out[name] = df.assign(**cols) if cols else df
    return out


def category_text(s: pd.Series) -> pd.Series:
    """A ``category`` column of text as ``str`` (what ``s.astype("str")`` gives), each row
    taken from its category by pyarrow instead of through a Python string per row.

    Examples:
        >>> s = pd.Series(pd.Categorical(["b", None, "a", "b"]), index=[3, 4, 5, 6])
        >>> t = category_text(s)
        >>> t.equals(s.astype("str")), str(t.dtype), t.index.tolist()
        (True, 'str', [3, 4, 5, 6])
    """
    import pyarrow as pa

    cats = s.cat.categories
    if cats.dtype != "str":
        return s.astype("str")
    codes = s.array.codes
    values = pa.array(cats.array).cast(pa.large_string())
    taken = values.take(pa.array(codes.astype(np.int32), mask=codes < 0))
    return pd.Series(pd.array(taken, dtype="str"), index=s.index, name=s.name, copy=False)


def _as_category(s: pd.Series) -> pd.Series:
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return s.astype("str").astype("category")
    cats = s.cat.categories
    if cats.dtype != "str":
        s = s.cat.rename_categories(pd.Index(cats.astype(str), dtype="str"))
        cats = s.cat.categories
    if not cats.is_monotonic_increasing:
        s = s.cat.reorder_categories(cats.sort_values())
    return s
