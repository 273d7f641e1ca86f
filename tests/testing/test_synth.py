"""The synthetic panel generator writes valid, exactly reconciled, labelled data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.testing.synth import write_panel
from fiscal_analysis.testing.synth_rows import SYNTH_NOTE, code_pool

FIRST = 2019


@pytest.fixture(scope="module")
def panel(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth")
    write_panel(root, 4, 3, first_year=FIRST, chunk_size=3)
    return root


@pytest.fixture(scope="module")
def ds(panel):
    return load_dataset(panel)


@pytest.fixture(scope="module")
def wide(ds) -> pd.DataFrame:
    """One column per (table, code, item), one row per (entity, year), int 分."""
    f = ds.facts
    return f.pivot_table(
        index=["entity_id", "year"],
        columns=["table", "code", "item"],
        values="value",
        aggfunc="first",
    )


def col(wide: pd.DataFrame, table: str, item: str, code: str = "") -> pd.Series:
    return wide[(table, code, item)].astype("int64")


def test_golden_figures_are_deterministic(ds, panel, tmp_path):
    # Pinned figures: a change in the generator must be deliberate.
    assert ds.value("synth-0001", 2020, "T01", "income_grand_total") == Decimal("7590.87")
    assert ds.value("synth-0002", 2021, "T05", "basic") == Decimal("126.13")
    assert ds.value("synth-0004", 2019, "T06", "public_total") == Decimal("3757.35")
    again = tmp_path / "again"
    write_panel(again, 4, 3, first_year=FIRST, chunk_size=2, workers=2)
    for name in ("facts", "projects", "tables"):
        a = sorted((panel).rglob(f"{name}.csv"))
        b = sorted(again.rglob(f"{name}.csv"))
        lines_a = sorted(line for p in a for line in p.read_text(encoding="utf-8").splitlines()[1:])
        lines_b = sorted(line for p in b for line in p.read_text(encoding="utf-8").splitlines()[1:])
        assert lines_a == lines_b, name


def test_labelled_synthetic(ds):
    ents = ds.entities
    assert list(ents["name"]) == [f"合成单位000{i}（合成数据）" for i in range(1, 5)]
    assert set(ents["note"]) == {SYNTH_NOTE}
    assert set(ds.facts["section"]) == {"合成数据"}
    assert ds.pairs()[:2] == [("synth-0001", 2019), ("synth-0001", 2020)]
    assert len(ds.pairs()) == 12


def test_line_item_counts_and_codes(ds):
    f = ds.facts
    t05 = f[(f["table"] == "T05") & (f["item"] == "total")]
    per = t05[t05["code"].str.len() == 7].groupby(["entity_id", "year"]).size()
    assert per.between(20, 80).all()
    econ = ds.classification.economic
    wanted = {c for c in econ if len(c) == 5 and c[:3] in ("301", "302", "303", "310")}
    t06 = f[(f["table"] == "T06") & (f["item"] == "amount")]
    for _, codes in t06.groupby(["entity_id", "year"])["code"]:
        assert wanted <= set(codes)
    extra = {c for _, c, _, _ in code_pool()[1]}
    assert set(ds.frames["codes"]["code"]) == extra
    assert all(ds.classification.check(c, "function") is None for c in t05["code"] if c)


def test_t01_identities(wide):
    t = lambda item, code="": col(wide, "T01", item, code)  # noqa: E731
    sources = [
        "income_general_public", "income_gov_fund", "income_soe_capital", "income_superior_subsidy",
        "income_business", "income_operating", "income_affiliated", "income_other",
    ]  # fmt: skip
    assert (sum(t(s) for s in sources) == t("income_total")).all()
    assert (
        t("income_total") + t("nonfiscal_balance_used") + t("carryover_begin")
        == t("income_grand_total")
    ).all()
    classes = [c for tb, c, it in wide.columns if tb == "T01" and it == "expense"]
    assert (
        wide[[("T01", c, "expense") for c in classes]].fillna(0).astype("int64").sum(axis=1)
        == t("expense_total")
    ).all()
    assert (
        t("expense_total") + t("balance_distribution") + t("carryover_end")
        == t("expense_grand_total")
    ).all()
    assert (t("income_grand_total") == t("expense_grand_total")).all()
    end = t("carryover_end").groupby(level=0).shift(1).dropna()
    assert (t("carryover_begin").loc[end.index] == end).all()
    assert (col(wide, "T02", "total") == t("income_total")).all()
    assert (col(wide, "T03", "total") == t("expense_total")).all()


def test_t03_t04_t05_identities(wide):
    for tb in ("T03", "T05"):
        for code in {c for t, c, _ in wide.columns if t == tb}:
            tot = wide[(tb, code, "total")].dropna()
            parts = wide[(tb, code, "basic")].dropna() + wide[(tb, code, "project")].dropna()
            assert (tot == parts.loc[tot.index]).all(), (tb, code)
    t05 = {c for t, c, _ in wide.columns if t == "T05"}
    for item in ("total", "basic", "project", "budget_initial"):
        for parent in t05:
            n = {"": 3, 3: 5, 5: 7}.get(len(parent) or "")
            if n is None:
                continue
            kids = [c for c in t05 if len(c) == n and c.startswith(parent)]
            s = wide[[("T05", c, item) for c in kids]].fillna(0).astype("int64").sum(axis=1)
            assert (s == wide[("T05", parent, item)].fillna(0).astype("int64")).all(), (
                parent,
                item,
            )
        for cls in (c for c in t05 if len(c) == 3):
            t04 = wide[("T04", cls, "general_public")].dropna()
            assert (t04 == wide[("T05", cls, "total")].loc[t04.index]).all()
    assert (col(wide, "T04", "general_public") == col(wide, "T05", "total")).all()
    begin, inc = col(wide, "T04", "carryover_begin"), col(wide, "T04", "income_total")
    assert (begin + inc - col(wide, "T04", "total") == col(wide, "T04", "carryover_end")).all()
    assert (col(wide, "T04", "income_grand_total") == col(wide, "T04", "expense_grand_total")).all()


def test_t06_t07_and_narrative_identities(wide):
    t06 = {c for t, c, it in wide.columns if t == "T06" and it == "amount"}
    for cls in (c for c in t06 if len(c) == 3):
        kids = [("T06", c, "amount") for c in t06 if len(c) == 5 and c.startswith(cls)]
        assert (wide[kids].astype("int64").sum(axis=1) == col(wide, "T06", "amount", cls)).all()
    a = lambda c: col(wide, "T06", "amount", c)  # noqa: E731
    personnel, public = col(wide, "T06", "personnel_total"), col(wide, "T06", "public_total")
    assert (a("301") + a("303") == personnel).all()
    assert (a("302") + a("310") == public).all()
    assert (personnel + public == col(wide, "T05", "basic")).all()
    for m in ("budget", "actual"):
        s = lambda k, m=m: col(wide, "T07", f"{k}_{m}")  # noqa: E731
        assert (s("abroad") + s("vehicle") + s("reception") == s("total")).all()
        assert (s("vehicle_purchase") + s("vehicle_operation") == s("vehicle")).all()
    for econ, item in (
        ("30212", "abroad"),
        ("30217", "reception"),
        ("30231", "vehicle_operation"),
        ("31013", "vehicle_purchase"),
    ):
        assert (a(econ) <= col(wide, "T07", f"{item}_actual")).all()
    assert (col(wide, "ops_cost", "actual") <= public).all()
    p = lambda k: col(wide, "procurement", k)  # noqa: E731
    assert (p("goods") + p("works") + p("services") == p("total")).all()
    assert ((p("sme") <= p("total")) & (p("micro") <= p("sme"))).all()


def test_projects_sum_to_project_expenditure(ds, wide):
    proj = ds.projects.groupby(["entity_id", "year"])["value"].sum().astype("int64")
    assert (proj == col(wide, "T05", "project").loc[proj.index]).all()


def test_reconciliation_checks_find_no_errors(ds):
    from fiscal_analysis.checks import run_checks

    findings = run_checks(ds)
    assert [f for f in findings if f.is_error] == []
    assert [(f.rule, f.message) for f in findings if f.status == "fail"] == []
    passed = {f.rule for f in findings if f.status == "pass"}
    wanted = {"T01-1", "T01-2", "T01-3", "T01-4", "T01-5", "T03-1", "T04-4", "T05-1", "T05-2"}
    wanted |= {"T06-1", "T06-2", "T06-3", "T07-1", "T07-2", "X-7", "X-11", "X-12", "X-13", "N-12"}
    assert wanted <= passed, wanted - passed


def test_entity_year_layout(tmp_path):
    r = write_panel(tmp_path, 2, 2, first_year=2020, layout="entity-year")
    assert (tmp_path / "synth-0002" / "2021" / "facts.csv").is_file()
    ds = load_dataset(tmp_path)
    assert r.files == 2 + 2 * (1 + 2 * 5)
    assert ds.value("synth-0001", 2021, "T01", "income_grand_total") is not None
    files = ds.files_for("synth-0001")
    assert not any("synth-0002" in str(p) for p in files)
