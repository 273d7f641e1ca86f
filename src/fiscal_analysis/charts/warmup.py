"""Drawing every kind of report chart once, before any report, to warm the caches.

The render's fork server (:mod:`fiscal_analysis.render.engine.forkserver`) calls
:func:`warm_up` before it forks the reports' kernels.
"""

from __future__ import annotations

__all__ = ["warm_up"]


def warm_up() -> None:
    """Draw each kind of report chart once, from made-up figures, and throw them away.

    Every kernel inherits what drawing leaves behind that depends on no data:
    matplotlib's font list and the CJK font found, and the measurements and line
    metrics of strings such as 万元 and 年初预算 and of the usual digits and labels at
    the chart sizes. Glyph images and layouts are not inherited: they hold
    FreeType font objects, which a forked child must not read through
    (:func:`fiscal_analysis.charts.png._forget_fonts`). The matplotlib settings are
    put back afterwards: a kernel starts with the defaults.

    Examples:
        >>> import matplotlib as mpl
        >>> before = dict(mpl.rcParams)
        >>> warm_up()
        >>> dict(mpl.rcParams) == before
        True
    """
    from decimal import Decimal

    import matplotlib as mpl

    from fiscal_analysis.charts.figures import (
        budget_actual_chart,
        structure_chart,
        trend_chart,
        waterfall_chart,
    )
    from fiscal_analysis.charts.style import figure_png, house_rc

    amounts = [Decimal("1234.56"), Decimal("789.01"), Decimal("-327.17"), Decimal("98.76")]
    names = ["一般公共服务支出", "社会保障和就业支出", "卫生健康支出", "其他支出"]
    parts = list(zip(names, (abs(a) for a in amounts), strict=True))
    with mpl.rc_context(house_rc()):
        charts = [
            structure_chart(parts, title="支出决算按功能分类构成", kind="bar"),
            structure_chart(parts, title="收入决算构成", kind="donut"),
            budget_actual_chart([(n, a, a * 2) for n, a in parts], title="各项年初预算与支出决算"),
            waterfall_chart(
                ("2019年", Decimal("662.95")),
                [("减少", Decimal("-327.17"))],
                ("2020年", Decimal("335.78")),
                title="收支总计变动",
            ),
            trend_chart(
                {"收支总计": [(2019, Decimal("662.95")), (2020, Decimal("335.78"))]},
                title="主要指标趋势",
            ),
        ]
        for chart in charts:
            figure_png(chart.figure)
