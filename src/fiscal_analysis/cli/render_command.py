"""``render``: one leadership report per department and year, and the index."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fiscal_analysis.cli.common import (
    DATA_OPTION,
    DECIMALS_OPTION,
    NonEmptyPath,
    echo,
    fail,
    interrupted,
)
from fiscal_analysis.errors import FiscalAnalysisError
from fiscal_analysis.files import writable_folder
from fiscal_analysis.render.reports import DEFAULT_NOTEBOOK, KERNELS

__all__ = ["render"]


@click.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_dir",
    type=NonEmptyPath(path_type=Path, file_okay=False),
    default=Path("reports"),
    show_default=True,
    help="报告输出目录 (output folder).",
)
@click.option(
    "--notebook",
    type=NonEmptyPath(path_type=Path, dir_okay=False, what="报告笔记本"),
    default=DEFAULT_NOTEBOOK,
    show_default=True,
    help="报告笔记本 (report notebook).",
)
@click.option(
    "--entity",
    "entities",
    multiple=True,
    help="只生成这些单位，可重复；默认全部 (entity id or name).",
)
@click.option(
    "--year", "years", multiple=True, type=int, help="只生成这些年度，可重复；默认全部 (year)."
)
@DECIMALS_OPTION
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="并行数；默认为 CPU 核数 (workers)."
)
@click.option("--force", is_flag=True, help="输入未变化也重新生成 (re-render unchanged reports).")
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="在 Dask 集群上生成：调度器地址，或 local:N 在本机启动 N 个工作进程；"
    "此时不用 --jobs (render on a dask.distributed cluster; --jobs is not used).",
)
@click.option(
    "--kernel",
    type=click.Choice(KERNELS),
    default=KERNELS[0],
    show_default=True,
    help="每份报告的内核：shell 为派生的 IPython 进程（更快，仅 Linux，其他系统用 jupyter），"
    "jupyter 为 ipykernel (kernel per report: shell = forked IPython shell, faster, "
    "Linux only; jupyter = ipykernel).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="同时生成 report.pdf（A4，需要 Chromium） (also print each report to PDF).",
)
def render(
    data_dir: Path,
    out_dir: Path,
    notebook: Path,
    entities: tuple[str, ...],
    years: tuple[int, ...],
    decimals: int,
    jobs: int | None,
    force: bool,
    scheduler: str | None,
    kernel: str,
    pdf: bool,
) -> None:
    """批量生成报告：每个单位年度一份笔记本和领导版 HTML (render reports).

    The notebook gets the parameters entity, year, data and, when it declares
    it, decimals; a notebook lacking entity, year or data is refused. An
    index of all reports goes to OUT/index.html; with --pdf each report is also
    printed to report.pdf (A4) by headless Chromium. With --scheduler the
    reports are rendered by the workers of a Dask cluster, which must see the
    data, notebook and output folders at the same paths. Each report runs in a
    new process of its own; --kernel jupyter runs it in an ipykernel, for a
    notebook that needs widgets, input() or IPython profile start-up files.
    """
    import contextlib

    from fiscal_analysis.render.reports import render_reports

    try:
        writable_folder(out_dir)  # named before any work
        with contextlib.ExitStack() as stack:
            executor = None
            if scheduler:
                from fiscal_analysis.render.cluster import ClusterExecutor

                cluster = ClusterExecutor(scheduler, data_dir, out_dir, notebook, kernel)
                executor = stack.enter_context(cluster)
            batch = render_reports(
                data_dir,
                out_dir,
                notebook=notebook,
                entities=entities or None,
                years=years or None,
                decimals=decimals,
                jobs=jobs,
                force=force,
                executor=executor,
                pdf=pdf,
                kernel=kernel,
            )
    except (FiscalAnalysisError, OSError) as exc:
        fail(exc)
    except KeyboardInterrupt:
        interrupted()
    echo(batch.summary())
    sys.exit(batch.exit_code)
