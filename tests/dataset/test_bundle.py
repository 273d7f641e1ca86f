"""Runs of small regular files parsed as one: same frames and same problems as file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from fiscal_analysis.dataset import load as loader
from fiscal_analysis.dataset.load import load_dataset
from fiscal_analysis.dataset.reading import bundle
from fiscal_analysis.errors import DataValidationError

REPO = Path(__file__).resolve().parents[2]


def _panel(tmp_path: Path, n: int = 6) -> Path:
    """The shipped entity copied under ``n`` ids, with files written in every accepted way."""
    root = tmp_path / "data"
    shutil.copytree(
        REPO / "data",
        root,
        ignore=shutil.ignore_patterns("raw", "*.md", "lus*", "putuo*", "codes.csv"),
    )
    src = REPO / "data" / "lusong-xzsp"
    rows = []
    for i in range(n):
        eid = f"e{i}-xzsp"
        for f in src.rglob("*.csv"):
            dst = root / eid / f.relative_to(src)
            dst.parent.mkdir(parents=True, exist_ok=True)
            text = f.read_text(encoding="utf-8").replace("lusong", f"e{i}")
            if i == 1:
                data = text.replace("\n", "\r\n").encode("utf-8")  # CRLF
            elif i == 2:
                data = b"\xef\xbb\xbf" + text.encode("utf-8")  # BOM
            elif i == 3:
                data = text.encode("gb18030")  # GBK family: read on its own
            else:
                data = text.encode("utf-8")
            dst.write_bytes(data)
        rows.append(f"{eid},单位{i},湖南省株洲市,县级,\n")
    (root / "entities.csv").write_text("entity_id,name,region,level,note\n" + "".join(rows))
    return root


def _load_both(monkeypatch, root: Path, **kw):
    """Load with bundling, then with every file read on its own."""
    bundled = load_dataset(root, **kw)
    with monkeypatch.context() as m:
        m.setattr(loader, "read_bundles", lambda files, spec, root, only=None: ({}, list(files)))
        single = load_dataset(root, **kw)
    return bundled, single


def _same(a, b) -> None:
    for name in a.frames:
        pd.testing.assert_frame_equal(a.frames[name], b.frames[name], check_exact=True)


def test_bundled_load_equals_file_by_file(tmp_path, monkeypatch):
    root = _panel(tmp_path)
    calls = []
    real = bundle.read_text_columns
    monkeypatch.setattr(bundle, "read_text_columns", lambda *a: calls.append(1) or real(*a))
    bundled, single = _load_both(monkeypatch, root)
    _same(bundled, single)
    assert len(bundled.facts) == 6 * 122 and calls  # some runs were joined
    facts = bundled.facts
    row = facts[(facts["entity_id"] == "e4-xzsp") & (facts["year"] == 2020)].iloc[0]
    assert (row["_file"], row["_row"]) == ("e4-xzsp/2020/facts.csv", 2)
    sub_bundled, sub_single = _load_both(monkeypatch, root, entities=["e2-xzsp", "e5-xzsp"])
    _same(sub_bundled, sub_single)
    assert sorted(set(sub_bundled.facts["entity_id"])) == ["e2-xzsp", "e5-xzsp"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t.replace("\n", "\nT01,,extra,,,,,,,\n", 1),  # a too-wide row
        lambda t: t.replace("income_grand_total,", 'income_grand_total,"', 1),  # a quote
        lambda t: t.replace(",335.78,", ",３３５.78,", 1),  # a bad value
    ],
)
def test_problems_are_the_same_as_file_by_file(tmp_path, monkeypatch, damage):
    root = _panel(tmp_path)
    facts = root / "e4-xzsp" / "2020" / "facts.csv"
    facts.write_text(damage(facts.read_text(encoding="utf-8")), encoding="utf-8")
    errors = []
    for replace in (False, True):
        with monkeypatch.context() as m:
            if replace:
                m.setattr(loader, "read_bundles", lambda f, s, r, only=None: ({}, list(f)))
            with pytest.raises(DataValidationError) as caught:
                load_dataset(root)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "e4-xzsp/2020/facts.csv" in errors[0]


def test_irregular_but_valid_files_load_the_same(tmp_path, monkeypatch):
    """Blank lines and quoted values are fine; those files are simply read on their own."""
    root = _panel(tmp_path)
    facts = root / "e4-xzsp" / "2020" / "facts.csv"
    text = facts.read_text(encoding="utf-8").replace(",335.78,", ',"335.78",', 1)
    facts.write_text(text + "\n\n", encoding="utf-8")
    bundled, single = _load_both(monkeypatch, root)
    _same(bundled, single)


def test_regular_means_provably_one_record_per_line():
    assert bundle._regular(b"a,b\n1,x\n") == ("a,b", b"1,x\n", 1)
    assert bundle._regular(b"a,b\n") is None  # no records: read on its own
    assert bundle._regular(b"a,b\n1,x") is None  # no final newline
    assert bundle._regular(b"a,b\n1,x\r2,y\n") is None  # a lone CR
    assert bundle._regular("a,b\n1,甲\n".encode("gb18030")) is not None  # body checked by parse
    assert bundle._regular("甲,b\n1,x\n".encode("gb18030")) is None  # header not UTF-8
