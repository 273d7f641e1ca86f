"""A wrong current figure in a sentence does not make its (correct) change rate look wrong.

"收入支出总计0万元。…减少60.00万元，下降1.96%": the 0 contradicts the 01表 (3000.00) and
is an error; the rate is right against the table (60.00 ÷ (3000.00 + 60.00) = 1.96%).
Recomputing it on the sentence's own 0 (60.00 ÷ 60.00 = 100%) would add a second,
false error that only repeats the first one: the base is the table's figure.
"""

from __future__ import annotations

from fiscal_analysis.checks.text_figures import check_narrative

DOC = """某区某局2024年度部门决算
收入支出决算总表
单位：万元
一、一般公共预算财政拨款收入  3,000.00  一、一般公共服务支出  3,000.00
本年收入合计  3,000.00  本年支出合计  3,000.00
总计  3,000.00  总计  3,000.00
第三部分 某区某局2024年度部门决算情况说明
一、收入支出决算总体情况说明
某区某局2024年度收入支出总计{total}万元。与2023年度相比，收入支出总计减少60.00万元，下降{rate}。
"""


def _n1(total: str, rate: str):
    found = check_narrative(DOC.format(total=total, rate=rate), None, "e", 2024)
    return [f for f in found if f.rule == "N-1"]


def test_the_wrong_total_is_the_only_error():
    n1 = _n1("0", "1.96%")
    errors = [f for f in n1 if f.status == "fail" and f.severity == "error"]
    assert [f.figures["项目"] for f in errors] == ["T01 收入支出总计"]
    assert "说明为0万元，表中为3000万元" in errors[0].message
    rates = [f for f in n1 if "1.96%" in f.message]
    assert [(f.status, f.figures["分母"]) for f in rates] == [("pass", "3060万元")]


def test_a_wrong_rate_is_still_caught_against_the_table():
    rates = [f for f in _n1("0", "2.50%") if "2.50%" in f.message]
    assert [(f.status, f.severity, f.figures["重算"]) for f in rates] == [
        ("fail", "error", "1.96%")
    ]


def test_a_right_sentence_passes_on_its_own_figures():
    n1 = _n1("3,000.00", "1.96%")
    assert not [f for f in n1 if f.status == "fail"]
