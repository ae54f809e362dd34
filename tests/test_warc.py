"""curate.io.warc: HTTP parsing, body decoding, charsets, and WARC files into read rows."""

from __future__ import annotations

import codecs
import gzip
import zlib

import pyarrow as pa
import pytest
from conftest import BOILERPLATE_HTML, Rec, article_html, articles, http_block, warc_bytes

from curate import schema
from curate.io import warc
from curate.io.warc import WarcReader, WarcReadError, decode_body, detect_charset, parse_http

RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей же чаю. Широкая электрификация южных губерний."
JAPANESE = "日本語のテキストです。これはテストのための文章であり、ひらがなとカタカナを含みます。東京の天気は晴れ。"


def read_all(path, **kw) -> pa.Table:
    return pa.concat_tables(list(WarcReader(**kw).read(str(path))))


def rows_by_url(table: pa.Table) -> dict[str, dict]:
    return {r["url"]: r for r in table.to_pylist() if r["url"]}


def page(text: str, meta: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


# --------------------------------------------------------------------------- parse_http


def test_parse_http_crlf():
    resp = parse_http(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Thing:  a:b \r\n\r\n<html>x</html>")
    assert resp.status == 200
    assert resp.headers == {"content-type": "text/html", "x-thing": "a:b"}
    assert resp.body == b"<html>x</html>"


def test_parse_http_bare_newlines():
    """ClueWeb09-style blocks end header lines with a bare \\n."""
    resp = parse_http(b"HTTP/1.0 200 OK\nContent-Type: text/html; charset=EUC-JP\nServer: x\n\n<html>\r\n\r\nbody</html>")
    assert resp.status == 200
    assert resp.headers["content-type"] == "text/html; charset=EUC-JP"
    assert resp.headers["server"] == "x"
    assert resp.body == b"<html>\r\n\r\nbody</html>"


def test_parse_http_first_blank_line_ends_headers():
    # the body holds \r\n\r\n before the \n\n that ends the headers would be found: the earliest wins
    resp = parse_http(b"HTTP/1.1 404 Not Found\nA: 1\n\nline\r\n\r\nmore")
    assert resp.status == 404
    assert resp.headers == {"a": "1"}
    assert resp.body == b"line\r\n\r\nmore"


def test_parse_http_not_http():
    assert parse_http(b"<html>no status line</html>") is None
    assert parse_http(b"") is None
    resp = parse_http(b"\r\n  HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n")
    assert resp.status == 301 and resp.headers["location"] == "/x" and resp.body == b""


def test_parse_http_garbage_status():
    resp = parse_http(b"HTTP/1.1 abc\r\n\r\nbody")
    assert resp.status is None and resp.body == b"body"


# --------------------------------------------------------------------------- decode_body


def chunked(*parts: bytes) -> bytes:
    return b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts) + b"0\r\n\r\n"


def test_chunked_valid():
    body = chunked(b"<html><body>", b"Hello, ", b"chunked world</body></html>")
    resp = parse_http(http_block(body, headers={"Transfer-Encoding": "chunked"}, content_length=False))
    assert decode_body(resp, 1 << 20) == b"<html><body>Hello, chunked world</body></html>"


def test_chunked_with_extensions_and_bare_newlines():
    body = b"5;ext=1\nHello\n6\n world\n0\n\n"
    resp = warc.HttpResponse(200, {"transfer-encoding": "chunked"}, body)
    assert decode_body(resp, 1 << 20) == b"Hello world"


def test_chunked_broken_keeps_raw_body():
    """A body that claims chunked encoding but is not chunked is kept as stored."""
    raw = b"<html><body>not really chunked</body></html>"
    resp = warc.HttpResponse(200, {"transfer-encoding": "chunked"}, raw)
    assert decode_body(resp, 1 << 20) == raw
    # a size line with no line end after it
    resp = warc.HttpResponse(200, {"transfer-encoding": "chunked"}, b"5\r\nHello\r\nff")
    assert decode_body(resp, 1 << 20) == b"5\r\nHello\r\nff"


def test_gzip_really_gzipped():
    html = page("gzipped body").encode()
    resp = warc.HttpResponse(200, {"content-encoding": "gzip"}, gzip.compress(html))
    assert decode_body(resp, 1 << 20) == html


def test_deflate_raw_and_zlib():
    html = page("deflated body").encode()
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = raw_deflate.compress(html) + raw_deflate.flush()
    for body in (zlib.compress(html), raw):
        assert decode_body(warc.HttpResponse(200, {"content-encoding": "deflate"}, body), 1 << 20) == html


def test_gzip_header_but_stored_decoded():
    """Crawlers often store the payload decoded while keeping Content-Encoding: gzip."""
    html = page("stored decoded").encode()
    resp = warc.HttpResponse(200, {"content-encoding": "gzip"}, html)
    assert decode_body(resp, 1 << 20) == html


def test_gzip_inside_chunked():
    html = page("both encodings").encode()
    gz = gzip.compress(html)
    body = chunked(gz[:10], gz[10:])
    resp = warc.HttpResponse(200, {"transfer-encoding": "chunked", "content-encoding": "gzip"}, body)
    assert decode_body(resp, 1 << 20) == html


def test_gzip_decoding_is_capped():
    big = b"<html>" + b"a" * 100_000 + b"</html>"
    resp = warc.HttpResponse(200, {"content-encoding": "gzip"}, gzip.compress(big))
    out = decode_body(resp, 1000)
    assert len(out) == 1001 and big.startswith(out)


# --------------------------------------------------------------------------- content types, charsets


def test_content_type():
    assert warc.content_type({"content-type": 'Text/HTML; Charset="ISO-8859-1"'}) == ("text/html", "ISO-8859-1")
    assert warc.content_type({"content-type": "text/html"}) == ("text/html", None)
    assert warc.content_type({}) == ("", None)


def test_looks_like_html():
    assert warc.looks_like_html(b"\xef\xbb\xbf  <!DOCTYPE html><html>")
    assert warc.looks_like_html(b"<?xml version='1.0'?>\n<html xmlns='x'>")
    assert warc.looks_like_html(b"<HEAD><TITLE>x</TITLE>")
    assert not warc.looks_like_html(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert not warc.looks_like_html(b'{"json": true}')


def test_charset_header_wins_over_meta():
    body = page(RUSSIAN, '<meta charset="koi8-r">').encode("cp1251")
    assert body.decode(detect_charset(body, "windows-1251")) == page(RUSSIAN, '<meta charset="koi8-r">')


def test_charset_meta_when_no_header():
    html = page(RUSSIAN, '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">')
    body = html.encode("koi8_r")
    assert codecs.lookup(detect_charset(body, None)).name == "koi8-r"
    assert body.decode(detect_charset(body, None)) == html


def test_charset_unknown_label_falls_through_to_meta():
    html = page(RUSSIAN, '<meta charset="windows-1251">')
    body = html.encode("cp1251")
    assert body.decode(detect_charset(body, "x-no-such-charset")) == html


def test_charset_utf8_overrides_latin1_label():
    html = page("Crème brûlée, naïve café — déjà vu")
    assert detect_charset(html.encode("utf-8"), "iso-8859-1") == "utf-8"
    # a real latin-1 body keeps its label, read as windows-1252 (the WHATWG rule)
    assert detect_charset(html.replace("—", "-").encode("latin-1"), "ISO-8859-1") == "cp1252"
    # the override is only for single-byte Latin labels: a declared cp1251 stays cp1251
    assert detect_charset(html.encode("utf-8"), "windows-1251") == "cp1251"


def test_charset_bom():
    assert detect_charset(b"\xef\xbb\xbf<html>", "iso-8859-1") == "utf-8"
    assert detect_charset("<html>x</html>".encode("utf-16"), None) == "utf-16"


@pytest.mark.parametrize("text,codec", [(RUSSIAN * 3, "cp1251"), (JAPANESE * 3, "shift_jis"),
                                        (JAPANESE * 3, "euc_jp")])
def test_charset_detected_without_declaration(text, codec):
    html = page(text)
    body = html.encode(codec)
    assert not warc._is_utf8(body)
    enc = detect_charset(body, None)
    assert body.decode(enc) == html


def test_charset_aliases():
    assert warc.normalize_charset("Shift_JIS") == "cp932"
    assert warc.normalize_charset("GB2312") == "gb18030"
    assert warc.normalize_charset(" 'utf8' ") == "utf-8"
    assert warc.normalize_charset("no-such") is None
    assert warc.normalize_charset(None) is None


def test_dump_of():
    assert warc.dump_of("s3://commoncrawl/crawl-data/CC-MAIN-2024-22/segments/x.warc.gz") == "CC-MAIN-2024-22"
    assert warc.dump_of("/data/local.warc.gz", "mine") == "mine"


# --------------------------------------------------------------------------- reading files


def test_read_documents(make_warc):
    recs = articles(5, "https://www.example.com/a")
    path = make_warc("CC-MAIN-2024-22-x.warc.gz", recs)
    tally = __import__("collections").Counter()
    table = pa.concat_tables(list(WarcReader().read(str(path), tally)))
    assert table.schema.names == [f.name for f in schema.READ_FIELDS + schema.DROP_FIELDS]
    assert table.num_rows == 5
    assert table.column("id").to_pylist() == [r.id() for r in recs]
    assert table.column("url").to_pylist() == [r.url for r in recs]
    assert set(table.column("host").to_pylist()) == {"www.example.com"}
    assert set(table.column("dump").to_pylist()) == {"CC-MAIN-2024-22"}
    assert table.column("drop_reason").null_count == 5
    assert [h.decode() for h in table.column("html").to_pylist()] == [r.body for r in recs]
    assert table.column("fetch_time")[0].as_py().isoformat() == "2024-05-20T10:00:00+00:00"
    assert tally["response"] == 5 and tally["request"] == 5 and tally["warcinfo"] == 1


def test_source_offsets_point_at_records(make_warc):
    """``source`` is file@offset, and the offset is where the record's gzip member starts."""
    recs = articles(4)
    path = make_warc("offsets.warc.gz", recs)
    table = read_all(path)
    data = path.read_bytes()
    for row in table.to_pylist():
        name, _, off = row["source"].rpartition("@")
        assert name == str(path)
        member = zlib.decompressobj(31).decompress(data[int(off):])
        assert member.startswith(b"WARC/1.1\r\nWARC-Type: response")
        assert row["id"].encode() in member[:500]


def test_uncompressed_warc(make_warc):
    recs = articles(3)
    path = make_warc("plain.warc", recs, gz=False)
    table = read_all(path)
    assert table.column("id").to_pylist() == [r.id() for r in recs]
    data = path.read_bytes()
    for row in table.to_pylist():
        off = int(row["source"].rpartition("@")[2])
        assert data[off:off + 30].startswith(b"WARC/1.1\r\nWARC-Type: response")


def test_rejections_with_reasons(make_warc):
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    recs = [
        Rec("https://x.org/ok", page("fine")),
        Rec("https://x.org/json", '{"a": 1}', content_type="application/json"),
        Rec("https://x.org/logo.png", png, content_type="image/png"),
        Rec("https://x.org/style.css", "body{}", content_type="text/css"),
        Rec("https://x.org/missing", page("gone"), status=404),
        Rec("https://x.org/moved", b"", status=301, headers={"Location": "/ok"}),
        Rec("https://x.org/ok", b"", type="revisit", record_id="<urn:uuid:revisit-1>"),
        Rec("https://x.org/file.html", page("a resource record"), type="resource"),
        Rec("https://x.org/sniffed", page("no content type"), content_type=None),
        Rec("https://x.org/octet", page("octet stream"), content_type="application/octet-stream"),
        Rec("https://x.org/binary", png, content_type=None),
        Rec("https://x.org/empty", b"   \n"),
        Rec("https://x.org/nohttp", block=b"<html>not an http block</html>"),
    ]
    path = make_warc("mixed.warc.gz", recs)
    table = read_all(path)
    got = {r["url"]: r["drop_reason"] for r in table.to_pylist() if r["url"] != "https://x.org/ok"}
    assert got == {
        "https://x.org/json": "not_html:application/json",
        "https://x.org/logo.png": "not_html:image/png",
        "https://x.org/style.css": "not_html:text/css",
        "https://x.org/missing": "http_status:404",
        "https://x.org/moved": "http_status:301",
        "https://x.org/file.html": "record_type:resource",
        "https://x.org/sniffed": None,
        "https://x.org/octet": None,
        "https://x.org/binary": "not_html:none",
        "https://x.org/empty": "empty_body",
        "https://x.org/nohttp": "not_http",
    }
    ok = [r for r in table.to_pylist() if r["url"] == "https://x.org/ok"]
    assert sorted(r["drop_reason"] or "" for r in ok) == ["", "revisit"]
    for r in table.to_pylist():
        assert (r["drop_stage"] == "read") == (r["drop_reason"] is not None)
        assert (r["html"] is None) == (r["drop_reason"] is not None)
        assert r["id"] and r["source"].startswith(f"{path}@")


def test_bare_newline_http_block_is_read(make_warc):
    html = page(JAPANESE, '<meta http-equiv="content-type" content="text/html; charset=EUC-JP">')
    block = http_block(html.encode("euc_jp"), content_type="text/html", newline=b"\n")
    table = read_all(make_warc("lf.warc.gz", [Rec("http://jp.example/", block=block)]))
    row = table.to_pylist()[0]
    assert row["drop_reason"] is None
    assert codecs.lookup(row["charset"]).name == "euc_jp"
    assert row["html"].decode(row["charset"]) == html


def test_reader_decodes_chunked_and_gzip(make_warc):
    html = page("decoded by the reader").encode()
    recs = [
        Rec("https://e.org/chunked", block=http_block(chunked(html[:20], html[20:]), content_length=False,
                                                       headers={"Transfer-Encoding": "chunked"})),
        Rec("https://e.org/gzip", block=http_block(gzip.compress(html), headers={"Content-Encoding": "gzip"})),
        Rec("https://e.org/gzip-lie", block=http_block(html, headers={"Content-Encoding": "gzip"})),
        Rec("https://e.org/chunked-lie", block=http_block(html, headers={"Transfer-Encoding": "chunked"})),
    ]
    rows = rows_by_url(read_all(make_warc("enc.warc.gz", recs)))
    for url in ("https://e.org/chunked", "https://e.org/gzip", "https://e.org/gzip-lie", "https://e.org/chunked-lie"):
        assert rows[url]["drop_reason"] is None, url
        assert rows[url]["html"] == html, url


def test_charset_column(make_warc):
    recs = [
        Rec("https://ru.example/", page(RUSSIAN * 3).encode("cp1251"), content_type="text/html"),
        Rec("https://jp.example/", page(JAPANESE * 3).encode("shift_jis"), content_type="text/html"),
        Rec("https://fr.example/", page("Crème brûlée déjà vu").encode("utf-8"),
            content_type="text/html; charset=iso-8859-1"),
    ]
    rows = rows_by_url(read_all(make_warc("cs.warc.gz", recs)))
    assert rows["https://ru.example/"]["html"].decode(rows["https://ru.example/"]["charset"]) == page(RUSSIAN * 3)
    assert rows["https://jp.example/"]["html"].decode(rows["https://jp.example/"]["charset"]) == page(JAPANESE * 3)
    assert rows["https://fr.example/"]["charset"] == "utf-8"


def test_html_too_large(make_warc):
    small = page("small")
    big = article_html(1, paragraphs=40)
    gz_bomb = b"<html><body>" + b"<p>x</p>" * 5000 + b"</body></html>"
    recs = [Rec("https://s.org/small", small), Rec("https://s.org/big", big),
            Rec("https://s.org/gz", block=http_block(gzip.compress(gz_bomb), headers={"Content-Encoding": "gzip"}))]
    assert len(small) < 2000 < len(big) and len(gzip.compress(gz_bomb)) < 2000 < len(gz_bomb)
    rows = rows_by_url(read_all(make_warc("big.warc.gz", recs), max_html_bytes=2000))
    assert rows["https://s.org/small"]["drop_reason"] is None
    assert rows["https://s.org/big"]["drop_reason"] == "html_too_large"
    assert rows["https://s.org/gz"]["drop_reason"] == "html_too_large"
    # the same file with the default cap keeps all three
    rows = rows_by_url(read_all(make_warc("big2.warc.gz", recs)))
    assert all(r["drop_reason"] is None for r in rows.values())


def test_batches(make_warc):
    path = make_warc("b.warc.gz", articles(7))
    batches = list(WarcReader(batch_size=3).read(str(path)))
    assert [b.num_rows for b in batches] == [3, 3, 1]


def test_corrupt_member_is_one_rejected_row(tmp_path):
    """A corrupt gzip member becomes exactly one row at its own offset; reading goes on after it."""
    recs = articles(5)
    members = [gzip.compress(r, mtime=0) for r in warc_bytes(recs)]
    # members: warcinfo, then (request, response) per article; break the response of article 2
    bad_index = 1 + 2 * 2 + 1
    broken = bytearray(members[bad_index])
    for k in range(20, min(80, len(broken) - 10)):
        broken[k] ^= 0xA5
    members[bad_index] = bytes(broken)
    bad_offset = sum(len(m) for m in members[:bad_index])
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(b"".join(members))
    tally = __import__("collections").Counter()
    table = pa.concat_tables(list(WarcReader().read(str(path), tally)))
    corrupt = [r for r in table.to_pylist() if (r["drop_reason"] or "").startswith("corrupt_record")]
    assert len(corrupt) == 1 and tally["corrupt"] == 1
    assert corrupt[0]["source"] == f"{path}@{bad_offset}"
    assert corrupt[0]["drop_stage"] == "read"
    kept = [r["id"] for r in table.to_pylist() if r["drop_reason"] is None]
    assert kept == [r.id() for i, r in enumerate(recs) if i != 2]


def test_truncated_file_does_not_raise(tmp_path):
    recs = articles(4)
    data = b"".join(gzip.compress(r, mtime=0) for r in warc_bytes(recs))
    path = tmp_path / "trunc.warc.gz"
    path.write_bytes(data[: len(data) - 400])
    table = read_all(path)
    ids = table.column("id").to_pylist()
    assert ids[:3] == [r.id() for r in recs[:3]]


def test_garbage_between_records_is_skipped(tmp_path):
    recs = articles(3)
    raw = warc_bytes(recs, warcinfo=False)
    path = tmp_path / "garbage.warc"
    path.write_bytes(raw[0] + raw[1] + b"this is not a WARC record\r\n\r\n" + b"".join(raw[2:]))
    table = read_all(path)
    good = [r["id"] for r in table.to_pylist() if r["drop_reason"] is None]
    assert good == [r.id() for r in recs]
    corrupt = [r for r in table.to_pylist() if r["drop_reason"] and r["drop_reason"].startswith("corrupt")]
    assert len(corrupt) == 1 and corrupt[0]["source"].startswith(f"{path}@")


def test_not_a_warc_raises(tmp_path):
    path = tmp_path / "notes.warc.gz"
    path.write_bytes(gzip.compress(b"just some text\n" * 50))
    with pytest.raises(WarcReadError, match="not a readable WARC"):
        read_all(path)
    bad_gz = tmp_path / "bad.warc.gz"
    bad_gz.write_bytes(b"\x1f\x8b\x08" + bytes(range(256)) * 4)
    with pytest.raises(WarcReadError):
        read_all(bad_gz)
    with pytest.raises(WarcReadError, match="cannot open"):
        read_all(tmp_path / "absent.warc.gz")


def test_arc_file_raises_clear_error(tmp_path):
    arc = (b"filedesc://example.arc 0.0.0.0 20140216050221 text/plain 75\n"
           b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n\n")
    path = tmp_path / "old.arc.gz"
    path.write_bytes(gzip.compress(arc))
    with pytest.raises(WarcReadError, match="ARC file"):
        read_all(path)


def test_boilerplate_page_is_a_document_for_the_reader(make_warc):
    """The reader does not judge content: a page with no main text is still a document."""
    table = read_all(make_warc("bp.warc.gz", [Rec("https://b.org/", BOILERPLATE_HTML)]))
    assert table.column("drop_reason").to_pylist() == [None]


def test_garbage_that_gzip_half_accepts_fails_clearly(tmp_path):
    """Random bytes behind a gzip magic: some decode partly without a zlib error; none may pass as a WARC."""
    import collections
    import random

    for seed in range(60):
        p = tmp_path / f"g{seed}.warc.gz"
        p.write_bytes(b"\x1f\x8b\x08" + random.Random(seed).randbytes(300))
        with pytest.raises(WarcReadError, match="not a|corrupt gzip"):
            list(WarcReader().read(str(p), collections.Counter()))
