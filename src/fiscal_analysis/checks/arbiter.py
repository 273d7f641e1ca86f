"""When the 情况说明 and a table disagree, which side is wrong: the table's own arithmetic.

A table figure that closes its identities (合计 = 基本支出 + 项目支出, 类 = Σ款,
收入总计 = 支出总计, 05表基本支出 = 06表人员经费 + 公用经费 …) is taken as
right, and the text is to be corrected. A table figure that breaks an
identity the text's figure would close points at the table. When the
arithmetic settles neither, the finding says so instead of guessing.

Values are in 分 (:mod:`fiscal_analysis.extract.units`); the tolerance is
0.01万元 per addend, as in the table checks.

Examples:
    >>> v = {("T05", "", "total"): 300, ("T05", "", "basic"): 100, ("T05", "", "project"): 200}
    >>> judge(v, ("T05", "", "total"), 310, step=1)[0]
    'text'
    >>> v[("T05", "", "total")] = 310
    >>> judge(v, ("T05", "", "total"), 300, step=1)[0]
    'table'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from fiscal_analysis.schema.items import TABLES

__all__ = ["identities", "judge"]

Key = tuple[str, str, str]
Identity = tuple[Key, tuple[Key, ...]]

_ROWS = {
    "T02": (
        "total",
        ("fiscal", "superior_subsidy", "business", "operating", "affiliated", "other"),
    ),
    "T03": ("total", ("basic", "project", "upper_remit", "operating", "affiliated_subsidy")),
    "T05": ("total", ("basic", "project")),
    "T08": ("expense", ("basic", "project")),
    "T09": ("expense", ("basic", "project")),
}
_INCOME = (
    "income_general_public", "income_gov_fund", "income_soe_capital", "income_superior_subsidy",
    "income_business", "income_operating", "income_affiliated", "income_other",
)  # fmt: skip


_SANGONG = ("abroad", "vehicle", "reception")


def _t(table: str, *items: str) -> tuple[Key, ...]:
    return tuple((table, "", i) for i in items)


_FIXED: tuple[Identity, ...] = (
    (("T01", "", "income_total"), _t("T01", *_INCOME)),
    (
        ("T01", "", "income_grand_total"),
        _t("T01", "income_total", "nonfiscal_balance_used", "carryover_begin"),
    ),
    (
        ("T01", "", "expense_grand_total"),
        _t("T01", "expense_total", "balance_distribution", "carryover_end"),
    ),
    (("T01", "", "income_grand_total"), _t("T01", "expense_grand_total")),
    (("T04", "", "income_grand_total"), _t("T04", "expense_grand_total")),
    (("T04", "", "income_grand_total"), _t("T04", "income_total", "carryover_begin")),
    (("T04", "", "expense_grand_total"), _t("T04", "total", "carryover_end")),
    (("T05", "", "basic"), _t("T06", "personnel_total", "public_total")),
    (("T05", "", "total"), _t("T04", "general_public")),
    (("T03", "", "total"), _t("T01", "expense_total")),
    (("T02", "", "total"), _t("T01", "income_total")),
    *(
        (("T07", "", f"total_{m}"), _t("T07", *(f"{p}_{m}" for p in _SANGONG)))
        for m in ("budget", "actual")
    ),
)


def identities(values: Mapping[Key, int], key: Key) -> Iterator[Identity]:
    """Every identity that involves ``key`` and whose other figures are all known."""
    table, code, item = key
    found: list[Identity] = [i for i in _FIXED if key == i[0] or key in i[1]]
    if table in _ROWS:
        whole, parts = _ROWS[table]
        if item == whole or item in parts:
            found.append(((table, code, whole), tuple((table, code, p) for p in parts)))
        codes = {c for (t, c, i) in values if t == table and i == item}
        kids = tuple(
            (table, c, item) for c in codes if c and len(c) == len(code) + 2 and c.startswith(code)
        )
        if kids:
            found.append((key, kids))
        parent = code[:-2] if len(code) > 3 else ""
        if code and parent in codes:
            sibs = tuple(
                (table, c, item) for c in codes if len(c) == len(code) and c.startswith(parent)
            )
            found.append(((table, parent, item), sibs))
    for whole, parts in found:
        others = [k for k in (whole, *parts) if k != key]
        if all(k in values for k in others):
            yield whole, parts


def _holds(values: Mapping[Key, int], ident: Identity, step: int) -> bool:
    whole, parts = ident
    return abs(values[whole] - sum(values[p] for p in parts)) <= step * len(parts)


def _name(key: Key) -> str:
    table, code, item = key
    spec = TABLES[table]
    label = spec.items[item].label if item in spec.items else item
    return f"{table[1:]}表{'[' + code + ']' if code else ''}{label}"


def _show(ident: Identity) -> str:
    whole, parts = ident
    return f"{_name(whole)} = {' + '.join(_name(p) for p in parts)}"


def judge(
    values: Mapping[Key, int], key: Key, text_value: int, step: int = 10_000
) -> tuple[str, str]:
    """``("text", why)``, ``("table", why)`` or ``("unknown", why)``: which side to correct."""
    table_ok, table_bad, text_ok = [], [], []
    for ident in identities(values, key):
        if _holds(values, ident, step):
            table_ok.append(ident)
        else:
            table_bad.append(ident)
        if _holds({**values, key: text_value}, ident, step):
            text_ok.append(ident)
    if table_ok and not (table_bad and text_ok):
        return "text", f"表内勾稽成立（{_show(table_ok[0])}），应按表更正说明"
    if table_bad and text_ok:
        return (
            "table",
            f"表格数字不满足{_show(table_bad[0])}，而说明中的数字满足，疑为表格有误，请核对表格",
        )
    if table_bad:
        return "unknown", f"表格数字本身也不满足{_show(table_bad[0])}，请核对原始账表后更正"
    return "unknown", "表内没有可用于判断的勾稽关系，请核对原始账表确定哪一方有误"
