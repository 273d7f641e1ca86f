"""PEFA-style budget reliability: aggregate outturn (PI-1) and composition (PI-2).

* **PI-1 aggregate outturn** = ΣA / ΣB × 100, actual over original budget.
  Bands (boundaries inclusive): A 95–105 %, B 90–110 %, C 85–115 %, else D.
* **PI-2 composition variance**: with ``k = ΣA / ΣB`` (the budget scaled to the
  actual total), variance = Σ|A − k·B| / ΣA × 100. Bands: A < 5 %, B < 10 %,
  C < 15 %, else D.

Arithmetic is exact (:class:`~fractions.Fraction`); a band is decided on the
exact value, never on a rounded one. Over several years PEFA scores a band when
it is reached in at least two of the last three years (:func:`pi_score`).

Here the lines are the 05表 功能分类 codes (项 by default) with both a
``budget_initial`` and a ``total``. For a dataset, :func:`outturn_panel`
computes both for every entity × year at once in integers:
PI-2 = Σ|A·ΣB − ΣA·B| / (ΣA·ΣB) × 100, band edges compared as
``num·100 ≤ 105·den``; :func:`outturn_table` presents its rows exactly.

Examples:
    >>> o = outturn([90, 60, 60], [100, 50, 50])
    >>> format_pct(o.aggregate), o.aggregate_band
    ('105.0%', 'A')
    >>> format_pct(o.composition, 2), o.composition_band
    ('14.29%', 'C')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from fiscal_analysis.metrics.completion import completion_panel
from fiscal_analysis.metrics.present import dec
from fiscal_analysis.metrics.rates import ratio_pct_panel, units_to_decimal
from fiscal_analysis.metrics.units import decimals_of, to_fen, to_wan
from fiscal_analysis.metrics.view import Source, view_of
from fiscal_analysis.money import CENT, Exact, format_pct, ratio_pct, to_decimal  # noqa: F401

__all__ = [
    "AGGREGATE_BANDS",
    "COMPOSITION_BANDS",
    "Outturn",
    "aggregate_band",
    "aggregate_outturn",
    "composition_band",
    "composition_variance",
    "outturn",
    "outturn_panel",
    "outturn_panel_from_lines",
    "outturn_table",
    "pi_score",
]

AGGREGATE_BANDS = (("A", 95, 105), ("B", 90, 110), ("C", 85, 115))
COMPOSITION_BANDS = (("A", 5), ("B", 10), ("C", 15))


def _check(
    actual: Sequence[Exact], budget: Sequence[Exact]
) -> tuple[list[Fraction], list[Fraction]]:
    if len(actual) != len(budget):
        raise ValueError(f"actual 与 budget 长度不同 ({len(actual)} ≠ {len(budget)})")
    for v in [*actual, *budget]:
        if v is None or isinstance(v, float):
            raise ValueError(f"应为精确金额 (expected an exact amount, not {v!r})")
    return [Fraction(a) for a in actual], [Fraction(b) for b in budget]


def aggregate_outturn(actual: Sequence[Exact], budget: Sequence[Exact]) -> Fraction | None:
    """PI-1: ΣA / ΣB × 100 as an exact percent (``None`` if ΣB is 0).

    Examples:
        >>> aggregate_outturn([Decimal("335.78")], [Decimal("200.35")]) > 167
        True
        >>> aggregate_outturn([1], [0]) is None
        True
    """
    a, b = _check(actual, budget)
    total_b = sum(b, Fraction(0))
    return None if total_b == 0 else sum(a, Fraction(0)) * 100 / total_b


def composition_variance(actual: Sequence[Exact], budget: Sequence[Exact]) -> Fraction | None:
    """PI-2: Σ|A − k·B| / ΣA × 100 with k = ΣA / ΣB (``None`` if ΣA or ΣB is 0).

    Examples:
        >>> composition_variance([90, 60, 60], [100, 50, 50])
        Fraction(100, 7)
        >>> composition_variance([10, 20], [10, 20])
        Fraction(0, 1)
    """
    a, b = _check(actual, budget)
    total_a, total_b = sum(a, Fraction(0)), sum(b, Fraction(0))
    if total_a == 0 or total_b == 0:
        return None
    k = total_a / total_b
    return sum((abs(x - k * y) for x, y in zip(a, b, strict=True)), Fraction(0)) * 100 / total_a


def aggregate_band(value: Fraction | Decimal | None) -> str | None:
    """PI-1 band for an outturn percent; boundaries are inclusive.

    Examples:
        >>> [aggregate_band(Decimal(v)) for v in ("105.0", "95", "94.99", "110", "115.01")]
        ['A', 'A', 'B', 'B', 'D']
    """
    if value is None:
        return None
    for band, low, high in AGGREGATE_BANDS:
        if low <= value <= high:
            return band
    return "D"


def composition_band(value: Fraction | Decimal | None) -> str | None:
    """PI-2 band for a composition variance percent (strictly below the limit).

    Examples:
        >>> [composition_band(Decimal(v)) for v in ("4.99", "5", "9.99", "14.29", "15")]
        ['A', 'B', 'B', 'C', 'D']
    """
    if value is None:
        return None
    for band, limit in COMPOSITION_BANDS:
        if value < limit:
            return band
    return "D"


@dataclass(frozen=True)
class Outturn:
    """PI-1 and PI-2 for one year: exact percents and their bands."""

    actual: Fraction
    budget: Fraction
    aggregate: Fraction | None
    aggregate_band: str | None
    composition: Fraction | None
    composition_band: str | None


def outturn(actual: Sequence[Exact], budget: Sequence[Exact]) -> Outturn:
    """PI-1 and PI-2 for matching lines of actual and budget."""
    agg = aggregate_outturn(actual, budget)
    comp = composition_variance(actual, budget)
    a, b = _check(actual, budget)
    return Outturn(
        sum(a, Fraction(0)),
        sum(b, Fraction(0)),
        agg,
        aggregate_band(agg),
        comp,
        composition_band(comp),
    )


def pi_score(bands: Sequence[str | None]) -> str | None:
    """Score over years: the best band reached in at least two of the last three.

    ``bands`` are in year order; only the last three count. Fewer than three
    years with a band gives ``None`` (PEFA needs three years).

    Examples:
        >>> pi_score(["A", "C", "B"]), pi_score(["D", "D", "A"]), pi_score(["A", "A"])
        ('B', 'D', None)
    """
    last = [b for b in bands[-3:] if b is not None]
    if len(bands) < 3 or len(last) < 3:
        return None
    for band in "ABC":
        if sum(b <= band for b in last) >= 2:
            return band
    return "D"


def _rounded(num: pd.Series, den: pd.Series, decimals: int) -> pd.Series:
    """Rounded percents (as :func:`~fiscal_analysis.money.ratio_pct`), whole columns at once.

    Columns that fit in int64 go through :func:`ratio_pct_panel`; otherwise the
    half-up rounding ``(2·|n|·100·10ᵖ + |d|) // (2·|d|)`` runs on numpy object
    arrays of exact Python ints (no Fraction per row), and each distinct
    rounded value becomes one Decimal.

    Examples:
        >>> big = 10**20
        >>> _rounded(pd.Series([big, -1, 5], dtype=object),
        ...          pd.Series([3 * big, 3000, 0], dtype=object), 1).tolist()
        [Decimal('33.3'), Decimal('0.0'), None]
    """
    n = num.to_numpy(dtype=object)
    d = den.to_numpy(dtype=object)
    limit = 2**62
    if not len(n) or max(abs(int(min(n))), abs(int(max(n))), abs(int(min(d))),
                         abs(int(max(d)))) < limit:  # fmt: skip
        return ratio_pct_panel(num.astype("Int64"), den.astype("Int64"), decimals)
    ok = d != 0
    a = np.abs(n[ok])
    b = np.abs(d[ok])
    mult = 2 * 100 * 10**decimals
    q = (a * mult + b) // (2 * b)
    negative = (n[ok] < 0) != (d[ok] < 0)
    signed = np.where(negative, -q, q).astype(np.int64)  # a rounded percent fits in int64
    units = pd.Series(pd.array(signed, dtype="Int64"))
    out = np.full(len(n), None, dtype=object)
    out[ok] = units_to_decimal(units, decimals).to_numpy(dtype=object)
    return pd.Series(out, index=num.index, dtype=object)


def _aggregate_band(num: pd.Series, den: pd.Series) -> pd.Series:
    out = pd.Series("D", index=num.index, dtype=object)
    for band, low, high in reversed(AGGREGATE_BANDS):
        inside = (num * 100 >= den * low) & (num * 100 <= den * high)
        out = out.mask(inside.astype(bool), band)
    return out.where(den != 0, None)


def _composition_band(num: pd.Series, den: pd.Series) -> pd.Series:
    out = pd.Series("D", index=num.index, dtype=object)
    for band, upper in reversed(COMPOSITION_BANDS):
        out = out.mask((num * 100 < den * upper).astype(bool), band)
    return out.where(den != 0, None)


def outturn_panel_from_lines(lines: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """PI-1 and PI-2 per (entity_id, year) from line rows with ``actual`` and ``budget``.

    Args:
        lines: Columns ``entity_id``, ``year``, ``actual``, ``budget`` (万元, or
            exact integer 分); rows missing either amount are ignored.
        decimals: Decimals of the ``*_rounded`` presentation columns.

    Returns:
        One row per entity-year: ``n_lines``, ``budget``, ``actual`` (sums, in
        万元), exact ``aggregate_num``/``aggregate_den`` and
        ``composition_num``/``composition_den`` (Python ints: 分, and
        products of 分 for PI-2, so the ratio is exact), the rounded
        percentages and the bands (``None`` when a denominator is 0).

    Sums run over integer group codes (``np.add.reduceat`` on the lines in
    entity-year order), in ``int64`` while they provably fit and on exact
    Python ints otherwise; the PI-2 products ``A·ΣB − ΣA·B`` take Python ints
    only when they could leave ``int64``. Amounts that are whole 0.01万元 (the
    usual case) are summed and multiplied in units of 0.01万元, which keeps the
    products in ``int64``, and the results are scaled back to 分 exactly.
    """
    use = lines.dropna(subset=["actual", "budget"])
    shown = max(decimals_of(use["actual"]), decimals_of(use["budget"]))
    a = to_fen(use["actual"]).to_numpy(dtype=np.int64)
    b = to_fen(use["budget"]).to_numpy(dtype=np.int64)
    unit = CENT if len(a) and not (a % CENT).any() and not (b % CENT).any() else 1
    a, b = a // unit, b // unit
    ent_code, ents = pd.factorize(use["entity_id"].to_numpy(dtype=object), sort=True)
    year_code, years = pd.factorize(use["year"].to_numpy(dtype=np.int64), sort=True)
    key = ent_code.astype(np.int64) * max(len(years), 1) + year_code
    if len(key) and not (np.diff(key) >= 0).all():
        order = np.argsort(key, kind="stable")
        key, a, b = key[order], a[order], b[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
    group = np.cumsum(np.r_[False, key[1:] != key[:-1]]) if len(key) else key
    n = np.diff(np.r_[starts, len(key)])
    sa, sb = _sums(a, starts, n), _sums(b, starts, n)
    if _fits(a, sb) and _fits(b, sa):
        dev = np.abs(a * sb[group] - sa[group] * b)
        if _fits(dev, np.ones(1, np.int64), n.max(initial=1)):
            spread = np.add.reduceat(dev, starts).astype(object) if len(dev) else dev
        else:
            spread = np.add.reduceat(dev.astype(object), starts)
    else:
        ao, bo = a.astype(object), b.astype(object)
        dev = np.abs(ao * sb.astype(object)[group] - sa.astype(object)[group] * bo)
        spread = np.add.reduceat(dev, starts) if len(dev) else dev
    head = key[starts] if len(key) else key
    sa, sb = sa.astype(object) * unit, sb.astype(object) * unit  # 分, exact
    spread = np.asarray(spread, dtype=object) * (unit * unit)
    out = pd.DataFrame(
        {
            "entity_id": pd.Index(ents[head // max(len(years), 1)]),  # (as groupby keys: str)
            "year": years[head % max(len(years), 1)] if len(head) else np.zeros(0, np.int64),
            "n_lines": n,
            "actual": sa,
            "budget": sb,
        }
    )
    out["aggregate_num"], out["aggregate_den"] = sa, sb
    out["composition_num"] = pd.Series(spread, dtype=object)
    out["composition_den"] = sa * sb
    for name in ("aggregate", "composition"):
        num, den = out[f"{name}_num"], out[f"{name}_den"]
        out[f"{name}_rounded"] = _rounded(num, den, decimals)
    out["aggregate_band"] = _aggregate_band(out["aggregate_num"], out["aggregate_den"])
    out["composition_band"] = _composition_band(out["composition_num"], out["composition_den"])
    for name in ("budget", "actual"):
        out[name] = _wan(out[name], shown)
    return out


def _fits(x: np.ndarray, y: np.ndarray, times: int = 1) -> bool:
    """Whether every product of an ``x`` and a ``y`` (and ``times`` such products added)
    provably fits in int64 (with room for one subtraction)."""
    if not len(x):
        return True
    hi = int(np.abs(x).max()) * int(np.abs(y).max(initial=0)) * int(times)
    return hi < 2**62


def _sums(v: np.ndarray, starts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Per-group sums of int64 ``v`` (groups start at ``starts``): int64 if they fit,
    else exact Python ints (object)."""
    if not len(v):
        return np.zeros(0, dtype=np.int64)
    if _fits(v, n):  # |v| · (lines in a group) bounds every sum
        return np.add.reduceat(v, starts)
    return np.add.reduceat(v.astype(object), starts)


