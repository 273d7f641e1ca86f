"""Test helper: run a program in a new pseudo-terminal and read everything it prints."""

from __future__ import annotations

import os
import pty


def run_in_terminal(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and output of ``argv`` run with a pty as its terminal (POSIX only).

    A fresh pty reports a 0 × 0 window, as ``script``, CI runners and ssh without
    a pty size do: what a user sees there is what this returns.
    """
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(argv[0], argv, env if env is not None else dict(os.environ))
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", errors="replace")
