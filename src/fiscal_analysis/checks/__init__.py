"""Reconciliation checks (勾稽关系) over a dataset: reference §4.

Run every rule that the data can support on each entity-year: within-table
sums (T01-1 … T09-1), identities between tables (X-1 … X-15) and the figures
of the 情况说明 against the tables (N-rules); then, when the narrative checks
are installed, the text of each document against the tables.

Rules are registered in :mod:`.engine` and written in the ``rules_*`` modules
(tables, cross-table, spending, fiscal, text); :mod:`.text_figures`,
:mod:`.text_words` and :mod:`.text_form` check the 情况说明 itself and
:mod:`.text_structure` the document (missing tables, blank rows, years);
:mod:`.arbiter` says which side of a text/table disagreement is wrong;
:mod:`.findings` is the result model (a finding that rests on a guessed or
ambiguous reading is 需复核, never an 错误); :mod:`.tolerance` the rounding
tolerances. May import
:mod:`fiscal_analysis.extract`, :mod:`fiscal_analysis.metrics`,
:mod:`fiscal_analysis.dataset`, :mod:`fiscal_analysis.schema`,
:mod:`fiscal_analysis.money`, :mod:`fiscal_analysis.errors` and
:mod:`fiscal_analysis.files`.

Examples:
    >>> sorted(RULES)[:3]
    ['N-12', 'N-9', 'T01-1']
    >>> RULES["X-11"].reference
    'reference §4.2 X-11'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from fiscal_analysis.checks import (  # noqa: F401 - importing registers the rules
    rules_cross,
    rules_cross_spending,
    rules_fiscal,
    rules_spending,
    rules_tables,
    rules_text,
)
from fiscal_analysis.checks.engine import RULES, Rule, run_rules
from fiscal_analysis.checks.findings import Finding, summarise
from fiscal_analysis.checks.text_loader import narrative_findings
from fiscal_analysis.dataset.model import Dataset, EntityYear
from fiscal_analysis.errors import UnknownEntityError

__all__ = ["RULES", "Rule", "findings_frame", "run_checks", "select_pairs", "summarise"]

_COLUMNS = [
    "rule",
    "status",
    "severity",
    "entity_id",
    "year",
    "message",
    "figures",
    "tolerance",
    "source",
]


def select_pairs(
    ds: Dataset, entity_id: str | None = None, year: int | None = None
) -> list[tuple[str, int]]:
    """The (entity, year) pairs to check.

    Raises:
        UnknownEntityError: If the entity or year is not in the data.
    """
    d = ds.documents
    # a document that states no table figure is still checked (its text, its tables' status)
    documented = {(str(e), int(y)) for e, y in zip(d["entity_id"], d["year"], strict=True)}
    if entity_id is not None:
        eid = ds.resolve(entity_id)
        if year is not None:
            if (eid, year) not in documented:
                ds.check_pair(eid, year)
            return [(eid, year)]
        return sorted({(eid, y) for y in ds.years(eid)} | {p for p in documented if p[0] == eid})
    have = set(ds.pairs()) | documented
    pairs = sorted(p for p in have if year is None or p[1] == year)
    if not pairs:
        known = "、".join(sorted({str(y) for _, y in have})) or "无"
        if year is None:
            raise UnknownEntityError("数据中没有任何单位年度的数字或决算文件，无法核对")
        raise UnknownEntityError(f"数据中没有 {year} 年度的数字；已有年度：{known}")
    return pairs


def run_checks(
    ds: Dataset,
    entity_id: str | None = None,
    year: int | None = None,
    *,
    text_checks: bool = True,
    progress: Callable[[list], Iterable] | None = None,
) -> list[Finding]:
    """Run every rule on the selected entity-years.

    Args:
        ds: A loaded dataset.
        entity_id: One entity (id or full name), or ``None`` for all.
        year: One year, or ``None`` for all years.
        text_checks: Also run the narrative checks on each document's text.
        progress: Optional wrapper of the list of (entity, year) pairs, such
            as ``tqdm``, to show progress.

    Returns:
        Findings in rule order for each entity-year, including passes and
        ``not_applicable`` results.

    Raises:
        UnknownEntityError: If the entity or year is not in the data.
    """
    pairs = select_pairs(ds, entity_id, year)
    groups = (
        dict(iter(ds.facts.groupby(["entity_id", "year"], sort=False))) if len(pairs) > 1 else {}
    )
    out: list[Finding] = []
    for eid, yr in progress(pairs) if progress else pairs:
        out += run_rules(EntityYear(ds, eid, yr), facts=groups.get((eid, yr)))
        if text_checks:
            out += narrative_findings(ds, eid, yr)
    return out


def _figures_text(figures: dict[str, str]) -> str:
    return "；".join(f"{k} {v}" for k, v in figures.items())


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame, one row each; ``figures`` written as text.

    Examples:
        >>> f = Finding("X-11", "pass", "error", "相符", "e", 2020, {"a": "1", "b": "1"})
        >>> findings_frame([f]).loc[0, ["rule", "figures"]].tolist()
        ['X-11', 'a 1；b 1']
    """
    rows = [{**f.as_dict(), "figures": _figures_text(f.figures)} for f in findings]
    df = pd.DataFrame(rows, columns=_COLUMNS)
    df["year"] = df["year"].astype("Int64")
    return df
