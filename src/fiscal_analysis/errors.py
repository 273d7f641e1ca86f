"""The package's own exceptions.

Every error a user can cause is one of these, so the CLI can print a clear
message instead of a traceback.

Messages quote data (names, values, paths), and data may hold terminal control
sequences: an OSC title or clipboard sequence (``ESC ] 0 ; … BEL``), hidden text
(``ESC [ 8 m``). :func:`printable` shows every C0 and C1 control character and
DEL escaped (``\\x1b``), and every message of this package goes through it: a
:class:`Problem`'s parts and ``str()`` of every :class:`FiscalAnalysisError`.
"""

from __future__ import annotations

import re
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
    "printable",
    "user_message",
]

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Longest value a :class:`Problem` shows (characters); the rest is counted, not printed.
SHOWN_CHARS = 200


def printable(text: str, keep: str = "") -> str:
    """``text`` with control characters (C0, DEL, C1) escaped, except those in ``keep``.

    Nothing a message quotes can then drive the terminal it is printed on.

    Examples:
        >>> printable("a\\x1b]0;pwned\\x07b\\x1b[8mc\\x9bd")
        'a\\\\x1b]0;pwned\\\\x07b\\\\x1b[8mc\\\\x9bd'
        >>> printable("第一行\\n第二行\\t"), printable("x\\ny", keep="\\n")
        ('第一行\\\\n第二行\\\\t', 'x\\ny')
    """
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(
        lambda m: m[0] if m[0] in keep else _NAMED.get(m[0], f"\\x{ord(m[0]):02x}"), text
    )


def user_message(exc: BaseException) -> str:
    """What to show for an error: an :class:`OSError` by its path and reason, control
    characters escaped (:func:`printable`).

    Examples:
        >>> print(user_message(PermissionError(13, "Permission denied", "out/a.xlsx")))
        没有权限：out/a.xlsx（Permission denied） (cannot read or write)
    """
    if isinstance(exc, OSError) and exc.filename is not None:
        what = "没有权限" if isinstance(exc, PermissionError) else "无法读写"
        reason = exc.strerror or type(exc).__name__
        text = f"{what}：{exc.filename}（{reason}） (cannot read or write)"
    else:
        text = str(exc)
    return printable(text, keep="\n\t")


class FiscalAnalysisError(Exception):
    """Base class for every error this package raises on purpose.

    Its message is shown with control characters escaped (:func:`printable`;
    line breaks and tabs kept), whatever data it quotes.
    """

    def __str__(self) -> str:
        return printable(super().__str__(), keep="\n\t")


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

    Shown (``str``) with control characters escaped (:func:`printable`) and a
    value longer than :data:`SHOWN_CHARS` characters cut, its length given.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = printable(self.file)
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列「{printable(self.column)}」"
        expected = printable(self.expected)
        if self.value is None and self.row is None and self.column is None:
            return f"{where}: {expected}"
        value = self.value or ""
        if len(value) > SHOWN_CHARS:
            value = f"{value[:SHOWN_CHARS]}……（共 {len(value)} 个字符）"
        shown = f"「{printable(value)}」" if value else "（空）"
        return f"{where}: 值{shown} — {expected}"


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
