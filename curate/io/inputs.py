"""Resolve what the user names on the command line into a list of WARC file URLs.

Accepted: local files, directories (their ``*.warc*`` files), globs, ``s3://``/``gs://``/
``https://`` URLs (globs allowed where the store lists), and Common Crawl listings
(``warc.paths.gz``, one relative path per line, resolved against ``cc_base``).
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import os
import re

from curate.io import fs as cfs

#: Where Common Crawl serves the relative paths of ``warc.paths.gz`` listings.
CC_BASE = "https://data.commoncrawl.org/"

_WARC_NAME = re.compile(r"\.(warc|arc)(\.(gz|zst|lz4))?$|\.warc\.gz\.bad$", re.I)


def is_listing(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith((".paths.gz", ".paths", ".txt", ".txt.gz"))


def read_listing(url: str, cc_base: str = CC_BASE, limit: int | None = None) -> list[str]:
    """The WARC URLs in a listing file, in order; relative entries are joined to ``cc_base``."""
    fs, path = cfs.get_fs(url)
    with fs.open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    out: list[str] = []
    for line in io.StringIO(raw.decode("utf-8")):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "://" not in line and not os.path.isabs(line):
            line = cc_base.rstrip("/") + "/" + line
        out.append(line)
        if limit is not None and len(out) >= limit:
            break
    return out


def resolve_inputs(specs: list[str], limit: int | None = None, cc_base: str = CC_BASE) -> list[str]:
    """Expand input specs into WARC URLs (deduplicated, order kept); ``limit`` keeps the first N."""
    out: list[str] = []
    for spec in specs:
        if is_listing(spec):
            found = read_listing(spec, cc_base=cc_base)
        elif cfs.is_local(spec):
            found = _local(spec)
        elif any(c in spec for c in "*?["):
            fs, path = cfs.get_fs(spec)
            proto = spec.split("://", 1)[0]
            found = [f"{proto}://{p}" for p in sorted(fs.glob(path))]
        else:
            found = [spec]
        if not found:
            raise FileNotFoundError(f"input {spec!r} matches no file")
        out.extend(found)
    seen: set[str] = set()
    uniq = [u for u in out if not (u in seen or seen.add(u))]
    return uniq[:limit] if limit is not None else uniq


def _local(spec: str) -> list[str]:
    spec = spec.removeprefix("file://")
    if os.path.isdir(spec):
        return sorted(os.path.abspath(os.path.join(spec, n)) for n in os.listdir(spec) if _WARC_NAME.search(n))
    if any(c in spec for c in "*?["):
        return sorted(os.path.abspath(p) for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
    if not os.path.exists(spec):
        raise FileNotFoundError(f"input {spec!r} does not exist")
    return [os.path.abspath(spec)]


def shard_id(url: str) -> str:
    """A deterministic, filesystem-safe shard name: the file's stem plus a hash of its full URL.

    The hash keeps two inputs with the same file name (``sample-0000.warc.gz`` in two
    folders) apart; the stem keeps the name readable.
    """
    name = url.rstrip("/").rsplit("/", 1)[-1]
    stem = _WARC_NAME.sub("", name) or name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)[:80]
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    return f"{stem}-{digest}"
