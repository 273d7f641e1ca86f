"""Whole-panel metrics (fiscal_analysis.metrics.panel): golden seed figures and consistency.

The panel is the one implementation of every metric. Its rows are checked against
the exact primitives (``change``, ``completion``, ``share`` on Decimals) applied to
the figures each row names, looked up one by one: on the seed, on a seed copy with
ties, negative and missing figures, and on a small synthetic panel.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from fiscal_analysis import Dataset, load_dataset
from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.metrics import exact as em
from fiscal_analysis.metrics.completion import completion_panel, ops_cost_panel, three_public_panel
from fiscal_analysis.metrics.panel import KEY_TOTALS, all_metrics, totals_panel
from fiscal_analysis.metrics.rates import ratio_pct_panel, round_ratio
from fiscal_analysis.metrics.shares import (
    basic_shares,
    expense_shares,
    function_shares,
    income_shares,
    procurement_shares,
    shares_panel,
)
from fiscal_analysis.money import ratio_pct, round_half_up
from fiscal_analysis.testing.synth import write_panel

E = "lusong-xzsp"
D = Decimal


# -- helpers ------------------------------------------------------------------
def dec(x) -> Decimal | None:
    """A frame's amount (exact 万元) as a Decimal; integer 分 are refused."""
    if x is None or x is pd.NA:
        return None
    assert isinstance(x, Decimal), f"amounts must be exact 万元 decimals, got {x!r}"
    return x


def frac(num, den) -> Fraction | None:
    return None if dec(num) is None else Fraction(dec(num)) * 100 / Fraction(dec(den))


def rounded(f: Fraction | None, decimals: int = 1) -> Decimal | None:
    return None if f is None else round_half_up(f, decimals)


def rows_of(df: pd.DataFrame, entity: str, year: int) -> pd.DataFrame:
    return df[(df["entity_id"] == entity) & (df["year"] == year)].reset_index(drop=True)


def edited(ds: Dataset, edits: list[tuple[str, int, str, str, str, int | None]]) -> Dataset:
    """A copy of ``ds`` with facts set (value ``None``: undisclosed), added or removed.

    Values are given in 0.01万元, as printed (``1600`` is 16.00万元), and stored in 分.

    The loader keeps the facts' text columns as ``category``; they are turned into plain
    strings first so that new values (a basis, a new key) can be written.
    """
    f = ds.facts.copy()
    f = f.astype({c: "str" for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)})
    for ent, year, table, item, code, value in edits:
        hit = (
            (f["entity_id"] == ent)
            & (f["year"] == year)
            & (f["table"] == table)
            & (f["item"] == item)
            & (f["code"] == code)
        )
        if value == "drop":
            f = f[~hit]
            continue
        if not hit.any():
            row = f.iloc[[0]].copy()
            row[["entity_id", "year", "table", "item", "code"]] = [ent, year, table, item, code]
            f = pd.concat([f, row], ignore_index=True)
            hit = pd.Series([False] * (len(f) - 1) + [True], index=f.index)
        f.loc[hit, "value"] = pd.NA if value is None else value * 10_000
        f.loc[hit, "basis"] = "undisclosed" if value is None else "published"
    f["value"] = f["value"].astype("Int64")
    return Dataset(ds.root, {**ds.frames, "facts": f.reset_index(drop=True)}, ds.classification)


# -- the vectorised panel against the exact primitives ---------------------------
def check_shares(panel: pd.DataFrame, ds: Dataset) -> int:
    """Each share row: its exact percent is share(amount, whole) of the figures it names."""
    for p in panel.to_dict("records"):
        expected = em.share(dec(p["amount"]), dec(p["whole"]))
        assert frac(p["share_num"], p["share_den"]) == expected, p
        assert p["share_rounded"] == rounded(expected), p
        if p["status"] in ("missing", "undisclosed"):
            assert pd.isna(p["amount"]), p
    return len(panel)


def check_completion(p: dict, basis: str = "年初预算") -> None:
    c = em.completion(dec(p["actual"]), dec(p["budget"]), basis)
    assert dec(p["delta"]) == c.delta and p["direction"] == c.direction, (p, c)
    assert frac(p["rate_num"], p["rate_den"]) == c.rate, (p, c)
    assert p["rate_rounded"] == c.rate_rounded(1) and p["reason"] == c.reason, (p, c)


