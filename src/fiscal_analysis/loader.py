"""Read a dataset folder into validated pandas frames.

Every CSV is read as text (nothing is guessed or coerced), in UTF-8, UTF-8
with BOM, or GBK/GB18030. Problems from every file are collected in one pass
and raised together as :class:`~fiscal_analysis.exceptions.DataValidationError`;
nothing else escapes for a bad file (unreadable, a folder called ``facts.csv``,
ragged rows, undecodable bytes …).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .classification import Classification
from .csvread import ENCODINGS, decode, read_records
from .dataset import Dataset
from .exceptions import DataValidationError, Problem
from .schema import FILES, FileSpec
from .validation import validate_frames

__all__ = ["ENCODINGS", "decode", "find_files", "load_dataset", "read_table"]


def find_files(root: Path, name: str) -> list[Path]:
    """All paths called ``<name>.csv`` below ``root``, skipping hidden folders.

    Any number of files with the same name may sit anywhere under ``root``
    (for example one ``facts.csv`` per department and year); the loader
    concatenates them. Broken links and folders with that name are returned
    too, so that they are reported rather than silently skipped.

    Raises:
        OSError: If a folder cannot be listed.
    """
    target = f"{name}.csv"
    found: list[Path] = []

    def fail(exc: OSError) -> None:
        raise exc

    for folder, dirs, files in os.walk(root, onerror=fail):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if target in files or target in dirs:
            found.append(Path(folder) / target)
    return sorted(found)


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


def read_table(path: Path, spec: FileSpec, root: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV file as strings and check its header and row shapes.

    Returns the frame (the declared columns as ``str``, in declared order,
    plus ``_file`` and ``_row``, the 1-based line number) or ``None`` when the
    file cannot be used at all, and the problems found. Rows with the wrong
    number of fields are reported and left out; every other row is kept for
    validation.
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
    text, problem = decode(data, rel)
    if problem:
        return None, [problem]
    assert text is not None
    if not text.strip():
        cols = ",".join(spec.column_names)
        msg = f"文件为空，至少应有表头行：{cols} (file is empty; expected a header line)"
        return None, [Problem(rel, None, None, None, msg)]
    table = read_records(text, data, rel)
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
    df = df.loc[keep, list(spec.column_names)].astype(str)
    df["_file"] = rel
    df["_row"] = table.lines[keep].astype("int64")
    return df.reset_index(drop=True), problems


def _empty_frame(spec: FileSpec) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=str) for c in spec.column_names})
    df["_file"] = pd.Series([], dtype=str)
    df["_row"] = pd.Series([], dtype="int64")
    return df


def _sort_key(p: Problem) -> tuple[str, int]:
    return (p.file, p.row or 0)


def load_dataset(path: str | Path) -> Dataset:
    """Load and validate a dataset folder.

    Args:
        path: The data directory (for example ``data/``).

    Returns:
        A :class:`~fiscal_analysis.dataset.Dataset` whose frames are validated.

    Raises:
        DataValidationError: Listing every problem found, with file, row,
            column, value and what was expected. No other exception is
            raised for bad input.

    Examples:
        >>> load_dataset("/no/such/folder")
        Traceback (most recent call last):
        ...
        fiscal_analysis.exceptions.DataValidationError: 数据校验发现 1 个问题 ...
          - /no/such/folder: 数据目录不存在 (data directory not found)
    """
    root = Path(path)
    if not root.is_dir():
        msg = "数据目录不存在 (data directory not found)"
        raise DataValidationError([Problem(str(path), None, None, None, msg)])
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for spec in FILES.values():
        parts = []
        try:
            files = find_files(root, spec.name)
        except OSError as exc:  # e.g. a sub-folder that cannot be listed
            msg = f"无法读取数据目录：{exc.strerror or exc} (cannot list the folder)"
            raise DataValidationError([Problem(str(path), None, None, None, msg)]) from None
        if not files and spec.required:
            msg = f"缺少必需的文件 {spec.name}.csv（{spec.description}） (required file missing)"
            problems.append(Problem(f"{spec.name}.csv", None, None, None, msg))
        for f in files:
            df, probs = read_table(f, spec, root)
            problems += probs
            if df is not None:
                parts.append(df)
        if parts:
            frames[spec.name] = pd.concat(parts, ignore_index=True)
        else:
            frames[spec.name] = _empty_frame(spec)
    classification = Classification.builtin()
    typed, found = validate_frames(frames, classification)
    problems += found
    if problems:
        raise DataValidationError(sorted(dict.fromkeys(problems), key=_sort_key))
    codes = typed["codes"]
    extra = list(zip(codes["scheme"], codes["code"], codes["name"], strict=True))
    return Dataset(root=root, frames=typed, classification=classification.with_extra(extra))
