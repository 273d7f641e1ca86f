"""Warm kernels inside Dask workers: a worker plugin and the task each report runs.

Used by :mod:`fiscal_analysis.render.cluster` (imports ``distributed``, so
it is imported only when a cluster is asked for). :class:`KernelSource` gives
each worker process the same
:class:`~fiscal_analysis.render.engine.kernels.KernelPool` a local batch uses
(kernels forked from a fork server that has already imported the libraries,
started ahead of time, one fresh kernel per report); :func:`run_on_worker`
hands a report that pool.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

__all__ = ["KernelSource", "run_on_worker"]


class KernelSource(WorkerPlugin):
    """One warm kernel pool per worker process, for one batch.

    The pool keeps as many kernels starting ahead as the worker has threads;
    it starts when the plugin is set up (as a ``local:N`` worker starts, or
    when the plugin is registered on a running cluster, while the client is
    still sending the first reports) and stops, with its fork server and any
    kernel nobody took, when the plugin is removed or the worker closes.

    Args:
        name: The plugin's name (unique per batch).
        notebook_dir: The kernels' working directory (the notebook's folder).
        shell: Shell kernels (the default) rather than Jupyter kernels.
        server: The socket of a fork server to share (the ``local:N`` workers use
            the one their batch started) instead of starting one per worker.
    """

    def __init__(self, name: str, notebook_dir: str, shell: bool = True, server: str | None = None):
        self.name = name
        self.notebook_dir = notebook_dir
        self.shell = shell
        self.server = server
        self.pool: Any = None

    def setup(self, worker: Any) -> None:
        from fiscal_analysis.render.engine.kernels import KernelPool

        size = getattr(getattr(worker, "state", worker), "nthreads", 1) or 1
        cwd = Path(self.notebook_dir)
        self.pool = KernelPool(size, cwd=cwd, shell=self.shell, server=self.server)
        # papermill (about two CPU-seconds to import) and the exporter, while the kernels start
        threading.Thread(target=_import_renderer, name="render-imports", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            # off the worker's event loop: closing waits for the kernels to stop
            threading.Thread(target=pool.close, name="kernel-pool-close").start()


def _import_renderer() -> None:
    import importlib

    for name in ("papermill", "nbformat", "fiscal_analysis.render.export"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def run_on_worker(fn: Any, job: Any, pool: Any, plugin: str, folder: Path) -> Any:
    """On a worker: ``fn(job, pool)`` with the worker's warm pool; the result keeps ``folder``.

    ``folder`` is the report folder as the caller named it (the job works in
    the absolute one and names ``job.shown_folder`` in its messages), so the
    summary reads the same as a local batch's. Without the plugin (e.g. a
    worker that joined late) the job starts its own kernel.
    """
    if pool is None:
        with contextlib.suppress(ValueError, AttributeError):
            pool = getattr(get_worker().plugins.get(plugin), "pool", None)
    return replace(fn(job, pool), folder=folder)
