"""fiscal-analysis: Chinese department final accounts (部门决算), exactly.

Load a dataset, compute exact metrics, write the national template's Chinese
sentences, check the figures and render leadership-ready reports.

``Dataset`` and ``load_dataset`` are imported on first use, so that commands
that need no data (``fiscal-analysis --help``, a re-render in which nothing
changed) do not pay for importing pandas.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .exceptions import DataValidationError, FiscalAnalysisError, Problem

if TYPE_CHECKING:
    from .dataset import Dataset
    from .loader import load_dataset

try:
    __version__ = version("fiscal-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DataValidationError",
    "Dataset",
    "FiscalAnalysisError",
    "Problem",
    "__version__",
    "load_dataset",
]


def __getattr__(name: str) -> Any:
    """``Dataset`` and ``load_dataset``, imported when first asked for (PEP 562)."""
    if name == "Dataset":
        from .dataset import Dataset

        return Dataset
    if name == "load_dataset":
        from .loader import load_dataset

        return load_dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
