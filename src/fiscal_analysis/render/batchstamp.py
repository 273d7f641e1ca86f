"""Recognise a batch in which nothing has changed, without loading the data.

Planning a batch normally loads the dataset and hashes each entity's rows
(:mod:`fiscal_analysis.render.fingerprint`), which means importing pandas and
reading every file: most of the cost of a re-run in which every report is
skipped. After a batch in which no report failed, :func:`write_stamp` keeps a
small stamp in the output folder (``.render-batch.json``):

* a key over what the batch depended on: the state of every dataset file
  (:func:`fiscal_analysis.dataset.walk.data_states`: size, ``st_mtime_ns``,
  ``st_ctime_ns`` and inode of the files the loader reads, found by the same
  walk; the validated cache keys on the same list), the notebook's bytes, the
  package version and source (:func:`code_digest`), and the entities and
  years asked for;
* each report's entity, name, year and fingerprint digest.

A file modified moments before it is looked at gives no key (``None``): its
stats cannot stand for its content yet (:func:`~fiscal_analysis.files.settled`).

The key holds what the full plan reads. Other files in the data folder
(``README.md``, the source documents in ``raw/``) are not in it, as they are
not in the reports' fingerprints either, so they would not change the plan.

On the next run :func:`unchanged_reports` recomputes the key from ``os.stat``
alone (no pandas). If it is equal and every report folder still holds its
HTML, its notebook and the same fingerprint, the whole batch is skipped as it
is. Any difference (a touched file, a deleted report, a report re-rendered by
another run) returns ``None`` and the batch is planned in full, so the stamp
can only make a re-run faster, never skip a report that the full plan would
render.

Examples:
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> key = batch_key("data", b"{}", "code", "0.1.0", None, None)
    >>> unchanged_reports(out, key) is None    # no stamp yet
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from fiscal_analysis.dataset.walk import data_states
from fiscal_analysis.files import atomic_write, report_dir, settled
from fiscal_analysis.render.batch import ReportResult
from fiscal_analysis.render.fingerprint import read_fingerprint
from fiscal_analysis.schema.columns import FILES

__all__ = [
    "STAMP_FILE",
    "batch_key",
    "data_stats",
    "drop_stamp",
    "unchanged_reports",
    "write_stamp",
]

#: File name of the stamp, in the output folder.
STAMP_FILE = ".render-batch.json"
#: Bumped when the stamp's meaning changes.
_FORMAT = 2


def data_stats(data_dir: str | Path) -> list[tuple]:
    """``(relative path, size, mtime, ctime, inode)`` of every dataset file, by path.

    :func:`fiscal_analysis.dataset.walk.data_states` of the declared files, exactly
    what the validated cache keys on (``os.scandir`` and plain strings: a
    province has hundreds of thousands of files).

    Raises:
        DataValidationError: For what the walk refuses (a link loop, a FIFO
            named ``facts.csv``, …), naming the path, as the loader would.

    Examples:
        >>> [p for p, *_ in data_stats("data") if p.startswith(("entities", "lusong"))][:2]
        ['entities.csv', 'lusong-xzsp/2019/facts.csv']
    """
    return data_states(data_dir, FILES)


def batch_key(
    data_dir: str | Path,
    notebook: bytes,
    code: str,
    version: str,
    entities: Sequence[str] | None,
    years: Sequence[int] | None,
) -> str | None:
    """SHA-256 over everything a batch's plan depends on (see the module docstring).

    ``None`` if a data file was modified moments ago (:func:`~fiscal_analysis.files.settled`).
    Raises :class:`~fiscal_analysis.errors.DataValidationError` as :func:`data_stats` does.

    Examples:
        >>> a = batch_key("data", b"nb", "c", "0.1.0", None, [2020])
        >>> a == batch_key("data", b"nb", "c", "0.1.0", None, [2020])
        True
        >>> a == batch_key("data", b"nb2", "c", "0.1.0", None, [2020])
        False
    """
    files = data_stats(data_dir)
    if not settled(max((s[2] for s in files if s[2] is not None), default=0)):
        return None
    parts = {
        "format": _FORMAT,
        "data": str(Path(data_dir).resolve()),
        "files": files,
        "notebook": hashlib.sha256(notebook).hexdigest(),
        "code": code,
        "version": version,
        "entities": None if entities is None else [str(e) for e in entities],
        "years": None if years is None else sorted(int(y) for y in years),
    }
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def unchanged_reports(out_dir: str | Path, key: str | None) -> list[ReportResult] | None:
    """Every report of the stamped batch as ``skipped``, or ``None`` if anything differs."""
    if key is None:
        return None
    try:
        raw = json.loads((Path(out_dir) / STAMP_FILE).read_text(encoding="utf-8"))
        if raw.get("key") != key or not raw.get("reports"):
            return None
        entries = [
            (str(r["entity_id"]), str(r["name"]), int(r["year"]), str(r["digest"]))
            for r in raw["reports"]
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    results = []
    for entity_id, name, year, digest in entries:
        folder = report_dir(out_dir, entity_id, year)
        fp = read_fingerprint(folder)
        if fp is None or fp.digest != digest:
            return None
        if not ((folder / "report.html").is_file() and (folder / "report.ipynb").is_file()):
            return None
        results.append(ReportResult(entity_id, name, year, "skipped", folder, reason="未变化"))
    return results


def write_stamp(
    out_dir: str | Path, key: str | None, reports: Iterable[tuple[str, str, int, str]]
) -> None:
    """Keep the stamp of a batch with no failures: ``(entity_id, name, year, digest)`` each.

    With no key (data too fresh) any old stamp is removed instead. A stamp
    that cannot be written only means the next run plans in full.
    """
    if key is None:
        drop_stamp(out_dir)
        return
    entries = [
        {"entity_id": e, "name": n, "year": y, "digest": d} for e, n, y, d in sorted(reports)
    ]
    text = json.dumps({"key": key, "reports": entries}, ensure_ascii=False, indent=1)
    with contextlib.suppress(OSError):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        atomic_write(Path(out_dir) / STAMP_FILE, (text + "\n").encode("utf-8"))


def drop_stamp(out_dir: str | Path) -> None:
    """Remove the stamp (a batch with failures must be planned in full next time)."""
    with contextlib.suppress(OSError):
        (Path(out_dir) / STAMP_FILE).unlink()