def check_change(p: dict, current: str, prior: str, base_label: str = "上年") -> None:
    c = em.change(dec(p[current]), dec(p[prior]), base_label=base_label)
    assert dec(p["delta"]) == c.delta and p["direction"] == c.direction, (p, c)
    assert frac(p["change_num"], p["change_den"]) == c.pct and p["note"] == c.note, (p, c)
    assert p["change_rounded"] == c.pct_rounded(1), (p, c)


def check_dataset(ds: Dataset) -> int:
    """Every row of every panel frame against change/completion/share and the figures; rows."""
    m = all_metrics(ds)
    checked = sum(check_shares(m[k], ds) for k in ("income", "expense", "basic", "procurement"))
    checked += check_shares(m["function"], ds) + check_shares(function_shares(ds, "款"), ds)
    for p in m["completion"].to_dict("records") + m["completion_total"].to_dict("records"):
        check_completion(p)
    for p in completion_panel(ds, basis="budget_adjusted").to_dict("records"):
        check_completion(p, "调整预算")
    for p in m["three_public"].to_dict("records"):
        prior = EntityYear(ds, p["entity_id"], p["year"] - 1).figure("T07", f"{p['item']}_actual")[
            0
        ]
        assert dec(p["prior"]) == prior, p
        c = em.change(dec(p["actual"]), prior)
        assert frac(p["change_num"], p["change_den"]) == c.pct and p["note"] == c.note, p
        assert p["change_rounded"] == rounded(c.pct), p
        rate = em.completion(dec(p["actual"]), dec(p["budget"]), "预算")
        assert frac(p["rate_num"], p["rate_den"]) == rate.rate, p
        total = EntityYear(ds, p["entity_id"], p["year"]).figure("T07", "total_actual")[0]
        assert frac(p["share_num"], p["share_den"]) == em.share(dec(p["actual"]), total), p
    for p in m["ops_cost"].to_dict("records"):
        label = "上年" if p["comparison"] == "上年决算" else p["comparison"]
        check_change(p, "actual", "base", label)
    for p in m["yoy"].to_dict("records"):
        table, item, code = KEY_TOTALS[p["item"]]
        assert (
            dec(p["current"])
            == EntityYear(ds, p["entity_id"], p["year"]).figure(table, item, code)[0]
        )
        prior = EntityYear(ds, p["entity_id"], p["year"] - 1).figure(table, item, code)[0]
        assert dec(p["prior"]) == prior, p
        check_change(p, "current", "prior")
        status = m["totals"].loc[(p["entity_id"], p["year"]), f"{p['item']}_status"]
        assert status == EntityYear(ds, p["entity_id"], p["year"]).figure(table, item, code)[1]
    return checked + len(m["completion"]) + len(m["three_public"]) + len(m["yoy"])


# -- fixtures -----------------------------------------------------------------
@pytest.fixture(scope="module")
def ds(seed_dataset) -> Dataset:
    return seed_dataset


@pytest.fixture(scope="module")
def metrics(ds) -> dict[str, pd.DataFrame]:
    return all_metrics(ds)


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Dataset:
    root = tmp_path_factory.mktemp("panel-synth")
    write_panel(root, 3, 3, first_year=2019, chunk_size=2)
    ds = load_dataset(root)
    e1, e2 = "synth-0001", "synth-0002"
    code = sorted(c for c in ds.facts_for(e1, 2020)["code"] if len(c) == 7)[0]
    return edited(
        ds,
        [
            (e1, 2020, "T05", "budget_initial", code, 1600),  # 100 / 1600 = 6.25 % -> 6.3 %
            (e1, 2020, "T05", "total", code, 100),
            (e1, 2020, "T05", "budget_adjusted", code, -1600),  # negative budget
            (e1, 2021, "ops_cost", "actual", "", -1700),  # negative actual, tie vs 2020
            (e1, 2020, "ops_cost", "actual", "", 1600),  # (-1700 - 1600) / 1600 = -206.25 %
            (e2, 2020, "T03", "basic", "", None),  # undisclosed part
            (e2, 2021, "T01", "income_fiscal", "", "drop"),  # derived from its 3 parts
            (e2, 2021, "T05", "basic", "", "drop"),  # whole = 人员 + 公用
            (e2, 2020, "T05", "total", "201", None),  # undisclosed 类
            (e2, 2020, "procurement", "total", "", 0),  # zero whole: no shares
            (e2, 2019, "T07", "total_actual", "", "drop"),  # missing whole
        ],
    )


