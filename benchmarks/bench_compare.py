"""This checkout against a baseline checkout: the same whole commands, alternated, in one run.

Usage::

    git worktree add ../baseline <commit>
    python3 -m venv ../baseline/.venv && ../baseline/.venv/bin/pip install -e ../baseline
    python -m benchmarks.bench_compare --baseline ../baseline [--runs 5] [--same-env]

With ``--same-env`` the baseline's code runs with this checkout's Python and
installed packages (its ``src`` first on ``PYTHONPATH``), so the two sides differ
only in the project's code, not in its dependencies.

Each workload runs as a separate process with each checkout's own Python (its
``.venv``), A B A B …, after one warm-up of each; the CPU seconds of the process
and its children (``RUSAGE_CHILDREN``) and the wall seconds are recorded, and
the table gives the medians and the median of the per-pair ratios (this
checkout / baseline), so a drift of the machine's speed during the run cancels
out. Results go to ``benchmarks/out/compare.json`` and the ``compare`` block of
BENCHMARKS.md.

The workloads use only what both versions offer: the CLI (``validate``,
``summary``, ``render --force``) on the shipped data, and the metrics of a
synthetic 100 × 10 panel through each version's own API (found at run time).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import OUT, REPO, ensure_panel

__all__ = ["WORKLOADS", "run"]

#: Metrics of every entity-year of a panel through whichever API the checkout has.
_METRICS_SCRIPT = r"""
import sys
from fiscal_analysis import load_dataset
ds = load_dataset(sys.argv[1])
try:  # this layout
    from fiscal_analysis import metrics as m
    from fiscal_analysis.metrics.panel import all_metrics
    one = lambda e, y: m.income_structure(ds.entity_year(e, y))
    calls = (m.income_structure, m.expense_structure, m.function_structure,
             m.budget_completion, m.three_public, m.ops_cost, m.procurement)
    def entity_year(e, y):
        ey = ds.entity_year(e, y)
        for f in calls:
            f(ey)
except ImportError:  # the flat layout
    from fiscal_analysis import entity_metrics as em, structure as st
    from fiscal_analysis.panel import all_metrics
    calls = (st.income_structure, st.expense_structure, st.function_structure,
             em.budget_completion, em.three_public, em.ops_cost, em.procurement)
    def entity_year(e, y):
        for f in calls:
            f(ds, e, y)
mode = sys.argv[2]
if mode == "panel":
    all_metrics(ds)
else:
    for e, y in ds.pairs()[: int(sys.argv[3])]:
        entity_year(e, y)
"""

#: Label → arguments after the checkout's Python (``{data}``, ``{panel}``, ``{out}`` filled in).
WORKLOADS: dict[str, list[str]] = {
    "validate (seed data, no cache)": ["-m", "fiscal_analysis.cli", "validate", "--data", "{data}",
                                       "--no-cache"],
    "summary 2020 (no cache)": ["-m", "fiscal_analysis.cli", "summary", "--data", "{data}",
                                "--entity", "lusong-xzsp", "--year", "2020", "--no-cache"],
    "all metrics, 100 × 10 panel": ["-c", _METRICS_SCRIPT, "{panel}", "panel"],
    "7 entity-year metrics × 200 entity-years": ["-c", _METRICS_SCRIPT, "{panel}", "each", "200"],
    "render --force, 2 seed reports": ["-m", "fiscal_analysis.cli", "render", "--data", "{data}",
                                       "--out", "{out}", "--force", "--jobs", "2"],
}  # fmt: skip


def _python(checkout: Path) -> Path:
    py = checkout / ".venv" / "bin" / "python"
    if not py.exists():
        raise SystemExit(f"{checkout}: no .venv/bin/python (create it and pip install -e there)")
    return py


def _measure(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + sys of the children) and exit code of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def run(baseline: Path, runs: int = 5, same_env: bool = False) -> dict:
    """Alternate every workload between this checkout (A) and ``baseline`` (B)."""
    panel, _ = ensure_panel(100, 10)
    sides = {"this": REPO, "baseline": baseline.resolve()}
    pythons = {k: _python(v) for k, v in sides.items()}
    envs = {"this": None, "baseline": None}
    if same_env:
        pythons["baseline"] = pythons["this"]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(sides["baseline"] / "src"), *filter(None, [env.get("PYTHONPATH")])]
        )
        envs["baseline"] = env
    commits = {
        k: subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=v, capture_output=True,
                          text=True).stdout.strip()
        for k, v in sides.items()
    }  # fmt: skip
    results: dict[str, dict] = {}
    env_out = Path(tempfile.mkdtemp(prefix="compare-"))
    for label, template in WORKLOADS.items():
        samples: dict[str, list[tuple[float, float, int]]] = {"this": [], "baseline": []}
        for i in range(runs + 1):
            for side in ("this", "baseline"):
                out = env_out / side
                args = [a.format(data=sides[side] / "data", panel=panel, out=out) for a in template]
                sample = _measure([str(pythons[side]), *args], sides[side], envs[side])
                if i:  # the first round is the warm-up
                    samples[side].append(sample)
        a, b = samples["this"], samples["baseline"]
        results[label] = {
            "this_wall": statistics.median(s[0] for s in a),
            "base_wall": statistics.median(s[0] for s in b),
            "this_cpu": statistics.median(s[1] for s in a),
            "base_cpu": statistics.median(s[1] for s in b),
            "ratio_wall": statistics.median(x[0] / y[0] for x, y in zip(a, b, strict=True)),
            "ratio_cpu": statistics.median(x[1] / y[1] for x, y in zip(a, b, strict=True)),
            "exit_codes": sorted({s[2] for s in a + b}),
        }
        print(f"[compare] {label}: {results[label]}", file=sys.stderr)
    shutil.rmtree(env_out, ignore_errors=True)
    rec = {
        "runs": runs,
        "same_env": same_env,
        "commits": commits,
        "cpu_count": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
        "results": results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "compare.json").write_text(json.dumps(rec, ensure_ascii=False, indent=1))
    return rec


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_compare", description=__doc__)
    p.add_argument("--baseline", type=Path, required=True, help="the other checkout")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--same-env", action="store_true", help="baseline code, this environment")
    a = p.parse_args(argv)
    run(a.baseline, a.runs, a.same_env)
    from benchmarks import tables

    tables.update()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
