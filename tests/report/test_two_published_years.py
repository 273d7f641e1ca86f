"""Every part of the report works on a department with two published years.

The shipped data has one published year per department (the year before is 推算,
without a budget), so a comparison of two completion rates never ran on it; the
synthetic panel publishes every year in full. Each report part is built for both
years of two departments, and the second year's completion tile states its trend.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics.entity import total_completion
from fiscal_analysis.report import sections
from fiscal_analysis.report.appendix import appendix
from fiscal_analysis.report.context import open_report
from fiscal_analysis.report.first_screen import key_figures, summary_screen
from fiscal_analysis.testing.synth import write_panel

PARTS = (
    "overview_section", "income_section", "expense_section", "fiscal_section",
    "general_public_section", "basic_section", "three_public_section", "funds_section",
    "performance_section", "other_section", "trend_section",
)  # fmt: skip


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth") / "data"
    write_panel(root, 2, 2, layout="entity-year")
    return root


def test_every_part_builds_for_both_years(data):
    for entity, year in load_dataset(data).pairs():
        ctx = open_report(data, entity, year)
        assert summary_screen(ctx).title.endswith(f"{year}年度部门决算分析")
        for part in PARTS:
            getattr(sections, part)(ctx)
        appendix(ctx)


def test_the_completion_tile_compares_two_rates(data):
    ds = load_dataset(data)
    entity = ds.pairs()[0][0]
    ctx = open_report(data, entity, 2016)
    now, before = total_completion(ctx).rate, total_completion(ctx.previous).rate
    assert isinstance(now, Fraction) and isinstance(before, Fraction)
    tile = next(t for t in key_figures(ctx) if t.label == "预算完成率")
    expected = "up" if now > before else "down" if now < before else "flat"
    assert tile.trend == expected
    assert tile.change.startswith("上年") and tile.change.endswith("%")
