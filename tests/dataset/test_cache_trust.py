"""The validated cache unpickles only its own intact files: owner, mode and checksum first."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

import fiscal_analysis
from fiscal_analysis import files as paths
from fiscal_analysis.dataset import cache as cache_mod
from fiscal_analysis.dataset import load as loader
from fiscal_analysis.dataset.load import load_dataset
from tests.users import as_nobody

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534


@pytest.fixture(autouse=True)
def no_settling(monkeypatch):
    monkeypatch.setattr(paths, "SETTLE_SECONDS", 0)


def _data(folder: Path) -> Path:
    root = folder / "data"
    shutil.copytree(REPO / "data", root, ignore=shutil.ignore_patterns("raw", "*.md", "putuo*"))
    return root


class _Planted:
    """Unpickling it creates the folder ``marker``: proof that the file was unpickled."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _checksum(payload: bytes) -> bytes:
    """The payload's checksum line as the cache writes it (CRC-32, 8 hex digits)."""
    return b"%08x\n" % zlib.crc32(payload)


def _plant(entry: Path, root: Path, marker: Path) -> None:
    """Replace a cache file by a well-formed one (manifest, checksum) whose payload runs code."""
    payload = pickle.dumps({"frames": _Planted(marker)})
    stamp = cache_mod._encoded(cache_mod.manifest(root, None))
    entry.write_bytes(cache_mod.MAGIC + stamp + _checksum(payload) + payload)


def _cold_loads(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = loader._cold_load

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "_cold_load", counting)
    return calls


def _cached(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A data folder, its cache folder and the cache file written by a first load."""
    root, where = _data(tmp_path), tmp_path / "cache"
    load_dataset(root, cache=where)
    [entry] = where.glob("*/all.pkl")
    return root, where, entry


def test_a_planted_file_in_a_private_cache_is_unpickled_so_the_plant_is_well_formed(tmp_path):
    """The control for the tests below: in the user's own private folder the plant does run."""
    root, where, entry = _cached(tmp_path)
    marker = tmp_path / "ran"
    _plant(entry, root, marker)
    load_dataset(root, cache=where)
    assert marker.exists()


@pytest.mark.parametrize(
    ("what", "mode"),
    [("top", 0o777), ("top", 0o770), ("sub", 0o777), ("sub", 0o720), ("file", 0o666)],
    ids=[
        "cache-folder-0777",
        "cache-folder-0770",
        "sub-folder-0777",
        "sub-folder-0720",
        "file-0666",
    ],
)
def test_a_planted_pickle_in_a_shared_cache_folder_is_never_unpickled(
    tmp_path, monkeypatch, what, mode
):
    root, where, entry = _cached(tmp_path)
    marker = tmp_path / "ran"
    _plant(entry, root, marker)
    {"top": where, "sub": entry.parent, "file": entry}[what].chmod(mode)
    calls = _cold_loads(monkeypatch)
    ds = load_dataset(root, cache=where)
    assert not marker.exists()
    assert len(calls) == 1  # loaded cold instead
    assert str(ds.value("lusong-xzsp", 2020, "T01", "income_grand_total")) == "335.78"


def test_a_cache_of_another_owner_is_never_unpickled(tmp_path, monkeypatch):
    root, where, entry = _cached(tmp_path)
    marker = tmp_path / "ran"
    _plant(entry, root, marker)
    calls = _cold_loads(monkeypatch)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(entry).st_uid + 1)  # someone else's
    load_dataset(root, cache=where)
    assert not marker.exists() and len(calls) == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
@pytest.mark.parametrize("what", ["top", "sub", "file"])
def test_a_cache_folder_or_file_chowned_to_nobody_is_never_unpickled(tmp_path, monkeypatch, what):
    root, where, entry = _cached(tmp_path)
    marker = tmp_path / "ran"
    _plant(entry, root, marker)
    os.chown({"top": where, "sub": entry.parent, "file": entry}[what], NOBODY, NOBODY)
    calls = _cold_loads(monkeypatch)
    load_dataset(root, cache=where)
    assert not marker.exists() and len(calls) == 1


