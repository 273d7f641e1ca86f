"""A fork server for kernels: pay the imports once per batch, not once per report.

A fresh Python kernel spends about two CPU-seconds importing IPython, pandas,
matplotlib and this package before a report's first cell can run. The fork
server is one process that imports all of that (and loads the chart font)
once, then forks a child for every kernel asked for. Each child is a
brand-new process, not a reused kernel: its own memory, IPython shell and user
namespace, execution counts from 1, and the ``parameters`` of one report only.

Protocol: the client (:class:`ForkServer`) starts ``python -m
fiscal_analysis.render.engine.forkserver SOCKET LIFELINE [--shell]`` in a new
session and connects to the Unix socket; each request is one JSON line
``{"args", "env", "cwd", "log"[, "shell"]}``, the answer one JSON line
``{"pid": …}``. The child calls :func:`os.setsid`, restores default signal
handling, sends its output to ``log`` and becomes a shell kernel connected to
the ``shell`` socket (:mod:`fiscal_analysis.render.engine.shell`) or an
ipykernel with ``args`` (``-f <connection file>``). When the client closes the
connection (end of the batch) the server exits.

Nothing outlives the client, whatever stops it (SIGKILL included):

* the client keeps the write end of a pipe (the *lifeline*) whose read end the
  server inherits; from its first statement, before the ~2 s preload, a thread
  of the server waits on it and ends the server the moment it reads EOF, which
  the operating system delivers as soon as the client process is gone, however
  it ended (``PR_SET_PDEATHSIG`` is not used for the server: it fires when the
  *thread* that started the server ends, and these are started from a pool's
  worker thread);
* each forked kernel asks Linux for ``SIGKILL`` when its parent, the server's
  only forking thread, dies (``prctl(PR_SET_PDEATHSIG)`` through ctypes), and
  ipykernel's parent poller would notice too, within a second.

Only on Linux (``fork`` after importing these libraries is not safe on
macOS, and Windows has no ``fork``): :func:`available` says whether to use
it; otherwise kernels start as ordinary subprocesses.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import ForkServerError
from fiscal_analysis.files import last_line

__all__ = [
    "JUPYTER_PRELOAD",
    "PRELOAD",
    "ForkServer",
    "available",
    "die_with_parent",
    "serve",
]

#: Modules imported by the server before it forks. ``matplotlib.pyplot`` only names
#: its backend (the inline one, from ``MPLBACKEND``), which is loaded at a kernel's
#: first pyplot figure, once its shell exists.
PRELOAD = (
    "IPython.core.interactiveshell",
    "IPython.display",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "fiscal_analysis",
    "fiscal_analysis.dataset.load",
    "fiscal_analysis.report.blocks",
    "fiscal_analysis.report.sections",
    "fiscal_analysis.charts.figures",
    "fiscal_analysis.render.engine.shell",
)

#: Also imported by a server that forks Jupyter kernels (about 280 more modules, none
#: of which a shell kernel uses). ``ipykernel.debugger`` pulls in debugpy (about 150
#: modules, 0.1 CPU-s a kernel otherwise).
JUPYTER_PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger")


def available() -> bool:
    """Whether kernels can be forked from a server on this platform (Linux only).

    Examples:
        >>> isinstance(available(), bool)
        True
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _preload(jupyter: bool = True) -> None:
    """Import :data:`PRELOAD` (and :data:`JUPYTER_PRELOAD`); draw each chart kind once."""
    import importlib

    for name in (JUPYTER_PRELOAD if jupyter else ()) + PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        from fiscal_analysis.charts.warmup import warm_up

        warm_up()


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have Linux send ``signum`` to this process when its parent (thread) dies.

    Exits at once if ``parent`` is already gone (it died before the request).
    Does nothing where ``prctl`` is not available.
    """
    with contextlib.suppress(AttributeError, OSError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _watch_lifeline(fd: int) -> None:  # pragma: no cover - server process
    """End the server as soon as the client's end of the lifeline pipe closes."""

    def wait() -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 64):
                pass
        os._exit(0)

    threading.Thread(target=wait, name="lifeline", daemon=True).start()


def _become_kernel(  # pragma: no cover - runs in the child
    request: dict[str, Any], server: int, lifeline: int | None
) -> None:
    """In the forked child: detach, redirect output, run a (shell) kernel; never returns."""
    code = 1
    try:
        die_with_parent(server)
        if lifeline is not None:
            os.close(lifeline)
        os.setsid()
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("shell"):  # a shell kernel (.shell): no Jupyter messaging
            from fiscal_analysis.render.engine.shell import serve_shell

            serve_shell(request["shell"])
            code = 0
            return
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance(parent_handle=os.getppid())
        app.initialize(list(request["args"]))
        app.start()
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _reap(signum: int, frame: Any) -> None:  # pragma: no cover - server process
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def serve(  # pragma: no cover - server process
    path: str, lifeline: int | None = None, jupyter: bool = True
) -> None:
    """Listen on the Unix socket ``path`` for one client and fork a kernel per request.

    ``lifeline`` is the read end of a pipe the client holds open: the server
    exits when it closes (see the module docstring). ``jupyter`` preloads
    ipykernel too (a server for shell kernels does not need it).
    """
    if lifeline is not None:
        _watch_lifeline(lifeline)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel's shell adds it back
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    _preload(jupyter)
    # Reap kernels as they exit (no zombies); waiting, rather than ignoring SIGCHLD,
    # adds their CPU time to this process's children, and so to the client's.
    signal.signal(signal.SIGCHLD, _reap)
    gc.freeze()  # imported objects stay put: no collector passes over them in the kernels
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    conn, _ = listener.accept()
    listener.close()
    with conn, conn.makefile("rwb") as stream:
        for line in stream:
            request = json.loads(line)
            server = os.getpid()
            pid = os.fork()
            if pid == 0:
                stream.close()
                conn.close()
                _become_kernel(request, server, lifeline)
            stream.write(json.dumps({"pid": pid}).encode() + b"\n")
            stream.flush()


