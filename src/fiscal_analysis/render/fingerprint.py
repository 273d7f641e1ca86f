"""Skip logic: has anything a report depends on changed since it was rendered?

A report's fingerprint records SHA-256 digests of what went into it: the
notebook's bytes, the *content* of every data row the report reads
(:meth:`~fiscal_analysis.dataset.model.Dataset.rows_for`: the entity's rows in every
frame, all years, plus ``codes``; see :func:`content_digest`), the package
version and source, and the parameters. It is stored as JSON beside the report
(``.fingerprint.json``), in the same folder swap as the HTML and notebook
(:func:`fiscal_analysis.render.folders.commit_report`), so it only ever describes
the report written with it, completely.

Because the data part hashes values rather than file bytes, editing another
entity's row in the shared ``entities.csv`` does not re-render this entity,
and re-saving a CSV with the same values (other row order, ``26.00`` for
``26``, another encoding) re-renders nothing.

Everything here is cheap: hashing and JSON only, no kernels and no heavy
imports (the dataset is already loaded once per batch), so checking twenty
unchanged reports costs milliseconds.

**How this relates to the other change checks.** Two layers, one rule each
(see :mod:`fiscal_analysis.dataset.walk`): *file state* decides whether anything
must be re-read at all. The batch stamp (:mod:`.batchstamp`) and the
validated dataset cache (:mod:`fiscal_analysis.dataset.cache`) both key on
:func:`fiscal_analysis.dataset.walk.data_states`, the size, modification and change
times and inode of the same list of dataset files; if it is unchanged, the
batch is skipped, or the dataset comes from the cache. *Content digests*
(this module) then decide which reports changed, once the data has been
read: a touched or re-saved file re-reads the data but re-renders only the
reports whose rows' values differ. The source documents a report's text
checks read (``documents.csv`` paths, ``raw/``) are in neither.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fiscal_analysis.files import atomic_write

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from fiscal_analysis.dataset.model import Dataset

__all__ = [
    "FINGERPRINT_FILE",
    "Fingerprint",
    "changed_parts",
    "code_digest",
    "content_digest",
    "entity_digests",
    "fingerprint_bytes",
    "read_fingerprint",
    "write_fingerprint",
]

#: File name of the fingerprint, inside each report's folder.
FINGERPRINT_FILE = ".fingerprint.json"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _cell(value: Any) -> str:
    """Canonical text of one cell: ``n`` if missing, else a type letter and the value.

    Examples:
        >>> [_cell(v) for v in (None, float("nan"), "26", 2600, True)]
        ['n', 'n', 's26', 'i2600', 'b1']
    """
    if value is None or type(value).__name__ == "NAType":
        return "n"
    if isinstance(value, float) and value != value:  # NaN (and numpy floats)
        return "n"
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar -> Python
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, bool):
        return f"b{int(value)}"
    if isinstance(value, int):
        return f"i{value}"
    return f"{type(value).__name__}:{value}"


def content_digest(frames: Mapping[str, pd.DataFrame]) -> str:
    """One digest over the values of some frames, independent of how the CSVs were written.

    Each frame contributes its name, its column names (sorted) and the
    multiset of its rows: each cell in a canonical text form (:func:`_cell`),
    each row hashed to 64 bits from its cells (:func:`_row_hashes`), the row
    hashes sorted. The provenance columns ``_file`` and ``_row`` are left
    out. So the digest changes when a value changes, and not when rows are
    reordered, moved to another file or written differently (``26.00`` and
    ``26`` are both 26000000 分 once loaded).

    Examples:
        >>> import pandas as pd
        >>> a = pd.DataFrame({"code": ["201", "210"], "value": [25847, 7731],
        ...                   "_file": ["x.csv"] * 2, "_row": [2, 3]})
        >>> b = a.iloc[::-1].assign(_file="y.csv", _row=[9, 8])
        >>> content_digest({"facts": a}) == content_digest({"facts": b})
        True
        >>> content_digest({"facts": a}) == content_digest({"facts": a.assign(value=[1, 7731])})
        False
        >>> swapped = a.assign(code=["210", "201"], value=[25847, 7731])  # same cells, other rows
        >>> content_digest({"facts": a}) == content_digest({"facts": swapped})
        False
    """
    import numpy as np

    h = hashlib.sha256()
    for name in sorted(frames):
        df = frames[name]
        cols = _columns(df)
        h.update(_head(name, cols) + _le(np.sort(_row_hashes(df, cols))) + _END)
    return h.hexdigest()


_END = b"\x1d"


def _le(hashes: np.ndarray) -> bytes:
    """Row hashes as little-endian bytes (the same digest on every machine)."""
    return hashes.astype("<u8", copy=False).tobytes()


def _columns(df: pd.DataFrame) -> list[str]:
    """The columns that are hashed, sorted (not the provenance ``_file`` and ``_row``)."""
    return sorted(str(c) for c in df.columns if c not in ("_file", "_row"))


def _head(name: str, cols: list[str]) -> bytes:
    return json.dumps([name, cols], ensure_ascii=False).encode("utf-8") + b"\n"


def _cell_hashes(column: pd.Series) -> np.ndarray:
    """A 64-bit hash of each cell.

    Integer columns (the amounts, years) hash their values with numpy (a
    missing value as ``n``); other columns hash :func:`_cell` of each
    distinct value once.

    Examples:
        >>> import pandas as pd
        >>> ints = _cell_hashes(pd.Series([2600, None, 7], dtype="Int64"))
        >>> bool(ints[0] == _cell_hashes(pd.Series([2600]))[0])
        True
        >>> bool(ints[1] == _cell_hashes(pd.Series([None], dtype=object))[0])
        True
        >>> bool(_cell_hashes(pd.Series(["i2600"]))[0] != ints[0])
        True
    """
    import numpy as np
    import pandas as pd
    from pandas.util import hash_array

    if column.dtype.kind in "iu":
        missing = column.isna().to_numpy()
        values = column.to_numpy(dtype="int64", na_value=0)
        hashed = hash_array(values, categorize=False) ^ _tag("int")
        hashed[missing] = _tag("n")
        return hashed
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    encoded = np.asarray([_cell(u) for u in uniques] + ["n"], dtype=object)
    return hash_array(encoded, categorize=False)[codes]


@functools.cache
def _tag(text: str) -> Any:
    """The hash of one text (imported lazily: planning an unchanged batch needs no pandas)."""
    import numpy as np
    from pandas.util import hash_array

    return hash_array(np.asarray([text], dtype=object), categorize=False)[0]


def _row_hashes(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """One 64-bit hash per row from its cells' hashes, in column order (as pandas combines them).

    Examples:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"a": ["x", "y"], "b": ["y", "x"]})
        >>> h = _row_hashes(df, ["a", "b"])
        >>> bool(h[0] != h[1]), h.dtype.name
        (True, 'uint64')
    """
    import numpy as np

    out = np.full(len(df), 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    with np.errstate(over="ignore"):
        for i, c in enumerate(cols):
            out ^= _cell_hashes(df[c])
            out *= mult
            inverse = len(cols) - i
            mult += np.uint64(82520 + inverse + inverse)
        out += np.uint64(97531)
    return out


def entity_digests(ds: Dataset, entity_ids: Iterable[str]) -> dict[str, str]:
    """``content_digest(ds.rows_for(e))`` for many entities at once, equal value for value.

    Each frame's rows are hashed once, with numpy, and sorted by entity and
    hash; each entity then hashes its own slice, and the frames without an
    ``entity_id`` (``codes``) are hashed once for all. Planning a batch of
    1,000 entities costs one vectorised pass over the data, and a change to
    one entity's figures changes that entity's digest only.

    Examples:
        >>> from fiscal_analysis.dataset.load import load_dataset
        >>> ds = load_dataset("data")
        >>> entity_digests(ds, ["lusong-xzsp"]) == {
        ...     "lusong-xzsp": content_digest(ds.rows_for("lusong-xzsp"))}
        True
    """
    import numpy as np
    import pandas as pd

    wanted = list(dict.fromkeys(entity_ids))
    hashers = {e: hashlib.sha256() for e in wanted}
    for name in sorted(ds.frames):
        df = ds.frames[name]
        cols = _columns(df)
        head = _head(name, cols)
        rows = _row_hashes(df, cols)
        if "entity_id" not in df.columns:  # shared by every entity (``codes``)
            whole = head + _le(np.sort(rows)) + _END
            for h in hashers.values():
                h.update(whole)
            continue
        owner, ids = pd.factorize(df["entity_id"], use_na_sentinel=True)
        if len(ids) < 2**15:
            owner = owner.astype(np.int16)  # a radix sort
        order = np.argsort(owner, kind="stable")
        ranked = rows[order]
        bounds = np.searchsorted(owner[order], np.arange(len(ids) + 1))
        where = {str(e): (bounds[i], bounds[i + 1]) for i, e in enumerate(ids)}
        for e, h in hashers.items():
            lo, hi = where.get(e, (0, 0))
            h.update(head + _le(np.sort(ranked[lo:hi])) + _END)
    return {e: h.hexdigest() for e, h in hashers.items()}


def code_digest(package_dir: str | Path = _PACKAGE_DIR) -> str:
    """Digest of the package's own source and resources.

    The version number alone does not change while the package is developed
    (an editable install), so the source is hashed too: editing a chart
    helper re-renders the reports that use it.
    """
    root = Path(package_dir)
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix not in {".pyc", ".pyo"}:
            h.update(f"{f.relative_to(root).as_posix()}\0".encode())
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What went into one report.

    Attributes:
        notebook: SHA-256 of the notebook file's bytes.
        data: :func:`content_digest` of the data rows the report reads.
        version: ``fiscal_analysis.__version__``.
        code: :func:`code_digest` of the package.
        parameters: The notebook parameters that identify the report:
            entity and year, decimals when not the default 1, and any extra
            notebook parameters asked for (not the data folder's location).
    """

    notebook: str
    data: str
    version: str
    code: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """One SHA-256 over every part.

        Examples:
            >>> a = Fingerprint("n", "d", "0.1.0", "c", {"year": 2020})
            >>> a.digest == Fingerprint("n", "d", "0.1.0", "c", {"year": 2020}).digest
            True
            >>> a.digest == Fingerprint("n", "d", "0.1.0", "c", {"year": 2019}).digest
            False
        """
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["parameters"] = dict(self.parameters)
        return out


