"""Running a notebook with papermill in a given, pre-started kernel.

:func:`run_notebook` executes a notebook through one of the two papermill
engines registered here (in-process; the kernel is shut down as soon as the
notebook has run): ``fiscal-shell`` for a shell kernel
(:class:`~fiscal_analysis.render.engine.shellkernel.ShellKernel`: the cells
go to it one by one, its outputs come back as nbformat dicts) and
``fiscal-pool`` for a Jupyter kernel (nbclient). Either way a failure becomes
a :class:`~fiscal_analysis.errors.NotebookRunError` that names the cell.
papermill is imported only when a notebook is run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import warnings
from collections.abc import Iterator
from typing import Any, Protocol

from fiscal_analysis.errors import NotebookRunError


class Kernel(Protocol):
    """What :func:`run_notebook` needs of a started kernel (see :mod:`.kernels`).

    ``manager`` is the Jupyter kernel manager, or ``None`` for a shell kernel
    (:class:`~.shellkernel.ShellKernel`, which runs cells itself).
    """

    manager: Any

    def stderr_tail(self) -> str: ...

    def shutdown(self) -> None: ...


__all__ = ["first_line", "quiet", "run_notebook"]

_QUIET_LOGGERS = ("papermill", "nbclient", "nbconvert", "traitlets", "jupyter_client", "asyncio")


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


@functools.cache
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


@functools.cache
def _register_shell_engine() -> str:
    """Register (once) the papermill engine that runs a notebook in a shell kernel."""
    from papermill.engines import Engine, papermill_engines

    class ShellEngine(Engine):
        """Run the cells in a :class:`~.shellkernel.ShellKernel` (``kernel=``), then stop it."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # type: ignore[override]
            kernel = kwargs["kernel"]
            sink = kwargs.get("notebook_sink")
            if sink is not None:
                sink(nb_man.nb)
            try:
                _run_cells(nb_man, kernel, kwargs.get("execution_timeout"))
            finally:
                kernel.shutdown()

    papermill_engines.register("fiscal-shell", ShellEngine)
    return "fiscal-shell"


def _run_cells(nb_man: Any, kernel: Any, timeout: float | None) -> None:
    """Run ``nb_man``'s code cells in ``kernel`` as nbclient would, stopping at an error.

    Outputs are nbformat dicts made by the kernel; a display updated by its id
    (``display(..., display_id=...)`` then ``.update()``) is changed where it
    was shown, in whichever cell.
    """
    from nbformat import from_dict

    nb = nb_man.nb
    nb.metadata["language_info"] = kernel.language_info
    shown: dict[str, list[Any]] = {}  # display id -> the outputs showing it
    for index, cell in enumerate(nb.cells):
        nb_man.cell_start(cell, index)
        try:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            reply = kernel.run(cell.source, timeout=timeout)
            cell.outputs = []
            for raw in reply["outputs"]:
                display_id = (raw.pop("transient", None) or {}).get("display_id")
                if display_id is not None:
                    for earlier in shown.get(display_id, []):
                        earlier["data"] = from_dict(raw["data"])
                        earlier["metadata"] = from_dict(raw["metadata"])
                if raw["output_type"] == "update_display_data":
                    continue
                output = from_dict(raw)
                cell.outputs.append(output)
                if display_id is not None:
                    shown.setdefault(display_id, []).append(output)
            cell.execution_count = reply["execution_count"]
            allowed = "raises-exception" in cell.metadata.get("tags", [])
            if reply["status"] == "error" and not allowed:
                error = RuntimeError(f"{reply.get('ename')}: {reply.get('evalue')}")
                nb_man.cell_exception(cell, cell_index=index, exception=error)
                break
        finally:
            nb_man.cell_complete(cell, cell_index=index)


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
    if kernel.manager is None:  # a shell kernel: no event loop, no kernel client
        return _execute(nb, parameters, kernel, timeout, source_path)
    with _thread_loop():
        return _execute(nb, parameters, kernel, timeout, source_path)


@contextlib.contextmanager
def _thread_loop() -> Iterator[None]:
    """Close, afterwards, the event loop nbclient runs the notebook on in this thread.

    nbclient's ``run_sync`` (``jupyter_core.utils``) creates one event loop per
    thread and never closes it; when the render thread ends, the loop and its
    self-pipe sockets are left to the garbage collector (``ResourceWarning:
    unclosed event loop``, ``unclosed <socket.socket …>``). The loop is taken
    here, before papermill, so it is the one run_sync uses, and closed once the
    notebook has run; the next notebook in this thread gets a new one. A loop
    already running (a notebook run from inside Jupyter) is not ours to close.
    """
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    try:
        yield
    finally:
        if not loop.is_running() and not loop.is_closed():
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()


def _execute(
    nb: Any, parameters: dict[str, Any], kernel: Kernel, timeout: float | None, source_path: str
) -> Any:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed: list[Any] = []
    if kernel.manager is None:
        engine = {"engine_name": _register_shell_engine(), "kernel": kernel}
    else:
        engine = {"engine_name": _register_engine(), "km": kernel.manager}
    try:
        out = papermill.execute_notebook(
            nb,
            None,
            parameters=parameters,
            **engine,
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
        kernel.shutdown()
        tail = kernel.stderr_tail()
        message = (str(exc).strip().splitlines() or [""])[0] + (f" ({tail})" if tail else "")
        raise NotebookRunError(type(exc).__name__, message) from None
    out.metadata.papermill["input_path"] = source_path
    out.metadata.papermill["output_path"] = None
    return out