# -- golden seed figures ------------------------------------------------------
def test_seed_total_change(metrics):
    r = metrics["yoy"].set_index(["year", "item"]).loc[(2020, "income_grand_total")]
    assert (r["current"], r["prior"], r["delta"]) == (D("335.78"), D("662.95"), D("-327.17"))
    assert r["direction"] == "减少" and r["change_rounded"] == Decimal("-49.4")
    assert (r["change_num"], r["change_den"]) == (D("-327.17"), D("662.95"))


def test_seed_shares(metrics):
    def pcts(name: str) -> list[str]:
        df = metrics[name]
        return [str(p) for p in df.loc[df["year"] == 2020, "share_rounded"] if p is not None]

    assert pcts("income")[0] == "100.0"
    assert pcts("expense")[:2] == ["56.9", "43.1"]
    assert pcts("basic") == ["94.0", "6.0"]
    f = metrics["function"]
    assert list(f["code"]) == ["201", "210"] and list(f["amount"]) == [D("258.47"), D("77.31")]
    assert pcts("function") == ["77.0", "23.0"]


def test_seed_completion(metrics):
    t = metrics["completion_total"].set_index("year").loc[2020]
    assert (t["actual"], t["budget"], str(t["rate_rounded"])) == (D("335.78"), D("200.35"), "167.6")
    c = metrics["completion"].set_index("code")
    assert str(c.loc["2013801", "rate_rounded"]) == "5.0"
    assert (c.loc["2013801", "actual"], c.loc["2013801", "budget"]) == (D("10.00"), D("200.35"))
    for code in ("2010301", "2010306", "2010399", "2100101"):
        r = c.loc[code]
        assert r["rate_rounded"] is None and pd.isna(r["rate_num"]), code
        assert int(r["budget"]) == 0 and r["direction"] == "大于"
        assert r["reason"] == "年初预算为0，无法计算完成率"


def test_seed_ops_cost_and_procurement(metrics):
    o = metrics["ops_cost"]
    o = o[o["year"] == 2020]
    assert list(o["comparison"]) == ["年初预算", "上年决算"]
    assert list(o["delta"]) == [D("-10.18"), D("-32.96")]
    assert list(o["base"]) == [D("21.66"), D("44.44")]
    assert [str(p) for p in o["change_rounded"]] == ["-47.0", "-74.2"]
    p = metrics["procurement"].set_index(["year", "item"]).loc[2020]
    goods, works, services = (p.loc[i, "amount"] for i in ("goods", "works", "services"))
    assert (goods, works, services) == (D("27.47"), D("0.00"), D("18.95"))
    assert p["whole"].iloc[0] == D("46.42") and str(p.loc["sme", "share_rounded"]) == "100.0"


def test_seed_totals_status(ds):
    t = totals_panel(ds, {"ops": ("ops_cost", "budget_initial"), "c": ("T05", "total", "201")},
                     status=True)  # fmt: skip
    assert list(t.index) == ds.pairs()
    assert t["ops"].tolist()[1] == D("21.66") and pd.isna(t["ops"].tolist()[0])
    assert t["ops_status"].tolist() == ["missing", "derived"]
    assert t["c"].tolist()[1] == D("258.47")
    with pytest.raises(ValueError, match="table, item"):
        totals_panel(ds, {"x": ("T01",)})


# -- consistency row by row -----------------------------------------------------
def test_seed_panel_rows_agree_with_exact_primitives(ds):
    assert check_dataset(ds) > 0


def test_seed_with_ties_negatives_and_gaps_is_consistent(ds):
    tie = edited(
        ds,
        [
            (E, 2019, "ops_cost", "actual", "", 1600),  # 1148 vs 1600: -28.25 % -> -28.3 %
            (E, 2020, "ops_cost", "budget_initial", "", -800),  # negative base
            (E, 2020, "T05", "budget_initial", "2013801", 16000),  # 1000 / 16000 = 6.25 %
            (E, 2020, "T03", "project", "", None),
            (E, 2020, "T06", "public_total", "", "drop"),
        ],
    )
    assert check_dataset(tie) > 0
    m = all_metrics(tie)
    o = m["ops_cost"].set_index(["year", "comparison"])
    assert o.loc[(2020, "上年决算"), "change_rounded"] == Decimal("-28.3")
    assert o.loc[(2020, "年初预算"), "change_rounded"] == Decimal("243.5")  # (1148+800)/800
    c = m["completion"].set_index("code")
    assert c.loc["2013801", "rate_rounded"] == Decimal("6.3")
    e = m["expense"].set_index(["year", "item"]).loc[(2020, "project")]
    assert e["status"] == "undisclosed" and e["share_rounded"] is None


