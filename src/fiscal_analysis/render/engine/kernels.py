"""Execution engine: a pool of fresh, pre-started, pre-warmed kernels.

Every report runs in a kernel of its own, so no state leaks between reports;
the cost of starting that kernel is paid ahead of time. :class:`KernelPool`
keeps ``size`` kernels starting in the background; each one, once its
process is up, has already imported pandas, matplotlib and fiscal_analysis
(:data:`WARMUP_CODE`, run silently, so execution counts still start at 1).
:meth:`KernelPool.acquire` hands out a ready kernel and starts a replacement.
On Linux the pool forks its kernels from a fork server
(:mod:`fiscal_analysis.render.engine.forkserver`) that has done those imports once, so a
new kernel costs milliseconds instead of seconds and is still a new process;
by default these are shell kernels (:mod:`.shellkernel`), which run the same
IPython shell without Jupyter's messaging. Elsewhere, or with ``shell=False``,
they are Jupyter kernels (ipykernel) started by jupyter_client.

:func:`~fiscal_analysis.render.engine.notebook.run_notebook` executes a notebook
in such a kernel with papermill.

Port races and noise:
    Kernels talk over Unix domain sockets (``transport="ipc"``) in a private
    temporary folder, one socket prefix per kernel, so no TCP ports are
    picked and two kernels can never collide. On Windows TCP is used and
    kernel starts are serialised. Each kernel runs with
    ``-Xfrozen_modules=off`` and ``PYDEVD_DISABLE_FILE_VALIDATION=1`` and its
    stdout/stderr (debugger and zmq chatter) go to a log file, never to the
    user's terminal. Kernels keep no IPython history (:data:`KERNEL_OPTIONS`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import threading
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import ForkServerError, NotebookRunError, RenderError
from fiscal_analysis.files import last_line, remove_folder
from fiscal_analysis.render.engine.forkserver import ForkServer, available
from fiscal_analysis.render.engine.shellkernel import ShellKernel, start_shell_kernel

__all__ = [
    "KERNEL_OPTIONS",
    "WARMUP_CODE",
    "Kernel",
    "KernelPool",
    "kernel_env",
    "start_kernel",
]

#: Run silently in each kernel before it is handed out.
WARMUP_CODE = (
    "import pandas, matplotlib, matplotlib.pyplot, IPython.display, fiscal_analysis\n"
    "import fiscal_analysis.dataset.load, fiscal_analysis.money\n"
)

#: Options of every ``python3`` kernel: no IPython history database. A report
#: kernel's inputs are in its notebook; writing them to the user's
#: ``~/.ipython/profile_default/history.sqlite`` only costs time and locks.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False", "--HistoryManager.hist_file=:memory:")

_START_LOCK = threading.Lock()


def kernel_env() -> dict[str, str]:
    """The environment for kernels: ours, minus debugger/frozen-module warnings.

    Examples:
        >>> kernel_env()["PYDEVD_DISABLE_FILE_VALIDATION"]
        '1'
    """
    env = dict(os.environ)
    env.update(PYDEVD_DISABLE_FILE_VALIDATION="1", JUPYTER_PLATFORM_DIRS="1")
    return env


@dataclass
class Kernel:
    """A started kernel: its (async) manager, the file its stderr goes to, its process."""

    manager: Any
    log: Path
    process: Any = None

    @property
    def pid(self) -> int | None:
        """The kernel's process id (``None`` if jupyter_client does not say)."""
        return getattr(self.manager.provisioner, "pid", None)

    def stderr_tail(self) -> str:
        """The last non-empty line the kernel process wrote to stdout/stderr."""
        return last_line(self.log)

    def shutdown(self) -> None:
        """Shut the kernel down now (its manager's ``shutdown_kernel(now=True)``)."""
        if self.manager.has_kernel:
            asyncio.run(self.manager.shutdown_kernel(now=True))

    def kill(self) -> None:
        """SIGKILL the kernel process if it still runs (safe after it has exited)."""
        with contextlib.suppress(Exception):
            if self.process is not None:
                self.process.kill()


async def _await_reply(kc: Any, msg_id: str, timeout: float) -> dict:
    while True:
        reply = await kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


