"""Completion, change and other metrics of one entity-year over a Dataset.

These are the functions a report notebook calls (together with
:mod:`fiscal_analysis.structure`). Each returns a pandas DataFrame (object
columns holding exact :class:`~decimal.Decimal` amounts and
:class:`~fractions.Fraction` percents) or a metric object from
:mod:`fiscal_analysis.metrics`. A figure that is not in the data is ``None``,
never NaN or 0. All of them can be imported from :mod:`fiscal_analysis.metrics`.
"""

from __future__ import annotations

import pandas as pd

from .classification import LEVEL_DIGITS
from .dataset import Dataset
from .decompose import Decomposition, decompose
from .items import PROCUREMENT_PARTS
from .metrics import Change, Completion, change, completion, share
from .money import format_pct  # noqa: F401 (doctests)
from .structure import figure, frame, function_structure, label_of, share_rows

__all__ = [
    "budget_completion",
    "change_drivers",
    "ops_cost",
    "procurement",
    "three_public",
    "total_completion",
    "yoy_for",
]

_THREE_PUBLIC = ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")


def total_completion(ds: Dataset, entity_id: str, year: int, basis: str = "initial") -> Completion:
    """T05 合计 决算 against 年初预算 (``basis="initial"``) or 调整预算 (``"adjusted"``).

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> c = total_completion(load_dataset("data"), "lusong-xzsp", 2020)
        >>> format_pct(c.rate), c.direction
        ('167.6%', '大于')
    """
    item, word = {
        "initial": ("budget_initial", "年初预算"),
        "adjusted": ("budget_adjusted", "调整预算"),
    }[basis]
    actual, _ = figure(ds, entity_id, year, "T05", "total")
    budget, _ = figure(ds, entity_id, year, "T05", item)
    return completion(actual, budget, word)


def budget_completion(ds: Dataset, entity_id: str, year: int, level: str = "项") -> pd.DataFrame:
    """Per-code 决算 against 年初预算 (and 调整预算 where present), T05.

    Columns: ``code``, ``name``, ``full_name``, ``budget``, ``actual``,
    ``delta``, ``direction`` (大于/小于/持平), ``rate`` (exact percent or ``None``),
    ``reason`` (why there is no rate), ``budget_adjusted``, ``rate_adjusted``.

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> df = budget_completion(load_dataset("data"), "lusong-xzsp", 2020)
        >>> r = df.set_index("code").loc["2013801"]
        >>> str(r["budget"]), str(r["actual"]), format_pct(r["rate"]), r["direction"]
        ('200.35', '10.00', '5.0%', '小于')
        >>> df.set_index("code").loc["2010301", ["rate", "reason"]].tolist()
        [None, '年初预算为0，无法计算完成率']
    """
    n = LEVEL_DIGITS[level]
    f = ds.facts_for(entity_id, year)
    codes = sorted({c for c in f.loc[f["table"] == "T05", "code"] if len(c) == n})
    cl = ds.classification
    rows = []
    for code in codes:
        actual, _ = figure(ds, entity_id, year, "T05", "total", code)
        budget, _ = figure(ds, entity_id, year, "T05", "budget_initial", code)
        adjusted, _ = figure(ds, entity_id, year, "T05", "budget_adjusted", code)
        c = completion(actual, budget)
        rate_adj = None if adjusted is None else completion(actual, adjusted, "调整预算").rate
        rows.append(dict(code=code, name=cl.name(code), full_name=cl.full_name(code),
                         budget=budget, actual=actual, delta=c.delta, direction=c.direction,
                         rate=c.rate, reason=c.reason, budget_adjusted=adjusted,
                         rate_adjusted=rate_adj))  # fmt: skip
    cols = ["code", "name", "full_name", "budget", "actual", "delta", "direction", "rate"]
    return frame(rows, [*cols, "reason", "budget_adjusted", "rate_adjusted"])


def yoy_for(
    ds: Dataset, entity_id: str, year: int, table: str, item: str, code: str = ""
) -> Change:
    """Change of one figure against the same entity's previous year.

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> c = yoy_for(load_dataset("data"), "lusong-xzsp", 2020, "T01", "income_grand_total")
        >>> c.delta, format_pct(c.pct)
        (Decimal('-327.17'), '-49.4%')
    """
    current, _ = figure(ds, entity_id, year, table, item, code)
    prior, _ = figure(ds, entity_id, year - 1, table, item, code)
    return change(current, prior)


