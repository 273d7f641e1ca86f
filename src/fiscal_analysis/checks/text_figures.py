"""Narrative checks: the 情况说明's printed figures against the tables (reference §4.3, §4.4).

Every amount, share, completion rate and change the text prints is recomputed
from the tables and from the other figures the text states. The tables are
the document's own, read again here with their exact amounts (分) and the
evidence of each cell, or, when the text holds no tables, the dataset's
figures. A percentage printed with ``p`` decimals passes when
``|recomputed − printed| ≤ 0.5·10^(−p)`` plus the error carried by the
2-decimal amounts it comes from (reference §3.4).

Precision first: a disagreement is an 错误 only when both sides were read
with evidence; one that rests on a guessed or ambiguous reading is 需复核
with the reason. A dataset figure that was itself filled in from the text
(evidence ``sentence``) is never compared with the text. When text and table
disagree, the table's own arithmetic says which side to correct
(:mod:`.arbiter`). Each finding cites page and line. Rule ids: N-1 … N-14 by
section; form checks (:mod:`.text_form`) and document checks
(:mod:`.text_structure`).

Examples:
    >>> text = ("第三部分\\n二、收入决算情况说明\\n"
    ...         "本年收入合计200万元，其中：财政拨款收入150万元，占76%。")
    >>> [(f.rule, f.status, f.figures["重算"]) for f in check_narrative(text, None, "e", 2024)
    ...  if f.rule == "N-2"]
    [('N-2', 'fail', '75%')]
    >>> loose = "本年收入合计200万元，其中：财政拨款收入150万元，占76%。"
    >>> f = check_narrative(loose, None, "e", 2024)
    >>> [(x.rule, x.review) for x in f if x.status == "fail"]  # no heading: the 76% is not sure
    [('N-2', True)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from fiscal_analysis.checks.arbiter import judge
from fiscal_analysis.checks.findings import Finding, needs_review
from fiscal_analysis.checks.text_form import (
    form_findings,
    pct_text,
    shown_figure,
    stream_all,
)
from fiscal_analysis.checks.text_form import wan_text as _w
from fiscal_analysis.checks.text_structure import structure_findings
from fiscal_analysis.checks.text_words import (
    name_findings,
    purpose_findings,
    unit_name_findings,
    word_findings,
)
from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.extract.headings import find_tables
from fiscal_analysis.extract.records import Parsed, Rate
from fiscal_analysis.extract.rows import line_place
from fiscal_analysis.extract.script import simplify
from fiscal_analysis.extract.statements import parse
from fiscal_analysis.extract.tables import TableResult, parse_table
from fiscal_analysis.extract.text import normalise_line
from fiscal_analysis.extract.units import HUNDREDTH, per_unit
from fiscal_analysis.money import format_number
from fiscal_analysis.schema.items import TABLES

__all__ = ["RULE_OF_SECTION", "check_narrative"]

RULE_OF_SECTION = {
    "total": "N-1", "income": "N-2", "expense": "N-3", "fiscal_total": "N-4", "gp": "N-5",
    "gp_total": "N-5", "gp_structure": "N-6", "gp_detail": "N-7", "basic": "N-8",
    "three_public": "N-9", "gov_fund": "N-10", "soe": "N-10", "ops_cost": "N-11",
    "general": "N-11", "procurement": "N-12", "assets": "N-13", "annex": "N-14",
}  # fmt: skip
_NAMES = {
    "income_grand_total": "收入支出总计", "expense_grand_total": "收入支出总计",
    "income_total": "本年收入合计", "expense_total": "本年支出合计", "total": "支出合计",
    "basic": "基本支出", "project": "项目支出", "budget_initial": "年初预算数",
    "personnel_total": "人员经费合计", "public_total": "公用经费合计",
}  # fmt: skip


@dataclass(frozen=True)
class Ref:
    """A table figure to compare with: 分, its evidence, and whether it is exact or rounded."""

    value: int
    evidence: str
    exact: bool
    own_text: bool = False


class _Checker:
    def __init__(
        self,
        parsed: Parsed,
        ds: Dataset | None,
        entity_id: str,
        year: int,
        lines: Sequence[int],
        raw: list[str],
        tables: list[TableResult],
    ):
        self.p, self.ds, self.eid, self.year, self.map = parsed, ds, entity_id, year, lines
        self.raw = raw
        self.out: list[Finding] = []
        self.keys = {s.label: s.key for s in parsed.sections}
        self.loose = {s.label for s in parsed.sections if not s.title}
        self.doc = {
            (t.table, c, i): Ref(v, t.evidence.get((c, i), "table"), True)
            for t in tables
            for c, i, v, _n in t.facts
        }
        for t in tables:  # a table published empty says 0 for every figure it has
            if t.status == "empty" and t.table in ("T07", "T08", "T09"):
                for item in TABLES[t.table].items:
                    self.doc.setdefault((t.table, "", item), Ref(0, "table", True))
        self.facts = self._facts()
        self.err = 1 if any(n.unit == "元" for n in parsed.numbers) else HUNDREDTH // 2

    def _facts(self) -> dict[tuple[str, str, str], Ref]:
        if self.ds is None:
            return {}
        f = self.ds.facts_for(self.eid, self.year)
        ev = f["evidence"] if "evidence" in f.columns else [""] * len(f)
        out = {}
        for t, c, i, v, e in zip(f["table"], f["code"], f["item"], f["value"], ev, strict=True):
            if not pd.isna(v):
                e = "" if pd.isna(e) else str(e)
                out[(t, c, i)] = Ref(int(v), e or "table", False, e == "sentence")
        return out

    def src(self, line: int) -> str:
        n = self.map[line - 1] if 0 < line <= len(self.map) else line
        return line_place(self.raw, line).replace(f"第{line}行", f"第{n}行")

    def rule(self, where: str) -> str:
        best = max((lab for lab in self.keys if where.startswith(lab)), key=len, default="")
        return RULE_OF_SECTION.get(self.keys.get(best, ""), "N-14")

    def add(self, rule, status, severity, msg, figures, tol, line, why="") -> None:
        f = Finding(rule, status, severity, msg, self.eid, self.year, figures, tol, self.src(line))
        self.out.append(needs_review(f, why) if why else f)

    def lookup(self, key) -> Ref | None:
        if key is None:
            return None
        doc, fact = self.doc.get(key), self.facts.get(key)
        if doc is not None and (fact is None or abs(fact.value - doc.value) <= HUNDREDTH // 2):
            return doc
        return fact

    def ref(self, key) -> int | None:
        r = self.lookup(key)
        return None if r is None or r.own_text else r.value

    def values(self) -> dict:
        out = {k: r.value for k, r in self.facts.items() if not r.own_text}
        out.update({k: r.value for k, r in self.doc.items()})
        return out

    # -- amounts ---------------------------------------------------------------
    def amounts(self) -> None:
        seen: dict = {}
        for f in self.p.figures:
            if f.note.startswith("文字说明"):
                continue
            seen.setdefault(f.key, []).append(f)
            r = self.lookup(f.key)
            if r is None or f.unit != "万元":
                continue
            self.amount(f, r)
        for key, figs in seen.items():
            values = {f.value for f in figs}
            if len(values) > 1:
                shown = "、".join(f"{shown_figure(f)}（{self.src(f.line)}）" for f in figs)
                name = f"{key[0]} {_NAMES.get(key[2], key[2])}"
                msg = f"同一数字前后不一致：{name}先后写作{shown}，请统一。"
                why = "；".join(f"{f.text}的单位为推测" for f in figs if f.evidence == "guess")
                self.add("N-14", "fail", "error", msg, {"取值": shown}, "0", figs[-1].line, why)

    def amount(self, f, r: Ref) -> None:
        rule = self.rule(f.where)
        table, code, item = f.key
        label = TABLES[table].items[item].label if item in TABLES[table].items else item
        what = f"{table}{' ' + code if code else ''} {_NAMES.get(item, label)}"
        figs = {"说明": _w(f.value), "表": _w(r.value), "项目": what}
        if r.own_text:
            if table.startswith("T0") and item not in ("budget_initial", "budget_adjusted"):
                msg = f"{what}：数据中的该数字取自说明本身（文件中没有可读的表格数字），"
                msg += "不能自证，未核对。"
                self.add(rule, "not_applicable", "info", msg, figs, None, f.line)
            return
        decimals = len(f.text.split(".")[1].rstrip("万元亿")) if "." in f.text else 0
        unit = "元" if f.text.endswith("元") and not f.text.endswith("万元") else "万元"
        step = max(per_unit(unit) // 10**decimals, 1)
        slack = 0 if r.exact else HUNDREDTH // 2
        diff = abs(f.value - r.value)
        why = self.why(f.evidence, r, f.text)
        if diff * 2 <= step + 2 * slack:
            self.add(
                rule, "pass", "info", f"{what}与表一致：{_w(r.value)}", figs, "0.01万元", f.line
            )
        elif diff <= step + slack:
            msg = f"{what}说明为{_w(f.value)}，表中为{_w(r.value)}，相差一个末位，属取整误差。"
            self.add(rule, "fail", "info", msg, figs, "0.01万元", f.line)
        else:
            side, verdict = judge(self.values(), f.key, f.value)
            figs["判断"] = {"text": "说明有误", "table": "表格有误"}.get(side, "无法判断")
            msg = f"{what}：说明为{_w(f.value)}，表中为{_w(r.value)}，两者不符；{verdict}。"
            self.add(rule, "fail", "error", msg, figs, "0.01万元", f.line, why)

    @staticmethod
    def why(text_evidence: str, r: Ref | None, printed: str = "") -> str:
        out = []
        if text_evidence == "guess":
            out.append(f"说明中的「{printed}」为推测读数（如缺少单位）")
        if r is not None and r.evidence in ("guess", "ambiguous"):
            how = "列位置有多种可能" if r.evidence == "ambiguous" else "列位置为推测"
            out.append(f"表中该数{how}")
        return "；".join(out)

    # -- percentages -------------------------------------------------------------
    def rates(self) -> None:
        groups: dict = {}
        for r in self.p.rates:
            self.rate(r)
            if r.kind == "share" and r.den_key is not None:
                groups.setdefault((r.where, r.den_key), []).append(r)
        for (where, _), rs in groups.items():
            self.share_sum(where, rs)

    def rate(self, r: Rate) -> None:
        rule = self.rule(r.where)
        num = r.numerator if r.numerator is not None else self.ref(r.subject)
        den = r.denominator if r.denominator is not None else self.ref(r.den_key)
        reasons = []
        den = self.rebased(r, den, reasons)
        if r.where in self.loose or any(r.where.startswith(x) for x in self.loose if x):
            reasons.append("该句不在可识别的标题下，分母按句意推定")
        for key, given in ((r.subject, r.numerator), (r.den_key, r.denominator)):
            ref = self.lookup(key) if given is None else None
            if ref is not None and ref.evidence in ("guess", "ambiguous"):
                reasons.append(f"{key[0]} {key[2]}的表中读数不确定")
        why = "；".join(reasons)
        printed, decimals, line = r.pct.value, r.pct.decimals, r.pct.line
        figs = {"说明": r.pct.text, "分子": _w(num), "分母": _w(den)}
        if num is None or den is None:
            self.add(
                rule, "not_applicable", "info", f"{r.pct.text}缺少可重算的金额", figs, None, line
            )
            return
        if den == 0:
            if r.kind == "completion":
                if num == 0 and printed == 0:
                    msg = f"预算与决算均为0，写作{r.pct.text}可以接受。"
                    self.add(rule, "pass", "info", msg, figs, None, line)
                else:
                    msg = (f"预算数为0，完成率没有意义，却写了「完成预算的{r.pct.text}」；"
                           "请改为说明年初未安排预算的原因，不写完成率。")  # fmt: skip
                    self.add(rule, "fail", "error", msg, figs, None, line, why)
            elif r.kind == "change":
                msg = (f"上年数为0（本年增加额等于本年数），增长率没有意义，却写了{r.pct.text}；"
                       "请删去增长率，改为说明上年无此项支出。")  # fmt: skip
                self.add(rule, "fail", "error", msg, figs, None, line, why)
            else:
                self.add(rule, "not_applicable", "info", "分母为0，无占比", figs, None, line)
            return
        exact = Fraction(num * 100, den)
        if r.kind == "share" and exact > 100 and printed <= 100:
            msg = (
                f"{r.pct.text}的分母{_w(den)}小于分子{_w(num)}，疑为单位错误（见 F-UNIT），未重算。"
            )
            self.add(rule, "not_applicable", "info", msg, figs, None, line)
            return
        half = Fraction(1, 2 * 10**decimals)
        err = Fraction(self.err)
        tol = half + 100 * err * (Fraction(1, abs(den)) + Fraction(abs(num), den * den))
        diff = abs(exact - Fraction(printed))
        shown = pct_text(exact, decimals)
        figs["重算"] = shown
        tol_text = (
            f"±{format_number(Decimal(half.numerator) / half.denominator, decimals + 1)}个百分点"
        )
        what = {"share": "占比", "completion": "完成率", "change": "增减幅度"}[r.kind]
        if diff <= tol:
            self.add(
                rule, "pass", "info", f"{what}{r.pct.text}与重算{shown}一致", figs, tol_text, line
            )
            return
        calc = f"{_w(num)} ÷ {_w(den)}"
        sev = "error" if diff > 2 * half + tol - half else "warning"
        hint = "" if sev == "error" else "（差一个末位，疑为截尾而非四舍五入）"
        msg = f"{what}写作{r.pct.text}，按{calc}重算应为{shown}{hint}，请更正为{shown}。"
        self.add(rule, "fail", sev, msg, figs, tol_text, line, why)

    def rebased(self, r: Rate, den: int | None, reasons: list[str]) -> int | None:
        """A change's base from the table's current figure when the sentence's own disagrees.

        "总计0万元…减少56.95万元，下降1.87%": the 0 is wrong (the amount check says so),
        and the base 0 + 56.95 would make a correct 1.87% look wrong. The base is then
        the table's current figure minus the stated change.
        """
        if r.kind != "change" or r.current is None or den is None:
            return den
        table = self.lookup(r.subject)
        if table is None or table.own_text or abs(table.value - r.current) <= HUNDREDTH:
            return den
        if table.evidence in ("guess", "ambiguous"):
            reasons.append("说明中的本年数与表不符，而表中读数不确定")
            return den
        return table.value - (r.current - den)

    def share_sum(self, where: str, rs: list[Rate]) -> None:
        nums = [r.numerator for r in rs]
        den = rs[0].denominator if rs[0].denominator is not None else self.ref(rs[0].den_key)
        if len(rs) < 2 or None in nums or not den or abs(sum(nums) - den) > len(rs) * HUNDREDTH:
            return
        decimals = max(r.pct.decimals for r in rs)
        total = sum(Fraction(r.pct.value) for r in rs)
        tol = Fraction(len(rs), 2 * 10**decimals)
        if abs(total - 100) > tol:
            shown = pct_text(total, decimals)
            msg = f"各项金额之和等于合计，但所列占比合计为{shown}，不是100%；请核对各项占比。"
            figs = {"占比合计": shown, "项数": str(len(rs))}
            self.add(
                self.rule(where),
                "fail",
                "warning",
                msg,
                figs,
                f"±{len(rs)}×0.5个末位",
                rs[-1].pct.line,
            )


def check_narrative(
    text: str,
    ds: Dataset | None,
    entity_id: str,
    year: int,
    *,
    lines: Sequence[int] | None = None,
) -> list[Finding]:
    """Check the 情况说明 in ``text`` against ``ds`` and against itself.

    Args:
        text: The disclosure's text (the whole document or just the 情况说明).
        ds: The dataset holding the tables' figures, or ``None`` to check
            the text only against the figures it states itself.
        entity_id: The entity the text belongs to.
        year: The year.
        lines: Source line number of each line of ``text`` (default 1, 2, …),
            so that findings cite the original document.

    Returns:
        Findings, including passes; failures carry a Chinese message that says
        what to change, the figures, the tolerance and the source line.
    """
    raw = [normalise_line(x) for x in text.splitlines()]
    work = simplify(raw)
    mapping = list(lines) if lines is not None else list(range(1, len(raw) + 1))
    blocks = find_tables(work)
    tables = [parse_table(b, work) for b in blocks]
    names = {c: n for t in tables for c, n in t.names.items()}
    known = {(t.table, c, i): v for t in tables for c, i, v, _ in t.facts}
    if ds is not None:
        f = ds.facts_for(entity_id, year)
        t05 = f[(f["table"] == "T05") & (f["item"] == "total") & (f["code"].str.len() == 7)]
        for c, v in zip(t05["code"], t05["value"], strict=True):
            if not pd.isna(v):
                known.setdefault(("T05", c, "total"), int(v))
        names = dict(ds.classification.function) | names
    c = _Checker(parse(work, names, known), ds, entity_id, year, mapping, raw, tables)
    c.amounts()
    c.rates()
    words = word_findings(c.p, c.lookup, c.rule)
    named = {line for rule, *_, line, _why in words if rule == "F-NAME"}
    words += name_findings(work, named)
    stream, pos = stream_all(work)
    words += purpose_findings(c.p, stream, pos)
    if ds is not None:
        words += unit_name_findings(ds.name(entity_id), stream, pos)
    for rule, status, severity, msg, figs, line, why in words:
        c.add(rule, status, severity, msg, figs, None, line, why)
    for rule, severity, msg, figs, line in form_findings(c.p, work):
        c.add(rule, "fail", severity, msg, figs, None, line)
    for rule, severity, msg, figs, line in structure_findings(work, tables, year, c.p):
        c.add(rule, "fail", severity, msg, figs, None, line)
    out, seen = [], set()
    for f in c.out:
        key = (f.rule, f.status, f.source, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
