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

__all__ = ["SEVERITIES", "STATUSES", "Finding", "summarise"]

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
        source: Where in the document (section or line), where known.
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

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}: {self.status!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}: {self.severity!r}")

    @property
    def is_error(self) -> bool:
        """A failed check of severity ``error``."""
        return self.status == "fail" and self.severity == "error"

    def as_dict(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


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
