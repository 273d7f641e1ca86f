"""``fiscal-analysis``: a thin click command line that delegates to the library.

One vocabulary: ``--data`` (the dataset folder, default ``data``), ``--entity``
(an entity id, or its full name where one is looked up), ``--year`` and
``--decimals`` (decimals of percentages, default 1) mean the same in every
command that takes them, and the report notebooks' parameters carry the same
names (``data``, ``entity``, ``year``, ``decimals``).

Exit codes:
    0  success (clean data, every report rendered, no error findings);
    1  the data or a result has problems (validation errors, failed reports,
       error findings);
    2  the command was used wrongly (click's usage errors);
    130  interrupted (Ctrl-C); ``render`` stops at the first one, leaving every
       report folder whole.

The commands live one module per kind (:mod:`.data_commands`: validate, summary,
check, export; :mod:`.extract_command`; :mod:`.render_command`), sharing the options
and the message printing of :mod:`.common`. The command line may import every other
part of the package (it is the top of the data flow); nothing imports it.
"""

from __future__ import annotations

import sys

import click

from fiscal_analysis.cli.common import echo
from fiscal_analysis.cli.data_commands import check, export, summary, validate
from fiscal_analysis.cli.extract_command import extract
from fiscal_analysis.cli.render_command import render
from fiscal_analysis.errors import printable
from fiscal_analysis.files import VERSION

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="fiscal-analysis")
def cli() -> None:
    """部门决算分析：校验数据、计算指标、生成报告 (department final accounts)."""


for command in (validate, summary, check, render, extract, export):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point: usage errors exit 2, Ctrl-C exits 130."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C or EOF at a prompt
        echo("已中断 (interrupted)", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.message = printable(exc.message, keep="\n\t")
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
