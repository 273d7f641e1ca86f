"""Structure of one entity-year: shares by source, kind, 功能分类 and 经济分类.

The shares are computed once for the whole panel
(:mod:`fiscal_analysis.metrics.shares`); the functions here filter one
entity-year's rows and present them exactly (:mod:`.present`).

Each function returns a pandas DataFrame with object columns holding exact
:class:`~decimal.Decimal` amounts and :class:`~fractions.Fraction` percents of
the whole (in ``attrs['total']``). A figure that is not in the data is
``None``, never NaN or 0; ``status`` says whether it was ``published``,
``derived``, ``undisclosed`` or ``missing``. Each takes an
:class:`~fiscal_analysis.dataset.model.EntityYear`; all are importable from
:mod:`fiscal_analysis.metrics`.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from fiscal_analysis.dataset.model import EntityYear
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
from fiscal_analysis.schema.items import TABLES

__all__ = [
    "basic_structure",
    "economic_structure",
    "expense_structure",
    "frame",
    "function_structure",
    "income_structure",
    "label_of",
    "project_structure",
    "share_records",
]


def label_of(table: str, item: str) -> str:
    """Chinese label of a declared item."""
    return TABLES[table].items[item].label


def frame(rows: list[dict], columns: list[str], **attrs: object) -> pd.DataFrame:
    """An object-dtype frame (exact values kept as they are) with ``attrs``."""
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    df.attrs.update(attrs)
    return df


def income_structure(ey: EntityYear) -> pd.DataFrame:
    """本年收入 by source, with exact shares of 本年收入合计 (T01 ``income_total``).

    ``财政拨款收入`` comes first (``parent`` ``None``), then its three parts
    (``parent`` ``income_fiscal``), then the other sources. When
    ``income_fiscal`` is not in the data but its three parts are, it is their
    sum (status ``derived``). ``attrs['total']`` holds the whole.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = income_structure(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> r = df.iloc[0]
        >>> r["label"], r["amount"], format_pct(r["share"])
        ('财政拨款收入', Decimal('335.78'), '100.0%')
    """
    rows = rows_for(ey, ("income",), income_shares_all)
    cols = ["item", "label", "amount", "share", "status", "parent"]
    whole = _whole(rows, ey, ("T01", "income_total"))
    return frame(share_records(rows, cols), cols, total=whole, total_label="本年收入合计")


def _whole(rows: list[dict], ey: EntityYear, key: tuple[str, str]):
    """The whole of a share frame: from its rows (they keep a derived whole), else the figure."""
    return dec(rows[0]["whole"]) if rows else ey.figure(*key)[0]


def share_records(rows: list[dict], cols: list[str]) -> list[dict]:
    """Panel share rows as exact records: ``amount`` (Decimal 万元), ``share`` (Fraction %)."""
    out = []
    for r in rows:
        exact = {"amount": dec(r["amount"]), "share": frac(r["share_num"], r["share_den"])}
        out.append({c: exact[c] if c in exact else r.get(c) for c in cols})
    return out


def income_shares_all(view) -> pd.DataFrame:
    """:func:`~fiscal_analysis.metrics.shares.income_shares` without rounding (the panel frame)."""
    return income_shares(view, None)


def expense_structure(ey: EntityYear) -> pd.DataFrame:
    """本年支出 by kind (基本/项目/…, T03) with exact shares of 本年支出合计.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = expense_structure(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> [(r.label, format_pct(r.share)) for r in df.head(2).itertuples()]
        [('基本支出', '56.9%'), ('项目支出', '43.1%')]
    """
    rows = rows_for(ey, ("expense",), lambda v: expense_shares(v, None))
    cols = ["item", "label", "amount", "share", "status"]
    whole = _whole(rows, ey, ("T03", "total"))
    return frame(share_records(rows, cols), cols, total=whole, total_label="本年支出合计")


def _coded(ey: EntityYear, table: str, item: str) -> pd.DataFrame:
    f = ey.facts
    return f[(f["table"] == table) & (f["item"] == item) & (f["code"] != "")].sort_values("code")


def function_structure(
    ey: EntityYear,
    level: str = "类",
    table: str = "T05",
    item: str = "total",
) -> pd.DataFrame:
    """Spending by 功能分类 类/款/项 with exact shares of the table's 合计.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = function_structure(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> [(r.full_name, str(r.amount), format_pct(r.share)) for r in df.itertuples()]
        [('一般公共服务支出（类）', '258.47', '77.0%'), ('卫生健康支出（类）', '77.31', '23.0%')]
    """
    if level not in LEVEL_DIGITS:
        raise ValueError(f"level 应为 类、款 或 项 (got {level!r})")

    def build(view):
        return function_shares(view, level, table, item, None)

    rows = rows_for(ey, ("function", level, table, item), build)
    whole, _ = ey.figure(table, item)
    cols = ["code", "name", "full_name", "level", "amount", "share", "status"]
    return frame(share_records(rows, cols), cols, total=whole, total_label=label_of(table, item))


def basic_structure(ey: EntityYear) -> pd.DataFrame:
    """人员经费 / 公用经费 (T06 totals) as exact shares of 基本支出 (T05 ``basic``).

    When T05 基本支出 is missing, the sum of the two totals is the whole.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = basic_structure(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> [format_pct(p) for p in df["share"]]
        ['94.0%', '6.0%']
    """
    rows = rows_for(ey, ("basic",), lambda v: basic_shares(v, None))
    cols = ["item", "label", "amount", "share", "status"]
    whole = _whole(rows, ey, ("T05", "basic"))
    return frame(share_records(rows, cols), cols, total=whole, total_label="基本支出")


def economic_structure(ey: EntityYear) -> pd.DataFrame:
    """T06 lines by 经济分类 with exact shares of 基本支出; undisclosed lines stay undisclosed.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = economic_structure(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> len(df), set(df["status"]), df["amount"].iloc[0] is None
        (17, {'undisclosed'}, True)
        >>> df.iloc[0][["name", "group"]].tolist()
        ['基本工资', '人员经费']
    """
    whole = basic_structure(ey).attrs["total"]
    lines = _coded(ey, "T06", "amount")
    cl = ey.ds.classification
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


def project_structure(ey: EntityYear) -> pd.DataFrame:
    """Named projects (projects.csv) with exact shares of 项目支出 (T03 ``project``).

    ``attrs['total']`` is the T03 项目支出 and ``attrs['sum']`` the projects' sum,
    so a reader can see whether the listed projects cover it.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> df = project_structure(load_dataset("data").entity_year("lusong-xzsp", 2020))
        >>> [format_pct(p) for p in df["share"]], str(df.attrs["sum"])
        (['17.9%', '49.7%', '32.3%'], '144.86')
    """
    whole, _ = ey.figure("T03", "project")
    p = ey.projects
    amounts = [None if pd.isna(v) else to_decimal(int(v)) for v in p["value"]]
    rows = [
        {"project": name, "amount": a, "share": share(a, whole), "status": str(b)}
        for name, a, b in zip(p["project"], amounts, p["basis"], strict=True)
    ]
    known = [a for a in amounts if a is not None]
    total = sum(known, Decimal(0)) if len(known) == len(amounts) and known else None
    cols = ["project", "amount", "share", "status"]
    return frame(rows, cols, total=whole, total_label="项目支出", sum=total)
