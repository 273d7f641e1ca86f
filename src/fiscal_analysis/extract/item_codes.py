"""Names of classification codes, for the statements: 项 entries and 类 lists.

A 项 entry of 五（三） ("1、教育支出（类）普通教育（款）小学教育（项）") is matched to
a code by its names (the built-in dictionary and the names the document's
tables print), or, failing that, by its amount among the 05表 项 rows.

Examples:
    >>> sets = name_sets({"2050299": "其他普通教育支出"})
    >>> sorted(sets["2050299"])
    ['其他普通教育支出']
"""

from __future__ import annotations

import re
from decimal import Decimal

from fiscal_analysis.extract.records import to_fen
from fiscal_analysis.extract.rules import Key, class_code
from fiscal_analysis.schema.classification import Classification

__all__ = ["class_extra", "name_sets", "resolve_item"]


def name_sets(extra: dict[str, str] | None) -> dict[str, set[str]]:
    names = {c: {n} for c, n in Classification.builtin().function.items()}
    for code, name in (extra or {}).items():
        names.setdefault(code, set()).add(name)
    return names


def resolve_item(
    m: re.Match, names: dict[str, str], known: dict[Key, int], text: str
) -> tuple[str | None, str]:
    lei = class_code(m.group("lei") + "（类）")
    kuan = next(
        (
            c
            for c, n in names.items()
            if len(c) == 5 and lei and c.startswith(lei) and m.group("kuan") in n
        ),
        None,
    )
    xiang = next(
        (
            c
            for c, n in names.items()
            if len(c) == 7 and kuan and c.startswith(kuan) and m.group("xiang") in n
        ),
        None,
    )
    if xiang:
        return xiang, "name"
    amount = re.search(r"决算(?:数)?为?(\d[\d,]*(?:\.\d+)?)万元", text[m.end() : m.end() + 200])
    if amount:
        value = to_fen(Decimal(amount.group(1).replace(",", "")), "万元")
        hits = [
            k[1]
            for k, v in known.items()
            if k[0] == "T05" and k[2] == "total" and len(k[1]) == 7 and v == value
        ]
        if lei:
            hits = [h for h in hits if h.startswith(lei)] or hits
        if len(hits) == 1:
            return hits[0], "amount"
    return None, "none"


_EXTRA: dict[int, tuple[dict, dict[str, str]]] = {}


def class_extra(names: dict) -> dict[str, str]:
    """类 name -> code of ``names`` (computed once per names dict)."""
    hit = _EXTRA.get(id(names))
    if hit is None or hit[0] is not names:
        _EXTRA.clear()
        hit = _EXTRA[id(names)] = (
            names,
            {n: c for c, ns in names.items() if len(c) == 3 for n in ns},
        )
    return hit[1]
