"""Extraction benchmark: seconds per document and per page.

Documents: the repository's seed text (``data/raw/lusong-xzsp-2020.txt``) and,
when ``../shared/realdocs`` exists beside the repository, the real Shanghai
disclosures (``.pdf`` and ``.txt``); without it those rows are skipped. For
the "40-page document in ≤ 1 s" target a 40-page PDF is assembled from the
real PDFs' pages (with pypdfium2, the extraction's own PDF engine), and a
40-page text from the texts repeated.

Each document is read and extracted ``repeat`` times in this process
(:func:`fiscal_analysis.extract.extract_document`, i.e. ``read_lines`` +
``build``); the best and the median are kept, and reading is timed apart
from building so PDF layout analysis shows separately.

Pages: a PDF's own page count; for a text, the page count of the PDF with the
same name when there is one, else characters / :data:`CHARS_PER_PAGE` (the
real documents' text-to-PDF ratio), marked *estimated*.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from pathlib import Path

from benchmarks.common import OUT, REPO, SHARED, write_result

__all__ = ["CHARS_PER_PAGE", "documents", "run", "synthetic_40_pages"]

SEED = REPO / "data" / "raw" / "lusong-xzsp-2020.txt"
REALDOCS = SHARED / "realdocs"
#: Characters of extracted text per PDF page in the real documents (≈ 12,479 / 25).
CHARS_PER_PAGE = 500
TARGET_PAGES = 40


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        return len(doc)
    finally:
        doc.close()


def _pdf_engine() -> str:
    """Which PDF text engine ``read_lines`` uses here (PDFium when pypdfium2 imports)."""
    try:
        from fiscal_analysis.extract.pdftext import engine_available
    except ImportError:
        return "pdfplumber"
    return "pypdfium2 (PDFium)" if engine_available("pdfium") else "pdfplumber (fallback)"


def documents() -> list[tuple[Path, int, bool]]:
    """(path, pages, pages_estimated) of every document to time."""
    docs = [SEED]
    if REALDOCS.is_dir():
        docs += sorted(REALDOCS.glob("*.pdf")) + sorted(REALDOCS.glob("*.txt"))
    out = []
    for p in docs:
        if p.suffix.lower() == ".pdf":
            out.append((p, _pdf_pages(p), False))
            continue
        twin = p.with_suffix(".pdf")
        if twin.is_file():
            out.append((p, _pdf_pages(twin), False))
        else:
            chars = len(p.read_text(encoding="utf-8"))
            out.append((p, max(1, math.ceil(chars / CHARS_PER_PAGE)), True))
    return out


def synthetic_40_pages(dest: Path) -> list[tuple[Path, int, bool]]:
    """Assemble a 40-page PDF (from the real PDFs) and a 40-page text; return them."""
    dest.mkdir(parents=True, exist_ok=True)
    made = []
    pdfs = sorted(REALDOCS.glob("*.pdf")) if REALDOCS.is_dir() else []
    if pdfs:
        import pypdfium2 as pdfium

        writer = pdfium.PdfDocument.new()
        while len(writer) < TARGET_PAGES:
            for p in pdfs:
                take = TARGET_PAGES - len(writer)
                if take <= 0:  # (an empty page list would import every page)
                    break
                source = pdfium.PdfDocument(p)
                writer.import_pages(source, list(range(min(len(source), take))))
                source.close()
        path = dest / "synthetic-40p.pdf"
        writer.save(path)
        writer.close()
        made.append((path, TARGET_PAGES, False))
    texts = [SEED] + (sorted(REALDOCS.glob("*.txt")) if REALDOCS.is_dir() else [])
    body = ""
    i = 0
    while len(body) < TARGET_PAGES * CHARS_PER_PAGE:
        body += texts[i % len(texts)].read_text(encoding="utf-8") + "\n"
        i += 1
    path = dest / "synthetic-40p.txt"
    path.write_text(body, encoding="utf-8")
    made.append((path, TARGET_PAGES, True))
    return made


def _time_one(path: Path, repeat: int) -> dict:
    from fiscal_analysis.extract import extract_lines
    from fiscal_analysis.extract.text import read_lines

    reads, builds, status = [], [], "ok"
    figures = None
    for _ in range(repeat):
        t = time.perf_counter()
        lines = read_lines(path)
        reads.append(time.perf_counter() - t)
        t = time.perf_counter()
        try:
            ex = extract_lines(lines, path.name)
            figures = _count(ex)
        except Exception as exc:  # report, don't stop: an odd document is a finding
            status = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
        builds.append(time.perf_counter() - t)
    totals = [r + b for r, b in zip(reads, builds, strict=True)]
    return {
        "read_best_s": min(reads),
        "build_best_s": min(builds),
        "best_s": min(totals),
        "median_s": statistics.median(totals),
        "status": status,
        "facts": figures,
    }


def _count(ex: object) -> int | None:
    rows = getattr(ex, "rows", None) or getattr(ex, "frames", None)
    if isinstance(rows, dict) and "facts" in rows:
        return len(rows["facts"])
    facts = getattr(ex, "facts", None)
    return len(facts) if facts is not None else None


def run(quick: bool = False, repeat: int | None = None) -> dict:
    """Time every document; write ``out/extract.json``."""
    repeat = repeat or (1 if quick else 3)
    t = time.perf_counter()
    import fiscal_analysis.extract  # noqa: F401

    import_s = time.perf_counter() - t
    docs = documents() + synthetic_40_pages(OUT / "extract-work")
    rows = []
    for path, pages, estimated in docs:
        print(f"[extract] {path.name} ({pages} pages) …", flush=True)
        rec = _time_one(path, repeat)
        rel = (
            path.relative_to(REPO) if path.is_relative_to(REPO) else path.relative_to(SHARED.parent)
        )
        rec.update({"document": str(rel), "kind": path.suffix[1:], "pages": pages})
        rec.update({"pages_estimated": estimated, "per_page_best_s": rec["best_s"] / pages})
        rows.append(rec)
        print(f"[extract]   best {rec['best_s']:.3f} s ({rec['status']})", flush=True)
    data = {
        "quick": quick,
        "repeat": repeat,
        "import_s": import_s,
        "realdocs_present": REALDOCS.is_dir(),
        "pdf_engine": _pdf_engine(),
        "documents": rows,
    }
    write_result("extract" + ("-quick" if quick else ""), data)
    return data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_extract")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--repeat", type=int, default=None)
    a = p.parse_args(argv)
    run(quick=a.quick, repeat=a.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
