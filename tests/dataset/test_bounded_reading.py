"""Reading stays bounded: over-long fields, non-regular files and link loops are refused quickly."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.reading.fields import MAX_FIELD, long_field
from fiscal_analysis.dataset.reading.readtable import read_table
from fiscal_analysis.errors import DataValidationError
from fiscal_analysis.schema.columns import FILES

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
FACTS = "lusong-xzsp/2020/facts.csv"
ROW = "lusong-xzsp,2020,assets,,equipment_100w,1,台（套）,published,lusong-2020,一,"
TOO_LONG = (
    "字段长 {n} 字节，超过上限 1048576 字节；多半是缺了引号或换行，请检查"
    " (field longer than 1048576 bytes; a missing quote or line break?)"
)


def _data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(REPO / "data", root, ignore=shutil.ignore_patterns("raw", "*.md", "putuo*"))
    return root


def _append(path: Path, text: str) -> int:
    old = path.read_text(encoding="utf-8")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def _child(code: str, timeout: float = 60) -> tuple[str, float]:
    """Run ``code`` in another interpreter (a hang fails, a crash shows); its stdout and time."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run.stdout, time.monotonic() - start


# -- over-long fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "size"),
    [
        ("x" * (MAX_FIELD + 1), MAX_FIELD + 1),
        ('"' + "y" * MAX_FIELD + '"', MAX_FIELD + 2),
        ('"' + "a,b\n" * (MAX_FIELD // 4) + '"', MAX_FIELD + 2),  # separators inside quotes
    ],
    ids=["unquoted", "quoted", "quoted-with-commas-and-newlines"],
)
def test_an_over_long_field_is_refused_with_file_row_and_column(tmp_path, note, size):
    root = _data(tmp_path)
    row = _append(root / FACTS, f"{ROW}{note}\n")
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    [p] = info.value.problems
    assert (p.file, p.row, p.column) == (FACTS, row, "note")
    assert p.expected == TOO_LONG.format(n=size)
    assert len(str(p)) < 400  # the value is shown cut


@pytest.mark.parametrize("quote", ["", '"'], ids=["unquoted", "quoted"])
def test_a_field_just_under_the_limit_is_read(tmp_path, quote):
    """Quoted fields over 128 KiB (the csv module's default limit) were refused as malformed."""
    root = _data(tmp_path)
    note = "长" * (MAX_FIELD // 3 - 1)  # 3 bytes each: just under 1 MiB, quotes included
    _append(root / FACTS, f"{ROW}{quote}{note}{quote}\n")
    ds = load_dataset(root)
    assert ds.facts["note"].str.len().max() == MAX_FIELD // 3 - 1


def test_long_field_names_the_column_of_a_quoted_multiline_record():
    data = b'a,b,c\n1,"two\nlines",' + b"z" * 50 + b"\n"
    p = long_field(data, "f.csv", limit=40)
    assert (p.row, p.column, p.value) == (2, "c", "z" * 20 + "……")
    assert long_field(b'a,b\n"' + b"q," * 30 + b'",1\n', "f.csv", limit=40).column == "a"
    assert long_field(b"a,b\n" + b"1,2\n" * 100, "f.csv", limit=40) is None


def _peak_rss_code(root: Path) -> str:
    return (
        "import resource\n"
        "from fiscal_analysis.dataset.load import load_dataset\n"
        "from fiscal_analysis.errors import DataValidationError\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        f"    load_dataset({str(root)!r})\n"
        "    print('loaded')\n"
        "except DataValidationError as exc:\n"
        "    print(exc.problems[0].expected)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print((after - before) // 1024)\n"  # MiB (ru_maxrss is in KiB on Linux)
    )


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB is Linux's")
def test_a_20_mb_field_is_refused_without_using_gigabytes(tmp_path):
    """Before the field limit, a 20 MB note took about 7 GB (350 times its size) to refuse."""
    root = _data(tmp_path)
    _append(root / FACTS, f"{ROW}{'x' * 20 * 2**20}\n")
    out, _ = _child(_peak_rss_code(root))
    message, grown = out.splitlines()
    assert message == TOO_LONG.format(n=20 * 2**20)
    assert int(grown) < 200  # MiB; measured 62


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB is Linux's")
def test_a_long_allowed_note_does_not_cost_hundreds_of_times_its_size(tmp_path):
    """Validation held every distinct note at the width of the longest: 1 MB took 350 MB."""
    root = _data(tmp_path)
    _append(root / FACTS, f"{ROW}{'x' * (MAX_FIELD - 10)}\n")
    out, _ = _child(_peak_rss_code(root))
    message, grown = out.splitlines()
    assert message == "loaded"
    assert int(grown) < 100  # MiB; measured 22 (was 348)


# -- non-regular files -----------------------------------------------------------------------


def _load_in_child(root: Path, cache: bool = False) -> tuple[list[str], float]:
    where = str(root.parent / "cache") if cache else False
    code = (
        "from fiscal_analysis.dataset.load import load_dataset\n"
        "from fiscal_analysis.errors import DataValidationError\n"
        "try:\n"
        f"    load_dataset({str(root)!r}, cache={where!r})\n"
        "    print('loaded')\n"
        "except DataValidationError as exc:\n"
        "    for p in exc.problems:\n"
        "        print(p.file, p.expected, sep='|')\n"
    )
    out, seconds = _child(code, timeout=30)
    return out.splitlines(), seconds


def test_a_link_to_dev_zero_named_facts_csv_is_refused_without_reading(tmp_path):
    root = _data(tmp_path)
    os.symlink("/dev/zero", root / "lusong-xzsp" / "2021-facts")
    (root / "lusong-xzsp" / "2021").mkdir()
    os.symlink("/dev/zero", root / "lusong-xzsp" / "2021" / "facts.csv")
    lines, seconds = _load_in_child(root)
    assert seconds < 20
    assert lines == [
        "lusong-xzsp/2021/facts.csv|符号链接指向数据目录之外（/dev/zero），不予读取；"
        "请把文件复制进来 (symlink leaves the data folder)"
    ]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
def test_a_character_device_named_facts_csv_is_refused_by_name(tmp_path):
    root = _data(tmp_path)
    (root / "lusong-xzsp" / "2021").mkdir()
    zero = os.stat("/dev/zero").st_rdev
    try:
        os.mknod(root / "lusong-xzsp" / "2021" / "facts.csv", stat.S_IFCHR | 0o644, zero)
    except OSError as exc:  # e.g. a container without the capability
        pytest.skip(f"cannot create a device here: {exc}")
    lines, seconds = _load_in_child(root)
    assert seconds < 20
    assert lines == [
        "lusong-xzsp/2021/facts.csv|不是普通文件（设备或套接字, device or socket），不予读取"
        " (not a regular file)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_swapped_in_after_the_walk_is_refused_without_blocking(tmp_path):
    """The walk refuses FIFOs by name; one swapped in later is caught when opened."""
    root = _data(tmp_path)
    path = root / FACTS
    path.unlink()
    os.mkfifo(path)
    code = (
        "from pathlib import Path\n"
        "from fiscal_analysis.dataset.reading.readtable import read_table\n"
        "from fiscal_analysis.schema.columns import FILES\n"
        f"df, problems = read_table(Path({str(path)!r}), FILES['facts'], Path({str(root)!r}))\n"
        "print(df, [str(p) for p in problems])\n"
    )
    out, seconds = _child(code, timeout=20)
    assert seconds < 20
    assert out.strip() == (
        f"None ['{FACTS}: 不是普通文件（命名管道, FIFO），不予读取 (not a regular file)']"
    )


def test_a_folder_named_facts_csv_is_refused_by_read_table(tmp_path):
    root = _data(tmp_path)
    (root / "x.csv").mkdir()
    df, [p] = read_table(root / "x.csv", FILES["facts"], root)
    assert df is None
    assert (
        str(p)
        == "x.csv: 应为 CSV 文件，这里却是一个文件夹，请改名 (expected a file, found a folder)"
    )


# -- link loops ------------------------------------------------------------------------------

LOOP = "符号链接形成循环（指向所在文件夹或其上级，或无法解析），请删除或改正 (symlink loop)"


@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("lusong-xzsp/2020/again", ".."),
        ("lusong-xzsp/up", "../.."),
        ("lusong-xzsp/2020/facts.csv", "facts.csv"),
        ("lusong-xzsp/2020/tables.csv", "loop-b"),
    ],
    ids=["to-a-parent", "above-the-data-folder", "to-itself", "two-links"],
)
def test_a_symlink_loop_is_refused_by_the_loader_in_under_5_seconds(tmp_path, link, target, cache):
    root = _data(tmp_path)
    (root / link).unlink(missing_ok=True)
    os.symlink(target, root / link)
    if target == "loop-b":
        os.symlink("tables.csv", root / "lusong-xzsp" / "2020" / "loop-b")
    lines, seconds = _load_in_child(root, cache)
    assert seconds < 5
    loops = [link, "lusong-xzsp/2020/loop-b"] if target == "loop-b" else [link]
    assert lines == [f"{rel}|{LOOP}" for rel in sorted(loops)]
