"""Run the benchmarks and regenerate the results tables in BENCHMARKS.md.

Usage::

    python -m benchmarks                   # all: library, render, extract
    python -m benchmarks --quick           # small sizes, for a smoke run
    python -m benchmarks --only render     # one benchmark
    python -m benchmarks --tables-only     # rewrite BENCHMARKS.md from benchmarks/out/*.json

Results go to ``benchmarks/out/<name>.json`` (git-ignored). The tables in
BENCHMARKS.md between the ``<!-- results:… -->`` markers are regenerated from
the latest full (non-quick) results; a quick run writes ``<name>-quick.json``
and leaves BENCHMARKS.md alone unless ``--tables-from-quick`` is given.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import tables

BENCHES = ("library", "render", "extract")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick", action="store_true", help="small sizes (minutes, not tens of minutes)"
    )
    p.add_argument(
        "--only", choices=BENCHES, action="append", help="run only this one (repeatable)"
    )
    p.add_argument("--tables-only", action="store_true", help="only regenerate BENCHMARKS.md")
    p.add_argument("--tables-from-quick", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if not a.tables_only:
        for name in a.only or BENCHES:
            if name == "library":
                from benchmarks.bench_library import run as run_library

                run_library(quick=a.quick)
            elif name == "render":
                from benchmarks.bench_render import run as run_render

                run_render(quick=a.quick)
            else:
                from benchmarks.bench_extract import run as run_extract

                run_extract(quick=a.quick)
    if not a.quick or a.tables_from_quick:
        path = tables.update(quick=a.tables_from_quick)
        print(f"[benchmarks] tables updated in {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
