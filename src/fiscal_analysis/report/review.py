"""The annual report's 数据核对 section: reconciliation results in Chinese.

:func:`review_section` runs every check on one entity-year and returns the
findings, a display table with Chinese headings and one summary sentence a
reader can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from fiscal_analysis.checks import run_checks, summarise
from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.report.findings_table import outcome_label

__all__ = [
    "COLUMNS",
    "TEXT_RULES",
    "ReviewSection",
    "plain",
    "review_section",
    "rule_title",
    "summary_sentence",
]

#: Chinese names of the 情况说明 text checks (the table rules name themselves in ``RULES``).
TEXT_RULES = {
    "N-1": "说明中的收支总计与表一致",
    "N-2": "说明中的收入决算与表一致",
    "N-3": "说明中的支出决算与表一致",
    "N-4": "说明中的财政拨款收支总计与表一致",
    "N-5": "说明中的一般公共预算财政拨款支出总体情况与表一致",
    "N-6": "说明中的一般公共预算财政拨款支出结构与表一致",
    "N-7": "说明中各项支出的预算与决算与表一致",
    "N-8": "说明中的基本支出与表一致",
    "N-9": "说明中的“三公”经费与表一致",
    "N-10": "说明中的政府性基金、国有资本经营预算与表一致",
    "N-11": "说明中的机关运行经费与表一致",
    "N-12": "说明中的政府采购与表一致",
    "N-13": "说明中的国有资产占用情况与表一致",
    "N-14": "说明中的其他数字前后一致",
    "N-TEXT": "说明原文的文字核对",
    "F-PLACEHOLDER": "说明中没有遗留模板占位词",
    "F-DUP": "说明中没有重复的词",
    "F-PERCENT": "比率写明百分号",
    "F-UNIT": "金额写明正确的单位",
}


def rule_title(rule: str) -> str:
    """A rule's Chinese name (never its id), for what a reader sees.

    Examples:
        >>> rule_title("X-11"), rule_title("F-UNIT")
        ('05表基本支出合计 = 06表人员经费合计 + 公用经费合计', '金额写明正确的单位')
        >>> rule_title("Z-99")
        '其他核对'
    """
    from fiscal_analysis.checks import RULES

    if rule in RULES:
        return RULES[rule].title
    return TEXT_RULES.get(rule, "其他核对")


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


def plain(text: str) -> str:
    """A check's message as a reader sees it: table ids as printed (``T04`` → ``04表``).

    Examples:
        >>> plain("T04 收入支出总计说明为0.3万元，与表中2961.68万元不符")
        '04表收入支出总计说明为0.3万元，与表中2961.68万元不符'
    """
    return re.sub(r"\bT(0\d)\b\s?", r"\1表", text)


def _message(f: Finding) -> str:
    """What the reader sees of a finding: a rule that could not be applied says why in words."""
    if f.status != "not_applicable":
        return plain(f.message)
    if f.rule == "N-TEXT":
        return "没有取得该年度公开文件的原文，未做说明与表格的文字核对。"
    return "数据中缺少这条规则所需的数字，未核对。"


def _table(findings: list[Finding]) -> pd.DataFrame:
    shown = sorted((f for f in findings if f.status != "pass"), key=_key)
    rows = [
        [
            rule_title(f.rule),
            outcome_label(f),
            _message(f),
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
        按勾稽关系规则核对 2 项：发现 1 项错误（见下表），需核实原表或数据；1 项需要注意。
        >>> from fiscal_analysis.checks.findings import needs_review
        >>> unsure = needs_review(Finding("X-7", "fail", "error", "不相符"), "列不确定")
        >>> print(summary_sentence([unsure]))
        按勾稽关系规则核对 1 项：1 项需复核（所依据的数字读取不确定，不是错误）；未发现错误。
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
        reviews = sum(1 for f in findings if f.status == "fail" and getattr(f, "review", False))
        pieces = []
        if s["error"]:
            pieces.append(f"发现 {s['error']} 项错误（见下表），需核实原表或数据")
        if fine:
            pieces.append("，".join(fine))
        if s["warning"] - reviews:
            pieces.append(f"{s['warning'] - reviews} 项需要注意")
        if reviews:
            pieces.append(f"{reviews} 项需复核（所依据的数字读取不确定，不是错误）")
        if not s["error"]:
            pieces.append("未发现错误")
        text = f"按勾稽关系规则核对 {checked} 项：" + "；".join(pieces)
    if s["not_applicable"]:
        text += f"。另有 {s['not_applicable']} 项因缺少所需数字未能核对"
    return text + "。"


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
