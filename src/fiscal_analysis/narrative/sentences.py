"""The 情况说明 sentences, in the national template's wording, from exact metrics.

Every function here is pure: it takes metric objects (:class:`Change`,
:class:`Completion`, :class:`Share`) or Decimals and returns Chinese text.
Amounts are written like the disclosures (``99.2万元``, ``26万元``); percents
are rounded half up only here, with ``decimals`` decimals (1 by default; some
regions print 2). A zero or missing base never gets a rate: the sentence says
so in words (``上年为0，无法计算增长率``, ``年初预算为0，无法计算完成率``).
:func:`fiscal_analysis.narrative.describe.describe` assembles them for a Dataset.
The shared clauses live in :mod:`fiscal_analysis.narrative.clauses` and the
§七–§十一 sentences in :mod:`fiscal_analysis.narrative.topics`.

Examples:
    >>> c = change(Decimal("335.78"), Decimal("662.95"))
    >>> total_sentence(2020, c)
    '2020年度收、支总计335.78万元。与上年相比，减少327.17万元，下降49.4%。'
    >>> item_sentence(completion(Decimal("99.2"), Decimal("0")))
    '年初预算为0万元，支出决算为99.2万元，决算数大于年初预算数（年初预算为0，无法计算完成率）。'
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from fiscal_analysis.metrics.exact import (  # noqa: F401
    Change,
    Completion,
    Share,
    change,
    completion,
    share,
    shares,
)
from fiscal_analysis.money import format_amount, format_pct
from fiscal_analysis.narrative.clauses import change_clause, rate_clause, reason_clause

__all__ = [
    "basic_sentence",
    "completion_sentence",
    "function_sentence",
    "general_public_sentence",
    "item_entry",
    "item_sentence",
    "structure_sentence",
    "total_sentence",
]


def total_sentence(
    year: int,
    c: Change,
    decimals: int = 1,
    *,
    subject: str = "收、支总计",
    reason: str | None = None,
    unit_name: str = "",
) -> str:
    """§一/§四: ``2020年度收、支总计335.78万元。与上年相比，减少327.17万元，下降49.4%。``"""
    head = f"{unit_name}{year}年度{subject}{format_amount(c.current)}。"
    clause = change_clause(c, decimals)
    tail = reason_clause(reason) if c.direction not in (None, "持平") else ""
    return f"{head}{clause}{tail}。"


def structure_sentence(
    head: str, total: Decimal | None, parts: Sequence[Share], decimals: int = 1, *, of: str = ""
) -> str:
    """``{head}X万元，其中：A万元，占p%；B万元，占q%。`` Parts that are 0 or missing
    are left out (不涉及的不列).

    Examples:
        >>> parts = shares({"fiscal": Decimal("335.78")}, Decimal("335.78"),
        ...                {"fiscal": "财政拨款收入"})
        >>> structure_sentence("本年收入合计", Decimal("335.78"), parts)
        '本年收入合计335.78万元，其中：财政拨款收入335.78万元，占100.0%。'
    """
    items = [
        f"{p.label}{format_amount(p.amount)}，占{of}{format_pct(p.pct, decimals)}"
        for p in parts
        if p.amount and p.pct is not None
    ]
    if total is None:
        return f"缺少{head}数据。"
    body = f"，其中：{'；'.join(items)}" if items else ""
    return f"{head}{format_amount(total)}{body}。"


def function_sentence(
    year: int, total: Decimal | None, parts: Sequence[Share], decimals: int = 1
) -> str:
    """§五（二）: ``…主要用于以下方面：一般公共服务支出（类）258.47万元，占77.0%；…``"""
    items = [
        f"{p.label}{format_amount(p.amount)}，占{format_pct(p.pct, decimals)}"
        for p in parts
        if p.amount and p.pct is not None
    ]
    head = f"{year}年度一般公共预算财政拨款支出{format_amount(total)}"
    return f"{head}，主要用于以下方面：{'；'.join(items)}。" if items else f"{head}。"


def general_public_sentence(
    year: int,
    c: Change,
    expense_total: Decimal | None,
    decimals: int = 1,
    reason: str | None = None,
) -> str:
    """§五（一）: ``…支出335.78万元，占本年支出合计的100.0%，与上年相比，减少…``"""
    ratio = share(c.current, expense_total)
    of = "" if ratio is None else f"，占本年支出合计的{format_pct(ratio, decimals)}"
    tail = reason_clause(reason) if c.direction not in (None, "持平") else ""
    body = f"{year}年度一般公共预算财政拨款支出{format_amount(c.current)}{of}"
    return f"{body}，{change_clause(c, decimals)}{tail}。"


def completion_sentence(
    year: int, c: Completion, decimals: int = 1, reason: str | None = None
) -> str:
    """§五（三）总体: ``…年初预算为200.35万元，支出决算为335.78万元，完成年初预算的167.6%。``

    Examples:
        >>> completion_sentence(2020, completion(Decimal("335.78"), Decimal("200.35")))
        '2020年度一般公共预算财政拨款支出年初预算为200.35万元，支出决算为335.78万元，完成年初预算的167.6%。'
        >>> completion_sentence(2020, completion(Decimal("5"), Decimal("0")))
        '2020年度一般公共预算财政拨款支出年初预算为0万元，支出决算为5万元（年初预算为0，无法计算完成率）。'
    """
    if c.budget is None or c.actual is None:
        return f"{year}年度一般公共预算财政拨款支出决算为{format_amount(c.actual)}（{c.reason}）。"
    head = f"{year}年度一般公共预算财政拨款支出{c.basis}为{format_amount(c.budget)}"
    tail = f"{rate_clause(c, decimals)}{reason_clause(reason)}"
    return f"{head}，支出决算为{format_amount(c.actual)}{tail}。"


def item_sentence(c: Completion, decimals: int = 1, reason: str | None = None) -> str:
    """§五（三）per 项: budget, actual, completion (or why none), 大于/小于/持平, reason.

    Examples:
        >>> why = "在执行过程中细化功能科目。"
        >>> item_sentence(completion(Decimal("10"), Decimal("200.35")), reason=why)
        '年初预算为200.35万元，支出决算为10万元，完成年初预算的5.0%，决算数小于年初预算数，主要原因是：在执行过程中细化功能科目。'
        >>> item_sentence(completion(Decimal("3"), Decimal("3")))
        '年初预算为3万元，支出决算为3万元，完成年初预算的100.0%，决算数与年初预算数持平。'
    """
    text = f"{c.basis}为{format_amount(c.budget)}，支出决算为{format_amount(c.actual)}"
    if c.budget is None or c.actual is None:
        return f"{text}（{c.reason}）。"
    if c.rate is not None:
        text += f"，完成{c.basis}的{format_pct(c.rate, decimals)}"
    if c.direction == "持平":
        return f"{text}，决算数与{c.basis}数持平。"
    text += f"，决算数{c.direction}{c.basis}数"
    if c.rate is None and not (c.actual == 0 and c.budget == 0):
        text += f"（{c.reason}）"
    return f"{text}{reason_clause(reason)}。"


def item_entry(
    number: int, full_name: str, c: Completion, decimals: int = 1, reason: str | None = None
) -> str:
    """``1. 一般公共服务支出（类）…（项）。年初预算为0万元，…``"""
    return f"{number}. {full_name}。{item_sentence(c, decimals, reason)}"


def basic_sentence(
    year: int,
    basic: Decimal | None,
    personnel: Decimal | None,
    public: Decimal | None,
    decimals: int = 1,
    personnel_items: Sequence[str] = (),
    public_items: Sequence[str] = (),
) -> str:
    """§六: ``…基本支出190.92万元，其中：人员经费179.44万元，占基本支出的94.0%，…``

    Examples:
        >>> basic_sentence(2020, Decimal("190.92"), Decimal("179.44"), Decimal("11.48"),
        ...                public_items=["办公费", "印刷费"])
        '2020年度一般公共预算财政拨款基本支出190.92万元，其中：人员经费179.44万元，占基本支出的94.0%；公用经费11.48万元，占基本支出的6.0%，主要包括办公费、印刷费。'
    """
    parts = []
    for label, amount, names in (
        ("人员经费", personnel, personnel_items),
        ("公用经费", public, public_items),
    ):
        if amount is None:
            continue
        ratio = share(amount, basic)
        text = f"{label}{format_amount(amount)}"
        text += "" if ratio is None else f"，占基本支出的{format_pct(ratio, decimals)}"
        parts.append(text + (f"，主要包括{'、'.join(names)}" if names else ""))
    body = f"，其中：{'；'.join(parts)}" if parts else ""
    return f"{year}年度一般公共预算财政拨款基本支出{format_amount(basic)}{body}。"
