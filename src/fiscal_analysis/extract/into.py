"""Extract a published document into an existing dataset, as a new user would expect.

:func:`extract_into` differs from :func:`fiscal_analysis.extract.extract_to_dir`
(which builds a fresh folder) in what it leaves in the dataset:

* ``raw/`` receives the document **as published** (the PDF, byte for byte,
  as ``raw/<entity_id>-<year>.<ext>``) and no converted text;
* the extraction report goes **beside** the dataset (``<data>-extraction/
  <entity_id>-<year>/``), not into it;
* the entity id is readable: ``--entity``, else a slug of the file name
  (``doc01_shpt_caizhengju_2024.pdf`` → ``shpt-caizhengju``);
* a department already in the data (same name) is refused unless ``entity``
  names it (its id or its full name): then the new year is merged into it.
  A year the department already has is refused too.

Examples:
    >>> readable_id("doc01_shpt_caizhengju_2024.pdf")
    'shpt-caizhengju'
    >>> readable_id("决算公开.pdf") is None
    True
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from fiscal_analysis.dataset.walk import data_files
from fiscal_analysis.dataset.write import write_dataset
from fiscal_analysis.errors import ExtractError
from fiscal_analysis.extract.aligned import second_opinions
from fiscal_analysis.extract.build import build
from fiscal_analysis.extract.excel import Workbook, read_workbook, workbook_rows
from fiscal_analysis.extract.extraction_report import write_report
from fiscal_analysis.extract.model import Extraction
from fiscal_analysis.extract.text import read_lines

__all__ = [
    "choose_entity_id",
    "extract_into",
    "extract_workbook",
    "is_dataset",
    "known_entities",
    "readable_id",
    "report_dir_for",
]


def is_dataset(folder: Path) -> bool:
    """Whether ``folder`` already holds a dataset (an ``entities.csv``)."""
    return (Path(folder) / "entities.csv").is_file()


def readable_id(filename: str) -> str | None:
    """A readable ASCII id from a file name: its words without a leading number or the year."""
    stem = Path(filename).stem.lower()
    stem = re.sub(r"^(doc)?\d+[_\-\s]+", "", stem)
    stem = re.sub(r"[_\-\s]*(19|20)\d\d$", "", stem)
    slug = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    return slug or None


def report_dir_for(data_dir: Path, entity_id: str, year: int) -> Path:
    """Where the extraction report of one document goes: beside the dataset, not in it."""
    data_dir = Path(data_dir).resolve()
    return data_dir.parent / f"{data_dir.name}-extraction" / f"{entity_id}-{year}"


def known_entities(data_dir: Path) -> dict[str, str]:
    """entity_id → name of the dataset's ``entities.csv`` files."""
    out = {}
    # the dataset's own walk: links that leave data/ and link loops are refused, not followed
    for found in data_files(data_dir, ["entities"]):
        path = Path(data_dir) / found.rel
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                out[row["entity_id"]] = row.get("name", "")
    return out


def _years(data_dir: Path, entity_id: str) -> set[int]:
    """Years for which the department already has a published document (not only 推算 figures)."""
    years = set()
    for path in (Path(data_dir) / entity_id).glob("documents.csv"):
        with path.open(encoding="utf-8-sig", newline="") as f:
            years |= {int(r["year"]) for r in csv.DictReader(f) if r.get("year", "").isdigit()}
    return years


