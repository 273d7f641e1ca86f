"""Narrative checks: the 情况说明's printed figures against the tables (reference §4.3, §4.4).

Every amount, share, completion rate and change the text prints is recomputed
from the dataset (the tables) and from the other figures the text states.
A percentage printed with ``p`` decimals passes when
``|recomputed − printed| ≤ 0.5·10^(−p)`` plus the error carried by the
2-decimal amounts it comes from (reference §3.4). Rule ids: N-1 … N-14 by
section; form checks F-PLACEHOLDER, F-PERCENT, F-UNIT, F-DUP.

Examples:
    >>> text = ("第三部分\\n二、收入决算情况说明\\n"
    ...         "本年收入合计200万元，其中：财政拨款收入150万元，占76%。")
    >>> [(f.rule, f.status, f.figures["重算"]) for f in check_narrative(text, None, "e", 2024)
    ...  if f.rule == "N-2"]
    [('N-2', 'fail', '75%')]
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from fiscal_analysis.checks.findings import Finding
from fiscal_analysis.checks.text_form import form_findings
from fiscal_analysis.checks.text_form import wan_text as _w
from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.extract.records import Parsed, Rate
from fiscal_analysis.extract.statements import parse
from fiscal_analysis.extract.text import normalise_line
from fiscal_analysis.money import format_number

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


class _Checker:
    def __init__(
        self, parsed: Parsed, ds: Dataset | None, entity_id: str, year: int, lines: Sequence[int]
    ):
        self.p, self.ds, self.eid, self.year, self.map = parsed, ds, entity_id, year, lines
        self.out: list[Finding] = []
        self.keys = {s.label: s.key for s in parsed.sections}

    def src(self, line: int) -> str:
        n = self.map[line - 1] if 0 < line <= len(self.map) else line
        return f"第{n}行"

    def rule(self, where: str) -> str:
        best = max((lab for lab in self.keys if where.startswith(lab)), key=len, default="")
        return RULE_OF_SECTION.get(self.keys.get(best, ""), "N-14")

    def add(self, rule, status, severity, msg, figures, tol, line) -> None:
        self.out.append(
            Finding(rule, status, severity, msg, self.eid, self.year, figures, tol, self.src(line))
        )

    def ref(self, key) -> int | None:
        if self.ds is None or key is None:
            return None
        table, code, item = key
        try:
            return self.ds.hundredths(self.eid, self.year, table, item, code)
        except (KeyError, ValueError):
            return None

    # -- amounts ---------------------------------------------------------------
    def amounts(self) -> None:
        seen: dict = {}
        for f in self.p.figures:
            if f.note.startswith("文字说明"):
                continue
            seen.setdefault(f.key, []).append(f)
            ref = self.ref(f.key)
            if ref is None or f.unit != "万元":
                continue
            rule = self.rule(f.where)
            diff = abs(f.value - ref)
            table, code, item = f.key
            what = f"{table}{' ' + code if code else ''} {_NAMES.get(item, item)}"
            figs = {"说明": _w(f.value), "表": _w(ref), "项目": what}
            if diff == 0:
                self.add(
                    rule, "pass", "info", f"{what}与表一致：{_w(ref)}", figs, "0.01万元", f.line
                )
            elif diff <= 1:
                msg = f"{what}说明为{_w(f.value)}，表中为{_w(ref)}，相差0.01万元，属取整误差。"
                self.add(rule, "fail", "info", msg, figs, "0.01万元", f.line)
            else:
                msg = f"{what}说明为{_w(f.value)}，与表中{_w(ref)}不符，请按表更正说明中的数字。"
                self.add(rule, "fail", "error", msg, figs, "0.01万元", f.line)
        for key, figs in seen.items():
            values = {f.value for f in figs}
            if len(values) > 1:
                shown = "、".join(f"{_w(f.value)}（{self.src(f.line)}）" for f in figs)
                name = f"{key[0]} {_NAMES.get(key[2], key[2])}"
                msg = f"同一数字前后不一致：{name}先后写作{shown}，请统一。"
                self.add("N-14", "fail", "error", msg, {"取值": shown}, "0", figs[-1].line)

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
                    self.add(rule, "fail", "error", msg, figs, None, line)
            elif r.kind == "change":
                msg = (f"上年数为0（本年增加额等于本年数），增长率没有意义，却写了{r.pct.text}；"
                       "请删去增长率，改为说明上年无此项支出。")  # fmt: skip
                self.add(rule, "fail", "error", msg, figs, None, line)
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
        tol = half + Fraction(100, 2) * (Fraction(1, abs(den)) + Fraction(abs(num), den * den))
        diff = abs(exact - Fraction(printed))
        shown = _pct(exact, decimals)
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
        self.add(rule, "fail", sev, msg, figs, tol_text, line)

    def share_sum(self, where: str, rs: list[Rate]) -> None:
        nums = [r.numerator for r in rs]
        den = rs[0].denominator if rs[0].denominator is not None else self.ref(rs[0].den_key)
        if len(rs) < 2 or None in nums or not den or abs(sum(nums) - den) > len(rs):
            return
        decimals = max(r.pct.decimals for r in rs)
        total = sum(Fraction(r.pct.value) for r in rs)
        tol = Fraction(len(rs), 2 * 10**decimals)
        if abs(total - 100) > tol:
            shown = _pct(total, decimals)
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

    # -- words -------------------------------------------------------------------
    def directions(self) -> None:
        for d in self.p.directions:
            if d.actual is None or d.budget is None:
                continue
            diff = d.actual - d.budget
            truth = "大于" if diff > 0 else "小于" if diff < 0 else "持平"
            word = {
                "高于": "大于",
                "超过": "大于",
                "多于": "大于",
                "低于": "小于",
                "少于": "小于",
            }.get(d.word, d.word)
            ok = word == truth or (word == "持平" and abs(diff) * 100 <= abs(d.budget))
            figs = {"说明": d.word, "决算": _w(d.actual), "预算": _w(d.budget)}
            rule = self.rule(d.where)
            if ok:
                self.add(rule, "pass", "info", f"方向词「{d.word}」与数字一致", figs, None, d.line)
            else:
                msg = f"决算{_w(d.actual)}、预算{_w(d.budget)}，应写「{truth}」，"
                msg += f"说明却写「{d.word}」。"
                self.add(rule, "fail", "error", msg, figs, None, d.line)

    def items(self) -> None:
        for it in self.p.items:
            name = (
                "（类）".join(it.names[:1])
                + "（类）"
                + it.names[1]
                + "（款）"
                + it.names[2]
                + "（项）"
            )
            figs = {"说明": name, "编码": it.code or "—"}
            if it.how == "amount":
                msg = f"第{it.number}项名称「{name}」与05表科目{it.code}的名称不符（按金额对应），"
                msg += "请按科目名称更正。"
                self.add("N-7", "fail", "error", msg, figs, None, it.line)
            elif it.how == "none":
                msg = f"第{it.number}项「{name}」在05表中找不到对应的项级科目。"
                self.add("N-7", "fail", "warning", msg, figs, None, it.line)


def _pct(value: Fraction, decimals: int) -> str:
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{format_number(d, decimals, keep_zeros=True)}%"


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
    mapping = list(lines) if lines is not None else list(range(1, len(raw) + 1))
    names, known = {}, {}
    if ds is not None:
        f = ds.facts_for(entity_id, year)
        t05 = f[(f["table"] == "T05") & (f["item"] == "total") & (f["code"].str.len() == 7)]
        known = {
            ("T05", c, "total"): int(v)
            for c, v in zip(t05["code"], t05["value"], strict=True)
            if v == v
        }
        names = dict(ds.classification.function)
    c = _Checker(parse(raw, names, known), ds, entity_id, year, mapping)
    c.amounts()
    c.rates()
    c.directions()
    c.items()
    for rule, severity, msg, figs, line in form_findings(c.p, raw):
        c.add(rule, "fail", severity, msg, figs, None, line)
    out, seen = [], set()
    for f in c.out:
        key = (f.rule, f.status, f.source, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
