"""Safe output paths, atomic writes, the cache folder and the package version.

Entity ids are free text (anything without control characters), so they may
contain ``/``, ``..``, ``\\``, Windows-forbidden characters or reserved device
names such as ``CON``. :func:`safe_component` maps an id to one path component
that is valid on Linux, macOS and Windows; :func:`report_dir` builds
``<out>/<component>/<year>`` and checks that it resolves inside ``<out>``.

Chinese characters are kept. Whenever anything had to change, a short hash of
the original id is appended so that two different ids never share a folder.
:func:`atomic_write` replaces a file only once its new content is complete.

The state of a data folder's files (has an input changed?) is
:mod:`fiscal_analysis.dataset.walk`'s.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import RenderError

try:
    from importlib.metadata import PackageNotFoundError, version

    #: The installed package's version, recorded in every output's provenance.
    VERSION = version("fiscal-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    VERSION = "0.0.0"

__all__ = [
    "MAX_COMPONENT_BYTES",
    "SETTLE_SECONDS",
    "VERSION",
    "atomic_write",
    "bar_shape",
    "cache_dir",
    "last_line",
    "remove_folder",
    "report_dir",
    "safe_component",
    "settled",
    "writable_folder",
]

#: A file modified less than this many seconds ago is not yet vouched for by its stats.
SETTLE_SECONDS = 2
#: Longest component we produce, in UTF-8 bytes (file systems allow 255).
MAX_COMPONENT_BYTES = 120

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.I)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _truncate(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def safe_component(entity_id: str) -> str:
    """Map an entity id to a single, portable path component.

    Forbidden characters (``<>:"/\\|?*`` and control characters) become
    ``_``; leading dots and trailing dots or spaces are replaced; Windows
    device names get a ``_`` after the name (``CON.txt`` becomes
    ``CON_.txt``). If anything changed, ``-`` and the first 8 hex digits of
    the id's SHA-256 are appended. Ids that are already safe come back
    unchanged.

    Args:
        entity_id: The entity id as written in the data.

    Returns:
        A non-empty component without separators, never ``.`` or ``..``.

    Examples:
        >>> safe_component("lusong-xzsp")
        'lusong-xzsp'
        >>> safe_component("芦淞区财政局")
        '芦淞区财政局'
        >>> safe_component("../../evil")
        '_._.._evil-0fbfd372'
        >>> safe_component("a/b")
        'a_b-c14cddc0'
        >>> safe_component("CON")
        'CON_-a3dbc4b6'
        >>> safe_component("<script>alert(1)</script>")
        '_script_alert(1)__script_-5c140d35'
    """
    text = unicodedata.normalize("NFC", str(entity_id))
    safe = _FORBIDDEN.sub("_", text)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    safe = re.sub(r"[. ]+$", lambda m: "_" * len(m.group()), safe)
    safe = _RESERVED.sub(lambda m: m.group(1) + "_" + (m.group(2) or ""), safe)
    safe = safe or "_"
    if safe != entity_id or len(safe.encode("utf-8")) > MAX_COMPONENT_BYTES:
        safe = _truncate(safe, MAX_COMPONENT_BYTES - 9) + "-" + _short_hash(entity_id)
    return safe


def report_dir(out_dir: str | Path, entity_id: str, year: int) -> Path:
    """The folder of one report: ``<out_dir>/<safe entity>/<year>``.

    Args:
        out_dir: The output root (``reports/``).
        entity_id: The entity id, any text.
        year: The fiscal year.

    Returns:
        The folder as ``out_dir / component / year`` (not created).

    Raises:
        RenderError: If the folder would resolve outside ``out_dir`` (for
            example through a symbolic link already inside it).

    Examples:
        >>> report_dir("reports", "a/b", 2020).as_posix()
        'reports/a_b-c14cddc0/2020'
        >>> report_dir("reports", "..", 2020).as_posix()
        'reports/__-5ec1f7e7/2020'
    """
    root = Path(out_dir)
    folder = root / safe_component(entity_id) / str(int(year))
    resolved_root = root.resolve()
    if not folder.resolve().is_relative_to(resolved_root) or folder.resolve() == resolved_root:
        raise RenderError(f"报告路径「{folder}」不在输出目录「{root}」之内 (path escapes --out)")
    return folder


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once, or not at all.

    The bytes go to a hidden temporary file in the same folder, are flushed
    to disk and then moved over ``path`` with :func:`os.replace`, so a reader
    sees either the old file or the complete new one, never a partial file.

    Examples:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
        >>> atomic_write(target, b"new")
        >>> target.read_bytes()
        b'new'
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_folder(folder: str | Path, *, patience: float = 2.0) -> bool:
    """Remove ``folder`` and everything in it, even while dying processes still write there.

    A kernel killed on Ctrl-C may add a socket or log file between
    :func:`shutil.rmtree` listing the folder and removing it, which leaves the
    folder behind. Nothing recreates a removed folder, so trying again until it
    is gone (at most ``patience`` seconds) removes it for good.

    Returns:
        Whether the folder is gone.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> (folder / "a" / "b").mkdir(parents=True)
        >>> remove_folder(folder), folder.exists()
        (True, False)
        >>> remove_folder(folder)  # already gone
        True
    """
    path = Path(folder)
    deadline = time.monotonic() + patience
    while True:
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def settled(newest_mtime_ns: int) -> bool:
    """Were the newest of some files modified at least :data:`SETTLE_SECONDS` ago?

    A file written again within the same timestamp tick keeps its size and
    modification time, so until then (git's "racy" entries) its
    :func:`file_state` cannot stand for its content: the validated cache and
    the batch stamp both wait. The age is the modification time's, so a tree
    copied with its times (``cp -a``) is vouched for at once; left open: a
    same-length rewrite with the mtime put back within the change-time tick
    (milliseconds) of the last look.

    Examples:
        >>> settled(0), settled(time.time_ns())
        (True, False)
    """
    return newest_mtime_ns <= time.time_ns() - SETTLE_SECONDS * 10**9


def cache_dir(cache: bool | str | Path = True) -> Path:
    """The user cache folder (``$XDG_CACHE_HOME/fiscal-analysis``), or ``cache`` if a path.

    Examples:
        >>> cache_dir("/tmp/x")
        PosixPath('/tmp/x')
        >>> cache_dir(True).name
        'fiscal-analysis'
    """
    if cache is not True and not isinstance(cache, bool):
        return Path(cache)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fiscal-analysis"


def writable_folder(folder: str | Path) -> None:
    """Raise :class:`PermissionError` (naming ``folder``) if it cannot be created or written.

    Looks at ``folder`` or, if it does not exist yet, its nearest existing
    parent; creates nothing, so a command refused for it leaves no trace.

    Examples:
        >>> writable_folder(tempfile.gettempdir() + "/not/yet")
    """
    there = Path(folder).absolute()
    while not there.exists() and there != there.parent:
        there = there.parent
    if there.is_dir() and not os.access(there, os.W_OK | os.X_OK):
        raise PermissionError(13, "Permission denied", str(folder))


def bar_shape(stream: Any) -> dict[str, int]:
    """tqdm's ``ncols`` and ``nrows``: the terminal's, or 80 × 24 where a terminal reports none.

    A new pseudo-terminal (``ssh`` without a pty size, ``script``, CI runners,
    Python's ``pty``) reports 0 × 0; tqdm turns that into -1 × -1, hides the
    bar as being below the last row, and prints an empty line instead. Empty
    (tqdm decides) when ``stream`` is not a terminal.

    Examples:
        >>> import io
        >>> bar_shape(io.StringIO())
        {}
    """
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return {}
    return {"ncols": size.columns or 80, "nrows": size.lines or 24}


def last_line(path: str | Path) -> str:
    """The last non-empty line of a log file, stripped (``""`` if it cannot be read).

    Examples:
        >>> last_line(Path("/no/such/log"))
        ''
    """
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return next((ln.strip() for ln in reversed(lines) if ln.strip()), "")
