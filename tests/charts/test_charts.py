"""Every chart type renders Chinese and minus signs to PNG without warnings, with exact alt text."""

from __future__ import annotations

import base64
import gc
import logging
import re
import warnings
from decimal import Decimal as D

import matplotlib as mpl
import pytest

from fiscal_analysis.charts.figures import (
    budget_actual_chart,
    structure_chart,
    trend_chart,
    waterfall_chart,
)
from fiscal_analysis.charts.fonts import MINUS, cjk_font
from fiscal_analysis.charts.style import (
    DPI,
    MAX_BARS,
    MAX_HEIGHT,
    Chart,
    chart_html,
    figure_png,
    house_style,
    signed_amount,
    use_house_style,
    wrap_label,
)


def _waterfall() -> Chart:
    return waterfall_chart(
        ("2019年收支总计", D("662.95")),
        [("一般公共服务支出（类）", D("-241.53")), ("卫生健康支出（类）", D("-85.64"))],
        ("2020年收支总计", D("335.78")),
        title="收支总计变动的构成",
    )


def _bars() -> Chart:
    return structure_chart(
        [("一般公共服务支出（类）", D("258.47")), ("卫生健康支出（类）", D("77.31"))],
        title="一般公共预算财政拨款支出结构",
    )


def _donut() -> Chart:
    return structure_chart(
        [("人员经费", D("179.44")), ("公用经费", D("11.48"))], title="基本支出构成", kind="donut"
    )


def _budget() -> Chart:
    return budget_actual_chart(
        [
            ("2010301 行政运行", D("0"), D("99.20")),
            ("2013801 行政运行", D("200.35"), D("10.00")),
            ("机关运行经费", D("21.66"), D("11.48")),
        ],
        title="年初预算与支出决算",
    )


def _trend() -> Chart:
    return trend_chart(
        {
            "收支总计": [(2019, D("662.95")), (2020, D("335.78"))],
            "机关运行经费": [(2019, D("44.44")), (2020, D("11.48"))],
            "变动": [(2019, None), (2020, D("-32.96"))],
        },
        title="多年趋势",
        derived=[("收支总计", 2019), ("机关运行经费", 2019)],
    )


BUILDERS = {
    "waterfall": _waterfall,
    "bars": _bars,
    "donut": _donut,
    "budget": _budget,
    "trend": _trend,
}

EXPECTED_ALT = {
    "waterfall": (
        f"收支总计变动的构成（瀑布图）：2019年收支总计662.95万元；一般公共服务支出（类）{MINUS}241.53万元；"
        f"卫生健康支出（类）{MINUS}85.64万元；2020年收支总计335.78万元。"
    ),
    "bars": (
        "一般公共预算财政拨款支出结构（条形图）：一般公共服务支出（类）258.47万元，占77.0%；"
        "卫生健康支出（类）77.31万元，占23.0%。"
    ),
    "donut": "基本支出构成（环形图）：人员经费179.44万元，占94.0%；公用经费11.48万元，占6.0%。",
    "budget": (
        "年初预算与支出决算（预算与决算对比图）：2010301 行政运行年初预算0万元、决算99.2万元，"
        "年初预算为0，无完成率；2013801 行政运行年初预算200.35万元、决算10万元，"
        "完成年初预算的5.0%；"
        "机关运行经费年初预算21.66万元、决算11.48万元，完成年初预算的53.0%。"
    ),
    "trend": (
        "多年趋势（折线图）：收支总计：2019年662.95万元（推算），2020年335.78万元；"
        f"机关运行经费：2019年44.44万元（推算），2020年11.48万元；变动：2019年未公开，2020年{MINUS}32.96万元。"
    ),
}


@pytest.fixture
def strict(caplog):
    """Turn every warning into an error and fail on logged matplotlib warnings."""
    gc.collect()  # finalise other tests' leftovers before turning warnings into errors
    with caplog.at_level(logging.WARNING), warnings.catch_warnings():
        warnings.simplefilter("error")
        # Event loops left by jupyter_core's run_sync in earlier tests' threads are not ours.
        warnings.simplefilter("ignore", ResourceWarning)
        yield
    bad = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert bad == []


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_chart_renders_without_warnings_and_states_figures(kind, strict):
    chart = BUILDERS[kind]()
    assert isinstance(chart.figure, mpl.figure.Figure)
    assert chart.alt == EXPECTED_ALT[kind]
    png = figure_png(chart.figure)
    assert png.startswith(b"\x89PNG") and len(png) > 5000


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_all_drawn_text_is_exact(kind, strict):
    """Tick labels and annotations never show float artefacts or hyphen-minus."""
    chart = BUILDERS[kind]()
    fig = chart.figure
    with house_style():
        fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_text()]
    joined = "\n".join(texts)
    assert "万元" in joined
    assert not re.search(r"\d\.\d{3,}", joined), joined
    assert "-" not in joined.replace("2019年收支总计", ""), joined
    assert all(re.search(r"[\u4e00-\u9fff]", t) or re.fullmatch(r"[−\d.]+", t) for t in texts), (
        texts
    )
    figure_png(fig)


