"""The annual report's 数据核对 section: reconciliation results in Chinese.

:func:`review_section` runs every check on one entity-year and returns the
findings, a display table with Chinese headings and one summary sentence a
reader can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from fiscal_analysis.checks import run_checks, summarise
from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.report.findings_table import outcome_label

__all__ = ["COLUMNS", "ReviewSection", "review_section", "summary_sentence"]

#: Columns of :attr:`ReviewSection.table`.
COLUMNS = ["规则", "结果", "说明", "涉及数字", "容差"]

_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class ReviewSection:
    """Results of the checks on one entity-year.

    Attributes:
        entity_id: The entity.
        year: The year.
        findings: Every finding, passes included.
        counts: Counts by status and, among failures, by severity.
        summary: One Chinese paragraph summarising the results.
        table: Failures (errors first), then checks that could not be made,
            with Chinese headings :data:`COLUMNS`.
    """

    entity_id: str
    year: int
    findings: list[Finding]
    counts: dict[str, int]
    summary: str
    table: pd.DataFrame = field(repr=False)

    @property
    def errors(self) -> list[Finding]:
        """Failed checks of severity ``error``."""
        return [f for f in self.findings if f.is_error]


def _key(f: Finding) -> tuple[int, int]:
    return (0 if f.status == "fail" else 1, _ORDER.get(f.severity, 3))


def _table(findings: list[Finding]) -> pd.DataFrame:
    shown = sorted((f for f in findings if f.status != "pass"), key=_key)
    rows = [
        [
            f.rule,
            outcome_label(f),
            f.message,
            "；".join(f"{k} {v}" for k, v in f.figures.items()),
            f.tolerance or "",
        ]
        for f in shown
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def summary_sentence(findings: list[Finding]) -> str:
    """The Chinese summary of a list of findings.

    Examples:
        >>> fs = [Finding("T01-5", "pass", "error", ""), Finding("X-3", "fail", "info", ""),
        ...       Finding("T02-1", "not_applicable", "error", "")]
        >>> s = summary_sentence(fs)
        >>> s.startswith("按勾稽关系规则核对 2 项：1 项相符，1 项差异在取整误差以内")
        True
        >>> s.endswith("不是错误）；未发现错误。另有 1 项因缺少所需数字未能核对。")
        True
        >>> fs = [Finding("X-11", "fail", "error", ""), Finding("N-9", "fail", "warning", "")]
        >>> print(summary_sentence(fs))
        按勾稽关系规则核对 2 项：发现 1 项错误（X-11），需核实原表或数据；1 项需要注意（N-9）。
    """
    s = summarise(findings)
    checked = s["pass"] + s["fail"]
    if not checked:
        text = "数据中没有可供核对的数字，未能进行勾稽关系核对"
    else:
        fine = []
        if s["pass"]:
            fine.append(f"{s['pass']} 项相符")
        if s["info"]:
            fine.append(f"{s['info']} 项差异在取整误差以内（各级数字分别四舍五入所致，不是错误）")
        text = f"按勾稽关系规则核对 {checked} 项：" + "，".join(fine)
        if s["error"]:
            head = f"发现 {s['error']} 项错误（{_ids(findings, 'error')}），需核实原表或数据"
            text = f"按勾稽关系规则核对 {checked} 项：{head}" + (
                "；" + "，".join(fine) if fine else ""
            )
        if s["warning"]:
            text += f"；{s['warning']} 项需要注意（{_ids(findings, 'warning')}）"
        if not s["error"]:
            text += "；未发现错误"
    if s["not_applicable"]:
        text += f"。另有 {s['not_applicable']} 项因缺少所需数字未能核对"
    return text + "。"


def _ids(findings: list[Finding], severity: str) -> str:
    hits = (f.rule for f in findings if f.status == "fail" and f.severity == severity)
    return "、".join(dict.fromkeys(hits))


def review_section(ey: EntityYear, *, text_checks: bool = True) -> ReviewSection:
    """Run the checks for the report's 数据核对 section.

    Args:
        ey: The entity-year of the report.
        text_checks: Also check the narrative text against the tables when
            the text checks are available.

    Returns:
        A :class:`ReviewSection`.

    Raises:
        UnknownEntityError: If the entity or year is not in the data.
    """
    findings = run_checks(ey.ds, ey.entity_id, ey.year, text_checks=text_checks)
    return ReviewSection(
        ey.entity_id,
        ey.year,
        findings,
        summarise(findings),
        summary_sentence(findings),
        _table(findings),
    )
