"""Document checks: what a disclosure lacks or states inconsistently, beyond its figures.

- S-1 必需的公开表缺失: a full disclosure (it has a 目录 or a table part) without one of
  公开01–08表 (09表 only when the 目录 lists it); an excerpt is not held to this.
- S-2 表格空白: a coded row printed without any number, a 合计/总计 row left blank
  while the table has figures, or a table with no data and no "本表无数据" note.
- S-3 年度不符: "20XX年度" or "截至20XX年12月31日" that is not the document's year,
  other than a comparison with the previous year ("与2023年度相比"); a heading naming
  the document itself ("2023年度部门决算情况说明" in a 2024 document) included.
- S-4 表格未能读出: a table with numbers the tool could not place (需复核, not an
  error of the document).
- S-5 科目名称与编码不符 (warning): a code of the built-in dictionary printed with
  another name (the dictionary only checks names; codes it lacks are taken as printed).

Examples:
    >>> lines = ["某局2024年度部门决算", "截至2023年12月31日，共有车辆2辆。"]
    >>> [(r, s) for r, s, *_ in structure_findings(lines, [], 2024)]
    [('S-3', 'error')]
    >>> heading = ["某局2024年度部门决算", "第三部分某局2023年度部门决算情况说明"]
    >>> [(r, f["原文"]) for r, _, _, f, _ in structure_findings(heading, [], 2024)]
    [('S-3', '2023年度')]
    >>> history = ["某局2024年度部门决算", "2023年度部门决算公开后，本局整改了两项问题。"]
    >>> [r for r, *_ in structure_findings(history, [], 2024)]
    []
"""

from __future__ import annotations

import re

from fiscal_analysis.extract.headings import table_id
from fiscal_analysis.extract.records import Parsed
from fiscal_analysis.extract.tables import TableResult
from fiscal_analysis.schema.classification import Classification
from fiscal_analysis.schema.items import TABLES

__all__ = ["structure_findings"]

#: rule, severity, message, figures, line (1-based)
StructureFinding = tuple[str, str, str, dict[str, str], int]

_REQUIRED = tuple(f"T0{i}" for i in range(1, 9))
_CODED = ("T02", "T03", "T05")
_TOTALS = ("income_total", "income_grand_total", "expense_total", "expense_grand_total")
_YEAR = re.compile(r"(?<![\d])(20\d\d)年度")
_UNTIL = re.compile(r"截至(20\d\d)年(\d{1,2})月(\d{1,2})日")
_COMPARE = re.compile(r"(?:与|比|较|同|和|上年|上一年|对比|相比)$")
#: A year that is the subject of a figure: "2023年度收入支出总计420.00万元".
_SUBJECT_YEAR = re.compile(
    r"^(?:本部门|本单位)?(?:收|支|财政拨款|一般公共|“?三公|机关运行|政府采购|部门决算|决算|预算)"
    r"[^，。；]{0,20}?\d"
)
_AFTER = re.compile(r"^(?:相比|同期|比较|持平|决算数?[^，。；]{0,6}(?:相比|持平)|预算)")


def _contents(lines: list[str]) -> tuple[set[str], int]:
    """Tables the 目录 lists, and the 目录's line (0 when there is none)."""
    for i, line in enumerate(lines[:300]):
        if re.sub(r"\s", "", line) in ("目录", "目录："):
            listed = set()
            for j in range(i + 1, min(i + 60, len(lines))):
                s = re.sub(r"^[一二三四五六七八九十]+[、.．]", "", lines[j].strip())
                tid = table_id(s) if "表" in s else None
                if tid:
                    listed.add(tid)
            return listed, i + 1
    return set(), 0


