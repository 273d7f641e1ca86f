"""政府收支分类科目: 功能分类 (3/5/7 digits) and 经济分类 (3/5 digits) codes.

The built-in dictionaries live in ``schema/codes/*.csv`` (from the domain
reference §2); a dataset may add codes in its own ``codes.csv``.

Examples:
    >>> c = Classification.builtin()
    >>> c.level("2010301")
    '项'
    >>> c.parent("2010301")
    '20103'
    >>> c.full_name("2013801")
    '一般公共服务支出（类）市场监督管理事务（款）行政运行（项）'
    >>> c.economic_group("30201")
    'public'
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = ["FUNCTION_LEVELS", "LEVEL_DIGITS", "Classification", "normalize_code"]

FUNCTION_LEVELS = {3: "类", 5: "款", 7: "项"}
ECONOMIC_LEVELS = {3: "类", 5: "款"}
#: Digits of a 功能分类 code at each level.
LEVEL_DIGITS = {"类": 3, "款": 5, "项": 7}
_SEP = re.compile(r"[\s|｜/\-]+")


def normalize_code(text: str) -> str:
    """Join a code printed as ``201 | 06 | 01`` or ``201 06 01`` into digits.

    Examples:
        >>> normalize_code("201 | 06 | 01")
        '2010601'
        >>> normalize_code(" 30101 ")
        '30101'
    """
    return _SEP.sub("", text.strip())


def _read(name: str) -> list[dict[str, str]]:
    with (
        resources.files("fiscal_analysis.schema")
        .joinpath("codes")
        .joinpath(name)
        .open(encoding="utf-8") as f
    ):
        return list(csv.DictReader(f))


@cache
def _builtin() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    func = {r["code"]: r["name"] for r in _read("function_codes.csv")}
    econ_rows = _read("economic_codes.csv")
    econ = {r["code"]: r["name"] for r in econ_rows}
    groups = {r["code"]: r["group"] for r in econ_rows}
    return func, econ, groups


@dataclass
class Classification:
    """Code dictionaries for one dataset: built-in plus the dataset's additions."""

    function: dict[str, str] = field(default_factory=dict)
    economic: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    @classmethod
    def builtin(cls) -> Classification:
        """The dictionaries shipped with the package."""
        func, econ, groups = _builtin()
        return cls(dict(func), dict(econ), dict(groups))

    def with_extra(self, rows: list[tuple[str, str, str]]) -> Classification:
        """Return a copy with extra ``(scheme, code, name)`` rows added."""
        new = Classification(dict(self.function), dict(self.economic), dict(self.groups))
        for scheme, code, name in rows:
            if scheme == "function":
                new.function[code] = name
            else:
                new.economic[code] = name
                new.groups.setdefault(code, "personnel" if code[:3] in {"301", "303"} else "public")
        return new

    def names(self, scheme: str) -> dict[str, str]:
        return self.function if scheme == "function" else self.economic

    def check(self, code: str, scheme: str) -> str | None:
        """Say what is wrong with ``code``, or ``None`` if it is valid and known.

        Examples:
            >>> Classification.builtin().check("20103011", "function")
            '功能分类科目编码应为3、5或7位数字 (function codes have 3, 5 or 7 digits)'
            >>> Classification.builtin().check("2019999", "function")
            '未知的功能分类科目编码，请在 codes.csv 中补充 (unknown code; add it to codes.csv)'
        """
        levels = FUNCTION_LEVELS if scheme == "function" else ECONOMIC_LEVELS
        label = "功能分类" if scheme == "function" else "经济分类"
        if not code.isdigit() or len(code) not in levels:
            digits = "3、5或7" if scheme == "function" else "3或5"
            gloss = "3, 5 or 7" if scheme == "function" else "3 or 5"
            return f"{label}科目编码应为{digits}位数字 ({scheme} codes have {gloss} digits)"
        if code not in self.names(scheme):
            return (
                f"未知的{label}科目编码，请在 codes.csv 中补充 (unknown code; add it to codes.csv)"
            )
        return None

    def level(self, code: str) -> str:
        """类, 款 or 项 from the code's length."""
        return FUNCTION_LEVELS[len(code)]

    @staticmethod
    def parent(code: str) -> str | None:
        """The code one level up, or ``None`` for a 类."""
        return {7: code[:5], 5: code[:3]}.get(len(code))

    def name(self, code: str, scheme: str = "function") -> str:
        """The code's own name, e.g. ``行政运行``."""
        return self.names(scheme).get(code, code)

    def full_name(self, code: str) -> str:
        """The 类/款/项 path as the narrative writes it."""
        parts = []
        for n, level in ((3, "类"), (5, "款"), (7, "项")):
            if len(code) >= n:
                parts.append(f"{self.name(code[:n])}（{level}）")
        return "".join(parts)

    def economic_group(self, code: str) -> str:
        """``personnel`` (人员经费: 301, 303) or ``public`` (公用经费)."""
        return self.groups.get(code) or ("personnel" if code[:3] in {"301", "303"} else "public")