def test_waterfall_bars_add_up():
    fig = _waterfall().figure
    bars = fig.axes[0].patches
    tops = [round(b.get_y() + b.get_height(), 2) for b in bars]
    assert tops[0] == 662.95 and round(bars[-1].get_height(), 2) == 335.78
    assert round(bars[2].get_y(), 2) == 335.78  # the last step ends where the end total is
    figure_png(fig)


def test_chart_html_embeds_png_and_escapes_alt():
    chart = structure_chart(
        [("<script>alert(1)</script>", D("1")), ("项目&支出", D("3"))], title='结构"图"'
    )
    out = chart_html(chart)
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "项目&amp;支出" in out
    assert 'alt="结构&quot;图&quot;（条形图）' in out
    data = re.search(r'src="data:image/png;base64,([^"]+)"', out).group(1)
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert "<figcaption>" in out and "<figcaption>" not in chart_html(_bars(), caption=False)
    assert "http" not in out


def test_dollar_signs_are_text_not_math(strict):
    chart = structure_chart([("$x$ 项", D("1"))], title="$a$")
    figure_png(chart.figure)
    assert chart.alt.startswith("$a$")


def test_many_charts_no_pyplot_figures(strict):
    import matplotlib.pyplot as plt

    for _ in range(25):
        chart_html(_donut())
    assert plt.get_fignums() == []


def test_png_is_reproducible():
    assert figure_png(_bars().figure) == figure_png(_bars().figure)


def test_empty_or_invalid_input_is_refused():
    with pytest.raises(ValueError, match="用文字说明"):
        structure_chart([], title="空")
    with pytest.raises(ValueError, match="用文字说明"):
        budget_actual_chart([], title="空")
    with pytest.raises(ValueError, match="负数"):
        structure_chart([("a", D("-1")), ("b", D("2"))], title="x", kind="donut")
    with pytest.raises(ValueError, match="bar"):
        structure_chart([("a", D("1"))], title="x", kind="pie")


def test_budget_chart_states_missing_budget():
    chart = budget_actual_chart([("某项", None, D("5"))], title="预算")
    assert "年初预算未公开，无完成率" in chart.alt
    figure_png(chart.figure)


def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_budget_chart_draws_the_largest_variances_and_says_where_the_rest_are():
    # 15 lines: 项i differs by i; 项大 and 项同 both by 1.5, 项大 with the larger 决算
    rows = [(f"项{i:02d}", D(100), D(100 + i)) for i in range(1, 13)]
    rows.insert(0, ("项同", D(10), D("11.5")))
    rows.insert(7, ("项大", D(900), D("901.5")))
    rows.append(("项缺", None, D("3.5")))  # no budget: no difference
    chart = budget_actual_chart(rows, title="各项预算与决算")
    assert len(rows) == 15 and MAX_BARS == 12
    shown = [t.get_text().split("\n")[0] for t in chart.figure.axes[0].get_yticklabels()][::-1]
    assert shown == ["项02", "项03", "项04", "项05", "项06", "项大", "项07", "项08", "项09", "项10",
                     "项11", "项12"]  # fmt: skip
    assert chart.alt.startswith(
        "各项预算与决算（预算与决算对比图）：图中为决算与年初预算差额最大的12项，其余3项见下表。"
        "项02年初预算100万元、决算102万元，完成年初预算的102.0%；"
    )
    assert "项01" not in chart.alt and "项缺" not in chart.alt and "项同" not in chart.alt
    assert chart.figure.axes[0].get_title() == "各项预算与决算（差额最大的12项）"
    assert chart.figure.get_figheight() <= MAX_HEIGHT
    few = budget_actual_chart(rows[:3], title="各项预算与决算")
    assert "其余" not in few.alt and few.figure.axes[0].get_title() == "各项预算与决算"
    width, height = _png_size(figure_png(chart.figure))
    assert width < 8.5 * DPI and height <= MAX_HEIGHT * DPI


