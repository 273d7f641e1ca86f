"""Test helper: run a program as the unprivileged user nobody, when this machine allows it."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

import pytest

#: The uid and gid of nobody.
NOBODY = 65534


@functools.cache
def _prefix() -> tuple[list[str] | None, str]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None, "needs root to switch to an unprivileged user"
    if shutil.which("setpriv"):
        prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    elif shutil.which("runuser"):
        prefix = ["runuser", "-u", "nobody", "--"]
    else:
        return None, "neither setpriv nor runuser"
    # an interpreter installed under root's home (pyenv's shared libpython) cannot start as nobody
    probe = subprocess.run([*prefix, sys.executable, "-c", "pass"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None, f"this Python cannot run as nobody: {probe.stderr.strip()[:200]}"
    return prefix, ""


def as_nobody() -> list[str]:
    """A command prefix that runs a program as nobody; skips the test where that is impossible."""
    prefix, why = _prefix()
    if prefix is None:
        pytest.skip(why)
    return list(prefix)
