"""Responses a text pipeline must skip or cap: errors, redirects, images, scripts and an oversized page."""
from __future__ import annotations

import struct
import zlib

from .model import Page
from .sites_en import NORTHFIELD, RIVERBEND

LARGE_PAGE_BYTES = 4_600_000


def png(width: int = 16, height: int = 16) -> bytes:
    """A small valid RGB PNG (a diagonal gradient)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 16 % 256, y * 16 % 256, 160)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


SCRIPT = b"""(function () {
  "use strict";
  var banner = document.getElementById("cookie-consent");
  if (banner && localStorage.getItem("consent") === "yes") {
    banner.style.display = "none";
  }
  document.addEventListener("click", function (event) {
    if (event.target.matches(".cookie-banner .accept")) {
      localStorage.setItem("consent", "yes");
      banner.style.display = "none";
    }
  });
})();
"""


def large_page() -> Page:
    """A 4.6 MB build log on one page, over a 3 MB or a 4 MiB cap; it repeats, so it compresses well."""
    steps = ("compiling", "linking", "running tests", "packaging", "uploading artifacts")
    lines = []
    size = 0
    n = 0
    while size < LARGE_PAGE_BYTES:
        m = n % 300
        line = f"[12:{m // 60:02d}:{m % 60:02d}] worker-{m % 4} {steps[m % 5]}: ok (step {m:03d})\n"
        lines.append(line)
        size += len(line)
        n += 1
    html = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>Build #20931 full log</title>\n</head>\n<body>\n"
        "<h1>Build #20931: full log</h1>\n<pre>" + "".join(lines) + "</pre>\n</body>\n</html>\n"
    )
    return Page("https://ci.tinkerbench.example/builds/20931/log/full", html, kind="large", declared="header")


def special_pages(redirect_target: str) -> list[Page]:
    """Non-document responses: a 404, a 301, a 302 to ``redirect_target``, an image, a script, the oversized page."""
    not_found = (
        "<!DOCTYPE html>\n<html>\n<head>\n<title>404 Not Found</title>\n</head>\n<body>\n<h1>Page not found</h1>\n"
        "<p>Sorry, the page you were looking for does not exist or has been moved.</p>\n"
        '<p><a href="/">Return to the homepage</a></p>\n</body>\n</html>\n'
    )
    moved = (
        "<html><head><title>301 Moved Permanently</title></head><body><h1>Moved Permanently</h1>"
        '<p>The document has moved <a href="https://www.riverbend-gazette.example/">here</a>.</p></body></html>\n'
    )
    return [
        Page(RIVERBEND.url("/local/2023/11/council-tax-freeze-explained"), not_found, kind="error", status=404),
        Page("http://riverbend-gazette.example/", moved, kind="redirect", status=301,
             headers=(("Location", "https://www.riverbend-gazette.example/"),)),
        Page(NORTHFIELD.url("/go?id=10993&src=rss"), "", kind="redirect", status=302,
             headers=(("Location", redirect_target),), raw=b"",
             content_type="text/html"),
        Page(RIVERBEND.url("/static/logo.png"), kind="image", content_type="image/png", raw=png()),
        Page(RIVERBEND.url("/static/consent.js"), kind="script", content_type="application/javascript", raw=SCRIPT),
        large_page(),
    ]
