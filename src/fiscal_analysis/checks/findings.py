"""Findings: the results of reconciliation (勾稽) and narrative checks.

Every rule yields a :class:`Finding` per place it looked, including passes and
rules that could not be applied, so a reviewer sees what was checked and what
was not. A rule whose inputs are missing reports ``not_applicable``, never
``pass``.

Examples:
    >>> f = Finding("T01-5", "fail", "error", "收入总计与支出总计不等", "e1", 2020,
    ...             {"收入总计": "335.78", "支出总计": "335.7"}, "0.01万元")
    >>> f.is_error
    True
    >>> f.as_dict()["figures"]["支出总计"]
    '335.7'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

__all__ = ["SEVERITIES", "STATUSES", "Finding", "needs_review", "summarise"]

#: pass: the rule held; fail: it did not; not_applicable: inputs missing.
STATUSES = ("pass", "fail", "not_applicable")
#: How serious a failure is. Rounding differences (reference §3.4) are info.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One check result.

    Attributes:
        rule: Rule id mirroring reference §4 (``T01-5``, ``X-11``, ``N-2`` …).
        status: ``pass``, ``fail`` or ``not_applicable``.
        severity: ``error``, ``warning`` or ``info``.
        message: A Chinese sentence a reviewer can act on.
        entity_id: The entity, where known.
        year: The year, where known.
        figures: The figures involved, as printed (name -> text).
        tolerance: The tolerance used, e.g. ``"0.01万元"`` or ``"±0.05个百分点"``.
        source: Where in the document (page and line, or section), where known.
        review: 需复核: the finding rests on a figure read without evidence (a
            guessed or ambiguous reading); it is never an 错误 (its severity is
            ``warning``) and ``reason`` says which reading.
        reason: Why the finding needs review.
    """

    rule: str
    status: str
    severity: str
    message: str
    entity_id: str | None = None
    year: int | None = None
    figures: dict[str, str] = field(default_factory=dict)
    tolerance: str | None = None
    source: str | None = None
    review: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}: {self.status!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}: {self.severity!r}")

    @property
    def is_error(self) -> bool:
        """A failed check of severity ``error`` (never one that needs review)."""
        return self.status == "fail" and self.severity == "error" and not self.review

    def as_dict(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


def needs_review(f: Finding, reason: str) -> Finding:
    """``f`` as 需复核: a failure becomes a ``warning`` with the reason; a pass is not a pass.

    Examples:
        >>> f = Finding("X-7", "fail", "error", "不相符", "e", 2024)
        >>> r = needs_review(f, "05表第12行列位置不确定")
        >>> (r.status, r.severity, r.review, r.is_error, r.message)
        ('fail', 'warning', True, False, '需复核：不相符（05表第12行列位置不确定）')
        >>> needs_review(Finding("X-7", "pass", "error", "相符"), "x").status
        'not_applicable'
    """
    from dataclasses import replace

    if f.status == "pass":
        msg = f"未作为通过：所依据的读数不确定（{reason}）；{f.message}"
        return replace(f, status="not_applicable", severity="info", message=msg, reason=reason)
    if f.status != "fail" or f.severity == "info":
        return f
    msg = f"需复核：{f.message}（{reason}）"
    return replace(f, severity="warning", review=True, reason=reason, message=msg)


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts by status, and by severity among the failures.

    Examples:
        >>> fs = [Finding("A", "pass", "error", ""), Finding("B", "fail", "info", ""),
        ...       Finding("C", "not_applicable", "error", "")]
        >>> summarise(fs)
        {'total': 3, 'pass': 1, 'fail': 1, 'not_applicable': 1, 'error': 0, 'warning': 0, 'info': 1}
    """
    out = {
        "total": 0,
        "pass": 0,
        "fail": 0,
        "not_applicable": 0,
        "error": 0,
        "warning": 0,
        "info": 0,
    }
    for f in findings:
        out["total"] += 1
        out[f.status] += 1
        if f.status == "fail":
            out[f.severity] += 1
    return out
