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
import io
import json
import os
import socket
import struct
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import NotebookRunError, RenderError
from fiscal_analysis.files import last_line
from fiscal_analysis.render.engine.provisioner import ForkedProcess

__all__ = ["ShellKernel", "serve_shell", "start_shell_kernel"]


# ----------------------------------------------------------------- the child's side


class _Outputs:
    """The outputs of the cell being run, in nbformat's shape (built in the child)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._clear_next = False

    def add(self, output: dict[str, Any]) -> None:
        if self._clear_next:
            self.items.clear()
            self._clear_next = False
        self.items.append(output)

    def stream(self, name: str, text: str) -> None:
        if self._clear_next:
            self.items.clear()
            self._clear_next = False
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text  # as a notebook shows consecutive writes: one block
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def clear(self, wait: bool) -> None:
        if wait:
            self._clear_next = True
        else:
            self.items.clear()

    def take(self) -> list[dict[str, Any]]:
        items, self.items, self._clear_next = self.items, [], False
        return items


_OUT = _Outputs()


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of a shell kernel: text becomes ``stream`` outputs."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name  # type: ignore[misc]

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            _OUT.stream(self.name, text)
        return len(text)


def _make_shell() -> Any:
    """The child's IPython shell: outputs go to :data:`_OUT`; no history is written."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):  # type: ignore[no-untyped-def]
            output = {
                "output_type": "update_display_data" if update else "display_data",
                "data": data,
                "metadata": metadata or {},
            }
            if transient:
                output["transient"] = transient
            _OUT.add(output)

        def clear_output(self, wait=False):  # type: ignore[no-untyped-def]
            _OUT.clear(wait)

    class Hook(DisplayHook):
        _result: dict[str, Any] | None = None

        def start_displayhook(self) -> None:
            self._result = {
                "output_type": "execute_result",
                "execution_count": self.prompt_count,
                "data": {},
                "metadata": {},
            }

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict, md_dict=None):  # type: ignore[no-untyped-def]
            if self._result is not None:
                self._result["data"] = format_dict
                self._result["metadata"] = md_dict or {}

        def finish_displayhook(self) -> None:
            result, self._result = self._result, None
            if result is not None and result["data"]:
                _OUT.add(result)

    class Shell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):  # type: ignore[no-untyped-def]
            _OUT.add(
                {
                    "output_type": "error",
                    "ename": str(getattr(etype, "__name__", etype)),
                    "evalue": str(evalue),
                    "traceback": list(stb),
                }
            )

    config = Config()
    config.HistoryManager.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    return Shell.instance(config=config, display_pub_class=Publisher, displayhook_class=Hook)


def _language_info() -> dict[str, Any]:
    return {
        "name": "python",
        "version": sys.version.split()[0],
        "mimetype": "text/x-python",
        "codemirror_mode": {"name": "ipython", "version": 3},
        "pygments_lexer": "ipython3",
        "nbconvert_exporter": "python",
        "file_extension": ".py",
    }


def _run(shell: Any, code: str, silent: bool) -> dict[str, Any]:
    _OUT.take()
    count = shell.execution_count
    result = shell.run_cell(code, store_history=not silent, silent=silent)
    error = result.error_before_exec or result.error_in_exec
    reply: dict[str, Any] = {
        "status": "ok" if error is None else "error",
        "execution_count": None if silent else count,
        "outputs": _OUT.take(),
    }
    if error is not None:
        reply.update(ename=type(error).__name__, evalue=str(error))
    return reply


def serve_shell(path: str) -> None:  # pragma: no cover - runs in the forked child
    """In a forked child: connect to ``path``, then run cells until told to stop."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    reader, writer = conn.makefile("rb"), conn.makefile("wb")

    def send(message: dict[str, Any]) -> None:
        writer.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
        writer.flush()

    if sys.path[:1] != [""]:
        sys.path.insert(0, "")  # as a kernel does: the notebook's folder is importable
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    shell = _make_shell()
    send({"pid": os.getpid(), "language_info": _language_info()})
    for line in reader:
        request = json.loads(line)
        if request.get("op") != "run":
            break
        send(_run(shell, request["code"], bool(request.get("silent"))))


# ---------------------------------------------------------------- the client's side


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
        return json.loads(line)

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


def _peer_pid(conn: socket.socket) -> int | None:
    with contextlib.suppress(AttributeError, OSError):
        raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", raw)[0]
    return None  # pragma: no cover - not Linux


def start_shell_kernel(
    socket_dir: Path,
    server: Any,
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    warmup: str = "",
    timeout: float = 60,
) -> ShellKernel:
    """Fork a shell kernel from ``server`` and run ``warmup`` in it silently.

    ``server`` is a :class:`~.forkserver.ForkServer` (not imported here: the
    fork server imports this module).

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
            if _peer_pid(conn) in (pid, None):
                break
            conn.close()  # somebody else: not our kernel
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            path.unlink()
    try:
        conn.settimeout(timeout)
        reader = conn.makefile("rb")
        hello = json.loads(reader.readline() or b"null")
        if not isinstance(hello, dict):
            raise NotebookRunError("KernelStartError", f"内核启动失败: {last_line(log)}".strip())
        info = hello.get("language_info") or _language_info()
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
