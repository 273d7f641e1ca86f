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
    2  the command was used wrongly (click's usage errors).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from fiscal_analysis.errors import DataValidationError, FiscalAnalysisError
from fiscal_analysis.files import VERSION
from fiscal_analysis.render.reports import DEFAULT_NOTEBOOK

__all__ = ["main"]

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
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


def _fail(exc: Exception) -> None:
    """Print a user error without a traceback and exit 1."""
    click.echo(str(exc), err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="fiscal-analysis")
def cli() -> None:
    """部门决算分析：校验数据、计算指标、生成报告 (department final accounts)."""


@cli.command()
@DATA_OPTION
@CACHE_OPTION
def validate(data_dir: Path, cache: bool) -> None:
    """校验数据目录；有问题时逐条列出并以 1 退出 (validate a dataset)."""
    from fiscal_analysis.dataset.load import load_dataset

    try:
        ds = load_dataset(data_dir, cache=cache)
    except DataValidationError as exc:
        _fail(exc)
    n_facts = len(ds.facts)
    pairs = ds.pairs()
    click.echo(
        f"数据校验通过：{len(ds.entities)} 个单位，{len(pairs)} 个单位年度，{n_facts} 条数字。"
    )


@cli.command()
@DATA_OPTION
@click.option("--entity", required=True, help="单位标识或全称 (entity id or name).")
@click.option("--year", required=True, type=int, help="年度 (year).")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 (machine-readable).")
@DECIMALS_OPTION
@CACHE_OPTION
def summary(
    data_dir: Path, entity: str, year: int, as_json: bool, decimals: int, cache: bool
) -> None:
    """打印某单位某年度的主要指标 (headline metrics)."""
    from fiscal_analysis.dataset.load import load_dataset
    from fiscal_analysis.report.summary import headline, render_json, render_text

    try:
        ds = load_dataset(data_dir, cache=cache)
        entity_id = ds.resolve(entity)
        ds.check_pair(entity_id, year)
        result = headline(ds.entity_year(entity_id, year), decimals=decimals)
    except FiscalAnalysisError as exc:
        _fail(exc)
    click.echo(render_json(result) if as_json else render_text(result))


@cli.command()
@click.argument("doc", required=False, type=click.Path(path_type=Path))
@DATA_OPTION
@click.option("--entity", default=None, help="单位标识或全称；默认全部 (entity id or name).")
@click.option("--year", default=None, type=int, help="年度；默认全部 (year).")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出全部结果 (machine-readable).")
@click.option("--all", "show_all", is_flag=True, help="同时列出通过的核对 (also list passes).")
@click.option("--no-text", is_flag=True, help="不做说明与原文的文字核对 (skip text checks).")
@CACHE_OPTION
def check(
    doc: Path | None,
    data_dir: Path,
    entity: str | None,
    year: int | None,
    as_json: bool,
    show_all: bool,
    no_text: bool,
    cache: bool,
) -> None:
    """勾稽核对：表内、表间及说明与表格 (reconciliation checks, reference §4).

    Checks a dataset folder (--data), or a disclosure DOC (.txt/.pdf) after
    extracting it. Exit 1 when a check finds an error, 0 otherwise.
    """
    import tempfile

    from tqdm import tqdm

    from fiscal_analysis.checks import run_checks, select_pairs
    from fiscal_analysis.dataset.load import load_dataset
    from fiscal_analysis.report.findings_table import render_json, render_table, summary_line

    given = click.get_current_context().get_parameter_source("data_dir")
    if doc is not None and given is not ParameterSource.DEFAULT:
        raise click.UsageError("请只给出 --data 数据目录或一个原文文件 DOC，不能同时给出。")
    with tempfile.TemporaryDirectory(prefix="fiscal-check-") as tmp:
        try:
            if doc is not None:
                data_dir = _extract_for_check(doc, Path(tmp), year)
            # an extracted document goes to a new temporary folder: nothing to reuse
            ds = load_dataset(data_dir, cache=cache and doc is None)
            pairs = select_pairs(ds, entity, year)
            quiet = as_json or len(pairs) < 10 or not sys.stderr.isatty()

            def bar(items):
                return tqdm(items, desc="核对", unit="单位年度", disable=quiet, file=sys.stderr)

            findings = run_checks(ds, entity, year, text_checks=not no_text, progress=bar)
        except (FiscalAnalysisError, OSError) as exc:
            _fail(exc)
    if as_json:
        click.echo(render_json(findings))
    else:
        click.echo(render_table(findings, show_all))
        click.echo(summary_line(findings))
    sys.exit(1 if any(f.is_error for f in findings) else 0)


def _extract_for_check(doc: Path, out_dir: Path, year: int | None = None) -> Path:
    """Extract a disclosure (.txt/.pdf) into ``out_dir`` so it can be checked.

    ``--year`` is the document's year here (needed for an excerpt that does not say it).
    """
    from fiscal_analysis.extract import extract_to_dir

    if doc.suffix.lower() not in (".txt", ".pdf"):
        raise click.UsageError(f"原文文件应为 .txt 或 .pdf：{doc}")
    if not doc.is_file():
        raise click.UsageError(f"找不到原文文件：{doc}")
    extract_to_dir(doc, out_dir, year=year)
    return out_dir


@cli.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports"),
    show_default=True,
    help="报告输出目录 (output folder).",
)
@click.option(
    "--notebook",
    type=click.Path(path_type=Path, dir_okay=False),
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
    help="在 Dask 集群上生成：调度器地址，或 local:N 在本机启动 N 个工作进程 "
    "(render on a dask.distributed cluster).",
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
    pdf: bool,
) -> None:
    """批量生成报告：每个单位年度一份笔记本和领导版 HTML (render reports).

    The notebook gets the parameters entity, year, data and, when it declares
    it, decimals; a notebook lacking entity, year or data is refused. An
    index of all reports goes to OUT/index.html; with --pdf each report is also
    printed to report.pdf (A4) by headless Chromium. With --scheduler the
    reports are rendered by the workers of a Dask cluster, which must see the
    data, notebook and output folders at the same paths.
    """
    import contextlib

    from fiscal_analysis.render.reports import render_reports

    try:
        with contextlib.ExitStack() as stack:
            executor = None
            if scheduler:
                from fiscal_analysis.render.cluster import ClusterExecutor

                executor = stack.enter_context(ClusterExecutor(scheduler, data_dir, out_dir))
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
            )
    except FiscalAnalysisError as exc:
        _fail(exc)
    click.echo(batch.summary())
    sys.exit(batch.exit_code)