def choose_entity_id(doc: Path, name: str, entity: str | None, known: dict[str, str]) -> str:
    """The id to write ``name`` under: ``entity`` (an id or a full name), or a readable slug.

    Raises:
        ExtractError: ``name`` is already in ``known`` under another id, ``entity``
            belongs to another department, or no readable id can be made.
    """
    same = [e for e, n in known.items() if n == name]
    if entity is not None:
        by_name = [e for e, n in known.items() if n == entity]
        chosen = by_name[0] if by_name else entity
        if same and chosen not in same:
            raise ExtractError(
                f"数据中已有「{name}」（单位标识 {same[0]}），不能再以 {chosen} 新建；"
                f"要并入该单位请用 --entity {same[0]}"
            )
        if not same and chosen in known:
            raise ExtractError(f"单位标识 {chosen} 已属于「{known[chosen]}」，与「{name}」不同")
        return chosen
    if same:
        raise ExtractError(
            f"数据中已有「{name}」（单位标识 {same[0]}）：要把本文件并入该单位，请加 "
            f"--entity {same[0]}；不会重复新建同名单位"
        )
    slug = readable_id(doc.name)
    if slug is None:
        raise ExtractError(f"无法由文件名「{doc.name}」生成可读的单位标识，请用 --entity 指定")
    if slug in known:
        raise ExtractError(f"单位标识 {slug} 已属于「{known[slug]}」，请用 --entity 另行指定")
    return slug


def extract_into(
    doc: str | Path, data_dir: str | Path, entity: str | None = None, year: int | None = None
) -> tuple[Extraction, Path]:
    """Extract ``doc`` into the existing dataset ``data_dir``; returns it and the report folder.

    ``year`` is the document's year when it does not state one (an excerpt).

    Raises:
        ExtractError: The department exists and ``entity`` does not name it, the
            year is already in the data, or no readable id can be made.
    """
    doc, data_dir = Path(doc), Path(data_dir)
    lines = read_lines(doc)
    first = build(lines, doc.name, None, year)
    settled = second_opinions(doc, lines, first.tables)
    if settled != lines:
        first = build(settled, doc.name, None, year)
    known = known_entities(data_dir)
    entity_id = choose_entity_id(doc, first.name, entity, known)
    if first.year in _years(data_dir, entity_id):
        raise ExtractError(
            f"{entity_id} 已有 {first.year} 年度数据；原始文件不可改写，请先删除该年度再提取"
        )
    ex = build(first.lines, doc.name, entity_id, year)
    rel = _keep_as_published(doc, data_dir, entity_id, ex.year)
    for row in ex.rows["documents"]:
        row["path"] = rel
    if entity_id in known:  # merging a year: keep the registry row as curated
        ex.rows.pop("entities", None)
    write_dataset(ex.rows, data_dir)
    report = report_dir_for(data_dir, entity_id, ex.year)
    write_report(ex, report)
    return ex, report


def _keep_as_published(doc: Path, data_dir: Path, entity_id: str, year: int) -> str:
    """Copy ``doc`` byte for byte to ``raw/<entity_id>-<year>.<ext>``; the relative path."""
    rel = f"raw/{entity_id}-{year}{doc.suffix.lower()}"
    target = data_dir / rel
    if target.exists() and target.read_bytes() != doc.read_bytes():
        raise ExtractError(f"{target} 已存在且内容不同；原始文件不可改写")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(doc, target)
    return rel


def extract_workbook(
    doc: str | Path, data_dir: str | Path, entity: str | None = None
) -> tuple[Workbook, str, int]:
    """Read the nine 公开表 of an ``.xlsx`` into ``data_dir`` (new or existing dataset).

    The workbook goes to ``raw/`` as published; the same rules as
    :func:`extract_into` choose the entity id and refuse a duplicate.

    Returns:
        The workbook read, the entity id written and the number of facts.
    """
    doc, data_dir = Path(doc), Path(data_dir)
    wb = read_workbook(doc)
    known = known_entities(data_dir) if is_dataset(data_dir) else {}
    entity_id = choose_entity_id(doc, wb.name, entity, known)
    if wb.year in _years(data_dir, entity_id):
        raise ExtractError(f"{entity_id} 已有 {wb.year} 年度数据；请先删除该年度再提取")
    rel = _keep_as_published(doc, data_dir, entity_id, wb.year)
    rows = workbook_rows(wb, entity_id, rel)
    if entity_id in known:
        rows.pop("entities")
    write_dataset(rows, data_dir)
    return wb, entity_id, len(rows["facts"])
