"""Completion, change and other metrics of one entity-year over a Dataset.

Each is a row filter of the whole-panel metric (:mod:`.completion`,
:mod:`.panel`, :mod:`.shares`), computed once per dataset and presented
exactly (:mod:`.present`).

These are the functions a report notebook calls (together with
:mod:`fiscal_analysis.metrics.structure`). Each returns a pandas DataFrame (object
columns holding exact :class:`~decimal.Decimal` amounts and
:class:`~fractions.Fraction` percents) or a metric object from
:mod:`fiscal_analysis.metrics.exact`. A figure that is not in the data is ``None``,
never NaN or 0. Each takes an EntityYear; all are importable from
:mod:`fiscal_analysis.metrics`.
"""

from __future__ import annotations

import pandas as pd

from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.metrics.completion import (
    BASES,
    completion_panel,
    ops_cost_panel,
    three_public_panel,
)
from fiscal_analysis.metrics.decompose import Decomposition, decompose
from fiscal_analysis.metrics.exact import Change, Completion, change, completion
from fiscal_analysis.metrics.panel import totals_panel, yoy_change
from fiscal_analysis.metrics.present import dec, frac, rows_for
from fiscal_analysis.metrics.shares import procurement_shares
from fiscal_analysis.metrics.structure import (
    frame,
    function_structure,
    label_of,
    share_records,
)
from fiscal_analysis.money import format_pct  # noqa: F401 (doctests)
from fiscal_analysis.schema.classification import LEVEL_DIGITS

__all__ = [
    "budget_completion",
    "change_drivers",
    "ops_cost",
    "procurement",
    "three_public",
    "total_completion",
    "yoy_for",
]


def total_completion(ey: EntityYear, basis: str = "initial") -> Completion:
    """T05 合计 决算 against 年初预算 (``basis="initial"``) or 调整预算 (``"adjusted"``).

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> c = total_completion(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> format_pct(c.rate), c.direction
        ('167.6%', '大于')
    """
    item = {"initial": "budget_initial", "adjusted": "budget_adjusted"}[basis]
    rows = rows_for(ey, ("completion", "合计", item), _completion(item, "合计"))
    if not rows:
        actual, _ = ey.figure("T05", "total")
        budget, _ = ey.figure("T05", item)
        return completion(actual, budget, BASES[item])
    return _completion_of(rows[0], BASES[item])


def _completion(item: str, level: str):
    """Builds the whole-panel completion frame of ``level`` against ``item``."""
    return lambda view: completion_panel(view, level, item, decimals=None)


def _completion_of(r: dict, basis: str) -> Completion:
    """One completion-panel row as an exact :class:`Completion`."""
    return Completion(dec(r["actual"]), dec(r["budget"]), frac(r["rate_num"], r["rate_den"]),
                      dec(r["delta"]), r["direction"], r["reason"], basis)  # fmt: skip


def budget_completion(ey: EntityYear, level: str = "项") -> pd.DataFrame:
    """Per-code 决算 against 年初预算 (and 调整预算 where present), T05.

    Columns: ``code``, ``name``, ``full_name``, ``budget``, ``actual``,
    ``delta``, ``direction`` (大于/小于/持平), ``rate`` (exact percent or ``None``),
    ``reason`` (why there is no rate), ``budget_adjusted``, ``rate_adjusted``.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = budget_completion(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> r = df.set_index("code").loc["2013801"]
        >>> str(r["budget"]), str(r["actual"]), format_pct(r["rate"]), r["direction"]
        ('200.35', '10.00', '5.0%', '小于')
        >>> df.set_index("code").loc["2010301", ["rate", "reason"]].tolist()
        [None, '年初预算为0，无法计算完成率']
    """
    if level not in LEVEL_DIGITS:
        raise ValueError(f"level 应为 类、款 或 项 (got {level!r})")
    initial = rows_for(ey, ("completion", level, "budget_initial"),
                       _completion("budget_initial", level))  # fmt: skip
    adjusted = rows_for(ey, ("completion", level, "budget_adjusted"),
                        _completion("budget_adjusted", level))  # fmt: skip
    adj = {r["code"]: r for r in adjusted}
    rows = []
    for r in initial:
        a = adj[r["code"]]
        budget_adjusted = dec(a["budget"])
        rate_adjusted = None if budget_adjusted is None else frac(a["rate_num"], a["rate_den"])
        rows.append(dict(code=r["code"], name=r["name"], full_name=r["full_name"],
                         budget=dec(r["budget"]), actual=dec(r["actual"]), delta=dec(r["delta"]),
                         direction=r["direction"], rate=frac(r["rate_num"], r["rate_den"]),
                         reason=r["reason"], budget_adjusted=budget_adjusted,
                         rate_adjusted=rate_adjusted))  # fmt: skip
    cols = ["code", "name", "full_name", "budget", "actual", "delta", "direction", "rate"]
    return frame(rows, [*cols, "reason", "budget_adjusted", "rate_adjusted"])


