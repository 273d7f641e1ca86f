"""Read a dataset folder into validated pandas frames.

Every CSV is read as text (nothing is guessed or coerced), in UTF-8, UTF-8
with BOM, or GBK/GB18030. Problems from every file are collected in one pass
and raised together as :class:`~fiscal_analysis.exceptions.DataValidationError`;
nothing else escapes for a bad file (unreadable, a folder called ``facts.csv``,
ragged rows, undecodable bytes …).

The typed frames keep their repeated text columns as pandas ``category``
(every text column of ``facts``; ``entity_id`` and ``_file`` elsewhere), with
the categories sorted, so equality, ``isin``, ``groupby`` and sorting behave
as for plain strings at a fraction of the memory. :func:`load_dataset` can
load a subset of entities and can keep a validated cache
(:mod:`fiscal_analysis.cache`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from . import cache as _cache
from .classification import Classification
from .csvread import ENCODINGS, decode, quick_records, read_records
from .dataset import Dataset
from .exceptions import DataValidationError, Problem, UnknownEntityError
from .schema import FILES, FileSpec
from .subset import Only, entity_refs, keep_rows, may_hold, resolve_entities
from .textcolumns import compact, concat_text
from .validation import validate_frames

__all__ = ["ENCODINGS", "decode", "load_dataset", "read_table"]


def _find_all(root: Path) -> dict[str, list[Path]]:
    """Every declared ``<name>.csv`` below ``root`` (hidden folders skipped), in one walk."""
    targets = {f"{name}.csv": name for name in FILES}
    found: dict[str, list[Path]] = {name: [] for name in FILES}

    def fail(exc: OSError) -> None:
        raise exc

    for folder, dirs, files in os.walk(root, onerror=fail):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for entry in (*files, *dirs):
            if entry in targets:
                found[targets[entry]].append(Path(folder) / entry)
    return {name: sorted(paths) for name, paths in found.items()}


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _check_header(header: list[str], spec: FileSpec, rel: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            msg = f"列「{name}」出现了两次，每列只能有一个 (duplicate column)"
            problems.append(Problem(rel, 1, name, name, msg))
        seen.add(name)
    known = set(spec.column_names)
    allowed = "、".join(spec.column_names)
    for name in header:
        if name not in known:
            shown = name or "（空列名）"
            msg = f"未知的列「{shown}」，允许的列为：{allowed} (unknown column)"
            problems.append(Problem(rel, 1, name, name, msg))
    for c in spec.columns:
        if c.required and c.name not in seen:
            cols = ",".join(spec.column_names)
            msg = f"缺少必需的列「{c.name}」；表头应为：{cols} (missing column)"
            problems.append(Problem(rel, 1, c.name, None, msg))
    return problems


def _shape_problem(
    rel: str, line: int, n: int, header: list[str], df: pd.DataFrame, i: int
) -> Problem:
    width = len(header)
    if n < width:
        missing = header[n]
        msg = (
            f"该行只有 {n} 个字段，表头有 {width} 列，从「{missing}」起没有值；"
            f"请检查是否漏了逗号 (row has too few fields)"
        )
        return Problem(rel, line, missing, None, msg)
    extra = ",".join(str(v) for v in df.iloc[i, width:] if v != "")
    msg = (
        f"该行有 {n} 个字段，但表头只有 {width} 列；含逗号的值请用英文双引号括起来"
        f" (row has more fields than the header; quote values that contain commas)"
    )
    return Problem(rel, line, None, extra, msg)


def read_table(
    path: Path, spec: FileSpec, root: Path, *, only: Only | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV file as text and check its header and row shapes.

    Returns the frame (the declared columns as text, ``category`` or ``str``,
    in declared order, plus ``_file`` and ``_row``, the 1-based line number)
    or ``None`` when the file cannot be used at all, and the problems found.
    Rows with the wrong number of fields are reported and left out; every
    other row is kept for validation.

    ``only`` keeps just the rows whose (stripped) value in one of its columns
    is among that column's wanted values; a file whose bytes contain none of
    the wanted values cannot hold such a row and is not parsed at all
    (``(None, [])``).
    """
    rel = _relative(path, root)
    if path.is_dir():
        msg = "应为 CSV 文件，这里却是一个文件夹，请改名 (expected a file, found a folder)"
        return None, [Problem(rel, None, None, None, msg)]
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        msg = f"无法读取文件：{reason} (cannot read the file)"
        return None, [Problem(rel, None, None, None, msg)]
    if only is not None and not may_hold(data, only):
        return None, []
    table = quick_records(data)
    if table is None:
        text, problem = decode(data, rel)
        if problem:
            return None, [problem]
        assert text is not None
        if not text.strip():
            cols = ",".join(spec.column_names)
            msg = f"文件为空，至少应有表头行：{cols} (file is empty; expected a header line)"
            return None, [Problem(rel, None, None, None, msg)]
        table = read_records(text, data, rel)
        del text
    del data
    if table.problem:
        return None, [table.problem]
    header = table.header
    problems = _check_header(header, spec, rel)
    if problems:
        return None, problems
    width = len(header)
    df = table.frame
    for k in range(df.shape[1], width):
        df[k] = ""
    counts = table.counts
    required_width = max(
        (i + 1 for i, name in enumerate(header) if spec.column(name).required), default=1
    )
    short = counts < required_width
    long = counts > width
    if df.shape[1] > width:
        long &= (df.iloc[:, width:] != "").any(axis=1).to_numpy()
    for i in np.flatnonzero(short | long):
        problems.append(_shape_problem(rel, int(table.lines[i]), int(counts[i]), header, df, i))
    keep = ~(short | long)
    df = df.iloc[:, :width].set_axis(header, axis=1)
    for c in spec.columns:
        if c.name not in df.columns:
            df[c.name] = ""
    df = df[list(spec.column_names)]
    if only is not None:
        keep &= keep_rows(df, only)
    lines = table.lines
    if not keep.all():
        df, lines = df[keep], lines[keep]
        df = df.apply(lambda s: s.cat.remove_unused_categories() if s.dtype == "category" else s)
    df = df.reset_index(drop=True)
    codes = np.zeros(len(df), dtype="int8")
    df["_file"] = pd.Categorical.from_codes(codes, pd.Index([rel], dtype="str"))
    df["_row"] = lines.astype("int64")
    return df, problems


