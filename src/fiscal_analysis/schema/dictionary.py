"""Generate the data dictionary (``data/README.md``) from the declarations.

Every file, column, table, item, unit and code list is declared once, in
:mod:`fiscal_analysis.schema.columns` and :mod:`fiscal_analysis.schema.items`; this module
writes them out as Markdown, Tax-Calculator style. Regenerate after changing a
declaration::

    python -m fiscal_analysis.schema.dictionary > data/README.md

A test fails when ``data/README.md`` is out of date.

Examples:
    >>> text = render_dictionary()
    >>> text.splitlines()[0]
    '# 数据字典 (data dictionary)'
    >>> "| `income_grand_total` | 收入总计 | 万元 |" in text
    True
"""

from __future__ import annotations

import sys

from fiscal_analysis.schema.columns import (
    BASES,
    EVIDENCE,
    FILES,
    LEVELS,
    TABLE_STATUSES,
    FileSpec,
)
from fiscal_analysis.schema.items import REASON_TOPICS, TABLES, Item, TableSpec
from fiscal_analysis.schema.vocabulary import METRIC_COLUMNS

__all__ = ["main", "render_dictionary"]

_KINDS = {
    "text": "文本 (text)",
    "id": "标识 (id)",
    "year": "年份 (year)",
    "code": "科目编码 (code)",
    "item": "项目键 (item key)",
    "amount": "数值 (number)",
    "choice": "取值表 (choice)",
    "ref": "引用 (reference)",
}

_CODE_MODES = {
    "none": "不带编码 (no code)",
    "optional": "可带编码；空编码为合计行 (code optional; blank = total)",
    "required": "必须带编码 (code required)",
}

_SCHEMES = {"function": "功能分类", "economic": "经济分类", None: "—"}

