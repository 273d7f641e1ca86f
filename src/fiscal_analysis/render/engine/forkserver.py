"""A fork server for kernels: pay the imports once per batch, not once per report.

A fresh Python kernel spends about two CPU-seconds importing IPython, pandas,
matplotlib and this package before a report's first cell can run. The fork
server is one process that imports all of that (and loads the chart font)
once, then forks a child for every kernel asked for. Each child is a
brand-new process, not a reused kernel: its own memory, IPython shell and user
namespace, execution counts from 1, and the ``parameters`` of one report only.

Protocol: the client (:class:`ForkServer`) starts ``python -m
fiscal_analysis.render.engine.server SOCKET LIFELINE [--shell]`` in a new
session and connects to the Unix socket; each request is one JSON line
``{"args", "env", "cwd", "log"[, "shell"]}``, the answer one JSON line
``{"pid": …}``. The child calls :func:`os.setsid`, restores default signal
handling, sends its output to ``log`` and becomes a shell kernel connected to
the ``shell`` socket (:mod:`fiscal_analysis.render.engine.shell`) or an
ipykernel with ``args`` (``-f <connection file>``). When the client that started
it closes the connection (end of the batch) the server exits. Other clients
may connect to a running server (``ForkServer(..., address=...)``): the
workers of a ``local:N`` Dask cluster use the one their batch started.

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
import json
import os
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

__all__ = ["ForkServer", "available"]

_SERVER = "fiscal_analysis.render.engine.server"


def available() -> bool:
    """Whether kernels can be forked from a server on this platform (Linux only).

    Examples:
        >>> isinstance(available(), bool)
        True
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class ForkServer:
    """Client side: starts the server process lazily and asks it for kernels.

    Thread-safe; requests are answered one at a time (a fork takes
    milliseconds). Use :meth:`close` (or ``with``) to stop the server.

    With ``address`` (the :attr:`socket_path` of a server another process
    started, on this machine) nothing is started: the client connects there
    and :meth:`close` or :meth:`kill` only disconnect; the server and the
    kernels it forked live as long as the process that started it.

    Args:
        folder: A private folder for the socket and the server's log.
        cwd: Working directory of the server process.
        env: Environment of the server process (default: this one).
        timeout: Seconds to wait for the server to be ready.
        shell: The server will fork shell kernels: it does not preload ipykernel
            (a Jupyter kernel forked from it imports ipykernel itself).
        address: Use the running server listening there instead of starting one.
    """

    def __init__(
        self,
        folder: Path,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
        shell: bool = False,
        address: str | None = None,
    ):
        self.shell = shell
        self.folder = Path(folder)
        self.shared = address is not None
        name = f"fork-{uuid.uuid4().hex[:8]}.sock"
        self.socket_path = Path(address) if address is not None else self.folder / name
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
        if self.shared:
            return self._connect(None)
        read_end, self._lifeline = os.pipe()  # both close-on-exec; read_end is passed on
        try:
            with open(self.log, "ab") as sink:
                self._proc = subprocess.Popen(
                    [sys.executable, "-Xfrozen_modules=off", "-m", _SERVER,
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
        self._connect(self._proc)

    def _connect(self, proc: subprocess.Popen | None) -> None:
        """Connect to the server's socket once it listens (``proc``: the server we started)."""
        deadline = time.monotonic() + self._timeout
        while True:
            if self._closed:  # killed while starting
                if proc is not None:
                    proc.kill()
                raise ForkServerError("内核分叉服务已关闭 (fork server is closed)")
            if proc is not None and proc.poll() is not None:
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
        if not self.shared:
            with contextlib.suppress(OSError):
                self.socket_path.unlink()

    def kill(self) -> None:
        """Stop the server at once (SIGKILL); its kernels die with it.

        Does not wait, not even for the lock a request or the server's start holds:
        a start still under way sees :attr:`_closed` and stops the server itself.
        A shared server is not ours to stop: this only disconnects from it.
        """
        self._closed = True
        proc, conn = self._proc, self._conn
        if self.shared:
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            return
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
