"""The fork server process: import once, then fork a fresh kernel per request.

Started by :class:`~fiscal_analysis.render.engine.forkserver.ForkServer` as
``python -m fiscal_analysis.render.engine.server SOCKET LIFELINE [--shell]``
(see that module for the protocol and the guarantees). It imports
:data:`PRELOAD` (and, unless ``--shell``, :data:`JUPYTER_PRELOAD`), draws each
chart kind once, then serves its clients: the one that started it, and any
other process of the same user that connects (the workers of a ``local:N``
Dask cluster share their batch's server). Each request forks a child that
becomes a shell kernel (:mod:`.shell`) or an ipykernel; the server ends when
the client that started it disconnects or its lifeline pipe closes.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
from typing import Any

__all__ = ["JUPYTER_PRELOAD", "PRELOAD", "die_with_parent", "peer_pid", "serve"]

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
    "fiscal_analysis.report.first_screen",
    "fiscal_analysis.report.appendix",
    "fiscal_analysis.charts.figures",
    "fiscal_analysis.render.engine.shell",
    "pyarrow.pandas_compat",  # what a report's first CSV read imports
    "encodings.gb18030",
)

#: Also imported by a server that forks Jupyter kernels (about 280 more modules, none
#: of which a shell kernel uses). ``ipykernel.debugger`` pulls in debugpy (about 150
#: modules, 0.1 CPU-s a kernel otherwise).
JUPYTER_PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger")


def _preload(jupyter: bool = True) -> None:
    """Import :data:`PRELOAD` (and :data:`JUPYTER_PRELOAD`); draw each chart kind once.

    Also reads the shipped code dictionaries: a module or cache a report needs
    is loaded here once, not in every kernel.
    """
    import importlib

    for name in (JUPYTER_PRELOAD if jupyter else ()) + PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        from fiscal_analysis.charts.warmup import warm_up
        from fiscal_analysis.schema.classification import Classification

        warm_up()
        Classification.builtin()  # the shipped code dictionaries, read once (cached)


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


def peer_pid(conn: socket.socket) -> int | None:
    """The process id at the other end of a Unix socket (``None`` where Linux does not say)."""
    with contextlib.suppress(AttributeError, OSError):
        raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", raw)[0]
    return None  # pragma: no cover - not Linux


def _reap(signum: int, frame: Any) -> None:  # pragma: no cover - server process
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def serve(  # pragma: no cover - server process
    path: str, lifeline: int | None = None, jupyter: bool = True
) -> None:
    """Listen on the Unix socket ``path`` and fork a kernel for each request.

    ``lifeline`` is the read end of a pipe the starting client holds open: the
    server exits when it closes (see :mod:`.forkserver`), or when that client
    (the process that started this one, known by its peer credentials)
    disconnects. Others may connect too; each sends one request at a time and
    waits for its answer. ``jupyter`` preloads ipykernel too (a server for
    shell kernels does not need it).
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
    listener.listen(16)
    starter, owner = os.getppid(), None
    streams: dict[Any, Any] = {}
    with selectors.DefaultSelector() as selector:
        selector.register(listener, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                sock = key.fileobj
                if sock is listener:
                    conn, _ = listener.accept()
                    if owner is None and peer_pid(conn) == starter:
                        owner = conn
                    streams[conn] = conn.makefile("rwb")
                    selector.register(conn, selectors.EVENT_READ)
                    continue
                stream = streams[sock]
                line = stream.readline()
                if not line:
                    if sock is owner:
                        return
                    selector.unregister(sock)
                    del streams[sock]
                    stream.close()
                    sock.close()
                    continue
                _fork(json.loads(line), stream, streams, listener, lifeline)


def _fork(  # pragma: no cover - server process
    request: dict[str, Any],
    stream: Any,
    streams: dict[Any, Any],
    listener: socket.socket,
    lifeline: int | None,
) -> None:
    """Fork a kernel for ``request`` and answer with its process id on ``stream``."""
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        for conn, each in streams.items():
            each.close()
            conn.close()
        listener.close()
        _become_kernel(request, server, lifeline)
    stream.write(json.dumps({"pid": pid}).encode() + b"\n")
    stream.flush()


if __name__ == "__main__":  # pragma: no cover
    serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None, "--shell" not in sys.argv)