_INTRO = """\
# 数据字典 (data dictionary)

> 本文件由 `python -m fiscal_analysis.schema.dictionary > data/README.md` 根据
> `src/fiscal_analysis/schema/` 中的声明（`columns.py`、`items.py`、`vocabulary.py`）
> 自动生成，请勿手工编辑。
> Generated from the declarations; do not edit by hand. A test fails when it is out of date.

每个单位的数据来自哪份公开文件、用哪条命令提取，见 [SOURCES.md](SOURCES.md)
(where each document comes from, and the command that extracted it).

## 目录结构 (folder layout)

```
data/
├── README.md                 本文件 (this dictionary, generated)
├── SOURCES.md                数据来源与提取命令 (provenance, written by hand)
├── entities.csv              单位名录 (registry of departments)
├── codes.csv                 可选：补充的科目编码 (optional extra codes)
├── raw/                      原始公开文件（PDF、文本，按公布原样），只读 (documents as published)
└── <entity_id>/
    ├── documents.csv         来源文件 (documents cited by the records)
    └── <year>/
        ├── facts.csv         全部数字 (every figure)
        ├── tables.csv        九张表的公开状态 (disclosure status)
        ├── reasons.csv       变动原因原文 (stated reasons)
        ├── projects.csv      项目支出 (project expenditures)
        └── indicators.csv    绩效等其他数字 (other stated numbers)
```

**分区 (partitioning).** 每种文件可以有任意多个同名文件，放在 `data/` 下任意位置
（例如每个单位每个年度一个 `facts.csv`，或一个省一个大文件）；读取时全部合并。
每一行都写明 `entity_id` 和 `year`，所以文件放在哪个文件夹不影响含义，文件夹只是为了便于管理。
Any number of files with the same name may sit anywhere under `data/`; the loader
concatenates them. Every row names its entity and year, so folders are only for
convenience. Hidden folders (starting with `.`) are skipped.

**原始文件只读 (raw data is immutable).** `data/raw/` 保存公开的原始文件（文本或 PDF），
从不修改；整理后的数字写在 CSV 中，并用 `doc_id` 与 `section` 指回原文。
Files in `data/raw/` are never edited; curated CSVs point back to them through
`doc_id` and `section`.

**读取规则 (reading rules).** CSV 编码可为 UTF-8、带 BOM 的 UTF-8 或 GBK/GB18030；
所有值按文本读取，不做任何猜测或转换。数值只能写半角数字、可选正负号、千分位逗号和最多六位小数
（如 `335.78`、`2,940.05`；以元公开的 31,205.40元 写作万元 `3.12054`，即精确到分：
0.000001万元 = 1分），整数部分最多 12 位，不能带单位、空格、全角数字或 `NaN`；未公开的金额留空并把
`basis` 设为 `undisclosed`。数值按原样精确保存（整数分），只在展示时四舍五入到两位小数。
任何问题都会一次全部列出，指明文件、行、列、值和应填内容。
Encodings: UTF-8, UTF-8 with BOM, GBK/GB18030. Values are read as text and never
coerced; amounts are ASCII numbers with at most six decimals (1分 = 0.000001万元, so a
figure printed in 元 is kept exactly) and at most 12 integer digits, held as exact integer
分 and rounded half up to two decimals only when presented; every problem is
reported at once with file, row, column, value and what was expected.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _file_section(spec: FileSpec) -> list[str]:
    where = "任意位置，可有多个 (anywhere, any number)"
    need = "必需 (required)" if spec.required else "可选 (optional)"
    lines = [
        f"### `{spec.name}.csv`",
        "",
        f"{spec.description}。{need}；{where}。",
        "",
        f"键 (key, must be unique): `{' + '.join(spec.key)}`",
        "",
    ]
    rows = []
    for c in spec.columns:
        allowed = "、".join(f"`{v}`" for v in c.choices) if len(c.choices) <= 12 else "见下文"
        rows.append(
            [
                f"`{c.name}`",
                _KINDS.get(c.kind, c.kind),
                "是" if c.required else "否",
                c.unit or "—",
                c.description,
                allowed or "—",
            ]
        )
    header = ["列 column", "类型 kind", "必填 required", "单位 unit", "说明 description"]
    lines += _table([*header, "取值 allowed"], rows)
    return [*lines, ""]


def _choices(title: str, values: dict[str, str]) -> list[str]:
    rows = [[f"`{k}`", v] for k, v in values.items()]
    return [f"### {title}", "", *_table(["取值 value", "含义 meaning"], rows), ""]


def _table_section(spec: TableSpec) -> list[str]:
    lines = [
        f"### `{spec.table}` {spec.title}",
        "",
        f"来源 (source): {spec.section or '—'}；科目 (codes): {_SCHEMES[spec.scheme]}",
        "",
    ]
    rows = [
        [f"`{i.key}`", i.label, i.unit, _CODE_MODES[i.codes], _item_note(i)]
        for i in spec.items.values()
    ]
    header = ["项目 item", "名称 label", "单位 unit", "编码 code", "说明 description"]
    return [*lines, *_table(header, rows), ""]


def _item_note(item: Item) -> str:
    notes = [item.description] if item.description else []
    notes += ["不能为负 (≥ 0)"] if item.non_negative else []
    return "；".join(notes) or "—"


def render_dictionary() -> str:
    """The whole data dictionary as Markdown (deterministic)."""
    lines = [_INTRO.rstrip("\n"), "", "## 文件与列 (files and columns)", ""]
    for spec in FILES.values():
        lines += _file_section(spec)
    lines += ["## 取值表 (code lists)", ""]
    lines += _choices("`basis` 数据来源性质", BASES)
    lines += _choices("`evidence` 读取依据", EVIDENCE)
    lines += _choices("`level` 预算级次", LEVELS)
    lines += _choices("`status` 公开状态", TABLE_STATUSES)
    lines += _choices("`topic` 原因主题 (reasons.csv)", REASON_TOPICS)
    lines += [
        "## 表与项目 (tables and items)",
        "",
        "`facts.csv` 每行一个数字，由 `table` + `code` + `item` 确定；`unit` 必须与下表一致。",
        "科目编码：功能分类 3/5/7 位（类/款/项），经济分类 3/5 位（类/款）；"
        "内置字典之外的编码写入 `codes.csv`。",
        "Each fact is keyed by table + code + item; its unit must match the item's unit.",
        "",
    ]
    lines += _choices("编码方式 (code modes)", _CODE_MODES)
    for spec in TABLES.values():
        lines += _table_section(spec)
    lines += _vocabulary_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def _vocabulary_section() -> list[str]:
    """The metric frames' column names (:data:`.vocabulary.METRIC_COLUMNS`)."""
    intro = [
        "## 指标列 (metric columns)",
        "",
        "`fiscal_analysis.metrics` 的每张结果表都使用下列列名，同名即同义："
        "全部单位×年度的面板表（`metrics.all_metrics(ds)`）中金额为精确的万元小数"
        "（两位；数据中有精确到分、不是整 0.01万元 的金额时为六位），"
        "单个单位年度的表（`metrics.income_structure(ds.entity_year(单位, 年度))` 等）"
        "中为 `Decimal` 万元；"
        "比率以分子 `*_num`、分母 `*_den` 精确保存（百分比 = 分子 ÷ 分母 × 100），"
        "`*_rounded` 为四舍五入后的展示值。",
        "Every metric frame uses these names with one meaning: amounts in 万元 (exact), rates as "
        "exact numerator/denominator pairs, ``*_rounded`` for presentation only.",
        "",
    ]
    header = ["列 column", "单位 unit", "含义", "meaning"]
    rows = [[f"`{c.name}`", c.unit, c.meaning, c.gloss] for c in METRIC_COLUMNS.values()]
    return [*intro, *_table(header, rows), ""]


def main() -> None:
    """Print the dictionary (``python -m fiscal_analysis.schema.dictionary > data/README.md``)."""
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    sys.stdout.write(render_dictionary())


if __name__ == "__main__":  # pragma: no cover
    main()
