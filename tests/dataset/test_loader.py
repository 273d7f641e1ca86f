"""Loader and validation: exact values, hardened parsing, only DataValidationError for bad input."""

from __future__ import annotations

import random
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.reading.csvread import decode
from fiscal_analysis.dataset.textcolumns import AMOUNT_PATTERN, parse_amounts
from fiscal_analysis.errors import DataValidationError, Problem, UnknownEntityError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASE = FIXTURES / "encodings" / "utf8_bom"
FACTS = "demo/2020/facts.csv"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(BASE, root)
    return root


def _edit_facts(root: Path, line: int, old: str, new: str) -> None:
    path = root / FACTS
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _problems(root: Path) -> list[Problem]:
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    return info.value.problems


# -- the shipped data -------------------------------------------------------------------------
def test_seed_dataset_golden_values(seed_dataset):
    ds = seed_dataset
    assert ds.value("lusong-xzsp", 2020, "T01", "income_grand_total") == Decimal("335.78")
    assert ds.value("lusong-xzsp", 2019, "T01", "income_grand_total") == Decimal("662.95")
    assert ds.value("lusong-xzsp", 2020, "T05", "budget_initial") == Decimal("200.35")
    assert ds.value("lusong-xzsp", 2020, "T05", "total", "2013801") == Decimal("10")
    assert ds.value("lusong-xzsp", 2020, "T06", "public_total") == Decimal("11.48")
    assert ds.value("lusong-xzsp", 2020, "T06", "amount", "30101") is None  # undisclosed
    assert ds.fen("lusong-xzsp", 2020, "procurement", "goods") == 27_470_000  # 27.47万元 in 分
    with pytest.warns(DeprecationWarning):
        assert ds.hundredths("lusong-xzsp", 2020, "procurement", "goods") == 2747
    assert ds.table_status("lusong-xzsp", 2020, "T08") == "empty"
    assert ds.facts["value"].dtype == "Int64"
    assert ds.facts["year"].dtype == "int64"
    assert ds.projects["value"].sum() == 144_860_000


def test_rows_keep_their_file_and_line(seed_dataset):
    f = seed_dataset.facts
    row = f[(f["year"] == 2020) & (f["table"] == "T01") & (f["item"] == "income_grand_total")]
    assert row["_file"].tolist() == ["lusong-xzsp/2020/facts.csv"]
    assert row["_row"].tolist() == [14]


# -- encodings ----------------------------------------------------------------------------------
@pytest.mark.parametrize("folder", ["gbk", "utf8_bom", "crlf_quoted"])
def test_supported_encodings_load_the_same_figures(folder):
    ds = load_dataset(FIXTURES / "encodings" / folder)
    assert ds.value("demo", 2020, "T05", "total", "2010301") == Decimal("99.2")
    assert ds.value("demo", 2020, "ops_cost", "budget_initial") == Decimal("21.66")
    assert ds.name("demo") == "示例区行政审批服务局"
    assert ds.record("demo", 2020, "three_public_counts", "vehicles_held")["unit"] == "辆"


def test_quoted_note_kept_verbatim():
    ds = load_dataset(FIXTURES / "encodings" / "crlf_quoted")
    assert (
        ds.record("demo", 2020, "ops_cost", "budget_initial")["note"] == '11.48 + 10.18，见"说明"'
    )


def test_utf16_is_refused_clearly():
    problem = decode("a,b\n".encode("utf-16"), "x.csv")[1]
    assert problem is not None and "UTF-16" in problem.expected


def test_utf8_with_one_bad_byte_is_not_read_as_gbk():
    data = "entity_id,name\n示例区审批局,甲乙丙\n".encode() + b"x\xff\n"
    text, problem = decode(data, "x.csv")
    assert text is None
    assert problem.row == 3 and "UTF-8" in problem.expected


# -- amounts ------------------------------------------------------------------------------------
REFUSED = {
    "NaN": "缺失值请留空",
    "nan": "缺失值请留空",
    "null": "缺失值请留空",
    "-": "缺失值请留空",
    "1e3": "科学计数法",
    "１２": "半角数字",
    " 12 ": "前后有多余的空格",
    "12元": "不要写单位",
    "3.1205401": "最多六位小数",
    "12.3456789": "最多六位小数",
    "9999999999999": "数字过大",
    "1,000,000,000,000": "数字过大",
    "1,23": "千分位逗号",
    "0x10": "只能包含数字",
    "12\x00": "只能包含数字",
}


