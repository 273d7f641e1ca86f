"""Published disclosure (text or PDF) -> dataset rows and an extraction report.

:mod:`.text` reads a document into numbered lines (:mod:`.pdftext` for PDF,
with :mod:`.ruled` (ruled tables' cells), :mod:`.aligned` (unruled tables' header
positions) and :mod:`.econ_layout` (two-panel 06表) as second opinions on the columns);
:mod:`.script` converts traditional script for parsing. :mod:`.headings`
finds its tables and 情况说明 sections (headings are hints: :mod:`.topics`
reads every numeric sentence outside them by its own words); :mod:`.tables`
and :mod:`.placing` read the tables (columns from the tables' identities),
:mod:`.statements` the sentences (:mod:`.pairs` spells out 各 lists);
:mod:`.build` assembles an :class:`Extraction` (:mod:`.model`) and
:mod:`.rows` its dataset rows; :mod:`.extraction_report` lists every figure
with its source line. Amounts are exact 分 while reading (:mod:`.units`);
every figure records its evidence (``table``, ``sentence``, ``ambiguous``,
``guess``). May import :mod:`fiscal_analysis.dataset`,
:mod:`fiscal_analysis.schema`, :mod:`fiscal_analysis.money`,
:mod:`fiscal_analysis.errors` and :mod:`fiscal_analysis.files`.

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

from fiscal_analysis.dataset.write import write_dataset
from fiscal_analysis.errors import ExtractError
from fiscal_analysis.extract.aligned import second_opinions
from fiscal_analysis.extract.build import build, entity_id_for
from fiscal_analysis.extract.extraction_report import report_data, write_report
from fiscal_analysis.extract.model import Extraction
from fiscal_analysis.extract.text import read_lines
from fiscal_analysis.files import atomic_write

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


def extract_document(
    path: str | Path, entity_id: str | None = None, year: int | None = None
) -> Extraction:
    """Read a ``.txt`` or ``.pdf`` disclosure and extract its figures.

    Raises:
        ExtractError: If the file cannot be read, holds no figure or no year.
    """
    p = Path(path)
    lines = read_lines(p)
    ex = build(lines, p.name, entity_id, year)
    # second opinions on the pages whose table columns the text layer left open
    settled = second_opinions(p, lines, ex.tables)
    if settled != lines:
        ex = build(settled, p.name, entity_id, year)
    return ex


def extract_to_dir(
    path: str | Path, out_dir: str | Path, entity_id: str | None = None, year: int | None = None
) -> Extraction:
    """Extract a disclosure into a dataset folder, with its text and the report.

    Writes the CSV files (:func:`fiscal_analysis.dataset.write.write_dataset`), the
    normalised text as ``raw/<doc_id>.txt`` (cited by ``documents.csv`` so the
    narrative checks can read it) and ``extraction_report.md``/``.json``.
    """
    ex = extract_document(path, entity_id, year)
    out = Path(out_dir)
    rel = f"raw/{ex.doc_id}.txt"
    text = ("\n".join(ex.original or ex.lines) + "\n").encode("utf-8")
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
    write_dataset(ex.rows, out, always=("facts", "tables"))
    write_report(ex, out)
    return ex