@cli.command()
@click.argument("doc", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="输出的数据目录 (dataset folder to write).",
)
@click.option(
    "--entity",
    default=None,
    help="写入的单位标识；已有同名单位时用它的标识或全称并入 (entity id to write).",
)
@click.option(
    "--year",
    default=None,
    type=int,
    help="年度；文件（如节选）未写明年度时必须给出 (the year, for a document without one).",
)
@click.option("--entity-id", "old_entity", default=None, hidden=True)  # deprecated: --entity
def extract(
    doc: Path, out_dir: Path, entity: str | None, year: int | None, old_entity: str | None
) -> None:
    """从公开的决算文件（.txt、.pdf 或 .xlsx）提取数据集和提取报告 (extract a disclosure).

    An .xlsx is read as the nine 公开表 laid out as printed (sheets and columns
    found by their titles); the workbook goes to raw/ as published.

    Into a new folder DIR: the dataset, the document's text in raw/ and the
    extraction report. Into an existing dataset (DIR has entities.csv): the
    document as published goes to raw/ (no converted text), the extraction
    report beside the dataset (DIR-extraction/), and a department already in
    the data is refused unless --entity names it (its id or full name), which
    merges the new year into it.
    """
    from fiscal_analysis.dataset.load import load_dataset
    from fiscal_analysis.extract import extract_to_dir, report_data
    from fiscal_analysis.extract.into import extract_into, extract_workbook, is_dataset

    if old_entity is not None:
        if entity is not None and entity != old_entity:
            raise click.UsageError("--entity-id 是 --entity 的旧名，请只给出 --entity。")
        click.echo("提示：--entity-id 已改名为 --entity (--entity-id is deprecated)", err=True)
        entity = old_entity
    if doc.suffix.lower() == ".xlsx":
        if year is not None:
            raise click.UsageError("--year 只用于 .txt/.pdf；Excel 工作簿的年度取自表头。")
        try:
            wb, entity_id, n = extract_workbook(doc, out_dir, entity)
            load_dataset(out_dir)
        except (FiscalAnalysisError, OSError) as exc:
            _fail(exc)
        found = "、".join(f"{t}（{'有数据' if s == 'published' else '空表'}）"
                         for t, s in sorted(wb.tables.items()))  # fmt: skip
        head = f"已从 Excel 提取「{wb.name}」{wb.year}年度（{entity_id}）"
        click.echo(f"{head}：{found}；写入 {n} 条 facts。")
        click.echo(f"数据目录：{out_dir}；原表保存在 raw/ 中。")
        return
    try:
        if is_dataset(out_dir):
            ex, report_dir = extract_into(doc, out_dir, entity, year)
        else:
            ex, report_dir = extract_to_dir(doc, out_dir, entity_id=entity, year=year), out_dir
        load_dataset(out_dir)
    except (FiscalAnalysisError, OSError) as exc:
        _fail(exc)
    s = report_data(ex)["summary"]
    click.echo(
        f"已提取「{ex.name}」{ex.year}年度（{ex.entity_id}）：表格数字 {s['table_figures']} 个，"
        f"情况说明中识别数字 {s['figures']} 个，绩效等指标 {s['indicators']} 个，"
        f"未能理解的数字 {s['not_understood']} 个；写入 {s['facts_written']} 条 facts。"
    )
    click.echo(f"数据目录：{out_dir}；提取报告：{report_dir / 'extraction_report.md'}")


@cli.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="输出文件：.xlsx、.parquet 或 .csv（按扩展名）(output file).",
)
@DECIMALS_OPTION
@CACHE_OPTION
def export(data_dir: Path, out_file: Path, decimals: int, cache: bool) -> None:
    """导出全部单位年度的全部指标：Excel 每个指标族一张表 (export every metric).

    Chinese headers carry the unit; amounts in 万元 are numbers. The format is
    chosen by the extension of --out: .xlsx, .parquet or .csv.
    """
    from fiscal_analysis.dataset.load import load_dataset
    from fiscal_analysis.report.workbook import FORMATS, write_metrics

    if out_file.suffix.lower() not in FORMATS:
        raise click.UsageError(f"--out 应为 .xlsx、.parquet 或 .csv 文件：{out_file}")
    try:
        ds = load_dataset(data_dir, cache=cache)
        written = write_metrics(ds, out_file, decimals)
    except (FiscalAnalysisError, OSError) as exc:
        _fail(exc)
    n = len(ds.pairs())
    click.echo(f"已导出 {n} 个单位年度的全部指标：{written}")


def main() -> None:
    """Console-script entry point: usage errors exit 2, Ctrl-C exits 130."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C or EOF at a prompt
        click.echo("已中断 (interrupted)", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