@pytest.mark.parametrize("value", sorted(REFUSED))
def test_bad_amounts_are_refused_with_a_hint(tmp_path, value):
    root = _copy(tmp_path)
    written = f'"{value}"' if "," in value else value
    _edit_facts(root, 3, ",99.2,", f",{written},")
    problems = _problems(root)
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.row, p.column, p.value) == (FACTS, 3, "value", value)
    assert REFUSED[value] in p.expected


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("+5", 5_000_000),
        ("1,234.5", 1_234_500_000),
        ("-0.01", -10_000),
        ("0", 0),
        ("3.12054", 3_120_540),  # 31,205.40元, exact to the 分
        ("-0.000001", -1),
        ("999,999,999,999.999999", 999_999_999_999_999_999),  # the largest: fits int64
    ],
)
def test_good_amounts_parse_exactly(tmp_path, text, fen):
    root = _copy(tmp_path)
    _edit_facts(root, 3, ",99.2,", f',"{text}",')
    ds = load_dataset(root)
    assert ds.fen("demo", 2020, "T05", "total", "2010301") == fen
    assert ds.value("demo", 2020, "T05", "total", "2010301") == Decimal(text.replace(",", ""))


def test_deprecated_hundredths_refuses_a_figure_finer_than_a_cent(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 3, ",99.2,", ",3.12054,")  # 31,205.40元, exact to the 分
    ds = load_dataset(root)
    assert ds.fen("demo", 2020, "T05", "total", "2010301") == 3_120_540
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match=r"Dataset\.fen"):
        ds.hundredths("demo", 2020, "T05", "total", code="2010301")


def test_seven_decimals_of_wan_are_refused_with_file_row_column_value(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 3, ",99.2,", ",3.1205401,")
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    (p,) = info.value.problems
    assert (p.file, p.row, p.column, p.value) == (FACTS, 3, "value", "3.1205401")
    assert "最多六位小数" in p.expected and "0.000001万元" in p.expected
    assert "demo/2020/facts.csv 第3行 列「value」: 值「3.1205401」" in str(info.value)


def test_parse_amounts_matches_decimal_on_many_values():
    rng = random.Random(20201231)
    values = [
        f"{rng.choice(['', '-', '+'])}{rng.randint(0, 10 ** rng.randint(0, 12) - 1)}"
        f"{rng.choice(['', '.' + str(rng.randint(0, 10 ** rng.randint(1, 6) - 1))])}"
        for _ in range(5000)
    ]
    assert all(AMOUNT_PATTERN.match(v) for v in values)
    got = parse_amounts(pd.Series(values, dtype=str)).tolist()
    assert got == [int(Decimal(v) * 10**6) for v in values]


# -- years, codes, shapes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("year", "words"),
    [
        ("2020.0", "四位年份"),
        ("20２0", "四位年份"),
        (" 2020", "前后有多余的空格"),
        ("1949", "四位年份"),
    ],
)
def test_bad_years_are_refused(tmp_path, year, words):
    root = _copy(tmp_path)
    _edit_facts(root, 4, "demo,2020,", f"demo,{year},")
    [p] = _problems(root)
    assert (p.row, p.column, p.value) == (4, "year", year)
    assert words in p.expected


def test_code_with_spaces_is_refused(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 4, ",201,", ",201 ,")
    [p] = _problems(root)
    assert (p.row, p.column, p.value) == (4, "code", "201 ")


def test_line_numbers_survive_blank_lines_and_multiline_fields(tmp_path):
    root = _copy(tmp_path)
    path = root / FACTS
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    lines[1] = lines[1][: -len(",")] + ',"第一行\n第二行"'  # line 2 now spans two lines
    lines.insert(3, "")  # and a blank line follows
    path.write_text("\n".join(lines), encoding="utf-8")
    _edit_facts(root, 9, ",0,", ",零,")  # vehicles_held, originally line 7
    [p] = _problems(root)
    assert (p.row, p.column, p.value) == (9, "value", "零")


