"""What one document's extraction holds: :class:`Extraction`."""

from __future__ import annotations

from dataclasses import dataclass, field

from fiscal_analysis.extract.records import Parsed
from fiscal_analysis.extract.tables import TableResult

__all__ = ["Extraction"]


@dataclass
class Extraction:
    """Everything read from one document."""

    entity_id: str
    name: str
    year: int
    doc_id: str
    title: str
    lines: list[str]
    tables: list[TableResult]
    parsed: Parsed
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Non-financial numbers (绩效 outputs …) kept as indicators, with their lines.
    indicators: list = field(default_factory=list)
    #: The lines as printed (``lines`` are converted to simplified script for parsing).
    original: list[str] = field(default_factory=list)
