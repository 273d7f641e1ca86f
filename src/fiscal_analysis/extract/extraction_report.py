"""The extraction report: every figure recognised with its source line, and
every numeric sentence that was not understood (Markdown and JSON).

Examples:
    >>> from fiscal_analysis.extract.build import build
    >>> lines = ["某局2024年度部门决算", "第三部分", "二、收入决算情况说明",
    ...          "本年收入合计10万元，办结率98%。"]
    >>> r = report_data(build(lines, "x.txt"))
    >>> r["summary"]["figures"], r["summary"]["not_understood"]
    (1, 1)
    >>> r["not_understood"][0]["text"]
    '98%'
"""

from __future__ import annotations

import json
from pathlib import Path

from fiscal_analysis.extract.model import Extraction
from fiscal_analysis.extract.units import count_text, fen_text

__all__ = ["report_data", "write_report"]


def _sentence(ex: Extraction, line: int) -> str:
    return ex.lines[line - 1].strip() if 0 < line <= len(ex.lines) else ""


def _evidence_counts(ex: Extraction) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in ex.rows.get("facts", []):
        e = r.get("evidence") or "—"
        counts[e] = counts.get(e, 0) + 1
    return counts


def report_data(ex: Extraction) -> dict:
    """The report as a JSON-ready dict."""
    figures = [
        {
            "table": f.key[0], "code": f.key[1], "item": f.key[2],
            "value": fen_text(f.value) if f.unit == "万元" else count_text(f.value),
            "unit": f.unit, "printed": f.text, "line": f.line, "section": f.where,
            "note": f.note, "evidence": f.evidence,
        }
        for f in ex.parsed.figures
    ]  # fmt: skip
    table_facts = [
        {
            "table": t.table,
            "code": c,
            "item": i,
            "value": fen_text(v),
            "line": n,
            "evidence": t.evidence.get((c, i), "table"),
        }
        for t in ex.tables
        for c, i, v, n in t.facts
    ]
    # An indicator stated again later is kept once; its repeats are not "not understood".
    kept = {(i.value, i.unit) for i in ex.indicators} | {(i.line, i.value) for i in ex.indicators}
    indicators = [
        {"indicator": i.name, "value": count_text(i.value), "unit": i.unit,
         "qualifier": i.qualifier, "line": i.line, "section": i.where}
        for i in ex.indicators
    ]  # fmt: skip
    misses = [
        {"text": n.text, "label": n.label, "line": n.line, "section": n.where}
        | {"sentence": _sentence(ex, n.line)}
        for n in ex.parsed.unrecognised
        if not {(int(n.value * 100), n.unit), (n.line, int(n.value * 100))} & kept
    ]
    return {
        "document": {
            "entity_id": ex.entity_id,
            "name": ex.name,
            "year": ex.year,
            "title": ex.title,
        },
        "summary": {
            "figures": len(figures),
            "table_figures": len(table_facts),
            "indicators": len(indicators),
            "not_understood": len(misses),
            "facts_written": len(ex.rows.get("facts", [])),
            "tables": {t.table: t.status for t in ex.tables},
            "evidence": _evidence_counts(ex),
        },
        "figures": figures,
        "table_figures": table_facts,
        "indicators": indicators,
        "not_understood": misses,
        "notes": ex.notes,
    }


def _markdown(data: dict) -> str:
    doc, s = data["document"], data["summary"]
    out = [
        f"# 提取报告：{doc['title']}",
        "",
        f"- 单位：{doc['name']}（{doc['entity_id']}），年度：{doc['year']}",
        f"- 表格数字 {s['table_figures']} 个；情况说明中识别的数字 {s['figures']} 个；"
        f"绩效等指标 {s['indicators']} 个；未能理解的数字 {s['not_understood']} 个；"
        f"写入 facts {s['facts_written']} 行",
        "",
        "## 说明",
        "",
    ]
    out += [f"- {n}" for n in data["notes"]] or ["- 无"]
    out += ["", "## 情况说明中识别的数字", "", "| 行 | 章节 | 表 | 编码 | 项目 | 数值 | 原文 |"]
    out += ["|---|---|---|---|---|---|---|"]
    for f in data["figures"]:
        cells = (
            f["line"],
            f["section"],
            f["table"],
            f["code"],
            f["item"],
            f["value"] + f["unit"],
            f["printed"],
        )
        out.append("| " + " | ".join(map(str, cells)) + " |")
    out += [
        "",
        "## 绩效等指标（indicators.csv）",
        "",
        "| 行 | 章节 | 指标 | 数值 |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {i['line']} | {i['section']} | {i['indicator']} | "
        f"{i['qualifier'] if i['qualifier'] == '第' else ''}{i['value']}"
        f"{i['qualifier'] if i['qualifier'] != '第' else ''}{i['unit']} |"
        for i in data["indicators"]
    ]
    out += ["", "## 未能理解的数字", "", "| 行 | 数字 | 前文 | 原句 |", "|---|---|---|---|"]
    out += [
        f"| {m['line']} | {m['text']} | {m['label']} | {m['sentence']} |"
        for m in data["not_understood"]
    ]
    return "\n".join(out) + "\n"


def write_report(ex: Extraction, out_dir: str | Path) -> list[Path]:
    """Write ``extraction_report.md`` and ``extraction_report.json`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = report_data(ex)
    md, js = out / "extraction_report.md", out / "extraction_report.json"
    md.write_text(_markdown(data), encoding="utf-8")
    js.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return [md, js]
