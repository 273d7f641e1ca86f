"""The dataset's files and columns, declared once.

A dataset is a folder of UTF-8 CSV files. Each logical file (``facts``,
``reasons`` …) may be split into any number of physical files with the same
name in sub-folders (for example one ``facts.csv`` per department and year),
which the loader concatenates. Every row names its entity and year, so a file
can hold one department-year or a whole province.

The loader, the validator and the generated data dictionary (``data/README.md``)
all read these declarations; nothing else lists the columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fiscal_analysis.schema.items import REASON_TOPICS, TABLES

__all__ = [
    "BASES",
    "EVIDENCE",
    "FILES",
    "LEVELS",
    "TABLE_STATUSES",
    "Column",
    "FileSpec",
]

#: How a figure was obtained.
BASES: dict[str, str] = {
    "published": "文件中直接公开的数字 (printed in the document)",
    "derived": "由公开数字推算，推算式写在 note 列 (derived; the formula is in `note`)",
    "undisclosed": (
        "文件列出了该项但未公开金额，value 留空 (named but amount not disclosed; value empty)"
    ),
}

#: Administrative level of an entity.
LEVELS: dict[str, str] = {
    "中央": "central",
    "省级": "provincial",
    "市级": "prefecture / municipal",
    "县级": "county / district",
    "乡级": "township",
}

#: Disclosure status of each 公开表 for an entity and year.
TABLE_STATUSES: dict[str, str] = {
    "published": "表格已公开且有数据 (published with data)",
    "empty": "表格公开为空表，说明无此类收支 (published empty: no such income/expenditure)",
    "absent": "来源中没有该表 (not in the source; figures may still come from the text)",
    "unreadable": (
        "文件中有该表，但工具未能读出其数字（或只读出其中能证实的部分，如合计）；不等于单位未公开 "
        "(in the document, but the tool could not read it, or only the part it could prove, "
        "such as totals; not the same as unpublished)"
    ),
}

#: How a figure was read from its document (empty: curated by hand, trusted as printed).
EVIDENCE: dict[str, str] = {
    "table": (
        "表格行：数字个数与列数相同，或列位置由表内等式（合计 = 各列之和、上级 = 下级之和）"
        "唯一确定 (table row whose columns are certain or close arithmetically)"
    ),
    "sentence": "情况说明中完整解析的句子 (a fully parsed sentence of the narrative)",
    "ambiguous": (
        "表格行：多种列分配都符合表内等式，按惯例取其一，须复核 "
        "(several column assignments fit; one was taken by convention)"
    ),
    "guess": (
        "推测：列位置或所指项目无法由文件本身确定，须复核 "
        "(a guess: the document does not settle the column or the item)"
    ),
}


@dataclass(frozen=True)
class Column:
    """One column of a dataset file.

    Attributes:
        name: Header as written in the CSV.
        kind: ``text``, ``id``, ``year``, ``code``, ``item``, ``amount``,
            ``choice`` or ``ref``.
        description: What the column holds (Chinese, English gloss).
        unit: Unit of the values, where there is one.
        required: Whether every row must have a value.
        choices: Allowed values for ``choice`` columns.
    """

    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    """One logical dataset file."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    per_entity: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_ENTITY = Column(
    "entity_id", "ref", "单位标识，须在 entities.csv 中 (entity id, from entities.csv)"
)
_YEAR = Column("year", "year", "决算年度 (fiscal year, 4 digits)")
_DOC = Column("doc_id", "ref", "来源文件标识，须在 documents.csv 中 (source document id)")
_SECTION = Column("section", "text", "来源章节，如「第三部分 五（三）4」 (section of the source)")
_NOTE = Column(
    "note",
    "text",
    "备注；推算数须写推算式 (note; derived figures give the formula)",
    required=False,
)
_BASIS = Column(
    "basis", "choice", "数据来源性质 (how the figure was obtained)", choices=tuple(BASES)
)
_EVIDENCE = Column(
    "evidence",
    "choice",
    "读取依据，见下方「读取依据」；空表示人工整理 (how the figure was read; empty: curated)",
    required=False,
    choices=tuple(EVIDENCE),
)
_LINE = Column(
    "line",
    "text",
    "原文位置，如「第6页第112行」（行号指提取后的原文） (page and line in the source text)",
    required=False,
)

FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec(
            "entities",
            "预算单位（部门）名录 (registry of departments)",
            (
                Column("entity_id", "id", "单位标识，任意不含控制字符的文本 (entity id)"),
                Column("name", "text", "单位全称 (full name)"),
                Column("region", "text", "所属地区，如「湖南省株洲市芦淞区」 (region)"),
                Column("level", "choice", "预算级次 (administrative level)", choices=tuple(LEVELS)),
                Column("note", "text", "备注 (note)", required=False),
            ),
            key=("entity_id",),
            per_entity=False,
        ),
        FileSpec(
            "documents",
            "来源文件 (source documents that records cite)",
            (
                Column("doc_id", "id", "文件标识 (document id)"),
                _ENTITY,
                _YEAR,
                Column("title", "text", "文件标题 (title)"),
                Column(
                    "path",
                    "text",
                    "原文相对数据目录的路径，可空 (path of the raw text)",
                    required=False,
                ),
                _NOTE,
            ),
            key=("doc_id",),
        ),
        FileSpec(
            "tables",
            "九张公开表的公开状态 (disclosure status of the nine tables)",
            (
                _ENTITY,
                _YEAR,
                Column(
                    "table",
                    "choice",
                    "公开表编号 T01–T09 (table id)",
                    choices=tuple(f"T0{i}" for i in range(1, 10)),
                ),
                Column("status", "choice", "公开状态 (status)", choices=tuple(TABLE_STATUSES)),
                _DOC,
                _SECTION,
                _NOTE,
            ),
            key=("entity_id", "year", "table"),
        ),
        FileSpec(
            "facts",
            "全部数字：公开表各行各列与情况说明中的数字 (every figure, one per row)",
            (
                _ENTITY,
                _YEAR,
                Column(
                    "table",
                    "choice",
                    "所属表或情况说明部分，见下方「表与项目」 (table or narrative part)",
                    choices=tuple(TABLES),
                ),
                Column(
                    "code",
                    "code",
                    "功能分类（3/5/7位）或经济分类（3/5位）科目编码；合计行留空 (code)",
                    required=False,
                ),
                Column("item", "item", "列或项目，见下方「表与项目」 (column / measure key)"),
                Column(
                    "value",
                    "amount",
                    "数值，最多六位小数（万元精确到分）；单位由项目决定 (value; unit per item)",
                    required=False,
                ),
                Column(
                    "unit",
                    "text",
                    "单位，须与项目的单位一致，如「万元」「辆」 (unit; must match the item)",
                ),
                _BASIS,
                _DOC,
                _SECTION,
                _NOTE,
                _EVIDENCE,
                _LINE,
            ),
            key=("entity_id", "year", "table", "code", "item"),
        ),
        FileSpec(
            "reasons",
            "单位说明的变动原因（主要原因），原文照录 (stated reasons, verbatim)",
            (
                _ENTITY,
                _YEAR,
                Column(
                    "topic",
                    "choice",
                    "原因所说明的变动，见下方「原因主题」 (what change it explains)",
                    choices=tuple(REASON_TOPICS),
                ),
                Column(
                    "code", "code", "涉及的科目编码，可空 (code, if about one line)", required=False
                ),
                Column("text", "text", "原文 (verbatim text)"),
                _DOC,
                _SECTION,
            ),
            key=("entity_id", "year", "topic", "code"),
            required=False,
        ),
        FileSpec(
            "projects",
            "项目支出（绩效）明细 (project expenditures)",
            (
                _ENTITY,
                _YEAR,
                Column("project", "text", "项目名称 (project name)"),
                Column("value", "amount", "项目支出 (expenditure)", unit="万元"),
                _BASIS,
                _DOC,
                _SECTION,
                _NOTE,
            ),
            key=("entity_id", "year", "project"),
            required=False,
        ),
        FileSpec(
            "indicators",
            "绩效产出指标等其他数字 (performance outputs and other stated numbers)",
            (
                _ENTITY,
                _YEAR,
                Column("indicator", "text", "指标名称 (indicator)"),
                Column("value", "amount", "数值 (value)"),
                Column("unit", "text", "单位，如「件」「%」 (unit as printed)"),
                Column(
                    "qualifier",
                    "text",
                    "限定词，如「余」「以上」 (qualifier such as 余)",
                    required=False,
                ),
                _DOC,
                _SECTION,
            ),
            key=("entity_id", "year", "indicator"),
            required=False,
        ),
        FileSpec(
            "codes",
            "补充的科目编码及名称（内置字典之外） (extra classification codes)",
            (
                Column(
                    "scheme",
                    "choice",
                    "function 功能分类 / economic 经济分类",
                    choices=("function", "economic"),
                ),
                Column("code", "code", "科目编码 (code)"),
                Column("name", "text", "科目名称 (name)"),
                Column("source", "text", "名称依据 (where the name comes from)"),
            ),
            key=("scheme", "code"),
            required=False,
            per_entity=False,
        ),
    )
}
