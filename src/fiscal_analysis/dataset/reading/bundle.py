"""Many small regular CSV files of one kind, parsed as one.

A dataset laid out one folder per entity-year (``<entity>/<year>/facts.csv``)
has tens of thousands of small files at city scale. Parsed one by one, each
file pays pandas' per-call set-up (about 5 ms here), which is most of a cold
load: 51,000 files of a 1,000 × 10 panel took minutes. :func:`read_bundles`
joins the bodies of consecutive *regular* files with the same header and
parses them with one call, then labels every row with its own file and line.

Regular is what :func:`~fiscal_analysis.dataset.reading.csvread.quick_records` proves with byte
counts: UTF-8 (BOM allowed), no ``"``, no lone ``\\r``, a final newline, and
every line as wide as the header, so record *i* of a file is on line *i* + 2.
The joined parse must return exactly the sum of the files' records, or the
whole run is handed back. Files that are not regular, or whose header does
not pass the declared-columns check, are handed back
for :func:`~fiscal_analysis.dataset.reading.readtable.read_table`, which finds and names
their problems exactly as before. So bundling changes how fast rows are read,
never which rows or which problems come out.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.reading.csvread import (
    clean_header,
    read_text_columns,
    regular_layout,
)
from fiscal_analysis.dataset.reading.readtable import check_header, relative, shape_table
from fiscal_analysis.dataset.reading.subset import Only, may_hold
from fiscal_analysis.dataset.walk import read_regular
from fiscal_analysis.schema.columns import FileSpec

__all__ = ["MAX_FILE", "read_bundles"]

#: Files larger than this (bytes) are read on their own (so no field here exceeds MAX_FIELD).
MAX_FILE = 2**20
#: A run is cut when its files reach this many bytes (bounds the joined copy).
MAX_RUN = 64 * 2**20


def _regular(data: bytes) -> tuple[str, bytes, int] | None:
    """``(header line, body bytes, records)`` of a regular file with records, else ``None``.

    Regular as :func:`~fiscal_analysis.dataset.reading.csvread.regular_layout` proves it, and
    ending in a newline, so that bodies can be joined.

    Examples:
        >>> _regular(b"a,b\\r\\n1,x\\r\\n2,y\\r\\n")
        ('a,b', b'1,x\\r\\n2,y\\r\\n', 2)
        >>> _regular(b'a,b\\n1,"x"\\n') is None, _regular(b"a,b\\n1\\n") is None
        (True, True)
    """
    layout = regular_layout(data) if data.endswith(b"\n") else None
    if layout is None or layout[2] < 2:
        return None
    start, line, lines = layout
    return line, data[data.find(b"\n", start) + 1 :], lines - 1


def _runs(files: list[Path], only: Only | None) -> Iterator[list[tuple[Path, str, bytes, int]]]:
    """Consecutive regular files (path order) with equal headers, run by run.

    A file that is not regular (or too large, or unreadable) is yielded as a
    run of one with no header, for the caller to hand back. Runs are yielded
    as soon as they end, so only one run's bytes are held at a time.
    """
    run: list[tuple[Path, str, bytes, int]] = []
    size = 0
    for path in sorted(files):
        try:
            data = read_regular(path) if path.stat().st_size <= MAX_FILE else None
        except OSError:  # (a FIFO, device, … too: read_table names it)
            data = None
        if data is not None and only is not None and not may_hold(data, only):
            continue  # cannot hold a wanted row: not parsed at all, as read_table does
        found = _regular(data) if data is not None else None
        if run and (found is None or found[0] != run[0][1] or size >= MAX_RUN):
            yield run
            run, size = [], 0
        if found is None:
            yield [(path, "", b"", 0)]
        else:
            run.append((path, *found))
            size += len(found[1])
    if run:
        yield run


def _parse(
    run: list[tuple[Path, str, bytes, int]], spec: FileSpec, root: Path, only: Only | None
) -> pd.DataFrame | None:
    """One frame for a run, shaped as :func:`read_table` shapes one file's, or ``None``."""
    header = clean_header(run[0][1].split(","))
    rels = [relative(p, root) for p, *_ in run]
    if check_header(header, spec, rels[0]):
        return None
    counts = np.array([n for *_, n in run], dtype="int64")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            df = read_text_columns(b"".join(body for _, _, body, _ in run), len(header), 0)
        except (ValueError, Warning):  # undecodable, ragged, …: file by file instead
            return None
    if len(df) != counts.sum() or df.shape[1] != len(header):
        return None
    ends = np.cumsum(counts)
    lines = np.arange(ends[-1], dtype="int64") - np.repeat(ends - counts, counts) + 2
    files = np.repeat(np.arange(len(run), dtype="int32"), counts)
    keep = np.ones(len(df), dtype=bool)
    return shape_table(df, header, spec, keep, only, lines, files, rels)


def read_bundles(
    files: list[Path], spec: FileSpec, root: Path, only: Only | None = None
) -> tuple[dict[Path, pd.DataFrame], list[Path]]:
    """Frames of the runs of small regular files, and the files left to read one by one.

    Each frame is keyed by the first path of its run; runs are consecutive in
    path order, so sorting every frame's key (as the loader does) keeps the
    rows in path order.
    """
    frames: dict[Path, pd.DataFrame] = {}
    rest: list[Path] = []
    for run in _runs(files, only):
        df = _parse(run, spec, root, only) if run[0][1] else None  # (no header: irregular)
        if df is None:
            rest += [p for p, *_ in run]
        else:
            frames[run[0][0]] = df
    return frames, rest
