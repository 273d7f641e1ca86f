"""Safe output paths (hostile entity ids stay inside --out), file state and the data-folder walk."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from fiscal_analysis.errors import RenderError
from fiscal_analysis.files import (
    MAX_COMPONENT_BYTES,
    atomic_write,
    remove_folder,
    report_dir,
    safe_component,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "../../evil",
    "..",
    ".",
    "a/b",
    "a\\b",
    "C:evil",
    "CON",
    "nul",
    "com1.txt",
    "LPT9",
    "x*y?z|w",
    'say "hi"',
    "tab\there",
    "new\nline",
    "trailing. ",
    "",
    "/absolute",
    "\\\\server\\share",
]


@pytest.mark.parametrize("entity_id", HOSTILE)
def test_hostile_ids_map_to_one_safe_component(entity_id, tmp_path):
    part = safe_component(entity_id)
    assert part and part not in {".", ".."}
    assert not set(part) & set('<>:"/\\|?*')
    assert all(ord(ch) >= 32 and ord(ch) != 127 for ch in part)
    assert not part.startswith(".") and not part.endswith((".", " "))
    assert part.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    # something changed, so a short hash of the original id is appended
    assert part[-9] == "-" and len(part[-8:]) == 8
    folder = report_dir(tmp_path / "out", entity_id, 2020)
    assert folder.parent.parent == tmp_path / "out"
    assert folder.resolve().is_relative_to((tmp_path / "out").resolve())
    folder.mkdir(parents=True)
    atomic_write(folder / "report.html", b"ok")
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [folder / "report.html"]


def test_chinese_and_plain_ids_are_kept_unchanged():
    assert safe_component("lusong-xzsp") == "lusong-xzsp"
    assert safe_component("株洲市芦淞区行政审批服务局") == "株洲市芦淞区行政审批服务局"
    assert safe_component("财政局（本级）") == "财政局（本级）"


def test_ids_that_differ_only_in_replaced_characters_do_not_collide():
    ids = ["a/b", "a\\b", "a:b", "a_b", "a*b", "a?b"]
    parts = [safe_component(i) for i in ids]
    assert len(set(parts)) == len(ids)
    assert parts[3] == "a_b"  # already safe: unchanged


def test_reserved_names_get_underscore_before_extension():
    assert safe_component("CON").startswith("CON_-")
    assert safe_component("con.txt").startswith("con_.txt-")
    assert safe_component("CONSOLE") == "CONSOLE"  # only exact device names are reserved


def test_long_ids_are_truncated_within_limit():
    long_id = "财" * 200
    part = safe_component(long_id)
    assert len(part.encode("utf-8")) <= MAX_COMPONENT_BYTES
    assert part.startswith("财" * 30) and part != safe_component("财" * 199)


def test_report_dir_refuses_a_symlink_that_leaves_out(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, out / "alpha")
    with pytest.raises(RenderError, match="不在输出目录"):
        report_dir(out, "alpha", 2020)


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "report.html"
    target.write_bytes(b"old good report")

    with pytest.raises(TypeError):
        atomic_write(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def _writer(folder, stop, lifetime=60.0):
    """Add files to ``folder`` for ``lifetime`` seconds, until it is gone or ``stop`` is set."""
    n = 0
    end = time.monotonic() + lifetime
    while not stop.is_set() and time.monotonic() < end:
        try:
            (folder / f"sock-{n}").write_bytes(b"")
        except OSError:  # the folder is gone: nothing recreates it
            return
        n += 1
        time.sleep(0.0005)


def _race(remove, tmp_path, rounds=8):
    """How many of ``rounds`` folders ``remove`` left behind while a writer was adding files."""
    left = 0
    for i in range(rounds):
        folder = tmp_path / f"k{i}"
        folder.mkdir()
        for n in range(50):
            (folder / f"old-{n}").write_bytes(b"")
        stop = threading.Event()
        # like a kernel dying after Ctrl-C: a few more files over 30 ms, then nothing
        writer = threading.Thread(target=_writer, args=(folder, stop, 0.03))
        writer.start()
        time.sleep(0.002)
        remove(folder)
        stop.set()
        writer.join()
        left += folder.exists()
        shutil.rmtree(folder, ignore_errors=True)
    return left


def test_remove_folder_tries_again_when_a_late_file_kept_the_folder(tmp_path, monkeypatch):
    """Ctrl-C left the kernels' socket folder in TMPDIR: a dying kernel added a file mid-rmtree."""
    import fiscal_analysis.files as files

    folder = tmp_path / "fa-k-x"
    (folder / "sub").mkdir(parents=True)
    real = shutil.rmtree
    calls = []

    def rmtree_with_a_late_file(path, ignore_errors=False):
        calls.append(path)
        real(path, ignore_errors=ignore_errors)
        if len(calls) <= 2:  # the kernel's last socket arrives after the listing
            Path(path).mkdir()
            (Path(path) / f"late-{len(calls)}.sock").write_bytes(b"")

    monkeypatch.setattr(files.shutil, "rmtree", rmtree_with_a_late_file)
    assert remove_folder(folder) is True
    assert not folder.exists() and len(calls) == 3


def test_remove_folder_removes_folders_while_threads_still_write_there(tmp_path):
    """The same with real writers: a plain rmtree leaves most of these folders behind."""
    assert _race(remove_folder, tmp_path) == 0


def test_remove_folder_gives_up_after_its_patience(tmp_path):
    folder = tmp_path / "busy"
    folder.mkdir()
    stop = threading.Event()
    writer = threading.Thread(target=_writer, args=(folder, stop))
    writer.start()
    try:
        started = time.monotonic()
        gone = remove_folder(folder, patience=0.2)
        took = time.monotonic() - started
    finally:
        stop.set()
        writer.join()
    assert took < 2
    assert gone == (not folder.exists())
