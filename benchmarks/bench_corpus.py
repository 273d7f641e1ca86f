"""Extraction and check quality: the variation corpus, and the real documents when present.

Variation corpus (``tests/fixtures/variations``, with ``expected.json``): the
share of the expected figures extracted, the planted errors caught, the false
errors (an 错误 no fixture expects) and the number of 需复核 findings.

Real documents (``../shared/realdocs``, skipped when absent): every 错误 the
checks report is compared with the defects found by hand in those documents
(:data:`REAL_DEFECTS`, by rule and source line), giving precision and recall;
the headline figures of each (:data:`REAL_HEADLINES`) must be extracted.

Run ``python -m benchmarks.bench_corpus``; results go to ``benchmarks/out/corpus.json``.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

from benchmarks.common import REPO, SHARED, write_result

__all__ = ["REAL_DEFECTS", "REAL_HEADLINES", "corpus", "real", "run"]

VARIATIONS = REPO / "tests" / "fixtures" / "variations"
REALDOCS = SHARED / "realdocs"

#: Defects found by reading the three 普陀 2024 documents: (rule that should report it, note).
#: A defect no rule covers would be listed with rule ``—`` (it counts against recall).
REAL_DEFECTS: dict[str, list[tuple[str, str]]] = {
    "doc01_shpt_caizhengju_2024": [
        ("N-4", "财政拨款收入支出总计写作0.3万元，04表为2961.68"),
        ("N-6", "一般公共服务支出占比71.73%，应为71.65%"),
    ],
    "doc02_shpt_guihuaziyuan_2024": [
        ("N-8", "基本支出5377.64与05表5364.75不符"),
        ("N-8", "人员经费4896.98与06表4884.09不符"),
        ("N-7", "第5项科目名称不是2080599的名称"),
        ("N-7", "第12项款名“住房保障支出”应为住房改革支出"),
        ("N-7", "第13项款名“住房保障支出”应为住房改革支出"),
        ("F-NAME", "第11项“其他国土资源事务支出”为旧科目名称"),
        ("F-PLACEHOLDER", "“下降（增长）”未删改"),
        ("F-PERCENT", "“增长13.95”缺少%"),
        ("F-UNITNAME", "单位名称前后不一（规划和/规划与自然资源局）"),
    ],
    "doc03_shpt_shehuigongzuobu_2024": [
        ("N-1", "上年为0却写增长100.00%"),
        ("N-4", "上年为0却写增长100.00%"),
        ("N-5", "上年为0却写增长100.00%"),
        ("N-11", "上年为0却写增长100.00%"),
        ("N-7", "年初预算为0却写完成年初预算的95.89%"),
        ("N-7", "住房公积金（项）的用途写作“事业单位医疗保险支出”"),
    ],
}
_H = {
    "doc01_shpt_caizhengju_2024": (
        "2995.39 2946.25 2940.05 2336.91 603.14 2961.68 2940.05 2336.91 2993.92 2152.26 184.65"
    ),
    "doc02_shpt_guihuaziyuan_2024": (
        "9859.38 9746.50 9759.38 5377.64 4381.74 9746.50 9746.50 5364.75 10210.34 4884.09 480.66"
    ),
    "doc03_shpt_shehuigongzuobu_2024": (
        "307.82 307.82 307.82 105.58 202.24 307.82 307.82 105.58 0 95.36 10.23"
    ),
}
_KEYS = (
    ("T01", "income_grand_total"), ("T01", "income_total"), ("T01", "expense_total"),
    ("T03", "basic"), ("T03", "project"), ("T04", "income_grand_total"), ("T05", "total"),
    ("T05", "basic"), ("T05", "budget_initial"), ("T06", "personnel_total"),
    ("T06", "public_total"),
)  # fmt: skip
#: Headline figures of the real documents, by hand from their tables and text.
REAL_HEADLINES = {
    doc: dict(zip(_KEYS, (Decimal(v) for v in values.split()), strict=True))
    for doc, values in _H.items()
}


def _extract(path: Path):
    from fiscal_analysis import load_dataset
    from fiscal_analysis.checks import run_checks
    from fiscal_analysis.extract import extract_to_dir

    out = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
    ex = extract_to_dir(path, out)
    ds = load_dataset(out)
    return ex, ds, run_checks(ds, ex.entity_id)


def corpus() -> dict:
    """Share of figures extracted, errors caught, false errors, 需复核 count on the fixtures."""
    expected = json.loads((VARIATIONS / "expected.json").read_text(encoding="utf-8"))
    figures = found = caught = planted = false = reviews = 0
    for name, spec in expected.items():
        ex, ds, findings = _extract(VARIATIONS / name)
        for key, want in spec["figures"].items():
            y, _, rest = key.rpartition("/")
            table, item, code = [*rest.split(":"), ""][:3]
            got = ds.value(ex.entity_id, int(y) if y else ex.year, table, item, code)
            figures += 1
            found += got == Decimal(want)
        want_errors = Counter(spec["errors"])
        got_errors = Counter(f.rule for f in findings if f.is_error)
        planted += sum(want_errors.values())
        caught += sum((want_errors & got_errors).values())
        false += sum((got_errors - want_errors).values())
        reviews += sum(1 for f in findings if f.review)
    return {
        "documents": len(expected),
        "figures": figures,
        "figures_extracted": found,
        "errors_planted": planted,
        "errors_caught": caught,
        "false_errors": false,
        "review_findings": reviews,
    }


def real(kind: str = "txt") -> dict | None:
    """Precision and recall of 错误 findings, and headline figures, on the real documents."""
    if not REALDOCS.is_dir():
        return None
    tp = fp = fn = heads = got = 0
    per = {}
    for doc, defects in REAL_DEFECTS.items():
        ex, ds, findings = _extract(REALDOCS / f"{doc}.{kind}")
        errors = Counter(f.rule for f in findings if f.is_error)
        truth = Counter(rule for rule, _ in defects)
        hit = errors & truth
        tp += sum(hit.values())
        fp += sum((errors - truth).values())
        fn += sum((truth - hit).values())
        for (table, item), want in REAL_HEADLINES[doc].items():
            heads += 1
            got += ds.value(ex.entity_id, ex.year, table, item) == want
        per[doc] = {"errors": dict(errors), "missed": dict(truth - hit)}
    return {
        "kind": kind,
        "true_errors_found": tp,
        "false_errors": fp,
        "defects_missed": fn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "headline_figures": heads,
        "headline_extracted": got,
        "documents": per,
    }


def run() -> dict:
    record = {"corpus": corpus(), "real_txt": real("txt"), "real_pdf": real("pdf")}
    write_result("corpus", record)
    print(json.dumps(record, ensure_ascii=False, indent=1, default=str))
    return record


if __name__ == "__main__":
    run()
