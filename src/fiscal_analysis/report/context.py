"""Where a report's data comes from: the report context and what parts it covers.

:func:`open_report` loads (and validates) the data for one entity and year and
returns a :class:`ReportContext` that caches what several sections share.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.model import EntityYear
from fiscal_analysis.errors import FiscalAnalysisError
from fiscal_analysis.narrative.describe import describe
from fiscal_analysis.report.review import ReviewSection, review_section

__all__ = [
    "COVERED_PARTS",
    "ReportContext",
    "coverage_statement",
    "has_part",
    "missing_parts",
    "open_report",
    "resolve_data_dir",
    "unreadable_tables",
]

#: Report parts and the tables that carry their figures, in report order.
COVERED_PARTS: dict[str, tuple[str, ...]] = {
    "收支总计": ("T01:income_grand_total", "T01:expense_grand_total"),
    "收入决算": ("T01:income_total", "T02:total"),
    "支出决算": ("T03:total", "T03:basic"),
    "财政拨款收支总计": ("T04:income_grand_total", "T04:expense_grand_total"),
    "一般公共预算财政拨款支出": ("T05:total",),
    "按功能分类的支出结构": ("T05:total:类",),
    "各项支出的预算与决算": ("T05:budget_initial:项",),
    "基本支出（人员经费、公用经费）": ("T06:personnel_total", "T06:public_total"),
    "“三公”经费": ("T07:total_actual",),
    "政府性基金预算财政拨款": ("T08:*",),
    "国有资本经营预算财政拨款": ("T09:*",),
    "项目支出（绩效）": ("projects",),
    "机关运行经费": ("ops_cost:actual",),
    "政府采购": ("procurement:total",),
    "国有资产占用": ("assets:*",),
}


def _repo_root() -> Path | None:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir():
            return parent
    return None


def resolve_data_dir(data_dir: str | os.PathLike[str] = "data") -> Path:
    """Find the data folder: absolute as given, relative to cwd, else to the repository.

    A notebook run by papermill from ``notebooks/`` and a renderer run from
    anywhere both find the shipped ``data/`` with the default ``"data"``.

    Raises:
        FiscalAnalysisError: If no folder with ``entities.csv`` is found.

    Examples:
        >>> (resolve_data_dir() / "entities.csv").is_file()
        True
    """
    given = Path(os.fspath(data_dir)).expanduser()
    candidates = [given]
    if not given.is_absolute():
        candidates += [Path.cwd().parent / given]
        root = _repo_root()
        if root is not None:
            candidates.append(root / given)
    for c in candidates:
        if (c / "entities.csv").is_file():
            return c.resolve()
    tried = "、".join(str(c) for c in candidates)
    raise FiscalAnalysisError(
        f"找不到数据目录「{data_dir}」（已查找：{tried}；应含 entities.csv）(data folder not found)"
    )


@dataclass(frozen=True)
class ReportContext(EntityYear):
    """One entity-year as a report reads it: the :class:`EntityYear`, plus decimals.

    It is the same object the metrics take (every section passes ``ctx`` to
    them), so each figure is read in one place. What several sections use is
    computed once per report and kept on the context: :attr:`paragraphs` and
    :attr:`present_parts` (and :attr:`EntityYear.stated_reasons`).
    """

    decimals: int = 1

    @cached_property
    def paragraphs(self) -> dict[str, str]:
        """The standard 情况说明 paragraphs (:func:`~.narrative.describe.describe`)."""
        return describe(self, self.decimals)

    @cached_property
    def review(self) -> ReviewSection:
        """The checks of the year (run once per report; the summary and the appendix share them)."""
        return review_section(self)

    @cached_property
    def present_parts(self) -> dict[str, bool]:
        """For each part of :data:`COVERED_PARTS`: whether the year has any figure for it."""
        f = self.facts
        known = f[f["value"].notna()]
        lengths = [len(c) if isinstance(c, str) else 0 for c in known["code"]]
        have = set(zip(known["table"], known["item"], lengths, strict=True))
        empty = {table for table, value in self.table_statuses.items() if value == "empty"}
        return {part: _has_part(self, part, have, empty) for part in COVERED_PARTS}


def open_report(
    data_dir: str | os.PathLike[str], entity: str, year: int, decimals: int = 1
) -> ReportContext:
    """Load and validate one entity's data and check that it has ``year``.

    Only the entity's rows are read (``load_dataset(..., entities=[entity])``),
    so a report costs the same in a province-wide dataset as in a small one;
    these are also exactly the rows the render fingerprint hashes.

    Args:
        data_dir: The data folder (see :func:`resolve_data_dir`).
        entity: Entity id or full name.
        year: Fiscal year.
        decimals: Decimals of percentages (0–4).

    Raises:
        FiscalAnalysisError: Bad data, unknown entity or year, or bad ``decimals``.

    Examples:
        >>> ctx = open_report("data", "lusong-xzsp", 2020)
        >>> ctx.name, ctx.years
        ('株洲市芦淞区行政审批服务局', [2019, 2020])
    """
    if not isinstance(decimals, int) or not 0 <= decimals <= 4:
        raise FiscalAnalysisError(f"decimals 应为 0–4 的整数 (expected 0–4): {decimals!r}")
    ds = load_dataset(resolve_data_dir(data_dir), entities=[str(entity)])
    entity_id = ds.resolve(str(entity))
    ds.check_pair(entity_id, int(year))
    return ReportContext(ds, entity_id, int(year), decimals)


# -- coverage -----------------------------------------------------------------


def has_part(ctx: ReportContext, part: str) -> bool:
    """Whether the year's data has any figure for a report part of :data:`COVERED_PARTS`.

    A table published empty (``tables.csv`` status ``empty``) counts as data.

    Examples:
        >>> has_part(open_report("data", "lusong-xzsp", 2019), "收入决算")
        False
    """
    if part not in COVERED_PARTS:
        raise KeyError(part)
    return ctx.present_parts[part]


def _has_part(
    ctx: ReportContext, part: str, have: set[tuple[str, str, int]], empty: set[str]
) -> bool:
    """Whether ``part`` has a figure.

    ``have`` holds (table, item, code length) of every figure with a value,
    ``empty`` the tables published empty.
    """
    for need in COVERED_PARTS[part]:
        if need == "projects":
            if not ctx.projects.empty:
                return True
            continue
        table, item, *level = [*need.split(":"), ""][:3] if ":" in need else (need, "*", "")
        if table in empty:
            return True
        length = {"类": 3, "款": 5, "项": 7}.get(level[0] if level else "", 0)
        if any(t == table and item in ("*", i) and length in (0, n) for t, i, n in have):
            return True
    return False


def unreadable_tables(ctx: ReportContext, part: str) -> list[str]:
    """The tables of ``part`` that the document has but the tool could not read.

    ``tables.csv`` status ``unreadable``: the figures are missing because of the
    tool, not because the department did not publish them.

    Examples:
        >>> unreadable_tables(open_report("data", "lusong-xzsp", 2020), "“三公”经费")
        []
    """
    tables = {need.split(":")[0] for need in COVERED_PARTS[part] if need.startswith("T0")}
    return sorted(t for t in tables if ctx.table_statuses.get(t) == "unreadable")


def missing_parts(ctx: ReportContext) -> list[str]:
    """Report parts (keys of :data:`COVERED_PARTS`) without any figure this year.

    A part whose table is in the document but could not be read says so:
    "基本支出（人员经费、公用经费）（06表在文件中但未能读出，不是未公开）".

    Examples:
        >>> missing_parts(open_report("data", "lusong-xzsp", 2020))
        []
        >>> missing_parts(open_report("data", "lusong-xzsp", 2019))[:3]
        ['收入决算', '支出决算', '按功能分类的支出结构']
    """
    out = []
    for part in COVERED_PARTS:
        if has_part(ctx, part):
            continue
        unread = unreadable_tables(ctx, part)
        if unread:
            shown = "、".join(f"{t[1:]}表" for t in unread)
            part += f"（{shown}在文件中但未能读出，不是未公开）"
        out.append(part)
    return out


def coverage_statement(ctx: ReportContext) -> str:
    """One sentence on what this year's data holds: 推算 figures and missing parts.

    Examples:
        >>> print(coverage_statement(open_report("data", "lusong-xzsp", 2020)))
        2020年度数据共112个数字，其中28个为推算数（由公开数字推算，已标注“推算”），17个列出了科目但未公开金额。
    """
    f = ctx.facts
    n = len(f)
    derived = int((f["basis"] == "derived").sum())
    undisclosed = int((f["basis"] == "undisclosed").sum())
    missing = missing_parts(ctx)
    text = f"{ctx.year}年度数据" + ("不完整：" if missing else "") + f"共{n}个数字"
    if derived and derived == n:
        text += "，全部为推算数（由其他年度公开的数字推算，已标注“推算”）"
    elif derived:
        text += f"，其中{derived}个为推算数（由公开数字推算，已标注“推算”）"
    if undisclosed:
        text += f"，{undisclosed}个列出了科目但未公开金额"
    unread = [p for p in missing if "未能读出" in p]
    absent = [p for p in missing if "未能读出" not in p]
    if absent:
        text += (
            "；缺少以下内容的数据（文件中没有，即未公开），相应部分只作说明、不作分析："
            + "、".join(absent)
        )
    if unread:
        text += "；以下内容文件中有、但未能读出（不是未公开），请对照原文：" + "、".join(unread)
    return text + "。"