def _tables(lines: list[str], tables: list[TableResult]) -> list[StructureFinding]:
    out: list[StructureFinding] = []
    listed, toc = _contents(lines)
    have = {t.table for t in tables}
    separate = any(re.search(r"见附表|详见附表|附表略", x) for x in lines)
    full = (bool(listed) or len(have) >= 4) and not separate
    if full:
        need = sorted(set(_REQUIRED) | listed)
        where = toc or (min(t.line for t in tables) if tables else 1)
        for tid in need:
            if tid not in have:
                name = TABLES[tid].title
                how = "目录列出了该表，但正文中没有" if tid in listed else "文件中没有该表"
                msg = f"缺少公开{tid[1:]}表「{name}」：{how}"
                msg += "（无数据的表也应保留表格并注明“本表无数据”）。"
                out.append(("S-1", "error", msg, {"表": f"公开{tid[1:]}表"}, where))
    for t in tables:
        label = f"{t.table[1:]}表"
        for line, code, name in t.blank_rows:
            msg = (
                f"{label}科目{code}{name}只列了名称，没有任何数字（空白行）；请填写金额或删去该行。"
            )
            out.append(("S-2", "error", msg, {"科目": f"{code} {name}".strip()}, line))
        if t.status == "blank":
            msg = f"{label}没有任何数据，也没有说明原因；无数据的表应注明“本表无数据”及原因。"
            out.append(("S-2", "error", msg, {"表": label}, t.line))
        if t.status == "unreadable":
            msg = f"需复核：{label}有数字，但未能读出其行列（不是单位未公开），请人工核对该表。"
            out.append(("S-4", "info", msg, {"表": label}, t.line))
        known = Classification.builtin().function if t.table in _CODED else {}
        for code, name in sorted(t.names.items()):
            full = known.get(code)
            if full and name and name not in full and full not in name:
                msg = f"{label}科目{code}的名称印作「{name}」，科目编码表中为「{full}」，"
                msg += "请核对编码或名称。"
                line = next((n for c, _i, _v, n in t.facts if c == code), t.line)
                out.append(("S-5", "warning", msg, {"科目": code, "应为": full}, line))
        if t.table in ("T01", "T04"):
            vals = {i: v for c, i, v, _n in t.facts if not c}
            rows = {i: n for c, i, _v, n in t.facts if not c}
            if any(v for v in vals.values()):
                for item in _TOTALS:
                    if vals.get(item) == 0:
                        what = TABLES[t.table].items[item].label
                        msg = f"{label}「{what}」行空白，而表中其他行有数字；请填写合计数。"
                        out.append(("S-2", "error", msg, {"行": what}, rows[item]))
    return out


def _years(lines: list[str], year: int, skip: set[int]) -> list[StructureFinding]:
    out: list[StructureFinding] = []
    for n, raw in enumerate(lines, start=1):
        if n - 1 in skip:
            continue
        line = re.sub(r"\s", "", raw)
        if not line or "名词解释" in line:
            continue
        line = re.sub(r"《[^》]*》|“[^”]*”", lambda m: "＊" * len(m.group(0)), line)
        for m in _UNTIL.finditer(line):
            if int(m.group(1)) != year or (m.group(2), m.group(3)) != ("12", "31"):
                msg = f"「{m.group(0)}」与文件年度不符，应为截至{year}年12月31日。"
                out.append(("S-3", "error", msg, {"原文": m.group(0), "应为": f"{year}年"}, n))
        for m in _YEAR.finditer(line):
            y = int(m.group(1))
            if y == year:
                continue
            before, after = line[max(0, m.start() - 6) : m.start()], line[m.end() : m.end() + 12]
            if y == year - 1 and (_COMPARE.search(before) or _AFTER.match(after)):
                continue
            if y < year - 1 and _COMPARE.search(before):
                continue
            # a heading naming the document ("…2023年度部门决算情况说明"), not a sentence
            own = after.startswith("部门决算") and "。" not in line and len(line) < 60
            if y < year and not own and not _SUBJECT_YEAR.match(after):
                continue  # an earlier year named in a reason or a history, not a figure's year
            msg = f"「{m.group(0)}」与文件年度{year}年度不符（不是与上年的比较），请核对年度。"
            out.append(("S-3", "error", msg, {"原文": m.group(0), "应为": f"{year}年度"}, n))
    return out


def structure_findings(
    lines: list[str], tables: list[TableResult], year: int, parsed: Parsed | None = None
) -> list[StructureFinding]:
    """Missing tables, blank rows, unreadable tables and years that do not fit."""
    skip: set[int] = set()
    for t in tables:
        skip.update(range(t.line, t.line + 3))  # table titles are checked too, their rows not
    out = _tables(lines, tables)
    heads = [i for i, x in enumerate(lines) if re.match(r"^\s*第.部分\s*名词解释", x)]
    glossary = heads[-1] if heads and heads[-1] > len(lines) // 3 else None  # not the 目录's
    scan = lines if glossary is None else lines[:glossary]
    out += _years(scan, year, skip)
    return out
