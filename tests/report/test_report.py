"""Report section builders return the seed's golden figures and sentences, escaped safely."""

from __future__ import annotations

import base64
import csv
import re
import shutil
from pathlib import Path

import pytest

from fiscal_analysis.charts.style import DPI, MAX_HEIGHT
from fiscal_analysis.errors import FiscalAnalysisError
from fiscal_analysis.narrative.describe import describe
from fiscal_analysis.report.blocks import Section, fmt_amount, show, text_table
from fiscal_analysis.report.compare import comparison_section, pefa_indicators_section
from fiscal_analysis.report.context import (
    COVERED_PARTS,
    coverage_statement,
    has_part,
    missing_parts,
    open_report,
    resolve_data_dir,
)
from fiscal_analysis.report.explore import (
    overview_section as explore_overview,
)
from fiscal_analysis.report.explore import questions_section, trends_section
from fiscal_analysis.report.review import rule_title
from fiscal_analysis.report.sections_accounts import (
    expense_section,
    general_public_section,
    income_section,
    overview_section,
    title_section,
)
from fiscal_analysis.report.sections_other import (
    all_sections,
    data_check_section,
    ops_cost_section,
    procurement_section,
)
from fiscal_analysis.report.sections_spending import (
    basic_section,
    funds_section,
    performance_section,
)
from fiscal_analysis.testing.synth import write_panel

DATA = Path(__file__).resolve().parents[2] / "data"
ENTITY = "lusong-xzsp"


@pytest.fixture(scope="module")
def ctx():
    return open_report(DATA, ENTITY, 2020)


@pytest.fixture(scope="module")
def ctx2019():
    return open_report(DATA, ENTITY, 2019)


def test_overview_total_change_and_reasons(ctx):
    s = overview_section(ctx)
    assert s.paragraphs == (
        "2020年度收、支总计335.78万元。与上年相比，减少327.17万元，下降49.4%。",
    )
    assert s.table.loc[0].tolist() == [
        "收入总计", "662.95万元（推算）", "335.78万元", "减少327.17万元", "下降49.4%",
    ]  # fmt: skip
    assert s.drivers == (
        "2019年度没有按功能分类（类）的明细数据，无法计算变动由哪些科目构成；收、支总计减少327.17万元。",
    )
    assert s.reasons[0].startswith("一是严格贯彻过“紧日子”思想")
    assert s.charts == ()  # nothing to break down: no one-step waterfall
    html = s.to_html()
    assert "数据显示的变动构成" in html and "单位说明的原因（原文）" in html
    assert html.index("数据显示的变动构成") < html.index("一是严格贯彻过")


def test_income_expense_structure(ctx):
    assert income_section(ctx).paragraphs[0] == (
        "本年收入合计335.78万元，其中：财政拨款收入335.78万元，占100.0%。"
    )
    assert income_section(ctx).charts == ()  # one source at 100%: no chart
    s = expense_section(ctx)
    assert "基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%" in s.paragraphs[0]
    assert s.table.iloc[0].tolist() == ["基本支出", "190.92万元", "56.9%"]
    assert "占56.9%" in s.charts[0].alt


def test_general_public_structure_and_completion(ctx):
    s = general_public_section(ctx)
    overall, structure, items = s.subsections
    assert "占本年支出合计的100.0%" in overall.paragraphs[0]
    assert structure.paragraphs[0].endswith(
        "一般公共服务支出（类）258.47万元，占77.0%；卫生健康支出（类）77.31万元，占23.0%。"
    )
    assert items.paragraphs[0] == (
        "2020年度一般公共预算财政拨款支出年初预算为200.35万元，支出决算为335.78万元，"
        "完成年初预算的167.6%。"
    )
    rows = items.table.set_index("科目编码")
    assert rows.loc["2013801", "完成率"] == "5.0%"
    assert rows.loc["2013801", "决算与预算"] == "决算数小于年初预算数"
    for code in ("2010301", "2010306", "2010399", "2100101"):
        assert rows.loc[code, "年初预算"] == "0万元"
        assert rows.loc[code, "完成率"] == "年初预算为0，无法计算完成率"
        assert rows.loc[code, "单位说明的原因"] == "在执行过程中细化功能科目。"
    assert (
        "2010301 行政运行年初预算0万元、决算99.2万元，年初预算为0，无完成率" in items.charts[0].alt
    )
    assert "完成年初预算的5.0%" in items.charts[0].alt
    assert not any("%" in p for p in items.paragraphs[1:4])  # zero budgets: no rate printed