def yoy_for(ey: EntityYear, table: str, item: str, code: str = "") -> Change:
    """Change of one figure against the same entity's previous year.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ey = load_dataset("data").entity_year("lusong-xzsp", 2020)
        >>> c = yoy_for(ey, "T01", "income_grand_total")
        >>> c.delta, format_pct(c.pct)
        (Decimal('-327.17'), '-49.4%')
    """

    def build(view):
        return yoy_change(totals_panel(view, {item: (table, item, code)}), None)

    rows = rows_for(ey, ("yoy", table, item, code), build)
    if not rows:  # no facts at all that year
        return change(None, ey.previous.figure(table, item, code)[0])
    return _change_of(rows[0])


def _change_of(r: dict, base: str = "prior", current: str = "current") -> Change:
    """One change-panel row as an exact :class:`Change`."""
    return Change(dec(r[current]), dec(r[base]), dec(r["delta"]),
                  frac(r["change_num"], r["change_den"]), r["direction"], r["note"])  # fmt: skip


def ops_cost(ey: EntityYear) -> pd.DataFrame:
    """机关运行经费 against 年初预算 and against 上年决算 (one row each).

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = ops_cost(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> [(r.comparison, str(r.delta), format_pct(r.change)) for r in df.itertuples()]
        [('年初预算', '-10.18', '-47.0%'), ('上年决算', '-32.96', '-74.2%')]
    """
    rows = rows_for(ey, ("ops_cost",), lambda v: ops_cost_panel(v, None))
    out = []
    for r in rows:
        c = _change_of(r, base="base", current="actual")
        out.append(dict(comparison=r["comparison"], base=c.prior, actual=c.current,
                        delta=c.delta, change=c.pct, direction=c.direction,
                        note=c.note))  # fmt: skip
    return frame(out, ["comparison", "base", "actual", "delta", "change", "direction", "note"])


def procurement(ey: EntityYear) -> pd.DataFrame:
    """政府采购: goods/works/services and 中小企业/小微企业 amounts, shares of the total.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ey = load_dataset("data").entity_year("lusong-xzsp", 2020)
        >>> df = procurement(ey).set_index("item")
        >>> str(df.loc["goods", "amount"]), format_pct(df.loc["sme", "share"])
        ('27.47', '100.0%')
    """
    rows = rows_for(ey, ("procurement",), lambda v: procurement_shares(v, None))
    whole, _ = ey.figure("procurement", "total")
    cols = ["item", "label", "amount", "share", "status"]
    total_label = label_of("procurement", "total")
    return frame(share_records(rows, cols), cols, total=whole, total_label=total_label)


def three_public(ey: EntityYear) -> pd.DataFrame:
    """“三公”经费 (T07): budget, actual, completion, change on last year, share.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ey = load_dataset("data").entity_year("lusong-xzsp", 2020)
        >>> df = three_public(ey).set_index("item")
        >>> df.loc["abroad", ["label", "actual", "rate", "direction"]].tolist()
        ['因公出国（境）费', Decimal('0.00'), None, '持平']
    """
    rows = rows_for(ey, ("three_public",), lambda v: three_public_panel(v, None))
    out = []
    for r in rows:
        out.append(dict(item=r["item"], label=r["label"], budget=dec(r["budget"]),
                        actual=dec(r["actual"]), rate=frac(r["rate_num"], r["rate_den"]),
                        reason=r["reason"], prior=dec(r["prior"]), delta=dec(r["delta"]),
                        change=frac(r["change_num"], r["change_den"]), direction=r["direction"],
                        note=r["note"], share=frac(r["share_num"], r["share_den"]),
                        status=r["status"]))  # fmt: skip
    cols = ["item", "label", "budget", "actual", "rate", "reason", "prior", "delta"]
    return frame(out, [*cols, "change", "direction", "note", "share", "status"])


def change_drivers(
    ey: EntityYear,
    table: str = "T05",
    item: str = "total",
    level: str = "类",
) -> Decomposition | None:
    """Contributions of each 类 (款/项) to the change of a table on last year.

    Returns ``None`` when either year has no lines at that level, or a line is
    undisclosed (no exact decomposition is possible then).

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ds = load_dataset("data")
        >>> change_drivers(ds.entity_year("lusong-xzsp", 2020)) is None  # 2019 has no 类 lines
        True
    """
    now = function_structure(ey, level, table, item)
    before = function_structure(ey.previous, level, table, item)
    if now.empty or before.empty:
        return None
    if any(a is None for a in [*now["amount"], *before["amount"]]):
        return None
    return decompose(dict(zip(before["code"], before["amount"], strict=True)),
                     dict(zip(now["code"], now["amount"], strict=True)))  # fmt: skip