def changed_parts(old: Fingerprint | None, new: Fingerprint) -> list[str]:
    """Names of the parts that differ (``["new"]`` if there is no old one).

    Examples:
        >>> a = Fingerprint("n", "d", "0.1.0", "c", {"year": 2020})
        >>> changed_parts(a, Fingerprint("n", "d2", "0.1.0", "c", {"year": 2020}))
        ['data']
        >>> changed_parts(None, a)
        ['new']
        >>> changed_parts(a, a)
        []
    """
    if old is None:
        return ["new"]
    before, after = old.to_dict(), new.to_dict()
    return [k for k in after if before.get(k) != after[k]]


def read_fingerprint(folder: str | Path) -> Fingerprint | None:
    """The stored fingerprint of a report folder, or ``None`` if absent or unreadable."""
    path = Path(folder) / FINGERPRINT_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Fingerprint(
            notebook=str(raw["notebook"]),
            data=str(raw["data"]),
            version=str(raw["version"]),
            code=str(raw["code"]),
            parameters=dict(raw["parameters"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def fingerprint_bytes(fingerprint: Fingerprint) -> bytes:
    """The fingerprint as stored in :data:`FINGERPRINT_FILE` (JSON, UTF-8)."""
    text = json.dumps(fingerprint.to_dict(), sort_keys=True, ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


def write_fingerprint(folder: str | Path, fingerprint: Fingerprint) -> None:
    """Store a fingerprint beside its report (atomically)."""
    atomic_write(Path(folder) / FINGERPRINT_FILE, fingerprint_bytes(fingerprint))
