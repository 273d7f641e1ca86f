"""Which figure a label in the 情况说明 names, per section.

A label is the text just before a number, e.g. "其中：财政拨款收入" before
"335.78万元". Each section has its own small list of (pattern, keys); the
first pattern found in the label wins. Keys are ``(table, code, item)``.

Examples:
    >>> keys_for("income", "其中：财政拨款收入")
    [('T01', '', 'income_fiscal')]
    >>> keys_for("expense", "本年支出合计")
    [('T01', '', 'expense_total'), ('T03', '', 'total')]
    >>> three_public_subject("公务用车购置费及运行维护费支出预算为")
    'vehicle'
    >>> class_code("卫生健康支出（类）")
    '210'
"""

from __future__ import annotations

import re
from functools import cache

from fiscal_analysis.schema.classification import Classification

__all__ = [
    "CHANGE_WORDS",
    "DEFAULT_DENOMINATOR",
    "Key",
    "class_code",
    "keys_for",
    "three_public_subject",
]

Key = tuple[str, str, str]

CHANGE_WORDS = ("增加", "减少", "增长", "下降", "降低", "上升", "持平")

_TOTAL = [("T01", "", "income_grand_total"), ("T01", "", "expense_grand_total")]
_FISCAL = [("T04", "", "income_grand_total"), ("T04", "", "expense_grand_total")]

_FUND_RULES = {
    fund: (
        (r"年初结转和结余", [(table, "", "carryover_begin")]),
        (r"年末结转和结余", [(table, "", "carryover_end")]),
        (r"基本支出", [(table, "", "basic")]),
        (r"项目支出", [(table, "", "project")]),
        (r"收入", [(table, "", "income")]),
        (r"支出", [(table, "", "expense")]),
    )
    for fund, table in (("gov_fund", "T08"), ("soe", "T09"))
}

RULES: dict[str, tuple[tuple[str, list[Key]], ...]] = {
    "total": (
        (r"收支总计|收入支出总计", _TOTAL),
        (r"收入总计", _TOTAL[:1]),
        (r"支出总计", _TOTAL[1:]),
        (
            r"本年收入合计|收入合计|本年收入(?:共计|总额|为|是)?$|^(?:\d{4}年度?)?收入总额",
            [("T01", "", "income_total")],
        ),
        (r"本年支出合计|支出合计", [("T01", "", "expense_total"), ("T03", "", "total")]),
    ),
    "fiscal_total": (
        (r"收支总计|收入支出总计", _FISCAL),
        (r"收入总计", _FISCAL[:1]),
        (r"支出总计", _FISCAL[1:]),
    ),
    **_FUND_RULES,
    "income": (
        (
            r"本年收入合计|收入合计|本年收入(?:共计|总额|为|是)?$|^(?:\d{4}年度?)?收入总额",
            [("T01", "", "income_total")],
        ),
        (r"一般公共预算财政拨款收入", [("T01", "", "income_general_public")]),
        (r"政府性基金预算财政拨款收入", [("T01", "", "income_gov_fund")]),
        (r"财政拨款收入", [("T01", "", "income_fiscal")]),
        (r"上级补助收入", [("T01", "", "income_superior_subsidy")]),
        (r"事业收入", [("T01", "", "income_business")]),
        (r"经营收入", [("T01", "", "income_operating")]),
        (r"附属单位上缴收入", [("T01", "", "income_affiliated")]),
        (r"其他收入", [("T01", "", "income_other")]),
        (r"使用非财政拨款结余", [("T01", "", "nonfiscal_balance_used")]),
        (r"年初结转和结余", [("T01", "", "carryover_begin")]),
    ),
    "expense": (
        (
            r"本年支出合计|支出合计|本年支出(?:共计|总额|为|是)?$|^(?:\d{4}年度?)?支出总额",
            [("T01", "", "expense_total"), ("T03", "", "total")],
        ),
        (r"基本支出", [("T03", "", "basic")]),
        (r"项目支出", [("T03", "", "project")]),
        (r"经营支出", [("T03", "", "operating")]),
        (r"上缴上级支出", [("T03", "", "upper_remit")]),
        (r"对附属单位补助支出", [("T03", "", "affiliated_subsidy")]),
    ),
    "gp_total": (
        (r"一般公共预算财政拨款支出", [("T05", "", "total"), ("T04", "", "general_public")]),
    ),
    "gp_structure": ((r"一般公共预算财政拨款支出", [("T05", "", "total")]),),
    "basic": (
        (r"人员经费", [("T06", "", "personnel_total")]),
        (r"公用经费", [("T06", "", "public_total")]),
        (r"基本支出", [("T05", "", "basic")]),
    ),
    "ops_cost": ((r"机关运行经费", [("ops_cost", "", "actual")]),),
    "general": (
        (r"会议费", [("general", "", "meeting")]),
        (r"培训费", [("general", "", "training")]),
    ),
    "procurement": (
        (r"预留|中标|成交", []),
        (r"授予小微企业", [("procurement", "", "micro")]),
        (r"授予中小企业", [("procurement", "", "sme")]),
        (r"货物", [("procurement", "", "goods")]),
        (r"工程", [("procurement", "", "works")]),
        (r"服务", [("procurement", "", "services")]),
        (r"政府采购.*(?:总额|金额)|采购总额", [("procurement", "", "total")]),
    ),
    "assets": (
        (r"(?:共有|实有)?车辆$", [("assets", "", "vehicles")]),
        (r"通用设备", [("assets", "", "general_equipment_50w")]),
        (r"专用设备", [("assets", "", "special_equipment_100w")]),
        (r"设备", [("assets", "", "equipment_100w")]),
    ),
    "annex": (
        (
            r"一般公共预算财政拨款收入",
            [("T01", "", "income_general_public"), ("T04", "", "income_general_public")],
        ),
        (r"年初预算", [("T05", "", "budget_initial")]),
        (r"一般公共预算财政拨款支出", [("T05", "", "total")]),
        (r"^项目支出", [("T05", "", "project")]),
        (r"^基本支出", [("T05", "", "basic")]),
        (r"^人员经费", [("T06", "", "personnel_total")]),
        (r"^公用经费", [("T06", "", "public_total")]),
        (r"行政编制", [("staffing", "", "admin_quota")]),
        (r"事业编制", [("staffing", "", "institution_quota")]),
        (r"实有在职在编人员$", [("staffing", "", "staff_actual")]),
    ),
}
RULES["gp"] = RULES["gp_total"]

