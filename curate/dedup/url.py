"""URL normalization for URL-level dedup: which fetches count as the same page.

Llama 3 (section 3.1.1, "De-duplication") keeps "the most recent version for pages
corresponding to each URL". Common Crawl refetches a page under spellings that differ
only in form, so the key is a normalized URL. The rules, in order:

1. Scheme: ``http`` and ``https`` are the same page (sites move to https and keep paths;
   Common Crawl holds both). Other schemes keep their name.
2. Host: lowercase, no trailing dot, IDN in punycode, IPv6 in compressed form
   (``curate.blocklist.normalize_host``). ``www.`` is kept: it is a different host, and
   many sites serve different content there.
3. Port: dropped when it is the default (80, 443); any other port is kept.
4. Userinfo and fragment: dropped (the fragment is never sent to the server).
5. Path: percent-escapes of unreserved characters decoded and the rest upper-cased
   (RFC 3986, 6.2.2), ``.``/``..`` segments resolved, an empty path is ``/``, and one
   trailing slash removed (``/a/`` = ``/a``) except on the root.
6. Query: tracking parameters dropped (``utm_*``, ``fbclid``, ``gclid``, … see
   ``TRACKING``), the rest sorted by name (stable, so repeated names keep their order),
   an empty query dropped.

A URL without a host (``mailto:``, garbage) normalizes to itself, stripped: it only
matches the same string.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from curate.blocklist import normalize_host

#: Query parameters that track the visitor and never change the page (exact names, or prefixes ending in _).
TRACKING = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "oly_anon_id", "oly_enc_id", "rb_clickid",
    "s_cid", "ncid", "cmpid", "sr_share", "spm", "share", "ref_src", "ref_url",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

_DEFAULT_PORT = {"http": "80", "https": "443"}
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_SAFE = "/:@!$&'()*+,;=-._~"


def _unescape_unreserved(m: re.Match) -> str:
    c = chr(int(m.group(1), 16))
    return c if (c.isascii() and (c.isalnum() or c in "-._~")) else "%" + m.group(1).upper()


def _path(path: str) -> str:
    if "%" in path:
        path = _UNRESERVED.sub(_unescape_unreserved, path)
    if not path.isascii() or " " in path:
        path = quote(path, safe=_SAFE + "%")
    if "/." in path or path.startswith("."):
        out: list[str] = []
        for seg in path.split("/"):
            if seg == "..":
                if len(out) > 1:
                    out.pop()
            elif seg != ".":
                out.append(seg)
        path = "/".join(out)
    if not path.startswith("/"):
        path = "/" + path
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


def _query(query: str) -> str:
    if not query:
        return ""
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        name = unquote(part.split("=", 1)[0]).lower()
        if name in TRACKING or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append((part.split("=", 1)[0], part))
    kept.sort(key=lambda kv: kv[0])
    return "&".join(p for _, p in kept)


def normalize_url(url: str | None) -> str:
    """The dedup key of ``url`` (see the module docstring); ``""`` for a null or empty URL."""
    if not url:
        return ""
    u = url.strip()
    i = u.find("://")
    if i <= 0:
        return u
    scheme = u[:i].lower()
    rest = u[i + 3:]
    rest = rest.split("#", 1)[0]
    end = len(rest)
    for sep in "/?":
        j = rest.find(sep)
        if 0 <= j < end:
            end = j
    netloc, tail = rest[:end], rest[end:]
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        close = hostport.find("]")
        host, port = (hostport[1:close], hostport[close + 2:]) if close > 0 else (hostport, "")
    else:
        host, _, port = hostport.partition(":")
    norm_host = normalize_host(host)
    if norm_host is None:
        return u
    if ":" in norm_host:
        norm_host = f"[{norm_host}]"
    if port and port != _DEFAULT_PORT.get(scheme):
        norm_host = f"{norm_host}:{port}"
    path, _, query = tail.partition("?")
    scheme = "http" if scheme in ("http", "https") else scheme
    q = _query(query)
    return f"{scheme}://{norm_host}{_path(path)}" + (f"?{q}" if q else "")
