"""House-style charts with Chinese labels, exact figures and alt text.

Every chart function takes exact :class:`~decimal.Decimal` amounts, returns a
:class:`Chart` (the :class:`~matplotlib.figure.Figure` and a Chinese alt text
that states the figures), and writes every label with the money formatters.
Floats are used only for drawing geometry. Figures are made without pyplot, so
notebooks never show them twice and pyplot never counts open figures;
:func:`~fiscal_analysis.charts.style.chart_html` renders a chart to an embedded ``<img>``
with its alt text.

Examples:
    >>> chart = structure_chart([("基本支出", Decimal("190.92")), ("项目支出", Decimal("144.86"))],
    ...                         title="支出结构")
    >>> chart.alt
    '支出结构（条形图）：基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%。'
    >>> from fiscal_analysis.charts.style import chart_html
    >>> chart_html(chart).startswith('<figure class="fisc-chart"><img alt="支出结构')
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from matplotlib.figure import Figure

from fiscal_analysis.charts.style import (
    COLORS,
    MAX_BARS,
    Chart,
    amount_label,
    figure_height,
    house_style,
    largest_positions,
    lump_small_parts,
    new_axes,
    require_rows,
    signed_amount,
    typeset_minus,
    wrap_label,
    wrap_title,
)
from fiscal_analysis.money import format_pct, ratio_pct

__all__ = [
    "budget_actual_chart",
    "label_offsets",
    "merge_identical",
    "structure_chart",
    "trend_chart",
    "waterfall_chart",
]


def waterfall_chart(
    start: tuple[str, Decimal],
    steps: Sequence[tuple[str, Decimal]],
    end: tuple[str, Decimal],
    *,
    title: str,
) -> Chart:
    """What drove a change: start total, one bar per driver, end total.

    Examples:
        >>> c = waterfall_chart(("2019年", Decimal("662.95")), [("减少", Decimal("-327.17"))],
        ...                     ("2020年", Decimal("335.78")), title="收支总计变动")
        >>> "2019年662.95万元" in c.alt and "335.78万元" in c.alt
        True
    """
    labels = [start[0], *(s[0] for s in steps), end[0]]
    bottoms, heights, colors = [0.0], [float(start[1])], [COLORS["total"]]
    running = start[1]
    for _, delta in steps:
        low = running + min(delta, Decimal(0))
        bottoms.append(float(low))
        heights.append(float(abs(delta)))
        colors.append(COLORS["up"] if delta >= 0 else COLORS["down"])
        running += delta
    bottoms.append(0.0)
    heights.append(float(end[1]))
    colors.append(COLORS["total"])
    with house_style():
        fig = Figure()
        ax = new_axes(fig, title, "y")
        xs = range(len(labels))
        ax.bar(xs, heights, bottom=bottoms, color=colors, width=0.6)
        # about 36 characters fit across the axes: share them between the bars
        width = max(4, min(10, 36 // len(labels)))
        ax.set_xticks(list(xs), [wrap_label(lbl, width) for lbl in labels])
        label_texts = [amount_label(start[1])]
        label_texts += [signed_amount(d) for _, d in steps]
        label_texts += [amount_label(end[1])]
        for x, b, h, t in zip(xs, bottoms, heights, label_texts, strict=True):
            ax.annotate(t, (x, b + h), xytext=(0, 3), textcoords="offset points", ha="center")
        ax.margins(y=0.12)
    parts = [f"{start[0]}{amount_label(start[1])}"]
    parts += [f"{label}{signed_amount(d)}" for label, d in steps]
    parts.append(f"{end[0]}{amount_label(end[1])}")
    return Chart(fig, f"{title}（瀑布图）：" + "；".join(parts) + "。")


def structure_chart(
    parts: Sequence[tuple[str, Decimal]],
    *,
    title: str,
    total: Decimal | None = None,
    decimals: int = 1,
    kind: str = "bar",
    max_parts: int = MAX_BARS,
) -> Chart:
    """Shares of a whole, as horizontal bars (``kind="bar"``) or a donut.

    Shares are exact ratios of ``total`` (default: the sum of ``parts``). More
    than ``max_parts`` parts: the largest ``max_parts - 1`` are drawn and the
    rest are summed (exactly) into one ``其余N项`` part, named as such in the
    alt text; the figure grows with the number of bars up to :data:`MAX_HEIGHT`.

    Examples:
        >>> parts = [("一般公共服务", Decimal("258.47")), ("卫生健康", Decimal("77.31"))]
        >>> structure_chart(parts, title="按类", kind="donut").alt
        '按类（环形图）：一般公共服务258.47万元，占77.0%；卫生健康77.31万元，占23.0%。'
    """
    require_rows(parts, title)
    if kind not in ("bar", "donut"):
        raise ValueError(f"kind 应为 bar 或 donut (expected bar or donut): {kind!r}")
    whole = sum((v for _, v in parts), Decimal(0)) if total is None else total
    if kind == "donut" and any(v < 0 for _, v in parts):
        raise ValueError("环形图不能显示负数 (a donut cannot show negative parts)")
    parts = lump_small_parts(parts, max_parts)
    shares = [format_pct(ratio_pct(v, whole, decimals), decimals) for _, v in parts]
    texts = [f"{amount_label(v)}（{s}）" for (_, v), s in zip(parts, shares, strict=True)]
    with house_style():
        fig = Figure()
        if kind == "bar":
            fig.set_figheight(figure_height(len(parts), 0.5, 4.2))
            ax = new_axes(fig, title, "x")
            ys = list(range(len(parts)))[::-1]
            ax.barh(ys, [float(v) for _, v in parts], color=COLORS["actual"], height=0.55)
            ax.set_yticks(ys, [wrap_title(lbl) for lbl, _ in parts])
            for y, (_, v), t in zip(ys, parts, texts, strict=True):
                ax.annotate(
                    typeset_minus(t),
                    (float(v), y),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                )
            ax.margins(x=0.3)
        else:
            ax = fig.subplots()
            ax.set_title(wrap_title(title, 30))
            ax.pie(
                [float(v) for _, v in parts],
                labels=[
                    f"{wrap_title(lbl, 10)}\n{t}" for (lbl, _), t in zip(parts, texts, strict=True)
                ],
                colors=COLORS["series"][: len(parts)],
                startangle=90,
                counterclock=False,
                wedgeprops={"width": 0.38, "edgecolor": "white"},
            )
            ax.text(0, 0, f"合计\n{amount_label(whole)}", ha="center", va="center")
            ax.set_aspect("equal")
    kind_name = "条形图" if kind == "bar" else "环形图"
    items = [f"{lbl}{amount_label(v)}，占{s}" for (lbl, v), s in zip(parts, shares, strict=True)]
    return Chart(fig, f"{title}（{kind_name}）：" + "；".join(items) + "。")


def budget_actual_chart(
    rows: Sequence[tuple[str, Decimal | None, Decimal | None]],
    *,
    title: str,
    decimals: int = 1,
    max_rows: int = MAX_BARS,
    rest: str = "见下表",
) -> Chart:
    """Budget against actual per line, with the completion rate or why there is none.

    More than ``max_rows`` lines: only the ``max_rows`` with the largest
    |决算 − 年初预算| (then the largest 决算) are drawn, in their given order, and
    the chart's title and alt text say how many others there are and where
    they are (``rest``). The figure grows with the lines up to :data:`MAX_HEIGHT`.

    Examples:
        >>> rows = [("2013801", Decimal("200.35"), Decimal("10.00")),
        ...         ("2010301", Decimal("0"), Decimal("99.20"))]
        >>> for part in budget_actual_chart(rows, title="预决算").alt.split("；"):
        ...     print(part)
        预决算（预算与决算对比图）：2013801年初预算200.35万元、决算10万元，完成年初预算的5.0%
        2010301年初预算0万元、决算99.2万元，年初预算为0，无完成率。
    """
    require_rows(rows, title)
    omitted = max(0, len(rows) - max_rows)
    if omitted:
        zero = Decimal(0)
        keys = [
            (zero if b is None or a is None else abs(a - b), zero if a is None else a)
            for _, b, a in rows
        ]
        rows = [rows[i] for i in largest_positions(keys, max_rows)]
    notes = []
    for _, budget, actual in rows:
        rate = None if actual is None else ratio_pct(actual, budget, decimals)
        if rate is not None:
            notes.append(f"完成年初预算的{format_pct(rate, decimals)}")
        elif budget is None:
            notes.append("年初预算未公开，无完成率")
        elif actual is None:
            notes.append("决算未公开，无完成率")
        else:
            notes.append("年初预算为0，无完成率")
    with house_style():
        fig = Figure(figsize=(7.5, figure_height(len(rows), 0.8, 3.0)))
        shown_title = f"{title}（差额最大的{len(rows)}项）" if omitted else title
        ax = new_axes(fig, shown_title, "x")
        n = len(rows)
        bars = ((0.2, 1, COLORS["budget"], "年初预算"), (-0.2, 2, COLORS["actual"], "决算"))
        for off, col, color, name in bars:  # one barh call per series
            widths = [0.0 if r[col] is None else float(r[col]) for r in rows]
            ax.barh(
                [n - 1 - i + off for i in range(n)], widths, height=0.38, color=color, label=name
            )
        for i, row in enumerate(rows):
            for off, col, _, _ in bars:
                val = row[col]
                width = 0.0 if val is None else float(val)
                shown = "未公开" if val is None else amount_label(val)
                ax.annotate(
                    shown,
                    (width, n - 1 - i + off),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                )
        ax.set_yticks(
            range(n),
            [
                f"{wrap_title(r[0])}\n（{note}）"
                for r, note in zip(rows[::-1], notes[::-1], strict=True)
            ],
        )
        ax.margins(x=0.25)
        ax.legend(loc="lower right")
    items = [
        f"{lbl}年初预算{amount_label(b)}、决算{amount_label(a)}，{note}"
        for (lbl, b, a), note in zip(rows, notes, strict=True)
    ]
    head = f"{title}（预算与决算对比图）："
    if omitted:
        head += f"图中为决算与年初预算差额最大的{len(rows)}项，其余{omitted}项{rest}。"
    return Chart(fig, head + "；".join(items) + "。")


def merge_identical(
    series: Mapping[str, Sequence[tuple[int, Decimal | None]]],
) -> list[tuple[str, Sequence[tuple[int, Decimal | None]]]]:
    """Series with the same points drawn as one line named ``A = B`` (no line hides another).

    Examples:
        >>> pts = [(2019, Decimal("1")), (2020, Decimal("2"))]
        >>> [name for name, _ in merge_identical({"收支总计": pts, "支出": pts, "其他": pts[:1]})]
        ['收支总计 = 支出', '其他']
    """
    merged: dict[tuple, list[str]] = {}
    for name, points in series.items():
        merged.setdefault(tuple(points), []).append(name)
    return [(" = ".join(names), list(points)) for points, names in merged.items()]


def label_offsets(values: Sequence[float], span: float) -> list[tuple[int, str]]:
    """Offsets (points) and vertical alignment of value labels at one x, highest value first.

    Labels of values closer than a tenth of the axis span alternate above and below their
    points, so two close lines never print one label over the other.

    Examples:
        >>> label_offsets([3052.34, 3003.19, 100.0], 3000.0)
        [(7, 'bottom'), (-7, 'top'), (7, 'bottom')]
    """
    out: list[tuple[int, str]] = []
    for i, v in enumerate(values):
        close = i > 0 and span > 0 and abs(values[i - 1] - v) < span / 10
        below = close and out[-1][0] > 0
        out.append((-7, "top") if below else (7, "bottom"))
    return out


def trend_chart(
    series: Mapping[str, Sequence[tuple[int, Decimal | None]]],
    *,
    title: str,
    derived: Sequence[tuple[str, int]] = (),
) -> Chart:
    """Several years per series; derived (推算) points drawn hollow and named in the alt text.

    Examples:
        >>> c = trend_chart({"收支总计": [(2019, Decimal("662.95")), (2020, Decimal("335.78"))]},
        ...                 title="趋势", derived=[("收支总计", 2019)])
        >>> c.alt
        '趋势（折线图）：收支总计：2019年662.95万元（推算），2020年335.78万元。'
    """
    require_rows(list(series.items()), title)
    marked = set(derived)
    lines = merge_identical(series)
    with house_style():
        fig = Figure()
        ax = new_axes(fig, title, "y")
        years = sorted({y for points in series.values() for y, _ in points})
        known = {name: [(y, v) for y, v in points if v is not None] for name, points in lines}
        values = [float(v) for pts in known.values() for _, v in pts]
        span = (max(values) - min(values)) if values else 0.0
        for i, (name, _) in enumerate(lines):
            color = COLORS["series"][i % len(COLORS["series"])]
            pts = known[name]
            ax.plot([y for y, _ in pts], [float(v) for _, v in pts], color=color, label=name)
            for y, v in pts:
                hollow = any((part, y) in marked for part in name.split(" = "))
                ax.plot([y], [float(v)], marker="o", color=color,
                        markerfacecolor="white" if hollow else color)  # fmt: skip
        for y in years:
            at = sorted(
                ((float(v), v, name) for name, pts in known.items() for yy, v in pts if yy == y),
                reverse=True,
            )
            offsets = label_offsets([a[0] for a in at], span)
            for (fv, v, name), (dy, va) in zip(at, offsets, strict=True):
                hollow = any((part, y) in marked for part in name.split(" = "))
                text = amount_label(v) + ("（推算）" if hollow else "")
                ax.annotate(
                    typeset_minus(text), (y, fv), xytext=(0, dy), textcoords="offset points",
                    ha="center", va=va, fontsize=10,
                )  # fmt: skip
        ax.set_xticks(years, [f"{y}年" for y in years])
        ax.margins(x=0.2, y=0.2)
        if len(lines) > 1 or marked:
            ax.legend(title="空心点为推算数" if marked else None, fontsize=10)
    items = []
    for name, points in series.items():
        shown = [
            f"{y}年"
            + ("未公开" if v is None else amount_label(v))
            + ("（推算）" if (name, y) in marked else "")
            for y, v in points
        ]
        items.append(f"{name}：" + "，".join(shown))
    return Chart(fig, f"{title}（折线图）：" + "；".join(items) + "。")
