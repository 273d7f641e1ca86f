"""Row-level validation of dataset frames, vectorised, reporting every problem.

Checks are column masks over the whole frame; only failing rows are turned
into :class:`~fiscal_analysis.exceptions.Problem` objects, so a clean
million-row dataset validates in well under a second.
"""

from __future__ import annotations

import re

import pandas as pd

from .classification import Classification
from .exceptions import Problem
from .items import REASON_TOPICS, TABLES
from .schema import BASES, FILES

__all__ = ["AMOUNT_PATTERN", "parse_amounts", "validate_frames"]

#: A number with an optional sign, optional thousands groups and ≤ 2 decimals.
AMOUNT_PATTERN = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d{1,2})?$")
_YEAR = re.compile(r"^(19[5-9]\d|20\d\d|2100)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_amounts(values: pd.Series) -> pd.Series:
    """Turn validated amount strings into exact int64 hundredths (vectorised).

    Empty strings become ``<NA>`` (only allowed for undisclosed figures).

    Examples:
        >>> parse_amounts(pd.Series(["335.78", "26", "1,234.5", "-0.01", ""])).tolist()
        [33578, 2600, 123450, -1, <NA>]
    """
    s = values.str.replace(",", "", regex=False)
    empty = s == ""
    neg = s.str.startswith("-")
    s = s.str.lstrip("+-")
    parts = s.str.partition(".")
    whole = parts[0].where(~empty, "0").astype("int64")
    frac = parts[2].str.ljust(2, "0").where(parts[2] != "", "0").where(~empty, "0").astype("int64")
    out = (whole * 100 + frac).where(~neg, -(whole * 100 + frac))
    return out.astype("Int64").mask(empty)


def _problems(df: pd.DataFrame, mask: pd.Series, column: str, expected) -> list[Problem]:
    bad = df.loc[mask]
    out = []
    for f, r, v in zip(bad["_file"], bad["_row"], bad[column], strict=True):
        msg = expected(v) if callable(expected) else expected
        out.append(Problem(f, int(r), column, v, msg))
    return out


def _check_columns(name: str, df: pd.DataFrame, refs: dict[str, set[str]]) -> list[Problem]:
    spec = FILES[name]
    probs: list[Problem] = []
    for col in spec.columns:
        s = df[col.name]
        empty = s == ""
        if col.required and col.kind != "amount":
            probs += _problems(df, empty, col.name, "不能为空 (required)")
        filled = ~empty
        if col.kind == "year":
            probs += _problems(df, filled & ~s.str.match(_YEAR), col.name, "应为四位年份，如 2020 (expected a year)")
        elif col.kind == "amount" and name != "facts":
            probs += _problems(df, empty, col.name, "不能为空，应为数字 (required number)")
            probs += _problems(
                df, filled & ~s.str.match(AMOUNT_PATTERN), col.name, "应为数字，最多两位小数，如 335.78 (expected a number)"
            )
        elif col.kind == "choice" and col.choices:
            allowed = "、".join(col.choices)
            probs += _problems(df, filled & ~s.isin(col.choices), col.name, f"应为以下之一：{allowed} (expected one of these)")
        elif col.kind == "ref" and col.name in refs:
            source = "entities.csv" if col.name == "entity_id" else "documents.csv"
            probs += _problems(df, filled & ~s.isin(refs[col.name]), col.name, f"未在 {source} 中登记 (unknown reference)")
        elif col.kind in ("text", "id"):
            probs += _problems(df, s.str.contains(_CONTROL), col.name, "含有控制字符 (control characters)")
    keyed = df[list(spec.key)]
    dup = keyed.duplicated(keep=False) & ~keyed.eq("").all(axis=1)
    if dup.any():
        bad = df.loc[dup]
        first = {}
        for f, r, key in zip(bad["_file"], bad["_row"], bad[list(spec.key)].itertuples(index=False), strict=True):
            k = tuple(key)
            if k in first:
                shown = " / ".join(x or "（空）" for x in k)
                keyname = " + ".join(spec.key)
                msg = f"重复的键（{keyname}），与 {first[k]} 重复 (duplicate key)"
                probs.append(Problem(f, int(r), spec.key[-1], shown, msg))
            else:
                first[k] = f"{f} 第{int(r)}行"
    return probs


def _check_facts(df: pd.DataFrame, classification: Classification) -> list[Problem]:
    probs: list[Problem] = []
    value, basis = df["value"], df["basis"]
    probs += _problems(
        df, (value != "") & ~value.str.match(AMOUNT_PATTERN), "value", "应为数字，最多两位小数，如 335.78 (expected a number)"
    )
    probs += _problems(
        df, (value == "") & (basis != "undisclosed") & basis.isin(BASES), "value",
        "不能为空；未公开金额的项目请将 basis 设为 undisclosed (required unless basis is undisclosed)",
    )
    probs += _problems(df, (value != "") & (basis == "undisclosed"), "value", "basis 为 undisclosed 时 value 应留空")
    probs += _problems(df, (basis == "derived") & (df["note"] == ""), "note", "推算数须在 note 列写明推算式 (derived figures need their formula)")
    known_table = df["table"].isin(TABLES)
    probs += _problems(df, (df["table"] != "") & ~known_table, "table", f"未知的表，应为：{'、'.join(TABLES)} (unknown table)")
    for tid, rows in df[known_table].groupby("table", sort=False):
        spec = TABLES[tid]
        items = rows["item"]
        probs += _problems(
            rows, (items != "") & ~items.isin(spec.items), "item",
            f"{tid} 没有此项目，应为：{'、'.join(spec.items)} (unknown measure)",
        )
        mode = items.map({k: i.codes for k, i in spec.items.items()})
        code = rows["code"]
        probs += _problems(rows, (mode == "none") & (code != ""), "code", f"{tid} 的该项目不带科目编码，应留空 (no code expected)")
        probs += _problems(rows, (mode == "required") & (code == ""), "code", "该项目须填写科目编码 (code required)")
        coded = rows[(code != "") & mode.isin(["optional", "required"])]
        if spec.scheme and len(coded):
            for c in coded["code"].unique():
                msg = classification.check(c, spec.scheme)
                if msg:
                    probs += _problems(coded, coded["code"] == c, "code", msg)
        units = rows["item"].map({k: i.unit for k, i in spec.items.items()})
        bad = rows[items.isin(spec.items) & (rows["unit"] != units)]
        for f, r, v, it in zip(bad["_file"], bad["_row"], bad["unit"], bad["item"], strict=True):
            msg = f"{tid}.{it} 的单位应为「{spec.items[it].unit}」 (wrong unit)"
            probs.append(Problem(f, int(r), "unit", v, msg))
    return probs


def validate_frames(
    frames: dict[str, pd.DataFrame], classification: Classification
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Validate raw string frames and return typed frames plus all problems."""
    probs: list[Problem] = []
    codes = frames["codes"]
    probs += _check_columns("codes", codes, {})
    fmt = codes.apply(lambda r: classification.check(r["code"], r["scheme"]), axis=1) if len(codes) else pd.Series([], dtype=str)
    bad_format = fmt.fillna("").str.contains("位数字")
    probs += _problems(codes, bad_format, "code", lambda v: "科目编码位数不对 (wrong number of digits)")
    extra = [(s, c, n) for s, c, n in zip(codes["scheme"], codes["code"], codes["name"], strict=True)]
    classification = classification.with_extra(extra)
    refs = {
        "entity_id": set(frames["entities"]["entity_id"]),
        "doc_id": set(frames["documents"]["doc_id"]),
    }
    for name in FILES:
        if name != "codes":
            probs += _check_columns(name, frames[name], refs if name != "entities" else {})
    probs += _check_facts(frames["facts"], classification)
    tables = frames["tables"]
    probs += _problems(tables, (tables["table"] != "") & ~tables["table"].isin([f"T0{i}" for i in range(1, 10)]), "table", "应为 T01–T09 (expected T01–T09)")
    reasons = frames["reasons"]
    probs += _problems(reasons, (reasons["topic"] != "") & ~reasons["topic"].isin(REASON_TOPICS), "topic", f"应为以下之一：{'、'.join(REASON_TOPICS)} (unknown topic)")
    probs = list(dict.fromkeys(probs))
    if probs:
        return frames, probs
    typed = {k: v.copy() for k, v in frames.items()}
    for name in ("facts", "projects", "indicators"):
        df = typed[name]
        df["year"] = df["year"].astype("int64")
        df["value"] = parse_amounts(df["value"])
    for name in ("documents", "tables", "reasons"):
        typed[name]["year"] = typed[name]["year"].astype("int64")
    return typed, []
