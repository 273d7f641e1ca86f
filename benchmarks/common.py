"""Shared helpers: output folder, cached synthetic data, machine description, fits.

Examples:
    >>> round(loglog_slope([1, 10, 100], [2.0, 20.0, 200.0]), 3)
    1.0
    >>> fmt_s(0.01234), fmt_s(12.345), fmt_s(3062118.3), fmt_s(None)
    ('0.0123', '12.3', '3,062,118', '—')
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = [
    "OUT",
    "REPO",
    "SHARED",
    "ensure_panel",
    "fmt_s",
    "loglog_slope",
    "machine",
    "read_result",
    "write_result",
]

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
#: Real documents for the extraction benchmark; optional (skipped when absent).
SHARED = REPO.parent / "shared"
PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "jupyter_client",
    "pdfplumber",
    "pypdfium2",
    "pyinstrument",
    "fiscal-analysis",
)


def ensure_panel(
    entities: int, years: int, *, layout: str = "chunk", seed: int = 20201231, workers: int = 2
) -> tuple[Path, dict]:
    """Synthetic dataset for a size, generated once and cached under ``out/data``.

    Returns the folder and the generation record (rows, files, bytes, seconds).
    A folder is reused only if its ``synth.json`` records the same parameters
    and the same generator source, so a changed generator regenerates.
    """
    from fiscal_analysis.testing import synth

    name = f"synth-{entities}x{years}" + ("" if layout == "chunk" else f"-{layout}")
    root = OUT / "data" / name
    stamp = root / "synth.json"
    source = Path(synth.__file__).stat().st_mtime_ns
    params = {
        "entities": entities,
        "years": years,
        "layout": layout,
        "seed": seed,
        "source": source,
    }
    if stamp.is_file():
        rec = json.loads(stamp.read_text())
        if rec.get("params") == params:
            return root, rec
    if root.exists():
        import shutil

        shutil.rmtree(root)
    r = synth.write_panel(root, entities, years, layout=layout, seed=seed, workers=workers)
    rec = {
        "params": params,
        "facts_rows": r.facts_rows,
        "files": r.files,
        "bytes": r.bytes,
        "seconds": round(r.seconds, 3),
    }
    stamp.write_text(json.dumps(rec, indent=1))
    return root, rec


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine() -> dict:
    """Cores, memory, CPU model, OS, Python and package versions."""
    pkgs = {}
    for p in PACKAGES:
        try:
            pkgs[p] = version(p)
        except PackageNotFoundError:
            pkgs[p] = None
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "notebooks"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split("\n")
        dirty = sorted(line[3:] for line in dirty if line.strip())
    except OSError:
        commit, dirty = "", []
    return {
        "cores": os.cpu_count(),
        "memory_gb": _mem_gb(),
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "packages": pkgs,
        "commit": commit,
        "uncommitted_src": dirty,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def write_result(name: str, data: dict) -> Path:
    """Write ``out/<name>.json`` (with the machine description)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    data = {"benchmark": name, "machine": machine(), **data}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def read_result(name: str) -> dict | None:
    """The last result of a benchmark, or ``None``."""
    path = OUT / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of log(y) on log(x); 1.0 means linear growth."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def fmt_s(x: float | None) -> str:
    """Seconds for a table: 3 significant figures, ``—`` when missing."""
    if x is None:
        return "—"
    if x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}" if x < 10 else f"{x:.1f}"
