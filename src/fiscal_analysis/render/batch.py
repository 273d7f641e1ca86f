"""The jobs and results of a batch render, and the summary printed at the end.

:class:`ReportJob` is everything a worker needs to render one report (it is
picklable, so it can go to another process or machine); :class:`ReportResult`
is what came of it; :class:`BatchResult` collects a run and prints the
summary table (Chinese, aligned for CJK terminals).

Examples:
    >>> from pathlib import Path
    >>> ok = ReportResult("a", "甲局", 2020, "skipped", Path("r/a/2020"), reason="未变化")
    >>> bad = ReportResult("b", "乙局", 2020, "failed", Path("r/b/2020"), error="TypeError: x")
    >>> batch = BatchResult([ok, bad])
    >>> batch.exit_code
    1
    >>> print(batch.summary())
    报告汇总：生成 0 份，跳过 1 份，失败 1 份 (rendered 0, skipped 1, failed 1)
      状态    年度  单位       说明
      已跳过  2020  甲局 (a)   r/a/2020/report.html（未变化）
      失败    2020  乙局 (b)   TypeError: x
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fiscal_analysis.render.fingerprint import Fingerprint
from fiscal_analysis.report.terminal import pad, text_width

__all__ = ["BatchResult", "ReportJob", "ReportResult"]


@dataclass(frozen=True)
class ReportJob:
    """Everything a worker needs to render one report (picklable).

    ``parameters`` are the values for the notebook's ``parameters`` cell
    (``entity``, ``year``, ``data`` and whatever else the notebook declares
    and was asked for). ``shown_folder`` is ``folder`` as the user named it,
    for messages, when ``folder`` was made absolute (a job sent to a cluster).
    """

    entity_id: str
    name: str
    year: int
    folder: Path
    notebook_path: str
    notebook_text: str
    parameters: dict[str, Any]
    fingerprint: Fingerprint
    reason: str = ""
    timeout: float | None = 600
    shown_folder: Path | None = None


@dataclass(frozen=True)
class ReportResult:
    """The outcome of one report: ``rendered``, ``skipped`` or ``failed``.

    For failures, ``cell_index`` (0-based, in the notebook file), ``cell_source``
    (its first line), ``ename`` and ``evalue`` say what went wrong; ``error``
    is the one-line message shown to the user.
    """

    entity_id: str
    name: str
    year: int
    status: str
    folder: Path
    reason: str = ""
    error: str = ""
    cell_index: int | None = None
    cell_source: str = ""
    ename: str = ""
    evalue: str = ""
    #: The 错误 count the report's notebook attached to its output, if it did
    #: (:func:`fiscal_analysis.report.blocks.show`); the index uses it.
    errors: int | None = None

    @property
    def html(self) -> Path:
        return self.folder / "report.html"

    @property
    def notebook(self) -> Path:
        return self.folder / "report.ipynb"


@dataclass(frozen=True)
class BatchResult:
    """All reports of one run, in (entity, year) order."""

    reports: list[ReportResult] = field(default_factory=list)

    def by_status(self, status: str) -> list[ReportResult]:
        return [r for r in self.reports if r.status == status]

    @property
    def exit_code(self) -> int:
        """0 if nothing failed, else 1."""
        return 1 if self.by_status("failed") else 0

    def summary(self) -> str:
        """A table of rendered, skipped and failed reports (plain text, Chinese)."""
        counts = {s: len(self.by_status(s)) for s in ("rendered", "skipped", "failed")}
        head = (
            f"报告汇总：生成 {counts['rendered']} 份，跳过 {counts['skipped']} 份，"
            f"失败 {counts['failed']} 份 (rendered {counts['rendered']}, "
            f"skipped {counts['skipped']}, failed {counts['failed']})"
        )
        label = {"rendered": "已生成", "skipped": "已跳过", "failed": "失败"}
        rows = [("状态", "年度", "单位", "说明")]
        for r in self.reports:
            note = r.error if r.status == "failed" else f"{r.html}（{r.reason}）"
            rows.append((label[r.status], str(r.year), f"{r.name} ({r.entity_id})", note))
        widths = [max(text_width(row[i]) for row in rows) for i in range(3)]
        lines = [head]
        for row in rows:
            cells = [pad(row[i], widths[i]) for i in range(3)]
            lines.append("  " + "  ".join([*cells, row[3]]).rstrip())
        return "\n".join(lines)