def test_blank_lines_keep_line_numbers_on_the_fast_path(tmp_path):
    root = _copy(tmp_path)
    path = root / FACTS
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    lines[2:2] = ["", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    _edit_facts(root, 9, ",0,", ",零,")
    [p] = _problems(root)
    assert p.row == 9


def test_missing_trailing_optional_field_and_empty_extra_fields_are_fine(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 2, "第三部分 一,", "第三部分 一")  # no trailing note field at all
    _edit_facts(root, 3, "五（三）1,", "五（三）1,,,")  # empty extra fields (spreadsheet export)
    ds = load_dataset(root)
    assert ds.value("demo", 2020, "T01", "income_grand_total") == Decimal("335.78")


def test_duplicate_header_column(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 1, ",note", ",note,note")
    [p] = _problems(root)
    assert (p.row, p.column) == (1, "note") and "出现了两次" in p.expected


def test_unterminated_quote(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 4, "五（二）,", '五（二）,"没有闭合')
    [p] = _problems(root)
    assert p.row == 4 and "引号未闭合" in p.expected


# -- files that cannot be read ------------------------------------------------------------------
def test_broken_symlink_is_a_problem(tmp_path):
    root = _copy(tmp_path)
    (root / "demo" / "2019").mkdir()
    (root / "demo" / "2019" / "facts.csv").symlink_to(root / "nowhere.csv")
    [p] = _problems(root)
    assert p.file == "demo/2019/facts.csv" and "无法读取文件" in p.expected


def test_missing_required_file(tmp_path):
    root = _copy(tmp_path)
    (root / "demo" / "2020" / "tables.csv").unlink()
    [p] = _problems(root)
    assert p.file == "tables.csv" and "缺少必需的文件" in p.expected


def test_random_corruption_only_ever_raises_data_validation_error(tmp_path):
    rng = random.Random(7)
    original = (BASE / FACTS).read_bytes()
    for i in range(150):
        root = tmp_path / f"d{i}"
        shutil.copytree(BASE, root)
        data = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data))
            data[pos : pos + rng.randint(0, 3)] = bytes(
                rng.choice(b',"\n\r \x00\xff\xe4\xb8\x87.-0123456789abc')
                for _ in range(rng.randint(0, 3))
            )
        (root / FACTS).write_bytes(bytes(data))
        try:
            load_dataset(root)
        except DataValidationError as exc:
            assert exc.problems
            assert all(isinstance(p, Problem) and p.expected for p in exc.problems)


def test_message_lists_first_problems_and_counts_the_rest():
    problems = [Problem("facts.csv", i, "value", "x", "应为数字") for i in range(2, 252)]
    text = str(DataValidationError(problems))
    assert text.count("\n  - ") == 200
    assert "另有 50 个问题未列出（facts.csv 50 个）" in text


def test_values_are_never_floats(seed_dataset):
    values = seed_dataset.facts["value"].dropna()
    assert all(isinstance(v, (int, np.integer)) for v in values)


# -- the quick path (C reader straight from bytes) agrees with the exact path --------------------
def _outcome(root: Path):
    try:
        ds = load_dataset(root)
    except DataValidationError as exc:
        return [tuple(vars(p).values()) if hasattr(p, "__dict__") else p for p in exc.problems]
    return {name: df.astype(str).to_dict("list") for name, df in ds.frames.items()}


def test_quick_path_gives_exactly_what_the_exact_path_gives(tmp_path, monkeypatch):
    from fiscal_analysis.dataset.reading import readtable

    rng = random.Random(11)
    original = (BASE / FACTS).read_bytes()
    quick_used = 0
    for i in range(60):
        root = tmp_path / f"d{i}"
        shutil.copytree(BASE, root)
        data = bytearray(original)
        for _ in range(rng.randint(0, 2)):
            pos = rng.randrange(len(data))
            data[pos : pos + rng.randint(0, 2)] = bytes(
                rng.choice(b",\n \xff\xe4\xb8\x87.-0123456789ab") for _ in range(rng.randint(0, 2))
            )
        (root / FACTS).write_bytes(bytes(data))
        quick_used += readtable.quick_records(bytes(data)) is not None
        fast = _outcome(root)
        with monkeypatch.context() as m:
            m.setattr(readtable, "quick_records", lambda data: None)
            exact = _outcome(root)
        assert fast == exact, i
    assert quick_used > 10  # the comparison really exercised the quick path


def test_first_row_wider_than_header_is_reported_not_truncated(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 2, "第三部分 一,", "第三部分 一,,多余")
    [p] = _problems(root)
    assert (p.row, p.value) == (2, "多余") and "表头只有 11 列" in p.expected


def test_numeric_looking_text_is_kept_verbatim(tmp_path):
    root = _copy(tmp_path)
    _edit_facts(root, 2, "第三部分 一,", "1.50,")  # a section that looks like a number
    ds = load_dataset(root)
    assert "1.50" in set(ds.facts["section"])
    assert ds.facts["code"].isin(["2010301"]).any()  # codes stay text, not numbers


