"""Library benchmark: load + validate + all metrics for N entities × 10 years.

Each size runs in its own subprocess (so peak memory, ``ru_maxrss``, is that
size's alone). Phases:

* ``load``: :func:`fiscal_analysis.load_dataset` as a user calls it by default
  (no validated cache: read every CSV, validate, type the frames). Sizes up to
  1,000 × 10 are measured in :data:`REPEATS` new processes one after another
  and the run with the median load + all metrics is shown (every run is kept
  in ``runs``): one run may find the files paged out and read them from disk.
  The cache write a first ``cache=`` load adds is timed in ``warm`` below.
* ``all``: :func:`fiscal_analysis.metrics.panel.all_metrics`, right after the
  load (it builds the shared panel view; ``yoy`` and ``pefa`` run after it).
* ``yoy``: :func:`fiscal_analysis.metrics.panel.yoy_change` over
  ``Dataset.panel(table, item)`` for the key totals (:data:`KEY_TOTALS`), all
  entities × years at once.
* ``pefa``: :func:`fiscal_analysis.metrics.pefa.outturn_table` for every entity-year
  (PI-1/PI-2 from 05表 项 lines).
* ``per_pair``: the per-entity-year metrics a report uses (shares/structure,
  budget completion per 项, 三公, 机关运行经费, 政府采购): the metrics module
  offers these only as scalar functions of one ``(entity, year)``, so they are
  timed on an evenly spaced sample of pairs and extrapolated to all pairs
  (labelled *extrapolated* in the results).
* ``warm``: with a per-run cache folder (``out/cache-<N>x<years>``, wiped at
  the start of each size), one new subprocess loads with
  ``load_dataset(path, cache=DIR)`` (cold + cache write), then new
  subprocesses load again from the cache (warm) and time
  ``panel.all_metrics`` after it: the analyst re-opening unchanged data
  (:data:`REPEATS` of them up to 1,000 × 10, the median shown).

Run: ``python -m benchmarks --only library`` (or this module directly).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import OUT, ensure_panel, loglog_slope, write_result

__all__ = ["KEY_TOTALS", "SCALAR_METRICS", "cache_child", "child", "run"]

#: (table, item) totals whose year-on-year change is computed for the panel.
KEY_TOTALS = (
    ("T01", "income_grand_total"),
    ("T01", "income_total"),
    ("T01", "expense_total"),
    ("T03", "total"),
    ("T03", "basic"),
    ("T03", "project"),
    ("T05", "total"),
    ("T05", "budget_initial"),
    ("T06", "personnel_total"),
    ("T06", "public_total"),
    ("T07", "total_actual"),
    ("ops_cost", "actual"),
    ("procurement", "total"),
)
#: (module, function) of the scalar per-entity-year metrics.
SCALAR_METRICS = (
    ("fiscal_analysis.metrics.structure", "income_structure"),
    ("fiscal_analysis.metrics.structure", "expense_structure"),
    ("fiscal_analysis.metrics.structure", "function_structure"),
    ("fiscal_analysis.metrics.structure", "basic_structure"),
    ("fiscal_analysis.metrics.structure", "economic_structure"),
    ("fiscal_analysis.metrics.entity", "total_completion"),
    ("fiscal_analysis.metrics.entity", "budget_completion"),
    ("fiscal_analysis.metrics.entity", "three_public"),
    ("fiscal_analysis.metrics.entity", "ops_cost"),
    ("fiscal_analysis.metrics.entity", "procurement"),
)
SIZES = (100, 1000, 5000)
#: New processes per measurement up to :data:`REPEAT_MAX_ENTITIES` entities (median shown).
REPEATS = 3
REPEAT_MAX_ENTITIES = 1000
#: The figures a repeated run contributes (the rest come from its first run).
_REPEATED = ("load_s", "load_cpu_s", "panel_all_s", "panel_all_cpu_s", "library_total_s")
QUICK_SIZES = (20, 100)
YEARS = 10


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: Path, sample: int, budget_s: float = 120.0) -> dict:
    """Measure one dataset in this process; returns seconds and peak RSS.

    The per-pair sample stops early (after at least one pair) once it has
    taken ``budget_s`` seconds.
    """
    import importlib

    from fiscal_analysis import load_dataset
    from fiscal_analysis.metrics.panel import totals_panel, yoy_change
    from fiscal_analysis.metrics.pefa import outturn_table

    fns = []
    missing = []
    for mod, name in SCALAR_METRICS:
        try:
            fns.append((name, getattr(importlib.import_module(mod), name)))
        except (ImportError, AttributeError):
            missing.append(f"{mod}.{name}")
    out: dict = {"rss_after_import_mb": round(_maxrss_mb(), 1), "missing_functions": missing}
    # The library's default: no validated cache, so always a cold load (the cache write a
    # first ``cache=`` load adds is measured by ``_warm``).
    t, c = time.perf_counter(), time.process_time()
    ds = load_dataset(path)
    out["load_s"] = time.perf_counter() - t
    out["load_cpu_s"] = time.process_time() - c
    out["rss_after_load_mb"] = round(_maxrss_mb(), 1)
    out["facts_rows"] = len(ds.facts)
    # Whole-panel metrics (fiscal_analysis.metrics.panel): the "all metrics" of the target,
    # first after the load (the panel view it builds is then shared by yoy and PEFA below).
    try:
        from fiscal_analysis.metrics.panel import all_metrics
    except ImportError:
        all_metrics = None
    out["panel_functions"] = ["fiscal_analysis.metrics.panel.all_metrics"] if all_metrics else []
    t, c = time.perf_counter(), time.process_time()
    if all_metrics is not None:
        all_metrics(ds)
    out["panel_all_s"] = time.perf_counter() - t if all_metrics else None
    out["panel_all_cpu_s"] = time.process_time() - c if all_metrics else None
    out["library_total_s"] = out["load_s"] + out["panel_all_s"] if all_metrics else None
    t, c = time.perf_counter(), time.process_time()
    yoy_change(totals_panel(ds, {f"{table}.{item}": (table, item) for table, item in KEY_TOTALS}))
    out["yoy_s"] = time.perf_counter() - t
    out["yoy_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    pefa = outturn_table(ds)
    out["pefa_s"] = time.perf_counter() - t
    out["pefa_cpu_s"] = time.process_time() - c
    out["pefa_rows"] = len(pefa)
    out["rss_after_panel_mb"] = round(_maxrss_mb(), 1)
    t = time.perf_counter()
    pairs = ds.pairs()
    out["pairs_s"] = time.perf_counter() - t
    out["pairs"] = len(pairs)
    step = max(1, len(pairs) // max(sample, 1))
    chosen = pairs[::step][:sample]
    per_fn = {name: 0.0 for name, _ in fns}
    n = 0
    started, c = time.perf_counter(), time.process_time()
    for ent, year in chosen:
        for name, fn in fns:
            t = time.perf_counter()
            fn(ds.entity_year(ent, year))
            per_fn[name] += time.perf_counter() - t
        n += 1
        if time.perf_counter() - started > budget_s:
            break
    out["sample_pairs"] = n
    out["per_pair_s"] = sum(per_fn.values()) / n if n else None
    out["per_pair_cpu_s"] = (time.process_time() - c) / n if n else None
    out["per_pair_by_function_s"] = {k: v / n for k, v in per_fn.items()} if n else {}
    out["per_pair_extrapolated_s"] = out["per_pair_s"] * len(pairs) if n else None
    out["panel_total_s"] = out["load_s"] + out["yoy_s"] + out["pefa_s"]
    out["panel_total_cpu_s"] = out["load_cpu_s"] + out["yoy_cpu_s"] + out["pefa_cpu_s"]
    out["all_extrapolated_s"] = (
        out["panel_total_s"] + out["pairs_s"] + out["per_pair_extrapolated_s"] if n else None
    )
    out["peak_rss_mb"] = round(_maxrss_mb(), 1)
    return out


def cache_child(path: Path, cache: Path, metrics: bool) -> dict:
    """Load with ``cache=cache`` in this process; with ``metrics``, time all_metrics after."""
    from fiscal_analysis import load_dataset

    out: dict = {"rss_after_import_mb": round(_maxrss_mb(), 1)}
    t, c = time.perf_counter(), time.process_time()
    ds = load_dataset(path, cache=cache)
    out["load_s"] = time.perf_counter() - t
    out["load_cpu_s"] = time.process_time() - c
    out["rss_after_load_mb"] = round(_maxrss_mb(), 1)
    out["facts_rows"] = len(ds.facts)
    if metrics:
        from fiscal_analysis.metrics.panel import all_metrics

        t, c = time.perf_counter(), time.process_time()
        all_metrics(ds)
        out["panel_all_s"] = time.perf_counter() - t
        out["panel_all_cpu_s"] = time.process_time() - c
        out["library_total_s"] = out["load_s"] + out["panel_all_s"]
    out["peak_rss_mb"] = round(_maxrss_mb(), 1)
    return out


def _run_child(
    path: Path,
    sample: int,
    timeout: float,
    profile: bool,
    cache: Path | None = None,
    metrics: bool = False,
) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.bench_library",
        "--child",
        str(path),
        "--sample",
        str(sample),
    ]
    if profile:
        cmd.append("--profile")
    if cache is not None:
        cmd += ["--cache", str(cache)] + (["--metrics"] if metrics else [])
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        tail = (p.stderr or p.stdout).strip().splitlines()[-5:]
        return {"error": f"exit {p.returncode}: " + " | ".join(tail)}
    rec = json.loads(lines[-1])
    rec["process_wall_s"] = wall
    return rec


def _median_run(runs: list[dict]) -> dict:
    """The run with the median load + all metrics (the lower middle of an even count)."""
    ranked = sorted(runs, key=lambda r: r.get("library_total_s") or r["load_s"])
    return ranked[(len(ranked) - 1) // 2]


def _summary(runs: list[dict]) -> list[dict]:
    return [{k: r[k] for k in _REPEATED if k in r} for r in runs]


def _warm(root: Path, n: int, timeout: float) -> dict:
    """Cold + cache write in one new subprocess, then warm load + all_metrics in others."""
    cache = OUT / f"cache-{n}x{YEARS}"
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    write = _run_child(root, 0, timeout, profile=False, cache=cache)
    if "error" in write:
        return {"error": f"cache write: {write['error']}"}
    runs = []
    for _ in range(REPEATS if n <= REPEAT_MAX_ENTITIES else 1):
        run = _run_child(root, 0, timeout, profile=False, cache=cache, metrics=True)
        if "error" in run:
            return {"error": f"warm: {run['error']}", "write": write}
        runs.append(run)
    warm = dict(_median_run(runs))
    warm["runs"] = _summary(runs)
    warm["write"] = write
    warm["cache_dir"] = str(cache.relative_to(OUT.parent.parent))
    return warm


def run(
    quick: bool = False,
    sizes: tuple[int, ...] | None = None,
    sample: int = 20,
    timeout: float = 3600,
) -> dict:
    """Measure every size; write ``out/library.json``; return the record."""
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    results = []
    last_pair = 0.0
    for n in sizes:
        root, gen = ensure_panel(n, YEARS)
        print(f"[library] {n} × {YEARS}: {gen['facts_rows']:,} facts rows; measuring …", flush=True)
        # One entity-year of the scalar metrics costs O(dataset) today; when it already took
        # over a minute at the previous size, skip it here rather than wait half an hour.
        skip = last_pair > 60
        rec = _run_child(root, 0 if skip else sample, timeout, profile=False)
        if "error" not in rec and n <= REPEAT_MAX_ENTITIES:
            runs = [rec]
            for _ in range(REPEATS - 1):
                more = _run_child(root, 0, timeout, profile=False)
                if "error" in more:
                    break
                runs.append(more)
            middle = _median_run(runs)
            rec["runs"] = _summary(runs)  # (before the first run takes the median's figures)
            rec.update({k: middle[k] for k in _REPEATED if k in middle})
            rec["panel_total_s"] = rec["load_s"] + rec["yoy_s"] + rec["pefa_s"]
            rec["panel_total_cpu_s"] = rec["load_cpu_s"] + rec["yoy_cpu_s"] + rec["pefa_cpu_s"]
            if rec.get("per_pair_extrapolated_s") is not None:
                rec["all_extrapolated_s"] = (
                    rec["panel_total_s"] + rec["pairs_s"] + rec["per_pair_extrapolated_s"]
                )
        if skip:
            rec["per_pair_skipped"] = f"previous size took {last_pair:.0f} s per entity-year"
        last_pair = rec.get("per_pair_s") or last_pair
        rec.update({"entities": n, "years": YEARS, "generate": gen})
        if "error" not in rec:
            rec["warm"] = _warm(root, n, timeout)
        results.append(rec)
        if "error" in rec:
            print(f"[library]   failed: {rec['error']}", flush=True)
        else:
            msg = f"load {rec['load_s']:.2f} s (cpu {rec['load_cpu_s']:.2f})"
            msg += f", yoy {rec['yoy_s']:.2f} s"
            per = rec["per_pair_s"]
            msg += f", pefa {rec['pefa_s']:.2f} s, per pair "
            msg += "skipped" if per is None else f"{per * 1000:.1f} ms"
            if rec.get("panel_all_s") is not None:
                msg += f", panel.all_metrics {rec['panel_all_s']:.2f} s"
            print(f"[library]   {msg}, peak {rec['peak_rss_mb']:.0f} MB", flush=True)
            w = rec["warm"]
            if "error" in w:
                print(f"[library]   warm failed: {w['error']}", flush=True)
            else:
                print(
                    f"[library]   cold + cache write {w['write']['load_s']:.2f} s, warm load "
                    f"{w['load_s']:.3f} s + all_metrics {w['panel_all_s']:.2f} s, "
                    f"peak {w['peak_rss_mb']:.0f} MB",
                    flush=True,
                )
    ok = [r for r in results if "error" not in r]
    slopes = {
        key: loglog_slope(*zip(*[(r["facts_rows"], r[key]) for r in ok if r.get(key)], strict=True))
        if any(r.get(key) for r in ok)
        else None
        for key in (
            "load_s",
            "yoy_s",
            "pefa_s",
            "panel_total_s",
            "per_pair_s",
            "library_total_s",
            "all_extrapolated_s",
            "peak_rss_mb",
        )
    }
    warm_ok = [r for r in ok if "error" not in r.get("warm", {"error": 1})]
    for key in ("load_s", "library_total_s"):
        pts = [(r["facts_rows"], r["warm"][key]) for r in warm_ok if r["warm"].get(key)]
        slopes[f"warm_{key}"] = loglog_slope(*zip(*pts, strict=True)) if len(pts) > 1 else None
    data = {"quick": quick, "sizes": results, "loglog_slope_vs_rows": slopes}
    write_result("library" + ("-quick" if quick else ""), data)
    return data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_library")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--sample", type=int, default=20)
    p.add_argument("--profile", action="store_true", help="profile the child with pyinstrument")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--metrics", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")))
    a = p.parse_args(argv)
    if a.child and a.cache:
        print(json.dumps(cache_child(a.child, a.cache, a.metrics)))
        return 0
    if a.child:
        if a.profile:
            from pyinstrument import Profiler

            prof = Profiler(interval=0.005)
            prof.start()
            rec = child(a.child, a.sample)
            prof.stop()
            out = Path(__file__).parent / "out" / f"profile-library-{a.child.name}.txt"
            out.write_text(
                prof.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
            )
            rec["profile"] = str(out)
        else:
            rec = child(a.child, a.sample)
        print(json.dumps(rec))
        return 0
    run(quick=a.quick, sizes=a.sizes, sample=a.sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
