"""Write a synthetic panel (N entities × M years) in the project's CSV folder layout.

The rows come from :mod:`fiscal_analysis.testing.synth_rows`; this module
writes them, in chunks and optionally in worker processes, and is the command
``python -m fiscal_analysis.testing.synth OUT --entities N --years M``.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fiscal_analysis.schema.columns import FILES
from fiscal_analysis.testing.synth_rows import (
    FILE_NAMES,
    code_pool,
    entity_id,
    entity_record,
    entity_rows,
)

__all__ = [
    "SynthResult",
    "write_panel",
]


@dataclass(frozen=True)
class SynthResult:
    """What :func:`write_panel` wrote."""

    root: Path
    entities: int
    years: tuple[int, ...]
    facts_rows: int
    files: int
    bytes: int
    seconds: float


def _write(path: Path, name: str, rows: Iterable[tuple]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FILES[name].column_names)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def _chunk(args: tuple[Path, str, list[int], list[int], int]) -> tuple[int, int]:
    """Generate and write one chunk of entities; returns (facts rows, files)."""
    root, layout, indices, years, seed = args
    facts = files = 0
    merged: dict[str, list[tuple]] = {name: [] for name in ("entities", *FILE_NAMES)}
    for i in indices:
        rows = entity_rows(i, years, seed)
        if layout == "entity-year":
            eid = entity_id(i)
            _write(root / eid / "documents.csv", "documents", rows["documents"])
            files += 1
            for y in years:
                for name in FILE_NAMES[1:]:
                    n = _write(
                        root / eid / str(y) / f"{name}.csv",
                        name,
                        (r for r in rows[name] if r[1] == y),
                    )
                    facts += n if name == "facts" else 0
                    files += 1
        else:
            for name, part in rows.items():
                merged[name] += part
    if layout != "entity-year":
        folder = root / f"chunk-{indices[0] + 1:04d}"
        for name in FILE_NAMES:
            n = _write(folder / f"{name}.csv", name, merged[name])
            facts += n if name == "facts" else 0
            files += 1
    return facts, files


def write_panel(
    root: str | Path,
    entities: int,
    years: int,
    *,
    first_year: int = 2015,
    seed: int = 20201231,
    layout: str = "chunk",
    chunk_size: int = 250,
    workers: int = 1,
) -> SynthResult:
    """Write a synthetic dataset of ``entities`` × ``years`` under ``root``.

    Args:
        root: Output folder (created; existing CSVs with the same names are
            overwritten, others are left alone, so use a fresh folder).
        entities: Number of entities.
        years: Number of consecutive years starting at ``first_year``.
        first_year: The first fiscal year.
        seed: Seed; the same seed gives byte-identical files.
        layout: ``chunk`` (one folder of large files per ``chunk_size``
            entities) or ``entity-year`` (``<entity>/<year>/facts.csv`` like
            the shipped data, for per-report change detection).
        chunk_size: Entities per chunk folder.
        workers: Processes used to generate chunks in parallel.

    Returns:
        A :class:`SynthResult` with row and file counts.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     r = write_panel(d, 2, 2, first_year=2020)
        ...     (r.entities, r.years, r.files)
        (2, (2020, 2021), 8)
    """
    if layout not in ("chunk", "entity-year"):
        raise ValueError(f"layout must be 'chunk' or 'entity-year', not {layout!r}")
    if entities < 1 or years < 1:
        raise ValueError("entities and years must be at least 1")
    start = time.perf_counter()
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    year_list = list(range(first_year, first_year + years))
    chunks = [list(range(s, min(s + chunk_size, entities))) for s in range(0, entities, chunk_size)]
    jobs = [(root, layout, c, year_list, seed) for c in chunks]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_chunk, jobs))
    else:
        results = [_chunk(j) for j in jobs]
    ents = [entity_record(i) for i in range(entities)]
    _write(root / "entities.csv", "entities", ents)
    _write(root / "codes.csv", "codes", code_pool()[1])
    size = sum(p.stat().st_size for p in root.rglob("*.csv"))
    return SynthResult(
        root=root,
        entities=entities,
        years=tuple(year_list),
        facts_rows=sum(r[0] for r in results),
        files=sum(r[1] for r in results) + 2,
        bytes=size,
        seconds=time.perf_counter() - start,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m fiscal_analysis.testing.synth OUT --entities N --years M``."""
    p = argparse.ArgumentParser(
        prog="python -m fiscal_analysis.testing.synth", description=__doc__.splitlines()[0]
    )
    p.add_argument("out", type=Path)
    p.add_argument("--entities", type=int, default=100)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--first-year", type=int, default=2015)
    p.add_argument("--seed", type=int, default=20201231)
    p.add_argument("--layout", choices=("chunk", "entity-year"), default="chunk")
    p.add_argument("--chunk-size", type=int, default=250)
    p.add_argument("--workers", type=int, default=1)
    a = p.parse_args(argv)
    r = write_panel(
        a.out,
        a.entities,
        a.years,
        first_year=a.first_year,
        seed=a.seed,
        layout=a.layout,
        chunk_size=a.chunk_size,
        workers=a.workers,
    )
    print(
        f"wrote {r.entities} entities × {len(r.years)} years: {r.facts_rows:,} facts rows, "
        f"{r.files} files, {r.bytes / 1e6:.1f} MB in {r.seconds:.1f} s -> {r.root}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
