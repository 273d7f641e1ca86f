"""One CSV file to a checked text frame: header, row shapes, ``_file`` and ``_row``.

:func:`read_table` is the per-file step of :func:`~fiscal_analysis.dataset.load.load_dataset`:
it reads the bytes, decodes and splits them (:mod:`fiscal_analysis.dataset.reading.csvread`),
checks the header against the declared columns and reports rows with the
wrong number of fields, naming file, line, column and value.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.reading.arrowread import ARROW_MIN_BYTES, arrow_records
from fiscal_analysis.dataset.reading.csvread import decode, quick_records, read_records
from fiscal_analysis.dataset.reading.fields import long_field
from fiscal_analysis.dataset.reading.subset import Only, keep_rows, may_hold
from fiscal_analysis.dataset.walk import NotRegularFileError, read_regular
from fiscal_analysis.errors import Problem
from fiscal_analysis.schema.columns import FileSpec

__all__ = [
    "LARGE_FILE",
    "empty_frame",
    "read_parallel",
    "read_table",
    "relative",
    "shape_table",
]

#: Files at least this large (bytes) are parsed in worker processes when there are two or more.
LARGE_FILE = 16 * 2**20


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators (as problems and ``_file`` name it)."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def check_header(header: list[str], spec: FileSpec, rel: str) -> list[Problem]:
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
    path: Path, spec: FileSpec, root: Path, *, only: Only | None = None, threads: bool = True
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV file as text and check its header and row shapes.

    Returns the frame (the declared columns as text, ``category`` or ``str``,
    in declared order, plus ``_file`` and ``_row``, the 1-based line number)
    or ``None`` when the file cannot be used at all, and the problems found.
    A file that is not a regular file is refused before a byte is read, and
    one with a field longer than :data:`~fiscal_analysis.dataset.reading.fields.MAX_FIELD`
    before it is parsed.
    Rows with the wrong number of fields are reported and left out; every
    other row is kept for validation.

    ``only`` keeps just the rows whose (stripped) value in one of its columns
    is among that column's wanted values; a file whose bytes contain none of
    the wanted values cannot hold such a row and is not parsed at all
    (``(None, [])``). ``threads`` lets pyarrow parse one large file on
    several threads (:func:`read_parallel` reads several files at once instead).
    """
    rel = relative(path, root)
    try:
        data = read_regular(path)
    except NotRegularFileError as exc:  # a folder, FIFO or device named like a dataset file
        return None, [Problem(rel, None, None, None, str(exc.strerror))]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        msg = f"无法读取文件：{reason} (cannot read the file)"
        return None, [Problem(rel, None, None, None, msg)]
    if only is not None and not may_hold(data, only):
        return None, []
    too_long = long_field(data, rel)
    if too_long is not None:
        return None, [too_long]
    table = arrow_records(data, threads=threads) if len(data) >= ARROW_MIN_BYTES else None
    table = table or quick_records(data)
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
    problems = check_header(header, spec, rel)
    if problems:
        return None, problems
    width = len(header)
    df = table.frame
    for k in range(df.shape[1], width):  # columns no row reaches: "" (one category)
        df[k] = pd.Categorical.from_codes(np.zeros(len(df), "int8"), pd.Index([""], dtype="str"))
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
    files = np.zeros(len(df), dtype="int8")
    df = shape_table(df, header, spec, ~(short | long), only, table.lines, files, [rel])
    return df, problems


def shape_table(
    df: pd.DataFrame,
    header: list[str],
    spec: FileSpec,
    keep: np.ndarray,
    only: Only | None,
    lines: np.ndarray,
    files: np.ndarray,
    names: list[str],
) -> pd.DataFrame:
    """Positional text columns to the declared columns, in order, with ``_file`` and ``_row``.

    Columns the file lacks are filled with ``""``; rows not in ``keep`` (or,
    with ``only``, not wanted) are dropped. Row *i* came from line
    ``lines[i]`` of file ``names[files[i]]``.
    """
    df = df.iloc[:, : len(header)].set_axis(header, axis=1)
    for c in spec.columns:
        if c.name not in df.columns:
            df[c.name] = ""
    df = df[list(spec.column_names)]
    if only is not None:
        keep = keep & keep_rows(df, only)
    if not keep.all():
        df, lines, files = df[keep], lines[keep], files[keep]
        df = df.apply(lambda s: s.cat.remove_unused_categories() if s.dtype == "category" else s)
    df = df.reset_index(drop=True)
    df["_file"] = pd.Categorical.from_codes(files, pd.Index(names, dtype="str"))
    df["_row"] = lines.astype("int64")
    return df


def empty_frame(spec: FileSpec) -> pd.DataFrame:
    """A frame with the declared columns and no rows (no file of that name was read)."""
    df = pd.DataFrame({c: pd.Series([], dtype=str) for c in spec.column_names})
    df["_file"] = pd.Series([], dtype=str)
    df["_row"] = pd.Series([], dtype="int64")
    return df


def _cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def read_parallel(
    files: list[Path], spec: FileSpec, root: Path, only: Only | None
) -> dict[Path, tuple[pd.DataFrame | None, list[Problem]]]:
    """:func:`read_table` of the large files among ``files``, several at once, in threads.

    pyarrow parses without holding the GIL, so two large files on two cores
    take about the time of one, with nothing copied between processes. Each
    file is parsed on one thread (pyarrow's own threads cost more CPU for the
    same work). Returns ``{}`` (the caller reads serially, with pyarrow's
    threads) when fewer than two files are large or only one core is there;
    results are exactly :func:`read_table`'s.
    """
    large = []
    for f in files:
        try:
            if f.is_file() and f.stat().st_size >= LARGE_FILE:
                large.append(f)
        except OSError:
            continue  # read_table reports it
    workers = min(len(large), _cores())
    if workers < 2:
        return {}
    with ThreadPoolExecutor(workers, thread_name_prefix="read") as pool:
        futures = [pool.submit(read_table, f, spec, root, only=only, threads=False) for f in large]
        return {f: fut.result() for f, fut in zip(large, futures, strict=True)}
