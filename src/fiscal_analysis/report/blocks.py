"""Report building blocks: sections, formatted cells, safe HTML, data coverage.

A report notebook opens a :class:`ReportContext` with :func:`open_report` and
shows one :class:`Section` per part of the 情况说明 (the builders live in
:mod:`fiscal_analysis.report.sections_accounts`). A section holds plain text; every
piece of data-derived text is HTML-escaped when the section is turned into
HTML, so a department name or a stated reason containing ``<script>`` shows as
text. Amounts are written with :func:`~fiscal_analysis.money.format_amount`,
percentages with :func:`~fiscal_analysis.money.format_pct`; derived figures are
marked 推算 and a missing figure is said in words.

Examples:
    >>> s = Section("收入", ("本年收入合计335.78万元。",), reasons=("<script>x</script>",))
    >>> "&lt;script&gt;x&lt;/script&gt;" in s.to_html() and "<script>" not in s.to_html()
    True
    >>> fmt_amount(Decimal("21.66"), "derived"), fmt_amount(None, "undisclosed")
    ('21.66万元（推算）', '未公开')
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from fiscal_analysis.money import format_amount, format_pct
from fiscal_analysis.report.outputs import OUTPUT_KEY
from fiscal_analysis.report.table import table_html

if TYPE_CHECKING:
    from fiscal_analysis.charts.style import Chart
    from fiscal_analysis.metrics.exact import Change

__all__ = [
    "RenderedChart",
    "Section",
    "change_rate_words",
    "change_words",
    "fmt_amount",
    "fmt_pct",
    "line_name",
    "render_chart",
    "show",
    "text_table",
]

_STATUS_WORDS = {"undisclosed": "未公开", "missing": "无数据"}


class RenderedChart(NamedTuple):
    """A chart already rendered to HTML (``<figure>`` with embedded PNG) and its alt text."""

    alt: str
    html: str


def render_chart(chart: Chart) -> RenderedChart:
    """Render a :class:`~fiscal_analysis.charts.figures.Chart` once (its figure is released).

    matplotlib is imported only here, so pages that show no chart (the batch
    index) are written without it.
    """
    from fiscal_analysis.charts.style import chart_html

    return RenderedChart(chart.alt, chart_html(chart))


def change_words(c: Change) -> str:
    """``减少327.17万元``, ``持平`` or ``—`` (not comparable).

    Examples:
        >>> from fiscal_analysis.metrics.exact import change
        >>> change_words(change(Decimal("335.78"), Decimal("662.95")))
        '减少327.17万元'
    """
    if c.delta is None or c.direction is None:
        return "—"
    return "持平" if c.direction == "持平" else f"{c.direction}{fmt_amount(abs(c.delta))}"


def change_rate_words(c: Change, decimals: int = 1) -> str:
    """``下降49.4%``, ``增长5.0%``, ``持平`` or the reason there is no rate.

    Examples:
        >>> from fiscal_analysis.metrics.exact import change
        >>> change_rate_words(change(Decimal("26"), Decimal("0")))
        '上年为0，无法计算增长率'
    """
    if c.pct is None:
        return "持平" if c.direction == "持平" else (c.note or "—")
    if c.pct == 0:
        return "持平"
    return ("增长" if c.pct > 0 else "下降") + fmt_pct(abs(c.pct), decimals)


def line_name(classification: Any, code: str) -> str:
    """A 项 as a reader names it: its 款 and its own name (``行政运行`` alone says too little).

    Examples:
        >>> from fiscal_analysis.schema.classification import Classification
        >>> line_name(Classification.builtin(), "2013801")
        '市场监督管理事务·行政运行'
        >>> line_name(Classification.builtin(), "201")
        '一般公共服务支出'
    """
    name = classification.name
    return f"{name(code[:5])}·{name(code)}" if len(code) == 7 else name(code)


def fmt_amount(amount: Decimal | None, status: str = "published") -> str:
    """An amount cell: ``99.2万元``, ``21.66万元（推算）``, ``未公开`` or ``无数据``.

    Examples:
        >>> fmt_amount(Decimal("99.20"))
        '99.2万元'
        >>> fmt_amount(None)
        '无数据'
    """
    if amount is None:
        return _STATUS_WORDS.get(status, "无数据")
    return format_amount(amount) + ("（推算）" if status == "derived" else "")


def fmt_pct(value: Fraction | Decimal | None, decimals: int = 1, why: str = "—") -> str:
    """A percentage cell (``49.4%``), or ``why`` when there is no rate.

    Examples:
        >>> fmt_pct(Fraction(33578 * 100, 20035))
        '167.6%'
        >>> fmt_pct(None, 1, "年初预算为0，无完成率")
        '年初预算为0，无完成率'
    """
    return why if value is None else format_pct(value, decimals)


def text_table(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> pd.DataFrame:
    """A display table of text cells with the given Chinese headers, in order."""
    return pd.DataFrame([[str(r.get(c, "")) for c in columns] for r in rows], columns=list(columns))


@dataclass(frozen=True)
class Section:
    """One part of the report, as plain text (escaped only when rendered).

    Attributes:
        title: Heading.
        paragraphs: Narrative sentences (the library's Chinese wording).
        table: A display table (text cells, Chinese headers) or ``None``.
        charts: Rendered charts with their alt texts.
        drivers: What the figures show drove a change (computed).
        reasons: The department's stated reasons, verbatim.
        notes: Missing-data and 推算 statements.
        level: Heading level (1 for the report title).
    """

    title: str
    paragraphs: tuple[str, ...] = ()
    table: pd.DataFrame | None = None
    charts: tuple[RenderedChart, ...] = ()
    drivers: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    level: int = 2
    subsections: tuple[Section, ...] = field(default=())

    @property
    def text(self) -> str:
        """Every visible text of the section (and its subsections), one per line."""
        parts = [self.title, *self.paragraphs, *self.drivers, *self.reasons, *self.notes]
        parts += [c.alt for c in self.charts]
        if self.table is not None:
            parts += ["\t".join(map(str, self.table.columns))]
            parts += ["\t".join(map(str, row)) for row in self.table.itertuples(index=False)]
        parts += [s.text for s in self.subsections]
        return "\n".join(parts)

    def to_html(self) -> str:
        """The section as an HTML fragment; all data-derived text escaped."""
        esc = html.escape
        level = min(max(self.level, 1), 6)
        out = [f'<section class="fisc-section"><h{level}>{esc(self.title)}</h{level}>']
        out += [f"<p>{esc(p)}</p>" for p in self.paragraphs]
        out += [c.html for c in self.charts]
        if self.table is not None and not self.table.empty:
            out.append(table_html(self.table))
        if self.drivers or self.reasons:
            left = "".join(f"<p>{esc(d)}</p>" for d in self.drivers) or "<p>—</p>"
            right = "".join(f"<blockquote>{esc(r)}</blockquote>" for r in self.reasons)
            right = right or "<p>单位未说明原因。</p>"
            h = f"h{min(level + 1, 6)}"
            out.append(
                '<div class="fisc-compare">'
                f"<div><{h}>数据显示的变动构成</{h}>{left}</div>"
                f"<div><{h}>单位说明的原因（原文）</{h}>{right}</div></div>"
            )
        out += [f'<p class="fisc-note">{esc(n)}</p>' for n in self.notes]
        out += [s.to_html() for s in self.subsections]
        out.append("</section>")
        return "".join(out)


def show(section: Section) -> Any:
    """The section as an :class:`IPython.display.HTML` object for a notebook cell.

    A section that knows its report's 错误 count (the first screen) carries it in
    the output's metadata, ``{"fiscal-analysis": {"errors": n}}``, so the report
    index does not run the checks a second time.

    Examples:
        >>> from fiscal_analysis.report.first_screen import SummaryScreen
        >>> show(SummaryScreen("甲局2020年度部门决算分析", "", (), (), errors=2)).metadata
        {'fiscal-analysis': {'errors': 2}}
        >>> show(Section("收入")).metadata
        {}
    """
    from IPython.display import HTML

    errors = getattr(section, "errors", None)
    metadata = {OUTPUT_KEY: {"errors": int(errors)}} if errors is not None else None
    return HTML(section.to_html(), metadata=metadata)


# -- opening a report ---------------------------------------------------------
