"""Extraction time against input size: many lines, and one very long line.

Real inputs include 10,000-line texts and text pasted as a single 1 MB line.
Extraction must stay linear: the time at two or three sizes gives the slope of
log(time) against log(size), which is 1 for linear work (2 would be quadratic).

Documents are synthetic, built from the forms the variation fixtures use: a
block of 情况说明 sentences (amounts, shares, changes, 三公 counts, a 项 entry)
and a flattened 05表, repeated; the single-line form joins the sentences
without line breaks. Run::

    python -m benchmarks.bench_scaling            # 2,500 / 5,000 / 10,000 lines; 0.25 / 0.5 / 1 MB
    python -m benchmarks.bench_scaling --quick    # smaller sizes

Results go to ``benchmarks/out/scaling.json``.
"""

from __future__ import annotations

import argparse
import time

from benchmarks.common import loglog_slope, write_result

__all__ = ["document", "run", "single_line"]

_NARRATIVE = [
    "本年收入合计1,200.00万元，其中：财政拨款收入1,150.00万元，占95.83%；其他收入50.00万元，占4.17%。",
    "本年支出合计1,180.00万元，其中：基本支出800.00万元，占67.80%；项目支出380.00万元，占32.20%。",
    "与2023年度相比，收入支出总计减少65.44万元，下降5.03%。主要原因是项目支出减少。",
    "公务接待费支出3.20万元，共8批次(其中外事接待0批次),56人次。",
    "1、教育支出（类）普通教育（款）小学教育（项）。年初预算为100.00万元，支出决算为98.00万元。",
    "机关运行经费支出45.52万元，与2024年度预算相比，增加0.52万元，增长1.16%。",
]
_TABLE = [
    "一般公共预算财政拨款支出决算表",
    "单位：万元",
    "科目编码  科目名称  合计  基本支出  项目支出",
    "合计  320.40  200.00  120.40",
    "201  一般公共服务支出  200.00  200.00",
    "20103  政府办公厅（室）及相关机构事务  200.00  200.00",
    "2010301  行政运行  200.00  200.00",
    "205  教育支出  120.40  120.40",
    "20502  普通教育  120.40  120.40",
    "2050201  学前教育  120.40  120.40",
]


def document(lines: int) -> list[str]:
    """A disclosure of about ``lines`` lines: title, tables and sentences repeated."""
    out = ["某区教育局2024年度部门决算"]
    block = [*_TABLE, "第三部分 2024年度部门决算情况说明", "二、收入决算情况说明", *_NARRATIVE]
    while len(out) < lines:
        out += block
    return out[:lines]


def single_line(size: int) -> list[str]:
    """One line of about ``size`` bytes (UTF-8) of 情况说明 sentences."""
    unit = "".join(_NARRATIVE)
    n = max(1, size // len(unit.encode("utf-8")))
    return ["某区教育局2024年度部门决算", unit * n]


def _time(lines: list[str]) -> float:
    from fiscal_analysis.extract import extract_lines

    start = time.perf_counter()
    extract_lines(lines, "bench.txt")
    return time.perf_counter() - start


def run(quick: bool = False) -> dict:
    """Time extraction at three sizes of each form; return the record written."""
    line_sizes = [1000, 2000, 4000] if quick else [2500, 5000, 10000]
    byte_sizes = [100_000, 200_000, 400_000] if quick else [250_000, 500_000, 1_000_000]
    rows = []
    for kind, sizes, make in (("lines", line_sizes, document), ("bytes", byte_sizes, single_line)):
        seconds = [_time(make(s)) for s in sizes]
        slope = loglog_slope(sizes, seconds)
        rows.append({"form": kind, "sizes": sizes, "seconds": seconds, "slope": slope})
        shown = ", ".join(f"{s:,} → {t:.2f} s" for s, t in zip(sizes, seconds, strict=True))
        print(f"{kind}: {shown}; slope of log(time) against log(size) {slope:.2f}")
    record = {"quick": quick, "results": rows}
    write_result("scaling-quick" if quick else "scaling", record)
    return record


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes")
    run(p.parse_args().quick)
