"""Bounded extraction: linear time in the lines, long lines, and refusals past the limits.

The timing tests run the extraction in a fresh interpreter (this process's own heap
would make the garbage collector's share vary) and compare CPU time, which other
work on a loaded machine does not inflate; the bounds are generous.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from fiscal_analysis.cli import cli
from fiscal_analysis.extract import ExtractError, extract_lines
from fiscal_analysis.extract.limits import MAX_LINE_CHARS, MAX_PDF_INFLATED
from fiscal_analysis.extract.text import read_lines

_TIMED = """
import json, sys, time
from fiscal_analysis.extract import extract_lines
n = int(sys.argv[1])
lines = ["某区教育局2024年度部门决算"]
i = 0
while len(lines) < n - n // 100:  # rows of a flattened table and short numeric lines
    i += 1
    if i % 2:
        lines.append(f"2050199 {i % 97 + 1}.20 {i % 97 + 1}.20")
    else:
        lines.append(f"{i % 89 + 10}.{i % 90 + 10}")
lines += ["收支总计各是1234.56,1250.10万元。"] * (n // 100)  # then a run of paired statements
wall, cpu = time.perf_counter(), time.process_time()
ex = extract_lines(lines, "many.txt")
print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
                  "lines": len(ex.lines), "numbers": len(ex.parsed.numbers)}))
"""


def _timed(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _TIMED, str(n)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_500k_lines_take_linear_time():
    small, large = _timed(50_000), _timed(500_000)
    assert (small["lines"], large["lines"]) == (50_000, 500_000)
    assert large["numbers"] >= 9_000  # both figures of each pair were read
    # ten times the lines: linear work takes about ten times as long (quadratic: a hundred)
    assert large["cpu"] < 15 * small["cpu"], (small, large)
    assert large["cpu"] < 60, large  # CPU seconds: about 10 on an idle 2-core machine


def _bomb_pdf(inflated: int) -> bytes:
    """A one-page PDF whose content stream is ``inflated`` bytes of zeros, deflated."""
    z = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    body = b"".join(z.compress(chunk) for _ in range(inflated >> 20)) + z.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_READ = """
import json, sys
from fiscal_analysis.extract import ExtractError
from fiscal_analysis.extract.text import read_lines
try:
    read_lines(sys.argv[1])
    error = None
except ExtractError as exc:
    error = str(exc)
# VmHWM: this program's own peak (ru_maxrss would keep the forking test process's)
peak = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM"))
print(json.dumps({"error": error, "rss_mb": peak // 1024}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory read from /proc")
def test_flate_bomb_is_refused_with_bounded_memory(tmp_path):
    inflated = MAX_PDF_INFLATED + (32 << 20)  # just past the limit: 288 MB of zeros
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_bomb_pdf(inflated))
    assert bomb.stat().st_size < 400_000
    out = subprocess.run(
        [sys.executable, "-c", _READ, str(bomb)], capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout)
    assert got["error"] is not None
    assert str(bomb) in got["error"]
    assert "压缩炸弹" in got["error"] and str(MAX_PDF_INFLATED) in got["error"]
    # PDFium inflating the stream would take more than the stream's 288 MB
    assert got["rss_mb"] < 250, got


def test_flate_bomb_refused_by_the_cli_without_traceback(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_bomb_pdf(MAX_PDF_INFLATED + (8 << 20)))
    result = CliRunner().invoke(cli, ["extract", str(bomb), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "不予提取" in result.output and "bomb.pdf" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "facts.csv").exists()


def test_one_megabyte_line_of_numbers_reads_quickly():
    line = " ".join(["15.20"] * 175_000)  # 1 MB, numbers only
    start = time.perf_counter()
    ex = extract_lines(["某区教育局2024年度部门决算", line], "pasted.txt")
    assert time.perf_counter() - start < 10
    assert ex.year == 2024


def test_one_megabyte_line_of_sentences_reads_quickly():
    unit = "本年收入合计1,200.00万元，其中：财政拨款收入1,150.00万元，占95.83%；"
    line = unit * (1_000_000 // len(unit.encode()))
    start = time.perf_counter()
    ex = extract_lines(["某区教育局2024年度部门决算", line], "pasted.txt")
    assert time.perf_counter() - start < 10
    assert [f.value for f in ex.parsed.figures][:2] == [1_200_000_000, 1_150_000_000]


def test_many_rows_under_one_parent_stay_fast():
    # every 2050199 row fits either column: narrowing them all against the 合计 row would
    # keep a growing set of column sums per row (quadratic time and memory)
    rows = ["2050199  15.20"] * 5000
    lines = ["某区教育局2024年度部门决算", "一般公共预算财政拨款支出决算表", "单位：万元"]
    start = time.perf_counter()
    ex = extract_lines([*lines, "合计  76,000.00", *rows], "rows.txt")
    assert time.perf_counter() - start < 20
    t05 = next(t for t in ex.tables if t.table == "T05")
    assert t05.evidence[("2050199", "basic")] == "ambiguous"  # left open, not guessed


def test_line_over_the_limit_is_refused(tmp_path):
    doc = tmp_path / "long.txt"
    doc.write_text("某区教育局2024年度部门决算\n" + "1" * (MAX_LINE_CHARS + 1) + "\n")
    with pytest.raises(ExtractError) as err:
        read_lines(doc)
    assert str(doc) in str(err.value)
    assert f"第2行有 {MAX_LINE_CHARS + 1} 个字符" in str(err.value)
    assert str(MAX_LINE_CHARS) in str(err.value)


def test_limits_checked_on_lines_given_directly(monkeypatch):
    import fiscal_analysis.extract.limits as limits

    monkeypatch.setattr(limits, "MAX_LINES", 3)
    with pytest.raises(ExtractError, match=r"lines.txt: 文件有 4 行，超过上限 3 行"):
        extract_lines(["某区教育局2024年度部门决算", "a", "b", "c"], "lines.txt")
    monkeypatch.setattr(limits, "MAX_LINES", 10)
    monkeypatch.setattr(limits, "MAX_CHARS", 20)
    with pytest.raises(ExtractError, match=r"超过上限 20 个字符"):
        extract_lines(["某区教育局2024年度部门决算", "本年收入合计1,200.00万元"], "c.txt")
