"""The 情况说明 sentences, in the national template's wording, from exact metrics.

Every function here is pure: it takes metric objects (:class:`Change`,
:class:`Completion`, :class:`Share`) or Decimals and returns Chinese text.
Amounts are written like the disclosures (``99.2万元``, ``26万元``); percents
are rounded half up only here, with ``places`` decimals (1 by default; some
regions print 2). A zero or missing base never gets a rate: the sentence says
so in words (``上年为0，无法计算增长率``, ``年初预算为0，无法计算完成率``).
:func:`fiscal_analysis.narrate.describe` assembles them for a Dataset.

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

from .metrics import Change, Completion, Share, change, completion, share, shares  # noqa: F401
from .money import format_amount, format_pct

__all__ = [
    "basic_sentence",
    "change_clause",
    "completion_sentence",
    "function_sentence",
    "fund_sentence",
    "general_public_sentence",
    "item_entry",
    "item_sentence",
    "ops_cost_sentence",
    "procurement_sentence",
    "structure_sentence",
    "three_public_sentence",
    "total_sentence",
]

_FUNDS = {"gov_fund": "政府性基金预算", "soe_capital": "国有资本经营预算"}


def _reason(reason: str | None, lead: str = "，主要原因是：") -> str:
    """``，主要原因是：…`` without a doubled full stop, or ``""``."""
    text = (reason or "").strip().rstrip("。；;，,")
    return f"{lead}{text}" if text else ""


def change_clause(
    c: Change,
    places: int = 1,
    *,
    base: str = "与上年相比，",
    flat: str = "与上年持平",
    verbs: tuple[str, str] = ("增长", "下降"),
) -> str:
    """``与上年相比，减少327.17万元，下降49.4%`` (or 持平, or no rate in words).

    Examples:
        >>> change_clause(change(Decimal("10"), Decimal("10")))
        '与上年持平'
        >>> change_clause(change(Decimal("26"), Decimal("0")))
        '与上年相比，增加26万元（上年为0，无法计算增长率）'
        >>> change_clause(change(Decimal("11.48"), Decimal("21.66"), base_label="年初预算"),
        ...               base="比年初预算数", verbs=("增长", "降低"))
        '比年初预算数减少10.18万元，降低47.0%'
        >>> change_clause(change(Decimal("1"), None))
        '缺少上年数据，无法比较'
    """
    if c.direction is None or c.delta is None:
        return c.note
    if c.direction == "持平":
        return flat
    text = f"{base}{c.direction}{format_amount(abs(c.delta))}"
    if c.pct is None:
        return f"{text}（{c.note}）"
    verb = verbs[0] if c.pct > 0 else verbs[1]
    return f"{text}，{verb}{format_pct(abs(c.pct), places)}"


def total_sentence(
    year: int,
    c: Change,
    places: int = 1,
    *,
    subject: str = "收、支总计",
    reason: str | None = None,
    unit_name: str = "",
) -> str:
    """§一/§四: ``2020年度收、支总计335.78万元。与上年相比，减少327.17万元，下降49.4%。``"""
    head = f"{unit_name}{year}年度{subject}{format_amount(c.current)}。"
    clause = change_clause(c, places)
    tail = _reason(reason) if c.direction not in (None, "持平") else ""
    return f"{head}{clause}{tail}。"


def structure_sentence(
    head: str, total: Decimal | None, parts: Sequence[Share], places: int = 1, *, of: str = ""
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
        f"{p.label}{format_amount(p.amount)}，占{of}{format_pct(p.pct, places)}"
        for p in parts
        if p.amount and p.pct is not None
    ]
    if total is None:
        return f"缺少{head}数据。"
    body = f"，其中：{'；'.join(items)}" if items else ""
    return f"{head}{format_amount(total)}{body}。"


def function_sentence(
    year: int, total: Decimal | None, parts: Sequence[Share], places: int = 1
) -> str:
    """§五（二）: ``…主要用于以下方面：一般公共服务支出（类）258.47万元，占77.0%；…``"""
    items = [
        f"{p.label}{format_amount(p.amount)}，占{format_pct(p.pct, places)}"
        for p in parts
        if p.amount and p.pct is not None
    ]
    head = f"{year}年度一般公共预算财政拨款支出{format_amount(total)}"
    return f"{head}，主要用于以下方面：{'；'.join(items)}。" if items else f"{head}。"


def general_public_sentence(
    year: int, c: Change, expense_total: Decimal | None, places: int = 1, reason: str | None = None
) -> str:
    """§五（一）: ``…支出335.78万元，占本年支出合计的100.0%，与上年相比，减少…``"""
    ratio = share(c.current, expense_total)
    of = "" if ratio is None else f"，占本年支出合计的{format_pct(ratio, places)}"
    tail = _reason(reason) if c.direction not in (None, "持平") else ""
    body = f"{year}年度一般公共预算财政拨款支出{format_amount(c.current)}{of}"
    return f"{body}，{change_clause(c, places)}{tail}。"


def _rate(c: Completion, places: int) -> str:
    """``，完成年初预算的5.0%`` or the reason there is no rate, in words."""
    if c.rate is not None:
        return f"，完成{c.basis}的{format_pct(c.rate, places)}"
    return "" if c.actual == 0 and c.budget == 0 else f"（{c.reason}）"


def completion_sentence(
    year: int, c: Completion, places: int = 1, reason: str | None = None
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
    return f"{head}，支出决算为{format_amount(c.actual)}{_rate(c, places)}{_reason(reason)}。"


def item_sentence(c: Completion, places: int = 1, reason: str | None = None) -> str:
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
        text += f"，完成{c.basis}的{format_pct(c.rate, places)}"
    if c.direction == "持平":
        return f"{text}，决算数与{c.basis}数持平。"
    text += f"，决算数{c.direction}{c.basis}数"
    if c.rate is None and not (c.actual == 0 and c.budget == 0):
        text += f"（{c.reason}）"
    return f"{text}{_reason(reason)}。"


def item_entry(
    number: int, full_name: str, c: Completion, places: int = 1, reason: str | None = None
) -> str:
    """``1. 一般公共服务支出（类）…（项）。年初预算为0万元，…``"""
    return f"{number}. {full_name}。{item_sentence(c, places, reason)}"


def basic_sentence(
    year: int,
    basic: Decimal | None,
    personnel: Decimal | None,
    public: Decimal | None,
    places: int = 1,
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
        text += "" if ratio is None else f"，占基本支出的{format_pct(ratio, places)}"
        parts.append(text + (f"，主要包括{'、'.join(names)}" if names else ""))
    body = f"，其中：{'；'.join(parts)}" if parts else ""
    return f"{year}年度一般公共预算财政拨款基本支出{format_amount(basic)}{body}。"


def three_public_sentence(
    year: int,
    total: Completion,
    total_change: Change,
    items: Sequence[tuple[str, Completion, Change]],
    places: int = 1,
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
        clause = change_clause(total_change, places, base="比上年")
        return f"{unit_name}{year}年度无“三公”经费财政拨款支出：{budget}支出决算为0万元，{clause}。"

    def part(label: str, comp: Completion, chg: Change) -> str:
        budget = "" if comp.budget is None else f"预算为{format_amount(comp.budget)}，"
        head = f"{label}支出{budget}支出决算为{format_amount(comp.actual)}"
        return f"{head}{_rate(comp, places)}，{change_clause(chg, places, base='比上年')}"

    body = part("“三公”经费财政拨款", total, total_change)
    details = "；".join(part(*i) for i in items)
    return f"{body}，其中：{details}。" if details else f"{body}。"


def ops_cost_sentence(
    year: int,
    vs_budget: Change,
    vs_prior: Change,
    places: int = 1,
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
            c, places, base=f"比{base}", flat=f"与{base}持平", verbs=("增长", "降低")
        )
        parts.append(clause + (_reason(reason) if c.direction != "持平" else ""))
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
    places: int = 1,
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
        ratio = format_pct(share(sme, total), places)
        text += f"授予中小企业合同金额{format_amount(sme)}，占政府采购支出总额的{ratio}"
        if micro is not None:
            ratio = format_pct(share(micro, total), places)
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
