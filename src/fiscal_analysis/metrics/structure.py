"""Structure of one entity-year: shares by source, kind, 功能分类 and 经济分类.

The shares are computed once for the whole panel
(:mod:`fiscal_analysis.metrics.shares`); the functions here filter one
entity-year's rows and present them exactly (:mod:`.present`).

Each function returns a pandas DataFrame with object columns holding exact
:class:`~decimal.Decimal` amounts and :class:`~fractions.Fraction` percents of
the whole (in ``attrs['total']``). A figure that is not in the data is
``None``, never NaN or 0; ``status`` says whether it was ``published``,
``derived``, ``undisclosed`` or ``missing``. Importable from
:mod:`fiscal_analysis.metrics.exact` as well.
"""

from __future__ import annotations

import weakref
from decimal import Decimal

import pandas as pd

from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.metrics.exact import share
from fiscal_analysis.metrics.present import dec, frac, rows_for
from fiscal_analysis.metrics.shares import (
    basic_shares,
    expense_shares,
    function_shares,
    income_shares,
)
from fiscal_analysis.money import format_pct, to_decimal  # noqa: F401 (doctests)
from fiscal_analysis.schema.classification import LEVEL_DIGITS
from fiscal_analysis.schema.items import (
    TABLES,
)

__all__ = [
    "basic_structure",
    "economic_structure",
    "expense_structure",
    "figure",
    "frame",
    "function_structure",
    "income_structure",
    "label_of",
    "project_structure",
    "share_records",
]

_Key = tuple[str, str, str]


def figure(
    ds: Dataset, entity_id: str, year: int, table: str, item: str, code: str = ""
) -> tuple[Decimal | None, str]:
    """An exact figure and its status (``published``/``derived``/``undisclosed``/``missing``).

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ds = load_dataset("data")
        >>> figure(ds, "lusong-xzsp", 2020, "ops_cost", "budget_initial")
        (Decimal('21.66'), 'derived')
        >>> figure(ds, "lusong-xzsp", 2019, "T03", "basic")
        (None, 'missing')
    """
    hit = _figures(ds, entity_id, year).get((table, item, code))
    if hit is None:
        return None, "missing"
    value, basis = hit
    if pd.isna(value):
        return None, "undisclosed" if basis == "undisclosed" else "missing"
    return to_decimal(int(value)), str(basis)


#: ``(value, basis)`` by (table, item, code) of recently read (dataset, entity, year)s.
_PAIRS: dict[tuple[int, str, int], tuple[weakref.ref[Dataset], dict[_Key, tuple]]] = {}
_PAIR_LIMIT = 64


def _figures(ds: Dataset, entity_id: str, year: int) -> dict[_Key, tuple]:
    """Every figure of one entity-year in one dict (first row per key, as :meth:`Dataset.record`).

    A report reads a few hundred single figures; one pass over the year's
    facts replaces a pandas row lookup per figure. The frames of a Dataset
    never change, so the dict is kept while the Dataset lives.
    """
    key = (id(ds), entity_id, year)
    hit = _PAIRS.get(key)
    if hit is not None and hit[0]() is ds:
        return hit[1]
    f = ds.facts_for(entity_id, year)
    keys = zip(f["table"].tolist(), f["item"].tolist(), f["code"].tolist(), strict=True)
    found: dict[_Key, tuple] = {}
    for k, value, basis in zip(keys, f["value"].tolist(), f["basis"].tolist(), strict=True):
        found.setdefault(k, (value, basis))
    if len(_PAIRS) >= _PAIR_LIMIT:
        _PAIRS.clear()
    _PAIRS[key] = (weakref.ref(ds), found)
    return found


def label_of(table: str, item: str) -> str:
    """Chinese label of a declared item."""
    return TABLES[table].items[item].label


def frame(rows: list[dict], columns: list[str], **attrs: object) -> pd.DataFrame:
    """An object-dtype frame (exact values kept as they are) with ``attrs``."""
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    df.attrs.update(attrs)
    return df


