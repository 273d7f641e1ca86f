"""Headline metrics of one entity-year, as JSON-ready data and as a Chinese table.

:func:`headline` gathers the figures a reader looks at first; amounts are
strings written like the disclosures (``"335.78"``, ``"99.2"``), percents are
strings rounded half up (``"49.4"``) or ``None`` when no rate exists, so the
result serialises to JSON without any float. ``units`` says the units
(``万元``, ``%``), ``derived`` lists the figures that are 推算 (derived, not
published; dotted keys such as ``yoy.prior``), and ``missing`` lists, in
Chinese, the figures the data does not have. ``fiscal-analysis summary``
prints it, with the prior-year value beside every change.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.metrics.entity import (
    budget_completion,
    ops_cost,
    procurement,
    three_public,
    total_completion,
    yoy_for,
)
from fiscal_analysis.metrics.structure import (
    basic_structure,
    expense_structure,
    function_structure,
    income_structure,
)
from fiscal_analysis.money import format_number, round_half_up
from fiscal_analysis.report.terminal import pad, text_width

__all__ = ["UNITS", "headline", "render_json", "render_text"]


def _amt(value: Decimal | None) -> str | None:
    return None if value is None else format_number(value)


def _pct(value: Fraction | None, decimals: int) -> str | None:
    return None if value is None else f"{round_half_up(value, decimals):f}"


def _parts(df: Any, decimals: int, key: str = "item") -> list[dict[str, Any]]:
    """Parts with an amount other than 0 (missing ones are listed under ``missing``)."""
    return [
        {"key": k, "label": lab, "amount": _amt(a), "pct": _pct(p, decimals), "status": s}
        for k, lab, a, p, s in zip(
            df[key], df["label"], df["amount"], df["share"], df["status"], strict=True
        )
        if a is not None and a != 0
    ]


def headline(ey: EntityYear, decimals: int = 1) -> dict[str, Any]:
    """Headline metrics for one entity-year as a JSON-serialisable dict.

    Args:
        ey: The entity-year (``ds.entity_year(entity, year)``).
        decimals: Decimals of the percentages (1 by default).

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ds = load_dataset("data")
        >>> h = headline(ds.entity_year("lusong-xzsp", 2020))
        >>> h["yoy"]["delta"], h["yoy"]["pct"], h["completion"]["rate"]
        ('-327.17', '-49.4', '167.6')
        >>> headline(ds.entity_year("lusong-xzsp", 2019))["missing"][:2]
        ['本年收入合计', '本年支出合计']
        >>> h["yoy"]["prior_derived"], h["units"]["amount"], h["derived"]
        (True, '万元', ['yoy.prior', 'three_public.prior', 'ops_cost.budget', 'ops_cost.prior'])
    """
    e, year = ey.entity_id, ey.year

    def val(table: str, item: str) -> Decimal | None:
        return ey.amount(table, item)

    totals = {
        "income_grand_total": val("T01", "income_grand_total"),
        "expense_grand_total": val("T01", "expense_grand_total"),
        "income_total": val("T01", "income_total"),
        "expense_total": val("T01", "expense_total"),
        "general_public_expense": val("T05", "total"),
    }
    yoy = yoy_for(ey, "T01", "income_grand_total")
    comp = total_completion(ey)
    items = budget_completion(ey)
    tp = three_public(ey).set_index("item").loc["total"]
    ops = ops_cost(ey).set_index("comparison")
    proc = procurement(ey).set_index("item")
    func = function_structure(ey).rename(columns={"full_name": "label"})
    result: dict[str, Any] = {
        "entity_id": e,
        "name": ey.name,
        "year": year,
        "decimals": decimals,
        "totals": {k: _amt(v) for k, v in totals.items()},
        "yoy": {
            "label": "收、支总计",
            "current": _amt(yoy.current),
            "prior": _amt(yoy.prior),
            "delta": _amt(yoy.delta),
            "pct": _pct(yoy.pct, decimals),
            "direction": yoy.direction,
            "note": yoy.note or None,
        },
        "income_structure": _parts(income_structure(ey).query("parent.isna()"), decimals),
        "expense_structure": _parts(expense_structure(ey), decimals),
        "function_structure": _parts(func, decimals, key="code"),
        "completion": {
            "budget": _amt(comp.budget),
            "actual": _amt(comp.actual),
            "rate": _pct(comp.rate, decimals),
            "direction": comp.direction,
            "note": comp.reason or None,
            "items": len(items),
            "items_without_rate": [
                c for c, r in zip(items["code"], items["rate"], strict=True) if r is None
            ],
        },
        "basic_structure": _parts(basic_structure(ey), decimals),
        "three_public": {
            "budget": _amt(tp["budget"]),
            "actual": _amt(tp["actual"]),
            "rate": _pct(tp["rate"], decimals),
            "prior": _amt(tp["prior"]),
            "delta": _amt(tp["delta"]),
            "pct": _pct(tp["change"], decimals),
            "direction": tp["direction"],
        },
        "ops_cost": {
            "actual": _amt(ops.loc["年初预算", "actual"]),
            "budget": _amt(ops.loc["年初预算", "base"]),
            "vs_budget_delta": _amt(ops.loc["年初预算", "delta"]),
            "vs_budget_pct": _pct(ops.loc["年初预算", "change"], decimals),
            "prior": _amt(ops.loc["上年决算", "base"]),
            "vs_prior_delta": _amt(ops.loc["上年决算", "delta"]),
            "vs_prior_pct": _pct(ops.loc["上年决算", "change"], decimals),
        },
        "procurement": {
            "total": _amt(proc.attrs["total"]),
            **{
                k: _amt(proc.loc[k, "amount"])
                for k in ("goods", "works", "services", "sme", "micro")
            },
            "sme_pct": _pct(proc.loc["sme", "share"], decimals),
            "micro_pct": _pct(proc.loc["micro", "share"], decimals),
        },
    }
    checks = [
        ("收入总计", totals["income_grand_total"]),
        ("上年收入总计", yoy.prior),
        ("本年收入合计", totals["income_total"]),
        ("本年支出合计", totals["expense_total"]),
        ("一般公共预算财政拨款支出", totals["general_public_expense"]),
        ("功能分类（类）支出", None if func.empty else Decimal(0)),
        ("年初预算数", comp.budget),
        ("基本支出（人员经费、公用经费）", val("T06", "personnel_total")),
        ("“三公”经费", tp["actual"]),
        ("机关运行经费", ops.loc["年初预算", "actual"]),
        ("机关运行经费年初预算数", ops.loc["年初预算", "base"]),
        ("上年机关运行经费", ops.loc["上年决算", "base"]),
        ("政府采购支出", proc.attrs["total"]),
    ]
    missing = [label for label, v in checks if v is None]
    result["missing"] = sorted(missing, key=lambda s: s not in ("本年收入合计", "本年支出合计"))
    result["units"] = UNITS
    result["derived"] = _derived(ey)
    result["yoy"]["prior_year"] = year - 1
    result["yoy"]["prior_derived"] = "yoy.prior" in result["derived"]
    return result


#: The units of the figures in :func:`headline`'s result.
UNITS = {"amount": "万元", "pct": "%", "rounding": "四舍五入（仅展示）"}

#: Figures of the result (dotted key) → where they come from: (table, item, previous year?).
_SOURCES = {
    "totals.income_grand_total": ("T01", "income_grand_total", False),
    "totals.expense_grand_total": ("T01", "expense_grand_total", False),
    "totals.income_total": ("T01", "income_total", False),
    "totals.expense_total": ("T01", "expense_total", False),
    "totals.general_public_expense": ("T05", "total", False),
    "yoy.current": ("T01", "income_grand_total", False),
    "yoy.prior": ("T01", "income_grand_total", True),
    "completion.budget": ("T05", "budget_initial", False),
    "completion.actual": ("T05", "total", False),
    "three_public.actual": ("T07", "total_actual", False),
    "three_public.prior": ("T07", "total_actual", True),
    "ops_cost.actual": ("ops_cost", "actual", False),
    "ops_cost.budget": ("ops_cost", "budget_initial", False),
    "ops_cost.prior": ("ops_cost", "actual", True),
}


def _derived(ey: EntityYear) -> list[str]:
    """Dotted keys of the result whose figure is 推算 (derived), not published."""
    prev = ey.previous
    return [
        key
        for key, (table, item, before) in _SOURCES.items()
        if (prev if before else ey).figure(table, item)[1] == "derived"
    ]


def _wan(value: str | None) -> str:
    return "—" if value is None else f"{value}万元"


def _pc(value: str | None) -> str:
    return "—" if value is None else f"{value}%"


_STRUCTURES = (
    ("收入结构", "income_structure"),
    ("支出结构", "expense_structure"),
    ("功能分类结构", "function_structure"),
    ("基本支出结构", "basic_structure"),
)


def _versus(delta: str | None, pct: str | None, what: str) -> str:
    if delta is None:
        return f"无法比较（缺少{what}）"
    return (
        f"{_wan(delta)}（{_pc(pct)}）"
        if pct is not None
        else f"{_wan(delta)}（{what}为0，无增长率）"
    )


def render_text(result: dict[str, Any]) -> str:
    """An aligned plain-text table (Chinese labels) of :func:`headline`'s result."""
    rows: list[tuple[str, str]] = []
    t, y = result["totals"], result["yoy"]
    derived = set(result.get("derived", ()))

    def mark(key: str) -> str:
        return "（推算）" if key in derived else ""

    rows += [
        ("收入总计", _wan(t["income_grand_total"]) + mark("totals.income_grand_total")),
        ("支出总计", _wan(t["expense_grand_total"]) + mark("totals.expense_grand_total")),
    ]
    prior = f"；上年{_wan(y['prior'])}{mark('yoy.prior')}" if y["prior"] is not None else ""
    if y["delta"] is None:
        rows.append(("与上年相比", (y["note"] or "—") + prior))
    elif y["direction"] == "持平":
        rows.append(("与上年相比", "持平" + prior))
    else:
        pct = f"（{_pc(y['pct'])}）" if y["pct"] is not None else f"（{y['note']}）"
        rows.append(("与上年相比", f"{y['direction']}{y['delta'].lstrip('-')}万元{pct}{prior}"))
    for title, key in _STRUCTURES:
        for part in result[key]:
            rows.append(
                (f"{title}：{part['label']}", f"{_wan(part['amount'])}  占{_pc(part['pct'])}")
            )
    c = result["completion"]
    rate = _pc(c["rate"]) if c["rate"] is not None else (c["note"] or "—")
    rows.append(("年初预算 / 决算", f"{_wan(c['budget'])} / {_wan(c['actual'])}"))
    rows.append(("完成年初预算", rate))
    if c["items_without_rate"]:
        rows.append(("年初预算为0的项", "、".join(c["items_without_rate"]) + "（无完成率）"))
    tp = result["three_public"]
    tp_actual = _wan(tp["actual"]) + mark("three_public.actual")
    rows.append(("“三公”经费 预算 / 决算", f"{_wan(tp['budget'])} / {tp_actual}"))
    if tp["prior"] is not None:
        rows.append(("  比上年", _versus(tp["delta"], tp["pct"], "上年数")
                     + f"；上年{_wan(tp['prior'])}{mark('three_public.prior')}"))  # fmt: skip
    o = result["ops_cost"]
    rows.append(("机关运行经费", _wan(o["actual"]) + mark("ops_cost.actual")))
    if o["actual"] is not None:
        budget = (
            f"；年初预算{_wan(o['budget'])}{mark('ops_cost.budget')}"
            if o["budget"] is not None
            else ""
        )
        rows.append(
            (
                "  比年初预算",
                _versus(o["vs_budget_delta"], o["vs_budget_pct"], "年初预算数") + budget,
            )
        )
        prior = (
            f"；上年{_wan(o['prior'])}{mark('ops_cost.prior')}" if o["prior"] is not None else ""
        )
        rows.append(
            ("  比上年决算", _versus(o["vs_prior_delta"], o["vs_prior_pct"], "上年决算数") + prior)
        )
    pr = result["procurement"]
    rows.append(("政府采购支出总额", _wan(pr["total"])))
    if pr["total"] is not None:
        kinds = " / ".join(_wan(pr[k]) for k in ("goods", "works", "services"))
        rows.append(("  货物 / 工程 / 服务", kinds))
        rows.append(("  授予中小企业", f"{_wan(pr['sme'])}（占{_pc(pr['sme_pct'])}）"))
    width = max(text_width(k) for k, _ in rows) + 2
    title = f"{result['name']}（{result['entity_id']}）{result['year']}年度 主要指标"
    lines = [title, "=" * text_width(title)]
    lines += [pad(k, width) + v for k, v in rows]
    if result["missing"]:
        lines.append("缺少的数据：" + "、".join(result["missing"]))
    lines.append("金额单位：万元；百分比四舍五入；“（推算）”为由其他数字推算、非公开的数字。")
    return "\n".join(lines)


def render_json(result: dict[str, Any]) -> str:
    """:func:`headline`'s result as JSON (UTF-8 Chinese kept, indented)."""
    return json.dumps(result, ensure_ascii=False, indent=2)
