"""writer.write_dataset: the project's CSV layout, merging, atomic writes."""

from __future__ import annotations

import pytest

from fiscal_analysis import load_dataset
from fiscal_analysis.dataset.write import frames_to_rows, write_dataset


def _rows(eid: str, year: str, value: str) -> dict:
    fact = {"entity_id": eid, "year": year, "table": "T01", "code": "", "item": "income_total"}
    fact |= {"value": value, "unit": "万元", "basis": "published", "doc_id": f"{eid}-{year}"}
    fact |= {"section": "第三部分 二", "note": ""}
    return {
        "entities": [{"entity_id": eid, "name": f"{eid}局", "region": "某市", "level": "市级"}],
        "documents": [{"doc_id": f"{eid}-{year}", "entity_id": eid, "year": year, "title": "t"}],
        "facts": [fact],
        "tables": [
            {"entity_id": eid, "year": year, "table": "T01", "status": "absent"}
            | {"doc_id": f"{eid}-{year}", "section": "公开01表"}
        ],
    }


def test_layout_and_loads(tmp_path):
    written = write_dataset(_rows("e1", "2024", "12.5"), tmp_path)
    rel = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert rel == ["e1/2024/facts.csv", "e1/2024/tables.csv", "e1/documents.csv", "entities.csv"]
    ds = load_dataset(tmp_path)
    assert ds.fen("e1", 2024, "T01", "income_total") == 12_500_000


def test_merge_keeps_other_entities_and_replaces_same_year(tmp_path):
    write_dataset(_rows("e1", "2024", "12.5"), tmp_path)
    write_dataset(_rows("e2", "2024", "7"), tmp_path)
    write_dataset(_rows("e1", "2024", "13"), tmp_path)
    ds = load_dataset(tmp_path)
    assert sorted(ds.entities["entity_id"]) == ["e1", "e2"]
    assert ds.fen("e1", 2024, "T01", "income_total") == 13_000_000
    assert ds.fen("e2", 2024, "T01", "income_total") == 7_000_000
    assert not list(tmp_path.rglob("*.tmp"))


def test_unknown_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="未知的数据文件"):
        write_dataset({"fact": []}, tmp_path)


def test_frames_round_trip(tmp_path):
    ds = load_dataset("data")
    rows = frames_to_rows({"entities": ds.entities.astype(str)})
    assert rows["entities"][0]["entity_id"] == "lusong-xzsp"
