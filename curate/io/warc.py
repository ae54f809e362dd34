"""Read WARC files into Arrow batches of HTML documents, with fastwarc.

Only ``response`` records of HTTP 200 HTML become documents. Every other response-like
record (revisit, resource, non-200, non-HTML, oversized, corrupt) becomes a rejected row
with ``drop_stage = "read"`` and a reason, so that ``curate stats`` counts it from the
written files. Request, metadata and warcinfo records are not documents; they are only
tallied per shard.

HTTP headers are parsed here rather than by fastwarc, because real archives hold blocks
it misreads (ClueWeb09's WARC/0.18 with bare ``\\n`` line ends) and bodies whose
``Content-Encoding``/``Transfer-Encoding`` headers lie (the payload was stored decoded).
A decoding that fails keeps the raw bytes.

The HTML type comes from the HTTP ``Content-Type``; only a missing or generic type
(``application/octet-stream``) is sniffed from the first bytes. We never use
libmagic-style identification (``WARC-Identified-Payload-Type``), which calls real
HTML pages ``application/javascript``.
"""

from __future__ import annotations

import codecs
import collections
import dataclasses
import datetime as dt
import re
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyarrow as pa
from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.parse.encoding import detect_encoding

from curate import schema
from curate.io import fs as cfs

READ_STAGE = "read"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xhtml", "text/xhtml"})
SNIFF_TYPES = frozenset({"", "application/octet-stream", "unknown/unknown", "application/unknown",
                         "binary/octet-stream"})
#: Records that are not documents; tallied per shard, never written as rows.
TALLIED = frozenset(int(t) for t in (
    WarcRecordType.request, WarcRecordType.metadata, WarcRecordType.warcinfo,
    WarcRecordType.conversion, WarcRecordType.continuation, WarcRecordType.unknown))
TYPE_NAMES = {int(getattr(WarcRecordType, n)): n for n in (
    "warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
    "continuation", "unknown")}
