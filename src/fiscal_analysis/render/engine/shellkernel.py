"""A report kernel without Jupyter's messaging: an IPython shell in a forked process.

A Jupyter kernel answers every cell with a dozen ZeroMQ messages, each one
signed, serialised and, on the client's side, validated against the notebook
schema; for a report of 16 cells that machinery cost about a third of a
CPU-second, a third of the analysis itself. A *shell kernel* is the same
fresh process, forked from the same pre-imported server
(:mod:`.forkserver`), running the same IPython shell (magics, display
formatters, the inline matplotlib backend, ``get_ipython()``), but it takes
its cells over one Unix socket and answers each with one JSON line: the
cell's outputs as nbformat dicts, its execution count and its status.

Each report still gets a new process of its own, never reused: its own memory,
shell and user namespace, execution counts from 1. What differs from an
ipykernel: no comms or widgets, no ``input()`` (stdin is ``/dev/null``), no
interrupt (a cell past its timeout kills the process), no IPython profile
start-up files, and output written to the process's file descriptors by C
code or subprocesses goes to the kernel's log rather than into the notebook.
Notebooks that need any of that run in a Jupyter kernel (``KernelPool(...,
shell=False)``; other kernel specs always do).

Protocol (one JSON object per line, UTF-8): the client listens on a Unix
socket in its private folder and asks the fork server for a child, which
connects and sends ``{"pid", "language_info"}``. Then the client sends
``{"op": "run", "code", "silent"}`` and reads ``{"status", "execution_count",
"outputs", "ename", "evalue"}``; ``{"op": "exit"}`` or the socket's end stops
the child.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import NotebookRunError, RenderError
from fiscal_analysis.files import last_line
from fiscal_analysis.render.engine.forkserver import ForkServer
from fiscal_analysis.render.engine.provisioner import ForkedProcess
from fiscal_analysis.render.engine.server import peer_pid

__all__ = ["ShellKernel", "start_shell_kernel"]


class ShellKernel:
    """A started shell kernel, seen from the process that renders: run cells, stop it.

    Made by :func:`start_shell_kernel`. Not thread-safe: one report uses it.
    """

    manager = None  # not a Jupyter kernel: there is no kernel manager

    def __init__(
        self,
        conn: socket.socket,
        reader: Any,
        process: ForkedProcess,
        log: Path,
        language_info: dict,
    ):
        self._conn = conn
        self._reader = reader
        self.process = process
        self.log = log
        self.language_info = language_info

    @property
    def pid(self) -> int:
        """The kernel's process id."""
        return self.process.pid

    def stderr_tail(self) -> str:
        """The last non-empty line the kernel process wrote to its file descriptors."""
        return last_line(self.log)

    def run(self, code: str, *, timeout: float | None = None, silent: bool = False) -> dict:
        """Run one cell; returns the child's reply (see the module docstring).

        Raises:
            CellTimeoutError: The cell ran longer than ``timeout`` seconds (the
                kernel is killed).
            DeadKernelError: The kernel process ended while the cell ran.
        """
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        request = {"op": "run", "code": code, "silent": silent}
        try:
            self._conn.settimeout(timeout)
            self._conn.sendall(json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n")
            line = self._reader.readline()
        except TimeoutError:
            self.kill()
            raise CellTimeoutError(f"单元格运行超过 {timeout} 秒 (cell timed out)") from None
        except OSError as exc:
            line = b""
            reason = str(exc)
        else:
            reason = ""
        if not line:
            self.kill()
            tail = self.stderr_tail()
            raise DeadKernelError(f"内核已退出 (kernel died) {reason} {tail}".strip())
        return json.loads(line.decode("utf-8", "replace"))

    def shutdown(self) -> None:
        """Tell the kernel to exit and close the connection (it exits at the socket's end)."""
        with contextlib.suppress(OSError):
            self._conn.settimeout(1)
            self._conn.sendall(b'{"op": "exit"}\n')
        with contextlib.suppress(OSError):
            self._reader.close()
            self._conn.close()

    def kill(self) -> None:
        """SIGKILL the kernel process if it still runs, and close the connection."""
        self.process.kill()
        with contextlib.suppress(OSError):
            self._reader.close()
            self._conn.close()


def start_shell_kernel(
    socket_dir: Path,
    server: ForkServer,
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    warmup: str = "",
    timeout: float = 60,
) -> ShellKernel:
    """Fork a shell kernel from ``server`` and run ``warmup`` in it silently.

    Raises:
        ForkServerError: The fork server could not be started or asked.
        NotebookRunError: The kernel did not start, or its warm-up failed.
    """
    tag = uuid.uuid4().hex[:10]
    path = socket_dir / f"shell-{tag}.sock"
    log = socket_dir / f"{tag}.log"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        listener.listen(1)
        listener.settimeout(0.05)
        pid = server.fork([], env, str(cwd or os.getcwd()), str(log), shell=str(path))
        process = ForkedProcess(pid)
        deadline = time.monotonic() + timeout
        while True:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise NotebookRunError(
                        "KernelStartError", f"内核启动失败: {last_line(log)}".strip()
                    ) from None
                continue
            if peer_pid(conn) in (pid, None):
                break
            conn.close()  # somebody else: not our kernel
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            path.unlink()
    try:
        conn.settimeout(timeout)
        reader = conn.makefile("rb")
        hello = json.loads((reader.readline() or b"null").decode("utf-8", "replace"))
        if not isinstance(hello, dict):
            raise NotebookRunError("KernelStartError", f"内核启动失败: {last_line(log)}".strip())
        info = hello.get("language_info") or {"name": "python"}
        kernel = ShellKernel(conn, reader, process, log, info)
        if warmup:
            reply = kernel.run(warmup, timeout=timeout, silent=True)
            if reply.get("status") != "ok":
                raise NotebookRunError(
                    reply.get("ename", "Error"), f"预热失败: {reply.get('evalue', '')}"
                )
    except BaseException as exc:
        process.kill()
        with contextlib.suppress(OSError):
            conn.close()
        if isinstance(exc, RenderError) or not isinstance(exc, Exception):
            raise
        raise NotebookRunError(
            type(exc).__name__, f"内核启动失败: {exc} {last_line(log)}".strip()
        ) from exc
    return kernel
