"""Entity folders (``<root>/<entity_id>/…``): validated on every load, skipped by subset loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis.dataset import layout
from fiscal_analysis.dataset import load as loader
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.errors import DataValidationError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASE = FIXTURES / "encodings" / "utf8_bom"
REPO = Path(__file__).resolve().parents[2]


def _two_entities(tmp_path: Path, register_other_at_root: bool = True) -> Path:
    """The ``demo`` fixture plus a copy of it as entity ``other`` in its own folder."""
    root = tmp_path / "two"
    shutil.copytree(BASE, root)
    for src in (root / "demo").rglob("*.csv"):
        dst = root / "other" / src.relative_to(root / "demo")
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(src.read_bytes().decode("utf-8-sig").replace("demo", "other"), "utf-8")
    row = "other,另一个局,湖南省,县级,\n"
    if register_other_at_root:
        with (root / "entities.csv").open("a", encoding="utf-8") as f:
            f.write(row)
    else:  # the entity registers itself inside its own folder
        header = (root / "entities.csv").read_bytes().decode("utf-8-sig").splitlines()[0]
        (root / "other" / "entities.csv").write_text(f"{header}\n{row}", encoding="utf-8")
    return root


def _spy(monkeypatch) -> tuple[list[str], list[str]]:
    """Record every file the loader reads and every top-level folder the tree lists."""
    opened: list[str] = []
    listed: list[str] = []
    real_read, real_walk = loader.read_table, layout.Tree.walk

    def read(path, *args, **kwargs):
        opened.append(Path(path).relative_to(kwargs.get("root", args[1])).as_posix())
        return real_read(path, *args, **kwargs)

    def walk(self, names):
        listed.extend(sorted(set(names) & set(self.pending)))
        return real_walk(self, names)

    monkeypatch.setattr(loader, "read_table", read)
    monkeypatch.setattr(layout.Tree, "walk", walk)
    return opened, listed


@pytest.mark.parametrize("at_root", [True, False])
def test_subset_load_neither_lists_nor_opens_other_entity_folders(tmp_path, monkeypatch, at_root):
    root = _two_entities(tmp_path, register_other_at_root=at_root)
    full = load_dataset(root)
    opened, listed = _spy(monkeypatch)
    one = load_dataset(root, entities=["demo"])
    others = [f for f in opened if f.startswith("other/")]
    assert "demo/2020/facts.csv" in opened
    if at_root:
        assert others == []
        assert listed == ["demo"]  # `other` is registered at the root: never even listed
    else:  # listed and its entities.csv read to learn that `other` is an entity folder
        assert others == ["other/entities.csv"]
    pd.testing.assert_frame_equal(
        one.facts.astype(str),
        full.facts_for("demo").reset_index(drop=True).astype(str),
        check_categorical=False,
    )
    assert one.entities["entity_id"].tolist() == ["demo"]
    other = load_dataset(root, entities=["other"])
    assert other.pairs() == [("other", 2020)]
    assert other.entities["entity_id"].tolist() == ["other"]


def test_a_row_of_another_entity_in_an_entity_folder_is_reported(tmp_path):
    root = _two_entities(tmp_path)
    demo_facts, other_facts = root / "demo/2020/facts.csv", root / "other/2020/facts.csv"
    lines = demo_facts.read_text(encoding="utf-8-sig").splitlines()
    moved = lines.pop(2)  # demo's 2nd record, filed under other/ instead
    demo_facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with other_facts.open("a", encoding="utf-8") as f:
        f.write(moved + "\n")
    n = len(other_facts.read_text(encoding="utf-8").splitlines())
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    [p] = info.value.problems
    assert (p.file, p.row, p.column, p.value) == ("other/2020/facts.csv", n, "entity_id", "demo")
    assert "entity_id 应为「other」" in p.expected
    assert "other/2020/facts.csv 第" in str(p) and "「demo」" in str(p)


def test_misfiled_registration_in_an_entity_folder_is_reported(tmp_path):
    root = _two_entities(tmp_path, register_other_at_root=False)
    registry = root / "other" / "entities.csv"
    with registry.open("a", encoding="utf-8") as f:
        f.write("third,第三个局,湖南省,县级,\n")
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    [p] = info.value.problems
    assert (p.file, p.row, p.column, p.value) == ("other/entities.csv", 3, "entity_id", "third")


def test_unregistered_id_in_an_entity_folder_is_one_problem(tmp_path):
    root = _two_entities(tmp_path)
    path = root / "other/2020/facts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("other,", "nobody,", 1), "utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    [p] = info.value.problems
    assert (p.row, p.column, p.value) == (2, "entity_id", "nobody")
    assert "未在 entities.csv 中登记" in p.expected


def test_shared_codes_file_in_an_entity_folder_is_reported(tmp_path):
    root = _two_entities(tmp_path)
    (root / "other" / "codes.csv").write_text("scheme,code,name,source\n", encoding="utf-8")
    (root / "codes.csv").write_text("scheme,code,name,source\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(root)
    [p] = info.value.problems
    assert (p.file, p.row) == ("other/codes.csv", None)
    assert "不能放在单位「other」的文件夹中" in p.expected
    assert load_dataset(root, entities=["demo"]).pairs() == [("demo", 2020)]


def test_a_document_cited_from_another_entity_folder_is_still_found(tmp_path):
    root = _two_entities(tmp_path)
    path = root / "other/2020/facts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",other-2020,", ",demo-2020,"), encoding="utf-8")
    full = load_dataset(root)
    one = load_dataset(root, entities=["other"])
    assert set(one.documents["doc_id"]) == {"demo-2020", "other-2020"}
    assert one.entities["entity_id"].tolist() == ["demo", "other"]
    pd.testing.assert_frame_equal(
        one.documents.astype(str), full.documents.astype(str), check_categorical=False
    )


def test_chunk_folders_and_root_files_are_searched_by_bytes(tmp_path):
    """Files outside entity folders may hold any entity's rows."""
    root = _two_entities(tmp_path)
    chunk = root / "chunk-0001" / "2020"
    chunk.parent.mkdir()
    shutil.move(root / "other" / "2020", chunk)
    one = load_dataset(root, entities=["other"])
    assert one.pairs() == [("other", 2020)]
    assert set(one.facts["_file"]) == {"chunk-0001/2020/facts.csv"}
    assert load_dataset(root, entities=["demo"]).pairs() == [("demo", 2020)]


def test_shipped_data_keeps_the_entity_folder_rule():
    ds = load_dataset(REPO / "data")
    for name, df in ds.frames.items():
        if "entity_id" in df.columns and len(df):
            tops = df["_file"].astype(str).str.split("/").str[0]
            in_folder = tops.isin(set(ds.entities["entity_id"]))
            assert (df["entity_id"].astype(str)[in_folder] == tops[in_folder]).all(), name


def test_subset_load_reads_the_shared_codes_file_whole(tmp_path):
    root = _two_entities(tmp_path)
    (root / "codes.csv").write_text(
        "scheme,code,name,source\nfunction,2010603,补充科目,测试\n", encoding="utf-8"
    )
    path = root / "other/2020/facts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",2010301,", ",2010603,", 1), encoding="utf-8")
    full = load_dataset(root)
    one = load_dataset(root, entities=["other"])
    assert one.frames["codes"]["code"].tolist() == ["2010603"]
    assert one.value("other", 2020, "T05", "total", "2010603") == full.value(
        "other", 2020, "T05", "total", "2010603"
    )
