"""The embedded sample WARC: deterministic, readable by fastwarc and warcio, and as varied as promised."""
from __future__ import annotations

import html
import pathlib
import re
import subprocess
import sys
from collections import Counter

import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType
from warcio.archiveiterator import ArchiveIterator as WarcioIterator

from curate.sample import SAMPLE_DUMP, build_sample, code_snippets
from curate.sample.catalog import sample
from curate.sample.highlight import highlight

LANGS = {"en", "de", "fr", "es", "pl", "zh", "ja", "ru"}


@pytest.fixture(scope="module")
def warc_path(tmp_path_factory) -> pathlib.Path:
    return build_sample(tmp_path_factory.mktemp("sample") / "sample.warc.gz")


@pytest.fixture(scope="module")
def records(warc_path) -> list[dict]:
    """Every record as read by fastwarc with HTTP parsing."""
    out = []
    for r in ArchiveIterator(str(warc_path), parse_http=True):
        rec = {"type": str(r.record_type), "id": r.record_id, "uri": r.headers.get("WARC-Target-URI"),
               "date": r.headers.get("WARC-Date"), "concurrent": r.headers.get("WARC-Concurrent-To"),
               "digest": r.headers.get("WARC-Payload-Digest"), "status": None, "ctype": None, "body": b""}
        if r.http_headers is not None:
            rec["status"] = r.http_headers.status_code
            rec["ctype"] = r.http_headers.get("Content-Type")
        rec["body"] = r.reader.read()
        out.append(rec)
    return out


def _responses(records: list[dict]) -> list[dict]:
    return [r for r in records if r["type"] == "response"]


def _html_docs(records: list[dict]) -> list[dict]:
    return [r for r in _responses(records) if r["status"] == 200 and r["ctype"].startswith("text/html")]


def test_same_bytes_every_time(tmp_path, warc_path):
    again = build_sample(tmp_path / "nested" / "other-name.warc.gz")
    assert isinstance(again, pathlib.Path) and again.exists()
    assert again.read_bytes() == warc_path.read_bytes()


def test_size_and_gzip_members(warc_path):
    data = warc_path.read_bytes()
    assert data[:2] == b"\x1f\x8b"
    assert 200_000 < len(data) < 2_000_000
    assert data.count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00") >= 300


def test_record_counts(records):
    types = Counter(r["type"] for r in records)
    assert records[0]["type"] == "warcinfo" and types["warcinfo"] == 1
    assert types["request"] == types["response"] + types["revisit"]
    assert types["revisit"] == 1
    assert 3 <= types["metadata"] <= 30
    assert 150 <= len(_html_docs(records)) <= 250
    statuses = Counter(r["status"] for r in _responses(records))
    assert statuses[404] == 1 and statuses[301] == 1 and statuses[302] == 1
    ctypes = {r["ctype"].split(";")[0] for r in _responses(records)}
    assert {"image/png", "application/javascript", "text/html"} <= ctypes
    sizes = sorted(len(r["body"]) for r in _html_docs(records))
    assert sizes[-1] > 3_000_000 and sizes[-2] < 1_000_000


def test_warcinfo_names_the_dump(records):
    assert f"isPartOf: {SAMPLE_DUMP}".encode() in records[0]["body"]


def test_every_response_follows_its_request(records):
    for prev, rec in zip(records, records[1:]):
        if rec["type"] in ("response", "revisit"):
            assert prev["type"] == "request"
            assert prev["uri"] == rec["uri"] and prev["concurrent"] == rec["id"] and rec["concurrent"] == prev["id"]


def test_record_ids_unique(records):
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", i) for i in ids)
    assert all(r["date"].startswith("2024-") and r["date"].endswith("Z") for r in records)


def test_fastwarc_digests_verify(warc_path):
    everything = sum(1 for _ in ArchiveIterator(str(warc_path), parse_http=False))
    verified = sum(1 for _ in ArchiveIterator(str(warc_path), parse_http=False, verify_digests=True))
    assert verified == everything
    for r in ArchiveIterator(str(warc_path), parse_http=True, record_types=WarcRecordType.response):
        assert r.verify_payload_digest(), r.headers.get("WARC-Target-URI")


def test_warcio_reads_every_record(warc_path, records):
    seen = Counter()
    with open(warc_path, "rb") as fh:
        for r in WarcioIterator(fh, check_digests="raise"):
            r.content_stream().read()
            seen[r.rec_type] += 1
            if r.rec_type == "response":
                assert r.http_headers.get_statuscode() in {"200", "301", "302", "404"}
    assert sum(seen.values()) == len(records)
    assert seen["response"] == len(_responses(records))


def test_languages_present():
    langs = Counter(p.lang for p in sample().pages if p.is_html and p.status == 200)
    assert LANGS <= set(langs)
    assert all(langs[lang] >= 3 for lang in LANGS)


