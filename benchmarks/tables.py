"""Markdown tables for BENCHMARKS.md from ``benchmarks/out/*.json``.

The tables live between ``<!-- results:NAME -->`` and ``<!-- /results:NAME -->``
markers; :func:`update` replaces what is between them and leaves the prose
alone.

Examples:
    >>> replace_block("a\\n<!-- results:x -->\\nold\\n<!-- /results:x -->\\nb", "x", "new")
    'a\\n<!-- results:x -->\\nnew\\n<!-- /results:x -->\\nb'
"""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.common import REPO, fmt_s, read_result

__all__ = ["replace_block", "update"]

DOC = REPO / "BENCHMARKS.md"


def replace_block(text: str, name: str, body: str) -> str:
    """Replace the text between the markers of ``name`` (append the block if absent)."""
    start, end = f"<!-- results:{name} -->", f"<!-- /results:{name} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    block = f"{start}\n{body}\n{end}"
    if pattern.search(text):
        return pattern.sub(lambda _m: block, text)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def _row(cells: list[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(head: list[str], rows: list[list[object]]) -> str:
    out = [_row(head), _row(["---"] * len(head))]
    out += [_row(r) for r in rows]
    return "\n".join(out)


def _ms(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:,.0f}" if x >= 1 else f"{x * 1000:.3g}"


def _dirty(m: dict) -> str:
    files = m.get("uncommitted_src")
    if not files:
        return ""
    return f" plus uncommitted changes in the working tree: {', '.join(files)}"


def machine_table(rec: dict | None) -> str:
    if not rec:
        return "_no results yet_"
    m = rec["machine"]
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    rows = [
        ["CPU", f"{m['cpu']} × {m['cores']} cores"],
        ["Memory", f"{m['memory_gb']} GB"],
        ["OS", m["os"]],
        ["Python", m["python"]],
        ["Packages", pk],
        ["Code measured", f"commit {m['commit']}" + _dirty(m)],
        ["Run at", f"{m['date']}; load average (1/5/15 min) {m.get('loadavg_1_5_15')}"],
    ]
    return _table(["", ""], rows)


def _measured(rec: dict) -> str:
    m = rec["machine"]
    return f"Code measured: commit {m['commit']}{_dirty(m)}; run at {m['date']}."


def _warm_cells(r: dict) -> list[str]:
    w = r.get("warm")
    if not w:
        return ["—"] * 4
    if "error" in w:
        return [w["error"], "—", "—", "—"]
    return [
        fmt_s(w["write"]["load_s"]),
        f"{fmt_s(w['load_s'])} ({fmt_s(w.get('load_cpu_s'))})",
        f"{fmt_s(w['panel_all_s'])} → **{fmt_s(w['library_total_s'])}**",
        f"{w['peak_rss_mb']:,.0f}",
    ]


def _runs(rec: dict) -> str:
    """Every repeated run's load + all metrics, per size, cold and warm."""
    parts = []
    for r in rec["sizes"]:
        for label, runs in (("cold", r.get("runs")), ("warm", (r.get("warm") or {}).get("runs"))):
            if runs:
                shown = ", ".join(fmt_s(x.get("library_total_s")) for x in runs)
                parts.append(f"{r['entities']:,} × {r['years']} {label} {shown} s")
    return "; ".join(parts) + "." if parts else "(one run each)."


def _median_of(r: dict) -> str:
    """How many new processes a library figure is the median of."""
    n = len(r.get("runs") or ())
    return f"median of {n} new processes" if n > 1 else "one new process"


def library_table(rec: dict | None) -> str:
    if not rec:
        return "_no results yet_"
    rows = []
    for r in rec["sizes"]:
        if "error" in r:
            rows.append([f"{r['entities']} × {r['years']}", "—", r["error"], *["—"] * 11])
            continue
        gen = r.get("generate", {})
        rows.append(
            [
                f"{r['entities']:,} × {r['years']}",
                f"{r['facts_rows']:,}",
                fmt_s(gen.get("seconds")),
                f"{fmt_s(r['load_s'])} ({fmt_s(r.get('load_cpu_s'))})",
                fmt_s(r["yoy_s"]),
                fmt_s(r["pefa_s"]),
                f"{fmt_s(r['panel_total_s'])} ({fmt_s(r.get('panel_total_cpu_s'))})",
                f"{fmt_s(r.get('panel_all_s'))} → **{fmt_s(r.get('library_total_s'))}**",
                f"{_ms(r['per_pair_s'])} (n={r['sample_pairs']})"
                if r["per_pair_s"] is not None
                else f"skipped: {r.get('per_pair_skipped')}",
                fmt_s(r["all_extrapolated_s"]),
                f"{r['peak_rss_mb']:,.0f}",
                *_warm_cells(r),
            ]
        )
    head = [
        "entities × years",
        "facts rows",
        "generate s",
        "load+validate s (CPU s)",
        "yoy s",
        "PEFA s",
        "load + yoy_change + outturn_table s (CPU s)",
        "panel.all_metrics s → load + all s",
        "per entity-year metrics ms (sample)",
        "scalar metrics for all entity-years, extrapolated s",
        "peak RSS MB (cold process)",
        "cold load + cache write s",
        "warm load s (CPU s)",
        "warm: all_metrics s → warm load + all s",
        "peak RSS MB (warm process)",
    ]
    slopes = rec.get("loglog_slope_vs_rows", {})
    shown = ", ".join(f"{k} {v:.2f}" for k, v in slopes.items() if v is not None)
    notes = [
        f"Log-log slope against facts rows (1.0 = linear): {shown}.",
        "Cold = `load_dataset(path)` (the default: no validated cache) in a new process, then "
        "`panel.all_metrics`, the columns up to peak RSS (cold process); warm = a new process "
        "calling `load_dataset(path, cache=DIR)` after another new process wrote that per-run "
        "cache (`benchmarks/out/cache-<N>x10`, wiped first; its time is the column *cold load "
        "+ cache write*), then `panel.all_metrics` on the warm dataset. Up to 1,000 × 10, cold "
        "and warm are each measured in 3 new processes one after another and the run with the "
        "median load + all metrics is shown: " + _runs(rec),
        _measured(rec),
    ]
    return _table(head, rows) + "\n\n" + "\n\n".join(notes)


def _counts(x: dict) -> str:
    return f"rendered {x.get('rendered')}, skipped {x.get('skipped')}, failed {x.get('failed')}"


def render_table(rec: dict | None) -> str:
    if not rec:
        return "_no results yet_"
    d, k, jobs = rec["derived"], rec["reports"], rec["jobs"]
    r, nv, un, one = rec["render"], rec["naive"], rec["unchanged"], rec["one_changed"]
    fl = rec["floor"]

    naive_label = "naive: papermill CLI + nbconvert CLI per report, sequential"
    n = d.get("rounds_used", 1)
    median = f" (median of {n} rounds)" if n > 1 else ""
    floor_wall = d["floor_per_report_s"] * k if d.get("floor_per_report_s") else fl.get("wall_s")
    floor_cpu = d["floor_cpu_per_report_s"] * k if d.get("floor_cpu_per_report_s") else None
    median_run = _render_run(rec)
    rows = [
        [naive_label, fmt_s(nv["wall_s"]), fmt_s(d["naive_per_report_s"]), fmt_s(nv["cpu_s"]),
         f"{nv['html']} HTML"],
        [f"`fiscal-analysis render --jobs {jobs}`{median}", fmt_s(median_run["wall_s"]),
         fmt_s(d["render_per_report_s"]), fmt_s(median_run["cpu_s"]), _counts(r)],
        ["re-render, nothing changed", fmt_s(un["wall_s"]), "—", fmt_s(un["cpu_s"]), _counts(un)],
        [f"re-render after editing `{one.get('changed_file')}`", fmt_s(one["wall_s"]), "—",
         fmt_s(one["cpu_s"]), _counts(one)],
        *_dask_rows(rec),
        [f"floor: notebook cells in one process, no kernel{median}", fmt_s(floor_wall),
         fmt_s(d.get("floor_per_report_s")), fmt_s(floor_cpu if floor_cpu else fl.get("cpu_s")),
         f"imports {fmt_s(fl.get('import_s'))} s once"],
    ]  # fmt: skip
    head = [f"{k} reports ({rec['entities']} entities × {rec['years']} years)", "wall s"]
    head += ["wall s / report", "CPU s (incl. kernels)", "result"]
    marginal = d["render_marginal_per_report_s"]
    lines = [
        _table(head, rows),
        "",
        f"- Throughput, render vs naive: **{d['throughput_ratio']:.2f}×** (wall); CPU per "
        f"report {d['render_cpu_per_report_s']:.2f} s (render) vs "
        f"{d['naive_cpu_per_report_s']:.2f} s (naive).",
        f"- Marginal wall per report, (render − unchanged re-run) / {k}: {marginal:.2f} s on "
        f"{jobs} "
        f"workers = **{d['marginal_wall_vs_floor']:.2f}×** the floor's "
        f"{d['floor_per_report_s']:.2f} s per report (one process); in core-seconds "
        f"{d['marginal_core_s_vs_floor_cpu']:.2f}× the floor's CPU per report; total CPU per "
        f"report {d['cpu_vs_floor_cpu']:.2f}× the floor's"
        + (" (the median of the rounds' own ratios)." if n > 1 else "."),
        *_round_lines(rec),
        *_dask_lines(rec),
        f"- Notebook `{rec['notebook']}`, code commit {rec.get('code_commit')}.",
    ]
    return "\n".join(lines)


def _render_run(rec: dict) -> dict:
    """``render --jobs``'s wall and CPU seconds: the median of the rounds when there were
    rounds, else the one run."""
    d = rec["derived"]
    if "render_wall_s" in d:
        return {"wall_s": d["render_wall_s"], "cpu_s": d["render_cpu_s"]}
    return rec["render"]


def _round_lines(rec: dict) -> list[str]:
    """Each round's render and floor, in the order they ran."""
    rounds = rec.get("rounds") or []
    if len(rounds) < 2:
        return []
    shown = "; ".join(
        f"{i}: render {fmt_s(x['render_wall_s'])} s wall, {fmt_s(x['render_cpu_s'])} CPU-s; "
        f"floor {fmt_s(x['floor_cpu_s'])} CPU-s; "
        + (f"{x['render_cpu_s'] / x['floor_cpu_s']:.2f}×" if x.get("floor_cpu_s") else "—")
        for i, x in enumerate(rounds, 1)
    )
    caches = rec.get("machine_caches")
    made = (
        f" Before round 1, this machine's font caches (matplotlib's font list, the web-font "
        f"base; made once per machine, then read) took {fmt_s(caches['cpu_s'])} CPU-s, outside "
        f"every round."
        if caches and not caches.get("rc")
        else ""
    )
    head = "- Rounds (render, then floor; the first render is the one re-run above): "
    return [f"{head}{shown}.{made}"]


def _dask(rec: dict) -> dict | None:
    dk = rec.get("dask_local")
    return dk if dk and "wall_s" in dk else None


def _dask_rows(rec: dict) -> list[list[object]]:
    dk = _dask(rec)
    if dk is None:
        return []
    k = rec["reports"]
    label = f"`fiscal-analysis render --scheduler local:{rec['jobs']}` (Dask LocalCluster)"
    return [[label, fmt_s(dk["wall_s"]), fmt_s(dk["wall_s"] / k), fmt_s(dk["cpu_s"]), _counts(dk)]]


def _dask_lines(rec: dict) -> list[str]:
    dk = _dask(rec)
    if dk is None:
        return []
    r = rec["render"]
    return [
        f"- Dask, `--scheduler local:{rec['jobs']}` vs `--jobs {rec['jobs']}`: "
        f"**{dk['wall_s'] / r['wall_s']:.2f}×** the wall time, "
        f"{dk['cpu_s'] / r['cpu_s']:.2f}× the CPU (the same {rec['reports']} reports, same run)."
    ]


def moves_table() -> str:
    """The before/after pairs of ``benchmarks/moves.csv``: what moved the figures, and by how much.

    Each pair was measured on one machine in one sitting (the ``how measured``
    column says how), when the change was made; the commit is the change's.
    """
    import csv

    path = Path(__file__).with_name("moves.csv")
    if not path.is_file():
        return "_no recorded changes_"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    head = ["area", "change", "commit", "measure", "before", "after", "how measured"]
    for line, r in enumerate(rows, start=2):
        if None in r or None in r.values():  # a stray comma: a field too many or too few
            raise ValueError(f"{path.name} line {line}: expected the {len(head)} fields {head}")
    return _table(head, [[r[h] for h in head] for r in rows])


def province_table(rec: dict | None) -> str:
    """A province batch (10,000 departments × 5 years) extrapolated from the render run."""
    if not rec:
        return "_no results yet_"
    n, k, jobs = 50_000, rec["reports"], rec["jobs"]
    rows = []
    settings = [(f"this machine, `render --jobs {jobs}`", _render_run(rec))]
    if _dask(rec):
        settings.append((f"Dask, `--scheduler` (measured as local:{jobs})", rec["dask_local"]))
    for label, x in settings:
        core_s = x["cpu_s"] / k
        hours = core_s * n / 3600
        on = "; ".join(f"≈ {hours / c:.1f} h on {c} cores" for c in (64, 256))
        rows.append(
            [label, f"{x['wall_s'] / k:.2f} s wall, {core_s:.2f} core-s",
             f"{hours:.0f} core-hours: {on}"]
        )  # fmt: skip
    head = ["setting", "per report (measured)", f"{n:,} reports (extrapolated)"]
    note = (
        f"\n\nPer-report figures of {k} reports on {rec['machine']['cores']} cores, code commit "
        f"{rec.get('code_commit')}; the extrapolation assumes the same report size, CPU-bound "
        "workers and a shared file system that keeps up (reports are renamed into place)."
    )
    if "render_wall_s" in rec["derived"] and _dask(rec):
        note += (
            f" The `render --jobs {jobs}` row is the median of the render rounds; the Dask row is "
            "its one run, made right after the first round's render "
            f"({fmt_s(rec['render']['wall_s'])} s), the one it is compared with above."
        )
    return _table(head, rows) + note


def extract_table(rec: dict | None) -> str:
    if not rec:
        return "_no results yet_"
    rows = []
    for r in rec["documents"]:
        pages = f"{r['pages']}{' (est.)' if r['pages_estimated'] else ''}"
        rows.append(
            [
                f"`{r['document']}`",
                r["kind"],
                pages,
                fmt_s(r["read_best_s"]),
                fmt_s(r["build_best_s"]),
                fmt_s(r["best_s"]),
                _ms(r["per_page_best_s"]),
                r["facts"],
                r["status"],
            ]
        )
    head = [
        "document",
        "kind",
        "pages",
        "read s",
        "extract s",
        "total s (best)",
        "ms / page",
        "facts",
        "status",
    ]
    imp = fmt_s(rec["import_s"])
    note = f"\n\nBest of {rec['repeat']}; importing `fiscal_analysis.extract` once: {imp} s."
    if not rec["realdocs_present"]:
        note += (
            " `../shared/realdocs` was absent: only the seed text and the 40-page text were timed."
        )
    engine = rec.get("pdf_engine")
    if engine:
        note += f" PDF engine: {engine}."
    return _table(head, rows) + note + "\n\n" + _measured(rec)


def _status(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def targets_table(lib: dict | None, ren: dict | None, ext: dict | None) -> str:
    rows = []
    if ren:
        d = ren["derived"]
        rows.append(
            [
                f"render ≥ 10× the naive loop's throughput ({ren['reports']} reports, "
                f"{ren['jobs']} jobs)",
                f"{d['throughput_ratio']:.2f}×",
                _status(d["throughput_ratio"] >= 10),
            ]
        )
        rows.append(
            [
                "render CPU per report ≤ 1.5× the floor's CPU per report",
                f"{d['cpu_vs_floor_cpu']:.2f}× ({d['render_cpu_per_report_s']:.2f} vs "
                f"{d['floor_cpu_per_report_s']:.2f} CPU-s)",
                _status(d["cpu_vs_floor_cpu"] <= 1.5),
            ]
        )
        if _dask(ren):
            ratio = ren["dask_local"]["wall_s"] / ren["render"]["wall_s"]
            rows.append(
                [
                    f"`--scheduler local:{ren['jobs']}` within 1.2× of `--jobs {ren['jobs']}`",
                    f"{ratio:.2f}×",
                    _status(ratio <= 1.2),
                ]
            )
        un = ren["unchanged"]
        rows.append(
            [
                f"re-render of {ren['reports']} unchanged ≤ 1 s total",
                f"{un['wall_s']:.2f} s (skipped {un.get('skipped')})",
                _status(un["wall_s"] <= 1 and un.get("rendered") == 0),
            ]
        )
        one = ren["one_changed"]
        rows.append(
            [
                "one data file changed: only its dependents re-render",
                f"rendered {one.get('rendered')} of {ren['reports']}",
                _status(one.get("rendered") == ren["years"]),
            ]
        )
    if lib:
        hit = next(
            (r for r in lib["sizes"] if r.get("entities") == 1000 and "error" not in r), None
        )
        if hit:
            total = hit.get("library_total_s")
            if total is None:
                total = hit["all_extrapolated_s"]
                shown = "—" if total is None else f"{fmt_s(total)} s (scalar metrics extrapolated)"
            else:
                shown = f"{fmt_s(total)} s (load {fmt_s(hit['load_s'])} s + panel metrics "
                shown += f"{fmt_s(hit['panel_all_s'])} s)"
            rows.append(
                [
                    "library 1,000 × 10: load + validate + all metrics ≤ 3 s — cold "
                    f"(`load_dataset(path)`, no validated cache; {_median_of(hit)})",
                    shown,
                    _status(None if total is None else total <= 3),
                ]
            )
            w = hit.get("warm") or {}
            if "library_total_s" in w:
                rows.append(
                    [
                        "library 1,000 × 10: load + validate + all metrics ≤ 1 s — warm "
                        f"(validated cache; {_median_of(w)})",
                        f"{fmt_s(w['library_total_s'])} s (load {fmt_s(w['load_s'])} s + panel "
                        f"metrics {fmt_s(w['panel_all_s'])} s)",
                        _status(w["library_total_s"] <= 1),
                    ]
                )
            rows.append(
                [
                    "library 1,000 × 10: peak memory ≤ 1.5 GB — cold process (incl. scalar "
                    "metrics and outturn_table)",
                    f"{hit['peak_rss_mb'] / 1024:.2f} GB",
                    _status(hit["peak_rss_mb"] <= 1536),
                ]
            )
            if "peak_rss_mb" in w:
                rows.append(
                    [
                        "library 1,000 × 10: peak memory ≤ 1.5 GB — warm process",
                        f"{w['peak_rss_mb'] / 1024:.2f} GB",
                        _status(w["peak_rss_mb"] <= 1536),
                    ]
                )
        slopes = lib.get("loglog_slope_vs_rows", {})
        s = slopes.get("library_total_s") or slopes.get("all_extrapolated_s")
        if s is not None:
            rows.append(
                [
                    "library growth linear (log-log slope ≈ 1.0)",
                    f"{s:.2f} (all metrics); load "
                    f"{lib['loglog_slope_vs_rows'].get('load_s', 0):.2f}",
                    _status(s <= 1.15),
                ]
            )
    if ext:
        forty = next(
            (r for r in ext["documents"] if r["document"].endswith("synthetic-40p.pdf")), None
        )
        if forty:
            rows.append(
                [
                    "extraction: 40-page document ≤ 1 s (PDF)",
                    f"{forty['best_s']:.2f} s",
                    _status(forty["best_s"] <= 1),
                ]
            )
        forty_t = next(
            (r for r in ext["documents"] if r["document"].endswith("synthetic-40p.txt")), None
        )
        if forty_t:
            rows.append(
                [
                    "extraction: 40-page document ≤ 1 s (text)",
                    f"{forty_t['best_s']:.3f} s",
                    _status(forty_t["best_s"] <= 1),
                ]
            )
    if not rows:
        return "_no results yet_"
    src = [
        f"{name} commit {r['machine']['commit']} ({r['machine']['date']})"
        for name, r in (("library", lib), ("render", ren), ("extraction", ext))
        if r
    ]
    return _table(["target", "measured", "status"], rows) + "\n\nMeasured on: " + "; ".join(src)


def compare_table(rec: dict | None) -> str:
    """This checkout against a baseline (``python -m benchmarks.bench_compare``)."""
    if not rec:
        return "_No comparison run yet._"
    head = ["workload", "this: wall s", "baseline: wall s", "wall ratio",
            "this: CPU s", "baseline: CPU s", "CPU ratio"]  # fmt: skip
    rows = [
        [label, f"{r['this_wall']:.2f}", f"{r['base_wall']:.2f}", f"{r['ratio_wall']:.2f}",
         f"{r['this_cpu']:.2f}", f"{r['base_cpu']:.2f}", f"{r['ratio_cpu']:.2f}"]
        for label, r in rec["results"].items()
    ]  # fmt: skip
    c = rec["commits"]
    note = (
        f"\n\nThis checkout `{c['this']}` against baseline `{c['baseline']}`, {rec['date']}, "
        f"{rec['runs']} alternated runs each after a warm-up, {rec['cpu_count']} cores; medians, "
        "and the median of the per-pair ratios (this / baseline; below 1 is faster). "
        + (
            "Both sides ran with this checkout's Python and packages (`--same-env`): they differ "
            "only in the project's code."
            if rec.get("same_env")
            else "Each side ran with its own environment (its own dependencies)."
        )
    )
    return _table(head, rows) + note


def update(quick: bool = False) -> Path:
    """Rewrite the result blocks of BENCHMARKS.md from the latest JSON results."""
    sfx = "-quick" if quick else ""
    lib, ren, ext = (read_result(n + sfx) for n in ("library", "render", "extract"))
    text = DOC.read_text(encoding="utf-8") if DOC.is_file() else "# Benchmarks\n"
    latest = max(
        (r for r in (lib, ren, ext) if r), key=lambda r: r["machine"]["date"], default=None
    )
    text = replace_block(text, "machine", machine_table(latest))
    # A benchmark without results (say, only one was run here) keeps its old block.
    for name, rec, table in (
        ("library", lib, library_table),
        ("render", ren, render_table),
        ("extract", ext, extract_table),
    ):
        if rec or f"<!-- results:{name} -->" not in text:
            text = replace_block(text, name, table(rec))
    text = replace_block(text, "moves", moves_table())
    if ren or "<!-- results:province -->" not in text:
        text = replace_block(text, "province", province_table(ren))
    compare = read_result("compare")
    if compare or "<!-- results:compare -->" not in text:
        text = replace_block(text, "compare", compare_table(compare))
    if (lib and ren and ext) or "<!-- results:targets -->" not in text:
        text = replace_block(text, "targets", targets_table(lib, ren, ext))
    else:
        missing = [n for n, r in (("library", lib), ("render", ren), ("extract", ext)) if not r]
        print(f"targets table kept as it was: no results for {', '.join(missing)}")
    DOC.write_text(text, encoding="utf-8")
    return DOC
