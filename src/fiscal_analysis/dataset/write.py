"""Write dataset rows as the project's CSV folder layout.

``entities.csv`` and ``codes.csv`` sit at the root, ``documents.csv`` under
``<entity>/``, and ``facts``, ``tables``, ``reasons``, ``projects`` and
``indicators`` under ``<entity>/<year>/``. Columns come from
:data:`fiscal_analysis.schema.columns.FILES`. Rows already in the folder are kept
unless they belong to an (entity, year) being written, so several documents
can be extracted into one dataset. Files are written atomically.

Examples:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> row = {"entity_id": "e1", "name": "某局", "region": "某市", "level": "市级"}
    >>> rows = {"entities": [row]}
    >>> [p.name for p in write_dataset(rows, root)]
    ['entities.csv']
    >>> (root / "entities.csv").read_text(encoding="utf-8").splitlines()[1]
    'e1,某局,某市,市级,'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from fiscal_analysis.files import atomic_write
from fiscal_analysis.schema.columns import FILES

__all__ = ["frames_to_rows", "write_dataset"]

_ROOT_FILES = ("entities", "codes")
_ENTITY_FILES = ("documents",)


def _path(root: Path, name: str, row: Mapping[str, str]) -> Path:
    if name in _ROOT_FILES:
        return root / f"{name}.csv"
    if name in _ENTITY_FILES:
        return root / str(row["entity_id"]) / f"{name}.csv"
    return root / str(row["entity_id"]) / str(row["year"]) / f"{name}.csv"


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))


def frames_to_rows(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[dict[str, str]]]:
    """Turn string frames (e.g. from a generator) into row dicts, keeping declared columns."""
    out = {}
    for name, df in frames.items():
        cols = [c for c in FILES[name].column_names if c in df.columns]
        out[name] = [
            {c: "" if pd.isna(v) else str(v) for c, v in zip(cols, r, strict=True)}
            for r in df[cols].itertuples(index=False)
        ]
    return out


def write_dataset(
    rows: Mapping[str, Iterable[Mapping[str, str]]],
    root: str | Path,
    always: Iterable[str] = (),
) -> list[Path]:
    """Write rows per declared file into ``root``; returns the files written.

    Args:
        rows: ``{file name: rows}``; each row maps column names to text.
            Unknown file names raise :class:`ValueError`.
        root: The dataset folder (created if missing).
        always: Per-year files written (header only) for every entity-year of
            ``documents`` even when they have no rows, so that a document that
            states few figures still loads.
    """
    root = Path(root)
    unknown = sorted(set(rows) - set(FILES))
    if unknown:
        raise ValueError(f"未知的数据文件：{'、'.join(unknown)} (unknown dataset files)")
    groups: dict[Path, tuple[str, list[dict[str, str]]]] = {}
    for name in always:
        for doc in rows.get("documents", ()):
            path = root / str(doc["entity_id"]) / str(doc["year"]) / f"{name}.csv"
            groups.setdefault(path, (name, []))
    for name, items in rows.items():
        for row in items:
            path = _path(root, name, row)
            groups.setdefault(path, (name, []))[1].append(
                {c: str(row.get(c, "") or "") for c in FILES[name].column_names}
            )
    written = []
    for path, (name, new) in sorted(groups.items()):
        spec = FILES[name]
        keys = {tuple(r[k] for k in spec.key) for r in new}
        scope = (
            {(r.get("entity_id"), r.get("year")) for r in new}
            if name not in _ROOT_FILES + _ENTITY_FILES
            else set()
        )
        if not new and name not in _ROOT_FILES + _ENTITY_FILES:
            scope = {(path.parent.parent.name, path.parent.name)}
        old = [
            r
            for r in _read(path)
            if tuple(r.get(k, "") for k in spec.key) not in keys
            and (r.get("entity_id"), r.get("year")) not in scope
        ]
        buf = io.StringIO()
        w = csv.DictWriter(
            buf, fieldnames=list(spec.column_names), extrasaction="ignore", lineterminator="\n"
        )
        w.writeheader()
        for r in old + new:
            w.writerow({c: r.get(c, "") for c in spec.column_names})
        _write_atomic(path, buf.getvalue())
        written.append(path)
    return written