def test_basic_funds_ops_procurement_projects(ctx):
    basic = basic_section(ctx)
    assert "人员经费179.44万元，占基本支出的94.0%" in basic.paragraphs[0]
    assert "公用经费11.48万元，占基本支出的6.0%" in basic.paragraphs[0]
    assert "17个经济分类科目只列出了名称，未公开金额" in basic.notes[0]
    funds = funds_section(ctx)
    assert "本年度无政府性基金预算财政拨款收支。" in funds.paragraphs
    assert "本年度无国有资本经营预算财政拨款收支。" in funds.paragraphs
    assert funds.charts == ()
    ops = ops_cost_section(ctx)
    assert (
        "比年初预算数减少10.18万元，降低47.0%；比上年决算数减少32.96万元，降低74.2%"
        in (ops.paragraphs[0])
    )
    assert ops.table.iloc[0].tolist() == [
        "年初预算", "21.66万元（推算）", "11.48万元", "减少10.18万元", "下降47.0%",
    ]  # fmt: skip
    proc = procurement_section(ctx)
    assert "授予中小企业合同金额46.42万元，占政府采购支出总额的100.0%" in proc.paragraphs[0]
    proj = performance_section(ctx)
    assert proj.paragraphs[0].endswith("合计144.86万元，与支出决算的项目支出一致。")


def test_2019_partial_data_is_stated(ctx2019):
    statement = coverage_statement(ctx2019)
    assert statement.startswith(
        "2019年度数据不完整：共10个数字，全部为推算数（由其他年度公开的数字推算，已标注“推算”）"
    )
    assert "收入决算、支出决算" in statement and "政府采购" in statement
    assert missing_parts(ctx2019)[:2] == ["收入决算", "支出决算"]
    sections = {s.title: s for s in all_sections(ctx2019)}
    assert sections["三、支出决算情况"].notes == (
        "2019年度数据中没有支出决算的数字，本部分不作分析。",
    )
    assert sections["三、支出决算情况"].charts == ()
    over = sections["一、收入支出决算总体情况"]
    assert over.paragraphs[0] == "2019年度收、支总计662.95万元。缺少上年数据，无法比较。"
    assert over.notes == ()  # the derivation formulas are in the appendix, not the body
    assert over.table.iloc[0, 2] == "662.95万元（推算）"
    assert "44.44万元（推算）" in sections["十一、其他重要事项"].text
    assert (
        "无法判断是否有此类收支"
        in sections["八、九、政府性基金预算与国有资本经营预算财政拨款收支情况"].text
    )


def test_title_and_decimals():
    ctx2 = open_report(DATA, "株洲市芦淞区行政审批服务局", 2020, decimals=2)
    assert title_section(ctx2).title == "株洲市芦淞区行政审批服务局2020年度部门决算分析"
    assert "下降49.35%" in overview_section(ctx2).paragraphs[0]


def test_every_section_renders_html(ctx):
    html = "".join(s.to_html() for s in all_sections(ctx))
    assert html.count("<img alt=") >= 7
    assert "http://" not in html and "https://" not in html
    assert show(Section("x")).data.startswith('<section class="fisc-section">')