def test_charsets_declared_everywhere_and_nowhere(records):
    by_url = {(r["uri"], r["date"]): r for r in _responses(records)}
    seen = Counter()
    for page in sample().pages:
        if not page.is_html or page.status != 200:
            continue
        rec = by_url[(page.url, page.date)]
        head = rec["body"][:600].lower()
        in_header = "charset=" in rec["ctype"].lower()
        assert in_header == (page.declared in ("header", "both")), page.url
        assert (b"<meta charset=" in head) == (page.declared in ("meta", "both")), page.url
        assert (b"http-equiv" in head) == (page.declared == "http-equiv"), page.url
        if page.title:
            assert page.title.split()[0] in rec["body"].decode(page.encoding), page.url
        if page.encoding != "utf-8":
            with pytest.raises(UnicodeDecodeError):
                rec["body"].decode("utf-8")
        seen[(page.declared, page.encoding != "utf-8")] += 1
    assert seen[("header", False)] and seen[("meta", False)] and seen[("none", False)]
    assert seen[("none", True)] >= 5 and seen[("meta", True)] >= 2 and seen[("header", True)] >= 1
    legacy = {p.encoding for p in sample().pages if p.declared == "none" and p.encoding != "utf-8"}
    assert {"windows-1252", "shift_jis", "gbk"} <= legacy


def test_duplicates(records):
    responses = _responses(records)
    digests = {}
    for r in responses:
        digests.setdefault(r["digest"], set()).add(r["uri"])
    assert sum(len(urls) > 1 for urls in digests.values()) >= 5
    pages = sample().pages
    dups = Counter(p.dup for p in pages)
    assert dups["exact"] >= 4 and dups["near"] >= 4 and dups["refetch"] >= 2 and dups["tracking"] >= 2
    uris = [r["uri"] for r in responses]
    assert any("utm_source=" in u for u in uris)
    for p in pages:
        if p.dup in ("exact", "tracking"):
            assert p.url != p.dup_of
            assert any(p.url in urls and p.dup_of in urls for urls in digests.values()), p.url
        if p.dup == "refetch":
            fetches = [r for r in responses if r["uri"] == p.url]
            assert len(fetches) == 2 and fetches[0]["date"] > fetches[1]["date"], "newest fetch comes first"
            assert fetches[0]["digest"] != fetches[1]["digest"]


def test_revisit_points_at_an_earlier_response(records):
    (revisit,) = [r for r in records if r["type"] == "revisit"]
    original = next(r for r in _responses(records) if r["uri"] == revisit["uri"])
    assert revisit["digest"] == original["digest"] and revisit["date"] > original["date"]


def test_math_notations_present(records):
    blob = b"\n".join(r["body"] for r in _html_docs(records) if len(r["body"]) < 1_000_000)
    for marker in (b'<script type="math/tex">', b'<script type="math/tex; mode=display">', b"\\(", b"$$",
                   b'<annotation encoding="application/x-tex">', b'class="katex"', b"latex.codecogs.com",
                   b'alt="\\frac', b"<mjx-container", b'class="math-container"'):
        assert marker in blob, marker
    bare = [r for r in _html_docs(records) if b"<math" in r["body"] and b"<annotation" not in r["body"]]
    assert bare, "a page with MathML and no TeX annotation"


@pytest.mark.parametrize("name,lang", [
    ("CSV_READ", "python"), ("GEN_PIPELINE", "python"), ("DEBOUNCE", "javascript"), ("FETCH_JSON", "javascript"),
    ("READ_LINES_C", "c"), ("BITS_C", "c"), ("BACKUP_SH", "bash"),
])
def test_highlighting_keeps_code_verbatim(name, lang):
    code = getattr(code_snippets, name)
    marked = highlight(code, lang)
    assert "<span" in marked
    assert html.unescape(re.sub(r"<[^>]+>", "", marked)) == code


def test_code_markup_present(records):
    blob = b"\n".join(r["body"] for r in _html_docs(records) if len(r["body"]) < 1_000_000)
    for marker in (b"<pre><code", b'class="highlighttable"', b'class="linenos"', b'data-line-number="1"',
                   b'<span class="k">def</span>', b"\n\t$(CC)"):
        assert marker in blob, marker


def test_pii_present(records):
    blob = b"\n".join(r["body"] for r in _html_docs(records) if len(r["body"]) < 1_000_000)
    for marker in (b"4111 1111 1111 1111", b"DE89 3704 0044 0532 0130 00", b"078-05-1120", b"jane.doe@example.com",
                   b"(555) 010-2233", b"+44 20 7946 0958", b"2001:4860:4860::8888", b"8.8.8.8"):
        assert marker in blob, marker


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def _iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def test_pii_fixtures_are_what_they_claim():
    from curate.sample.pii import CARDS, IBANS
    for label, number in CARDS:
        assert _luhn(number) == (label != "fails Luhn"), number
    for label, iban in IBANS:
        assert _iban_ok(iban) == (label != "bad checksum"), iban


def test_trafilatura_extracts_articles():
    trafilatura = pytest.importorskip("trafilatura")
    articles = [p for p in sample().pages if p.kind == "article"]
    assert len(articles) >= 60
    for page in articles:
        text = trafilatura.extract(page.body(), url=page.url) or ""
        assert len(text) > 100, page.url


def test_cli(tmp_path):
    root = pathlib.Path(__file__).resolve().parents[1]
    helped = subprocess.run([sys.executable, "-m", "curate.sample", "--help"], cwd=root, capture_output=True, text=True)
    assert helped.returncode == 0 and "OUT" in helped.stdout.upper()
    out = tmp_path / "cli.warc.gz"
    done = subprocess.run([sys.executable, "-m", "curate.sample", str(out)], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 200_000


def test_package_source_is_small():
    src = pathlib.Path(__file__).resolve().parents[1] / "curate" / "sample"
    assert sum(f.stat().st_size for f in src.glob("*.py")) < 600_000
