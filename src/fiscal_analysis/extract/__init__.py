"""Published disclosure (text or PDF) -> dataset rows and an extraction report.

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> ex = extract_to_dir("data/raw/lusong-xzsp-2020.txt", out, entity_id="lusong-xzsp")
    >>> from fiscal_analysis import load_dataset
    >>> str(load_dataset(out).value("lusong-xzsp", 2020, "T01", "income_grand_total"))
    '335.78'
"""

from __future__ import annotations

from pathlib import Path

from ..paths import atomic_write
from ..writer import write_dataset
from .build import Extraction, build, entity_id_for
from .report import report_data, write_report
from .text import ExtractError, read_lines

__all__ = [
    "ExtractError",
    "Extraction",
    "entity_id_for",
    "extract_document",
    "extract_lines",
    "extract_to_dir",
    "report_data",
]


def extract_lines(
    lines: list[str], source: str = "<text>", entity_id: str | None = None
) -> Extraction:
    """Extract from already-read lines (see :func:`~.text.read_lines`)."""
    return build(lines, source, entity_id)


def extract_document(path: str | Path, entity_id: str | None = None) -> Extraction:
    """Read a ``.txt`` or ``.pdf`` disclosure and extract its figures.

    Raises:
        ExtractError: If the file cannot be read or has no recognisable title.
    """
    p = Path(path)
    return build(read_lines(p), p.name, entity_id)


def extract_to_dir(
    path: str | Path, out_dir: str | Path, entity_id: str | None = None
) -> Extraction:
    """Extract a disclosure into a dataset folder, with its text and the report.

    Writes the CSV files (:func:`fiscal_analysis.writer.write_dataset`), the
    normalised text as ``raw/<doc_id>.txt`` (cited by ``documents.csv`` so the
    narrative checks can read it) and ``extraction_report.md``/``.json``.
    """
    ex = extract_document(path, entity_id)
    out = Path(out_dir)
    rel = f"raw/{ex.doc_id}.txt"
    text = ("\n".join(ex.lines) + "\n").encode("utf-8")
    target = out / rel
    if target.exists() and target.read_bytes() != text:
        raise ExtractError(
            f"{target} 已存在且内容不同；原始文件不可改写，请换一个输出目录"
            " (raw files are immutable)"
        )
    (out / "raw").mkdir(parents=True, exist_ok=True)
    atomic_write(target, text)
    for row in ex.rows["documents"]:
        row["path"] = rel
    write_dataset(ex.rows, out)
    write_report(ex, out)
    return ex
