"""The parameters a report notebook gets from ``render``, read from its ``parameters`` cell.

Each report's notebook gets ``entity``, ``year`` and ``data`` (the dataset
folder), ``decimals`` when the notebook declares it, and any extra parameters
asked for. Which names a notebook declares is read from its ``parameters`` cell
(``papermill.inspect_notebook``) once per batch, and only when a report must be
rendered: a notebook lacking ``entity``, ``year`` or ``data``, or asked for a
parameter it does not declare, is refused with a
:class:`~fiscal_analysis.errors.RenderError` before any kernel starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import RenderError
from fiscal_analysis.render.engine.notebook import first_line, quiet

__all__ = [
    "DEFAULT_DECIMALS",
    "REQUIRED_PARAMETERS",
    "declared_parameters",
    "identifying_parameters",
    "notebook_parameters",
    "parameter_bytes",
]

#: Parameters every report notebook must declare; render sets them for each report.
REQUIRED_PARAMETERS = ("entity", "year", "data")

#: Decimals of percentages when none are asked for (as ``--decimals``).
DEFAULT_DECIMALS = 1

#: Names render sets itself, so they cannot be passed as extra ``parameters``.
_RESERVED = (*REQUIRED_PARAMETERS, "decimals")


def identifying_parameters(decimals: int, parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The asked-for parameters that change every report: decimals if not 1, and the extras.

    Refuses what render sets itself, bad decimals and values a notebook cannot take.

    Examples:
        >>> identifying_parameters(1, None), identifying_parameters(2, {"title": "简本"})
        ({}, {'decimals': 2, 'title': '简本'})
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
        raise RenderError(f"decimals 应为 0–4 的整数 (decimals must be 0–4): {decimals!r}")
    extra = dict(parameters or {})
    bad = [repr(name) for name in extra if not (isinstance(name, str) and name.isidentifier())]
    if bad:
        shown = "、".join(bad)
        msg = f"笔记本参数名应为 Python 标识符 (parameter names must be identifiers): {shown}"
        raise RenderError(msg)
    taken = [name for name in _RESERVED if name in extra]
    if taken:
        msg = (
            f"参数 {'、'.join(taken)} 由 render 设置，不能在 parameters 中给出"
            f"（请用 entities、years、data_dir、decimals） "
            f"(set by render, not in parameters: {', '.join(taken)})"
        )
        raise RenderError(msg)
    for name, value in extra.items():
        try:  # as JSON would give it back, so the stored fingerprint compares equal
            extra[name] = json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError):
            msg = (
                f"参数 {name} 的值 {value!r} 不能传给笔记本，应为字符串、数字、布尔值、"
                f"列表或字典 (notebook parameter values must be JSON-like)"
            )
            raise RenderError(msg) from None
    fixed = {} if decimals == DEFAULT_DECIMALS else {"decimals": decimals}
    return {**fixed, **extra}


def declared_parameters(nb_path: Path) -> list[str]:
    """The names the notebook's ``parameters`` cell declares (papermill, imported here)."""
    import papermill

    # papermill formats the path with its parameters: keep any braces in the name literal
    literal = str(nb_path).replace("{", "{{").replace("}", "}}")
    try:
        with quiet():
            return list(papermill.inspect_notebook(literal))
    except Exception as exc:  # unreadable JSON, a cell that does not parse, ...
        msg = (
            f"无法读取报告笔记本「{nb_path}」的参数单元格: {type(exc).__name__}: "
            f"{first_line(str(exc))} (cannot read the notebook's parameters)"
        )
        raise RenderError(msg) from None


def notebook_parameters(
    nb_path: Path, declared: Sequence[str], data_root: str, identifying: Mapping[str, Any]
) -> dict[str, Any]:
    """The parameters every report of the batch gets (``entity`` and ``year`` come per report).

    Raises:
        RenderError: If the notebook lacks a required parameter, or one asked for.

    Examples:
        >>> notebook_parameters(Path("r.ipynb"), ["entity", "year", "data", "decimals"], "/d", {})
        {'data': '/d', 'decimals': 1}
        >>> try:
        ...     notebook_parameters(Path("r.ipynb"), ["entity", "year", "data_dir"], "/d", {})
        ... except RenderError as exc:
        ...     print(exc)
        报告笔记本「r.ipynb」的参数单元格缺少参数 data（...已改名为 data） (...lacks: data)
    """
    problems = []
    missing = [name for name in REQUIRED_PARAMETERS if name not in declared]
    if missing:
        renamed = "data" in missing and "data_dir" in declared
        hint = "；参数 data_dir 已改名为 data" if renamed else ""
        problems.append(
            f"报告笔记本「{nb_path}」的参数单元格缺少参数 {'、'.join(missing)}"
            f"（报告笔记本须声明 {'、'.join(REQUIRED_PARAMETERS)}{hint}） "
            f"(notebook parameters cell lacks: {', '.join(missing)})"
        )
    unknown = [name for name in identifying if name not in declared]
    if unknown:
        shown = "、".join(declared) or "无"
        problems.append(
            f"报告笔记本「{nb_path}」没有声明参数 {'、'.join(unknown)}（已声明：{shown}） "
            f"(unknown notebook parameters: {', '.join(unknown)}; "
            f"declared: {', '.join(declared) or 'none'})"
        )
    if problems:
        raise RenderError("\n".join(problems))
    out: dict[str, Any] = {"data": data_root}
    if "decimals" in declared:
        out["decimals"] = DEFAULT_DECIMALS
    out.update(identifying)
    return out


def parameter_bytes(identifying: Mapping[str, Any]) -> bytes:
    """The identifying parameters as bytes for the batch key (nothing when there are none)."""
    if not identifying:
        return b""
    return b"\0parameters:" + json.dumps(identifying, sort_keys=True).encode("utf-8")