# -- a subset of entities ---------------------------------------------------------------------
def _two_entities(tmp_path: Path) -> Path:
    root = tmp_path / "two"
    shutil.copytree(BASE, root)
    for src in (root / "demo").rglob("*.csv"):
        dst = root / "other" / src.relative_to(root / "demo")
        dst.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_bytes().decode("utf-8-sig").replace("demo", "other")
        dst.write_text(text, encoding="utf-8")
    with (root / "entities.csv").open("a", encoding="utf-8") as f:
        f.write("other,另一个局,湖南省,县级,\n")
    return root


def test_entities_subset_loads_only_that_entity(tmp_path):
    root = _two_entities(tmp_path)
    full = load_dataset(root)
    one = load_dataset(root, entities=["other"])
    assert one.pairs() == [("other", 2020)]
    assert one.entities["entity_id"].tolist() == ["other"]
    assert set(one.documents["entity_id"]) == {"other"}
    mine = full.facts_for("other").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        one.facts.astype(str), mine.astype(str), check_dtype=False, check_categorical=False
    )
    assert one.value("other", 2020, "T05", "total", "2010301") == Decimal("99.2")
    by_name = load_dataset(root, entities=["另一个局"])
    assert by_name.pairs() == [("other", 2020)]


def test_entities_subset_skips_other_entities_files_unread(tmp_path):
    root = _two_entities(tmp_path)
    (root / FACTS).write_bytes(b"\xff\xfe garbage, not even text")  # demo's facts
    with pytest.raises(DataValidationError):
        load_dataset(root)
    assert load_dataset(root, entities=["other"]).pairs() == [("other", 2020)]


def test_entities_subset_still_checks_its_references(tmp_path):
    root = _two_entities(tmp_path)
    path = root / "other" / "2020" / "facts.csv"
    text = path.read_text(encoding="utf-8")
    doc = text.split("\n")[1].split(",")[8]
    path.write_text(text.replace(f",{doc},", ",no-such-doc,", 1), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(root, entities=["other"])
    [p] = info.value.problems
    assert (p.file, p.row, p.column, p.value) == (
        "other/2020/facts.csv",
        2,
        "doc_id",
        "no-such-doc",
    )


def test_entities_subset_unknown_entity(tmp_path):
    from fiscal_analysis.errors import UnknownEntityError

    root = _two_entities(tmp_path)
    with pytest.raises(UnknownEntityError, match="nobody"):
        load_dataset(root, entities=["nobody"])


def test_text_columns_are_sorted_categories(seed_dataset):
    f = seed_dataset.facts
    for c in ("entity_id", "table", "code", "item", "unit", "basis", "doc_id", "_file"):
        assert isinstance(f[c].dtype, pd.CategoricalDtype), c
        assert f[c].cat.categories.is_monotonic_increasing, c
    assert isinstance(seed_dataset.reasons["entity_id"].dtype, pd.CategoricalDtype)
    assert seed_dataset.reasons["text"].dtype == "str"


# -- one entity-year -----------------------------------------------------------
def test_entity_year_is_one_place_for_the_figures_of_a_year(seed_dataset):
    ey = seed_dataset.entity_year("株洲市芦淞区行政审批服务局", 2020)
    assert (ey.entity_id, ey.year, ey.name) == ("lusong-xzsp", 2020, "株洲市芦淞区行政审批服务局")
    assert ey.figure("T01", "income_grand_total") == (Decimal("335.78"), "published")
    assert ey.previous.figure("T01", "income_grand_total") == (Decimal("662.95"), "derived")
    assert ey.figure("T05", "total", "999") == (None, "missing")
    assert ey.amount("ops_cost", "budget_initial") == Decimal("21.66")
    assert ey.table_status("T08") == "empty" and ey.table_status("T99") == "unknown"
    assert ey.reasons("budget_variance", "2010301") == ("在执行过程中细化功能科目。",)
    assert len(ey.figures) == len(ey.facts) == 112  # one key per fact row in 2020
    # the report context and the checks read this same object
    from fiscal_analysis.checks.engine import Context
    from fiscal_analysis.report.context import ReportContext

    ctx = ReportContext(seed_dataset, "lusong-xzsp", 2020)
    assert isinstance(ctx, type(ey)) and ctx.figure("T05", "total") == ey.figure("T05", "total")
    assert Context.build(ey).get("T01", "income_grand_total") == 335_780_000  # 分


def test_entity_year_refuses_an_unknown_entity_or_year(seed_dataset):
    with pytest.raises(UnknownEntityError, match="nobody"):
        seed_dataset.entity_year("nobody", 2020)
    with pytest.raises(UnknownEntityError, match="2018"):
        seed_dataset.entity_year("lusong-xzsp", 2018)
