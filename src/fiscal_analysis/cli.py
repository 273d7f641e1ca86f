"""``fiscal-analysis``: a thin click command line that delegates to the library.

Exit codes:
    0  success (clean data, every report rendered, no error findings);
    1  the data or a result has problems (validation errors, failed reports,
       error findings);
    2  the command was used wrongly (click's usage errors).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .exceptions import DataValidationError, FiscalAnalysisError

__all__ = ["main"]

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=Path("data"),
    show_default=True,
    help="数据目录 (dataset folder).",
)


def _fail(exc: Exception) -> None:
    """Print a user error without a traceback and exit 1."""
    click.echo(str(exc), err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fiscal-analysis")
def cli() -> None:
    """部门决算分析：校验数据、计算指标、生成报告 (department final accounts)."""


@cli.command()
@DATA_OPTION
def validate(data_dir: Path) -> None:
    """校验数据目录；有问题时逐条列出并以 1 退出 (validate a dataset)."""
    from .loader import load_dataset

    try:
        ds = load_dataset(data_dir)
    except DataValidationError as exc:
        _fail(exc)
    n_facts = len(ds.facts)
    pairs = ds.pairs()
    click.echo(f"数据校验通过：{len(ds.entities)} 个单位，{len(pairs)} 个单位年度，{n_facts} 条数字。")


@cli.command()
@DATA_OPTION
@click.option("--entity", required=True, help="单位标识或全称 (entity id or name).")
@click.option("--year", required=True, type=int, help="年度 (year).")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 (machine-readable).")
@click.option("--decimals", default=1, show_default=True, type=click.IntRange(0, 4), help="百分比小数位数.")
def summary(data_dir: Path, entity: str, year: int, as_json: bool, decimals: int) -> None:
    """打印某单位某年度的主要指标 (headline metrics)."""
    from .loader import load_dataset
    from .summary import headline, render_json, render_text

    try:
        ds = load_dataset(data_dir)
        entity_id = ds.resolve(entity)
        ds.check_pair(entity_id, year)
        result = headline(ds, entity_id, year, decimals=decimals)
    except FiscalAnalysisError as exc:
        _fail(exc)
    click.echo(render_json(result) if as_json else render_text(result))


def main() -> None:
    """Console-script entry point."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        click.echo("已中断 (interrupted)", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
