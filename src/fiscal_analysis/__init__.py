"""fiscal-analysis: Chinese department final accounts (部门决算), exactly.

The data flows one way, and so do the package's folders and imports::

    schema/    what the data is: files, tables, items, classification codes
    dataset/   CSV files → a validated Dataset (read, validate, cache, write)
    metrics/   Dataset → exact change, structure, budget completion, PEFA
    narrative/ metrics → the national template's Chinese sentences
    charts/    house-style charts with CJK fonts, PNG output
    report/    notebook building blocks: context, sections, explore views
    render/    notebook → leadership HTML, one per entity and year
    checks/    reconciliation (勾稽) checks; extract/  documents → dataset rows

The entry points, importable from here (and listed by ``dir(fiscal_analysis)``):

* :func:`load_dataset` → :class:`Dataset`: load and validate a data folder;
  ``ds.entity_year(entity, year)`` → one department-year, which the metrics take;
* :mod:`metrics`: every metric (``metrics.yoy_for``, ``metrics.all_metrics`` …);
* :func:`open_report`: one entity-year's report context (figures, paragraphs);
* :func:`run_checks`: the reconciliation findings;
* :func:`extract_document`, :func:`extract_to_dir`: read a published disclosure;
* :func:`render_reports`: render the leadership HTML reports;
* :class:`FiscalAnalysisError` and the other errors of :mod:`fiscal_analysis.errors`.

They are imported on first use, so commands that need no data (``--help``, a
re-render in which nothing changed) do not pay for importing pandas.

Examples:
    >>> import fiscal_analysis as fa
    >>> ey = fa.load_dataset("data").entity_year("lusong-xzsp", 2020)
    >>> fa.metrics.total_completion(ey).rate_rounded()
    Decimal('167.6')
    >>> "render_reports" in dir(fa)
    True
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from fiscal_analysis.errors import (
    DataValidationError,
    ExtractError,
    FiscalAnalysisError,
    Problem,
    RenderError,
    UnknownEntityError,
)
from fiscal_analysis.files import VERSION as __version__

if TYPE_CHECKING:
    from fiscal_analysis import metrics
    from fiscal_analysis.checks import run_checks
    from fiscal_analysis.dataset.load import load_dataset
    from fiscal_analysis.dataset.model import Dataset
    from fiscal_analysis.extract import extract_document, extract_to_dir
    from fiscal_analysis.render.reports import render_reports
    from fiscal_analysis.report.context import open_report

#: Public name → the module it lives in (imported when first asked for, PEP 562).
_LAZY = {
    "Dataset": "fiscal_analysis.dataset.model",
    "load_dataset": "fiscal_analysis.dataset.load",
    "metrics": "fiscal_analysis.metrics",
    "open_report": "fiscal_analysis.report.context",
    "run_checks": "fiscal_analysis.checks",
    "extract_document": "fiscal_analysis.extract",
    "extract_to_dir": "fiscal_analysis.extract",
    "render_reports": "fiscal_analysis.render.reports",
}

__all__ = [
    "DataValidationError",
    "Dataset",
    "ExtractError",
    "FiscalAnalysisError",
    "Problem",
    "RenderError",
    "UnknownEntityError",
    "__version__",
    "extract_document",
    "extract_to_dir",
    "load_dataset",
    "metrics",
    "open_report",
    "render_reports",
    "run_checks",
]


def __getattr__(name: str) -> Any:
    """The entry points of :data:`_LAZY`, imported when first asked for."""
    if name in _LAZY:
        module = import_module(_LAZY[name])
        value = module if name == "metrics" else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API, for ``dir()`` and tab completion."""
    return sorted(__all__)
