"""The rule engine: a registry of reconciliation rules run per entity-year.

Each :class:`Rule` declares its id (mirroring reference §4), the severity of
a failure, the reference it implements and the inputs it reads. A rule is a
function of a :class:`Context` (one entity and year, bound to the rule) that
returns findings. The context offers :meth:`Context.equation` and
:meth:`Context.at_most`, which apply the rounding tolerance of
:mod:`~fiscal_analysis.checks.tolerance` and say what is missing. A rule that
returns nothing is reported ``not_applicable``, never ``pass``.

Missing cells: a figure absent from the data is unknown, except in a table
published with data (``published``) or published empty (``empty``), where an
unlisted cell is an empty cell and counts as 0 (reference §3.4). Totals are
never filled in this way; undisclosed figures are always unknown; a table the
tool could not read (``unreadable``) is never filled.

Evidence: a failure that rests on a figure read as ``guess`` or ``ambiguous``
(``facts.csv`` ``evidence``) is 需复核, never an 错误, and says which reading;
a comparison that would pass on such a figure is not counted as a pass. A
table figure filled in from the 情况说明 (evidence ``sentence``) compared with a
table figure is fine, but the text checks never compare it with the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from fiscal_analysis.checks.findings import Finding, needs_review
from fiscal_analysis.checks.tolerance import (
    Comparison,
    compare_at_most,
    compare_equal,
    format_tolerance,
)
from fiscal_analysis.dataset.model import Dataset, EntityYear
from fiscal_analysis.money import amount_text, exact_text
from fiscal_analysis.schema.items import TABLES

__all__ = [
    "RULES",
    "Context",
    "Rule",
    "Term",
    "not_applicable",
    "ordered_rules",
    "register",
    "run_rules",
]

#: A figure in a check: (label, 分 or ``None`` when unknown).
Term = tuple[str, "int | None"]


@dataclass(frozen=True)
class Rule:
    """One reconciliation rule.

    Attributes:
        id: Rule id as in reference §4 (``T01-1``, ``X-11``, ``N-12`` …).
        title: What the rule says, in Chinese.
        severity: Severity of a failure beyond the rounding tolerance.
        reference: The section of the domain reference it implements.
        inputs: The figures it reads, as ``table.item`` keys.
        group: ``table``, ``cross`` or ``text``.
        check: The function that evaluates it.
    """

    id: str
    title: str
    severity: str
    reference: str
    inputs: tuple[str, ...]
    group: str
    check: Callable[[Context], Iterable[Finding]] = field(repr=False, compare=False)


#: Every registered rule, by id, in registration order.
RULES: dict[str, Rule] = {}


def register(
    rule_id: str, title: str, *, severity: str, reference: str, inputs: Sequence[str], group: str
):
    """Decorator registering a rule function under ``rule_id``."""

    def deco(fn: Callable[[Context], Iterable[Finding]]):
        RULES[rule_id] = Rule(rule_id, title, severity, reference, tuple(inputs), group, fn)
        return fn

    return deco


@dataclass(frozen=True)
class Context:
    """Figures of one entity-year, and helpers that turn comparisons into findings.

    The figures come from the :class:`~fiscal_analysis.dataset.model.EntityYear`
    (the same object reports and sentences read), as exact integer 分.
    """

    ey: EntityYear
    values: dict[tuple[str, str, str], int | None]
    sections: dict[tuple[str, str, str], str]
    has_document: bool
    rule: Rule | None = None
    #: key -> (evidence, line) of figures read without certainty (guess/ambiguous).
    weak: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    #: keys of figures taken from the 情况说明's sentences (evidence ``sentence``).
    told: frozenset = frozenset()
    #: key -> page and line in the source text (``facts.csv`` ``line``).
    where: dict = field(default_factory=dict)
    #: label -> key, as :meth:`term` labelled them.
    labels: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @classmethod
    def build(cls, ey: EntityYear, facts: pd.DataFrame | None = None) -> Context:
        """Collect the facts of one entity-year.

        ``facts`` may pass the entity-year's rows when the caller has grouped
        them already (much faster for many entity-years).
        """
        f = ey.facts if facts is None else facts
        keys = list(zip(f["table"], f["code"], f["item"], strict=True))
        vals = [None if pd.isna(v) else int(v) for v in f["value"]]
        d = ey.ds.documents
        has_doc = bool(((d["entity_id"] == ey.entity_id) & (d["year"] == ey.year)).any())
        weak, told, where = {}, set(), {}
        if "line" in f.columns:
            where = {
                k: str(n) for k, n in zip(keys, f["line"], strict=True) if n and not pd.isna(n)
            }
        if "evidence" in f.columns:
            lines = f["line"] if "line" in f.columns else [""] * len(f)
            for k, e, n in zip(keys, f["evidence"], lines, strict=True):
                if e in ("guess", "ambiguous"):
                    weak[k] = (str(e), "" if pd.isna(n) else str(n))
                elif e == "sentence":
                    told.add(k)
        return cls(
            ey,
            dict(zip(keys, vals, strict=True)),
            dict(zip(keys, f["section"], strict=True)),
            has_doc,
            weak=weak,
            told=frozenset(told),
            where=where,
        )

    @property
    def ds(self) -> Dataset:
        return self.ey.ds

    @property
    def entity_id(self) -> str:
        return self.ey.entity_id

    @property
    def year(self) -> int:
        return self.ey.year

    @property
    def statuses(self) -> dict[str, str]:
        """公开表 → ``published``, ``empty`` or ``absent``."""
        return self.ey.table_statuses

    # -- lookups ------------------------------------------------------------
    def status(self, table: str) -> str:
        """``published``, ``empty``, ``absent`` or ``unknown``."""
        return self.statuses.get(table, "unknown")

    def get(self, table: str, item: str, code: str = "") -> int | None:
        """A figure in 分, or ``None`` if absent or undisclosed."""
        return self.values.get((table, code, item))

    def codes(self, table: str, item: str) -> dict[str, int]:
        """Coded rows of ``item`` with a disclosed value: code -> 分."""
        return {
            c: v
            for (t, c, i), v in self.values.items()
            if t == table and i == item and c and v is not None
        }

    def label(self, table: str, item: str, code: str = "") -> str:
        """Chinese label such as ``05表[201 一般公共服务支出]支出决算合计``."""
        spec = TABLES[table]
        if not table.startswith("T0"):
            return spec.items[item].label
        head = f"{table[1:]}表"
        if code:
            scheme = spec.scheme or "function"
            head += f"[{code} {self.ds.classification.name(code, scheme)}]"
        return head + spec.items[item].label

    def term(self, table: str, item: str, code: str = "", *, fill: bool = False) -> Term:
        """A labelled figure; with ``fill`` an unlisted cell of a published table is 0."""
        value = self.get(table, item, code)
        label = self.label(table, item, code)
        self.labels[label] = (table, code, item)
        if value is None and (table, code, item) not in self.values:
            if self.status(table) == "empty":
                return (f"{label}（空表，按0计）", 0)
            if fill and self.status(table) == "published":
                return (f"{label}（未列示，按0计）", 0)
            if self.status(table) == "unreadable":
                return (f"{label}（该表未能读出）", None)
        return (label, value)

    # -- findings -----------------------------------------------------------
    def bind(self, rule: Rule) -> Context:
        return replace(self, rule=rule, labels={})

    def result(
        self,
        status: str,
        message: str,
        figures: dict[str, str] | None = None,
        *,
        severity: str | None = None,
        tolerance: str | None = None,
        source: str | None = None,
    ) -> Finding:
        """A finding of the bound rule for this entity-year."""
        assert self.rule is not None, "bind() the context to a rule first"
        return Finding(
            self.rule.id,
            status,
            severity or self.rule.severity,
            message,
            self.entity_id,
            self.year,
            dict(figures or {}),
            tolerance,
            source,
        )

    def missing(self, terms: Iterable[Term], what: str) -> Finding | None:
        """A ``not_applicable`` finding naming the unknown terms, or ``None``."""
        gaps = [label for label, v in terms if v is None]
        if not gaps:
            return None
        return self.result(
            "not_applicable",
            f"{what}：缺少{'、'.join(gaps)}，无法核对（数据中没有或未公开）。",
            {label: amount_text(v) for label, v in terms},
        )

    def _outcome(
        self, cmp: Comparison, what: str, relation: str, figures: dict[str, str]
    ) -> Finding:
        tol = format_tolerance(cmp.tolerance)
        diff = exact_text(abs(cmp.diff))  # exact: a 元 figure's difference can be below 0.01万元
        figures = {**figures, "差额": exact_text(cmp.diff)}
        if cmp.status == "pass":
            return self.result("pass", f"{what}：{relation}，相符。", figures, tolerance=tol)
        if cmp.rounding:
            msg = (
                f"取整误差：{what}，{relation}，相差{diff}万元，在容差{tol}以内"
                "（各级数字分别从元四舍五入到万元），不是错误。"
            )
            return self.result("fail", msg, figures, severity="info", tolerance=tol)
        msg = f"{what}不成立：{relation}，相差{diff}万元，超出容差{tol}。请核对原表数字或数据录入。"
        return self.result("fail", msg, figures, severity=cmp.severity, tolerance=tol)

    def unsure(self, terms: Iterable[Term]) -> str:
        """Why a result on ``terms`` needs review: the figures read without evidence, or ``""``."""
        out = []
        for label, _v in terms:
            key = self.labels.get(label)
            if key in self.weak:
                evidence, line = self.weak[key]
                how = "列位置有多种可能" if evidence == "ambiguous" else "读数为推测"
                out.append(f"{label}{how}{'，见' + line if line else ''}")
        return "；".join(out)

    def reviewed(self, found: Finding, terms: Iterable[Term]) -> Finding:
        """``found``, marked 需复核 when it rests on a figure read without evidence.

        A table identity that fails only on figures taken from the 情况说明
        (no table printed them) is also 需复核: the text may use another 口径.
        """
        terms = list(terms)
        why = self.unsure(terms)
        keys = [self.labels.get(label) for label, v in terms if v]
        if (
            not why
            and found.status == "fail"
            and self.rule is not None
            and self.rule.group == "table"
            and keys
            and all(k in self.told for k in keys)
        ):
            why = "所涉数字均取自说明文字、文件中没有对应的表格数字，口径可能与表格不同"
        told = [k for k in keys if k in self.told]
        if not why and found.status == "fail" and told and len(told) < len(keys):
            shown = "、".join(f"{k[0][1:]}表{k[2]}" for k in told)
            why = f"{shown}取自说明文字而非表格：说明与表格的不符由说明核对（N-规则）判断"
        if found.source is None:
            lines = [self.where[k] for k in keys if k in self.where]
            if lines:
                found = replace(found, source=lines[0])
        return needs_review(found, why) if why else found

    def equation(
        self, total: Term, addends: Sequence[Term], what: str, *, severity: str | None = None
    ) -> Finding:
        """Check ``total == Σ addends`` within ±0.01万元 per addend."""
        terms = [total, *addends]
        gap = self.missing(terms, what)
        if gap:
            return gap
        return self.reviewed(self._equation(total, addends, what, severity), terms)

    def _equation(
        self, total: Term, addends: Sequence[Term], what: str, severity: str | None
    ) -> Finding:
        terms = [total, *addends]
        figures = {label: amount_text(v) for label, v in terms}
        s = sum(int(v) for _, v in addends)
        parts = amount_text(addends[0][1])
        for _, v in addends[1:]:
            parts += f" − {amount_text(-v)}" if v < 0 else f" + {amount_text(v)}"
        sign = "=" if s == total[1] else "≠"
        relation = f"{total[0]} {amount_text(total[1])} {sign} {parts} = {amount_text(s)}"
        if len(addends) == 1:
            relation = f"{total[0]} {amount_text(total[1])} {sign} {addends[0][0]} {amount_text(s)}"
        cmp = compare_equal(s, int(total[1]), len(addends), severity or self.rule.severity)
        return self._outcome(cmp, what, relation, figures)

    def at_most(
        self, left: Term, right: Term, what: str, *, n_addends: int = 1, severity: str | None = None
    ) -> Finding:
        """Check ``left <= right`` with the rounding tolerance."""
        gap = self.missing([left, right], what)
        if gap:
            return gap
        return self.reviewed(self._at_most(left, right, what, n_addends, severity), [left, right])

    def _at_most(
        self, left: Term, right: Term, what: str, n_addends: int, severity: str | None
    ) -> Finding:
        figures = {label: amount_text(v) for label, v in (left, right)}
        sign = "≤" if left[1] <= right[1] else ">"
        relation = f"{left[0]} {amount_text(left[1])} {sign} {right[0]} {amount_text(right[1])}"
        cmp = compare_at_most(
            int(left[1]), int(right[1]), n_addends, severity or self.rule.severity
        )
        return self._outcome(cmp, what, relation, figures)


def ordered_rules() -> list[Rule]:
    """Registered rules: table rules, then cross-table, then text-figure rules."""
    groups = {"table": 0, "cross": 1, "text": 2}

    def key(rule: Rule) -> tuple:
        parts = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", rule.id)]
        return (groups.get(rule.group, 3), parts)

    return sorted(RULES.values(), key=key)


def not_applicable(ctx: Context, rule: Rule) -> Finding:
    """The finding for a rule that found nothing to check."""
    inputs = "、".join(rule.inputs)
    return ctx.bind(rule).result(
        "not_applicable",
        f"{rule.title}：数据中没有可核对的数字（需要 {inputs}），未核对。",
        severity=rule.severity,
    )


def run_rules(
    ey: EntityYear, rules: Iterable[Rule] | None = None, facts: pd.DataFrame | None = None
) -> list[Finding]:
    """Run rules (all registered ones by default) on one entity-year."""
    ctx = Context.build(ey, facts)
    out: list[Finding] = []
    for rule in ordered_rules() if rules is None else rules:
        bound = ctx.bind(rule)
        found = list(rule.check(bound))
        # a finding cites the page and line of the first figure it read that has one
        lines = [bound.where[k] for k in bound.labels.values() if k in bound.where]
        if lines:
            found = [f if f.source else replace(f, source=lines[0]) for f in found]
        out.extend(found or [not_applicable(ctx, rule)])
    return out
