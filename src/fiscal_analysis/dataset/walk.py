"""The files of a data folder, listed the same way for everyone, and what identifies their state.

**Has an input changed?** *File state* decides whether anything must be
re-read: :func:`data_files` lists the dataset files (those the loader reads,
found the same way for everyone) and :func:`file_state` says what identifies
one file's state (size, ``st_mtime_ns``, ``st_ctime_ns``, inode). The
validated cache (:mod:`fiscal_analysis.dataset.cache`) and the batch stamp
(:mod:`fiscal_analysis.render.batchstamp`) both key on :func:`data_states`,
the two together, once the files are old enough to vouch (:func:`settled`).
*Content digests* (:mod:`fiscal_analysis.render.fingerprint`) then decide
which reports changed: digests of the values of the rows each report reads.

Everyone who asks "has an input changed?" asks here: the loader
(:mod:`fiscal_analysis.dataset.layout`) lists the files with :func:`data_files`;
the validated cache and the render batch stamp key on :func:`data_states`.
Nothing here imports pandas, so the unchanged-batch check stays cheap.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from typing import NamedTuple

from fiscal_analysis.errors import DataValidationError, Problem

__all__ = [
    "DataFile",
    "FileState",
    "NotRegularFileError",
    "data_files",
    "data_listing",
    "data_states",
    "file_state",
    "outside_data",
    "read_regular",
]


# -- the state of a data folder's files ----------------------------------------------------------

#: What identifies a file's state: size, ``st_mtime_ns``, ``st_ctime_ns``, inode.
FileState = tuple[int, int, int, int]


def file_state(file: str | os.PathLike[str] | os.DirEntry[str]) -> FileState:
    """What identifies a file's state: size, ``st_mtime_ns``, ``st_ctime_ns`` and inode.

    Size and modification time alone miss an edit of the same length whose
    modification time was put back (``touch -d``, archive tools): its change
    time moves, and a file replaced by a rename has another inode. Links are
    followed; :class:`OSError` if the file cannot be looked at.

    Examples:
        >>> a = file_state("data/entities.csv")
        >>> a == file_state("data/entities.csv"), len(a)
        (True, 4)
    """
    if isinstance(file, os.DirEntry):
        st = file.stat()  # (follows links; cached on the entry)
        ino = st.st_ino or os.stat(file.path).st_ino  # (Windows: an entry's stat has no inode)
    else:
        st = os.stat(file)
        ino = st.st_ino
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, ino)


class DataFile(NamedTuple):
    """A dataset file: its path relative to the data folder (``/``) and its directory entry."""

    rel: str
    entry: os.DirEntry[str]

    @property
    def path(self) -> str:  # the data folder joined with ``rel``
        return self.entry.path


_FOLDER = "应为 CSV 文件，这里却是一个文件夹，请改名 (expected a file, found a folder)"
_LOOP = "符号链接形成循环（指向所在文件夹或其上级，或无法解析），请删除或改正 (symlink loop)"
_OUTSIDE = (
    "符号链接指向数据目录之外（{}），不予读取；请把文件复制进来 (symlink leaves the data folder)"
)


def _not_regular(mode: int) -> str:
    kind = "命名管道, FIFO" if stat.S_ISFIFO(mode) else "设备或套接字, device or socket"
    return f"不是普通文件（{kind}），不予读取 (not a regular file)"


class NotRegularFileError(OSError):
    """A dataset file that is not a regular file once opened (``strerror`` says why)."""


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file; :class:`NotRegularFileError` for anything else.

    The walk refuses FIFOs and devices by name without opening them; a file
    swapped for one afterwards is caught here: it is opened without blocking
    (``O_NONBLOCK``: a FIFO with no writer does not hang) and checked with
    ``fstat`` before a byte is read, so ``/dev/zero`` is never read endlessly.
    Other failures are :class:`OSError` as usual.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        why = _FOLDER if stat.S_ISDIR(mode) else _not_regular(mode)
        raise NotRegularFileError(errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL, why)
    with open(fd, "rb", closefd=True) as f:
        return f.read()


_ABSOLUTE = "应为相对数据目录的路径，不能是绝对路径 (expected a path relative to the data folder)"
_PARENT = "路径不能含「..」，须留在数据目录之内 (the path leaves the data folder)"


def outside_data(root: str | os.PathLike[str], rel: str) -> str:
    """Why the path ``rel`` named in the data (``documents.csv``) is refused, or ``""``.

    It must be relative, without ``..``, and resolve (links followed) to a
    place inside the data folder ``root``; if something is there, it must be a
    regular file (a FIFO or device would block or never end). A path to
    nothing is not refused here (what reads it says it is missing).

    Examples:
        >>> outside_data("data", "raw/a.txt"), outside_data("data", "../secret.txt")[:9]
        ('', '路径不能含「..」')
        >>> outside_data("data", "/etc/passwd")[:6]
        '应为相对数据'
    """
    drive = len(rel) > 1 and rel[1] == ":" and rel[0].isascii() and rel[0].isalpha()  # C:…
    if drive or rel.startswith(("/", "\\")):
        return _ABSOLUTE
    if ".." in rel.replace("\\", "/").split("/"):
        return _PARENT
    try:
        real_root = os.path.realpath(root)
        target = os.path.realpath(os.path.join(root, rel))
        if not _within(target, real_root):
            return _OUTSIDE.format(target)
        st = os.stat(target)
    except (OSError, ValueError):  # nothing there (or a NUL, refused as a control character)
        return ""
    return (
        ""
        if stat.S_ISREG(st.st_mode)
        else _FOLDER
        if stat.S_ISDIR(st.st_mode)
        else (_not_regular(st.st_mode))
    )


def _unreadable(exc: OSError) -> str:
    return f"无法读取文件：{exc.strerror or type(exc).__name__} (cannot read the file)"


def _within(path: str, folder: str) -> bool:  # (both real paths)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _link(entry: os.DirEntry[str], wanted: bool, real_root: str, here: str) -> tuple[bool, str]:
    """A symbolic link in the real folder ``here``: ``(list it, why it is refused or "")``."""
    try:
        st = os.stat(entry.path)
    except OSError as exc:
        return False, _LOOP if exc.errno == errno.ELOOP else _unreadable(exc) if wanted else ""
    target = os.path.realpath(entry.path)
    if stat.S_ISDIR(st.st_mode):  # never followed; to its own folder or above: a loop
        return False, _LOOP if _within(here, target) else _FOLDER if wanted else ""
    if not wanted:
        return False, ""
    if not _within(target, real_root):
        return False, _OUTSIDE.format(target)
    if not stat.S_ISREG(st.st_mode):
        return False, _not_regular(st.st_mode)
    return True, ""


def _walk(
    root: str | os.PathLike[str], kinds: Iterable[str], under: str, deep: bool, states: bool
) -> tuple[list[tuple], list[str]]:
    """Dataset files (``(rel, entry)``, or ``(rel, *file_state)`` if ``states``) and folders."""
    top, names = os.fspath(root), frozenset(f"{kind}.csv" for kind in kinds)
    real_root = ""  # (looked up at the first link: it costs a stat per part of the path)
    files: list[tuple] = []
    folders: list[tuple[str, str]] = []  # (path, rel)
    problems: list[Problem] = []

    def scan(folder: str, rel: str) -> None:  # one pass, cheapest tests first: 100,000s of files
        nonlocal real_root
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            msg = f"无法读取数据目录：{exc.strerror or exc} (cannot list the folder)"
            if folder == top and isinstance(exc, FileNotFoundError | NotADirectoryError):
                msg = "数据目录不存在 (data directory not found)"
            problems.append(Problem(rel or folder, None, None, None, msg))
            return
        prefix = f"{rel}/" if rel else ""
        for entry in entries:
            name = entry.name
            if name[0] == "." or name == "__pycache__":
                continue
            listed, why = False, ""
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, prefix + name))
                    why = _FOLDER if name in names else ""
                elif name in names and entry.is_file(follow_symlinks=False):
                    listed = True
                elif entry.is_symlink():
                    real_root = real_root or os.path.realpath(top)
                    here = os.path.realpath(folder)
                    listed, why = _link(entry, name in names, real_root, here)
                elif name in names:  # never opened: a FIFO would block its reader
                    why = _not_regular(entry.stat(follow_symlinks=False).st_mode)
            except OSError as exc:  # gone while being listed, ...
                why = _unreadable(exc) if name in names else ""
            if why:
                problems.append(Problem(prefix + name, None, None, None, why))
            elif listed and not states:
                files.append((prefix + name, entry))
            elif listed:
                try:
                    files.append((prefix + name, *file_state(entry)))
                except OSError:  # gone since it was listed
                    files.append((prefix + name, None, None, None, None))

    pending = [(os.path.join(top, under) if under else top, under)]
    while pending:
        seen = len(folders)
        scan(*pending.pop())
        pending += folders[seen:] if deep else []
    if problems:
        raise DataValidationError(sorted(problems, key=lambda p: p.file))
    files.sort()  # (by path: paths are unique, so nothing else is compared)
    return files, [rel for _, rel in folders]


def data_listing(
    root: str | os.PathLike[str], kinds: Iterable[str], under: str = "", deep: bool = True
) -> tuple[list[DataFile], list[str]]:
    """:func:`data_files` and the folders found (all, or with ``deep=False`` only the first's)."""
    files, folders = _walk(root, kinds, under, deep, states=False)
    return [DataFile(rel, entry) for rel, entry in files], folders


def data_files(
    root: str | os.PathLike[str], kinds: Iterable[str], under: str = ""
) -> list[DataFile]:
    """Every dataset file below a data folder (or its top-level folder ``under``), by path.

    A dataset file is named ``<kind>.csv`` for one of ``kinds`` (the declared
    files, ``schema.columns.FILES``); nothing else is looked at. The rules,
    the same for the loader, the validated cache and the batch stamp:

    * names starting with ``.`` and ``__pycache__`` folders are skipped;
    * folders are walked; links to folders are not followed (what they point
      to inside the data folder is listed once, under its own path), and one
      to its own folder or above is a loop;
    * a link named like a dataset file is listed if it resolves to a regular
      file inside the data folder;
    * refused, by path: link loops anywhere, and dataset files that are
      folders, FIFOs, devices or sockets, that leave the data folder or that
      cannot be looked at. Nothing is opened, so a FIFO cannot block. They
      are raised together as one :class:`DataValidationError`, as are a
      missing data folder and folders that cannot be listed.

    Examples:
        >>> [f.rel for f in data_files("data", ["entities", "facts"])][:3]
        ['entities.csv', 'lusong-xzsp/2019/facts.csv', 'lusong-xzsp/2020/facts.csv']
    """
    return data_listing(root, kinds, under)[0]


def data_states(root: str | os.PathLike[str], kinds: Iterable[str]) -> list[tuple]:
    """``(relative path, *file_state)`` of every :func:`data_files` file (``None``s if it vanished).

    Examples:
        >>> [(rel, len(state)) for rel, *state in data_states("data", ["entities"])]
        [('entities.csv', 4)]
    """
    return _walk(root, kinds, "", deep=True, states=True)[0]
