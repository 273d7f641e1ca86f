"""Rendering on a Dask cluster: ``fiscal-analysis render --scheduler ADDRESS``.

:class:`ClusterExecutor` is a :class:`concurrent.futures.Executor` that sends
each report (:func:`~fiscal_analysis.render.execute.render_one` of a
:class:`~fiscal_analysis.render.batch.ReportJob`) to a ``dask.distributed``
cluster; :func:`~fiscal_analysis.render.reports.render_reports` uses it like
any other executor, so the progress bar, the skip logic, the atomic writes and
the failure summary are the ones of a local batch.

Address:
    ``tcp://host:8786`` (or any address ``distributed.Client`` accepts)
    connects to a running scheduler; ``local:N`` starts a
    ``LocalCluster`` of ``N`` worker processes (one thread each) on this
    machine for trying it, and stops it at the end.

Warm kernels on every worker:
    A local batch forks each report's kernel from a fork server that has
    already imported pandas, matplotlib and this package
    (:class:`~fiscal_analysis.render.engine.kernels.KernelPool`). On a
    cluster the same pool lives in each worker process: a worker plugin
    (:class:`~fiscal_analysis.render.workerkernels.KernelSource`) owns one
    pool per worker (as many kernels ahead as the worker has threads); it is
    registered for the batch once every worker has passed the path check
    (``local:N`` workers get it at start-up, so their kernels warm while they
    register) and removed at the end, which stops the pool, its fork server
    and any kernel nobody took. The ``local:N`` workers share one fork server,
    started here as the cluster starts, the way a local batch starts its own
    (one preload instead of N, ready before the workers are). Every report
    still gets a fresh kernel of its own, never a reused one.

Start-up cost:
    :meth:`ClusterExecutor.start` reaches (or starts) the cluster in a
    background thread while the batch is planned, and ``local:N`` workers
    run without Dask's statistical profiler and with slower housekeeping
    timers (:data:`_LOCAL_CONFIG`), so a cluster batch costs about what a
    local one does.

Paths:
    The data folder, the output folder and the notebook are made absolute
    here before anything is sent; the workers must see them at the same
    paths (one machine, or a shared file system). That is checked on every
    worker before the first report is sent: a worker that cannot read the
    data or notebook, or cannot write the output folder, stops the batch
    with a :class:`~fiscal_analysis.errors.RenderError` naming the worker
    and the path.

``dask[distributed]`` is imported only when a cluster is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import threading
import uuid
from concurrent.futures import Executor, Future
from dataclasses import replace
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import RenderError
from fiscal_analysis.files import remove_folder

__all__ = ["ClusterExecutor", "check_paths"]

_LOCAL = re.compile(r"local(?::(\d+))?$")
#: Dask settings of the ``local:N`` scheduler and workers. Their housekeeping is paid
#: in CPU-seconds taken from the reports on a busy machine: no statistical profiler
#: (it samples every thread's stack every 10 ms, for a dashboard nobody opens here),
#: and the event-loop tick (20 ms), system monitor (0.5 s) and memory monitor (0.1 s;
#: the workers have no memory limit) at a slower pace. Idle, the scheduler and two
#: workers then take about 1.4 % of a core instead of 7.5 %.
_LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "2s",
}


def check_paths(data: str, out: str, notebook_dir: str) -> str:
    """On a worker: ``""`` if it can read ``data`` and ``notebook_dir`` and write ``out``.

    Otherwise a Chinese message naming what it cannot see.

    Examples:
        >>> check_paths("/", "/no/such/out", "/")
        '无法写入输出目录「/no/such/out」'
    """
    for what, path in (("数据目录", data), ("笔记本目录", notebook_dir)):
        if not os.path.isdir(path) or not os.access(path, os.R_OK | os.X_OK):
            return f"无法读取{what}「{path}」"
    if not os.path.isdir(out) or not os.access(out, os.W_OK | os.X_OK):
        return f"无法写入输出目录「{out}」"
    return ""


class ClusterExecutor(Executor):
    """Send reports to a Dask cluster (see the module docstring).

    The cluster is reached (or, for ``local:N``, started) when
    :meth:`start` is called, in the background, so that its workers come
    up and warm their kernels while the batch is planned
    (:func:`~fiscal_analysis.render.reports.render_reports` calls it once it
    knows the batch is not unchanged as a whole), or else at the first report
    sent; a batch with nothing to render starts nothing. Use it with
    ``with`` (or call :meth:`shutdown`) to remove the plugin and close the
    client.

    Args:
        address: ``local:N`` or a scheduler address.
        data_dir: The dataset folder (the workers must see it).
        out_dir: The output folder (the workers must be able to write it).
        notebook: The batch's notebook; needed by :meth:`start` (the kernels
            run in its folder).
        kernel: The workers' kind of kernel, as for
            :func:`~fiscal_analysis.render.reports.render_reports`.
    """

    def __init__(
        self,
        address: str,
        data_dir: str | Path,
        out_dir: str | Path,
        notebook: str | Path | None = None,
        kernel: str = "shell",
    ):
        self.address = address.strip()
        self.kernel = kernel
        self.data_dir = str(Path(data_dir).resolve())
        self.out_dir = Path(out_dir).resolve()
        self.notebook_dir = None if notebook is None else str(Path(notebook).resolve().parent)
        self._client: Any = None
        self._cluster: Any = None
        self._executor: Any = None
        self._plugin = f"fiscal-kernels-{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self._registered = False  # the plugin went through the scheduler (not local:N)
        self._server: tuple[Any, str] | None = None  # local:N: the workers' fork server

    def start(self) -> None:
        """Reach (or start) the cluster in a background thread; no-op if under way or done.

        An error (e.g. an unreachable scheduler) is raised by the first
        :meth:`submit`; without a notebook given this does nothing.
        """
        with self._lock:
            if self._executor is not None or self._starting is not None or not self.notebook_dir:
                return
            self._starting = threading.Thread(
                target=self._connect_in_background, name="dask-connect", daemon=True
            )
            self._starting.start()

    def _connect_in_background(self) -> None:
        try:
            self._connect(str(self.notebook_dir))
        except BaseException as exc:  # handed to the first submit
            self._start_error = exc

    def _wait_started(self) -> None:
        """Wait for :meth:`start`'s thread; raise what it raised."""
        starting, self._starting = self._starting, None
        if starting is not None and starting is not threading.current_thread():
            starting.join()
        error, self._start_error = self._start_error, None
        if error is not None:
            raise error

    def _connect(self, notebook_dir: str) -> None:
        local = _LOCAL.match(self.address)
        shell = self.kernel == "shell"
        # first, so that its imports overlap Dask's and the workers' start
        server = self._start_server(notebook_dir, shell) if local else None
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            msg = (
                "需要 dask[distributed] 才能在集群上生成报告，请安装："
                'pip install "dask[distributed]" (dask.distributed is needed for --scheduler)'
            )
            raise RenderError(msg) from None
        from fiscal_analysis.render.workerkernels import KernelSource

        kernels = KernelSource(self._plugin, notebook_dir, shell, server)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            if local:
                n = int(local.group(1) or os.cpu_count() or 1)
                with dask.config.set(_LOCAL_CONFIG):
                    self._cluster = LocalCluster(
                        n_workers=max(1, n),
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                        memory_limit=0,
                        # each worker starts its kernels as it starts, before it registers
                        plugins=(kernels,),
                    )
                    self._client = Client(self._cluster)
            else:
                self._client = Client(self.address, timeout=20)
        except (OSError, TimeoutError, ValueError) as exc:
            self._close()
            msg = f"无法连接 Dask 调度器「{self.address}」: {exc} (cannot reach the scheduler)"
            raise RenderError(msg) from None
        try:
            self.check_workers(notebook_dir)
        except RenderError:
            self._close()
            raise
        if not local:  # on a shared cluster only once the workers are known to see the paths
            self._client.register_plugin(kernels)
            self._registered = True
        self._executor = self._client.get_executor(pure=False)

    def _start_server(self, notebook_dir: str, shell: bool) -> str | None:
        """Start (in the background) the fork server the ``local:N`` workers share."""
        from fiscal_analysis.render.engine.forkserver import ForkServer, available
        from fiscal_analysis.render.engine.kernels import kernel_env

        if self._server is not None:  # (a second connection attempt)
            return str(self._server[0].socket_path)
        if not available():
            return None
        folder = tempfile.mkdtemp(prefix="fa-fs-")
        server = ForkServer(Path(folder), cwd=Path(notebook_dir), env=kernel_env(), shell=shell)
        self._server = (server, folder)
        threading.Thread(target=server.start, name="fork-server-start", daemon=True).start()
        return str(server.socket_path)

    def check_workers(self, notebook_dir: str) -> None:
        """Ask every worker whether it sees the data, notebook and output folders.

        Raises:
            RenderError: naming the first worker that does not, or if there is none.
        """
        checks = self._client.run(check_paths, self.data_dir, str(self.out_dir), notebook_dir)
        if not checks:
            raise RenderError(
                f"Dask 集群「{self.address}」没有工作进程 (the cluster has no workers)"
            )
        bad = {w: p for w, p in sorted(checks.items()) if p}
        if bad:
            worker, problem = next(iter(bad.items()))
            msg = (
                f"Dask 工作进程 {worker} {problem}；每个工作进程都必须能以同一路径访问数据、"
                "笔记本和输出目录 (a worker cannot see the data, notebook or output folder)"
            )
            raise RenderError(msg)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        """Send ``fn(job, pool)`` (a report) to the cluster; paths go absolute."""
        job, pool = [*args, None, None][:2]
        absolute = replace(
            job,
            folder=job.folder.resolve(),
            shown_folder=job.folder,  # messages name the folder as the user did
            notebook_path=str(Path(job.notebook_path).resolve()),
        )
        notebook_dir = str(Path(absolute.notebook_path).parent)
        with self._lock:
            self._wait_started()
            if self._executor is None:  # not started early: the kernels run where this notebook is
                self.notebook_dir = notebook_dir
                self._connect(notebook_dir)
        from fiscal_analysis.render.workerkernels import run_on_worker

        # the warm kernels run in the notebook's folder: another notebook's job starts its own
        plugin = self._plugin if notebook_dir == self.notebook_dir else ""
        return self._executor.submit(
            run_on_worker, fn, absolute, pool, plugin, job.folder, **kwargs
        )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Remove the kernel plugin, close the client and any local cluster.

        A cluster still starting in the background is waited for, then closed.
        """
        try:
            with contextlib.suppress(Exception):  # its error matters no more; a Ctrl-C does
                self._wait_started()
        finally:
            self._close()

    def _close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = self._executor = None
        if client is not None:
            if self._registered:  # local:N workers tear it down as they close
                self._registered = False
                with contextlib.suppress(Exception):
                    client.unregister_worker_plugin(self._plugin)
            with contextlib.suppress(Exception):
                client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()
        server, self._server = self._server, None
        if server is not None:  # after the workers: the kernels it forked die with it
            server[0].close()
            remove_folder(server[1])
