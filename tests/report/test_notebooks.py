"""Execute both notebooks on the shipped data and check what they show."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ANNUAL = NOTEBOOKS / "annual_report.ipynb"
EXPLORE = NOTEBOOKS / "explore.ipynb"


def _run(path: Path, out: Path, cwd: Path, **parameters) -> nbformat.NotebookNode:
    # A cell gets 120 s (each takes a few seconds). A kernel whose reply never arrives (both
    # sides idle: seen in the first notebook run of a test session, 3 times in about 8 such
    # runs on 2026-12-06, never in 20 runs after) fails that cell instead of hanging the run,
    # and the notebook is run again in a fresh kernel, up to three times in all.
    for attempt in (1, 2, 3):
        try:
            pm.execute_notebook(
                str(path), str(out), parameters=parameters, cwd=str(cwd), kernel_name="python3",
                progress_bar=False, log_output=False, execution_timeout=120,
            )  # fmt: skip
            break
        except Exception as exc:
            if attempt == 3 or "timed out" not in str(exc).lower():
                raise
    return nbformat.read(out, as_version=4)


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _html(nb: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for o in _outputs(nb))


def _assert_clean(nb: nbformat.NotebookNode) -> None:
    for o in _outputs(nb):
        assert o["output_type"] != "error", o
        assert not (o["output_type"] == "stream" and o.get("name") == "stderr"), o.get("text")


@pytest.fixture(scope="module")
def annual_2020(tmp_path_factory):
    out = tmp_path_factory.mktemp("nb") / "annual_2020.ipynb"
    return _run(ANNUAL, out, NOTEBOOKS)


@pytest.fixture(scope="module")
def annual_2019(tmp_path_factory):
    out = tmp_path_factory.mktemp("nb") / "annual_2019.ipynb"
    return _run(ANNUAL, out, NOTEBOOKS, year=2019)


def test_annual_report_2020_shows_golden_figures(annual_2020):
    _assert_clean(annual_2020)
    html = _html(annual_2020)
    for text in (
        "<h1>株洲市芦淞区行政审批服务局2020年度部门决算分析</h1>",
        "2020年度收、支总计335.78万元。与上年相比，减少327.17万元，下降49.4%。",
        "本年收入合计335.78万元，其中：财政拨款收入335.78万元，占100.0%。",
        "基本支出190.92万元，占56.9%；项目支出144.86万元，占43.1%",
        "一般公共服务支出（类）258.47万元，占77.0%；卫生健康支出（类）77.31万元，占23.0%",
        "支出决算为335.78万元，完成年初预算的167.6%",
        "年初预算为0，无法计算完成率",
        "人员经费179.44万元，占基本支出的94.0%",
        "本年度无政府性基金预算财政拨款收支。",
        "比年初预算数减少10.18万元，降低47.0%；比上年决算数减少32.96万元，降低74.2%",
        "授予中小企业合同金额46.42万元，占政府采购支出总额的100.0%",
        "合计144.86万元，与支出决算的项目支出一致",
        "单位说明的原因（原文）",
        "662.95万元（推算）",
        "<h3>数据核对</h3>",
        "按勾稽关系规则核对 132 项：132 项相符；未发现错误。",
    ):
        assert text in html, text
    row = r"市场监督管理事务·行政运行</td><td[^>]*>200.35万元</td><td[^>]*>10万元</td><td[^>]*>5.0%"
    assert re.search(row, html), "the 项 row with its budget, actual and completion"
    assert html.count('<img alt="') >= 6
    # 2019 has no breakdown by 类, so the change is not drawn as a one-step waterfall
    assert "瀑布图" not in html and "无法按科目分解" not in html
    assert re.search(r'<img alt="[^"]*条形图[^"]*" src="data:image/png;base64,', html)
    assert "<script" not in html


def test_annual_report_2019_states_missing_data(annual_2019):
    _assert_clean(annual_2019)
    html = _html(annual_2019)
    assert "株洲市芦淞区行政审批服务局2019年度部门决算分析" in html
    assert "2019年度数据不完整：共10个数字，全部为推算数" in html
    assert "2019年度数据中没有支出决算的数字，本部分不作分析。" in html
    assert "662.95万元（推算）" in html and "44.44万元（推算）" in html
    assert "<h3>数据核对</h3>" in html and "5 项相符；未发现错误。另有 39 项" in html


def test_annual_report_from_elsewhere_with_absolute_data_folder(tmp_path):
    nb = _run(ANNUAL, tmp_path / "out.ipynb", tmp_path, data=str(ROOT / "data"))
    _assert_clean(nb)
    assert "减少327.17万元" in _html(nb)


def test_explore_runs_top_to_bottom(tmp_path):
    nb = _run(EXPLORE, tmp_path / "explore.ipynb", NOTEBOOKS)
    _assert_clean(nb)
    html = _html(nb)
    assert "数据中共有4个单位、8个单位年度。" in html
    assert "2019年662.95万元（推算），2020年335.78万元" in html
    assert "167.6%" in html and "PEFA" in html
    # all departments: each in its latest year, and in the chosen (default: latest) year
    assert "各单位最新年度比较" in html and "各单位最新年度共4个单位参与比较" in html
    assert "2024年度共3个单位参与比较" in html
    for name in ("株洲市芦淞区行政审批服务局", "上海市普陀区财政局", "上海市普陀区规划和自然资源局",
                 "中共上海市普陀区委社会工作部"):  # fmt: skip
        assert name in html
    assert "接下来要问的问题" in html and "叁佰余万元" not in html
    assert "application/vnd.jupyter.widget-view+json" in str(nb)


@pytest.mark.parametrize("path", [ANNUAL, EXPLORE], ids=lambda p: p.name)
def test_notebook_source_is_thin(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
        assert not [n for n in ast.walk(tree) if isinstance(n, kinds)], cell.source
        assert not cell.get("outputs"), "notebooks are committed without outputs"


MINI = ROOT / "tests" / "fixtures" / "notebooks" / "mini_report.ipynb"
#: Each notebook's parameters: the command line's names (--entity, --year, --data, --decimals).
PARAMETERS = {
    ANNUAL: {"entity": ("str", "lusong-xzsp"), "year": ("int", 2020),
             "data": ("str", "data"), "decimals": ("int", 1)},
    EXPLORE: {"data": ("str", "data"), "year": ("int", 0), "decimals": ("int", 1),
              "use_cache": ("bool", True)},
    MINI: {"entity": ("str", "alpha"), "year": ("int", 2020), "data": ("str", "data")},
}  # fmt: skip


@pytest.mark.parametrize("path", list(PARAMETERS), ids=lambda p: p.name)
def test_parameters_cell_is_tagged_typed_and_commented(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    if path == ANNUAL:
        assert tagged[0] is nb.cells[0]
    lines = [ln for ln in tagged[0].source.splitlines() if ln and not ln.startswith("#")]
    seen = {}
    for line in lines:
        m = re.fullmatch(r"(\w+): (\w+) = (.+?)  # \S.*", line)
        assert m, f"not a typed, commented default: {line!r}"
        name, typ, value = m.groups()
        seen[name] = (typ, ast.literal_eval(value))
    assert seen == PARAMETERS[path]
    # papermill (which render asks) reads the same names and types
    inspected = pm.inspect_notebook(str(path))
    assert {k: v["inferred_type_name"] for k, v in inspected.items()} == {
        k: typ for k, (typ, _) in PARAMETERS[path].items()
    }
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"\bdata_dir\b", code), "the parameter is called data now"
