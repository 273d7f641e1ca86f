"""The index of a batch of reports: one row per department-year, with its headline figures.

:func:`index_rows` reads each entity-year's 收支总计 (and its change on last
year), its budget completion and the errors the checks found in its own
disclosure; :func:`index_html` lays them out as one self-contained page whose
rows link the reports (relative links, so the folder can be copied or zipped
as a whole).

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> rows = index_rows(load_dataset("data"), [("lusong-xzsp", 2020)], text_checks=False)
    >>> r = rows[0]
    >>> r.name, r.year, r.total, r.change, r.completion, r.errors
    ('株洲市芦淞区行政审批服务局', 2020, '335.78万元', '减少327.17万元（下降49.4%）', '167.6%', 0)
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fiscal_analysis.dataset.model import Dataset, EntityYear
from fiscal_analysis.metrics.entity import total_completion, yoy_for
from fiscal_analysis.report.blocks import change_rate_words, change_words, fmt_amount, fmt_pct
from fiscal_analysis.report.review import review_section

__all__ = ["IndexRow", "error_count", "index_html", "index_rows"]


@dataclass(frozen=True)
class IndexRow:
    """One department-year of the index, as printed."""

    entity_id: str
    name: str
    region: str
    year: int
    total: str
    change: str
    completion: str
    errors: int


def index_rows(
    ds: Dataset,
    pairs: Iterable[tuple[str, int]],
    *,
    decimals: int = 1,
    text_checks: bool = True,
    errors: Mapping[tuple[str, int], int] | None = None,
) -> list[IndexRow]:
    """The index rows of ``pairs``, sorted by department, then year (latest first).

    ``errors`` gives the 错误 count of the pairs whose checks are already known
    (a report that was not re-rendered); the others are checked here.
    """
    rows = []
    for entity_id, year in pairs:
        ey = ds.entity_year(entity_id, year)
        c = yoy_for(ey, "T01", "income_grand_total")
        change = "上年无可比数据"
        if c.delta is not None:
            change = "与上年持平" if c.direction == "持平" else change_words(c)
            change += f"（{change_rate_words(c, decimals)}）" if c.pct is not None else ""
        comp = total_completion(ey)
        known = None if errors is None else errors.get((entity_id, int(year)))
        n_errors = known if known is not None else error_count(ey, text_checks=text_checks)
        entity = ds.entity(entity_id)
        rows.append(
            IndexRow(
                entity_id,
                ey.name,
                entity["region"],
                int(year),
                fmt_amount(*ey.figure("T01", "income_grand_total")),
                change,
                fmt_pct(comp.rate, decimals, comp.reason or "—"),
                n_errors,
            )
        )
    return sorted(rows, key=lambda r: (r.name, -r.year))


def error_count(ey: EntityYear, *, text_checks: bool = True) -> int:
    """How many 错误 the checks find in one department-year (as its report shows them)."""
    return len(review_section(ey, text_checks=text_checks).errors)


def index_html(rows: Iterable[IndexRow], links: Mapping[tuple[str, int], str], title: str) -> str:
    """The index page's ``<main>`` content: a table with one linked row per report.

    ``links`` maps (entity, year) to the report's path relative to the index;
    rows without a report are listed without a link.
    """
    esc = html.escape
    body = []
    for r in rows:
        href = links.get((r.entity_id, r.year))
        name = esc(r.name)
        cell = f'<a href="{esc(href, quote=True)}">{name}</a>' if href else name
        mark = (
            f'<span class="fisc-badge">发现{r.errors}处错误</span>'
            if r.errors
            else '<span class="fisc-ok">未发现错误</span>'
        )
        body.append(
            f'<tr><td>{cell}</td><td>{esc(r.region)}</td><td class="num">{r.year}</td>'
            f'<td class="num">{esc(r.total)}</td><td class="num">{esc(r.change)}</td>'
            f'<td class="num">{esc(r.completion)}</td><td>{mark}</td></tr>'
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("单位", "地区", "年度", "收支总计", "比上年", "预算完成率", "公开数字核对")
    )
    n_units = len({r.entity_id for r in rows}) if isinstance(rows, list) else None
    count = f"共{n_units}个单位、{len(rows)}份报告。" if n_units is not None else ""
    return (
        f'<section class="fisc-summary"><h1>{esc(title)}</h1>'
        f'<p class="fisc-subtitle">{count}点击单位名称打开报告；金额单位：万元。</p>'
        f'<div class="fisc-table-wrap"><table class="fisc-table fisc-index"><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>"
    )