def _empty_frame(spec: FileSpec) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=str) for c in spec.column_names})
    df["_file"] = pd.Series([], dtype=str)
    df["_row"] = pd.Series([], dtype="int64")
    return df


def _sort_key(p: Problem) -> tuple[str, int]:
    return (p.file, p.row or 0)


def _read_all(
    files: list[Path], spec: FileSpec, root: Path, only: Only | None, problems: list[Problem]
) -> pd.DataFrame:
    parts = []
    for f in files:
        df, probs = read_table(f, spec, root, only=only)
        problems += probs
        if df is not None:
            parts.append(df)
    return concat_text(parts) if parts else _empty_frame(spec)


def _list_files(root: Path, path: str | Path) -> dict[str, list[Path]]:
    try:
        return _find_all(root)
    except OSError as exc:  # e.g. a sub-folder that cannot be listed
        msg = f"无法读取数据目录：{exc.strerror or exc} (cannot list the folder)"
        raise DataValidationError([Problem(str(path), None, None, None, msg)]) from None


def load_dataset(
    path: str | Path,
    *,
    entities: Iterable[str] | None = None,
    cache: bool | str | Path = False,
) -> Dataset:
    """Load and validate a dataset folder, or only some of its entities.

    Args:
        path: The data directory (for example ``data/``).
        entities: Load only these entities (ids or full names): their rows of
            every file, their ``entities.csv`` rows, ``codes.csv``, their
            documents, and any document or entity those rows cite. Files whose
            bytes do not contain a wanted id are skipped unparsed, so a report
            on one entity reads little of a large per-entity folder tree.
            Cross-references are validated within the loaded subset; problems
            in rows of other entities are not looked for. ``None`` loads all.
        cache: Keep the validated frames in a cache and reuse them while no
            dataset file changed (see :mod:`fiscal_analysis.cache`): ``True``
            for the default cache folder, a path for another one, ``False``
            (default) to always read and validate the CSV files.

    Returns:
        A :class:`~fiscal_analysis.dataset.Dataset` whose frames are validated.

    Raises:
        DataValidationError: Listing every problem found, with file, row,
            column, value and what was expected. No other exception is
            raised for bad input.
        UnknownEntityError: If a wanted entity is not in ``entities.csv``.

    Examples:
        >>> load_dataset("/no/such/folder")
        Traceback (most recent call last):
        ...
        fiscal_analysis.exceptions.DataValidationError: 数据校验发现 1 个问题 ...
          - /no/such/folder: 数据目录不存在 (data directory not found)
        >>> ds = load_dataset("data", entities=["lusong-xzsp"])
        >>> ds.pairs(), len(ds.facts), len(ds.entities)
        ([('lusong-xzsp', 2019), ('lusong-xzsp', 2020)], 122, 1)
        >>> load_dataset("data", entities=["nobody"])
        Traceback (most recent call last):
        ...
        fiscal_analysis.exceptions.UnknownEntityError: 数据中没有单位「nobody」；已有：...
    """
    root = Path(path)
    if not root.is_dir():
        msg = "数据目录不存在 (data directory not found)"
        raise DataValidationError([Problem(str(path), None, None, None, msg)])
    wanted = None if entities is None else tuple(dict.fromkeys(str(e) for e in entities))
    if cache is False:
        return _cold_load(root, path, wanted)
    return _cache.load(
        root, wanted, cache, lambda: _list_files(root, path), lambda: _cold_load(root, path, wanted)
    )


