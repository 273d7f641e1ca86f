"""Headline metrics of one entity-year, as JSON-ready data and as a Chinese table.

:func:`headline` gathers the figures a reader looks at first; amounts are
strings written like the disclosures (``"335.78"``, ``"99.2"``), percents are
strings rounded half up (``"49.4"``) or ``None`` when no rate exists, so the
result serialises to JSON without any float. ``missing`` lists, in Chinese, the
figures the data does not have. ``fiscal-analysis summary`` prints it.
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

__all__ = ["headline", "render_json", "render_text"]


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
    return result


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
    rows += [
        ("收入总计", _wan(t["income_grand_total"])),
        ("支出总计", _wan(t["expense_grand_total"])),
    ]
    if y["delta"] is None:
        rows.append(("与上年相比", y["note"] or "—"))
    elif y["direction"] == "持平":
        rows.append(("与上年相比", "持平"))
    else:
        pct = f"（{_pc(y['pct'])}）" if y["pct"] is not None else f"（{y['note']}）"
        rows.append(("与上年相比", f"{y['direction']}{y['delta'].lstrip('-')}万元{pct}"))
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
    rows.append(("“三公”经费 预算 / 决算", f"{_wan(tp['budget'])} / {_wan(tp['actual'])}"))
    o = result["ops_cost"]
    rows.append(("机关运行经费", _wan(o["actual"])))
    if o["actual"] is not None:
        rows.append(
            ("  比年初预算", _versus(o["vs_budget_delta"], o["vs_budget_pct"], "年初预算数"))
        )
        rows.append(("  比上年决算", _versus(o["vs_prior_delta"], o["vs_prior_pct"], "上年决算数")))
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
    return "\n".join(lines)


def render_json(result: dict[str, Any]) -> str:
    """:func:`headline`'s result as JSON (UTF-8 Chinese kept, indented)."""
    return json.dumps(result, ensure_ascii=False, indent=2)
