"""The commands on a dataset: ``validate``, ``summary``, ``check`` and ``export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from fiscal_analysis.cli.common import (
    CACHE_OPTION,
    DATA_OPTION,
    DECIMALS_OPTION,
    NonEmptyPath,
    echo,
    fail,
)
from fiscal_analysis.errors import FiscalAnalysisError

__all__ = ["check", "export", "extract_for_check", "summary", "validate"]


@click.command()
@DATA_OPTION
@CACHE_OPTION
def validate(data_dir: Path, cache: bool) -> None:
    """校验数据目录；有问题时逐条列出并以 1 退出 (validate a dataset)."""
    from fiscal_analysis.dataset.load import load_dataset

    try:
        ds = load_dataset(data_dir, cache=cache)
    except (FiscalAnalysisError, OSError) as exc:
        fail(exc)
    n_facts = len(ds.facts)
    pairs = ds.pairs()
    echo(f"数据校验通过：{len(ds.entities)} 个单位，{len(pairs)} 个单位年度，{n_facts} 条数字。")


@click.command()
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
    except (FiscalAnalysisError, OSError) as exc:
        fail(exc)
    if as_json:
        echo(render_json(result), json=True)
    else:
        echo(render_text(result))


@click.command()
@click.argument("doc", required=False, type=NonEmptyPath(path_type=Path, what="原文文件"))
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
                data_dir = extract_for_check(doc, Path(tmp), year)
            # an extracted document goes to a new temporary folder: nothing to reuse
            ds = load_dataset(data_dir, cache=cache and doc is None)
            pairs = select_pairs(ds, entity, year)
            quiet = as_json or len(pairs) < 10 or not sys.stderr.isatty()

            def bar(items):
                return tqdm(items, desc="核对", unit="单位年度", disable=quiet, file=sys.stderr)

            findings = run_checks(ds, entity, year, text_checks=not no_text, progress=bar)
        except (FiscalAnalysisError, OSError) as exc:
            fail(exc)
    if as_json:
        echo(render_json(findings), json=True)
    else:
        echo(render_table(findings, show_all))
        echo(summary_line(findings))
    sys.exit(1 if any(f.is_error for f in findings) else 0)


def extract_for_check(doc: Path, out_dir: Path, year: int | None = None) -> Path:
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


@click.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_file",
    required=True,
    type=NonEmptyPath(path_type=Path, dir_okay=False),
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
        fail(exc)
    n = len(ds.pairs())
    echo(f"已导出 {n} 个单位年度的全部指标：{written}")