@pytest.fixture
def hostile_data(tmp_path):
    """The shipped data with a <script> in the department name and in a stated reason."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    for name, column in (("entities.csv", "name"), ("lusong-xzsp/2020/reasons.csv", "text")):
        path = root / name
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        rows[0][column] = "<script>alert('x')</script>" + rows[0][column]
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return root


def test_script_in_reason_and_name_shows_as_text(hostile_data):
    ctx = open_report(hostile_data, ENTITY, 2020)
    sections = all_sections(ctx)
    html = "".join(s.to_html() for s in sections)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert('x')</script>一是严格贯彻" in overview_section(ctx).reasons[0]
    assert sections[0].title.startswith("<script>")  # plain text kept, escaped only in HTML


def test_data_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir("data") == DATA.resolve()
    monkeypatch.chdir(DATA.parent / "notebooks")
    assert resolve_data_dir("data") == DATA.resolve()
    assert resolve_data_dir(str(DATA)) == DATA.resolve()
    with pytest.raises(FiscalAnalysisError, match="找不到数据目录"):
        resolve_data_dir(tmp_path / "nowhere")


def test_open_report_errors():
    with pytest.raises(FiscalAnalysisError, match="没有 2018 年度数据"):
        open_report(DATA, ENTITY, 2018)
    with pytest.raises(FiscalAnalysisError, match="数据中没有单位"):
        open_report(DATA, "nobody", 2020)
    with pytest.raises(FiscalAnalysisError, match="decimals"):
        open_report(DATA, ENTITY, 2020, decimals=9)


def test_fmt_amount_marks():
    from decimal import Decimal

    assert fmt_amount(Decimal("662.95"), "derived") == "662.95万元（推算）"
    assert fmt_amount(None, "undisclosed") == "未公开"
    assert fmt_amount(None, "missing") == "无数据"


def test_explore_sections():
    from fiscal_analysis.dataset.load import load_dataset

    ds = load_dataset(DATA)
    assert explore_overview(ds).paragraphs == ("数据中共有4个单位、8个单位年度。",)
    trends = trends_section(ds)
    assert "2019年662.95万元（推算），2020年335.78万元" in trends.charts[0].alt
    pefa = pefa_indicators_section(ds)
    row = pefa.table.iloc[0]
    assert row["指标"] == "PI-1 总体支出执行率" and row["数值"] == "167.6%" and row["等级"] == "D"
    czj = pefa.table[pefa.table["单位名称"] == "上海市普陀区财政局"].iloc[0]
    assert czj["数值"] == "98.2%" and czj["等级"] == "A"  # 2940.05 ÷ 2993.92, the published totals
    latest = comparison_section(ds)  # every department, each in its latest year
    assert latest.notes == () and len(latest.table) == 4
    assert list(latest.table["年度"]) == ["2020", "2024", "2024", "2024"]
    seed = latest.table.iloc[0]  # its 2020 total is published, its 2019 one 推算
    assert (seed["收入总计"], seed["上年收入总计"]) == ("335.78万元", "662.95万元（推算）")
    assert len(comparison_section(ds, 2024).table) == 3  # the seed has no 2024
    assert comparison_section(ds, 2020).notes  # one department that year: nothing to compare
    assert "全部为推算数" in questions_section(ds, 2019).text
    questions = questions_section(ds).text
    assert "4个“项”年初预算为0" in questions
    assert "细化功能科目" not in questions or "是在执行中细化了功能科目" in questions
    assert "叁佰余万元" not in questions


def test_data_check_section_on_the_seed(ctx):
    s = data_check_section(ctx)
    assert s.title == "数据核对" and all_sections(ctx)[-1].title == "数据核对"
    assert s.paragraphs[0] == (
        "按勾稽关系规则核对 132 项：132 项相符；未发现错误。另有 21 项因缺少所需数字未能核对。"
    )
    assert s.paragraphs[1] == (
        "核对结果：相符 132 项，差异在取整误差以内 0 项（提示，不是错误），需要注意 0 项，"
        "错误 0 项，因缺少所需数字未能核对 21 项，共 153 项。"
    )
    assert s.table is None and s.notes == ("各项可核对的勾稽关系均相符，没有需要列出的差异。",)
    (skipped,) = s.subsections
    assert skipped.title == "未能核对的规则" and len(skipped.table) == 21
    assert list(skipped.table.columns) == ["规则", "说明"]
    html = s.to_html()
    assert "<h2>数据核对</h2>" in html and "<h3>未能核对的规则</h3>" in html
    assert "T02-1" not in html and rule_title("T02-1") in html


def test_data_check_section_lists_errors_first(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    facts = root / "lusong-xzsp" / "2020" / "facts.csv"
    with facts.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    hit = [r for r in rows if r["table"] == "T01" and r["item"] == "expense_grand_total"]
    assert len(hit) == 1 and hit[0]["value"] == "335.78"
    hit[0]["value"] = "335.68"  # 收入总计 335.78 against 支出总计 335.68
    with facts.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    s = data_check_section(open_report(root, ENTITY, 2020))
    assert "需核实原表或数据" in s.paragraphs[0] and "未发现错误" not in s.paragraphs[0]
    assert s.paragraphs[0].startswith("按勾稽关系规则核对 133 项：发现 3 项错误（见下表）")
    assert s.table["结果"].tolist() == ["错误"] * 3 and s.table["规则"].tolist() == [
        rule_title("T01-4"),
        rule_title("T01-5"),
        rule_title("N-1"),
    ]
    assert "335.68" in s.table.iloc[1]["涉及数字"]
    assert "不适用" not in set(s.table["结果"]) and s.notes == ()
    html = s.to_html()
    assert html.index("错误") < html.index("未能核对的规则")


def test_table_html_marks_figures_and_escapes():
    from fiscal_analysis.report.table import column_class, table_html

    df = text_table(
        [{"科目编码": "2010301", "金额": "99.2万元", "增减率": "下降49.4%", "说明": "<b>x</b>"},
         {"科目编码": "201", "金额": "未公开", "增减率": "—", "说明": "年初预算为0"}],
        ["科目编码", "金额", "增减率", "说明"],
    )  # fmt: skip
    out = table_html(df)
    assert '<td class="code">2010301</td><td class="num">99.2万元</td>' in out
    assert '<td class="num">下降49.4%</td><td>&lt;b&gt;x&lt;/b&gt;</td>' in out
    assert "<b>" not in out and out.count("<tr>") == 3
    assert column_class(["5.0%", "年初预算为0，无法计算完成率"]) == ""
    assert column_class(["", "—"]) == ""


def test_context_computes_shared_parts_once_with_the_same_results(ctx):
    fresh = open_report(DATA, ENTITY, 2020)
    assert fresh.paragraphs is fresh.paragraphs  # computed once, then kept
    assert fresh.paragraphs == describe(fresh.ds.entity_year(ENTITY, 2020), 1)
    assert income_section(fresh).paragraphs[0] == fresh.paragraphs["income"]
    assert expense_section(fresh).paragraphs[0] == (
        "本年支出合计335.78万元，其中：基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%。"
    )
    topics = {(t, c) for t, c, _ in fresh.stated_reasons}
    assert len(topics) > 3
    for topic, code in topics:
        assert list(fresh.reasons(topic, code)) == fresh.ds.reasons_for(ENTITY, 2020, topic, code)
        assert list(fresh.reasons(topic)) == fresh.ds.reasons_for(ENTITY, 2020, topic)
    assert fresh.reasons("budget_variance", "2010301") == ("在执行过程中细化功能科目。",)
    assert fresh.reasons("no_such_topic") == ()
    assert all(fresh.present_parts.values()) and list(fresh.present_parts) == list(COVERED_PARTS)
    with pytest.raises(KeyError):
        has_part(fresh, "不存在的部分")


def _png_height(figure_html: str) -> int:
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", figure_html).group(1)
    return int.from_bytes(base64.b64decode(data)[20:24], "big")


def test_many_items_chart_is_bounded_and_the_table_lists_every_item(tmp_path):
    write_panel(tmp_path, 1, 2, layout="entity-year")
    ctx = open_report(tmp_path, "synth-0001", 2016)
    items = general_public_section(ctx).subsections[2]
    n = len(items.table)
    assert n == 64 and len(items.paragraphs) == 1  # every 项 in the table, once
    (chart,) = items.charts
    assert f"图中为决算与年初预算差额最大的12项，其余{n - 12}项见下表。" in chart.alt
    assert chart.alt.count("、决算") == 12  # the 12 lines charted, named in the alt text
    assert _png_height(chart.html) <= MAX_HEIGHT * DPI
    assert "<figcaption>" in chart.html and f"其余{n - 12}项见下表" in chart.html