def _wan(ints: pd.Series, decimals: int) -> pd.Series:
    """Sums of 分 (Python ints) as 万元: decimal128 if they fit in int64, else Decimals."""
    v = ints.to_numpy(dtype=object)
    if not len(v) or max(-int(v.min()), int(v.max())) < 2**63:
        return to_wan(pd.Series(v.astype(np.int64), index=ints.index, dtype="Int64"), decimals)
    return pd.Series([to_decimal(int(v)) for v in ints], index=ints.index, dtype=object)


def outturn_panel(source: Source, level: str = "项", decimals: int = 1) -> pd.DataFrame:
    """PEFA outturn for every entity-year of a Dataset (or PanelView), vectorised.

    One row per entity-year with at least one line that has both amounts.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> t = outturn_panel(load_dataset("data"))
        >>> t[["year", "aggregate_rounded", "aggregate_band"]].values.tolist()
        [[2020, Decimal('167.6'), 'D'], [2024, Decimal('98.2'), 'A'], [2024, Decimal('95.5'), 'A']]
    """
    lines = completion_panel(source, level, decimals=None)
    return outturn_panel_from_lines(lines[["entity_id", "year", "actual", "budget"]], decimals)


def outturn_table(ds: Source, entity_id: str | None = None, level: str = "项") -> pd.DataFrame:
    """PI-1 and PI-2 per entity-year, presented exactly: rows of :func:`outturn_panel`.

    Only entity-years where at least one line at ``level`` has both a
    ``budget_initial`` and a ``total`` appear; lines lacking either are left out
    (``n_lines`` counts those used).

    Columns: ``entity_id``, ``year``, ``n_lines``, ``budget``, ``actual``
    (Decimal), ``aggregate`` and ``composition`` (exact percent Fractions or
    ``None``), ``aggregate_band``, ``composition_band``.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> t = outturn_table(load_dataset("data"), "lusong-xzsp")
        >>> r = t.iloc[0]
        >>> r["year"], r["n_lines"], format_pct(r["aggregate"]), r["aggregate_band"]
        (2020, 5, '167.6%', 'D')
        >>> format_pct(r["composition"], 2), r["composition_band"]
        ('194.04%', 'D')
    """
    panel = view_of(ds).metric(("pefa", level), lambda v: outturn_panel(v, level)).frame
    if entity_id is not None:
        panel = panel[panel["entity_id"] == entity_id]
    rows = [
        {"entity_id": r["entity_id"], "year": int(r["year"]), "n_lines": int(r["n_lines"]),
         "budget": dec(r["budget"]), "actual": dec(r["actual"]),
         "aggregate": _fraction(r["aggregate_num"], r["aggregate_den"]),
         "aggregate_band": r["aggregate_band"],
         "composition": _fraction(r["composition_num"], r["composition_den"]),
         "composition_band": r["composition_band"]}
        for r in panel.to_dict("records")
    ]  # fmt: skip
    cols = ["entity_id", "year", "n_lines", "budget", "actual", "aggregate", "aggregate_band"]
    return pd.DataFrame(rows, columns=[*cols, "composition", "composition_band"], dtype=object)


def _fraction(num: int, den: int) -> Fraction | None:
    """An exact percent ``num / den × 100`` of Python ints (``None`` when ``den`` is 0)."""
    return None if int(den) == 0 else Fraction(int(num) * 100, int(den))
