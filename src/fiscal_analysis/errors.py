"""The package's own exceptions.

Every error a user can cause is one of these, so the CLI can print a clear
message instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataValidationError",
    "ExportError",
    "ExtractError",
    "FiscalAnalysisError",
    "FontNotFoundError",
    "ForkServerError",
    "NotebookRunError",
    "PdfReadError",
    "Problem",
    "RenderError",
    "UnknownEntityError",
]


class FiscalAnalysisError(Exception):
    """Base class for every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes:
        file: The file, relative to the data directory where possible.
        row: The 1-based line number in the file (the header is line 1), or
            ``None`` for a problem with the whole file.
        column: The column name, or ``None``.
        value: The offending value as written (``None`` if there is none).
        expected: What was expected, in Chinese with an English gloss.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列「{self.column}」"
        value = (self.value or "").replace("\r", "\\r").replace("\n", "\\n")
        shown = f"「{value}」" if value else "（空）"
        if self.value is None and self.row is None and self.column is None:
            return f"{where}: {self.expected}"
        return f"{where}: 值{shown} — {self.expected}"


class DataValidationError(FiscalAnalysisError):
    """Raised when a dataset has problems; carries all of them at once.

    ``problems`` holds every problem; the message lists the first
    :attr:`SHOWN` of them (one per line, starting with ``  - ``) and counts
    the rest per file, so a file with a million bad rows stays readable.

    Examples:
        >>> err = DataValidationError([Problem("facts.csv", 3, "value", "12元", "应为数字")])
        >>> print(err)
        数据校验发现 1 个问题 (validation found problems):
          - facts.csv 第3行 列「value」: 值「12元」 — 应为数字
    """

    SHOWN = 200

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"数据校验发现 {len(self.problems)} 个问题 (validation found problems):"]
        lines += [f"  - {p}" for p in self.problems[: self.SHOWN]]
        rest = self.problems[self.SHOWN :]
        if rest:
            per_file: dict[str, int] = {}
            for p in rest:
                per_file[p.file] = per_file.get(p.file, 0) + 1
            counts = "，".join(f"{f} {n} 个" for f, n in per_file.items())
            lines.append(
                f"  …… 另有 {len(rest)} 个问题未列出（{counts}） (more problems not shown)"
            )
        super().__init__("\n".join(lines))


class UnknownEntityError(FiscalAnalysisError):
    """Raised when an entity or year is not in the dataset."""


class RenderError(FiscalAnalysisError):
    """Raised when a report cannot be rendered."""


class ExtractError(FiscalAnalysisError):
    """A document cannot be read (missing, unsupported or unreadable)."""


class PdfReadError(ExtractError):
    """The file is not a PDF either engine can open (message: the engine's)."""


class FontNotFoundError(FiscalAnalysisError):
    """Raised when no font with Chinese glyphs can be found."""


class ExportError(RenderError):
    """The HTML would break a leadership-report rule (script, external URL, ...)."""


class ForkServerError(RenderError):
    """The fork server could not be started or did not answer."""


class NotebookRunError(RenderError):
    """A notebook failed: which cell (index in the notebook file) and what error.

    Attributes:
        cell_index: 0-based index of the failing cell in the source notebook,
            or ``None`` if no single cell is to blame (kernel died, start failed).
        cell_source: The first line of that cell's source.
        ename: The exception's class name.
        evalue: The exception's message.
    """

    def __init__(
        self, ename: str, evalue: str, cell_index: int | None = None, cell_source: str = ""
    ):
        self.ename, self.evalue = ename, evalue
        self.cell_index, self.cell_source = cell_index, cell_source
        where = (
            ""
            if cell_index is None
            else f"第 {cell_index + 1} 个单元格（索引 {cell_index}）「{cell_source}」出错: "
        )
        super().__init__(f"{where}{ename}: {evalue}")