#: Denominator of a bare "占XX%" in each section (reference §3.4).
DEFAULT_DENOMINATOR: dict[str, Key] = {
    "income": ("T01", "", "income_total"),
    "expense": ("T01", "", "expense_total"),
    "gp_total": ("T01", "", "expense_total"),
    "gp": ("T01", "", "expense_total"),
    "gp_structure": ("T05", "", "total"),
    "basic": ("T05", "", "basic"),
    "three_public": ("T07", "", "total_actual"),
    "procurement": ("procurement", "", "total"),
}

SUBJECTS = (
    (r"公务用车购置(?:费)?及运行(?:维护)?费", "vehicle"),
    (r"公务用车购置", "vehicle_purchase"),
    (r"公务用车运行", "vehicle_operation"),
    (r"因公出国", "abroad"),
    (r"接待", "reception"),
    (r"三公", "total"),
)


def three_public_subject(label: str) -> str | None:
    """Which 三公 line a label is about (``total``, ``abroad``, ``vehicle`` …)."""
    for pattern, subject in SUBJECTS:
        if re.search(pattern, label):
            return subject
    return None


#: 类 names of earlier editions of the classification, still printed by some documents.
_OLD_CLASS_NAMES = {
    "医疗卫生与计划生育支出": "210",
    "文化体育与传媒支出": "207",
    "国土海洋气象等支出": "220",
}


@cache
def _class_names() -> dict[str, str]:
    func = Classification.builtin().function
    return {n: c for c, n in func.items() if len(c) == 3} | _OLD_CLASS_NAMES


def class_code(label: str, extra: dict[str, str] | None = None) -> str | None:
    """The 类 code of a label "XX支出（类）", or of a bare or quoted class name.

    ``extra`` maps further 类 names (as a document's tables print them) to codes.

    Examples:
        >>> class_code("1.“教育”"), class_code("教育支出"), class_code("农林水")
        ('205', '205', '213')
        >>> class_code("其中：财政拨款收入") is None
        True
    """
    names = {**_class_names(), **(extra or {})}
    clean = re.sub(r"^[.．、\s]*(?:其中[:：]?)?(?:\d+[、.．])?|[“”\"‘’]", "", label)
    m = re.search(r"([^，。；：、]+?)（类）(支出)?$", clean)
    if m:
        name = m.group(1) + (m.group(2) or "")
        hit = names.get(name) or next((c for n, c in names.items() if name.endswith(n)), None)
        bare = name.removesuffix("支出")
        return hit or next((c for n, c in names.items() if n.removesuffix("支出") == bare), None)
    core = clean.strip("：:，")
    core = core.removesuffix("方面").removesuffix("的")
    if len(core) < 2 or re.search(r"合计|总计|财政拨款|预算|决算", core):
        return None
    for name, code in names.items():
        if core in (name, name.removesuffix("支出")):
            return code
    return None


def keys_for(section: str, label: str, extra: dict[str, str] | None = None) -> list[Key]:
    """The figures a label names in ``section`` (empty if not recognised)."""
    if section == "gp_structure":
        code = class_code(label, extra)
        if code:
            return [("T05", code, "total")]
    for pattern, keys in RULES.get(section, ()):
        if re.search(pattern, label):
            return list(keys)
    return []
