"""The 情况说明 sentences of §七–§十一: 三公经费, 机关运行经费, 政府采购, 政府性基金/国有资本经营.

Pure functions of metric objects and Decimals, like :mod:`fiscal_analysis.narrative.sentences`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from fiscal_analysis.metrics.exact import Change, Completion, change, completion, share  # noqa: F401 (doctests)
from fiscal_analysis.money import format_amount, format_pct
from fiscal_analysis.narrative.clauses import change_clause, rate_clause, reason_clause

__all__ = [
    "fund_sentence",
    "ops_cost_sentence",
    "procurement_sentence",
    "three_public_sentence",
]

_FUNDS = {"gov_fund": "政府性基金预算", "soe_capital": "国有资本经营预算"}


def three_public_sentence(
    year: int,
    total: Completion,
    total_change: Change,
    items: Sequence[tuple[str, Completion, Change]],
    decimals: int = 1,
    unit_name: str = "",
) -> str:
    """§七（一）: 预算, 决算, completion and change for the total and each item.

    With no budget and no spending it uses the template's 无 wording.

    Examples:
        >>> z = Decimal("0")
        >>> three_public_sentence(2020, completion(z, z, "预算"), change(z, z), [])
        '2020年度无“三公”经费财政拨款支出：预算为0万元，支出决算为0万元，与上年持平。'
    """
    if total.actual == 0 and not total.budget:
        budget = "" if total.budget is None else f"预算为{format_amount(total.budget)}，"
        clause = change_clause(total_change, decimals, base="比上年")
        return f"{unit_name}{year}年度无“三公”经费财政拨款支出：{budget}支出决算为0万元，{clause}。"

    def part(label: str, comp: Completion, chg: Change) -> str:
        budget = "" if comp.budget is None else f"预算为{format_amount(comp.budget)}，"
        head = f"{label}支出{budget}支出决算为{format_amount(comp.actual)}"
        return f"{head}{rate_clause(comp, decimals)}，{change_clause(chg, decimals, base='比上年')}"

    body = part("“三公”经费财政拨款", total, total_change)
    details = "；".join(part(*i) for i in items)
    return f"{body}，其中：{details}。" if details else f"{body}。"


def ops_cost_sentence(
    year: int,
    vs_budget: Change,
    vs_prior: Change,
    decimals: int = 1,
    reason_budget: str | None = None,
    reason_prior: str | None = None,
) -> str:
    """§十一（一）: ``…机关运行经费支出11.48万元，比年初预算数减少10.18万元，降低47.0%；…``

    Examples:
        >>> a = Decimal("11.48")
        >>> ops_cost_sentence(2020, change(a, Decimal("21.66"), base_label="年初预算"),
        ...                   change(a, Decimal("44.44")))
        '2020年度机关运行经费支出11.48万元，比年初预算数减少10.18万元，降低47.0%；比上年决算数减少32.96万元，降低74.2%。'
    """
    actual = vs_budget.current if vs_budget.current is not None else vs_prior.current
    if actual is None:
        return "缺少机关运行经费数据。"
    if actual == 0 and not vs_prior.prior:
        return f"{year}年度无机关运行经费支出。"
    parts, missing = [], []
    for c, base, reason in (
        (vs_budget, "年初预算数", reason_budget),
        (vs_prior, "上年决算数", reason_prior),
    ):
        if c.prior is None:
            missing.append(base)
            continue
        clause = change_clause(
            c, decimals, base=f"比{base}", flat=f"与{base}持平", verbs=("增长", "降低")
        )
        parts.append(clause + (reason_clause(reason) if c.direction != "持平" else ""))
    body = "，" + "；".join(parts) if parts else ""
    if missing:
        body += f"（缺少{'和'.join(missing)}，无法比较）"
    return f"{year}年度机关运行经费支出{format_amount(actual)}{body}。"


def procurement_sentence(
    year: int,
    total: Decimal | None,
    goods: Decimal | None,
    works: Decimal | None,
    services: Decimal | None,
    sme: Decimal | None = None,
    micro: Decimal | None = None,
    decimals: int = 1,
) -> str:
    """§十一（三）: amounts by kind and the share awarded to 中小企业 / 小微企业.

    Examples:
        >>> d = Decimal
        >>> procurement_sentence(2020, d("46.42"), d("27.47"), d("0"), d("18.95"), d("46.42"))
        '2020年度政府采购支出总额46.42万元，其中：政府采购货物支出27.47万元、政府采购工程支出0万元、政府采购服务支出18.95万元。授予中小企业合同金额46.42万元，占政府采购支出总额的100.0%。'
    """
    if total is None:
        return "缺少政府采购支出数据。"
    if total == 0:
        return f"{year}年度无政府采购支出。"
    kinds = [
        f"政府采购{k}支出{format_amount(v)}"
        for k, v in (("货物", goods), ("工程", works), ("服务", services))
        if v is not None
    ]
    text = f"{year}年度政府采购支出总额{format_amount(total)}"
    text += f"，其中：{'、'.join(kinds)}。" if kinds else "。"
    if sme is not None:
        ratio = format_pct(share(sme, total), decimals)
        text += f"授予中小企业合同金额{format_amount(sme)}，占政府采购支出总额的{ratio}"
        if micro is not None:
            ratio = format_pct(share(micro, total), decimals)
            text += (
                f"，其中：授予小微企业合同金额{format_amount(micro)}，占政府采购支出总额的{ratio}"
            )
        text += "。"
    return text


def fund_sentence(
    year: int, kind: str, income: Decimal | None, expense: Decimal | None, empty: bool = False
) -> str:
    """§八/§九: ``本年度无政府性基金预算财政拨款收支。`` or the amounts.

    ``kind`` is ``gov_fund`` or ``soe_capital``; ``empty`` marks a table
    published empty.

    Examples:
        >>> fund_sentence(2020, "gov_fund", Decimal("0"), Decimal("0"))
        '本年度无政府性基金预算财政拨款收支。'
        >>> fund_sentence(2020, "soe_capital", None, Decimal("3.5"))
        '2020年度国有资本经营预算财政拨款支出3.5万元。'
    """
    name = _FUNDS[kind]
    if empty or (not income and not expense):
        return f"本年度无{name}财政拨款收支。"
    parts = [
        f"{w}{format_amount(v)}" for w, v in (("收入", income), ("支出", expense)) if v is not None
    ]
    return f"{year}年度{name}财政拨款{'，'.join(parts)}。"
