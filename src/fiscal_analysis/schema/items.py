"""Tables and their items: every figure a 部门决算 discloses, declared once.

``facts.csv`` holds one figure per row, keyed by ``table`` + ``code`` +
``item``. This module says which tables exist, which items each one has, their
unit and Chinese label, and whether a row carries a classification code.

Items marked ``non_negative`` (totals, the 三公 figures, counts) can never be
below zero; the loader refuses a negative value for them. Other items may be
negative as published (a line written down, a 结余 adjustment).

Code modes:
    * ``none``: the row has no code (a single figure such as 收入总计).
    * ``optional``: a 功能分类/经济分类 code, or blank for the 合计 row.
    * ``required``: a code must be given.

Examples:
    >>> TABLES["T05"].items["budget_initial"].label
    '年初预算数'
    >>> TABLES["T05"].scheme
    'function'
    >>> unit_of("T07", "abroad_actual")
    '万元'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EXPENSE_PARTS",
    "INCOME_FISCAL_PARTS",
    "INCOME_OTHER_PARTS",
    "PROCUREMENT_PARTS",
    "REASON_TOPICS",
    "TABLES",
    "Item",
    "TableSpec",
    "unit_of",
]

WAN = "万元"


@dataclass(frozen=True)
class Item:
    """One column or line of a table."""

    key: str
    label: str
    unit: str = WAN
    codes: str = "none"
    description: str = ""
    non_negative: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A 公开表 or a part of the 情况说明 that carries figures."""

    table: str
    title: str
    scheme: str | None
    items: dict[str, Item]
    section: str = ""


def _items(*specs: tuple, non_negative: bool | tuple[str, ...] = ()) -> dict[str, Item]:
    """Items from tuples; ``non_negative``: all of them (``True``) or these keys."""
    return {
        s[0]: Item(*s, non_negative=non_negative is True or s[0] in (non_negative or ()))
        for s in specs
    }


_FUND_LINES = (
    ("carryover_begin", "年初结转和结余", WAN, "optional"),
    ("income", "本年收入", WAN, "optional"),
    ("expense", "本年支出合计", WAN, "optional"),
    ("basic", "基本支出", WAN, "optional"),
    ("project", "项目支出", WAN, "optional"),
    ("carryover_end", "年末结转和结余", WAN, "optional"),
)

_THREE_PUBLIC_LINES = {
    "total": "“三公”经费合计",
    "abroad": "因公出国（境）费",
    "vehicle": "公务用车购置及运行维护费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
    "reception": "公务接待费",
}

