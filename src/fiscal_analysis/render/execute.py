"""Running one report: papermill in a pre-started kernel, then the leadership HTML.

:func:`run_notebook` executes a notebook with papermill in a given kernel
(in-process, through the ``fiscal-pool`` papermill engine registered here,
which shuts the kernel down as soon as the notebook has run) and turns a
failure into a :class:`NotebookRunError` that names the cell.
:func:`render_one` runs one :class:`~fiscal_analysis.render.batch.ReportJob` end to
end: kernel (from a :class:`~fiscal_analysis.render.engine.kernels.KernelPool`, or started
where the job runs), notebook, HTML export, and the atomic writes that leave
the previous good report in place when anything fails.

papermill, nbformat and the export are imported only when a report is run,
so planning a batch (the skip check) stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import NotebookRunError
from fiscal_analysis.render.batch import ReportJob, ReportResult
from fiscal_analysis.render.engine.notebook import first_line, quiet, run_notebook

__all__ = ["render_one"]


def render_one(job: ReportJob, pool: Any = None) -> ReportResult:
    """Render one report; never raises for a report-level problem.

    Args:
        job: The report to render.
        pool: A :class:`~fiscal_analysis.render.engine.kernels.KernelPool` to take a
            pre-started kernel from; ``None`` starts a fresh kernel here
            (for process-based or distributed executors).

    Returns:
        A ``rendered`` or ``failed`` :class:`ReportResult`.
    """
    import tempfile

    import nbformat

    from fiscal_analysis.files import atomic_write
    from fiscal_analysis.render.engine.kernels import start_kernel
    from fiscal_analysis.render.export import Provenance, export_html, report_title
    from fiscal_analysis.render.fingerprint import write_fingerprint

    base = {"entity_id": job.entity_id, "name": job.name, "year": job.year, "folder": job.folder}
    try:
        nb = nbformat.reads(job.notebook_text, as_version=4)
        with contextlib.ExitStack() as stack:
            if pool is not None:
                kernel = pool.acquire()
            else:  # another process or machine: quiet it and start a kernel here
                stack.enter_context(quiet())
                sockets = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fa-k-")))
                cwd = Path(job.notebook_path).resolve().parent
                kernel = asyncio.run(start_kernel(sockets, cwd=cwd))
            executed = run_notebook(
                nb, job.parameters, kernel, timeout=job.timeout, source_path=job.notebook_path
            )
        # the footer shows the parameters that identify the report, not the data folder's path
        shown = dict(job.fingerprint.parameters)
        prov = Provenance(job.fingerprint.version, job.fingerprint.data, shown)
        page = export_html(executed, title=report_title(job.name, job.year), provenance=prov)
        job.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(job.folder / "report.html", page.encode("utf-8"))
        atomic_write(job.folder / "report.ipynb", nbformat.writes(executed).encode("utf-8"))
        write_fingerprint(job.folder, job.fingerprint)
        (job.folder / "report.failed.ipynb").unlink(missing_ok=True)
        return ReportResult(**base, status="rendered", reason=job.reason)
    except NotebookRunError as exc:
        failed_nb = getattr(exc, "notebook", None)
        note = ""
        if failed_nb is not None:
            with contextlib.suppress(OSError):
                job.folder.mkdir(parents=True, exist_ok=True)
                atomic_write(
                    job.folder / "report.failed.ipynb", nbformat.writes(failed_nb).encode()
                )
                note = f"（详见 {job.folder / 'report.failed.ipynb'}）"
        return ReportResult(
            **base,
            status="failed",
            error=f"{exc}{note}",
            cell_index=exc.cell_index,
            cell_source=exc.cell_source,
            ename=exc.ename,
            evalue=exc.evalue,
        )
    except Exception as exc:  # one report's problem never stops the batch
        name = type(exc).__name__
        msg = first_line(str(exc))
        return ReportResult(**base, status="failed", error=f"{name}: {msg}", ename=name, evalue=msg)