def income_structure(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """本年收入 by source, with exact shares of 本年收入合计 (T01 ``income_total``).

    ``财政拨款收入`` comes first (``parent`` ``None``), then its three parts
    (``parent`` ``income_fiscal``), then the other sources. When
    ``income_fiscal`` is not in the data but its three parts are, it is their
    sum (status ``derived``). ``attrs['total']`` holds the whole.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = income_structure(load_dataset("data"), "lusong-xzsp", 2020)
        >>> r = df.iloc[0]
        >>> r["label"], r["amount"], format_pct(r["share"])
        ('财政拨款收入', Decimal('335.78'), '100.0%')
    """
    rows = rows_for(ds, ("income",), income_shares_all, entity_id, year)
    cols = ["item", "label", "amount", "share", "status", "parent"]
    whole = _whole(rows, ds, entity_id, year, ("T01", "income_total"))
    return frame(share_records(rows, cols), cols, total=whole, total_label="本年收入合计")


def _whole(rows: list[dict], ds: Dataset, entity_id: str, year: int, key: tuple[str, str]):
    """The whole of a share frame: from its rows (where a derived whole is kept), else the figure."""
    return dec(rows[0]["whole"]) if rows else figure(ds, entity_id, year, *key)[0]


def share_records(rows: list[dict], cols: list[str]) -> list[dict]:
    """Panel share rows as exact records with ``amount`` (Decimal 万元) and ``share`` (Fraction %)."""
    out = []
    for r in rows:
        exact = {"amount": dec(r["amount"]), "share": frac(r["share_num"], r["share_den"])}
        out.append({c: exact[c] if c in exact else r.get(c) for c in cols})
    return out


def income_shares_all(view) -> pd.DataFrame:
    """:func:`~fiscal_analysis.metrics.shares.income_shares` without rounding (the panel frame)."""
    return income_shares(view, None)


def expense_structure(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """本年支出 by kind (基本/项目/…, T03) with exact shares of 本年支出合计.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = expense_structure(load_dataset("data"), "lusong-xzsp", 2020)
        >>> [(r.label, format_pct(r.share)) for r in df.head(2).itertuples()]
        [('基本支出', '56.9%'), ('项目支出', '43.1%')]
    """
    rows = rows_for(ds, ("expense",), lambda v: expense_shares(v, None), entity_id, year)
    cols = ["item", "label", "amount", "share", "status"]
    whole = _whole(rows, ds, entity_id, year, ("T03", "total"))
    return frame(share_records(rows, cols), cols, total=whole, total_label="本年支出合计")


def _coded(ds: Dataset, entity_id: str, year: int, table: str, item: str) -> pd.DataFrame:
    f = ds.facts_for(entity_id, year)
    return f[(f["table"] == table) & (f["item"] == item) & (f["code"] != "")].sort_values("code")


def function_structure(
    ds: Dataset,
    entity_id: str,
    year: int,
    level: str = "类",
    table: str = "T05",
    item: str = "total",
) -> pd.DataFrame:
    """Spending by 功能分类 类/款/项 with exact shares of the table's 合计.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = function_structure(load_dataset("data"), "lusong-xzsp", 2020)
        >>> [(r.full_name, str(r.amount), format_pct(r.share)) for r in df.itertuples()]
        [('一般公共服务支出（类）', '258.47', '77.0%'), ('卫生健康支出（类）', '77.31', '23.0%')]
    """
    if level not in LEVEL_DIGITS:
        raise ValueError(f"level 应为 类、款 或 项 (got {level!r})")

    def build(view):
        return function_shares(view, level, table, item, None)

    rows = rows_for(ds, ("function", level, table, item), build, entity_id, year)
    whole, _ = figure(ds, entity_id, year, table, item)
    cols = ["code", "name", "full_name", "level", "amount", "share", "status"]
    return frame(share_records(rows, cols), cols, total=whole, total_label=label_of(table, item))


def basic_structure(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """人员经费 / 公用经费 (T06 totals) as exact shares of 基本支出 (T05 ``basic``).

    When T05 基本支出 is missing, the sum of the two totals is the whole.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = basic_structure(load_dataset("data"), "lusong-xzsp", 2020)
        >>> [format_pct(p) for p in df["share"]]
        ['94.0%', '6.0%']
    """
    rows = rows_for(ds, ("basic",), lambda v: basic_shares(v, None), entity_id, year)
    cols = ["item", "label", "amount", "share", "status"]
    whole = _whole(rows, ds, entity_id, year, ("T05", "basic"))
    return frame(share_records(rows, cols), cols, total=whole, total_label="基本支出")


def economic_structure(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """T06 lines by 经济分类 with exact shares of 基本支出; undisclosed lines stay undisclosed.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = economic_structure(load_dataset("data"), "lusong-xzsp", 2020)
        >>> len(df), set(df["status"]), df["amount"].iloc[0] is None
        (17, {'undisclosed'}, True)
        >>> df.iloc[0][["name", "group"]].tolist()
        ['基本工资', '人员经费']
    """
    whole = basic_structure(ds, entity_id, year).attrs["total"]
    lines = _coded(ds, entity_id, year, "T06", "amount")
    cl = ds.classification
    rows = []
    for code, value, basis in zip(lines["code"], lines["value"], lines["basis"], strict=True):
        amount = None if pd.isna(value) else to_decimal(int(value))
        group = "人员经费" if cl.economic_group(code) == "personnel" else "公用经费"
        rows.append(dict(code=code, name=cl.name(code, "economic"), group=group,
                         level="类" if len(code) == 3 else "款", amount=amount,
                         share=share(amount, whole),
                         status="undisclosed" if amount is None else str(basis)))  # fmt: skip
    cols = ["code", "name", "group", "level", "amount", "share", "status"]
    return frame(rows, cols, total=whole, total_label="基本支出")


def project_structure(ds: Dataset, entity_id: str, year: int) -> pd.DataFrame:
    """Named projects (projects.csv) with exact shares of 项目支出 (T03 ``project``).

    ``attrs['total']`` is the T03 项目支出 and ``attrs['sum']`` the projects' sum,
    so a reader can see whether the listed projects cover it.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = project_structure(load_dataset("data"), "lusong-xzsp", 2020)
        >>> [format_pct(p) for p in df["share"]], str(df.attrs["sum"])
        (['17.9%', '49.7%', '32.3%'], '144.86')
    """
    whole, _ = figure(ds, entity_id, year, "T03", "project")
    p = ds.projects_for(entity_id, year)
    amounts = [None if pd.isna(v) else to_decimal(int(v)) for v in p["value"]]
    rows = [
        {"project": name, "amount": a, "share": share(a, whole), "status": str(b)}
        for name, a, b in zip(p["project"], amounts, p["basis"], strict=True)
    ]
    known = [a for a in amounts if a is not None]
    total = sum(known, Decimal(0)) if len(known) == len(amounts) and known else None
    cols = ["project", "amount", "share", "status"]
    return frame(rows, cols, total=whole, total_label="项目支出", sum=total)
