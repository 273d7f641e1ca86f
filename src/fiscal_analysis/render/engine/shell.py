"""The child's side of a shell kernel: an IPython shell that runs cells sent over a socket.

Runs in a process forked by :mod:`.forkserver` (which imports this module
before it forks); :mod:`.shellkernel` is the side that sends the cells. The
shell's outputs are built as nbformat dicts where they happen: ``stream``
text from ``sys.stdout``/``sys.stderr`` (consecutive writes joined),
``display_data`` and ``update_display_data`` from the display publisher,
``execute_result`` from the display hook and ``error`` from the traceback
hook, the way ipykernel's shell makes its messages.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
from typing import Any

__all__ = ["pack", "serve_shell"]


class _Outputs:
    """The outputs of the cell being run, in nbformat's shape (built in the child)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._clear_next = False

    def _clear_if_asked(self) -> None:
        """Carry out a ``clear_output(wait=True)`` now that a new output comes."""
        if self._clear_next:
            self.items.clear()
            self._clear_next = False

    def add(self, output: dict[str, Any]) -> None:
        self._clear_if_asked()
        self.items.append(output)

    def stream(self, name: str, text: str) -> None:
        self._clear_if_asked()
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"].append(text)  # as a notebook shows consecutive writes: one block
        else:  # (joined by take(): a cell may write a great many pieces)
            self.items.append({"output_type": "stream", "name": name, "text": [text]})

    def clear(self, wait: bool) -> None:
        if wait:
            self._clear_next = True
        else:
            self.items.clear()

    def take(self) -> list[dict[str, Any]]:
        items, self.items, self._clear_next = self.items, [], False
        for item in items:
            if item["output_type"] == "stream":
                item["text"] = "".join(item["text"])
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


def pack(message: dict[str, Any]) -> bytes:
    """One message as JSON bytes, the way a Jupyter kernel packs its messages.

    Plain JSON first; anything else (bytes, dates, numpy numbers, NaN, lone
    surrogates) goes through jupyter_client's own packer, so an output reads
    as it would from an ipykernel (bytes as base64, NaN as the text ``"nan"``).

    Examples:
        >>> pack({"text/plain": "甲"})
        b'{"text/plain": "\xe7\x94\xb2"}'
        >>> pack({"image/png": b"PNG", "n": float("nan")})
        b'{"image/png": "UE5H", "n": "nan"}'
    """
    try:
        return json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        import warnings

        from jupyter_client.session import json_packer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its note on non-JSON messages is for developers
            return json_packer(message)


def serve_shell(path: str) -> None:  # pragma: no cover - runs in the forked child
    """In a forked child: connect to ``path``, then run cells until told to stop."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    reader, writer = conn.makefile("rb"), conn.makefile("wb")

    def send(message: dict[str, Any]) -> None:
        writer.write(pack(message) + b"\n")
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
