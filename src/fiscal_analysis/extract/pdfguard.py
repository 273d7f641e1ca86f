"""A PDF's size before PDFium opens it: file bytes and decompressed streams.

PDFium inflates a page's content streams whole when it loads the page, so a
few megabytes of deflated zeros (a "flate bomb") would take gigabytes of
memory. Before the file is opened, every stream that is not an image is
inflated here in 1 MB steps (the output thrown away) and the total counted;
past :data:`~.limits.MAX_PDF_INFLATED` the document is refused. Streams that
are not zlib data (or are encrypted) cannot be measured and are left to PDFium.

Examples:
    >>> import zlib
    >>> body = zlib.compress(b"BT (x) Tj ET" * 100)
    >>> pdf = b"1 0 obj << /Length %d /Filter /FlateDecode >> stream\\n" % len(body)
    >>> inflated_size(pdf + body + b"\\nendstream endobj", limit=10**6)
    1200
"""

from __future__ import annotations

import mmap
import re
import zlib
from pathlib import Path

from fiscal_analysis.extract.limits import MAX_PDF_BYTES, MAX_PDF_INFLATED, check_size, refuse

__all__ = ["check_pdf", "inflated_size"]

_STREAM = re.compile(rb"stream\r?\n")
_STEP = 1 << 20  # inflate this much at a time
_DICT_BACK = 4096  # how far before "stream" its dictionary is looked for


def _zlib_header(two: bytes) -> bool:
    return len(two) == 2 and two[0] & 0x0F == 8 and (two[0] << 8 | two[1]) % 31 == 0


def inflated_size(data, limit: int) -> int:
    """Total inflated size of ``data``'s non-image zlib streams, stopping once past ``limit``."""
    total = 0
    for m in _STREAM.finditer(data):
        start = m.end()
        head = bytes(data[max(0, m.start() - _DICT_BACK) : m.start()])
        head = head[head.rfind(b"obj") + 1 :] if b"obj" in head else head
        if b"/Image" in head or not _zlib_header(data[start : start + 2]):
            continue  # images stay compressed for text; other data is not zlib
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        d = zlib.decompressobj()
        pos = start
        try:
            while pos < end and not d.eof:
                chunk = data[pos : min(end, pos + _STEP)]
                pos += len(chunk)
                out = d.decompress(chunk, _STEP)
                total += len(out)
                while d.unconsumed_tail and total <= limit:
                    out = d.decompress(d.unconsumed_tail, _STEP)
                    total += len(out)
                if total > limit:
                    return total
        except zlib.error:
            continue  # not zlib after all (or encrypted): PDFium reads it
    return total


def check_pdf(path: Path) -> None:
    """Refuse a PDF over :data:`~.limits.MAX_PDF_BYTES` or inflating past the limit.

    Raises:
        ExtractError: Naming the file and the limit.
    """
    size = check_size(path, MAX_PDF_BYTES, ("PDF 文件", "PDF"))
    if size == 0:
        return
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        total = inflated_size(data, MAX_PDF_INFLATED)
    if total > MAX_PDF_INFLATED:
        refuse(
            str(path),
            f"PDF 的压缩内容解压后超过上限 {MAX_PDF_INFLATED} 字节（可能是压缩炸弹）",
            f"streams inflate to over {MAX_PDF_INFLATED} bytes",
        )
