"""Read a dataset folder into validated pandas frames.

Every CSV is read as text (nothing is guessed or coerced), in UTF-8, UTF-8
with BOM, or GBK/GB18030. Problems from every file are collected in one pass
and raised together as :class:`~fiscal_analysis.exceptions.DataValidationError`.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from .classification import Classification
from .dataset import Dataset
from .exceptions import DataValidationError, Problem
from .schema import FILES, FileSpec
from .validation import validate_frames

__all__ = ["decode", "find_files", "load_dataset", "read_table"]

#: Tried in order; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8", "gb18030")


def decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """Decode file bytes as UTF-8 (with or without BOM), else GB18030.

    Examples:
        >>> decode("单位".encode("gbk"), "x.csv")[0]
        '单位'
        >>> decode(b"\\xef\\xbb\\xbfa,b", "x.csv")[0]
        'a,b'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for enc in ENCODINGS:
        try:
            return data.decode(enc), None
        except UnicodeDecodeError:
            continue
    return None, Problem(file, None, None, None, "无法识别文件编码，请保存为 UTF-8 (expected UTF-8 or GBK)")


def find_files(root: Path, name: str) -> list[Path]:
    """All files called ``<name>.csv`` below ``root``, skipping hidden folders."""
    found = [
        p
        for p in root.rglob(f"{name}.csv")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(found)


def read_table(path: Path, spec: FileSpec, root: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV file as strings and check its header.

    Returns the frame (all columns ``str``, plus ``_file`` and ``_row``) or
    ``None`` when the file cannot be used at all, and the problems found.
    """
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    text, problem = decode(path.read_bytes(), rel)
    if problem:
        return None, [problem]
    if not text.strip():
        cols = ",".join(spec.column_names)
        return None, [Problem(rel, None, None, None, f"文件为空，至少应有表头行：{cols} (file is empty)")]
    try:
        df = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=False
        )
    except pd.errors.ParserError as exc:
        msg = str(exc).splitlines()[0]
        return None, [Problem(rel, None, None, None, f"CSV 格式错误 (malformed CSV): {msg}")]
    df.columns = [str(c).strip() for c in df.columns]
    problems: list[Problem] = []
    missing = [c.name for c in spec.columns if c.name not in df.columns and c.required]
    for name in missing:
        problems.append(Problem(rel, 1, name, None, f"缺少必需的列「{name}」 (missing column)"))
    known = set(spec.column_names)
    for name in df.columns:
        if name not in known:
            allowed = "、".join(spec.column_names)
            problems.append(Problem(rel, 1, name, name, f"未知的列，允许的列为：{allowed} (unknown column)"))
    if problems:
        return None, problems
    for c in spec.columns:
        if c.name not in df.columns:
            df[c.name] = ""
    df = df[list(spec.column_names)].apply(lambda s: s.str.strip())
    df["_file"] = rel
    df["_row"] = range(2, len(df) + 2)
    return df, []


def load_dataset(path: str | Path) -> Dataset:
    """Load and validate a dataset folder.

    Args:
        path: The data directory (for example ``data/``).

    Returns:
        A :class:`~fiscal_analysis.dataset.Dataset` whose frames are validated.

    Raises:
        DataValidationError: Listing every problem found, with file, row,
            column, value and what was expected.

    Examples:
        >>> load_dataset("/no/such/folder")
        Traceback (most recent call last):
        ...
        fiscal_analysis.exceptions.DataValidationError: 数据校验发现 1 个问题 (validation found problems):
          - /no/such/folder: 数据目录不存在 (data directory not found)
    """
    root = Path(path)
    if not root.is_dir():
        raise DataValidationError([Problem(str(path), None, None, None, "数据目录不存在 (data directory not found)")])
    frames: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for spec in FILES.values():
        parts = []
        files = find_files(root, spec.name)
        if not files and spec.required:
            problems.append(Problem(f"{spec.name}.csv", None, None, None, "缺少必需的文件 (required file missing)"))
        for f in files:
            df, probs = read_table(f, spec, root)
            problems += probs
            if df is not None:
                parts.append(df)
        cols = [*spec.column_names, "_file", "_row"]
        frames[spec.name] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols, dtype=str)
    classification = Classification.builtin()
    typed, found = validate_frames(frames, classification)
    problems += found
    if problems:
        raise DataValidationError(problems)
    codes = typed["codes"]
    extra = list(zip(codes["scheme"], codes["code"], codes["name"], strict=True))
    return Dataset(root=root, frames=typed, classification=classification.with_extra(extra))
