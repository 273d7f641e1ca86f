"""A validated cache of loaded datasets, so that re-opening the same data is fast.

``load_dataset(path, cache=True)`` keeps the validated, typed frames of a data
folder in a cache file and reuses them as long as nothing they came from has
changed. The cache is keyed by a *manifest*:

* every dataset file's path relative to the data folder and its state (size,
  ``st_mtime_ns``, ``st_ctime_ns``, inode): :func:`fiscal_analysis.dataset.walk.data_states`,
  the same files and states the batch stamp keys on, listed as the loader
  lists them (:func:`fiscal_analysis.dataset.walk.data_files`). The change time and
  the inode see an edit of the same length whose modification time was put
  back, and a file replaced by a rename;
* the package version and a digest of the schema and of the code that reads
  and validates (:func:`schema_digest`), plus the Python, pandas and numpy
  versions;
* the entities asked for (``load_dataset(..., entities=...)``).

Any difference means a cold load (every file read and fully validated) and a
rewritten cache file; files modified moments ago are not cached yet
(:func:`fiscal_analysis.dataset.walk.settled`). Writes are atomic (a temporary file
renamed into place), so a reader never sees half a file. A cache file that is missing,
truncated, corrupt, unreadable or from another version is ignored: the data is
loaded cold, never an error. Failing to write the cache is silent, too.

Location: ``$XDG_CACHE_HOME/fiscal-analysis`` (default
``~/.cache/fiscal-analysis``) or the folder given as ``cache=``; one
sub-folder per data folder (a hash of its absolute path), one file per entity
selection (``all.pkl`` for the whole dataset).

Format: the magic line, the manifest as one line of JSON, the CRC-32 of the
payload, then the payload, a :mod:`pickle` of the frames (it keeps their exact
dtypes: ``Int64`` hundredths, sorted categories, ``str``). A manifest that
differs is seen without unpickling anything. Unpickling can run code, so a
file is unpickled only when

* the cache folder, its data-folder sub-folder and the file are owned by the
  user running the load and writable by no one else (no group or world write
  bit), checked on the open folders and file themselves (``openat`` without
  following links, then ``fstat``), so nothing can be swapped in between; a
  cache in a shared folder, or planted by another user, is ignored (cold
  load), never read;
* the payload's CRC-32 matches the one stored before it, so a flipped byte
  or a torn file is a cold load, not a crash or wrong data. (A checksum
  against accidents: who could forge it could write the file, which the
  first rule excludes. SHA-256 would cost 0.2 s per 100 MB of a warm load.)

Folders are created private to the user (mode ``0700``), files ``0600``.
(Without POSIX owners, on Windows, the ownership check is skipped.)

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> cold = load_dataset("data", cache=folder)   # reads the CSV files, writes the cache
    >>> warm = load_dataset("data", cache=folder)   # unchanged files: read from the cache
    >>> warm.value("lusong-xzsp", 2020, "T01", "income_grand_total")
    Decimal('335.78')
    >>> len(list(Path(folder).glob("*/all.pkl")))
    1
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import stat
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable
from functools import cache as _memo
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.dataset.walk import data_states
from fiscal_analysis.files import cache_dir, settled
from fiscal_analysis.schema.columns import FILES

__all__ = ["MAGIC", "entry_path", "load", "manifest", "schema_digest"]

#: First bytes of every cache file (bumped when the layout of the file or manifest changes).
MAGIC = b"fiscal-analysis dataset cache 3\n"
_CHECK = b"00000000\n"  # the payload's CRC-32 (placeholder: its length)
#: Folders of the package whose code decides what a load returns: a change invalidates every cache.
_CODE = ("schema", "dataset")


@_memo
def schema_digest() -> str:
    """A digest of the declared files and of the code that loads and validates them."""
    h = hashlib.sha256()
    h.update(repr(sorted(FILES.items())).encode())
    package = Path(__file__).resolve().parents[1]
    for folder in _CODE:
        for f in sorted((package / folder).rglob("*")):
            if f.suffix not in {".py", ".csv"} or "__pycache__" in f.parts:
                continue
            name = f.relative_to(package).as_posix()
            try:
                h.update(name.encode() + b"\0" + f.read_bytes())
            except OSError:
                h.update(name.encode() + b"\0?")
    return h.hexdigest()


def _version() -> str:
    try:
        return metadata.version("fiscal-analysis")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def manifest(root: Path, entities: Iterable[str] | None) -> dict[str, Any]:
    """What a cached load depends on (equal manifests: the cache is valid).

    Raises :class:`~fiscal_analysis.errors.DataValidationError` for what the
    walk refuses (see :func:`fiscal_analysis.dataset.walk.data_files`), as the loader does.
    """
    return {
        "package": _version(),
        "schema": schema_digest(),
        "python": sys.version,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "entities": None if entities is None else sorted(entities),
        "files": data_states(root, FILES),
    }


def entry_path(folder: Path, root: Path, entities: Iterable[str] | None) -> Path:
    """The cache file for a data folder and entity selection."""
    where = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    if entities is None:
        name = "all.pkl"
    else:
        key = "\0".join(sorted(entities)).encode()
        name = f"entities-{hashlib.sha256(key).hexdigest()[:20]}.pkl"
    return folder / where / name


def _encoded(stamp: dict[str, Any]) -> bytes:
    """The manifest as one line of JSON (compared as bytes: nothing is unpickled to compare)."""
    return json.dumps(stamp, sort_keys=True, ensure_ascii=True).encode() + b"\n"


_POSIX = hasattr(os, "geteuid") and os.open in os.supports_dir_fd


def _private(fd: int, kind: int) -> bool:
    """Is ``fd`` open on a ``kind`` (file or folder) of the user's own, writable only by them?"""
    st = os.fstat(fd)
    if stat.S_IFMT(st.st_mode) != kind:
        return False
    return not _POSIX or (st.st_uid == os.geteuid() and not st.st_mode & 0o022)