class ForkServer:
    """Client side: starts the server process lazily and asks it for kernels.

    Thread-safe; requests are answered one at a time (a fork takes
    milliseconds). Use :meth:`close` (or ``with``) to stop the server.

    Args:
        folder: A private folder for the socket and the server's log.
        cwd: Working directory of the server process.
        env: Environment of the server process (default: this one).
        timeout: Seconds to wait for the server to be ready.
        shell: The server will fork shell kernels: it does not preload ipykernel
            (a Jupyter kernel forked from it imports ipykernel itself).
    """

    def __init__(
        self,
        folder: Path,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
        shell: bool = False,
    ):
        self.shell = shell
        self.folder = Path(folder)
        self.socket_path = self.folder / f"fork-{uuid.uuid4().hex[:8]}.sock"
        self.log = self.folder / "forkserver.log"
        self._cwd, self._env, self._timeout = cwd, env, timeout
        self._proc: subprocess.Popen | None = None
        self._stream: Any = None
        self._conn: socket.socket | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._lifeline: int | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id once it has been started, else ``None``."""
        return None if self._proc is None else self._proc.pid

    def _start(self) -> None:
        read_end, self._lifeline = os.pipe()  # both close-on-exec; read_end is passed on
        try:
            with open(self.log, "ab") as sink:
                self._proc = subprocess.Popen(
                    [sys.executable, "-Xfrozen_modules=off", "-m", __name__,
                     str(self.socket_path), str(read_end), *(["--shell"] * self.shell)],
                    cwd=str(self._cwd or os.getcwd()),
                    env=self._env,
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=sink,
                    start_new_session=True,
                    pass_fds=(read_end,),
                )  # fmt: skip
        finally:
            os.close(read_end)
        deadline = time.monotonic() + self._timeout
        while True:
            if self._closed:  # killed while starting
                self._proc.kill()
                raise ForkServerError("内核分叉服务已关闭 (fork server is closed)")
            if self._proc.poll() is not None:
                raise ForkServerError(f"内核分叉服务启动失败: {last_line(self.log)}")
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(str(self.socket_path))
                break
            except OSError:
                conn.close()
                if time.monotonic() > deadline:
                    raise ForkServerError("内核分叉服务启动超时 (fork server timed out)") from None
                time.sleep(0.02)
        self._conn, self._stream = conn, conn.makefile("rwb")

    def start(self) -> None:
        """Start the server now and wait until it answers (a no-op once started or closed).

        Its imports then overlap whatever the caller does meanwhile (e.g. planning
        a batch in another thread). A server that fails to start is left for
        :meth:`fork` to try again and report.
        """
        with self._lock:
            if self._closed or self._stream is not None:
                return
            with contextlib.suppress(ForkServerError):
                self._start()

    def fork(
        self, args: list[str], env: dict[str, str], cwd: str, log: str, *, shell: str = ""
    ) -> int:
        """Fork an ipykernel with ``args``, or with ``shell`` (a socket's path) a shell kernel.

        Returns the child's process id.

        Raises:
            ForkServerError: If the server cannot be started or stops answering.
        """
        request = {"args": list(args), "env": dict(env), "cwd": str(cwd), "log": str(log)}
        request.update({"shell": shell} if shell else {})
        with self._lock:
            if self._closed:
                raise ForkServerError("内核分叉服务已关闭 (fork server is closed)")
            if self._stream is None:
                self._start()
            try:
                self._stream.write(json.dumps(request).encode() + b"\n")
                self._stream.flush()
                answer = self._stream.readline()
            except OSError as exc:
                raise ForkServerError(f"内核分叉服务无响应: {exc}") from None
        if not answer:
            raise ForkServerError(f"内核分叉服务已退出: {last_line(self.log)}")
        return int(json.loads(answer)["pid"])

    def close(self) -> None:
        """Stop the server (kernels it forked exit when they see it gone)."""
        with self._lock:
            self._closed = True
            for thing in (self._stream, self._conn):
                if thing is not None:
                    with contextlib.suppress(OSError):
                        thing.close()
            proc, self._stream, self._conn = self._proc, None, None
            lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            os.close(lifeline)
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        with contextlib.suppress(OSError):
            self.socket_path.unlink()

    def kill(self) -> None:
        """Stop the server at once (SIGKILL); its kernels die with it.

        Does not wait, not even for the lock a request or the server's start holds:
        a start still under way sees :attr:`_closed` and stops the server itself.
        """
        self._closed = True
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.kill()
        with contextlib.suppress(OSError):
            self.socket_path.unlink()

    def reap(self, timeout: float = 5) -> None:
        """Wait (at most ``timeout`` seconds) for a server stopped by :meth:`kill` to exit."""
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":  # pragma: no cover
    serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None, "--shell" not in sys.argv)
