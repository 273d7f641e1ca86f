"""What every command shares: the common options, and how messages and errors are printed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from fiscal_analysis.errors import printable, user_message

__all__ = [
    "CACHE_OPTION",
    "DATA_OPTION",
    "DECIMALS_OPTION",
    "NonEmptyPath",
    "echo",
    "fail",
    "interrupted",
]


class NonEmptyPath(click.Path):
    """A path option as :class:`click.Path`, but an empty or blank one is refused: it would
    mean the current folder (``--data ""`` would load whatever is there).

    Args:
        what: What the option names, for the message (default 输出路径).
    """

    def __init__(self, *args: object, what: str = "输出路径", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.what = what

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, str) and not value.strip():
            self.fail(f"不能为空；请给出{self.what} (must not be empty)", param, ctx)
        return super().convert(value, param, ctx)


DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=NonEmptyPath(path_type=Path, what="数据目录"),
    default=Path("data"),
    show_default=True,
    help="数据目录 (dataset folder).",
)


DECIMALS_OPTION = click.option(
    "--decimals",
    default=1,
    show_default=True,
    type=click.IntRange(0, 4),
    help="百分比保留的小数位数，四舍五入 (decimals of percentages).",
)


CACHE_OPTION = click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="数据文件未变化时从已校验的缓存读取 (reuse the validated cache).",
)


def echo(text: str, err: bool = False, json: bool = False) -> None:
    """Print text quoting data, control characters escaped (errors.printable); in JSON, DEL
    and C1 controls (which ``json.dumps`` leaves raw) become ``\\u`` escapes."""
    if json:
        text = re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m[0]):04x}", text)
    click.echo(text if json else printable(text, "\n\t"), err=err)


def fail(exc: Exception) -> None:
    """Print a user error without a traceback (an OSError: its path and reason) and exit 1."""
    echo(user_message(exc), err=True)
    sys.exit(1)


def interrupted() -> None:
    """Ctrl-C during a render: say so and exit 130 now, without waiting for running reports.

    The batch has already killed its kernels; report folders change all at once, so
    leaving the threads that were writing one is safe (see render.folders).
    """
    import os
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt this
    click.echo(
        "\n已中断，未完成的报告保持原样 (interrupted; unfinished reports left as they were)",
        err=True,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)