def _open_trusted(top: Path, path: Path, is_file: bool = True) -> int | None:
    """``path`` (below the cache folder ``top``) opened for reading if every step is trusted.

    The cache folder, each folder below it and the file must pass
    :func:`_private`; each is opened relative to the one before it without
    following links, and checked on the open descriptor. ``None`` otherwise.
    """
    if not _POSIX:  # pragma: no cover - Windows: no owners to check, no openat
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        if _private(fd, stat.S_IFREG):
            return fd
        os.close(fd)
        return None
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if not _private(fd, stat.S_IFDIR):
            return None
        parts = path.relative_to(top).parts
        for i, name in enumerate(parts):
            last = i == len(parts) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | (0 if last and is_file else os.O_DIRECTORY)
            nxt = os.open(name, flags, dir_fd=fd)
            os.close(fd)
            fd = nxt
            if not _private(fd, stat.S_IFREG if last and is_file else stat.S_IFDIR):
                return None
        out, fd = fd, -1
        return out
    finally:
        if fd >= 0:
            os.close(fd)


def _read(top: Path, path: Path, expected: dict[str, Any], root: Path) -> Dataset | None:
    """The cached dataset, or ``None`` if the file is absent, stale, untrusted or unusable."""
    try:
        fd = _open_trusted(top, path)
        if fd is None:
            return None
        with os.fdopen(fd, "rb") as f:
            stamp = _encoded(expected)
            if f.read(len(MAGIC)) != MAGIC or f.readline(len(stamp) + 1) != stamp:
                return None
            digest = f.read(len(_CHECK))
            start = f.tell()
            crc = 0
            while chunk := f.read(2**20):
                crc = zlib.crc32(chunk, crc)
            if digest != b"%08x\n" % crc:
                return None
            f.seek(start)
            payload = pickle.load(f)  # (trusted and intact: see the module's docs)
        frames = payload["frames"]
        if set(frames) != set(FILES) or not all(
            isinstance(df, pd.DataFrame) for df in frames.values()
        ):
            return None
        return Dataset(root=root, frames=frames, classification=payload["classification"])
    except Exception:
        return None


class _Summing:
    """A file writer that also sums what is written (the payload streams, never held twice)."""

    def __init__(self, f: Any):
        self.f, self.crc = f, 0

    def write(self, data: Any) -> int:
        self.crc = zlib.crc32(data, self.crc)
        return self.f.write(data)


def _write(top: Path, path: Path, stamp: dict[str, Any], ds: Dataset) -> None:
    """Write the cache file atomically into trusted folders; any failure is ignored."""
    tmp = None
    try:
        top.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        for folder in (top, path.parent):
            folder.mkdir(exist_ok=True, mode=0o700)
        if _POSIX:  # (folders not the user's own: not written to, as never read from)
            fd = _open_trusted(top, path.parent, is_file=False)
            if fd is None:
                return
            os.close(fd)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + _encoded(stamp))
            at = f.tell()
            f.write(_CHECK)  # the checksum, once the payload is written
            out = _Summing(f)
            payload = {"frames": ds.frames, "classification": ds.classification}
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            f.seek(at)
            f.write(b"%08x\n" % out.crc)
        os.replace(tmp, path)
        tmp = None
    except Exception:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def load(
    root: Path,
    entities: Iterable[str] | None,
    cache: bool | str | Path,
    cold: Callable[[], Dataset],
) -> Dataset:
    """Return the cached dataset when its manifest still matches, else ``cold()`` (then cache it).

    ``cold`` loads and validates the files; the cache is written only if the
    files did not change while they were being read. The manifest lists the
    files with the walk the loader uses (:func:`fiscal_analysis.dataset.walk.data_files`).
    """
    wanted = None if entities is None else list(entities)
    top = cache_dir(cache)
    path = entry_path(top, root, wanted)
    stamp = manifest(root, wanted)
    ds = _read(top, path, stamp, root)
    if ds is not None:
        return ds
    ds = cold()
    # Files changed moments ago are not cached yet (files.settled); the next load is.
    newest = max((s[2] for s in stamp["files"] if s[2] is not None), default=0)
    if manifest(root, wanted) == stamp and settled(newest):
        _write(top, path, stamp, ds)
    return ds
