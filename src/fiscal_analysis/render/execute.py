"""Running one report: papermill in a pre-started kernel, then the leadership HTML.

:func:`run_notebook` executes a notebook with papermill in a given kernel
(in-process, through the ``fiscal-pool`` papermill engine registered here,
which shuts the kernel down as soon as the notebook has run) and turns a
failure into a :class:`NotebookRunError` that names the cell.
:func:`render_one` runs one :class:`~fiscal_analysis.render.batch.ReportJob` end to
end: kernel (from a :class:`~fiscal_analysis.render.engine.kernels.KernelPool`, or started
where the job runs), notebook, HTML export, and the folder swap
(:func:`fiscal_analysis.render.folders.commit_report`) that leaves the previous
good report in place when anything fails, or the process is killed.

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

__all__ = ["render_one", "stated_errors"]


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

    from fiscal_analysis.render.engine.kernels import start_kernel
    from fiscal_analysis.render.export import Provenance, export_html, report_title
    from fiscal_analysis.render.fingerprint import FINGERPRINT_FILE, fingerprint_bytes
    from fiscal_analysis.render.folders import FAILED_NOTEBOOK, commit_report, mark_failed

    base = {"entity_id": job.entity_id, "name": job.name, "year": job.year, "folder": job.folder}
    executed = None
    try:
        nb = nbformat.reads(job.notebook_text, as_version=4)
        with contextlib.ExitStack() as stack:
            _check_cancelled(pool)
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
        # the footer shows the parameters that identify the report, not the data folder's
        # path, and names the department as a reader knows it, not by its internal id
        shown = dict(job.fingerprint.parameters)
        if "entity" in shown:
            shown["entity"] = job.name
        prov = Provenance(job.fingerprint.version, job.fingerprint.data, shown)
        page = export_html(executed, title=report_title(job.name, job.year), provenance=prov)
        _check_cancelled(pool)
        commit_report(
            job.folder,
            {
                "report.html": page.encode("utf-8"),
                "report.ipynb": nbformat.writes(executed).encode("utf-8"),
                FINGERPRINT_FILE: fingerprint_bytes(job.fingerprint),
            },
        )
        return ReportResult(
            **base, status="rendered", reason=job.reason, errors=stated_errors(executed)
        )
    except _Cancelled:
        return ReportResult(**base, status="failed", error="已取消 (cancelled)", ename="Cancelled")
    except NotebookRunError as exc:
        if _cancelled(pool):  # the kernel was stopped by a Ctrl-C: not the report's fault
            return ReportResult(**base, status="failed", error="已取消 (cancelled)")
        failed_nb = getattr(exc, "notebook", None)
        raw = None if failed_nb is None else nbformat.writes(failed_nb).encode("utf-8")
        mark_failed(job.folder, str(exc), raw)
        shown = job.shown_folder or job.folder  # (as the user named it)
        note = f"（详见 {shown / FAILED_NOTEBOOK}）" if raw is not None else ""
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
        if not _cancelled(pool):  # e.g. unsafe HTML: keep the executed notebook to look at
            raw = None if executed is None else nbformat.writes(executed).encode("utf-8")
            mark_failed(job.folder, f"{name}: {msg}", raw)
        return ReportResult(**base, status="failed", error=f"{name}: {msg}", ename=name, evalue=msg)


def stated_errors(nb: Any) -> int | None:
    """The 错误 count a report notebook attached to an output, or ``None``.

    :func:`fiscal_analysis.report.blocks.show` puts it in the output's metadata
    (``{"text/html": {"fiscal-analysis": {"errors": n}}}``); a notebook that does
    not (e.g. one of the user's own) leaves the index to run the checks itself.

    Examples:
        >>> from nbformat.v4 import new_notebook, new_code_cell, new_output
        >>> out = new_output("execute_result", {"text/html": "<p>x</p>"},
        ...                  metadata={"text/html": {"fiscal-analysis": {"errors": 3}}})
        >>> stated_errors(new_notebook(cells=[new_code_cell("show(x)", outputs=[out])]))
        3
        >>> stated_errors(new_notebook(cells=[new_code_cell("1")])) is None
        True
    """
    from fiscal_analysis.report.outputs import OUTPUT_KEY

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for meta in output.get("metadata", {}).values():
                stated = meta.get(OUTPUT_KEY) if isinstance(meta, dict) else None
                errors = stated.get("errors") if isinstance(stated, dict) else None
                if isinstance(errors, int) and not isinstance(errors, bool) and errors >= 0:
                    return errors
    return None


class _Cancelled(Exception):
    """The batch was cancelled (Ctrl-C) before this report was written."""


def _cancelled(pool: Any) -> bool:
    return bool(getattr(pool, "cancelled", False))


def _check_cancelled(pool: Any) -> None:
    if _cancelled(pool):
        raise _Cancelled