async def start_kernel(
    socket_dir: Path,
    *,
    kernel_name: str = "python3",
    cwd: Path | None = None,
    warmup: str = WARMUP_CODE,
    timeout: float = 60,
    fork_server: ForkServer | None = None,
) -> Kernel:
    """Start one kernel and run ``warmup`` in it silently.

    Args:
        socket_dir: A private folder for the kernel's sockets and log.
        kernel_name: Kernel spec name; ``python3`` runs this interpreter.
        cwd: Working directory of the kernel (the notebook's folder).
        warmup: Code run (``silent=True``) before the kernel is handed out
            (``python3`` kernels only).
        timeout: Seconds to wait for the kernel to start and warm up.
        fork_server: Fork the (``python3``) kernel from this pre-imported
            server instead of starting a new interpreter
            (:mod:`fiscal_analysis.render.engine.forkserver`).
    """
    from jupyter_client import AsyncKernelManager

    tag = uuid.uuid4().hex[:10]
    transport = "ipc" if os.name == "posix" else "tcp"
    extra = {"ip": str(socket_dir / tag)} if transport == "ipc" else {}
    # the connection file goes beside the sockets, so removing the folder removes it
    # too, even when the batch is interrupted before the kernel is shut down
    connection = str(socket_dir / f"kernel-{tag}.json")
    km = AsyncKernelManager(
        kernel_name=kernel_name, transport=transport, connection_file=connection, **extra
    )
    if kernel_name == "python3":
        km.kernel_spec.argv[:] = [
            sys.executable,
            "-Xfrozen_modules=off",
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            *KERNEL_OPTIONS,
        ]
        if fork_server is not None:
            from fiscal_analysis.render.engine.provisioner import ForkProvisioner

            km.kernel_id = str(uuid.uuid4())
            km.provisioner = ForkProvisioner(
                kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km
            )
            km.provisioner.fork_server = fork_server
    log = socket_dir / f"{tag}.log"
    with open(log, "wb") as sink:
        if transport == "ipc":
            await km.start_kernel(
                env=kernel_env(), cwd=str(cwd or os.getcwd()), stdout=sink, stderr=sink
            )
        else:  # pragma: no cover - Windows: pick ports one kernel at a time
            with _START_LOCK:
                await km.start_kernel(
                    env=kernel_env(), cwd=str(cwd or os.getcwd()), stdout=sink, stderr=sink
                )
    kernel = Kernel(km, log, getattr(km.provisioner, "process", None))
    try:
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=timeout)
            if warmup and kernel_name == "python3":
                reply = await _await_reply(
                    kc, kc.execute(warmup, silent=True, store_history=False), timeout
                )
                if reply["content"].get("status") != "ok":
                    content = reply["content"]
                    raise NotebookRunError(
                        content.get("ename", "Error"), f"预热失败: {content.get('evalue', '')}"
                    )
        finally:
            kc.stop_channels()
    except BaseException as exc:
        await km.shutdown_kernel(now=True)
        if isinstance(exc, RenderError) or not isinstance(exc, Exception):
            raise  # our own error, or an interrupt: pass it on unchanged
        raise NotebookRunError(
            type(exc).__name__, f"内核启动失败: {exc} {kernel.stderr_tail()}".strip()
        ) from exc
    return kernel


