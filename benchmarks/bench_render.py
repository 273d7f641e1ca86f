"""Render benchmark: K reports the naive way, with ``fiscal-analysis render``, and the floor.

Same notebook (``notebooks/annual_report.ipynb``), same data (a synthetic
panel of K/2 entities × 2 years, one folder per entity-year) and same machine,
in one run:

1. **naive**: per report, one ``papermill`` CLI call then one
   ``jupyter nbconvert --to html --no-input``, one report after another.
2. **render**: ``fiscal-analysis render --jobs J`` as a subprocess (fresh
   output folder).
3. **unchanged**: the same command again with nothing changed (every report
   should be skipped).
4. **one file changed**: one entity's ``reasons.csv`` of one year edited; only
   that entity's reports (both years, as the trend reads both) should render.
5. **floor**: the notebook's code cells executed for each report in one plain
   Python process without a kernel (the same builder calls: ``open_report``,
   the section builders, charts to PNG, HTML strings), via ``exec`` of the cell
   sources so the floor stays in step with the notebook.
6. **dask_local** (run right after *render*, so the two share the machine's
   state): ``fiscal-analysis render --scheduler local:J`` into a fresh output
   folder; ``derived.dask_local_vs_render`` is its wall time over *render*'s.
   With ``--scheduler ADDRESS`` a running cluster is measured the same way
   (**dask_scheduler**, ``derived.dask_scheduler_vs_render``); its CPU seconds
   are the client's only, as that cluster's workers are not descendants.

*render* and *floor* are measured in :data:`ROUNDS` rounds, the later ones
alternating (render into a fresh folder, then the floor): this machine's speed
drifts by a fifth within minutes, so the figures derived from them are
medians, and the CPU ratio is the median of each round's render over its floor
(every round is kept in ``rounds``).

CPU seconds are taken from ``getrusage(RUSAGE_CHILDREN)`` around each
subprocess, so they include kernels and every other descendant. The machine
is shared, so wall-clock figures are upper bounds; CPU seconds are the
steadier measure of cost.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import OUT, REPO, ensure_panel, write_result

__all__ = ["floor", "run"]

NOTEBOOK = REPO / "notebooks" / "annual_report.ipynb"
#: Rounds of render and floor (the median of each is used).
ROUNDS = 3
YEARS = 2
FIRST_YEAR = 2015
#: Committed code the benchmark runs (see :func:`snapshot`); set by :func:`run`.
_ENV: dict[str, str] = {}


def snapshot(dest: Path, ref: str = "HEAD") -> tuple[Path, str]:
    """Export ``src/`` and ``notebooks/`` of a commit to ``dest``; return (src dir, commit).

    Other people edit the working tree while benchmarks run; the package's code
    digest (part of every report's fingerprint) would then change between two
    runs and defeat the skip. Running a snapshot of the commit keeps the code
    fixed and says exactly which code was measured.
    """
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "src", "notebooks"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src", commit


def _tool(name: str) -> str:
    """The console script ``name`` of the running interpreter's environment (PATH may lack it)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else name


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(cmd: list[str], cwd: Path | None = None) -> dict:
    """Run ``cmd``; wall and CPU seconds (including descendants), exit code, output tail."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore", **_ENV}
    c0, t0 = _children_cpu(), time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    return {"wall_s": wall, "cpu_s": cpu, "rc": p.returncode, "out": p.stdout, "err": p.stderr}


def _pairs(n_entities: int) -> list[tuple[str, int]]:
    from fiscal_analysis.testing.synth_rows import entity_id

    years = range(FIRST_YEAR, FIRST_YEAR + YEARS)
    return [(entity_id(i), y) for i in range(n_entities) for y in years]


def naive(data: Path, out: Path, pairs: list[tuple[str, int]], notebook: Path) -> dict:
    """papermill CLI + nbconvert CLI per report, sequentially."""
    out.mkdir(parents=True, exist_ok=True)
    wall = cpu = 0.0
    failed = []
    for ent, year in pairs:
        nb = out / f"{ent}-{year}.ipynb"
        params = ["-p", "entity", ent, "-p", "year", str(year), "-p", "data", str(data)]
        cmds = [
            [_tool("papermill"), str(notebook), str(nb), *params, "--cwd", str(notebook.parent)],
            [_tool("jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
        ]
        for cmd in cmds:
            r = _timed(cmd)
            wall += r["wall_s"]
            cpu += r["cpu_s"]
            if r["rc"] != 0:
                failed.append(f"{ent} {year} {cmd[0]}: {r['err'].strip().splitlines()[-1:]}")
                break
    n = len(pairs)
    html = len(list(out.glob("*.html")))
    return {"wall_s": wall, "cpu_s": cpu, "per_report_s": wall / n, "html": html, "failed": failed}


def _render(data: Path, out: Path, jobs: int, notebook: Path, scheduler: str | None = None) -> dict:
    cmd = [_tool("fiscal-analysis"), "render", "--data", str(data), "--out", str(out)]
    cmd += ["--notebook", str(notebook)]
    cmd += ["--scheduler", scheduler] if scheduler else ["--jobs", str(jobs)]
    r = _timed(cmd, cwd=REPO)
    m = re.search(r"生成 (\d+) 份，跳过 (\d+) 份，失败 (\d+) 份", r["out"])
    counts = (
        dict(zip(("rendered", "skipped", "failed"), map(int, m.groups()), strict=True)) if m else {}
    )
    tail = (r["err"] or r["out"]).strip().splitlines()[-3:] if r["rc"] else []
    return {"wall_s": r["wall_s"], "cpu_s": r["cpu_s"], "rc": r["rc"], **counts, "tail": tail}


def floor(data: Path, pairs: list[tuple[str, int]], notebook: Path = NOTEBOOK) -> dict:
    """Run the notebook's code cells per report in this process (no kernel).

    Returns seconds (wall and CPU), the HTML length produced, and the seconds
    spent importing the libraries once.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    cells = [
        c
        for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code"
    ]
    compiled = []
    for c in cells:
        if "parameters" in c.get("metadata", {}).get("tags", []):
            continue
        tree = ast.parse("".join(c["source"]))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = compile(tree, "<cell>", "exec")
        expr = compile(ast.Expression(last.value), "<cell>", "eval") if last else None
        compiled.append((body, expr))
    t0, c0 = time.perf_counter(), time.process_time()
    import matplotlib

    matplotlib.use("Agg")
    import fiscal_analysis.report.blocks  # noqa: F401  (import cost measured separately)

    import_s = time.perf_counter() - t0
    sizes = []
    t0, c0 = time.perf_counter(), time.process_time()
    for ent, year in pairs:
        ns: dict = {"entity": ent, "year": year, "data": str(data), "decimals": 1}
        parts = []
        for body, expr in compiled:
            exec(body, ns)
            if expr is not None:
                value = eval(expr, ns)
                rep = getattr(value, "_repr_html_", None)
                if rep is not None:
                    html = rep()  # (html, metadata) when the output carries metadata
                    parts.append(html[0] if isinstance(html, tuple) else html)
                elif getattr(value, "data", None):
                    parts.append(str(value.data))
        import matplotlib.pyplot as plt

        plt.close("all")
        sizes.append(len("".join(parts)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = len(pairs)
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "per_report_s": wall / n,
        "per_report_cpu_s": cpu / n,
        "import_s": import_s,
        "html_chars_min": min(sizes),
    }


def dask_phases(
    res: dict, data: Path, work: Path, jobs: int, notebook: Path, scheduler: str | None = None
) -> None:
    """The Dask phases: ``render --scheduler local:J`` (and ``ADDRESS`` if given) vs *render*.

    Each renders every report into a fresh output folder; the ratios are wall
    times over the *render* phase's (``--jobs J``) of the same run.
    """
    phases = [("dask_local", f"local:{jobs}")] + (
        [("dask_scheduler", scheduler)] if scheduler else []
    )
    for phase, address in phases:
        print(f"[render] {res['reports']} reports: render --scheduler {address} …", flush=True)
        out = work / phase
        shutil.rmtree(out, ignore_errors=True)
        res[phase] = {**_render(data, out, jobs, notebook, scheduler=address), "scheduler": address}
        r = res[phase]
        print(f"[render]   {r['wall_s']:.1f} s, rc {r['rc']}", flush=True)
        if r["wall_s"] and res["render"]["wall_s"]:
            res.setdefault("dask", {})[f"{phase}_vs_render"] = r["wall_s"] / res["render"]["wall_s"]


def run(
    quick: bool = False, reports: int | None = None, jobs: int = 2, scheduler: str | None = None
) -> dict:
    """Measure K reports every way; write ``out/render.json``."""
    k = reports or (4 if quick else 20)
    n_entities = max(1, k // YEARS)
    src, gen = ensure_panel(n_entities, YEARS, layout="entity-year")
    work = OUT / "render-work"
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    shutil.copytree(src, data, ignore=shutil.ignore_patterns("synth.json"))
    _settle(data)
    pairs = _pairs(n_entities)
    k = len(pairs)
    src_dir, commit = snapshot(work / "code")
    _ENV["PYTHONPATH"] = os.pathsep.join([str(src_dir), str(REPO)])
    nb = work / "code" / NOTEBOOK.relative_to(REPO)
    if not nb.is_file():
        raise SystemExit(f"{nb} not found; the render benchmark needs the report notebook")
    res: dict = {"reports": k, "jobs": jobs, "entities": n_entities, "years": YEARS}
    res.update({"notebook": str(NOTEBOOK.relative_to(REPO)), "code_commit": commit})

    print("[render] this machine's caches: matplotlib's font list and the web-font base …")
    res["machine_caches"] = _machine_caches()
    print(f"[render]   {res['machine_caches']['cpu_s']:.1f} CPU-s", flush=True)
    print(f"[render] {k} reports: render --jobs {jobs} …", flush=True)
    res["render"] = _render(data, work / "render", jobs, nb)
    print(f"[render]   {res['render']['wall_s']:.1f} s, rc {res['render']['rc']}", flush=True)
    dask_phases(res, data, work, jobs, nb, scheduler)
    print("[render] re-render, nothing changed …", flush=True)
    res["unchanged"] = _render(data, work / "render", jobs, nb)
    print(f"[render]   {res['unchanged']['wall_s']:.2f} s", flush=True)
    target = data / pairs[0][0] / str(pairs[0][1]) / "reasons.csv"
    target.write_text(
        target.read_text(encoding="utf-8").replace("合成业务量变化", "合成业务量调整"),
        encoding="utf-8",
    )
    print(f"[render] re-render after editing {target.relative_to(work)} …", flush=True)
    res["one_changed"] = _render(data, work / "render", jobs, nb)
    res["one_changed"]["changed_file"] = str(target.relative_to(work))
    one = res["one_changed"]
    print(f"[render]   {one['wall_s']:.2f} s, rendered {one.get('rendered')}", flush=True)
    print(f"[render] floor: {k} reports in one process, no kernel …", flush=True)
    res["floor"] = _floor_subprocess(data, k, nb)
    print(f"[render]   {res['floor'].get('wall_s', 0):.1f} s", flush=True)
    rounds = [(res["render"], res["floor"])]
    for i in range(2, ROUNDS + 1):
        print(f"[render] round {i} of {ROUNDS}: render --jobs {jobs}, then the floor …", flush=True)
        again = _render(data, work / f"render-{i}", jobs, nb)
        rounds.append((again, _floor_subprocess(data, k, nb)))
        shown = f"{again['wall_s']:.1f} s, {rounds[-1][1].get('wall_s', 0):.1f} s"
        print(f"[render]   {shown}", flush=True)
    res["rounds"] = [
        {"render_wall_s": r["wall_s"], "render_cpu_s": r["cpu_s"], "render_rc": r["rc"],
         "floor_wall_s": f.get("wall_s"), "floor_cpu_s": f.get("cpu_s")}
        for r, f in rounds
    ]  # fmt: skip
    print(f"[render] naive: papermill + nbconvert CLI per report, {k} reports …", flush=True)
    res["naive"] = naive(data, work / "naive", pairs, nb)
    print(f"[render]   {res['naive']['wall_s']:.1f} s", flush=True)

    nv, un = res["naive"], res["unchanged"]
    fixed = un["wall_s"]  # start-up + load + plan: paid once per batch
    ok = [x for x in res["rounds"] if x["render_rc"] == 0 and x["floor_cpu_s"]]
    if not ok:
        write_result("render" + ("-quick" if quick else ""), res)
        raise SystemExit("[render] no round has both a finished render and a floor: see rounds")
    wall = statistics.median(x["render_wall_s"] for x in ok)
    cpu = statistics.median(x["render_cpu_s"] for x in ok)
    floor_wall = statistics.median(x["floor_wall_s"] for x in ok) / k
    floor_cpu = statistics.median(x["floor_cpu_s"] for x in ok) / k
    res["derived"] = {
        "rounds_used": len(ok),
        "render_wall_s": wall,
        "render_cpu_s": cpu,
        "render_per_report_s": wall / k,
        "naive_per_report_s": nv["wall_s"] / k,
        "throughput_ratio": nv["wall_s"] / wall,
        "render_cpu_per_report_s": cpu / k,
        "naive_cpu_per_report_s": nv["cpu_s"] / k,
        "render_marginal_per_report_s": (wall - fixed) / k,
        "floor_per_report_s": floor_wall,
        "floor_cpu_per_report_s": floor_cpu,
        "marginal_wall_vs_floor": ((wall - fixed) / k) / floor_wall,
        "marginal_core_s_vs_floor_cpu": ((wall - fixed) * jobs / k) / floor_cpu,
        # each round's render over its own floor, then the median: drift cancels in a pair
        "cpu_vs_floor_cpu": statistics.median(x["render_cpu_s"] / x["floor_cpu_s"] for x in ok),
    }
    res["derived"].update(res.pop("dask", {}))
    res["data_generation"] = gen
    write_result("render" + ("-quick" if quick else ""), res)
    return res


def _settle(data: Path) -> None:
    """Wait until every data file is older than the batch stamp's settling time.

    ``render`` does not stamp a batch whose data files changed in the last
    couple of seconds (fiscal_analysis.render.batchstamp); freshly generated data
    would otherwise make the "nothing changed" re-run plan in full.
    """
    from fiscal_analysis.files import SETTLE_SECONDS

    newest = max((p.stat().st_mtime for p in data.rglob("*") if p.is_file()), default=0.0)
    time.sleep(max(0.0, newest + SETTLE_SECONDS + 0.1 - time.time()))


def _machine_caches() -> dict:
    """Make (or read) what a first render on a machine makes once and keeps in the user
    cache: matplotlib's font list and the web-font base
    (:func:`fiscal_analysis.charts.webfont.prepare`, about 6 CPU-s to make). Made before
    round 1, so every round measures the same work; the seconds are recorded and shown
    beside the rounds."""
    code = "import matplotlib.font_manager\nfrom fiscal_analysis.charts.webfont import prepare\n"
    r = _timed([sys.executable, "-c", code + "prepare()"], cwd=REPO)
    return {"wall_s": r["wall_s"], "cpu_s": r["cpu_s"], "rc": r["rc"]}


def _floor_subprocess(data: Path, k: int, notebook: Path) -> dict:
    """Run :func:`floor` in a fresh interpreter so its imports are not already warm."""
    cmd = [sys.executable, "-m", "benchmarks.bench_render", "--floor-child", str(data)]
    cmd += ["--reports", str(k), "--notebook", str(notebook)]
    r = _timed(cmd, cwd=REPO)
    lines = [ln for ln in r["out"].splitlines() if ln.startswith("{")]
    if r["rc"] or not lines:
        return {"error": (r["err"] or r["out"]).strip().splitlines()[-3:]}
    rec = json.loads(lines[-1])
    rec["process_wall_s"] = r["wall_s"]
    return rec


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_render")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--reports", type=int, default=None)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="also measure render --scheduler ADDRESS (a running Dask scheduler)",
    )
    p.add_argument("--floor-child", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--notebook", type=Path, default=NOTEBOOK, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.floor_child:
        pairs = _pairs(max(1, (a.reports or 20) // YEARS))
        print(json.dumps(floor(a.floor_child, pairs, a.notebook)))
        return 0
    run(quick=a.quick, reports=a.reports, jobs=a.jobs, scheduler=a.scheduler)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
