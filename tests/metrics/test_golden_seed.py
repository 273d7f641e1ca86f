"""Every golden figure of the seed document, recomputed through the dataset.

The seed is 株洲市芦淞区行政审批服务局 2020年度部门决算 (data/raw/). Each
figure is computed from data/ by the library; the expected values are the ones
printed in the seed. Where the library writes a sentence, it is also checked
against the seed text itself.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from fiscal_analysis import metrics
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics.pefa import outturn
from fiscal_analysis.money import format_pct
from fiscal_analysis.narrative.describe import describe

ROOT = Path(__file__).resolve().parents[2]
E, Y = "lusong-xzsp", 2020
D = Decimal


@pytest.fixture(scope="module")
def ds():
    return load_dataset(ROOT / "data")


@pytest.fixture(scope="module")
def seed_text() -> str:
    raw = (ROOT / "data" / "raw" / "lusong-xzsp-2020.txt").read_text(encoding="utf-8")
    return re.sub(r"\s+", "", raw)


def test_total_and_yoy(ds):
    c = metrics.yoy_for(ds.entity_year(E, Y), "T01", "income_grand_total")
    assert (c.current, c.prior, c.delta) == (D("335.78"), D("662.95"), D("-327.17"))
    assert c.direction == "减少"
    assert format_pct(abs(c.pct)) == "49.4%"
    assert metrics.yoy_for(ds.entity_year(E, Y), "T01", "expense_grand_total").delta == D("-327.17")
    assert (
        format_pct(metrics.yoy_for(ds.entity_year(E, Y), "T04", "income_grand_total").pct)
        == "-49.4%"
    )


def test_income_fiscal_share(ds):
    row = metrics.income_structure(ds.entity_year(E, Y)).set_index("item").loc["income_fiscal"]
    assert row["amount"] == D("335.78")
    assert format_pct(row["share"]) == "100.0%"


def test_basic_project_shares(ds):
    df = metrics.expense_structure(ds.entity_year(E, Y)).set_index("item")
    assert (df.loc["basic", "amount"], df.loc["project", "amount"]) == (D("190.92"), D("144.86"))
    assert format_pct(df.loc["basic", "share"]) == "56.9%"
    assert format_pct(df.loc["project", "share"]) == "43.1%"


def test_function_class_shares(ds):
    df = metrics.function_structure(ds.entity_year(E, Y), level="类").set_index("code")
    assert df.loc["201", "amount"] == D("258.47") and df.loc["210", "amount"] == D("77.31")
    assert format_pct(df.loc["201", "share"]) == "77.0%"
    assert format_pct(df.loc["210", "share"]) == "23.0%"
    assert sum(df["share"], Fraction(0)) == 100


def test_completion(ds):
    c = metrics.total_completion(ds.entity_year(E, Y))
    assert (c.actual, c.budget) == (D("335.78"), D("200.35"))
    assert format_pct(c.rate) == "167.6%"
    df = metrics.budget_completion(ds.entity_year(E, Y)).set_index("code")
    assert format_pct(df.loc["2013801", "rate"]) == "5.0%"
    assert (df.loc["2013801", "actual"], df.loc["2013801", "budget"]) == (D("10"), D("200.35"))
    for code, actual in (
        ("2010301", "99.2"),
        ("2010306", "26"),
        ("2010399", "123.27"),
        ("2100101", "77.31"),
    ):
        assert df.loc[code, "budget"] == 0 and df.loc[code, "actual"] == D(actual)
        assert df.loc[code, "rate"] is None
        assert df.loc[code, "reason"] == "年初预算为0，无法计算完成率"


def test_personnel_public_shares(ds):
    df = metrics.basic_structure(ds.entity_year(E, Y)).set_index("item")
    assert df.loc["personnel_total", "amount"] == D("179.44")
    assert df.loc["public_total", "amount"] == D("11.48")
    assert format_pct(df.loc["personnel_total", "share"]) == "94.0%"
    assert format_pct(df.loc["public_total", "share"]) == "6.0%"


def test_ops_cost(ds):
    df = metrics.ops_cost(ds.entity_year(E, Y)).set_index("comparison")
    budget, prior = df.loc["年初预算"], df.loc["上年决算"]
    assert (budget["base"], budget["delta"]) == (D("21.66"), D("-10.18"))
    assert format_pct(budget["change"]) == "-47.0%"
    assert (prior["base"], prior["delta"]) == (D("44.44"), D("-32.96"))
    assert format_pct(prior["change"]) == "-74.2%"


def test_procurement(ds):
    df = metrics.procurement(ds.entity_year(E, Y)).set_index("item")
    parts = [df.loc[k, "amount"] for k in ("goods", "works", "services")]
    assert parts == [D("27.47"), D("0"), D("18.95")]
    assert sum(parts, D(0)) == df.attrs["total"] == D("46.42")
    assert format_pct(df.loc["sme", "share"]) == "100.0%"
    assert format_pct(df.loc["micro", "share"]) == "100.0%"


def test_projects_add_up_to_project_spending(ds):
    df = metrics.project_structure(ds.entity_year(E, Y))
    assert list(df["amount"]) == [D("26"), D("72.02"), D("46.84")]
    assert df.attrs["sum"] == df.attrs["total"] == D("144.86")


def test_three_public_all_zero_and_flat(ds):
    df = metrics.three_public(ds.entity_year(E, Y)).set_index("item")
    for line in ("total", "abroad", "reception", "vehicle"):
        assert df.loc[line, "actual"] == 0 and df.loc[line, "budget"] == 0
        assert df.loc[line, "direction"] == "持平"


def test_pefa_worked_example():
    o = outturn([90, 60, 60], [100, 50, 50])
    assert (format_pct(o.composition, 2), o.composition_band) == ("14.29%", "C")
    assert (format_pct(o.aggregate), o.aggregate_band) == ("105.0%", "A")


@pytest.mark.parametrize(
    ("section", "fragment"),
    [
        ("total", "2020年度收、支总计335.78万元。与上年相比，减少327.17万元"),
        ("income", "本年收入合计335.78万元，其中：财政拨款收入335.78万元，占100.0%"),
        (
            "expense",
            "本年支出合计335.78万元，其中：基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%",
        ),
        (
            "function",
            "一般公共服务支出（类）258.47万元，占77.0%；卫生健康支出（类）77.31万元，占23.0%",
        ),
        (
            "completion",
            "年初预算为200.35万元，支出决算为10万元，完成年初预算的5.0%，决算数小于年初预算数",
        ),
        ("completion", "年初预算为0万元，支出决算为123.27万元，决算数大于年初预算数"),
        ("basic", "人员经费179.44万元，占基本支出的94.0%"),
        ("basic", "公用经费11.48万元，占基本支出的6.0%"),
        ("ops_cost", "2020年度机关运行经费支出11.48万元，比年初预算数减少10.18万元，降低47.0%"),
        ("ops_cost", "比上年决算数减少32.96万元，降低74.2%"),
        (
            "procurement",
            "政府采购货物支出27.47万元、政府采购工程支出0万元、政府采购服务支出18.95万元",
        ),
        ("procurement", "授予中小企业合同金额46.42万元，占政府采购支出总额的100.0%"),
    ],
)
def test_generated_sentences_match_seed(ds, seed_text, section, fragment):
    generated = describe(ds.entity_year(E, Y))[section]
    assert fragment in generated
    assert fragment in seed_text
