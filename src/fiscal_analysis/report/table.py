"""Display tables as HTML for the report: every cell escaped, figure columns marked.

:class:`~fiscal_analysis.report.blocks.Section` tables hold text cells (amounts
already formatted). :func:`table_html` writes them as a plain ``<table>`` and
classifies each column by its cells, so the stylesheet can right-align figures
and keep codes on one line while long explanations wrap left-aligned.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import pandas as pd

__all__ = ["column_class", "table_html"]

#: A figure cell: an optional change word, a number, an optional unit and 推算 mark.
_FIGURE = re.compile(
    r"(增加|减少|上升|下降|增长|降低|持平)?[−+-]?\d[\d,]*(\.\d+)?"
    r"(万元|元|%|个|辆|台|套|人|项|条|家)?(（推算）)?"
)
#: A code cell: 科目编码, rule ids and other short ASCII identifiers.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,15}")
_BLANK = frozenset({"", "—", "-", "未公开", "无数据"})


def column_class(cells: Sequence[str]) -> str:
    """``num`` for a column of figures, ``code`` for one of short codes, else ``""``.

    Examples:
        >>> column_class(["99.2万元", "减少10.18万元", "未公开"]), column_class(["201", "21001"])
        ('num', 'code')
        >>> column_class(["49.4%", "年初预算为0，无完成率"])
        ''
    """
    filled = [c for c in cells if c not in _BLANK]
    if not filled:
        return ""
    if all(_FIGURE.fullmatch(c) for c in filled) and not all(c.isdigit() for c in filled):
        return "num"
    return "code" if all(_CODE.fullmatch(c) for c in filled) else ""


def table_html(table: pd.DataFrame) -> str:
    """A display table as HTML, every cell escaped; figure columns marked ``num``.

    Columns whose cells are all figures (``99.2万元``, ``49.4%``, ``减少327.17万元``,
    ``未公开`` …) get ``class="num"`` (right-aligned, kept on one line), columns of
    short codes (``2010301``, ``T02-1``) ``class="code"`` (kept on one line); text
    columns stay left-aligned and wrap.

    Examples:
        >>> df = pd.DataFrame({"规则": ["T02-1"], "金额": ["99.2万元"], "说明": ["<b>注</b>"]})
        >>> for line in table_html(df).split("<t")[-3:]:
        ...     print("<t" + line)
        <td class="code">T02-1</td>
        <td class="num">99.2万元</td>
        <td>&lt;b&gt;注&lt;/b&gt;</td></tr>
        </tbody></table></div>
    """
    columns = [str(c) for c in table.columns]
    rows = [[str(v) for v in row] for row in table.itertuples(index=False)]
    classes = [column_class([r[i] for r in rows]) for i in range(len(columns))]
    attrs = [f' class="{c}"' if c else "" for c in classes]
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td{a}>{esc(v)}</td>" for a, v in zip(attrs, r, strict=True)) + "</tr>"
        for r in rows
    )
    return (
        f'<div class="fisc-table-wrap"><table class="fisc-table"><thead><tr>{head}</tr></thead>\n'
        f"<tbody>{body}\n</tbody></table></div>"
    )
