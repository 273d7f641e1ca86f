"""Rows of a synthetic panel: N entities × M years in the project's CSV layout.

The identities the figures satisfy are listed in :mod:`fiscal_analysis.testing`.
Generation is deterministic: entity ``i`` draws from its own
``random.Random`` seeded from ``(seed, i)``, so the output does not depend on
the chunking or the number of worker processes.

Examples:
    >>> rows = entity_rows(0, [2020], seed=1)
    >>> rows["entities"][0][1]
    '合成单位0001（合成数据）'
    >>> fmt(33578), fmt(2600), fmt(5)
    ('335.78', '26', '0.05')
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from fiscal_analysis.schema.classification import Classification

__all__ = ["ECONOMIC_CLASSES", "SYNTH_NOTE", "code_pool", "entity_id", "entity_record"]
__all__ += ["entity_rows", "fmt"]

SYNTH_NOTE = "合成数据 synthetic"
SECTION = "合成数据"
WAN = "万元"
#: 06表 economic classes generated in full (人员: 301, 303; 公用: 302, 310).
ECONOMIC_CLASSES = ("301", "302", "303", "310")
#: 项 codes per 款 in the pool (real codes first, then synthetic ones).
ITEMS_PER_KUAN = 10
FILE_NAMES = ("documents", "tables", "facts", "reasons", "projects", "indicators")


def fmt(h: int) -> str:
    """Hundredths as the disclosures print them (``2600`` → ``26``)."""
    if h % 100 == 0:
        return str(h // 100)
    return f"{h // 100}.{h % 100:02d}"


def entity_id(index: int) -> str:
    """``synth-0001`` for index 0."""
    return f"synth-{index + 1:04d}"


@cache
def code_pool() -> tuple[dict[str, list[str]], list[tuple[str, str, str, str]]]:
    """项 codes available per 款, and the synthetic codes.csv rows they need.

    Real 项 codes from the built-in dictionary come first; each 款 is topped
    up to :data:`ITEMS_PER_KUAN` 项 with synthetic codes (never ``50``/``99``,
    which are 事业运行/其他 by convention).
    """
    func = Classification.builtin().function
    kuans = sorted(c for c in func if len(c) == 5 and c[:3] in func)
    pool: dict[str, list[str]] = {}
    extra: list[tuple[str, str, str, str]] = []
    for k in kuans:
        real = sorted(c for c in func if len(c) == 7 and c.startswith(k))
        codes = list(real)
        n = 1
        while len(codes) < ITEMS_PER_KUAN:
            code = f"{k}{n:02d}"
            n += 1
            if code in func or code[-2:] in ("50", "99"):
                continue
            codes.append(code)
            extra.append(("function", code, f"合成科目{code[-2:]}（合成数据）", "synthetic"))
        pool[k] = codes
    return pool, extra


@cache
def _economic_kuans() -> dict[str, list[str]]:
    econ = Classification.builtin().economic
    return {c: sorted(k for k in econ if len(k) == 5 and k.startswith(c)) for c in ECONOMIC_CLASSES}


def _alloc(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` hundredths in proportion to ``weights``, exactly."""
    s = sum(weights)
    if total == 0:
        return [0] * len(weights)
    if s <= 0:
        return [total] + [0] * (len(weights) - 1)
    parts = [int(total * w / s) for w in weights]
    rest = total - sum(parts)
    big = max(range(len(weights)), key=weights.__getitem__)
    parts[big] += rest
    return parts


def _pct(rng: random.Random, h: int, lo: float, hi: float) -> int:
    return int(h * rng.uniform(lo, hi))


@dataclass
class _Entity:
    index: int
    eid: str
    items: list[str]
    weights: list[float]
    basic_share: list[float]
    zero_budget: list[bool]
    size: int
    personnel_share: float
    admin: bool
    has_three_public: bool
    nonfiscal: bool
    n_projects: int


