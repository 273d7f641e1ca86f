"""Headless Chromium over the DevTools protocol, on a pipe: no network port, no downloads.

:class:`DevTools` starts the system's Chromium (Debian's ``chromium`` package)
with ``--remote-debugging-pipe`` (NUL-separated JSON on file descriptors 3 and
4), opens pages offline, evaluates JavaScript, takes screenshots and prints
PDFs (``Page.printToPDF``, which honours the report's ``@page`` rules: A4, the
running header and page numbers). ``render --pdf`` and the browser tests use it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

from fiscal_analysis.errors import RenderError

__all__ = ["FLAGS", "DevTools", "find_chromium"]

#: Flags for a quiet, offline, headless Chromium.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--window-size=1024,900",
]


def find_chromium() -> str:
    """The path of Chromium on this machine.

    Raises:
        RenderError: If there is none, with how to install it.
    """
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RenderError(
            "找不到 Chromium，无法生成 PDF；请安装后重试：apt-get install --no-install-recommends "
            "chromium (Chromium is needed for PDF output)"
        )
    return found


def _high_fd(fd: int) -> int:
    """A copy of ``fd`` numbered 10 or above (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class DevTools:
    """A minimal Chrome DevTools protocol client over --remote-debugging-pipe."""

    def __init__(self, profile: Path):
        to_chrome, self._out = os.pipe()
        self._in, from_chrome = os.pipe()
        # move them above 3 and 4 first, so the shim's dup2 cannot clobber them
        to_chrome, from_chrome = (_high_fd(fd) for fd in (to_chrome, from_chrome))
        # a tiny exec shim puts them on fds 3 and 4, where Chromium expects the pipe
        shim = (
            f"import os, sys; os.dup2({to_chrome}, 3); os.dup2({from_chrome}, 4); "
            "os.execv(sys.argv[1], sys.argv[1:])"
        )
        args = [*FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", shim, find_chromium(), *args],
            pass_fds=(to_chrome, from_chrome),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer")
            ready, _, _ = select.select([self._in], [], [], remaining)
            if ready:
                chunk = os.read(self._in, 1 << 16)
                if not chunk:
                    raise EOFError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        deadline = time.monotonic() + 60
        seen = (
            e for e in self.events if e.get("method") == method and e.get("sessionId") == session
        )
        event = next(seen, None)
        while event is None:
            message = self._receive(deadline)
            self.events.append(message)
            if message.get("method") == "Page.javascriptDialogOpening":  # recorded; dismiss it
                self.send("Page.handleJavaScriptDialog", {"accept": True}, message.get("sessionId"))
            if message.get("method") == method and message.get("sessionId") == session:
                event = message
        return event

    def load(self, page: Path) -> tuple[str, str]:
        """Load ``page`` in a new tab, offline; its session and target ids once it has loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attach = {"targetId": target, "flatten": True}
        session = self.send("Target.attachToTarget", attach)["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Network.enable"):
            self.send(domain, session=session)
        offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        self.send("Network.emulateNetworkConditions", offline, session)
        self.send("Page.navigate", {"url": page.resolve().as_uri()}, session)
        self.wait_for("Page.loadEventFired", session)
        self.evaluate(session, "document.fonts.ready.then(() => JSON.stringify({}))")
        return session, target

    def close_tab(self, target: str) -> None:
        """Close a tab opened by :meth:`load`."""
        self.send("Target.closeTarget", {"targetId": target})

    def open(self, page: Path, state_js: str = "JSON.stringify({})") -> tuple[str, dict, bytes]:
        """Load ``page`` offline; its session, ``state_js``'s result (once fonts load), a PNG."""
        session, _ = self.load(page)
        state = self.evaluate(session, f"document.fonts.ready.then(() => {state_js})")
        return session, state, self.screenshot(session, full=True)

    def evaluate(self, session: str, expression: str) -> dict:
        """Evaluate ``expression`` (a promise of a JSON string) in the page; return the object."""
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        result = self.send("Runtime.evaluate", params, session)
        return json.loads(result["result"]["value"])

    def platform_fonts(self, session: str, selector: str) -> list[dict]:
        """The fonts Chromium drew the first ``selector`` element's text with, and glyph counts."""
        self.send("DOM.enable", session=session)
        self.send("CSS.enable", session=session)
        root = self.send("DOM.getDocument", session=session)["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": selector}, session)
        fonts = self.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]}, session)
        return fonts["fonts"]

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError, TimeoutError, RuntimeError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._in)
        os.close(self._out)

    def viewport(self, session: str, width: int, height: int, mobile: bool = False) -> None:
        """Emulate a screen of ``width`` × ``height`` CSS pixels (a phone with ``mobile``)."""
        params = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
        self.send("Emulation.setDeviceMetricsOverride", params, session)

    def screenshot(self, session: str, full: bool = False) -> bytes:
        """A PNG of the viewport (or of the whole page with ``full``)."""
        params = {"format": "png", "captureBeyondViewport": full}
        return base64.b64decode(self.send("Page.captureScreenshot", params, session)["data"])

    def print_pdf(self, session: str) -> bytes:
        """The page printed as the reader's browser would, with the page's own ``@page`` size."""
        params = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
        return base64.b64decode(self.send("Page.printToPDF", params, session)["data"])