def test_structure_bars_lump_the_smallest_parts_exactly():
    parts = [(f"第{i}类", D(i)) for i in range(1, 15)]  # 14 parts, total 105
    chart = structure_chart(parts, title="按类")
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert labels == [f"第{i}类" for i in range(4, 15)] + ["其余3项合计"]
    assert chart.alt.endswith("第14类14万元，占13.3%；其余3项合计6万元，占5.7%。")
    assert 4.2 < chart.figure.get_figheight() <= MAX_HEIGHT
    assert _bars().figure.get_figheight() == 4.2


def test_signed_amount_and_house_style():
    assert signed_amount(D("-10.18")) == f"{MINUS}10.18万元"
    assert signed_amount(D("0")) == "0万元"
    before = mpl.rcParams["font.sans-serif"]
    with house_style():
        assert mpl.rcParams["font.sans-serif"][0] == cjk_font().family
        assert mpl.rcParams["axes.unicode_minus"] is cjk_font().has_minus
    assert mpl.rcParams["font.sans-serif"] == before
    with mpl.rc_context():
        use_house_style()
        assert mpl.rcParams["font.sans-serif"][0] == cjk_font().family


NO_START = "）」』】》〉”’，。、；：！？%％)]},.;:!?"
NO_END = "（「『【《〈“‘([{"


@pytest.mark.parametrize(
    ("label", "width", "lines"),
    [
        ("2019年（推算）", 8, ["2019年（推算）"]),
        ("2019年（推算）", 5, ["2019年", "（推算）"]),
        ("变动（无法按科目分解）", 8, ["变动（无法按科目", "分解）"]),
        ("变动（无法按科目分解）", 10, ["变动", "（无法按科目分解）"]),
        ("一般公共服务支出（类）", 8, ["一般公共服务支出", "（类）"]),
        ("2010301 行政运行", 6, ["2010301 行政", "运行"]),
        ("收入总计", 14, ["收入总计"]),
    ],
)
def test_wrap_label_never_strands_a_bracket(label, width, lines):
    assert wrap_label(label, width).split("\n") == lines


def test_wrap_label_rules_hold_for_every_width():
    labels = [
        "2019年（推算）",
        "变动（无法按科目分解）",
        "一般公共预算财政拨款“三公”经费支出决算表",
        "公用经费（含“三公”经费），比上年减少。",
        "2010399 其他政府办公厅（室）及相关机构事务支出",
    ]
    for label in labels:
        for width in range(2, 16):
            lines = wrap_label(label, width).split("\n")
            assert "".join(lines).replace(" ", "") == label.replace(" ", "")
            for i, line in enumerate(lines):
                assert line and line == line.strip()
                if i:
                    assert line[0] not in NO_START, (label, width, lines)
                if i < len(lines) - 1:
                    assert line[-1] not in NO_END, (label, width, lines)


def test_waterfall_tick_labels_wrap_whole_phrases(strict):
    chart = waterfall_chart(
        ("2019年（推算）", D("662.95")),
        [("变动（无法按科目分解）", D("-327.17"))],
        ("2020年", D("335.78")),
        title="收、支总计变动的构成",
    )
    ticks = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    assert ticks == ["2019年（推算）", "变动\n（无法按科目分解）", "2020年"]
    figure_png(chart.figure)


# -- legible on the page: no label drawn over another, no legend entry for a hidden line ------
def _text_boxes(chart: Chart) -> list:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = chart.figure
    with house_style():  # the chart's fonts, as when it is saved
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        ax = fig.axes[0]
        return [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]


def _overlaps(boxes: list) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]


def test_trend_labels_of_close_lines_do_not_overlap(strict):
    series = {
        "收支总计": [(2022, D("2961.68")), (2023, D("3052.34")), (2024, D("3110.02"))],
        "一般公共预算财政拨款支出": [
            (2022, D("2930.40")),
            (2023, D("3003.19")),
            (2024, D("3080.55")),
        ],
    }
    chart = trend_chart(series, title="趋势")
    boxes = _text_boxes(chart)
    assert len(boxes) == 6
    assert _overlaps(boxes) == []


def test_trend_draws_identical_series_once_and_names_both(strict):
    pts = [(2019, D("662.95")), (2020, D("335.78"))]
    chart = trend_chart({"收支总计": pts, "一般公共预算财政拨款支出": pts}, title="趋势")
    ax = chart.figure.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    drawn = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert len(drawn) == 1  # one line: nothing hidden under it
    assert legend in ([], ["收支总计 = 一般公共预算财政拨款支出"])
    assert "收支总计" in chart.alt and "一般公共预算财政拨款支出" in chart.alt


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_no_label_is_drawn_over_another(kind, strict):
    boxes = _text_boxes(BUILDERS[kind]())
    assert _overlaps(boxes) == [], kind