def _change_row(label: str, c: Change) -> dict:
    return dict(comparison=label, base=c.prior, actual=c.current, delta=c.delta, pct=c.pct,
                direction=c.direction, note=c.note)  # fmt: skip


def ops_cost(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """机关运行经费 against 年初预算 and against 上年决算 (one row each).

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> df = ops_cost(load_dataset("data"), "lusong-xzsp", 2020)
        >>> [(r.comparison, str(r.delta), format_pct(r.pct)) for r in df.itertuples()]
        [('年初预算', '-10.18', '-47.0%'), ('上年决算', '-32.96', '-74.2%')]
    """
    actual, _ = figure(ds, entity_id, year, "ops_cost", "actual")
    budget, _ = figure(ds, entity_id, year, "ops_cost", "budget_initial")
    prior, _ = figure(ds, entity_id, year - 1, "ops_cost", "actual")
    rows = [
        _change_row("年初预算", change(actual, budget, base_label="年初预算")),
        _change_row("上年决算", change(actual, prior)),
    ]
    return frame(rows, ["comparison", "base", "actual", "delta", "pct", "direction", "note"])


def procurement(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """政府采购: goods/works/services and 中小企业/小微企业 amounts, shares of the total.

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> df = procurement(load_dataset("data"), "lusong-xzsp", 2020).set_index("item")
        >>> str(df.loc["goods", "amount"]), format_pct(df.loc["sme", "pct"])
        ('27.47', '100.0%')
    """
    whole, _ = figure(ds, entity_id, year, "procurement", "total")
    rows = share_rows(ds, entity_id, year, "procurement", PROCUREMENT_PARTS, whole)
    cols = ["item", "label", "amount", "pct", "status"]
    return frame(rows, cols, total=whole, total_label=label_of("procurement", "total"))


def three_public(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """“三公”经费 (T07): budget, actual, completion, change on last year, share.

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> df = three_public(load_dataset("data"), "lusong-xzsp", 2020).set_index("item")
        >>> df.loc["abroad", ["label", "actual", "rate", "direction"]].tolist()
        ['因公出国（境）费', Decimal('0.00'), None, '持平']
    """
    total, _ = figure(ds, entity_id, year, "T07", "total_actual")
    rows = []
    for line in _THREE_PUBLIC:
        budget, _ = figure(ds, entity_id, year, "T07", f"{line}_budget")
        actual, status = figure(ds, entity_id, year, "T07", f"{line}_actual")
        prior, _ = figure(ds, entity_id, year - 1, "T07", f"{line}_actual")
        comp, yoy = completion(actual, budget, "预算"), change(actual, prior)
        rows.append(dict(item=line, label=label_of("T07", f"{line}_actual").removesuffix("决算数"),
                         budget=budget, actual=actual, rate=comp.rate, rate_reason=comp.reason,
                         prior=prior, delta=yoy.delta, yoy_pct=yoy.pct, direction=yoy.direction,
                         yoy_note=yoy.note, share=share(actual, total), status=status))  # fmt: skip
    cols = ["item", "label", "budget", "actual", "rate", "rate_reason", "prior", "delta"]
    return frame(rows, [*cols, "yoy_pct", "direction", "yoy_note", "share", "status"])


def change_drivers(
    ds: Dataset,
    entity_id: str,
    year: int,
    table: str = "T05",
    item: str = "total",
    level: str = "类",
) -> Decomposition | None:
    """Contributions of each 类 (款/项) to the change of a table on last year.

    Returns ``None`` when either year has no lines at that level, or a line is
    undisclosed (no exact decomposition is possible then).

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> ds = load_dataset("data")
        >>> change_drivers(ds, "lusong-xzsp", 2020) is None  # 2019 has no 类 lines
        True
    """
    now = function_structure(ds, entity_id, year, level, table, item)
    before = function_structure(ds, entity_id, year - 1, level, table, item)
    if now.empty or before.empty:
        return None
    if any(a is None for a in [*now["amount"], *before["amount"]]):
        return None
    return decompose(dict(zip(before["code"], before["amount"], strict=True)),
                     dict(zip(now["code"], now["amount"], strict=True)))  # fmt: skip
