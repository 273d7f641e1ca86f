"""Running one report: papermill in a pre-started kernel, then the leadership HTML.

:func:`run_notebook` executes a notebook with papermill in a given kernel
(in-process, through the ``fiscal-pool`` papermill engine registered here,
which shuts the kernel down as soon as the notebook has run) and turns a
failure into a :class:`NotebookRunError` that names the cell.
:func:`render_one` runs one :class:`~fiscal_analysis.batch.ReportJob` end to
end: kernel (from a :class:`~fiscal_analysis.kernels.KernelPool`, or started
where the job runs), notebook, HTML export, and the atomic writes that leave
the previous good report in place when anything fails.

papermill, nbformat and the export are imported only when a report is run,
so planning a batch (the skip check) stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch import ReportJob, ReportResult
from .exceptions import RenderError

if TYPE_CHECKING:
    from .kernels import Kernel

__all__ = ["NotebookRunError", "first_line", "quiet", "render_one", "run_notebook"]

_QUIET_LOGGERS = ("papermill", "nbclient", "nbconvert", "traitlets", "jupyter_client", "asyncio")


class NotebookRunError(RenderError):
    """A notebook failed: which cell (index in the notebook file) and what error.

    Attributes:
        cell_index: 0-based index of the failing cell in the source notebook,
            or ``None`` if no single cell is to blame (kernel died, start failed).
        cell_source: The first line of that cell's source.
        ename: The exception's class name.
        evalue: The exception's message.
    """

    def __init__(
        self, ename: str, evalue: str, cell_index: int | None = None, cell_source: str = ""
    ):
        self.ename, self.evalue = ename, evalue
        self.cell_index, self.cell_source = cell_index, cell_source
        where = (
            ""
            if cell_index is None
            else f"第 {cell_index + 1} 个单元格（索引 {cell_index}）「{cell_source}」出错: "
        )
        super().__init__(f"{where}{ename}: {evalue}")


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, stripped.

    Examples:
        >>> first_line("\\n  TypeError: x\\n  more")
        'TypeError: x'
    """
    return next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence kernel transport, papermill and traitlets chatter for the batch."""
    saved = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
    try:
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _register_engine() -> str:
    """Register (once) the papermill engine that runs in a given kernel and then shuts it down."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class PoolEngine(NBClientEngine):
        """nbclient engine for a pre-started kernel (``km=``); cleans the kernel up after."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # type: ignore[override]
            sink = kwargs.pop("notebook_sink", None)
            if sink is not None:
                sink(nb_man.nb)
            execution_timeout = kwargs.pop("execution_timeout", None)
            start_timeout = kwargs.pop("start_timeout", 60)
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
            )
            return PapermillNotebookClient(nb_man, **final).execute(cleanup_kc=True)

    papermill_engines.register("fiscal-pool", PoolEngine)
    return "fiscal-pool"


def _source_index(nb: Any, index: int) -> int:
    """Index in the source notebook of cell ``index`` of the executed notebook."""
    injected = sum(
        1
        for cell in nb.cells[:index]
        if "injected-parameters" in cell.get("metadata", {}).get("tags", [])
    )
    return index - injected


def run_notebook(
    nb: Any,
    parameters: dict[str, Any],
    kernel: Kernel,
    *,
    timeout: float | None = 600,
    source_path: str = "",
) -> Any:
    """Execute a notebook with papermill in ``kernel``; the kernel is shut down afterwards.

    Args:
        nb: The notebook (an ``nbformat`` node; not modified).
        parameters: Values for the ``parameters`` cell.
        kernel: A started kernel, e.g. from :meth:`KernelPool.acquire`.
        timeout: Seconds allowed per cell.
        source_path: Recorded as the input path in the notebook's metadata.

    Returns:
        The executed notebook (papermill's ``injected-parameters`` cell included).

    Raises:
        NotebookRunError: With the failing cell's index in ``nb``, the first line
            of its source and the exception's name and message (no traceback);
            the executed notebook is attached as ``exc.notebook`` when there is one.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed: list[Any] = []
    try:
        out = papermill.execute_notebook(
            nb,
            None,
            parameters=parameters,
            engine_name=_register_engine(),
            km=kernel.manager,
            kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            shutdown_kernel="immediate",
            notebook_sink=executed.append,
        )
    except PapermillExecutionError as exc:
        done = executed[0] if executed else None
        index = exc.cell_index if done is None else _source_index(done, exc.cell_index)
        first = first_line(exc.source)
        message = (str(exc.evalue).strip().splitlines() or [""])[0]
        err = NotebookRunError(exc.ename, message, index, first)
        err.notebook = done  # type: ignore[attr-defined]
        raise err from None
    except Exception as exc:
        if kernel.manager.has_kernel:
            asyncio.run(kernel.manager.shutdown_kernel(now=True))
        tail = kernel.stderr_tail()
        message = (str(exc).strip().splitlines() or [""])[0] + (f" ({tail})" if tail else "")
        raise NotebookRunError(type(exc).__name__, message) from None
    out.metadata.papermill["input_path"] = source_path
    out.metadata.papermill["output_path"] = None
    return out


def render_one(job: ReportJob, pool: Any = None) -> ReportResult:
    """Render one report; never raises for a report-level problem.

    Args:
        job: The report to render.
        pool: A :class:`~fiscal_analysis.kernels.KernelPool` to take a
            pre-started kernel from; ``None`` starts a fresh kernel here
            (for process-based or distributed executors).

    Returns:
        A ``rendered`` or ``failed`` :class:`ReportResult`.
    """
    import tempfile

    import nbformat

    from .export import Provenance, export_html, report_title
    from .fingerprint import write_fingerprint
    from .kernels import start_kernel
    from .paths import atomic_write

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
        shown = {k: v for k, v in job.parameters.items() if k != "data_dir"}
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
