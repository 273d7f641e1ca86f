"""fiscal-analysis: Chinese department final accounts (部门决算), exactly.

Load a dataset, compute exact metrics, write the national template's Chinese
sentences, check the figures and render leadership-ready reports.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .dataset import Dataset
from .exceptions import DataValidationError, FiscalAnalysisError, Problem
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
