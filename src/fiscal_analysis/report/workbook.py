"""Every metric of every entity-year as a workbook for a colleague: Excel, Parquet or CSV.

:func:`metric_sheets` gives one frame per metric family (the families of
:func:`fiscal_analysis.metrics.all_metrics`), with Chinese headers that carry
the unit (``金额（万元）``, ``占比（%）``). Amounts are exact
:class:`~decimal.Decimal` 万元, written as numbers; percentages are rounded half
up (presentation) to ``decimals`` places and written as numbers; a missing
figure or a rate without a base is an empty cell, with the reason in the
``说明`` columns. :func:`write_metrics` picks the format from the file's
extension: ``.xlsx`` (one sheet per family), ``.parquet`` or ``.csv`` (one
table, the family in the first column).

Examples:
    >>> from fiscal_analysis.dataset.load import load_dataset
    >>> sheets = metric_sheets(load_dataset("data"))
    >>> list(sheets)[:3]
    ['主要数字', '与上年相比', '收入结构']
    >>> t = sheets["主要数字"]
    >>> grand = t[(t["项目键"] == "income_grand_total") & (t["单位标识"] == "lusong-xzsp")]
    >>> grand[["年度", "金额（万元）", "是否推算"]].values.tolist()
    [[2019, Decimal('662.95'), True], [2020, Decimal('335.78'), False]]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.metrics.panel import all_metrics
from fiscal_analysis.metrics.tidy import FAMILIES, tidy_all
from fiscal_analysis.metrics.units import WAN, WAN_FEN
from fiscal_analysis.schema.vocabulary import METRIC_COLUMNS

__all__ = ["FORMATS", "metric_sheets", "write_metrics"]

#: File extensions :func:`write_metrics` writes.
FORMATS = (".xlsx", ".parquet", ".csv")


#: Headers shorter than the vocabulary's meaning.
_HEADERS = {
    "year": "年度",
    "item": "项目键",
    "label": "项目名称",
    "full_name": "带级次的科目名称",
    "status": "数字来源",
    "derived": "是否推算",
    "note": "无增减率的说明",
    "reason": "无完成率的说明",
    "n_lines": "PEFA 计入的“项”数",
}


def _header(column: str, decimals: int) -> str:
    """The Chinese header of a metric column, with its unit."""
    if column.endswith("_rounded"):
        base = METRIC_COLUMNS[column.removesuffix("_rounded")]
        head = base.meaning.split("：")[0].split("（")[0]
        return f"{head}（%，四舍五入至{decimals}位小数）"
    if column in _HEADERS:
        return _HEADERS[column]
    col = METRIC_COLUMNS.get(column)
    if col is None:
        return column
    head = col.meaning.split("：")[0].split("（")[0]
    return f"{head}（{col.unit}）" if col.unit in ("万元", "%") else head


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Exact 万元 as Python Decimals (numbers in Excel), missing as ``None``."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype in (WAN, WAN_FEN):
            out[c] = pd.Series(out[c].astype(object).where(out[c].notna(), None), dtype=object)
    return out


def metric_sheets(ds: Dataset, decimals: int = 1) -> dict[str, pd.DataFrame]:
    """One frame per metric family, Chinese headers with units (sheet name → frame)."""
    rounded = all_metrics(ds, decimals=decimals)
    tidy = tidy_all(ds)
    sheets = {}
    for family, title in FAMILIES.items():
        t = tidy[family]
        keep = [c for c in t.columns if not c.endswith(("_float", "_num", "_den"))]
        frame = t[keep].copy()
        if family != "totals":
            for c in rounded[family].columns:
                if c.endswith("_rounded"):
                    frame[c] = rounded[family][c].to_numpy()
        frame = _plain(frame)
        frame.columns = [_header(c, decimals) for c in frame.columns]
        sheets[title] = frame.reset_index(drop=True)
    return sheets


def write_metrics(ds: Dataset, path: Path | str, decimals: int = 1) -> Path:
    """Write :func:`metric_sheets` to ``path``; the extension (:data:`FORMATS`) picks the format.

    Raises:
        ValueError: For an extension other than ``.xlsx``, ``.parquet`` or ``.csv``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"不支持的文件类型「{path.suffix}」：应为 .xlsx、.parquet 或 .csv")
    sheets = metric_sheets(ds, decimals)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for title, frame in sheets.items():
                frame.to_excel(writer, sheet_name=title, index=False)
                widths = writer.sheets[title].column_dimensions
                for i, head in enumerate(frame.columns):
                    widths[_letter(i)].width = max(10, min(40, 2 * len(str(head))))
        return path
    parts = [f.assign(**{"指标族": title}) for title, f in sheets.items()]
    table = pd.concat(parts, ignore_index=True)
    table = table[["指标族", *(c for c in table.columns if c != "指标族")]]
    if suffix == ".csv":
        table.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        for c in table.columns:
            if table[c].dtype == object:
                kinds = {type(v) for v in table[c] if v is not None and not pd.isna(v)}
                if len(kinds) > 1:  # one Parquet column holds one type
                    table[c] = table[c].map(lambda v: None if v is None or pd.isna(v) else str(v))
        table.to_parquet(path, index=False)
    return path


def _letter(i: int) -> str:
    """Excel column letters of a 0-based column position (A, B, …, AA …)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