class KernelPool:
    """Pre-started, pre-warmed, single-use kernels.

    Kernels start in background threads (``size`` at a time) while reports
    run, so a worker seldom waits for one. Each kernel is used for one report
    and shut down afterwards. ``budget`` caps how many are started in total,
    so no kernel is started that no report will use. With ``shell`` (the
    default) forked kernels are shell kernels; ``fork=False``, a kernel spec
    other than ``python3`` or a platform without ``fork`` gives Jupyter kernels.
    ``server`` is the socket of a fork server another process started to share.

    Use it from threads in this process (a :class:`ThreadPoolExecutor`);
    executors that run jobs in other processes start a kernel per job
    instead (see :func:`fiscal_analysis.render.reports.render_one`).

    Examples:
        >>> pool = KernelPool(size=1, budget=0)
        >>> pool.close()
    """

    def __init__(
        self,
        size: int,
        *,
        budget: int | None = None,
        kernel_name: str = "python3",
        cwd: Path | None = None,
        warmup: str = WARMUP_CODE,
        timeout: float = 60,
        fork: bool = True,
        shell: bool = True,
        server: str | None = None,
    ):
        self.size = max(1, int(size))
        self._remaining = None if budget is None else max(0, int(budget))
        self._options = {
            "kernel_name": kernel_name,
            "cwd": cwd,
            "warmup": warmup,
            "timeout": timeout,
        }
        self._socket_dir = Path(tempfile.mkdtemp(prefix="fa-k-"))
        use_fork = fork and available() and kernel_name == "python3"
        self._shell = shell
        options = {"cwd": cwd, "env": kernel_env(), "shell": shell, "address": server}
        self._fork = ForkServer(self._socket_dir, **options) if use_fork else None
        self._starter = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="kernel-start")
        self._ready: deque[Future[Kernel]] = deque()
        self._handed: list[Kernel] = []
        self._lock = threading.Lock()
        self._closed = False
        #: Set by :meth:`cancel`: reports still running must write nothing.
        self.cancelled = False
        with self._lock:
            for _ in range(self.size):
                self._schedule()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` or :meth:`cancel` has been called."""
        return self._closed

    def start_server(self) -> None:
        """Start the fork server in the background now, before any kernel is asked for.

        For a pool made with ``budget=0`` ahead of planning a batch: the server's
        imports (about a second) overlap the planning, and :meth:`reserve` then
        forks the first kernels at once. A no-op when kernels are not forked.
        """
        if self._fork is not None and not self._closed:
            self._starter.submit(self._fork.start)

    def reserve(self, count: int) -> None:
        """Allow ``count`` more kernels and start up to :attr:`size` of them now.

        Examples:
            >>> pool = KernelPool(size=1, budget=0, fork=False)
            >>> pool.reserve(0)
            >>> pool.close()
        """
        with self._lock:
            if self._remaining is not None:
                self._remaining += max(0, int(count))
            for _ in range(min(self.size - len(self._ready), max(0, int(count)))):
                self._schedule()

    def _schedule(self, force: bool = False) -> None:
        if self._closed or not (force or self._remaining is None or self._remaining > 0):
            return
        if self._remaining is not None:
            self._remaining = max(0, self._remaining - 1)
        self._ready.append(self._starter.submit(self._start))

    def _start(self) -> Kernel | ShellKernel:
        """Start one kernel: forked from the server, or as a new process if that fails."""
        server = self._fork
        if server is not None:
            try:
                if self._shell:
                    options = {k: self._options[k] for k in ("cwd", "warmup", "timeout")}
                    return start_shell_kernel(self._socket_dir, server, env=kernel_env(), **options)
                return asyncio.run(
                    start_kernel(self._socket_dir, **self._options, fork_server=server)
                )
            except ForkServerError:
                if self.cancelled:
                    raise
                self._fork = None  # e.g. a preload import crashed: start kernels normally
                server.close()
        if self.cancelled:
            raise RenderError("内核池已取消 (kernel pool cancelled)")
        return asyncio.run(start_kernel(self._socket_dir, **self._options))

    def acquire(self) -> Kernel | ShellKernel:
        """A ready kernel (waits for one if none is ready yet); starts a replacement.

        Raises:
            NotebookRunError: If the kernel could not be started.
        """
        with self._lock:
            if self._closed:
                raise RenderError("内核池已关闭 (kernel pool is closed)")
            if not self._ready:
                self._schedule(force=True)
            future = self._ready.popleft()
            self._schedule()
        kernel = future.result()
        with self._lock:
            self._handed.append(kernel)
            cancelled = self.cancelled
        if cancelled:
            kernel.kill()
            raise RenderError("内核池已取消 (kernel pool cancelled)")
        return kernel

    def cancel(self, *, reap: bool = False) -> None:
        """Stop now (Ctrl-C): kill every kernel and the fork server, start no more.

        Does not wait for the reports still running: they fail as their kernels
        die and, seeing :attr:`cancelled`, write nothing. Kernels forked by the
        fork server die with it (``PR_SET_PDEATHSIG``); the others are killed
        one by one. With ``reap``, waits for the killed fork server to exit (a
        batch that stops before any report, e.g. on bad data, and goes on).
        """
        with self._lock:
            self.cancelled = self._closed = True
            pending = list(self._ready)
            self._ready.clear()
            handed = list(self._handed)
        self._starter.shutdown(wait=False, cancel_futures=True)
        if self._fork is not None:
            self._fork.kill()
        for future in pending:
            if future.done() and not future.cancelled() and future.exception() is None:
                handed.append(future.result())
        for kernel in handed:
            kernel.kill()
        if reap:
            self._starter.shutdown(wait=True)  # a start under way sees the pool closed
            if self._fork is not None:
                self._fork.reap()
        remove_folder(self._socket_dir)

    def close(self) -> None:
        """Shut down kernels nobody took and remove the socket folder."""
        with self._lock:
            self._closed = True
            pending = list(self._ready)
            self._ready.clear()
        for future in pending:
            try:
                kernel = future.result()
            except Exception:  # a failed start has nothing to shut down
                continue
            kernel.shutdown()
        self._starter.shutdown(wait=True)
        if self._fork is not None:
            self._fork.close()
        remove_folder(self._socket_dir)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