def _entity(index: int, rng: random.Random) -> _Entity:
    pool, _ = code_pool()
    n_items = rng.randint(20, 80)
    kuans = sorted(pool)
    k = max(math.ceil(n_items / ITEMS_PER_KUAN), rng.randint(3, 8))
    chosen = sorted(rng.sample(kuans, min(k, len(kuans))))
    candidates = [c for kk in chosen for c in pool[kk]]
    items = sorted(rng.sample(candidates, min(n_items, len(candidates))))
    basic = [
        rng.uniform(0.7, 1.0) if c.endswith(("01", "50")) else rng.uniform(0.0, 0.6) for c in items
    ]
    return _Entity(
        index=index,
        eid=entity_id(index),
        items=items,
        weights=[rng.lognormvariate(0, 1) for _ in items],
        basic_share=basic,
        zero_budget=[rng.random() < 0.1 for _ in items],
        size=int(rng.lognormvariate(math.log(3_000_00), 1.0)) + 200_00,
        personnel_share=rng.uniform(0.7, 0.92),
        admin=rng.random() < 0.6,
        has_three_public=rng.random() < 0.8,
        nonfiscal=rng.random() < 0.3,
        n_projects=rng.randint(3, 8),
    )


def _sum_hierarchy(values: dict[str, int]) -> dict[str, int]:
    """Add 款, 类 and '' (合计) sums to a dict of 项 values."""
    out = dict(values)
    for code, v in values.items():
        for key in (code[:5], code[:3], ""):
            out[key] = out.get(key, 0) + v
    return out


def entity_record(index: int) -> tuple[str, str, str, str, str]:
    """The ``entities.csv`` row of entity ``index``."""
    level = ("县级", "市级", "省级")[index % 3]
    name = f"合成单位{index + 1:04d}（合成数据）"
    return (entity_id(index), name, "合成省合成市（合成数据）", level, SYNTH_NOTE)


