"""The generated data dictionary (data/README.md) is complete and up to date."""

from __future__ import annotations

import subprocess
import sys

from fiscal_analysis.schema.columns import BASES, FILES, LEVELS, TABLE_STATUSES
from fiscal_analysis.schema.dictionary import render_dictionary
from fiscal_analysis.schema.items import REASON_TOPICS, TABLES

REGENERATE = "python -m fiscal_analysis.schema.dictionary > data/README.md"


def test_data_readme_is_up_to_date(data_dir):
    shipped = (data_dir / "README.md").read_text(encoding="utf-8")
    assert shipped == render_dictionary(), f"data/README.md is stale; run: {REGENERATE}"


def test_every_declaration_is_documented():
    text = render_dictionary()
    for spec in FILES.values():
        assert f"### `{spec.name}.csv`" in text
        for column in spec.columns:
            assert f"| `{column.name}` |" in text
    for spec in TABLES.values():
        assert f"### `{spec.table}` {spec.title}" in text
        for item in spec.items.values():
            assert f"| `{item.key}` | {item.label} | {item.unit} |" in text
    for values in (BASES, LEVELS, TABLE_STATUSES, REASON_TOPICS):
        for key, meaning in values.items():
            assert f"| `{key}` | {meaning} |" in text


def test_dictionary_explains_layout_partitioning_and_raw():
    text = render_dictionary()
    assert "data/raw/" in text and "immutable" in text
    assert "Any number of files with the same name" in text
    assert "GBK/GB18030" in text


def test_known_rows_are_rendered_exactly():
    text = render_dictionary()
    assert "| `budget_initial` | 年初预算数 | 万元 | 可带编码；空编码为合计行" in text
    assert "| `vehicles_held` | 公务用车保有量 | 辆 | 不带编码 (no code) | 不能为负 (≥ 0) |" in text
    assert "| `carryover_end` | 年末结转和结余 | 万元 | 不带编码 (no code) | — |" in text
    assert "| `expense` | 支出（功能分类类级） | 万元 | 必须带编码 (code required) |" in text


def test_module_entry_point_prints_the_dictionary():
    proc = subprocess.run(
        [sys.executable, "-m", "fiscal_analysis.schema.dictionary"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert proc.stdout.decode("utf-8") == render_dictionary()
    assert proc.stderr == b""
