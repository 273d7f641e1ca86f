"""PEFA outturn (PI-1, PI-2) for every entity × year at once, exactly.

Per entity-year, over the 05表 lines that have both 决算 ``A`` and 年初预算 ``B``:

* PI-1 aggregate outturn = ΣA / ΣB × 100;
* PI-2 composition variance = Σ|A − k·B| / ΣA × 100 with k = ΣA / ΣB, which is
  Σ|A·ΣB − ΣA·B| / (ΣA·ΣB) × 100 — integers only, so no rounding happens
  before presentation.

Band edges are compared in integers too (``num·100 ≤ 105·den``), so a value
exactly on an edge gets the better band, as in :mod:`fiscal_analysis.pefa`.

Examples:
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"entity_id": ["e"] * 3, "year": [2020] * 3,
    ...                       "actual": [9000, 6000, 6000], "budget": [10000, 5000, 5000]})
    >>> t = outturn_panel_from_lines(lines)
    >>> cols = ["aggregate_rounded", "aggregate_band", "composition_rounded", "composition_band"]
    >>> t[cols].values.tolist()
    [[Decimal('105.0'), 'A', Decimal('14.3'), 'C']]
    >>> outturn_panel_from_lines(lines, places=2)["composition_rounded"].tolist()
    [Decimal('14.29')]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .money import ratio_pct
from .panel_completion import completion_panel
from .panel_rates import ratio_pct_panel
from .panel_view import Source
from .pefa import _AGGREGATE_BANDS as _AGGREGATE
from .pefa import _COMPOSITION_BANDS as _COMPOSITION

__all__ = ["outturn_panel", "outturn_panel_from_lines"]


def _objects(s: pd.Series) -> pd.Series:
    """Exact Python ints (object dtype) so products of big amounts cannot overflow."""
    if pd.api.types.is_integer_dtype(s.dtype) and not s.hasnans:
        # numpy and pandas give Python ints for an integer column as objects
        return pd.Series(s.to_numpy(dtype=object), index=s.index, dtype=object)
    return pd.Series([int(v) for v in s], index=s.index, dtype=object)


def _rounded(num: pd.Series, den: pd.Series, places: int) -> pd.Series:
    """Rounded percents; exact Python ints when a column does not fit in int64."""
    limit = 2**62
    if all(abs(int(v)) < limit for v in (*num, *den)):
        return ratio_pct_panel(num.astype("Int64"), den.astype("Int64"), places)
    rounded = [ratio_pct(int(n), int(d), places) for n, d in zip(num, den, strict=True)]
    return pd.Series(rounded, index=num.index, dtype=object)


def _aggregate_band(num: pd.Series, den: pd.Series) -> pd.Series:
    out = pd.Series("D", index=num.index, dtype=object)
    for band, low, high in reversed(_AGGREGATE):
        inside = (num * 100 >= den * low) & (num * 100 <= den * high)
        out = out.mask(inside.astype(bool), band)
    return out.where(den != 0, None)


def _composition_band(num: pd.Series, den: pd.Series) -> pd.Series:
    out = pd.Series("D", index=num.index, dtype=object)
    for band, upper in reversed(_COMPOSITION):
        out = out.mask((num * 100 < den * upper).astype(bool), band)
    return out.where(den != 0, None)


def outturn_panel_from_lines(lines: pd.DataFrame, places: int = 1) -> pd.DataFrame:
    """PI-1 and PI-2 per (entity_id, year) from line rows with ``actual`` and ``budget``.

    Args:
        lines: Columns ``entity_id``, ``year``, ``actual``, ``budget`` (exact
            integer hundredths); rows missing either amount are ignored.
        places: Decimals of the ``*_rounded`` presentation columns.

    Returns:
        One row per entity-year: ``n_lines``, ``budget``, ``actual`` (sums, in
        hundredths), exact ``aggregate_num``/``aggregate_den`` and
        ``composition_num``/``composition_den``, the rounded percentages and
        the bands (``None`` when a denominator is 0).
    """
    use = lines.dropna(subset=["actual", "budget"])
    a, b = _objects(use["actual"]), _objects(use["budget"])
    keys = [use["entity_id"], use["year"]]
    sums = pd.DataFrame({"actual": a, "budget": b}).groupby(keys, sort=True).sum()
    n = use.groupby(keys, sort=True).size()
    rows = pd.MultiIndex.from_frame(use[["entity_id", "year"]])
    sa, sb = sums["actual"].reindex(rows).to_numpy(), sums["budget"].reindex(rows).to_numpy()
    dev = pd.Series(np.abs(a.to_numpy() * sb - sa * b.to_numpy()), index=use.index, dtype=object)
    spread = dev.groupby(keys, sort=True).sum()
    out = sums.reset_index()
    out.insert(2, "n_lines", n.to_numpy())
    out["aggregate_num"], out["aggregate_den"] = (
        sums["actual"].to_numpy(),
        sums["budget"].to_numpy(),
    )
    out["composition_num"] = spread.to_numpy()
    out["composition_den"] = (sums["actual"] * sums["budget"]).to_numpy()
    for name in ("aggregate", "composition"):
        num, den = out[f"{name}_num"], out[f"{name}_den"]
        out[f"{name}_rounded"] = _rounded(num, den, places)
    out["aggregate_band"] = _aggregate_band(out["aggregate_num"], out["aggregate_den"])
    out["composition_band"] = _composition_band(out["composition_num"], out["composition_den"])
    return out


def outturn_panel(source: Source, level: str = "项", places: int = 1) -> pd.DataFrame:
    """PEFA outturn for every entity-year of a Dataset (or PanelView), vectorised.

    Agrees row for row with :func:`fiscal_analysis.pefa.outturn_table`.

    Examples:
        >>> from fiscal_analysis.loader import load_dataset
        >>> t = outturn_panel(load_dataset("data"))
        >>> t[["year", "aggregate_rounded", "aggregate_band"]].values.tolist()
        [[2020, Decimal('167.6'), 'D']]
    """
    lines = completion_panel(source, level, places=None)
    return outturn_panel_from_lines(lines[["entity_id", "year", "actual", "budget"]], places)