TABLES: dict[str, TableSpec] = {
    t.table: t
    for t in (
        TableSpec(
            "T01",
            "收入支出决算总表",
            "function",
            _items(
                ("income_general_public", "一般公共预算财政拨款收入"),
                ("income_gov_fund", "政府性基金预算财政拨款收入"),
                ("income_soe_capital", "国有资本经营预算财政拨款收入"),
                (
                    "income_fiscal",
                    "财政拨款收入",
                    WAN,
                    "none",
                    "三类财政拨款收入之和（旧格式或文字口径）",
                ),
                ("income_superior_subsidy", "上级补助收入"),
                ("income_business", "事业收入"),
                ("income_operating", "经营收入"),
                ("income_affiliated", "附属单位上缴收入"),
                ("income_other", "其他收入"),
                ("income_total", "本年收入合计"),
                ("nonfiscal_balance_used", "使用非财政拨款结余"),
                ("carryover_begin", "年初结转和结余"),
                ("income_grand_total", "收入总计"),
                (
                    "expense",
                    "支出（功能分类类级）",
                    WAN,
                    "required",
                    "按功能分类「类」列示的本年支出",
                ),
                ("expense_total", "本年支出合计"),
                ("balance_distribution", "结余分配"),
                ("carryover_end", "年末结转和结余"),
                ("expense_grand_total", "支出总计"),
                non_negative=(
                    "income_total",
                    "income_grand_total",
                    "expense_total",
                    "expense_grand_total",
                ),
            ),
            "公开01表",
        ),
        TableSpec(
            "T02",
            "收入决算表",
            "function",
            _items(
                ("total", "本年收入合计", WAN, "optional"),
                ("fiscal", "财政拨款收入", WAN, "optional"),
                ("superior_subsidy", "上级补助收入", WAN, "optional"),
                ("business", "事业收入", WAN, "optional"),
                ("operating", "经营收入", WAN, "optional"),
                ("affiliated", "附属单位上缴收入", WAN, "optional"),
                ("other", "其他收入", WAN, "optional"),
            ),
            "公开02表",
        ),
        TableSpec(
            "T03",
            "支出决算表",
            "function",
            _items(
                ("total", "本年支出合计", WAN, "optional"),
                ("basic", "基本支出", WAN, "optional"),
                ("project", "项目支出", WAN, "optional"),
                ("upper_remit", "上缴上级支出", WAN, "optional"),
                ("operating", "经营支出", WAN, "optional"),
                ("affiliated_subsidy", "对附属单位补助支出", WAN, "optional"),
            ),
            "公开03表",
        ),
        TableSpec(
            "T04",
            "财政拨款收入支出决算总表",
            "function",
            _items(
                ("income_general_public", "一般公共预算财政拨款（收入）"),
                ("income_gov_fund", "政府性基金预算财政拨款（收入）"),
                ("income_soe_capital", "国有资本经营预算财政拨款（收入）"),
                ("income_total", "本年收入合计"),
                ("carryover_begin", "年初财政拨款结转和结余"),
                ("carryover_begin_general_public", "年初结转和结余：一般公共预算财政拨款"),
                ("carryover_begin_gov_fund", "年初结转和结余：政府性基金预算财政拨款"),
                ("carryover_begin_soe_capital", "年初结转和结余：国有资本经营预算财政拨款"),
                ("income_grand_total", "收入总计"),
                ("total", "支出合计（按类；空编码为本年支出合计）", WAN, "optional"),
                ("general_public", "支出：一般公共预算财政拨款", WAN, "optional"),
                ("gov_fund", "支出：政府性基金预算财政拨款", WAN, "optional"),
                ("soe_capital", "支出：国有资本经营预算财政拨款", WAN, "optional"),
                ("carryover_end", "年末财政拨款结转和结余"),
                ("carryover_end_general_public", "年末结转和结余：一般公共预算财政拨款"),
                ("carryover_end_gov_fund", "年末结转和结余：政府性基金预算财政拨款"),
                ("carryover_end_soe_capital", "年末结转和结余：国有资本经营预算财政拨款"),
                ("expense_grand_total", "支出总计"),
                non_negative=("income_total", "income_grand_total", "expense_grand_total"),
            ),
            "公开04表",
        ),
        TableSpec(
            "T05",
            "一般公共预算财政拨款支出决算表",
            "function",
            _items(
                ("total", "支出决算合计", WAN, "optional"),
                ("basic", "基本支出", WAN, "optional"),
                ("project", "项目支出", WAN, "optional"),
                ("budget_initial", "年初预算数", WAN, "optional", "情况说明§五（三）给出"),
                ("budget_adjusted", "调整预算数", WAN, "optional", "部分地区公开"),
            ),
            "公开05表",
        ),
        TableSpec(
            "T06",
            "一般公共预算财政拨款基本支出决算表",
            "economic",
            _items(
                ("amount", "决算数（按经济分类）", WAN, "required"),
                ("personnel_total", "人员经费合计"),
                ("public_total", "公用经费合计"),
            ),
            "公开06表",
        ),
        TableSpec(
            "T07",
            "一般公共预算财政拨款“三公”经费支出决算表",
            None,
            {
                f"{line}_{m}": Item(f"{line}_{m}", f"{label}{mlabel}", non_negative=True)
                for line, label in _THREE_PUBLIC_LINES.items()
                for m, mlabel in (("budget", "预算数"), ("actual", "决算数"))
            },
            "公开07表",
        ),
        TableSpec(
            "T08",
            "政府性基金预算财政拨款收入支出决算表",
            "function",
            _items(*_FUND_LINES),
            "公开08表",
        ),
        TableSpec(
            "T09",
            "国有资本经营预算财政拨款支出决算表",
            "function",
            _items(*_FUND_LINES),
            "公开09表",
        ),
        TableSpec(
            "three_public_counts",
            "“三公”经费相关数量",
            None,
            _items(
                ("abroad_groups", "因公出国（境）团组数", "个"),
                ("abroad_persons", "因公出国（境）人次", "人次"),
                ("reception_batches", "国内公务接待批次", "个"),
                ("reception_persons", "国内公务接待人次", "人次"),
                ("reception_foreign_batches", "外宾接待批次", "个"),
                ("reception_foreign_persons", "外宾接待人次", "人次"),
                ("vehicles_purchased", "购置公务用车数量", "辆"),
                ("vehicles_held", "公务用车保有量", "辆"),
                non_negative=True,
            ),
            "情况说明 七",
        ),
        TableSpec(
            "ops_cost",
            "机关运行经费",
            None,
            _items(
                ("actual", "机关运行经费支出"),
                ("budget_initial", "机关运行经费年初预算数"),
                non_negative=True,
            ),
            "情况说明 其他重要事项",
        ),
        TableSpec(
            "general",
            "一般性支出",
            None,
            _items(("meeting", "会议费"), ("training", "培训费"), non_negative=True),
            "情况说明 其他重要事项",
        ),
        TableSpec(
            "procurement",
            "政府采购支出",
            None,
            _items(
                ("total", "政府采购支出总额"),
                ("goods", "政府采购货物支出"),
                ("works", "政府采购工程支出"),
                ("services", "政府采购服务支出"),
                ("sme", "授予中小企业合同金额"),
                ("micro", "其中：授予小微企业合同金额"),
                non_negative=True,
            ),
            "情况说明 其他重要事项",
        ),
        TableSpec(
            "assets",
            "国有资产占用情况",
            None,
            _items(
                ("vehicles", "车辆", "辆"),
                ("general_equipment_50w", "单位价值50万元以上通用设备", "台（套）"),
                ("special_equipment_100w", "单位价值100万元以上专用设备", "台（套）"),
                ("equipment_100w", "单价100万元（含）以上设备（不含车辆）", "台（套）"),
                non_negative=True,
            ),
            "情况说明 其他重要事项",
        ),
        TableSpec(
            "staffing",
            "机构人员情况",
            None,
            _items(
                ("admin_quota", "行政编制数", "人"),
                ("institution_quota", "事业编制数", "人"),
                ("staff_actual", "实有在职在编人员", "人"),
                ("retirees", "退休人员", "人"),
                non_negative=True,
            ),
            "单位概况 / 绩效自评报告",
        ),
    )
}

