"""Metrics: a validated Dataset → exact change, structure, budget completion and PEFA.

Every metric is computed once, for every entity × year, by one vectorised
engine over integer 分 (0.000001万元, so 元 figures stay exact; :mod:`.panel`,
:mod:`.shares`, :mod:`.completion`, :mod:`.pefa`; shared integer views in :mod:`.view`, exact
integer rounding in :mod:`.rates`). One entity-year is a row filter of that
result, presented exactly as :class:`~decimal.Decimal` 万元 and
:class:`~fractions.Fraction` percents (:mod:`.structure`, :mod:`.entity`,
through :mod:`.present`): each takes an
:class:`~fiscal_analysis.dataset.model.EntityYear` (``ds.entity_year(entity, year)``);
:mod:`.exact` holds the exact building blocks
(:func:`change`, :func:`completion`, :func:`share`) and :mod:`.decompose` what
drove a change. Round half up only when presenting
(:func:`fiscal_analysis.money.format_pct`).

May import :mod:`fiscal_analysis.dataset`, :mod:`fiscal_analysis.schema`,
:mod:`fiscal_analysis.money` and :mod:`fiscal_analysis.errors` only.

Examples:
    >>> from fiscal_analysis import load_dataset, metrics
    >>> ey = load_dataset("data").entity_year("lusong-xzsp", 2020)
    >>> c = metrics.yoy_for(ey, "T01", "income_grand_total")
    >>> c.current, c.delta, format_pct(c.pct)
    (Decimal('335.78'), Decimal('-327.17'), '-49.4%')
    >>> format_pct(metrics.total_completion(ey).rate)
    '167.6%'

    The pandas-native view: tidy frames with exact amounts and ``*_float`` views,
    one row per department, a ranking and the PEFA table::

    >>> ds = load_dataset("data")
    >>> exp = metrics.tidy(ds, "expense").query("entity_id == 'lusong-xzsp'")
    >>> exp.groupby("item")["amount_float"].sum()["basic"]
    np.float64(190.92)
    >>> ranked = metrics.rank(metrics.cross_section(ds), "basic_share")
    >>> ranked[["entity_id", "basic_share_float", "rank"]].values.tolist()
    [['putuo-czj', 79.48..., 1], ['lusong-xzsp', 56.85..., 2], ['putuo-ghzy', 55.10..., 3],
     ['putuo-shgzb', 34.29..., 4]]
    >>> p = metrics.pefa_indicators(ds).query("entity_id == 'putuo-czj' and year == 2024")
    >>> p[["indicator", "value", "band"]].values.tolist()[:2]
    [['PI-1', Decimal('98.2'), 'A'], ['PI-2.1', Decimal('1.4'), 'A']]
"""

from fiscal_analysis.metrics.compare import (
    RATIOS,
    carryover_panel,
    cross_section,
    outliers,
    rank,
    ratio_exact,
)
from fiscal_analysis.metrics.completion import completion_panel, ops_cost_panel, three_public_panel
from fiscal_analysis.metrics.decompose import Decomposition, decompose
from fiscal_analysis.metrics.entity import (
    budget_completion,
    change_drivers,
    ops_cost,
    procurement,
    three_public,
    total_completion,
    yoy_for,
)
from fiscal_analysis.metrics.exact import (
    DIRECTIONS,
    Change,
    Completion,
    Share,
    budget_direction,
    change,
    completion,
    share,
    shares,
)
from fiscal_analysis.metrics.panel import KEY_TOTALS, all_metrics, totals_panel, yoy_change
from fiscal_analysis.metrics.pefa import outturn, outturn_panel, outturn_table, pi_score
from fiscal_analysis.metrics.reliability import pefa_indicators
from fiscal_analysis.metrics.shares import (
    basic_shares,
    expense_shares,
    function_shares,
    income_shares,
    procurement_shares,
    shares_panel,
)
from fiscal_analysis.metrics.structure import (
    basic_structure,
    economic_structure,
    expense_structure,
    function_structure,
    income_structure,
    project_structure,
)
from fiscal_analysis.metrics.tidy import FAMILIES, tidy, tidy_all, zh_columns
from fiscal_analysis.money import format_pct  # noqa: F401 (doctests)

__all__ = [
    "DIRECTIONS",
    "FAMILIES",
    "KEY_TOTALS",
    "RATIOS",
    "Change",
    "Completion",
    "Decomposition",
    "Share",
    "all_metrics",
    "basic_shares",
    "basic_structure",
    "budget_completion",
    "budget_direction",
    "carryover_panel",
    "change",
    "change_drivers",
    "completion",
    "completion_panel",
    "cross_section",
    "decompose",
    "economic_structure",
    "expense_shares",
    "expense_structure",
    "function_shares",
    "function_structure",
    "income_shares",
    "income_structure",
    "ops_cost",
    "ops_cost_panel",
    "outliers",
    "outturn",
    "outturn_panel",
    "outturn_table",
    "pefa_indicators",
    "pi_score",
    "procurement",
    "procurement_shares",
    "project_structure",
    "rank",
    "ratio_exact",
    "share",
    "shares",
    "shares_panel",
    "three_public",
    "three_public_panel",
    "tidy",
    "tidy_all",
    "total_completion",
    "totals_panel",
    "yoy_change",
    "yoy_for",
    "zh_columns",
]
