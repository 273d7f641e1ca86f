"""``extract``: a published disclosure (text, PDF or Excel) into a dataset."""

from __future__ import annotations

from pathlib import Path

import click

from fiscal_analysis.cli.common import NonEmptyPath, echo, fail
from fiscal_analysis.errors import FiscalAnalysisError

__all__ = ["extract"]


@click.command()
@click.argument("doc", type=NonEmptyPath(path_type=Path, dir_okay=False, what="原文文件"))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=NonEmptyPath(path_type=Path, file_okay=False),
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
        echo("提示：--entity-id 已改名为 --entity (--entity-id is deprecated)", err=True)
        entity = old_entity
    if doc.suffix.lower() == ".xlsx":
        if year is not None:
            raise click.UsageError("--year 只用于 .txt/.pdf；Excel 工作簿的年度取自表头。")
        try:
            wb, entity_id, n = extract_workbook(doc, out_dir, entity)
            load_dataset(out_dir)
        except (FiscalAnalysisError, OSError) as exc:
            fail(exc)
        found = "、".join(f"{t}（{'有数据' if s == 'published' else '空表'}）"
                         for t, s in sorted(wb.tables.items()))  # fmt: skip
        head = f"已从 Excel 提取「{wb.name}」{wb.year}年度（{entity_id}）"
        echo(f"{head}：{found}；写入 {n} 条 facts。")
        echo(f"数据目录：{out_dir}；原表保存在 raw/ 中。")
        return
    try:
        if is_dataset(out_dir):
            ex, report_dir = extract_into(doc, out_dir, entity, year)
        else:
            ex, report_dir = extract_to_dir(doc, out_dir, entity_id=entity, year=year), out_dir
        load_dataset(out_dir)
    except (FiscalAnalysisError, OSError) as exc:
        fail(exc)
    s = report_data(ex)["summary"]
    echo(
        f"已提取「{ex.name}」{ex.year}年度（{ex.entity_id}）：表格数字 {s['table_figures']} 个，"
        f"情况说明中识别数字 {s['figures']} 个，绩效等指标 {s['indicators']} 个，"
        f"未能理解的数字 {s['not_understood']} 个；写入 {s['facts_written']} 条 facts。"
    )
    echo(f"数据目录：{out_dir}；提取报告：{report_dir / 'extraction_report.md'}")
