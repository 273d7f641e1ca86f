"""Every column of every metric frame is declared once in the vocabulary, with one meaning."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from fiscal_analysis import metrics
from fiscal_analysis.metrics.units import AMOUNT_COLUMNS, WAN
from fiscal_analysis.schema.vocabulary import METRIC_COLUMNS

E, Y = "lusong-xzsp", 2020


def entity_frames(ey) -> dict[str, pd.DataFrame]:
    return {
        "income_structure": metrics.income_structure(ey),
        "expense_structure": metrics.expense_structure(ey),
        "function_structure": metrics.function_structure(ey),
        "basic_structure": metrics.basic_structure(ey),
        "economic_structure": metrics.economic_structure(ey),
        "project_structure": metrics.project_structure(ey),
        "budget_completion": metrics.budget_completion(ey),
        "ops_cost": metrics.ops_cost(ey),
        "procurement": metrics.procurement(ey),
        "three_public": metrics.three_public(ey),
    }


def test_every_panel_column_is_declared(seed_dataset):
    m = metrics.all_metrics(seed_dataset)
    for name, df in m.items():
        frame = df.reset_index() if name == "totals" else df
        if name == "totals":
            continue  # its columns are the names the caller chose (KEY_TOTALS)
        missing = [c for c in frame.columns if c not in METRIC_COLUMNS]
        assert missing == [], name


def test_every_entity_year_column_is_declared(seed_dataset):
    for name, df in entity_frames(seed_dataset.entity_year(E, Y)).items():
        assert [c for c in df.columns if c not in METRIC_COLUMNS] == [], name


def test_amounts_are_exact_wan_in_every_frame(seed_dataset):
    m = metrics.all_metrics(seed_dataset)
    for name, df in m.items():
        for c in df.columns:
            if c in AMOUNT_COLUMNS or (name == "totals" and not c.endswith("_status")):
                assert df[c].dtype == WAN, (name, c, df[c].dtype)
    for name, df in entity_frames(seed_dataset.entity_year(E, Y)).items():
        for c in df.columns:
            if METRIC_COLUMNS[c].unit == "万元":
                assert all(v is None or isinstance(v, Decimal) for v in df[c]), (name, c)
    assert m["totals"].loc[(E, Y), "income_grand_total"] == Decimal("335.78")


def test_a_name_keeps_its_unit_across_frames():
    units = {c.name: c.unit for c in METRIC_COLUMNS.values()}
    assert units["share"] == units["change"] == units["rate"] == "%"
    for family in ("share", "change", "rate"):
        assert units[f"{family}_num"] == units[f"{family}_den"] == "万元"
        assert units[f"{family}_rounded"] == "%"
    assert set(AMOUNT_COLUMNS) <= {k for k, u in units.items() if u == "万元"}