#: WHATWG encoding-label aliases that Python's codecs get wrong for the web.
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030",
    "x-gbk": "gb18030", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
    "x-sjis": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "tis-620": "cp874",
    "big5": "big5hkscs", "utf8": "utf-8", "unicode": "utf-8", "iso-8859-9": "cp1254",
    "x-mac-roman": "mac_roman",
}
_SINGLE_BYTE_LATIN = frozenset({"cp1252"})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""", re.I)
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!doctype\s+html|<html|<head|<body|<title|<meta|<!--|<div|<p\b)", re.I)
_DUMP = re.compile(r"CC-MAIN-\d{4}-\d{2}")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = re.compile(rb"(?:^|\n)WARC/\d\.\d+\r?\n")
_MAX_RESYNCS = 64


class WarcReadError(OSError):
    """A WARC file that cannot be read at all; fails its own shard."""


@dataclasses.dataclass
class HttpResponse:
    status: int | None
    headers: dict[str, str]
    body: bytes


def parse_http(block: bytes) -> HttpResponse | None:
    """Split an HTTP response block into status, headers (lower-case keys) and body.

    Accepts ``\\r\\n`` or bare ``\\n`` line ends. Returns None when the block holds no
    HTTP status line.
    """
    if not block.startswith(b"HTTP/"):
        stripped = block.lstrip()
        if not stripped.startswith(b"HTTP/"):
            return None
        block = stripped
    i, j = block.find(b"\r\n\r\n"), block.find(b"\n\n")
    ends = [(x, n) for x, n in ((i, 4), (j, 2)) if x >= 0]
    if ends:
        end, sep = min(ends)
        head, body = block[:end], block[end + sep:]
    else:
        head, body = block, b""
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    parts = lines[0].split(None, 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        k, sep_, v = line.partition(b":")
        if sep_:
            headers[k.strip().decode("latin-1").lower()] = v.strip().decode("latin-1")
    return HttpResponse(status, headers, body)


def decode_body(resp: HttpResponse, limit: int) -> bytes:
    """Undo chunked transfer and gzip/deflate content encoding where the body really is encoded."""
    body = resp.body
    if "chunked" in resp.headers.get("transfer-encoding", "").lower():
        body = _dechunk(body) or body
    enc = resp.headers.get("content-encoding", "").lower().strip()
    if enc in ("gzip", "x-gzip", "deflate"):
        for wbits in (47, -15) if enc == "deflate" else (47,):
            try:
                return zlib.decompressobj(wbits).decompress(body, limit + 1)
            except zlib.error:
                continue
    return body


def _dechunk(body: bytes) -> bytes | None:
    out, pos, n = [], 0, len(body)
    while pos < n:
        eol = body.find(b"\n", pos)
        if eol < 0:
            return None
        size_s = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_s, 16)
        except ValueError:
            return None
        if size == 0:
            return b"".join(out)
        start = eol + 1
        out.append(body[start:start + size])
        pos = start + size
        if body[pos:pos + 2] == b"\r\n":
            pos += 2
        elif body[pos:pos + 1] == b"\n":
            pos += 1
    return b"".join(out)


def content_type(headers: dict[str, str]) -> tuple[str, str | None]:
    """The media type (lower case, no parameters) and the declared charset, if any."""
    raw = headers.get("content-type", "")
    mtype, _, params = raw.partition(";")
    charset = None
    for p in params.split(";"):
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip("\"'") or None
    return mtype.strip().lower(), charset


def looks_like_html(body: bytes) -> bool:
    head = body[:2048]
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return bool(_HTML_START.match(head)) or b"<html" in head.lower()


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for an HTML charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return CHARSET_ALIASES.get(name, name)


def detect_charset(body: bytes, declared: str | None) -> str:
    """Charset from the BOM, then the HTTP header, then the ``<meta>`` tag, then detection.

    One exception to the order: a single-byte Latin declaration (``iso-8859-1``, often a
    server default) on a body that is valid, non-ASCII UTF-8 yields ``utf-8``.
    """
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    for label in (declared, _meta_charset(body)):
        enc = normalize_charset(label)
        if enc is None:
            continue
        if enc in _SINGLE_BYTE_LATIN and _is_utf8(body):
            return "utf-8"
        return enc
    if _is_utf8(body):
        return "utf-8"
    return normalize_charset(detect_encoding(body[:65536])) or "cp1252"


def _meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body, 0, 16384)
    return m.group(1).decode("ascii", "replace") if m else None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_part_of(block: bytes) -> str | None:
    """The ``isPartOf`` field of a warcinfo block (Common Crawl writes the dump id there)."""
    m = re.search(rb"(?m)^isPartOf:\s*(\S+)", block[:8192])
    return m.group(1).decode("utf-8", "replace") if m else None


def dump_of(url: str, default: str = "") -> str:
    """The Common Crawl dump id (``CC-MAIN-2024-22``) found in a WARC path, else ``default``."""
    m = _DUMP.search(url)
    return m.group(0) if m else default


@dataclasses.dataclass
class WarcReader:
    """Reads one WARC file (local or any fsspec URL) into batches of the read columns.

    ``max_html_bytes`` caps a page's HTML (Common Crawl itself truncates at 1 MiB; a page
    over the cap is rejected as ``html_too_large``). ``batch_size`` rows make one batch.
    """

    max_html_bytes: int = 4 * 1024 * 1024
    batch_size: int = 256
    dump: str = ""

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(schema.READ_FIELDS + schema.DROP_FIELDS)

    def read(self, url: str, tally: collections.Counter | None = None) -> Iterator[pa.Table]:
        """Yield batches for ``url``; ``tally`` receives counts of records by type and outcome."""
        tally = tally if tally is not None else collections.Counter()
        dump = dump_of(url, self.dump)
        rows = _Rows()
        for pos, rec, block, err in _records(url, self.max_html_bytes):
            source = f"{url}@{pos}"
            if err is not None:
                tally["corrupt"] += 1
                rows.add(None, None, None, None, dump, source, None, None, f"corrupt_record: {err}")
            else:
                rtype = int(rec.record_type)
                tally[TYPE_NAMES.get(rtype, "unknown")] += 1
                if rtype == int(WarcRecordType.warcinfo) and not dump:
                    dump = _is_part_of(block) or dump
                if rtype in TALLIED:
                    continue
                self._add(rows, rec, block, dump, source)
            if len(rows) >= self.batch_size or rows.nbytes >= 64 << 20:
                yield rows.table(self.schema)
                rows = _Rows()
        if len(rows):
            yield rows.table(self.schema)

    def _add(self, rows: _Rows, rec, block: bytes, dump: str, source: str) -> None:
        url = (rec.headers.get("WARC-Target-URI") or "").strip().strip("<>").strip()
        host = _host(url)
        rid = rec.record_id or rec.headers.get("WARC-Record-ID")
        when = _fetch_time(rec)
        rtype = rec.record_type

        def drop(reason: str) -> None:
            rows.add(rid, url, host, when, dump, source, None, None, reason)

        if rtype == WarcRecordType.revisit:
            return drop("revisit")
        if rtype != WarcRecordType.response:
            return drop(f"record_type:{TYPE_NAMES.get(int(rtype), 'unknown')}")
        if len(block) > self.max_html_bytes + 16384:
            return drop("html_too_large")
        resp = parse_http(block)
        if resp is None:
            return drop("not_http")
        if resp.status != 200:
            return drop(f"http_status:{resp.status}")
        mtype, declared = content_type(resp.headers)
        body = decode_body(resp, self.max_html_bytes)
        if mtype not in HTML_TYPES and not (mtype in SNIFF_TYPES and looks_like_html(body)):
            return drop(f"not_html:{mtype or 'none'}")
        if len(body) > self.max_html_bytes:
            return drop("html_too_large")
        if not body.strip():
            return drop("empty_body")
        rows.add(rid, url, host, when, dump, source, body, detect_charset(body, declared), None)


class _Rows:
    def __init__(self) -> None:
        self.cols: list[list] = [[] for _ in range(9)]
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self.cols[0])

    def add(self, *values) -> None:
        for col, v in zip(self.cols, values):
            col.append(v)
        if values[6] is not None:
            self.nbytes += len(values[6])

    def table(self, sch: pa.Schema) -> pa.Table:
        drop_stage = [READ_STAGE if r is not None else None for r in self.cols[8]]
        arrays = [pa.array(c, type=f.type) for c, f in zip(self.cols, sch)]
        arrays.append(pa.array(drop_stage, type=pa.string()))
        return pa.Table.from_arrays(arrays, schema=sch)


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def _fetch_time(rec) -> dt.datetime | None:
    try:
        when = rec.record_date
    except (ValueError, OSError):
        when = None
    if when is None:
        raw = rec.headers.get("WARC-Date") or ""
        for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%SZ", "%Y%m%d%H%M%S"):
            try:
                when = dt.datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when


def _records(url: str, max_bytes: int) -> Iterator[tuple[int, object, bytes, str | None]]:
    """Yield ``(offset, record, block, None)`` per record, or ``(offset, None, b"", error)``.

    A corrupt record is reported once and reading resumes at the next gzip member (or the
    next ``WARC/`` line in an uncompressed file). A file whose first record cannot be read
    raises :class:`WarcReadError`.
    """
    fs, path = cfs.get_fs(url)
    try:
        f = fs.open(path, "rb")
    except (OSError, ValueError) as e:
        raise WarcReadError(f"{url}: cannot open: {e}") from e
    with f:
        head = f.read(4)
        gz = head[:3] == _GZIP_MAGIC
        _check_format(f, url, gz)
        start, resyncs, total = 0, 0, 0
        # A failure after a good record (reading the next header) is not tied to an offset yet:
        # if reading at the next record start fails too, that record is the corrupt one and is
        # reported once, there; if it reads cleanly, the failure is reported just after the good one.
        pending: tuple[int, str] | None = None
        while True:
            f.seek(start)
            pos = start
            got = 0
            try:
                for rec in ArchiveIterator(f, parse_http=False):
                    pos = rec.stream_pos if rec.stream_pos >= start else start + rec.stream_pos
                    block = rec.reader.read(max_bytes + 16385) if rec.record_type in (
                        WarcRecordType.response, WarcRecordType.resource, WarcRecordType.warcinfo) else b""
                    if pending is not None:
                        yield pending[0], None, b"", pending[1]
                        pending = None
                    got += 1
                    total += 1
                    yield pos, rec, block, None
                if pending is not None:
                    yield pending[0], None, b"", pending[1]
                if total == 0 and start == 0 and f.seek(0, 2) > 0:
                    # bytes, but not one record: garbage that the gzip decoder half-accepted
                    raise WarcReadError(f"{url}: not a WARC file: no WARC record found (at offset 0)")
                return
            except (OSError, ValueError, EOFError, zlib.error) as e:
                if isinstance(e, WarcReadError):
                    raise
                if total == 0 and start == 0:
                    raise WarcReadError(f"{url}: not a readable WARC file: {e} (at offset 0)") from e
                err = f"{type(e).__name__}: {e}"
                if got == 0:  # the record at `start` itself cannot be read
                    yield start, None, b"", err
                    pending, after = None, start + 1
                else:
                    pending, after = (pos + 1, err), pos + 1
            resyncs += 1
            nxt = _next_record(f, after, gz)
            if nxt is None or resyncs > _MAX_RESYNCS:
                if pending is not None:
                    yield pending[0], None, b"", pending[1]
                return
            start = nxt


def _check_format(f, url: str, gz: bool) -> None:
    f.seek(0)
    sample = f.read(1 << 16)
    if gz:
        try:
            sample = zlib.decompressobj(47).decompress(sample, 64)
        except zlib.error as e:
            raise WarcReadError(f"{url}: corrupt gzip at offset 0: {e}") from e
    if sample.lstrip().startswith(b"filedesc://"):
        raise WarcReadError(f"{url}: this is an ARC file (the format before WARC), which curate does not "
                            "read; convert it to WARC first (for example with warcio's ArchiveIterator "
                            "and arc2warc=True)")


def _next_record(f, after: int, gz: bool) -> int | None:
    """Offset of the next gzip member (or ``WARC/`` header line) at or after ``after``."""
    f.seek(after)
    offset = after
    carry = b""
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            return None
        buf = carry + chunk
        base = offset - len(carry)
        if gz:
            i = buf.find(_GZIP_MAGIC)
            if i >= 0:
                return base + i
        else:
            m = _WARC_MAGIC.search(buf)
            if m:
                return base + m.start() + (1 if buf[m.start():m.start() + 1] == b"\n" else 0)
        carry = buf[-16:]
        offset += len(chunk)