#: What a stated reason (主要原因) explains.
REASON_TOPICS: dict[str, str] = {
    "total_change": "收入支出总计与上年相比的变动",
    "fiscal_change": "财政拨款收入支出总计与上年相比的变动",
    "general_public_change": "一般公共预算财政拨款支出与上年相比的变动",
    "budget_variance": "决算数与年初预算数的差异（编码为空时指总体）",
    "three_public_budget": "“三公”经费决算与预算的差异",
    "three_public_change": "“三公”经费与上年相比的变动",
    "ops_cost_budget": "机关运行经费决算与年初预算的差异",
    "ops_cost_change": "机关运行经费与上年相比的变动",
    "gov_fund": "政府性基金预算收支",
    "soe_capital": "国有资本经营预算收支",
}


#: 01表 income rows that together make 财政拨款收入.
INCOME_FISCAL_PARTS = ("income_general_public", "income_gov_fund", "income_soe_capital")
#: 01表 income rows other than 财政拨款收入.
INCOME_OTHER_PARTS = (
    "income_superior_subsidy",
    "income_business",
    "income_operating",
    "income_affiliated",
    "income_other",
)
#: 03表 columns that add up to 本年支出合计.
EXPENSE_PARTS = ("basic", "project", "upper_remit", "operating", "affiliated_subsidy")
#: 政府采购 parts whose share of the total is reported.
PROCUREMENT_PARTS = ("goods", "works", "services", "sme", "micro")


def unit_of(table: str, item: str) -> str:
    """Unit of ``item`` in ``table`` (``万元`` for money)."""
    return TABLES[table].items[item].unit
