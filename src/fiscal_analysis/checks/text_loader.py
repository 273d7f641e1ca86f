"""Bridge to the narrative (text against tables) checks.

The narrative checks live in ``fiscal_analysis.checks.text_figures`` or
``fiscal_analysis.narrative_checks`` and expose
``check_narrative(text, ds, entity_id, year) -> list[Finding]``. This module
finds the raw text of each document of an entity-year (``documents.csv``
``path``, relative to the data folder) and runs them, turning every way it can
fail into a finding instead of an exception.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.errors import ExtractError

__all__ = ["NARRATIVE_MODULES", "TEXT_RULE", "load_checker", "narrative_findings", "read_text"]

#: Where the narrative checks may live, in order of preference.
NARRATIVE_MODULES = ("fiscal_analysis.checks.text_figures",)
#: Rule id of findings about the text checks themselves (skipped, failed).
TEXT_RULE = "N-TEXT"
_TEXT_SUFFIXES = (".txt", ".md", ".text", "")


def load_checker() -> tuple[Callable | None, str]:
    """The ``check_narrative`` function, or ``None`` and why it is missing."""
    reasons = []
    for name in NARRATIVE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                reasons.append(f"{name} 无法导入：{exc}")
            continue
        except ImportError as exc:
            reasons.append(f"{name} 无法导入：{exc}")
            continue
        fn = getattr(module, "check_narrative", None)
        if callable(fn):
            return fn, ""
        reasons.append(f"{name} 没有 check_narrative")
    return None, "；".join(reasons) or f"没有 {' 或 '.join(NARRATIVE_MODULES)}"


def read_text(path: Path) -> str:
    """Read a text file in UTF-8 (with or without BOM) or GB18030.

    Raises:
        OSError: If the file cannot be read.
        UnicodeDecodeError: If it is in neither encoding.
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _pdf_text(path: Path) -> str:
    """A published PDF's text, read as ``extract`` reads it (raw/ keeps documents as published)."""
    from fiscal_analysis.extract.text import read_lines

    return "\n".join(read_lines(path))


def _na(entity_id: str, year: int, message: str, source: str | None = None) -> Finding:
    return Finding(TEXT_RULE, "not_applicable", "info", message, entity_id, year, {}, None, source)


def narrative_findings(ds: Dataset, entity_id: str, year: int) -> list[Finding]:
    """Run the narrative checks on every readable document of an entity-year."""
    d = ds.documents
    docs = d[(d["entity_id"] == entity_id) & (d["year"] == year) & (d["path"] != "")]
    if docs.empty:
        return [
            _na(
                entity_id,
                year,
                "数据中没有该年度决算原文（documents.csv 未给出 path），未做说明与表格的文字核对。",
            )
        ]
    check, why = load_checker()
    if check is None:
        return [_na(entity_id, year, f"文字核对模块尚未提供，跳过说明与表格的文字核对（{why}）。")]
    out: list[Finding] = []
    for doc_id, rel in zip(docs["doc_id"], docs["path"], strict=True):
        path = ds.root / rel
        if path.suffix.lower() not in (*_TEXT_SUFFIXES, ".pdf"):
            out.append(
                _na(
                    entity_id,
                    year,
                    f"原文 {rel} 不是文本或 PDF 文件，未做文字核对。",
                    doc_id,
                )
            )
            continue
        try:
            text = _pdf_text(path) if path.suffix.lower() == ".pdf" else read_text(path)
        except (OSError, UnicodeDecodeError, ExtractError) as exc:
            out.append(
                _na(
                    entity_id,
                    year,
                    f"无法读取原文 {rel}（{exc.__class__.__name__}），未做文字核对。",
                    doc_id,
                )
            )
            continue
        try:
            out.extend(check(text, ds, entity_id, year))
        except Exception as exc:  # a failing optional check must not hide the others
            err = f"{exc.__class__.__name__}: {exc}"
            msg = f"文字核对在处理 {rel} 时出错（{err}），说明与表格的核对未完成。"
            out.append(Finding(TEXT_RULE, "fail", "error", msg, entity_id, year, {}, None, doc_id))
    return out
