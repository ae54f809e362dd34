"""A small, deterministic Common-Crawl-style WARC written by the project itself.

``build_sample(path)`` writes ``.warc.gz`` (one gzip member per record) holding a warcinfo
record, then a request and a response for each of about 170 fetches (news, blogs, forums,
code docs, math in every notation, spam, PII, eight languages, several charsets, deliberate
duplicates, errors, redirects, an image, a script and a page over 3 MB), a few metadata
records and one revisit. Same bytes on every call. ``python -m curate.sample OUT.warc.gz``.
"""
from __future__ import annotations

import os
import pathlib

from . import warc
from .catalog import sample

SAMPLE_DUMP = "CC-MAIN-2024-SAMPLE"
WARC_FILENAME = "CC-MAIN-20240101000000-20241231235959-00000.warc.gz"
METADATA_EVERY = 12

__all__ = ["SAMPLE_DUMP", "build_sample"]


def build_sample(path: str | os.PathLike) -> pathlib.Path:
    """Write the sample WARC to ``path`` (parents created) and return the path."""
    out = pathlib.Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    s = sample()
    info_id, info = warc.warcinfo(WARC_FILENAME, "2024-01-01T00:00:00Z", SAMPLE_DUMP)
    records = [info]
    revisit_at = min(next(i for i, p in enumerate(s.pages) if p is s.revisit_of) + 5, len(s.pages) - 1)
    for i, page in enumerate(s.pages):
        records += warc.exchange(page, info_id)
        if i % METADATA_EVERY == METADATA_EVERY - 1:
            records.append(warc.metadata(page, info_id, fetch_ms=100 + (i * 37) % 900))
        if i == revisit_at:
            records += warc.revisit(s.revisit, s.revisit_of, info_id)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(b"".join(records))
    tmp.replace(out)
    return out
