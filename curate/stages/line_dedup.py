"""Line-level dedup: remove lines repeated in more than ``max_repeats`` documents of a bucket.

Llama 3 (section 3.1.1) "removes lines that appear more than 6 times in each bucket of 30M
documents" (navigation menus, cookie warnings), following CCNet; dedup runs per language.
We read "appear more than 6 times" as *in more than 6 documents*: a line repeated 50 times
inside one log or thread says nothing about boilerplate (the duplicated-n-gram heuristic
handles that), and counting documents keeps one such page from deleting the line from
every other page of the bucket. Two parts:

- ``LineCounts`` (job ``line_dedup``): per document, its distinct countable lines
  (``curate.dedup.lines``: normalization, exemptions for code and math, 64-bit hashes);
  per shard, the number of documents holding each (language, shard group, line hash),
  partitioned by the hash. Each reduce sums a line's documents per (language, bucket) and
  keeps the lines over ``max_repeats``.
- ``LineDedup`` (stage): loads the frequent hashes of its documents' buckets (a sorted
  uint64 array each, ``searchsorted``), removes those lines from ``text`` and writes
  ``line_dedup_removed``. A document left with no text is rejected as ``line_dedup:empty``;
  one left under ``min_chars`` characters, as ``line_dedup:too_short`` (only documents that
  lost lines: a page that was short to begin with is the length filters' business). 50
  characters is about one real sentence, what a page that lost its boilerplate has to keep.

**Buckets.** A bucket is about ``bucket_docs`` documents of one language. The documents of
one input file (their ``source`` without the ``@offset``) share a 32-bit *group* hash, and
a language with D documents in the job's input has ``n = ceil(D / bucket_docs)`` buckets:
the bucket of a document is ``group % n``. So one shard sits in one bucket per language, and
an apply task loads one bucket per language of its shard; with thousands of shards per bucket
the buckets are within a few percent of ``bucket_docs``, with a handful they can be uneven.
The map sees batches only, not the corpus: to give every reduce the per-language totals, each
shard's map also writes its document count per language once *per partition* (rows with
``total`` true, under a key that hashes to that partition), so every reduce sums the same
totals without any runner support. The artifact starts each language with a header row
(``bucket`` -1, ``docs`` = the language's documents, ``n_buckets``), written by every
partition, from which the stage computes its buckets without reading the hashes.

**Artifact** (``jobs/line_dedup/part-NNNNN.parquet``): ``lang``, ``bucket`` (int32),
``line_hash`` (uint64), ``docs`` (documents holding the line in that bucket), ``n_buckets``,
sorted by (lang, bucket, line_hash) so that a bucket's rows are a few row groups.

**Sizing.** A reduce holds about 1/``partitions`` of the per-shard distinct lines of the
whole input (some 40 rows of 25 bytes per document before compression): keep under ~50M
rows per partition, i.e. ``partitions`` >= documents / 1.25M. A stage worker holds the hashes
of the buckets it met (8 bytes per frequent line; ``cache_mb`` bounds it).

Set ``min_letters`` and ``exempt_code`` alike on the job and the stage (the recipe passes one
table to both): the stage only removes lines the job could count.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import math
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate import schema
from curate.dedup.lines import Lines, shard_groups, split_lines
from curate.io import fs as cfs
from curate.job import Job, partition_of
from curate.stage import Resources, Stage, reject, set_column

LANG = "lang"
REMOVED = "line_dedup_removed"

_MAP_SCHEMA = pa.schema([("key", pa.uint64()), (LANG, pa.string()), ("group", pa.uint32()),
                         ("total", pa.bool_()), ("docs", pa.int64())])
ARTIFACT_SCHEMA = pa.schema([(LANG, pa.string()), ("bucket", pa.int32()), ("line_hash", pa.uint64()),
                             ("docs", pa.int64()), ("n_buckets", pa.int32())])


@functools.lru_cache(maxsize=64)
def partition_keys(partitions: int) -> np.ndarray:
    """For each partition p, the smallest uint64 key that ``partition_of`` sends to p."""
    n = partitions * 64
    while True:
        cand = np.arange(n, dtype=np.uint64)
        part = partition_of(pa.array(cand), partitions)
        first = np.full(partitions, -1, dtype=np.int64)
        # the first candidate of each partition: reversed assignment keeps the smallest
        first[part[::-1]] = np.arange(n - 1, -1, -1)
        if (first >= 0).all():
            return cand[first]
        n *= 4


def _langs(batch: pa.Table) -> pa.Array:
    col = batch.column(LANG)
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return col.cast(pa.string()).fill_null("")


def _sum(t: pa.Table) -> pa.Table:
    g = t.group_by(["key", LANG, "group", "total"]).aggregate([("docs", "sum")])
    return pa.table({"key": g.column("key"), LANG: g.column(LANG), "group": g.column("group"),
                     "total": g.column("total"), "docs": g.column("docs_sum")}, schema=_MAP_SCHEMA)


def n_buckets(docs: int, bucket_docs: int) -> int:
    return max(1, math.ceil(docs / max(1, bucket_docs)))


@dataclasses.dataclass
class LineCounts(Job):
    """Documents per (language, bucket, line hash); the artifact keeps lines over ``max_repeats``."""

    name: ClassVar[str] = "line_dedup"
    key: ClassVar[str] = "key"
    reads: ClassVar[tuple[str, ...]] = (schema.TEXT, LANG, schema.SOURCE)

    max_repeats: int = 6
    bucket_docs: int = 30_000_000
    min_letters: int = 2
    exempt_code: bool = True
    partitions: int = 16

    def map(self, batch: pa.Table) -> pa.Table:
        if batch.num_rows == 0:
            return _MAP_SCHEMA.empty_table()
        langs = _langs(batch)
        groups = shard_groups(batch.column(schema.SOURCE))
        ls = split_lines(batch.column(schema.TEXT), self.min_letters, self.exempt_code)
        idx = np.flatnonzero(ls.countable)
        # distinct (document, line) pairs, then documents per (lang, group, line)
        pairs = pa.table({"doc": ls.doc[idx], "key": ls.hashes[idx]}).group_by(["doc", "key"]).aggregate([])
        doc = pairs.column("doc").to_numpy()
        lines = pa.table({"key": pairs.column("key"), LANG: langs.take(pa.array(doc)),
                          "group": pa.array(groups[doc], pa.uint32()),
                          "total": pa.array(np.zeros(len(doc), bool)), "docs": pa.array(np.ones(len(doc), np.int64))})
        # documents per language, once per partition, so that every reduce knows the totals
        per_lang = pa.table({LANG: langs}).group_by(LANG).aggregate([([], "count_all")])
        keys = partition_keys(self.partitions)
        nl, np_ = per_lang.num_rows, len(keys)
        totals = pa.table({"key": pa.array(np.tile(keys, nl)),
                           LANG: per_lang.column(LANG).take(pa.array(np.repeat(np.arange(nl), np_))),
                           "group": pa.array(np.zeros(nl * np_, np.uint32)),
                           "total": pa.array(np.ones(nl * np_, bool)),
                           "docs": pa.array(np.repeat(per_lang.column("count_all").to_numpy(), np_).astype(np.int64))})
        return _sum(pa.concat_tables([lines.cast(_MAP_SCHEMA), totals.cast(_MAP_SCHEMA)]))

    def combine(self, table: pa.Table) -> pa.Table:
        return _sum(table)

    def reduce(self, table: pa.Table) -> pa.Table:
        if table.num_rows == 0:
            return ARTIFACT_SCHEMA.empty_table()
        is_total = table.column("total").combine_chunks()
        totals = table.filter(is_total).group_by(LANG).aggregate([("docs", "sum")]).sort_by(LANG)
        langs = totals.column(LANG).to_pylist()
        docs = totals.column("docs_sum").to_pylist()
        nb = np.array([n_buckets(d, self.bucket_docs) for d in docs], dtype=np.int64)
        lines = table.filter(pc.invert(is_total))
        li = pc.index_in(lines.column(LANG), value_set=pa.array(langs, pa.string())).to_numpy(zero_copy_only=False)
        if len(li) and np.isnan(li.astype(float)).any():
            raise ValueError("line_dedup: lines of a language without a document total (mixed map outputs?)")
        li = li.astype(np.int64)
        bucket = (lines.column("group").to_numpy().astype(np.int64) % nb[li]).astype(np.int32)
        t = pa.table({LANG: lines.column(LANG), "bucket": bucket, "line_hash": lines.column("key"),
                      "docs": lines.column("docs")})
        g = t.group_by([LANG, "bucket", "line_hash"]).aggregate([("docs", "sum")])
        g = g.filter(pc.greater(g.column("docs_sum"), self.max_repeats))
        gl = pc.index_in(g.column(LANG), value_set=pa.array(langs, pa.string())).to_numpy(zero_copy_only=False)
        freq = pa.table({LANG: g.column(LANG), "bucket": g.column("bucket"), "line_hash": g.column("line_hash"),
                         "docs": g.column("docs_sum"), "n_buckets": pa.array(nb[gl.astype(np.int64)], pa.int32())},
                        schema=ARTIFACT_SCHEMA)
        headers = pa.table({LANG: langs, "bucket": pa.array([-1] * len(langs), pa.int32()),
                            "line_hash": pa.array([0] * len(langs), pa.uint64()), "docs": pa.array(docs, pa.int64()),
                            "n_buckets": pa.array(nb, pa.int32())}, schema=ARTIFACT_SCHEMA)
        return pa.concat_tables([headers, freq]).sort_by([(LANG, "ascending"), ("bucket", "ascending"),
                                                         ("line_hash", "ascending")])

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return (f"{artifact_rows:,} rows: lines in more than {self.max_repeats} documents of a bucket "
                f"(~{self.bucket_docs:,} documents per language), with one header row per language and partition")


# --------------------------------------------------------------------------- reading the artifact


def _files(folder: str) -> tuple[object, list[str]]:
    fs, path = cfs.get_fs(folder)
    return fs, sorted(fs.glob(f"{path}/part-*.parquet"))


def _groups_where(pf: pq.ParquetFile, lang: str | None, bucket: int) -> list[int]:
    """Row groups whose statistics may hold rows of (``lang``, ``bucket``); ``lang`` None: any."""
    names = pf.schema_arrow.names
    li, bi = names.index(LANG), names.index("bucket")
    out = []
    for g in range(pf.num_row_groups):
        rg = pf.metadata.row_group(g)
        ok = True
        for i, v in ((li, lang), (bi, bucket)):
            if v is None:
                continue
            st = rg.column(i).statistics
            if st is not None and st.has_min_max and not (st.min <= v <= st.max):
                ok = False
        if ok:
            out.append(g)
    return out


def bucket_counts(folder: str) -> dict[str, tuple[int, int]]:
    """{language: (documents, buckets)} from the header rows of one partition file of the artifact."""
    fs, files = _files(folder)
    if not files:
        return {}
    with fs.open(files[0], "rb") as f:
        pf = pq.ParquetFile(f)
        t = pf.read_row_groups(_groups_where(pf, None, -1), columns=[LANG, "bucket", "docs", "n_buckets"])
    t = t.filter(pc.equal(t.column("bucket"), -1))
    return {lang: (d, n) for lang, d, n in zip(t.column(LANG).to_pylist(), t.column("docs").to_pylist(),
                                               t.column("n_buckets").to_pylist())}


def bucket_hashes(folder: str, lang: str, bucket: int) -> np.ndarray:
    """The sorted frequent line hashes of (``lang``, ``bucket``) over every partition file."""
    fs, files = _files(folder)
    parts = []
    for p in files:
        with fs.open(p, "rb") as f:
            pf = pq.ParquetFile(f)
            groups = _groups_where(pf, lang, bucket)
            if not groups:
                continue
            t = pf.read_row_groups(groups, columns=[LANG, "bucket", "line_hash"])
        t = t.filter(pc.and_(pc.equal(t.column(LANG), lang), pc.equal(t.column("bucket"), bucket)))
        parts.append(t.column("line_hash").to_numpy().astype(np.uint64))
    out = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
    out.sort()
    return out


# --------------------------------------------------------------------------- the stage


def rebuild(lines: list[str], removed: list[bool]) -> str:
    """The text without the removed lines; a blank line that a removal left doubled or leading goes too."""
    out: list[str] = []
    gap = False  # a line was removed since the last non-blank line
    for line, rm in zip(lines, removed):
        if rm:
            gap = True
            continue
        blank = not line.strip()
        if gap and blank and (not out or not out[-1].strip()):
            continue
        if not blank:
            gap = False
        out.append(line)
    return "\n".join(out)


@dataclasses.dataclass
class LineDedup(Stage):
    """Removes the lines that the ``line_dedup`` job found in more than ``max_repeats`` documents of a bucket."""

    min_chars: int = 50
    min_letters: int = 2
    exempt_code: bool = True
    cache_mb: int = 2048
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=1024))

    name: ClassVar[str] = "line_dedup"
    needs: ClassVar[tuple[str, ...]] = ("line_dedup",)
    columns: ClassVar[dict[str, pa.DataType]] = {schema.TEXT: pa.string(), REMOVED: pa.int32()}

    def setup(self) -> None:
        self._folder = self.artifacts.get("line_dedup")
        self._buckets = bucket_counts(self._folder) if self._folder else None
        self._cache: collections.OrderedDict[tuple[str, int], np.ndarray] = collections.OrderedDict()
        self._cached_bytes = 0

    def _hashes(self, lang: str, bucket: int) -> np.ndarray:
        k = (lang, bucket)
        if k in self._cache:
            self._cache.move_to_end(k)
            return self._cache[k]
        arr = bucket_hashes(self._folder, lang, bucket)
        self._cache[k] = arr
        self._cached_bytes += arr.nbytes
        while self._cached_bytes > self.cache_mb * 2**20 and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cached_bytes -= old.nbytes
        return arr

    def process(self, batch: pa.Table) -> pa.Table:
        if self._buckets is None:
            raise RuntimeError("line_dedup runs without the line_dedup artifact (the runner binds it)")
        n = batch.num_rows
        removed = np.zeros(n, np.int32)
        if n == 0 or not self._buckets:
            return set_column(batch, REMOVED, pa.array(removed, pa.int32()), pa.int32())
        langs = _langs(batch).to_pylist()
        groups = shard_groups(batch.column(schema.SOURCE))
        # the (language, bucket) of each document, as an index into ``wanted``; -1: no frequent lines there
        wanted: dict[tuple[str, int], int] = {}
        doc_key = np.full(n, -1, np.int64)
        for i, lang in enumerate(langs):
            info = self._buckets.get(lang)
            if info is not None:
                doc_key[i] = wanted.setdefault((lang, int(groups[i]) % info[1]), len(wanted))
        todo = np.flatnonzero(doc_key >= 0)
        texts = batch.column(schema.TEXT)
        if not len(todo):
            return set_column(batch, REMOVED, pa.array(removed, pa.int32()), pa.int32())
        ls: Lines = split_lines(texts.take(pa.array(todo)), self.min_letters, self.exempt_code)
        hit = np.zeros(ls.n, bool)
        line_key = doc_key[todo][ls.doc]
        for (lang, b), k in wanted.items():
            freq = self._hashes(lang, b)
            if not len(freq):
                continue
            sel = np.flatnonzero(ls.countable & (line_key == k))
            if not len(sel):
                continue
            h = ls.hashes[sel]
            pos = np.minimum(np.searchsorted(freq, h), len(freq) - 1)
            hit[sel] = freq[pos] == h
        per_doc = np.bincount(ls.doc[hit], minlength=len(todo)).astype(np.int32)
        removed[todo] = per_doc
        changed = np.flatnonzero(per_doc)
        if not len(changed):
            return set_column(batch, REMOVED, pa.array(removed, pa.int32()), pa.int32())
        new_text = texts.to_pylist() if isinstance(texts, pa.Array) else texts.combine_chunks().to_pylist()
        starts = np.searchsorted(ls.doc, np.arange(len(todo) + 1))
        all_lines = ls.lines
        reasons: list[str | None] = [None] * n
        for j in changed:
            a, b = int(starts[j]), int(starts[j + 1])
            text = rebuild(all_lines.slice(a, b - a).to_pylist(), hit[a:b].tolist())
            i = int(todo[j])
            new_text[i] = text
            if not text.strip():
                reasons[i] = "line_dedup:empty"
            elif len(text.strip()) < self.min_chars:
                reasons[i] = "line_dedup:too_short"
        batch = set_column(batch, schema.TEXT, pa.array(new_text, pa.string()), pa.string())
        batch = set_column(batch, REMOVED, pa.array(removed, pa.int32()), pa.int32())
        return reject(batch, reasons) if any(r is not None for r in reasons) else batch
