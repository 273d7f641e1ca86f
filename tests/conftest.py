"""Shared, generic fixtures: the shipped data folder and the dataset loaded from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fiscal_analysis import Dataset, load_dataset

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Keep the validated-data cache (used by ``render``) out of the user's ~/.cache."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml)."""
    return REPO


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shipped dataset folder, ``data/``."""
    return REPO / "data"


@pytest.fixture(scope="session")
def seed_report_html(tmp_path_factory) -> Path:
    """The shipped 2020 report rendered once per session with the real notebook."""
    from fiscal_analysis.render.reports import render_reports

    batch = render_reports(
        REPO / "data",
        tmp_path_factory.mktemp("seed-report") / "reports",
        notebook=REPO / "notebooks" / "annual_report.ipynb",
        entities=["lusong-xzsp"],
        years=[2020],
        jobs=1,
        progress=False,
    )
    assert batch.exit_code == 0, batch.summary()
    return batch.reports[0].html


@pytest.fixture(scope="session")
def seed_dataset(data_dir: Path) -> Dataset:
    """The seed department of the shipped dataset (株洲市芦淞区行政审批服务局, 2019–2020),
    loaded and validated once per test session; the golden figures of the tests are its own."""
    return load_dataset(data_dir, entities=["lusong-xzsp"])
