"""Narrative sentences: template wording, zero bases in words, rounding at presentation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.metrics.exact import change, completion, shares
from fiscal_analysis.narrative.clauses import change_clause
from fiscal_analysis.narrative.describe import SECTIONS, describe
from fiscal_analysis.narrative.sentences import (
    basic_sentence,
    completion_sentence,
    function_sentence,
    item_entry,
    item_sentence,
    structure_sentence,
    total_sentence,
)
from fiscal_analysis.narrative.topics import (
    fund_sentence,
    ops_cost_sentence,
    procurement_sentence,
    three_public_sentence,
)

DATA = Path(__file__).resolve().parents[2] / "data"
D = Decimal


@pytest.fixture(scope="module")
def text():
    return describe(load_dataset(DATA).entity_year("lusong-xzsp", 2020))


def test_total_sentence_decrease():
    c = change(D("335.78"), D("662.95"))
    assert total_sentence(2020, c).startswith(
        "2020年度收、支总计335.78万元。与上年相比，减少327.17万元，下降49.4%"
    )
    assert "下降49.35%" in total_sentence(2020, c, 2)


def test_total_sentence_increase_flat_and_reason():
    up = total_sentence(2021, change(D("110"), D("100")), reason="业务增加。")
    assert (
        up == "2021年度收、支总计110万元。与上年相比，增加10万元，增长10.0%，主要原因是：业务增加。"
    )
    flat = total_sentence(2021, change(D("100"), D("100")), reason="不应出现")
    assert flat == "2021年度收、支总计100万元。与上年持平。"


def test_zero_base_never_says_growth_100():
    s = change_clause(change(D("26"), D("0")))
    assert "增长1" not in s and "%" not in s
    assert s == "与上年相比，增加26万元（上年为0，无法计算增长率）"


def test_structure_sentences():
    parts = shares(
        {"basic": D("190.92"), "project": D("144.86"), "operating": D("0")},
        D("335.78"),
        {"basic": "基本支出", "project": "项目支出", "operating": "经营支出"},
    )
    assert structure_sentence("本年支出合计", D("335.78"), parts) == (
        "本年支出合计335.78万元，其中：基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%。"
    )
    cats = shares(
        {"201": D("258.47"), "210": D("77.31")},
        D("335.78"),
        {"201": "一般公共服务支出（类）", "210": "卫生健康支出（类）"},
    )
    assert function_sentence(2020, D("335.78"), cats) == (
        "2020年度一般公共预算财政拨款支出335.78万元，主要用于以下方面："
        "一般公共服务支出（类）258.47万元，占77.0%；卫生健康支出（类）77.31万元，占23.0%。"
    )


def test_completion_sentences():
    overall = completion_sentence(2020, completion(D("335.78"), D("200.35")))
    assert "年初预算为200.35万元，支出决算为335.78万元，完成年初预算的167.6%" in overall
    zero = item_sentence(completion(D("99.2"), D("0")))
    assert zero.startswith("年初预算为0万元，支出决算为99.2万元，决算数大于年初预算数")
    assert "无法计算完成率" in zero and "%" not in zero
    low = item_sentence(completion(D("10"), D("200.35")))
    assert low.startswith(
        "年初预算为200.35万元，支出决算为10万元，完成年初预算的5.0%，决算数小于年初预算数"
    )
    entry = item_entry(
        4,
        "一般公共服务支出（类）市场监督管理事务（款）行政运行（项）",
        completion(D("10"), D("200.35")),
    )
    assert entry.startswith(
        "4. 一般公共服务支出（类）市场监督管理事务（款）行政运行（项）。年初预算为200.35万元"
    )


def test_basic_sentence():
    s = basic_sentence(2020, D("190.92"), D("179.44"), D("11.48"))
    assert "人员经费179.44万元，占基本支出的94.0%" in s
    assert "公用经费11.48万元，占基本支出的6.0%" in s


def test_three_public_sentences():
    z = D("0")
    none = three_public_sentence(2020, completion(z, z, "预算"), change(z, z), [])
    assert none.startswith("2020年度无“三公”经费财政拨款支出") and "与上年持平" in none
    items = [("公务接待费", completion(D("1.5"), D("2"), "预算"), change(D("1.5"), D("3")))]
    s = three_public_sentence(
        2021, completion(D("1.5"), D("2"), "预算"), change(D("1.5"), D("3")), items
    )
    assert "支出预算为2万元，支出决算为1.5万元，完成预算的75.0%，比上年减少1.5万元，下降50.0%" in s
    assert "其中：公务接待费支出预算为2万元" in s


def test_ops_cost_sentence():
    a = D("11.48")
    s = ops_cost_sentence(2020, change(a, D("21.66"), base_label="年初预算"), change(a, D("44.44")))
    assert "比年初预算数减少10.18万元，降低47.0%；比上年决算数减少32.96万元，降低74.2%" in s
    same = ops_cost_sentence(2020, change(a, a), change(a, a))
    assert "与年初预算数持平" in same and "与上年决算数持平" in same


def test_procurement_and_funds():
    s = procurement_sentence(
        2020, D("46.42"), D("27.47"), D("0"), D("18.95"), D("46.42"), D("46.42")
    )
    assert s.endswith("占政府采购支出总额的100.0%。")
    assert "政府采购工程支出0万元" in s
    assert procurement_sentence(2020, D("0"), None, None, None) == "2020年度无政府采购支出。"
    assert fund_sentence(2020, "gov_fund", D("0"), D("0")) == "本年度无政府性基金预算财政拨款收支。"
    assert fund_sentence(2020, "soe_capital", None, None, empty=True) == (
        "本年度无国有资本经营预算财政拨款收支。"
    )
    assert fund_sentence(2020, "gov_fund", D("5"), D("4.5")) == (
        "2020年度政府性基金预算财政拨款收入5万元，支出4.5万元。"
    )


def test_describe_seed(text):
    assert list(text) == list(SECTIONS)
    assert text["total"].startswith(
        "2020年度收、支总计335.78万元。与上年相比，减少327.17万元，下降49.4%"
    )
    assert text["income"] == "本年收入合计335.78万元，其中：财政拨款收入335.78万元，占100.0%。"
    assert (
        "一般公共服务支出（类）258.47万元，占77.0%；卫生健康支出（类）77.31万元，占23.0%"
        in (text["function"])
    )
    lines = text["completion"].splitlines()
    assert len(lines) == 6 and "完成年初预算的167.6%" in lines[0]
    assert "年初预算为0万元，支出决算为99.2万元，决算数大于年初预算数" in lines[1]
    assert (
        "年初预算为200.35万元，支出决算为10万元，完成年初预算的5.0%，决算数小于年初预算数"
        in lines[4]
    )
    assert sum("无法计算完成率" in line for line in lines) == 4
    assert "主要包括基本工资、津贴补贴" in text["basic"]
    assert "比上年决算数减少32.96万元，降低74.2%" in text["ops_cost"]
    assert (
        "政府采购货物支出27.47万元、政府采购工程支出0万元、政府采购服务支出18.95万元"
        in (text["procurement"])
    )
    assert text["gov_fund"] == "本年度无政府性基金预算财政拨款收支。"
    assert text["three_public"].endswith("与上年持平。")


def test_describe_two_decimals():
    text2 = describe(load_dataset(DATA).entity_year("lusong-xzsp", 2020), decimals=2)
    assert "下降49.35%" in text2["total"]
    assert "占56.86%" in text2["expense"]


def test_describe_2019_says_what_is_missing():
    text = describe(load_dataset(DATA).entity_year("lusong-xzsp", 2019))
    assert text["total"] == "2019年度收、支总计662.95万元。缺少上年数据，无法比较。"
    assert text["income"] == "缺少本年收入合计数据。"
    assert "缺少年初预算数和上年决算数" in text["ops_cost"]
    assert all("nan" not in v.lower() and "None" not in v for v in text.values())


def test_describe_quotes_the_first_stated_reason_of_the_year_per_topic_and_code():
    from dataclasses import replace

    import pandas as pd

    ds = load_dataset(DATA)
    r = ds.reasons
    extra = r[(r["topic"] == "budget_variance") & (r["code"] == "2010301")].copy()
    first, other_year = (
        extra.assign(text="先列出的原因。"),
        extra.assign(year=2019, text="上年原因。"),
    )
    reasons = pd.concat([first, other_year, r], ignore_index=True)
    text = describe(
        replace(ds, frames={**ds.frames, "reasons": reasons}).entity_year("lusong-xzsp", 2020)
    )
    items = text["completion"].splitlines()
    assert items[1].endswith("主要原因是：先列出的原因。") and "上年原因" not in text["completion"]
    assert items[2].endswith("主要原因是：在执行过程中细化功能科目。")
    assert text["ops_cost"] == describe(ds.entity_year("lusong-xzsp", 2020))["ops_cost"]


def test_basic_sentence_lists_the_published_kuan_not_their_lei():
    """06表 read in full (普陀 财政局 2024): 「主要包括」 names the 款 spent on, in table order."""
    ey = load_dataset(DATA).entity_year("putuo-czj", 2024)
    basic = describe(ey)["basic"]
    assert "人员经费2152.26万元，占基本支出的92.1%，主要包括基本工资、津贴补贴、" in basic
    assert "公用经费184.65万元，占基本支出的7.9%，主要包括办公费、印刷费、" in basic
    # 类 (工资福利支出, 商品和服务支出 …) are the groups, not items; blank 款 (奖金) are not spent
    items = [x for part in basic.split("主要包括")[1:] for x in part.split("；")[0].split("、")]
    for word in ("工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出", "奖金"):
        assert word not in items
    assert items[-1] == "办公设备购置。" and "其他工资福利支出" in items
