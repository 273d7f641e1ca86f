"""The report's first screen: what a leader must know of the year, before any detail.

:func:`summary_screen` gives the title, 5–7 key figures as tiles (each with its
change on last year and its direction) and 3–5 key findings in plain Chinese,
ranked: errors found in the department's own disclosure first (marked 需更正),
then the largest changes with what drove them, budget execution far from 100%,
and spending on lines that had no budget.

Examples:
    >>> from fiscal_analysis.report.context import open_report
    >>> screen = summary_screen(open_report("data", "lusong-xzsp", 2020))
    >>> [(t.label, t.value) for t in screen.tiles][:2]
    [('收支总计', '335.78万元'), ('预算完成率', '167.6%')]
    >>> screen.tiles[0].change
    '比上年减少327.17万元（下降49.4%）'
    >>> screen.findings[0].text.startswith("2020年度收、支总计335.78万元，比上年减少327.17万元")
    True
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal

from fiscal_analysis.metrics.entity import (
    budget_completion,
    change_drivers,
    ops_cost,
    three_public,
    total_completion,
    yoy_for,
)
from fiscal_analysis.metrics.exact import DIRECTIONS, Change, change
from fiscal_analysis.metrics.structure import expense_structure
from fiscal_analysis.money import sign
from fiscal_analysis.report.blocks import (
    change_rate_words,
    change_words,
    fmt_amount,
    fmt_pct,
    line_name,
)
from fiscal_analysis.report.context import ReportContext
from fiscal_analysis.report.review import plain, rule_title

__all__ = ["KeyFigure", "KeyFinding", "SummaryScreen", "summary_screen"]

#: Direction of a change → the tile's arrow and CSS modifier.
_TRENDS = {"增加": ("up", "↑"), "减少": ("down", "↓"), "持平": ("flat", "→")}


@dataclass(frozen=True)
class KeyFigure:
    """One tile: a figure, its change on last year and the direction.

    Attributes:
        label: What the figure is (收支总计 …).
        value: The figure as printed (``335.78万元``, ``167.6%``).
        change: Its change on last year in words, or why there is none.
        trend: ``up``, ``down``, ``flat`` or ``None`` (not comparable).
        detail: A second line (the parts, the budget …), or ``""``.
    """

    label: str
    value: str
    change: str
    trend: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class KeyFinding:
    """One key finding, in plain Chinese.

    Attributes:
        text: The finding.
        weight: Its importance (larger first); corrections always come first.
        needs_correction: An error in the department's own disclosure.
    """

    text: str
    weight: float
    needs_correction: bool = False


@dataclass(frozen=True)
class SummaryScreen:
    """The first screen of a report (see :func:`summary_screen`)."""

    title: str
    subtitle: str
    tiles: tuple[KeyFigure, ...]
    findings: tuple[KeyFinding, ...]
    #: How many 错误 the checks found: not shown here, but attached to the cell's
    #: output (see :func:`~fiscal_analysis.report.blocks.show`) for the report index.
    errors: int | None = None

    @property
    def text(self) -> str:
        """Every visible text, one per line."""
        lines = [self.title, self.subtitle]
        for t in self.tiles:
            lines += [t.label, t.value, t.change, t.detail]
        lines += [f.text for f in self.findings]
        return "\n".join(line for line in lines if line)

    def to_html(self) -> str:
        """The screen as an HTML fragment; all data-derived text escaped."""
        esc = html.escape
        out = ['<section class="fisc-summary">', f"<h1>{esc(self.title)}</h1>"]
        out.append(f'<p class="fisc-subtitle">{esc(self.subtitle)}</p>')
        out.append('<div class="fisc-tiles">')
        for t in self.tiles:
            trend, arrow = _TREND_HTML.get(t.trend, ("none", ""))
            detail = f'<div class="fisc-tile-detail">{esc(t.detail)}</div>' if t.detail else ""
            out.append(
                f'<div class="fisc-tile"><div class="fisc-tile-label">{esc(t.label)}</div>'
                f'<div class="fisc-tile-value">{esc(t.value)}</div>{detail}'
                f'<div class="fisc-tile-change fisc-{trend}">{arrow}{esc(t.change)}</div></div>'
            )
        out.append("</div>")
        if self.findings:
            out.append('<h2>主要发现</h2><ol class="fisc-findings">')
            for f in self.findings:
                if f.needs_correction:
                    badge = '<span class="fisc-badge">需更正</span>'
                    out.append(f'<li class="fisc-correct">{badge}{esc(f.text)}</li>')
                else:
                    out.append(f"<li>{esc(f.text)}</li>")
            out.append("</ol>")
        out.append("</section>")
        return "".join(out)


_TREND_HTML = {k: (v, f'<span aria-hidden="true">{a} </span>') for k, (v, a) in _TRENDS.items()}
_TREND_HTML |= {v: (v, f'<span aria-hidden="true">{a} </span>') for v, a in _TRENDS.values()}


def _change_text(c: Change, decimals: int) -> tuple[str, str | None]:
    """``比上年减少327.17万元（下降49.4%）`` and the trend, or why there is no comparison."""
    if c.delta is None:
        return "上年无可比数据", None
    if c.direction == "持平":
        return "与上年持平", "flat"
    words = f"比上年{change_words(c)}"
    rate = change_rate_words(c, decimals)
    words += f"（{rate}）" if c.pct is not None else f"（{c.note}）" if c.note else ""
    return words, _TRENDS[c.direction][0]


def _tile_for_change(
    ctx: ReportContext, label: str, table: str, item: str, detail: str = ""
) -> KeyFigure | None:
    c = yoy_for(ctx, table, item)
    if c.current is None:
        return None
    words, trend = _change_text(c, ctx.decimals)
    return KeyFigure(label, fmt_amount(c.current, ctx.figure(table, item)[1]), words, trend, detail)


def key_figures(ctx: ReportContext) -> list[KeyFigure]:
    """5–7 tiles: 收支总计, 预算完成率, 基本/项目, 三公, 机关运行经费, 政府采购.

    A figure the year lacks is left out, and others (本年支出合计 …) fill in up to five.
    """
    d = ctx.decimals
    tiles: list[KeyFigure | None] = [_tile_for_change(ctx, "收支总计", "T01", "income_grand_total")]
    comp = total_completion(ctx)
    if comp.actual is not None:
        before = total_completion(ctx.previous)
        then = f"上年{fmt_pct(before.rate, d)}" if before.rate is not None else "上年无可比数据"
        trend = None
        if before.rate is not None and comp.rate is not None:
            # rates are exact Fractions, not amounts: their direction is the sign of the gap
            trend = _TRENDS[DIRECTIONS[sign(comp.rate - before.rate)]][0]
        detail = f"决算{fmt_amount(comp.actual)}，年初预算{fmt_amount(comp.budget)}"
        value = fmt_pct(comp.rate, d, comp.reason)
        tiles.append(KeyFigure("预算完成率", value, then, trend, detail))
    kinds = expense_structure(ctx).set_index("item")
    if {"basic", "project"} <= set(kinds.index) and kinds.loc["basic", "amount"] is not None:
        b, p = kinds.loc["basic"], kinds.loc["project"]
        value = f"{fmt_pct(b['share'], d)} / {fmt_pct(p['share'], d)}"
        detail = (
            f"基本支出{fmt_amount(b['amount'])}，项目支出{fmt_amount(p['amount'], p['status'])}"
        )
        c = yoy_for(ctx, "T03", "project")
        words, trend = _change_text(c, d)
        tiles.append(KeyFigure("基本支出 / 项目支出", value, f"项目支出{words}", trend, detail))
    tp = three_public(ctx).set_index("item")
    if "total" in tp.index and tp.loc["total", "actual"] is not None:
        r = tp.loc["total"]
        words, trend = _change_text(change(r["actual"], r["prior"]), d)
        budget = f"预算{fmt_amount(r['budget'])}" if r["budget"] is not None else "预算无数据"
        tiles.append(KeyFigure("“三公”经费", fmt_amount(r["actual"]), words, trend, budget))
    ops = ops_cost(ctx).set_index("comparison")
    if len(ops) and ops.loc["上年决算", "actual"] is not None:
        r = ops.loc["上年决算"]
        words, trend = _change_text(change(r["actual"], r["base"]), d)
        tiles.append(KeyFigure("机关运行经费", fmt_amount(r["actual"]), words, trend))
    tiles.append(_tile_for_change(ctx, "政府采购", "procurement", "total"))
    shown = [t for t in tiles if t is not None]
    for label, table, item in (
        ("本年支出合计", "T03", "total"),
        ("一般公共预算财政拨款支出", "T05", "total"),
        ("本年收入合计", "T01", "income_total"),
    ):
        if len(shown) >= 5:
            break
        extra = _tile_for_change(ctx, label, table, item)
        if extra is not None:
            shown.append(extra)
    return shown[:7]


def _first_sentence(text: str, limit: int = 80) -> str:
    """The first sentence (up to 。；), shortened to ``limit`` characters with an ellipsis."""
    for stop in "。；;":
        if stop in text:
            text = text[: text.index(stop)]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _headline_finding(ctx: ReportContext) -> KeyFinding | None:
    c = yoy_for(ctx, "T01", "income_grand_total")
    if c.delta is None or c.direction == "持平":
        return None
    d = ctx.decimals
    text = f"{ctx.year}年度收、支总计{fmt_amount(c.current)}，比上年{change_words(c)}"
    text += f"（{change_rate_words(c, d)}）。" if c.pct is not None else "。"
    drivers = change_drivers(ctx)
    if drivers is not None and drivers.contributions:
        top = sorted(drivers.contributions, key=lambda k: -abs(k.delta))[:2]
        name = ctx.ds.classification.full_name
        parts = [f"{name(k.key)}{'增加' if k.delta > 0 else '减少'}{fmt_amount(abs(k.delta))}"
                 for k in top if k.delta != 0]  # fmt: skip
        if parts:
            text += "主要是" + "、".join(parts) + "。"
    stated = ctx.reasons("total_change")
    if stated:
        text += f"单位说明的主要原因：{_first_sentence(stated[0])}。"
    # The year's main figure leads the findings unless a correction does.
    return KeyFinding(text, 100.0 + (float(abs(c.pct)) if c.pct is not None else 0.0))


def _execution_finding(ctx: ReportContext) -> KeyFinding | None:
    comp = total_completion(ctx)
    if comp.rate is None or abs(comp.rate - 100) < 10:
        return None
    d = ctx.decimals
    over = comp.delta is not None and comp.delta > 0
    text = (
        f"一般公共预算财政拨款支出决算{fmt_amount(comp.actual)}，为年初预算"
        f"{fmt_amount(comp.budget)}的{fmt_pct(comp.rate, d)}，"
        f"{'超出' if over else '少支出'}{fmt_amount(abs(comp.delta))}。"
    )
    lines = budget_completion(ctx)
    lines = lines[lines["delta"].map(lambda x: x is not None)]
    if len(lines):
        far = lines.loc[lines["delta"].map(abs).astype(object).sort_values(ascending=False).index]
        r = far.iloc[0]
        rate = fmt_pct(r["rate"], d, "年初预算为0")
        text += (
            f"偏离最大的是{line_name(ctx.ds.classification, r['code'])}："
            f"预算{fmt_amount(r['budget'])}，"
            f"决算{fmt_amount(r['actual'])}（{rate}）。"
        )
    return KeyFinding(text, 50.0 + float(abs(comp.rate - 100)))


def _zero_budget_finding(ctx: ReportContext) -> KeyFinding | None:
    lines = budget_completion(ctx)
    zero = lines[lines["budget"].map(lambda b: b == 0) & lines["actual"].map(lambda a: bool(a))]
    if zero.empty:
        return None
    total = sum(zero["actual"], Decimal(0))
    whole = total_completion(ctx).actual
    pct = fmt_pct(total / whole * 100, ctx.decimals) if whole else ""
    share = f"，占一般公共预算财政拨款支出的{pct}" if whole else ""
    names = "、".join(line_name(ctx.ds.classification, c) for c in zero["code"].head(3))
    names += "等" if len(zero) > 3 else ""
    text = f"{len(zero)}个科目年初预算为0，全年支出{fmt_amount(total)}{share}：{names}。"
    return KeyFinding(text, 40.0 + (float(total / whole * 50) if whole else 0.0))


def _correction_findings(ctx: ReportContext) -> list[KeyFinding]:
    errors = ctx.review.errors
    if not errors:
        return []
    first = errors[0]
    more = f"等{len(errors)}处" if len(errors) > 1 else ""
    text = (
        f"公开的决算中有数字错误{more}，需要更正：{rule_title(first.rule)}——{plain(first.message)}"
    )
    return [KeyFinding(text, 1000.0, needs_correction=True)]


def key_findings(ctx: ReportContext, limit: int = 5) -> list[KeyFinding]:
    """3–5 findings, corrections first, then by weight."""
    found = [*_correction_findings(ctx)]
    for make in (_headline_finding, _execution_finding, _zero_budget_finding):
        f = make(ctx)
        if f is not None:
            found.append(f)
    found.sort(key=lambda f: (not f.needs_correction, -f.weight))
    return found[:limit]


def summary_screen(ctx: ReportContext) -> SummaryScreen:
    """The first screen of the report for one entity-year."""
    entity = ctx.ds.entity(ctx.entity_id)
    subtitle = f"{entity['region']}，{entity['level']}单位 · 金额单位：万元"
    return SummaryScreen(
        f"{ctx.name}{ctx.year}年度部门决算分析",
        subtitle,
        tuple(key_figures(ctx)),
        tuple(key_findings(ctx)),
        errors=len(ctx.review.errors),
    )