def _cold_load(root: Path, path: str | Path, wanted: tuple[str, ...] | None) -> Dataset:
    found = _list_files(root, path)
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for spec in FILES.values():
        if not found[spec.name] and spec.required:
            msg = f"缺少必需的文件 {spec.name}.csv（{spec.description}） (required file missing)"
            problems.append(Problem(f"{spec.name}.csv", None, None, None, msg))
    only: Only | None = None
    for name in ("entities", "codes"):
        frames[name] = _read_all(found[name], FILES[name], root, None, problems)
    if wanted is not None:
        ids, unknown = resolve_entities(frames["entities"], wanted)
        if unknown and not problems:
            ents = frames["entities"]
            known = "、".join(
                f"{i}（{n}）" for i, n in zip(ents["entity_id"], ents["name"], strict=True)
            )
            raise UnknownEntityError(
                f"数据中没有单位「{unknown[0]}」；已有：{known} (unknown entity)"
            )
        only = {"entity_id": ids}
    for spec in FILES.values():
        if spec.name not in frames and spec.name != "documents":
            frames[spec.name] = _read_all(found[spec.name], spec, root, only, problems)
    docs_only = None
    if only is not None:
        docs_only = {**only, "doc_id": entity_refs(frames.values(), "doc_id")}
    frames["documents"] = _read_all(
        found["documents"], FILES["documents"], root, docs_only, problems
    )
    if only is not None:
        owners = only["entity_id"] | entity_refs([frames["documents"]], "entity_id")
        frames["entities"] = frames["entities"][
            keep_rows(frames["entities"], {"entity_id": owners})
        ]
    frames = {name: frames[name] for name in FILES}
    classification = Classification.builtin()
    typed, found_problems = validate_frames(frames, classification)
    problems += found_problems
    if problems:
        raise DataValidationError(sorted(dict.fromkeys(problems), key=_sort_key))
    typed = compact(typed)
    codes = typed["codes"]
    extra = list(zip(codes["scheme"], codes["code"], codes["name"], strict=True))
    return Dataset(root=root, frames=typed, classification=classification.with_extra(extra))