def entity_rows(index: int, years: Sequence[int], seed: int) -> dict[str, list[tuple]]:
    """All rows of one entity, every year, keyed by file name (plus ``entities``)."""
    rng = random.Random(seed * 1_000_003 + index)
    e = _entity(index, rng)
    eid = e.eid
    rows: dict[str, list[tuple]] = {name: [] for name in ("entities", *FILE_NAMES)}
    rows["entities"].append(entity_record(index))
    scale = 1.0
    c0g = _pct(rng, e.size, 0.0, 0.1)
    c0n = _pct(rng, e.size, 0.0, 0.05) if e.nonfiscal else 0
    econ = _economic_kuans()
    facts = rows["facts"]
    for year in years:
        doc = f"{eid}-{year}"

        def fact(
            table: str, code: str, item: str, h: int, unit: str = WAN, *, _y=year, _d=doc
        ) -> None:
            facts.append((eid, _y, table, code, item, fmt(h), unit, "published", _d, SECTION, ""))

        rows["documents"].append(
            (
                doc,
                eid,
                year,
                f"合成单位{index + 1:04d}{year}年度部门决算（{SYNTH_NOTE}）",
                "",
                SYNTH_NOTE,
            )
        )
        for t in range(1, 10):
            status = "empty" if t >= 8 else "published"
            note = "本年度没有此类收支，故本表无数据（合成数据）" if t >= 8 else SYNTH_NOTE
            rows["tables"].append((eid, year, f"T0{t}", status, doc, SECTION, note))
        scale *= 1 + rng.gauss(0.03, 0.12)
        scale = max(scale, 0.3)
        g_total = int(e.size * scale)
        # --- T05 per 项 -------------------------------------------------------
        w = [wi * rng.uniform(0.7, 1.3) for wi in e.weights]
        totals = _alloc(g_total, w)
        basic = {c: int(t * b) for c, t, b in zip(e.items, totals, e.basic_share, strict=True)}
        project = {c: t - basic[c] for c, t in zip(e.items, totals, strict=True)}
        budget = {
            c: 0 if z else _pct(rng, t, 0.7, 1.25)
            for c, t, z in zip(e.items, totals, e.zero_budget, strict=True)
        }
        hb, hp, hg = _sum_hierarchy(basic), _sum_hierarchy(project), _sum_hierarchy(budget)
        for code in sorted(hb, key=lambda c: (c != "", c)):
            fact("T05", code, "total", hb[code] + hp[code])
            fact("T05", code, "basic", hb[code])
            fact("T05", code, "project", hp[code])
            fact("T05", code, "budget_initial", hg[code])
        g_basic, g_project = hb[""], hp[""]
        g = g_basic + g_project
        classes = sorted(c for c in hb if len(c) == 3)
        # --- T06 -------------------------------------------------------------------
        personnel = int(g_basic * e.personnel_share)
        public = g_basic - personnel
        p301, p303 = _alloc(personnel, [0.9, 0.1])
        q302, q310 = _alloc(public, [0.93, 0.07])
        t06: dict[str, int] = {}
        for cls, amount in (("301", p301), ("302", q302), ("303", p303), ("310", q310)):
            kuans = econ[cls]
            weights = [rng.random() if rng.random() < 0.7 else 0.0 for _ in kuans]
            if not e.has_three_public:
                weights = [
                    0.0 if k in ("30212", "30217", "30231", "31013") else x
                    for k, x in zip(kuans, weights, strict=True)
                ]
            t06[cls] = amount
            t06.update(zip(kuans, _alloc(amount, weights), strict=True))
        for code in sorted(t06):
            fact("T06", code, "amount", t06[code])
        fact("T06", "", "personnel_total", personnel)
        fact("T06", "", "public_total", public)
        # --- T07 三公 --------------------------------------------------------------
        t07a = {
            "abroad": t06["30212"] + (_pct(rng, t06["30212"], 0, 0.3)),
            "vehicle_purchase": t06["31013"] + (_pct(rng, t06["31013"], 0, 0.2)),
            "vehicle_operation": t06["30231"] + (_pct(rng, t06["30231"], 0, 0.2)),
            "reception": t06["30217"] + (_pct(rng, t06["30217"], 0, 0.3)),
        }
        t07b = {k: v + _pct(rng, v, 0, 0.25) for k, v in t07a.items()}
        for label, vals in (("actual", t07a), ("budget", t07b)):
            vehicle = vals["vehicle_purchase"] + vals["vehicle_operation"]
            fact("T07", "", f"total_{label}", vals["abroad"] + vehicle + vals["reception"])
            fact("T07", "", f"abroad_{label}", vals["abroad"])
            fact("T07", "", f"vehicle_{label}", vehicle)
            fact("T07", "", f"vehicle_purchase_{label}", vals["vehicle_purchase"])
            fact("T07", "", f"vehicle_operation_{label}", vals["vehicle_operation"])
            fact("T07", "", f"reception_{label}", vals["reception"])
        groups = rng.randint(1, 3) if t07a["abroad"] else 0
        batches = rng.randint(5, 60) if t07a["reception"] else 0
        held = rng.randint(1, 6) if t07a["vehicle_operation"] else 0
        counts = {
            "abroad_groups": (groups, "个"),
            "abroad_persons": (groups * rng.randint(1, 4), "人次"),
            "reception_batches": (batches, "个"),
            "reception_persons": (batches * rng.randint(2, 8), "人次"),
            "vehicles_purchased": (1 if t07a["vehicle_purchase"] else 0, "辆"),
            "vehicles_held": (held, "辆"),
        }
        for item, (n, unit) in counts.items():
            fact("three_public_counts", "", item, n * 100, unit)
        # --- fiscal and non-fiscal flows (T01–T04) ---------------------------
        i_g = max(g + _pct(rng, g, -0.04, 0.03), g - c0g)
        c1g = c0g + i_g - g
        n_business = _pct(rng, g, 0.02, 0.15) if e.nonfiscal else 0
        n_other = _pct(rng, g, 0.0, 0.02) if e.nonfiscal else 0
        n_income = n_business + n_other
        e_n = min(c0n + n_income, _pct(rng, n_income, 0.8, 1.1))
        c1n = c0n + n_income - e_n
        income_total = i_g + n_income
        c0, c1 = c0g + c0n, c1g + c1n
        t01 = [
            ("income_general_public", i_g),
            ("income_gov_fund", 0),
            ("income_soe_capital", 0),
            ("income_fiscal", i_g),
            ("income_superior_subsidy", 0),
            ("income_business", n_business),
            ("income_operating", 0),
            ("income_affiliated", 0),
            ("income_other", n_other),
            ("income_total", income_total),
            ("nonfiscal_balance_used", 0),
            ("carryover_begin", c0),
            ("income_grand_total", income_total + c0),
            ("expense_total", g + e_n),
            ("balance_distribution", 0),
            ("carryover_end", c1),
            ("expense_grand_total", g + e_n + c1),
        ]
        for item, h in t01:
            fact("T01", "", item, h)
        extra = {c: (e_n if c == classes[0] else 0) for c in classes}
        for c in classes:
            fact("T01", c, "expense", hb[c] + hp[c] + extra[c])
        t02 = [
            ("total", income_total),
            ("fiscal", i_g),
            ("superior_subsidy", 0),
            ("business", n_business),
        ]
        t02 += [("operating", 0), ("affiliated", 0), ("other", n_other)]
        for item, h in t02:
            fact("T02", "", item, h)
        for code in ["", *classes]:
            x = e_n if code == "" else extra[code]
            fact("T03", code, "total", hb[code] + hp[code] + x)
            fact("T03", code, "basic", hb[code] + x)
            fact("T03", code, "project", hp[code])
            if code == "":
                for item in ("upper_remit", "operating", "affiliated_subsidy"):
                    fact("T03", "", item, 0)
        t04 = [
            ("income_general_public", i_g),
            ("income_gov_fund", 0),
            ("income_soe_capital", 0),
            ("income_total", i_g),
            ("carryover_begin", c0g),
            ("carryover_begin_general_public", c0g),
            ("carryover_begin_gov_fund", 0),
            ("carryover_begin_soe_capital", 0),
            ("income_grand_total", i_g + c0g),
            ("carryover_end", c1g),
            ("carryover_end_general_public", c1g),
            ("carryover_end_gov_fund", 0),
            ("carryover_end_soe_capital", 0),
            ("expense_grand_total", g + c1g),
        ]
        for item, h in t04:
            fact("T04", "", item, h)
        for code in ["", *classes]:
            v = hb[code] + hp[code]
            fact("T04", code, "total", v)
            fact("T04", code, "general_public", v)
            fact("T04", code, "gov_fund", 0)
            fact("T04", code, "soe_capital", 0)
        fact("T08", "", "income", 0)
        fact("T08", "", "expense", 0)
        fact("T09", "", "expense", 0)
        c0g, c0n = c1g, c1n
        # --- narrative parts ----------------------------------------------------------
        ops = public if e.admin else _pct(rng, public, 0.6, 1.0)
        fact("ops_cost", "", "actual", ops)
        fact("ops_cost", "", "budget_initial", ops + _pct(rng, ops, -0.1, 0.2))
        fact("general", "", "meeting", t06["30215"])
        fact("general", "", "training", t06["30216"])
        proc = _pct(rng, g, 0.02, 0.2)
        goods, works, services = _alloc(proc, [rng.random(), rng.random() * 0.3, rng.random()])
        sme = _pct(rng, proc, 0.6, 1.0)
        micro = _pct(rng, sme, 0.4, 1.0)
        for item, h in (
            ("total", proc),
            ("goods", goods),
            ("works", works),
            ("services", services),
        ):
            fact("procurement", "", item, h)
        fact("procurement", "", "sme", sme)
        fact("procurement", "", "micro", micro)
        fact("assets", "", "vehicles", held * 100, "辆")
        fact("assets", "", "general_equipment_50w", rng.randint(0, 3) * 100, "台（套）")
        fact("assets", "", "special_equipment_100w", rng.randint(0, 2) * 100, "台（套）")
        staff = max(3, personnel // 20_00)
        fact("staffing", "", "admin_quota", (staff if e.admin else staff // 5) * 100, "人")
        fact("staffing", "", "institution_quota", (staff // 4 if e.admin else staff) * 100, "人")
        fact("staffing", "", "staff_actual", staff * 100, "人")
        fact("staffing", "", "retirees", rng.randint(0, staff) * 100, "人")
        # --- projects and reasons -----------------------------------------------------
        if g_project:
            n = e.n_projects
            for j, v in enumerate(_alloc(g_project, [rng.random() + 0.1 for _ in range(n)]), 1):
                rows["projects"].append(
                    (
                        eid,
                        year,
                        f"合成项目{j:02d}（合成数据）",
                        fmt(v),
                        "published",
                        doc,
                        SECTION,
                        "",
                    )
                )
        indicators = (
            ("合成指标：办件量（合成数据）", batches * 1000 + 100, "件", "余"),
            ("合成指标：满意度（合成数据）", 9850, "%", ""),
        )
        for name, h, unit, qualifier in indicators:
            rows["indicators"].append((eid, year, name, fmt(h), unit, qualifier, doc, SECTION))
        for topic in ("total_change", "budget_variance", "ops_cost_change"):
            text = "主要原因是合成业务量变化（合成数据，仅供测试）。"
            rows["reasons"].append((eid, year, topic, "", text, doc, SECTION))
    return rows
