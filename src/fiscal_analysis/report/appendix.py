"""The analyst's appendix: 数据说明, 推算式, 核对明细 and the rules that could not be applied.

Leaders do not see it by default: it is one collapsed ``<details>`` element at
the end of the report (it opens on a click and prints opened). All its wording
is Chinese: rule names instead of rule ids, labels instead of keys.

Examples:
    >>> from fiscal_analysis.report.context import open_report
    >>> a = appendix(open_report("data", "lusong-xzsp", 2020))
    >>> a.title, [s.title for s in a.sections]
    ('附录：数据说明与核对明细（供分析人员）', ['数据来源与范围', '数据说明', '数据核对'])
    >>> '<details class="fisc-appendix">' in a.to_html()
    True
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from fiscal_analysis.report.blocks import Section
from fiscal_analysis.report.context import ReportContext, coverage_statement
from fiscal_analysis.report.sections_other import data_check_section, data_notes_section

__all__ = ["Details", "appendix"]


@dataclass(frozen=True)
class Details:
    """Sections folded into one collapsed ``<details>`` element."""

    title: str
    sections: tuple[Section, ...]

    @property
    def text(self) -> str:
        """Every text inside, one per line (what a reader sees once it is opened)."""
        return "\n".join([self.title, *(s.text for s in self.sections)])

    def to_html(self) -> str:
        inner = "".join(s.to_html() for s in self.sections)
        return (
            f'<details class="fisc-appendix"><summary>{html.escape(self.title)}</summary>'
            f"{inner}</details>"
        )


def source_section(ctx: ReportContext) -> Section:
    """数据来源与范围: the documents the figures come from and what the year's data holds."""
    docs = ctx.ds.documents
    titles = docs.loc[docs["entity_id"] == ctx.entity_id, "title"].tolist()
    paras = ["数据来源：" + "；".join(f"《{t}》" for t in titles) + "。"] if titles else []
    paras.append(coverage_statement(ctx))
    return Section("数据来源与范围", tuple(paras), level=3)


def appendix(ctx: ReportContext) -> Details:
    """The appendix of one report: sources and coverage, 推算式, and the checks in full."""
    sections = (
        source_section(ctx),
        _level(data_notes_section(ctx), 3),
        _level(data_check_section(ctx), 3),
    )
    return Details("附录：数据说明与核对明细（供分析人员）", sections)


def _level(section: Section, level: int) -> Section:
    from dataclasses import replace

    subs = tuple(replace(s, level=level + 1) for s in section.subsections)
    return replace(section, level=level, subsections=subs)
