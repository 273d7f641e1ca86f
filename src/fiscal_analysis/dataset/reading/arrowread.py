"""Large regular CSV files parsed with pyarrow's CSV reader, or handed back.

pandas' C reader is only used on files whose every line is as wide as the
header (:func:`~fiscal_analysis.dataset.reading.csvread.quick_records`); a
file whose rows all leave off the same trailing optional columns (the usual
``facts.csv``: 13 columns declared, 11 written) took the exact numpy path,
which costs several CPU-seconds per 100 MB. :func:`arrow_records` reads such
files, and the regular ones, with ``pyarrow.csv``: every column parsed straight
into a dictionary of bytes (the distinct values and a code per row; the
dictionaries of pyarrow's blocks united), then decoded as UTF-8 (each distinct
value is checked and becomes one Python string, as the other paths give),
nothing converted, nothing taken as missing. Never holding every field as
bytes saves a third of the CPU and half the memory of a parse, and checking the
distinct values instead of every field checks the same bytes: a field ends only at an ASCII
comma or newline, which never occurs inside a UTF-8 character. pyarrow may
use its threads (``threads=True``; a caller reading several files at once
passes ``False``): it keeps the records in file order and any irregular row
hands the whole file back, so record numbers stay exact.

It is used only when byte counts and the parser together prove the layout,
so that record *i* (0-based) is on line *i* + 2:

* UTF-8 (BOM allowed; every distinct value is decoded, bad bytes refused),
  no ``"``, no lone ``\\r``, a non-blank header;
* every record has the same number of fields as the first record (pyarrow
  checks each row; a single other row hands the whole file back), at least
  two, and no more than the header has;
* no blank line (pyarrow, told not to skip empty lines, then makes every
  line after the header one record; a blank line is a record with every
  field empty, so the bytes are searched for one only when such a record
  exists).

Anything else returns ``None`` and the caller takes the exact path, which
finds the same records and names their problems (file, line, column, value).
Amounts stay text here: they are turned into integer 分 later
(:mod:`fiscal_analysis.dataset.textcolumns`), never through a float.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.reading.csvread import Records, clean_header

__all__ = ["ARROW_MIN_BYTES", "arrow_records"]

#: Files at least this large go to pyarrow; smaller ones are cheaper with the other paths.
ARROW_MIN_BYTES = 1 << 20

_BOM = b"\xef\xbb\xbf"
_BLOCK_BYTES = 16 << 20  # pyarrow parses a file in blocks of this size, a dictionary each


def arrow_records(data: bytes, *, threads: bool = True) -> Records | None:
    """Split a regular-width UTF-8 CSV with pyarrow, or return ``None`` (see the module doc).

    Examples:
        >>> r = arrow_records(b"a,b,c\\n1,x\\n2,y\\n")
        >>> r.header, r.frame[1].tolist(), r.counts.tolist(), r.lines.tolist()
        (['a', 'b', 'c'], ['x', 'y'], [2, 2], [2, 3])
        >>> str(r.frame[0].dtype), r.frame[0].tolist()  # text, not numbers
        ('category', ['1', '2'])
        >>> arrow_records(b"a,b\\n1,x\\n2\\n") is None  # a short row: the exact path
        True
        >>> arrow_records(b"a,b\\n1,x\\n\\n2,y\\n") is None  # a blank line
        True
        >>> arrow_records(b"a,b\\r\\n1,x\\r\\n2,y\\r\\n\\r\\n") is None  # one at the end
        True
        >>> arrow_records(b"a,b\\n1,x\\n,\\n").lines.tolist()  # bare commas: a record
        [2, 3]
        >>> arrow_records("a,b\\n1,单\\n".encode("gbk")) is None  # not UTF-8
        True
    """
    start = 3 if data.startswith(_BOM) else 0
    # (single-byte searches are memchr-fast; two-byte ones cost ~0.1 s per 100 MB)
    if b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    end = data.find(b"\n", start)
    if end < 0:
        return None
    try:
        line = data[start:end].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    if not line.strip() or line.startswith("\ufeff"):
        return None
    header = line.split(",")
    second = data.find(b"\n", end + 1)
    first = data[end + 1 : second if second >= 0 else len(data)].rstrip(b"\r")
    width = first.count(b",") + 1
    if not first or width < 2 or width > len(header):
        return None
    frame = _parse(data, end + 1, width, threads)
    if frame is None or _blank_line(frame, data):
        return None
    records = len(frame)  # every line a row: no blank line, and pyarrow skips none
    counts = np.full(records, width, dtype="int64")
    return Records(clean_header(header), frame, counts, np.arange(2, records + 2, dtype="int64"))


def _blank_line(frame: pd.DataFrame, data: bytes) -> bool:
    """Whether the file may have a blank line: pyarrow, told not to skip empty lines,
    makes one a record with every field empty, so only a file with such a record
    (rare: a row of bare commas looks the same) is searched for one."""
    first = frame[0]
    if "" not in first.cat.categories:
        return False
    empty = (first == "").to_numpy(dtype=bool)
    for i in range(1, frame.shape[1]):
        if not empty.any():
            return False
        empty = empty & (frame[i] == "").to_numpy(dtype=bool)
    return bool(empty.any()) and (b"\n\n" in data or b"\n\r\n" in data)


def _parse(data: bytes, offset: int, width: int, threads: bool) -> pd.DataFrame | None:
    """The records after the header as ``width`` positional text columns, or ``None``."""
    import pyarrow as pa
    from pyarrow import csv

    names = [str(i) for i in range(width)]
    irregular: list[object] = []  # rows of another width: the file goes back to the exact path

    def refuse(row: object) -> str:
        irregular.append(row)
        return "skip"

    read = csv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES, use_threads=threads)
    parse = csv.ParseOptions(
        quote_char=False,
        double_quote=False,
        escape_char=False,
        newlines_in_values=False,
        ignore_empty_lines=False,
        invalid_row_handler=refuse,
    )
    convert = csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.binary())),
        null_values=[],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        check_utf8=False,  # checked below, on the distinct values
    )
    body = pa.py_buffer(data)[offset:]
    try:
        table = csv.read_csv(
            pa.BufferReader(body), read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowException:
        return None
    if irregular or any(table.column(i).null_count for i in range(width)):
        return None
    table = table.unify_dictionaries()  # one dictionary per column over all blocks
    try:
        columns = {i: _text(table.column(i)) for i in range(width)}
    except pa.ArrowException:  # bad UTF-8
        return None
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def _text(column: object) -> pd.Categorical:
    """A dictionary-encoded column of bytes (one dictionary shared by its chunks) as a
    Categorical of ``str``: each distinct value decoded as UTF-8, which raises on bad bytes."""
    import pyarrow as pa

    chunks = [c for c in column.chunks if len(c)]  # type: ignore[attr-defined]
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks] or [[]])
    values = chunks[0].dictionary if chunks else pa.array([], pa.binary())
    categories = pd.Index(pd.array(values.cast(pa.large_string()), dtype="str"))
    return pd.Categorical.from_codes(
        codes.astype(np.int32, copy=False), dtype=pd.CategoricalDtype(categories), validate=False
    )
