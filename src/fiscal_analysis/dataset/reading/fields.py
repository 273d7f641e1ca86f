"""Over-long fields, found in the raw bytes of a CSV file before it is parsed.

No field may be longer than :data:`MAX_FIELD` bytes (1 MiB, as written, quotes
included): far beyond any name, note or formula, and a longer one is nearly
always a lost quote or line end. Parsing one is what costs: pandas and the
validation hold every distinct value of a column at the width of the longest,
so a 20 MB note took 7 GB. :func:`long_field` names the first over-long field
(file, line, column) from the bytes alone, in memory a small multiple of a
block (8 MiB) of the file; files without quotes are cleared by sampling.
"""

from __future__ import annotations

import csv

import numpy as np

from fiscal_analysis.errors import Problem

__all__ = ["MAX_FIELD", "long_field"]

#: Longest field accepted, in bytes as written (quotes included): 1 MiB.
MAX_FIELD = 2**20
_BLOCK = 8 * 2**20  # bytes scanned at a time for over-long fields


def _first_long(data: bytes, limit: int) -> int | None:
    """Offset of the first field longer than ``limit`` bytes, or ``None``; exact for RFC 4180.

    Separators (``,`` and line ends) inside double quotes do not count. Without
    quotes, the file is first sampled: a field longer than ``limit`` covers a
    whole aligned window of ``limit // 2`` bytes with no ``,`` or ``\\n``, so a
    file where every window has one is done after a few ``find`` calls.
    """
    if len(data) <= limit:
        return None
    if b'"' not in data:
        step = max(limit // 2, 1)
        bare = (
            data.find(b",", lo, lo + step) < 0 and data.find(b"\n", lo, lo + step) < 0
            for lo in range(0, len(data) - step + 1, step)
        )
        if not any(bare):
            return None
    b = np.frombuffer(data, dtype=np.uint8)
    parity, last = 0, -1  # inside quotes at the end of the last block; last separator
    for lo in range(0, len(b), _BLOCK):
        blk = b[lo : lo + _BLOCK]
        sep = (blk == 44) | (blk == 10)
        quotes = blk == 34
        if parity or quotes.any():
            inside = np.bitwise_xor.accumulate(quotes.view(np.uint8)) ^ parity
            parity = int(inside[-1])
            sep &= inside == 0
        pos = np.flatnonzero(sep) + lo
        if len(pos):
            gaps = np.diff(pos, prepend=last) - 1
            over = np.flatnonzero(gaps > limit)
            if len(over):
                return int(pos[over[0]] - gaps[over[0]])
            last = int(pos[-1])
        elif lo + len(blk) - 1 - last > limit:
            return last + 1
    return last + 1 if len(b) - 1 - last > limit else None


def long_field(data: bytes, file: str, limit: int = MAX_FIELD) -> Problem | None:
    """A problem naming the first field longer than ``limit`` bytes (line, column), or ``None``.

    The line is the one where the field's record starts, the column the
    header's name for its position (the header's own fields are named by number).

    Examples:
        >>> print(long_field(b"a,note\\n1,ok\\n2," + b"x" * 30 + b"\\n", "f.csv", limit=20))
        f.csv 第3行 列「note」: 值「xxxxxxxxxxxxxxxxxxxx……」 — 字段长 30 字节，超过上限 20 字节；...
        >>> long_field(b'a,note\\n1,"x,y"\\n', "f.csv", limit=5) is None
        True
    """
    start = _first_long(data, limit)
    if start is None:
        return None
    # The record starts after the last newline outside quotes (quote parity from the start).
    rec, nl = 0, start
    while (nl := data.rfind(b"\n", 0, nl)) >= 0:
        if data.count(b'"', 0, nl) % 2 == 0:
            rec = nl + 1
            break
    seg = np.frombuffer(data, dtype=np.uint8)[rec:start]
    inside = np.bitwise_xor.accumulate((seg == 34).view(np.uint8)) if len(seg) else seg
    index = int(((seg == 44) & (inside == 0)).sum()) if len(seg) else 0
    line = data.count(b"\n", 0, rec) + 1
    first = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = data.find(b"\n", first)
    head = data[first : end if end >= 0 else len(data)]
    names = [] if line == 1 else next(csv.reader([head.decode("utf-8", "replace")]), [])
    column = names[index].strip() if index < len(names) else f"第{index + 1}列"
    stop = _next_separator(data, start)
    shown = data[start : start + 60].decode("utf-8", "ignore")[:20] + "……"
    msg = (
        f"字段长 {stop - start} 字节，超过上限 {limit} 字节；多半是缺了引号或换行，"
        f"请检查 (field longer than {limit} bytes; a missing quote or line break?)"
    )
    return Problem(file, line, column, shown, msg)


def _next_separator(data: bytes, start: int) -> int:
    """Where the field starting at ``start`` ends (its separator, or the end of the data)."""
    pos, quoted = start, data[start : start + 1] == b'"'
    if quoted:
        pos = start + 1
        while True:
            q = data.find(b'"', pos)
            if q < 0:
                return len(data)
            if data[q + 1 : q + 2] != b'"':
                pos = q + 1
                break
            pos = q + 2
    ends = [i for i in (data.find(b",", pos), data.find(b"\n", pos)) if i >= 0]
    return min(ends, default=len(data))