def test_synthetic_panel_rows_agree_with_exact_primitives(synth):
    assert check_dataset(synth) > 100
    m = all_metrics(synth)
    c = m["completion"]
    c = c[(c["entity_id"] == "synth-0001") & (c["year"] == 2020)]
    assert Decimal("6.3") in set(c["rate_rounded"])
    o = m["ops_cost"].set_index(["entity_id", "year", "comparison"])
    assert o.loc[("synth-0001", 2021, "上年决算"), "change_rounded"] == Decimal("-206.3")
    inc = m["income"].set_index(["entity_id", "year", "item"])
    assert inc.loc[("synth-0002", 2021, "income_fiscal"), "status"] == "derived"
    p = m["procurement"]
    assert (
        p.loc[(p["entity_id"] == "synth-0002") & (p["year"] == 2020), "share_rounded"].isna().all()
    )


# -- exact rounding -----------------------------------------------------------
def test_round_ratio_matches_money_on_ties_and_signs():
    nums = list(range(-50, 51))
    dens = [d for d in range(-20, 21)] + [None]
    pairs = [(n, d) for n in nums for d in dens]
    num = pd.Series([n for n, _ in pairs], dtype="Int64")
    den = pd.Series([d for _, d in pairs], dtype="Int64")
    for decimals in (0, 1, 2):
        got = ratio_pct_panel(num, den, decimals).tolist()
        want = [ratio_pct(n, d, decimals) for n, d in pairs]
        assert got == want
        assert [None if g is None else str(g) for g in got] == [
            None if w is None else str(w) for w in want
        ]  # same digits, so "-0.0" never appears


def test_round_ratio_known_ties_and_big_numbers():
    big, third = 10**17, 3 * 10**16 + 1  # products overflow int64: exact Python ints are used
    num = pd.Series([1, -1, 1, 3, big, -big], dtype="Int64")
    den = pd.Series([16, 16, 8, 8000, third, third], dtype="Int64")
    assert round_ratio(num, den, 1).tolist()[:4] == [63, -63, 125, 0]  # 6.25, -6.25, 12.5, .0375
    got = ratio_pct_panel(num, den, 2).tolist()[4:]
    assert (
        got
        == [ratio_pct(big, third, 2), ratio_pct(-big, third, 2)]
        == [
            Decimal("333.33"),
            Decimal("-333.33"),
        ]
    )
    with pytest.raises(ValueError, match="ratio"):
        round_ratio(pd.Series([big], dtype="Int64"), pd.Series([1], dtype="Int64"), 2)


def test_shares_panel_validates_and_does_not_mutate(ds):
    before = ds.facts.copy()
    df = shares_panel(ds, "T03", ["basic"], ("T01", "expense_total"), labels={"basic": "基本"})
    assert df["label"].tolist() == ["基本", "基本"] and str(df["share_rounded"].iloc[1]) == "56.9"
    pd.testing.assert_frame_equal(ds.facts, before)
    with pytest.raises(ValueError, match="level"):
        function_shares(ds, "目")
    with pytest.raises(ValueError, match="basis"):
        completion_panel(ds, basis="budget")
    assert income_shares(ds, decimals=None).columns[-1] == "share_den"
    assert {"share_rounded"} <= set(expense_shares(ds).columns) & set(basic_shares(ds).columns)
    assert len(procurement_shares(ds)) == 10 and len(ops_cost_panel(ds)) == 4
    assert len(three_public_panel(ds)) == 12


def test_amount_decimals_look_only_at_money_amounts():
    from pathlib import Path

    from fiscal_analysis.metrics.view import PanelView

    def decimals(values):
        facts = pd.DataFrame(
            {
                "entity_id": ["a"] * 3,
                "year": [2020] * 3,
                "unit": ["万元", "人", "万元"],
                "value": pd.array(values, dtype="Int64"),
            }
        )
        return PanelView(Dataset(root=Path("."), frames={"facts": facts})).amount_decimals

    assert decimals([335_780_000, 3_000_000, None]) == 2
    assert decimals([335_780_000, 1_234_560, None]) == 2  # 1.23456人 is not money
    assert decimals([3_120_540, 3_000_000, None]) == 6  # 3.12054万元 is finer than 0.01万元