def test_a_symlinked_cache_file_is_not_followed(tmp_path, monkeypatch):
    root, where, entry = _cached(tmp_path)
    marker = tmp_path / "ran"
    elsewhere = where / "planted.pkl"
    entry.rename(elsewhere)
    _plant(elsewhere, root, marker)
    entry.symlink_to(elsewhere)
    calls = _cold_loads(monkeypatch)
    load_dataset(root, cache=where)
    assert not marker.exists() and len(calls) == 1


@pytest.mark.parametrize("where_flip", ["payload", "checksum", "manifest"])
def test_a_flipped_byte_is_caught_before_unpickling_and_loaded_cold(
    tmp_path, monkeypatch, where_flip
):
    root, where, entry = _cached(tmp_path)
    good = load_dataset(root, cache=where)
    data = bytearray(entry.read_bytes())
    header = len(cache_mod.MAGIC) + len(cache_mod._encoded(cache_mod.manifest(root, None)))
    at = {"payload": (header + 9 + len(data)) // 2, "checksum": header + 3, "manifest": header - 20}
    data[at[where_flip]] ^= 0x01
    entry.write_bytes(bytes(data))
    calls = _cold_loads(monkeypatch)
    unpickled = []
    real_load = pickle.load
    monkeypatch.setattr(cache_mod.pickle, "load", lambda f: unpickled.append(1) or real_load(f))
    again = load_dataset(root, cache=where)
    assert len(calls) == 1 and unpickled == []  # cold, and the damaged bytes never unpickled
    for name in good.frames:
        assert again.frames[name].equals(good.frames[name])
    load_dataset(root, cache=where)
    assert len(calls) == 1 and unpickled == [1]  # rewritten intact, then used


def test_cache_folders_are_created_private(tmp_path):
    root = _data(tmp_path)
    where = tmp_path / "new" / "cache"
    load_dataset(root, cache=where)
    [entry] = where.glob("*/all.pkl")
    for path in (where, entry.parent, entry):
        assert path.stat().st_mode & 0o077 == 0, path


def _as_nobody() -> list[str]:
    return as_nobody()


@pytest.fixture
def shared_tmp():
    """A folder under the system temp folder that the user nobody can read (pytest's is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="fa-nobody-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def _run_as_nobody(prefix: list[str], body: str) -> str:
    src = Path(fiscal_analysis.__file__).resolve().parents[1]
    script = f"import sys\nsys.path.insert(0, {str(src)!r})\n" + body
    run = subprocess.run(
        [*prefix, sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


@pytest.mark.parametrize("owner", ["nobody", "root"])
def test_nobody_unpickles_only_its_own_cache_not_one_planted_by_another_user(shared_tmp, owner):
    """Run as the unprivileged user nobody: its own private cache is used (the control), one
    owned by root (readable, not writable by nobody) is never unpickled."""
    prefix = _as_nobody()
    root, where, entry = _cached(shared_tmp)
    drop = shared_tmp / "drop"  # nobody could create the marker here if it unpickled the file
    drop.mkdir()
    drop.chmod(0o777)
    marker = drop / "ran"
    # nobody's interpreter may report another version: plant what nobody would expect.
    stamp = _run_as_nobody(
        prefix,
        "from fiscal_analysis.dataset import cache\n"
        f"print(cache._encoded(cache.manifest({str(root)!r}, None)).hex())\n",
    )
    payload = pickle.dumps({"frames": _Planted(marker)})
    entry.write_bytes(cache_mod.MAGIC + bytes.fromhex(stamp) + _checksum(payload) + payload)
    for path in (where, entry.parent, entry):
        if owner == "nobody":
            os.chown(path, NOBODY, NOBODY)
        else:
            path.chmod(0o644 if path == entry else 0o755)  # readable by nobody, root's
    out = _run_as_nobody(
        prefix,
        "from fiscal_analysis.dataset.load import load_dataset\n"
        f"ds = load_dataset({str(root)!r}, cache={str(where)!r})\n"
        "print(ds.value('lusong-xzsp', 2020, 'T01', 'income_grand_total'))\n",
    )
    assert marker.exists() == (owner == "nobody")
    if owner == "root":
        assert out == "335.78"  # loaded cold
