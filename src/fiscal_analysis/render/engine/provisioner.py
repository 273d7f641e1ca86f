"""A jupyter_client kernel provisioner that launches kernels through the fork server.

jupyter_client starts a kernel through a *provisioner*; the default
(``LocalProvisioner``) runs the kernel spec's command with ``Popen``. This
one hands the same arguments, environment and working directory to a
:class:`~fiscal_analysis.render.engine.forkserver.ForkServer` instead and manages the
forked process by its id, so everything else (connection file, sockets,
clients, interrupts, shutdown, clean-up) is jupyter_client's own code.

The forked kernel is not our child (the fork server is its parent), so it is
watched with a pidfd where Linux offers one (immune to process-id reuse) and
with ``kill(pid, 0)`` otherwise; its exit status is not known and reported
as 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from fiscal_analysis.render.engine.forkserver import ForkServer

__all__ = ["ForkProvisioner", "ForkedProcess"]


class ForkedProcess:
    """The part of :class:`subprocess.Popen` that jupyter_client uses, for a forked pid.

    Examples:
        >>> p = ForkedProcess(os.getpid())
        >>> p.poll() is None
        True
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self._fd = os.pidfd_open(pid)

    def _alive(self) -> bool:
        if self._fd is not None:
            readable, _, _ = select.select([self._fd], [], [], 0)
            return not readable
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # pragma: no cover - exists, not ours
            return True
        return True

    def poll(self) -> int | None:
        """``None`` while the process runs, else its (unknown, so 0) exit status."""
        if self.returncode is None and not self._alive():
            self.returncode = 0
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the process has exited."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        """Signal the process if it still runs."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the process."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM the process."""
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Launch the kernel by asking a :class:`ForkServer` to fork it.

    Set :attr:`fork_server` before the kernel manager starts the kernel
    (see :func:`fiscal_analysis.render.engine.kernels.start_kernel`).
    """

    fork_server: ForkServer | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        """Fork a kernel with the launcher arguments of ``cmd`` (``-f <connection file>``)."""
        server = self.fork_server
        if server is None:
            return await super().launch_kernel(cmd, **kwargs)
        marker = "ipykernel_launcher"
        args = cmd[cmd.index(marker) + 1 :] if marker in cmd else cmd[1:]
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        sink = kwargs.get("stdout")
        log = getattr(sink, "name", None) or os.devnull
        pid = await asyncio.to_thread(server.fork, args, env, cwd, str(log))
        self.process = ForkedProcess(pid)
        self.pid = pid
        self.pgid = pid  # the child called setsid()
        self.cwd = Path(cwd)
        return self.connection_info
