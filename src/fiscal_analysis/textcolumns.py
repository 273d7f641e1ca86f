"""Text columns, judged once per distinct value, and exact amounts from text.

Dataset columns repeat a lot (codes, years, units, ids), so each column is
factorized once and every check runs on its distinct values, then is broadcast
to the rows. Amounts are validated and turned into integer hundredths with
numpy integer arithmetic on a matrix of code points: no float is ever involved.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = [
    "AMOUNT_PATTERN",
    "Column",
    "amount_hint",
    "amounts_hundredths",
    "amounts_ok",
    "amounts_ok_rows",
    "parse_amounts",
    "parse_column",
]

#: A number with an optional sign, optional thousands groups and ≤ 2 decimals (ASCII digits).
AMOUNT_PATTERN = re.compile(r"^[+-]?(?:[0-9]{1,15}|[0-9]{1,3}(?:,[0-9]{3}){1,4})(?:\.[0-9]{1,2})?$")
_MISSING = {"nan", "null", "none", "na", "n/a", "-", "--", "—", "–", "/", "无", "inf", "-inf"}
_NUMBER = re.compile(r"^[+-]?[0-9][0-9,]*(?:\.[0-9]+)?$")
_EXPECTED_NUMBER = "应为数字，最多两位小数，如 335.78"


def amount_hint(value: str, *, undisclosed: bool = True) -> str:
    """Say why ``value`` is not an amount, for the problem message.

    Examples:
        >>> amount_hint("１２")
        '应为数字，最多两位小数，如 335.78；请使用半角数字 0–9 (use ASCII digits)'
        >>> amount_hint("12元")
        '应为数字，最多两位小数，如 335.78；数值里不要写单位，单位写在 unit 列 ...'
        >>> amount_hint("1.234")
        '应为数字，最多两位小数，如 335.78；最多两位小数 (at most 2 decimals)'
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
    elif _NUMBER.match(low) and "." in low and len(low.split(".")[1]) > 2:
        hint = "最多两位小数 (at most 2 decimals)"
    elif _NUMBER.match(low):
        hint = "数字过大或千分位逗号位置不对 (too large, or misplaced thousands separators)"
    else:
        hint = "只能包含数字、小数点、千分位逗号和正负号 (expected a number)"
    return f"{_EXPECTED_NUMBER}；{hint}"


class Column:
    """A column factorized once: codes per row and the distinct values (an object array)."""

    def __init__(self, values: pd.Series):
        self.codes, self.uniques = pd.factorize(values.to_numpy(dtype=object))
        self._text: np.ndarray | None = None

    @property
    def text(self) -> np.ndarray:
        """The distinct values as a numpy unicode array (for ``np.strings`` ufuncs)."""
        if self._text is None:
            text = self.uniques.astype(str) if len(self.uniques) else np.array([], "<U1")
            # numpy drops trailing NUL characters; keep such values visibly invalid.
            lengths = np.fromiter(map(len, self.uniques), "int64", len(self.uniques))
            self._text = np.where(np.strings.str_len(text) == lengths, text, "\x00?")
        return self._text

    def padded(self) -> np.ndarray:
        """Rows whose value has leading or trailing whitespace."""
        return self.rows(self.text != np.strings.strip(self.text))

    def rows(self, answers: np.ndarray) -> np.ndarray:
        """Broadcast one answer per distinct value to every row."""
        return answers[self.codes] if len(answers) else np.zeros(len(self.codes), dtype=bool)

    def eq(self, value: str) -> np.ndarray:
        return self.rows(self.uniques == value)

    def isin(self, allowed) -> np.ndarray:
        return self.rows(pd.Index(self.uniques).isin(list(allowed)))

    def test(self, check: Callable[[str], bool]) -> np.ndarray:
        """Apply ``check`` once per distinct value and broadcast (a bool array per row)."""
        answers = np.fromiter((bool(check(u)) for u in self.uniques), bool, len(self.uniques))
        return self.rows(answers)


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
    plain = ((digit | dot | sign) == inside).all(axis=1) & (n <= 19) & (n > 0)
    ndots = dot.sum(axis=1)
    at = np.where(ndots > 0, dot.argmax(axis=1), n)
    decimals = n - at - 1
    lead = at - sign[:, 0]
    plain &= (ndots == 0) | ((ndots == 1) & (decimals >= 1) & (decimals <= 2))
    plain &= (lead >= 1) & (lead <= 15)
    rest = np.flatnonzero(~plain)
    ok = plain.copy()
    ok[rest] = [bool(AMOUNT_PATTERN.match(str(v))) for v in text[rest]]
    return ok


def amounts_hundredths(text: np.ndarray) -> np.ndarray:
    """Exact int64 hundredths of validated amount strings, by integer arithmetic."""
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
    total *= 10 ** (2 - decimals)
    return np.where(c[:, 0] == 45, -total, total)


def parse_amounts(values: pd.Series) -> pd.Series:
    """Turn validated amount strings into exact ``Int64`` hundredths (vectorised).

    Empty strings become ``<NA>`` (only allowed for undisclosed figures).

    Examples:
        >>> parse_amounts(pd.Series(["335.78", "26", "1,234.5", "-0.01", ""])).tolist()
        [33578, 2600, 123450, -1, <NA>]
        >>> parse_amounts(pd.Series([], dtype=str)).tolist()
        []
    """
    return parse_column(Column(values), values.index)


def parse_column(col: Column, index: pd.Index) -> pd.Series:
    filled = col.text != ""
    parsed = np.zeros(len(col.uniques), dtype="int64")
    parsed[filled] = amounts_hundredths(col.text[filled])
    out = pd.array(parsed[col.codes], dtype="Int64")
    if len(filled):
        out[~filled[col.codes]] = pd.NA
    return pd.Series(out, index=index, dtype="Int64")


def amounts_ok_rows(col: Column) -> np.ndarray:
    """Rows of ``col`` that hold a valid amount."""
    ok = amounts_ok(col.text)
    return ok[col.codes] if len(ok) else np.zeros(len(col.codes), dtype=bool)
