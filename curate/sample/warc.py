"""WARC/1.1 records written by hand, one gzip member each, laid out as Common Crawl does."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import uuid
from datetime import datetime
from email.utils import format_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from .model import Page

USER_AGENT = "CCBot/2.0 (https://commoncrawl.org/faq/)"
Headers = list[tuple[str, str]]


def record_id(kind: str, url: str, date: str) -> str:
    """A stable ``<urn:uuid:…>`` derived from the record type, URL and date."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{kind} {date} {url}')}>"


def sha1_digest(data: bytes) -> str:
    """``sha1:BASE32`` as in WARC-Block-Digest and WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def http_date(date: str) -> str:
    """RFC 7231 date (``Tue, 05 Mar 2024 10:11:12 GMT``) from an ISO ``…Z`` date."""
    return format_datetime(datetime.fromisoformat(date.replace("Z", "+00:00")), usegmt=True)


def ip_address(host: str) -> str:
    """A documentation-range IPv4 address (RFC 5737) that is stable per host."""
    h = hashlib.sha1(host.encode()).digest()
    net = ("192.0.2", "198.51.100", "203.0.113")[h[0] % 3]
    return f"{net}.{1 + h[1] % 254}"


def record(headers: Headers, block: bytes) -> bytes:
    """One gzip member holding one WARC record with an exact Content-Length."""
    fields = [headers[0], headers[1], headers[2], ("Content-Length", str(len(block))), *headers[3:]]
    head = "WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"
    return gzip.compress(head.encode("utf-8") + block + b"\r\n\r\n", compresslevel=9, mtime=0)


def warcinfo(filename: str, date: str, dump: str) -> tuple[str, bytes]:
    """The warcinfo record that opens the file; returns its id and bytes."""
    rid = record_id("warcinfo", filename, date)
    fields = {
        "isPartOf": dump,
        "publisher": "curate (synthetic sample, written by the project)",
        "description": "Deterministic Common-Crawl-style sample for tests and the offline demo",
        "operator": "curate maintainers",
        "software": "curate.sample",
        "robots": "classic",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
    }
    block = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
    headers = [
        ("WARC-Type", "warcinfo"),
        ("WARC-Date", date),
        ("WARC-Record-ID", rid),
        ("Content-Type", "application/warc-fields"),
        ("WARC-Filename", filename),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return rid, record(headers, block)


def request_block(page: Page) -> bytes:
    parts = urlsplit(page.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    accept_lang = "en-US,en;q=0.5" if page.lang == "en" else f"{page.lang},en-US;q=0.7,en;q=0.3"
    lines = [
        f"GET {target} HTTP/1.1",
        f"User-Agent: {USER_AGENT}",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        f"Accept-Language: {accept_lang}",
        "Accept-Encoding: br,gzip",
        f"Host: {parts.hostname}",
        "Connection: Keep-Alive",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def response_head(page: Page) -> bytes:
    """Status line and headers of the HTTP response, ending with the blank line."""
    server = ("nginx", "Apache", "cloudflare", "openresty")[len(urlsplit(page.url).hostname or "") % 4]
    body = page.body()
    lines = [
        f"HTTP/1.1 {page.status} {HTTPStatus(page.status).phrase}",
        f"Date: {http_date(page.date)}",
        f"Server: {server}",
        f"Content-Type: {page.http_content_type()}",
        *(f"{k}: {v}" for k, v in page.headers),
    ]
    if page.is_html and len(body) > 2048:
        lines.append("X-Crawler-Content-Encoding: gzip")
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _common(kind: str, rid: str, page: Page, info_id: str, content_type: str) -> Headers:
    return [
        ("WARC-Type", kind),
        ("WARC-Date", page.date),
        ("WARC-Record-ID", rid),
        ("Content-Type", content_type),
        ("WARC-Warcinfo-ID", info_id),
    ]


def exchange(page: Page, info_id: str) -> list[bytes]:
    """A request record followed by its response record."""
    req_id = record_id("request", page.url, page.date)
    resp_id = record_id("response", page.url, page.date)
    host = urlsplit(page.url).hostname or ""
    req_block = request_block(page)
    request = _common("request", req_id, page, info_id, "application/http; msgtype=request") + [
        ("WARC-Concurrent-To", resp_id),
        ("WARC-IP-Address", ip_address(host)),
        ("WARC-Target-URI", page.url),
        ("WARC-Block-Digest", sha1_digest(req_block)),
    ]
    body = page.body()
    resp_block = response_head(page) + body
    response = _common("response", resp_id, page, info_id, "application/http; msgtype=response") + [
        ("WARC-Concurrent-To", req_id),
        ("WARC-IP-Address", ip_address(host)),
        ("WARC-Target-URI", page.url),
        ("WARC-Payload-Digest", sha1_digest(body)),
        ("WARC-Block-Digest", sha1_digest(resp_block)),
        ("WARC-Identified-Payload-Type", page.content_type),
    ]
    return [record(request, req_block), record(response, resp_block)]


def metadata(page: Page, info_id: str, fetch_ms: int) -> bytes:
    """A Common-Crawl-style metadata record describing the response before it."""
    rid = record_id("metadata", page.url, page.date)
    fields = [f"fetchTimeMs: {fetch_ms}"]
    if page.is_html:
        cld2 = json.dumps({"reliable": True, "languages": [{"code": page.lang, "text-covered": 0.97}]},
                          separators=(",", ":"))
        fields += [f"charset-detected: {page.encoding.upper()}", f"languages-cld2: {cld2}"]
    block = ("\r\n".join(fields) + "\r\n").encode("ascii")
    headers = _common("metadata", rid, page, info_id, "application/warc-fields") + [
        ("WARC-Concurrent-To", record_id("response", page.url, page.date)),
        ("WARC-Target-URI", page.url),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return record(headers, block)


def revisit(page: Page, original: Page, info_id: str) -> list[bytes]:
    """A request plus an identical-payload-digest revisit of ``original``'s response."""
    req_id = record_id("request", page.url, page.date)
    rid = record_id("revisit", page.url, page.date)
    host = urlsplit(page.url).hostname or ""
    req_block = request_block(page)
    request = _common("request", req_id, page, info_id, "application/http; msgtype=request") + [
        ("WARC-Concurrent-To", rid),
        ("WARC-IP-Address", ip_address(host)),
        ("WARC-Target-URI", page.url),
        ("WARC-Block-Digest", sha1_digest(req_block)),
    ]
    block = response_head(original.at(page.date))
    headers = _common("revisit", rid, page, info_id, "application/http; msgtype=response") + [
        ("WARC-Concurrent-To", req_id),
        ("WARC-IP-Address", ip_address(host)),
        ("WARC-Target-URI", page.url),
        ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
        ("WARC-Refers-To", record_id("response", original.url, original.date)),
        ("WARC-Refers-To-Target-URI", original.url),
        ("WARC-Refers-To-Date", original.date),
        ("WARC-Payload-Digest", sha1_digest(original.body())),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return [record(request, req_block), record(headers, block)]
