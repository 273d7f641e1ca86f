"""Report folders that change all at once, failure markers, and clean-up after a kill.

A report is three files that belong together: ``report.html``, ``report.ipynb``
and the fingerprint (``.fingerprint.json``, which says what the other two were
made from). :func:`commit_report` never rewrites them one by one in place. It
writes all three into a fresh hidden sibling folder, ``.<year>.new-<pid>-<random>``
(each file flushed to disk), and then puts that folder in the report's place
in one step:

* no report folder yet: one :func:`os.rename`;
* on Linux, ``renameat2(RENAME_EXCHANGE)`` swaps the two folders atomically;
  the old one, now under the staging name, is then removed;
* elsewhere, or on a file system that refuses the exchange: the old folder is
  renamed to ``.<year>.old-<pid>-<random>``, the new one renamed in, the old
  one removed. A kill between those two renames leaves no report folder but
  the old one under its ``.old`` name; :func:`clean_up` renames it back.

So whenever the process is killed, by any signal, the report folder holds the
complete old report or the complete new one, each with its own fingerprint:
the next run never skips a report that was not written completely, and the
last good report is never replaced by a broken or half-written one.

A report that fails keeps its last good ``report.html`` (if it ever had one)
and gets two more files beside it, written in place (:func:`mark_failed`):
``report.failed.ipynb``, the executed notebook up to the failing cell, and
:data:`FAILED_FILE`, which says in words that the last attempt failed, when, and
why. Both disappear when the report next renders (the new folder does not have
them), or when the next run finds the report unchanged again, e.g. after the
data was put back (:func:`clear_failure`).

:func:`clean_up` runs at the start of every batch: it removes staging folders
and ``*.tmp`` files left by runs that were killed, and restores a report
folder caught between the two renames of the fallback.

The report folder belongs to the tool: other files put into it are dropped
when the report is rendered again.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

__all__ = [
    "FAILED_FILE",
    "FAILED_NOTEBOOK",
    "clean_up",
    "clear_failure",
    "commit_report",
    "mark_failed",
]

#: Written beside the last good report when the last attempt to render it failed.
FAILED_FILE = "FAILED.txt"
#: The executed notebook of the failed attempt, for diagnosis.
FAILED_NOTEBOOK = "report.failed.ipynb"

_STAGING = re.compile(r"^\.(?P<name>\d+)\.(?P<kind>new|old)-(?P<pid>\d+)-[0-9a-f]+$")
#: Files written with :func:`fiscal_analysis.files.atomic_write` whose temporary copies may
#: be left by a kill (``.<name>.<random>.tmp``).
_TEMP = re.compile(
    r"^\.(report\.(html|ipynb|failed\.ipynb|pdf)|\.fingerprint\.json|FAILED\.txt|index\.html"
    r"|\.render-batch\.json)\.[A-Za-z0-9_]+\.tmp$"
)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _sync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk where the platform allows it."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux ``renameat2``); ``OSError`` if not possible here."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "renameat2 is Linux-only")
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # a C library older than glibc 2.28
        raise OSError(errno.ENOSYS, "renameat2 is not available") from None
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE):
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


def _sibling(folder: Path, kind: str) -> Path:
    return folder.with_name(f".{folder.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def commit_report(folder: str | Path, files: Mapping[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files`` (name -> bytes), all at once (see the module).

    Raises:
        OSError: If the folder cannot be written; the old report is then as it was.
    """
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = _sibling(target, "new")
    os.mkdir(stage)
    try:
        for name, data in files.items():
            _write(stage / name, data)
        _sync_dir(stage)
        if not target.exists():
            os.rename(stage, target)
        else:
            try:
                _exchange(stage, target)
            except OSError as exc:
                if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                old = _sibling(target, "old")
                os.rename(target, old)
                os.rename(stage, target)
                stage = old
        _sync_dir(target.parent)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def mark_failed(folder: str | Path, error: str, notebook: bytes | None) -> None:
    """Say beside the last good report that the last attempt failed (never raises).

    Writes :data:`FAILED_FILE` with the error and, when there is one, the
    executed notebook as :data:`FAILED_NOTEBOOK`; a stale one is removed.
    """
    from fiscal_analysis.files import atomic_write

    target = Path(folder)
    has_report = (target / "report.html").is_file()
    kept = (
        "同一文件夹中的 report.html 是上一次成功生成的报告，并非本次数据的结果。"
        "(report.html here is the last good report, not a render of the current data.)"
        if has_report
        else "此报告尚无成功生成的版本。(there is no good render of this report yet.)"
    )
    when = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
    text = (
        "本报告最近一次生成失败 (the last render of this report failed)\n"
        f"时间 (at): {when}\n"
        f"原因 (error): {error}\n"
        f"{kept}\n"
        "修正数据或笔记本后再次运行 fiscal-analysis render 即会重新生成，本文件随之删除。"
        "(fix the data or notebook and render again; this file then goes away.)\n"
    )
    with contextlib.suppress(OSError):
        target.mkdir(parents=True, exist_ok=True)
        if notebook is None:
            (target / FAILED_NOTEBOOK).unlink(missing_ok=True)
        else:
            atomic_write(target / FAILED_NOTEBOOK, notebook)
        atomic_write(target / FAILED_FILE, text.encode("utf-8"))


def clear_failure(folder: str | Path) -> None:
    """Remove the failure marker and failed notebook of a report that is good again."""
    for name in (FAILED_FILE, FAILED_NOTEBOOK):
        with contextlib.suppress(OSError):
            (Path(folder) / name).unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours
        return True
    return True


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError:
        return []


def _clean_folder(folder: Path) -> int:
    """Clean one folder's direct entries; return how many were removed or restored."""
    done = 0
    for entry in _entries(folder):
        if _TEMP.match(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                done += 1
            continue
        m = _STAGING.match(entry.name)
        if not m or _alive(int(m["pid"])) or not entry.is_dir(follow_symlinks=False):
            continue
        report = folder / m["name"]
        if m["kind"] == "old" and not report.exists():
            with contextlib.suppress(OSError):
                os.rename(entry.path, report)  # killed between the fallback's two renames
                done += 1
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        done += 1
    return done


def clean_up(out_dir: str | Path) -> int:
    """Remove what killed runs left in ``out_dir``; return how many entries were cleaned.

    Looks at the output folder, each entity folder and each report folder
    (``<out>/<entity>/<year>``): ``*.tmp`` files of interrupted atomic writes,
    staging folders of runs no longer alive (``.<year>.new-…``), and old report
    folders (``.<year>.old-…``), which are renamed back if their report folder
    is missing. Never raises.
    """
    root = Path(out_dir)
    done = _clean_folder(root)
    for entity in _entries(root):
        if not entity.is_dir(follow_symlinks=False) or entity.name.startswith("."):
            continue
        done += _clean_folder(Path(entity.path))
        for year in _entries(Path(entity.path)):
            if year.is_dir(follow_symlinks=False) and not year.name.startswith("."):
                done += _clean_folder(Path(year.path))
    return done
