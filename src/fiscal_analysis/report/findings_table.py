"""Findings as a terminal table, a Chinese summary line, or JSON.

Examples:
    >>> from fiscal_analysis.checks.findings import Finding, summarise
    >>> fs = [Finding("X-11", "fail", "error", "不相符", "e1", 2020),
    ...       Finding("T01-5", "pass", "error", "相符", "e1", 2020)]
    >>> print(summary_line(fs))
    共 2 项核对：通过 1，未通过 1（错误 1，警告 0，提示 0），不适用 0。
    >>> print(render_table(fs))
    规则  结果  单位·年度  说明
    X-11  错误  e1·2020    不相符
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from fiscal_analysis.checks.findings import Finding, summarise
from fiscal_analysis.report.terminal import pad, text_width

__all__ = [
    "outcome_label",
    "render_json",
    "render_table",
    "summary_line",
    "visible",
]

_STATUS = {"pass": "通过", "not_applicable": "不适用"}
_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def outcome_label(f: Finding) -> str:
    """``通过``, ``不适用``, ``需复核`` (a reading without evidence), or a failure's severity."""
    if f.status == "fail" and getattr(f, "review", False):
        return "需复核"
    return _STATUS.get(f.status) or _SEVERITY[f.severity]


def visible(findings: Iterable[Finding], show_all: bool = False) -> list[Finding]:
    """Findings to show: the failures; with ``show_all`` also passes and not-applicable ones."""
    return [f for f in findings if show_all or f.status == "fail"]


def render_table(findings: Sequence[Finding], show_all: bool = False) -> str:
    """A plain-text table: rule, outcome, entity·year, message.

    Figures and tolerance follow the message on an indented line when present.
    """
    shown = visible(findings, show_all)
    if not shown:
        return "没有未通过的核对（通过与不适用的核对用 --all 列出）。"
    rows = [(f.rule, outcome_label(f), f"{f.entity_id or '—'}·{f.year or '—'}", f) for f in shown]
    head = ("规则", "结果", "单位·年度")
    widths = [max(text_width(h), *(text_width(r[i]) for r in rows)) for i, h in enumerate(head)]
    lines = ["  ".join(pad(h, w) for h, w in zip(head, widths, strict=True)) + "  说明"]
    for rule, outcome, where, f in rows:
        cells = (rule, outcome, where)
        lines.append(
            "  ".join(pad(c, w) for c, w in zip(cells, widths, strict=True)) + "  " + f.message
        )
        if f.status == "fail" and (f.figures or f.tolerance):
            figs = "；".join(f"{k} {v}" for k, v in f.figures.items())
            tol = f"（容差{f.tolerance}）" if f.tolerance else ""
            lines.append(" " * (sum(widths) + 6) + f"数字：{figs}{tol}")
    return "\n".join(lines)


def summary_line(findings: Iterable[Finding]) -> str:
    """One Chinese sentence with the counts by status and severity."""
    s = summarise(findings)
    return (
        f"共 {s['total']} 项核对：通过 {s['pass']}，未通过 {s['fail']}"
        f"（错误 {s['error']}，警告 {s['warning']}，提示 {s['info']}），"
        f"不适用 {s['not_applicable']}。"
    )


def render_json(findings: Sequence[Finding], show_all: bool = True) -> str:
    """JSON with ``summary`` counts and the ``findings`` (all by default).

    Examples:
        >>> print(render_json([]))  # doctest: +NORMALIZE_WHITESPACE
        {"summary": {"total": 0, "pass": 0, "fail": 0, "not_applicable": 0, "error": 0,
        "warning": 0, "info": 0}, "findings": []}
    """
    payload = {
        "summary": summarise(findings),
        "findings": [f.as_dict() for f in visible(findings, show_all)],
    }
    return json.dumps(payload, ensure_ascii=False)
