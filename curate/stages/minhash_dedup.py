"""Document-level near-duplicate removal with global MinHash, per language, on hash-partitioned jobs.

Llama 3 (section 3.1.1) runs "global MinHash (Broder, 1997) de-duplication across the entire
dataset to remove near duplicate documents". Peers cluster the LSH buckets in one task
(datatrove) or on GPUs (NeMo Curator); here every step is partitioned by hash, so no node
holds more than a partition of buckets, edges or clusters:

1. ``minhash_lsh`` (job): per document, a MinHash signature of its word shingles
   (``curate.dedup.minhash``), cut into bands whose count and width follow from the target
   Jaccard ``threshold``; one bucket key per band, mixed with the document's ``lang`` (dedup
   runs per language). The reduce groups a partition's buckets and links every member of a
   bucket to the bucket's first member: the candidate duplicate pairs, as edges.
   With ``verify="exact"`` (default) the bands lean to recall (``fn_weight`` 0.9: 14 bands x 9
   rows at 128 permutations) and small buckets (up to ``pair_limit`` documents) link all their
   pairs; then ``minhash_candidates``, ``minhash_shingles``, ``minhash_verify_u`` and
   ``minhash_verify_v`` (jobs) keep the candidate pairs whose exact Jaccard of shingle sets is
   at least the threshold (see "exact verification" below). ``verify="none"`` uses every
   candidate pair, with bands balanced between false positives and negatives (9x13).
2. ``minhash_ccNN`` (jobs, as many rounds as needed): connected components by alternating
   large-star and small-star rounds (``curate.dedup.components``) until the graph is a set
   of stars, each centred on its cluster's first document.
3. ``minhash_clusters`` (job): per cluster, its members and size, routed by shard. With
   ``check_kept`` (default, with exact verification) the components are ``minhash_components``
   and ``minhash_kept_u``, ``minhash_kept_v`` (jobs) compute the exact Jaccard of every member
   with the document kept for its cluster: components chain documents (A~B, B~C, J(A, C) < the
   threshold), so a member below the threshold with the kept document is not removed but stays
   as its own document, and ``minhash_clusters`` holds the members at or above it, with
   ``size`` = members removed + 1 (see "check against the kept" below).
4. ``MinhashDedupFilter`` (stage): writes ``minhash_cluster`` (the kept document's node id,
   null for a document with no near-duplicate) and ``minhash_cluster_size`` (1 for those),
   and rejects every member but the kept one as ``minhash_dup``.

Documents are nodes ``shard index << 32 | row``. The keep rule orders a cluster's members by
(``prio``, node) and keeps the first: ``keep="newest"`` (default) the latest ``fetch_time``
(Llama 3 keeps the most recent version of a URL; the same preference serves for copies of a
page), ``"longest"`` the most characters, ``"first"`` the first in shard order; ties fall to
the smaller node. A document without shingles (empty text) is never a duplicate.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate import schema
from curate.dedup import components
from curate.dedup import minhash as mh
from curate.io import fs as cfs
from curate.job import ROW, SHARD, SHARD_INDEX, Job
from curate.runner.jobs import read_routed, shard_index
from curate.stage import Resources, Stage, reject, set_column

LANG = "lang"
CLUSTER = "minhash_cluster"
CLUSTER_SIZE = "minhash_cluster_size"
KEEP_RULES = ("newest", "longest", "first")
VERIFY = ("exact", "none")
SHINGLES_TYPE = pa.list_(pa.uint32())
_I64_MAX = np.iinfo(np.int64).max
_MASK32 = np.int64(0xFFFFFFFF)


def _lang_salt(langs: list[str | None]) -> np.ndarray:
    cache: dict[str | None, int] = {}
    out = np.empty(len(langs), np.uint64)
    for i, lang in enumerate(langs):
        if lang not in cache:
            cache[lang] = zlib.crc32((lang or "und").encode()) * 0x9E3779B97F4A7C15 % (1 << 64)
        out[i] = cache[lang]
    return out


@dataclasses.dataclass
class MinhashLsh(Job):
    """Signatures, band buckets per language, and the candidate pairs as star edges per bucket."""

    name: ClassVar[str] = "minhash_lsh"
    produces: ClassVar[tuple[str, ...]] = ("minhash_clusters",)
    key: ClassVar[str] = "bucket"
    reads: ClassVar[tuple[str, ...]] = (schema.TEXT, LANG, schema.FETCH_TIME, SHARD_INDEX, ROW)

    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    keep: str = "newest"
    max_rounds: int = 64
    partitions: int = 16
    #: ``"exact"``: candidate pairs are checked on their exact shingle-set Jaccard (jobs
    #: ``minhash_candidates`` .. ``minhash_verify_v``) before the components; ``"none"``: every
    #: candidate pair is an edge.
    verify: str = "exact"
    #: Weight of the false-negative area in the choice of bands (``bands_rows``); None: 0.9 when
    #: verifying (recall-leaning: false positives are removed later), 0.5 without.
    fn_weight: float | None = None
    #: With verification, a bucket of at most ``pair_limit`` documents links all its pairs; a larger
    #: one links every member to the bucket's first and to its ``window`` predecessors in an order
    #: of hashed node ids. Without it (star edges only) two members that are near duplicates of
    #: each other but not of the first one lose their link when the first's edges fail verification.
    pair_limit: int = 16
    window: int = 4
    #: With ``verify="exact"``: a cluster member is removed only if its exact Jaccard with the
    #: document kept for its cluster is >= ``threshold`` (jobs ``minhash_kept_u``, ``minhash_kept_v``
    #: after the components); a member below it stays as its own document. False: every member but
    #: the kept one is removed (connected components chain A~B~C even where J(A, C) < threshold).
    #: Ignored with ``verify="none"`` (no shingle sets are made).
    check_kept: bool = True
    #: At most this many rounds of the check (each regroups the members below the threshold around
    #: their first member by the keep rule and checks the others against it); members unchecked
    #: after the last stay as their own documents.
    kept_rounds: int = 8

    def __post_init__(self) -> None:
        if self.keep not in KEEP_RULES:
            raise ValueError(f"minhash keep={self.keep!r}: use one of {KEEP_RULES}")
        if self.verify not in VERIFY:
            raise ValueError(f"minhash verify={self.verify!r}: use one of {VERIFY}")
        if self.kept_rounds < 1:
            raise ValueError("minhash kept_rounds must be >= 1 (check_kept=False turns the check off)")
        w = self.fn_weight if self.fn_weight is not None else (0.9 if self.verify == "exact" else 0.5)
        if not 0.0 < w < 1.0:
            raise ValueError("minhash fn_weight must be in (0, 1)")
        self.bands, self.rows = mh.bands_rows(self.threshold, self.num_perm, 1.0 - w, w)

    def _priority(self, batch: pa.Table) -> np.ndarray:
        n = batch.num_rows
        if self.keep == "newest":
            t = pc.cast(batch.column(schema.FETCH_TIME), pa.int64())
            return np.where(pc.is_valid(t).to_numpy(zero_copy_only=False),
                            -pc.fill_null(t, 0).to_numpy(zero_copy_only=False), _I64_MAX)
        if self.keep == "longest":
            return -pc.fill_null(pc.utf8_length(batch.column(schema.TEXT)), 0).to_numpy(
                zero_copy_only=False).astype(np.int64)
        return np.zeros(n, np.int64)

    def map(self, batch: pa.Table) -> pa.Table:
        n = batch.num_rows
        empty = pa.table({"bucket": pa.array([], pa.uint64()), "node": pa.array([], pa.int64()),
                          "prio": pa.array([], pa.int64())})
        if n == 0:
            return empty
        hasher = mh.MinHasher(num_perm=self.num_perm, seed=self.seed, ngram=self.ngram)
        sigs = hasher.signatures(batch.column(schema.TEXT).to_pylist())
        has = ~(sigs == mh.EMPTY).all(axis=1)
        if not has.any():
            return empty
        keys = mh.band_keys(sigs[has], self.bands, self.rows)
        keys = keys ^ _lang_salt(batch.column(LANG).to_pylist())[has][:, None]
        node = (batch.column(SHARD_INDEX).to_numpy() << 32) | batch.column(ROW).to_numpy()
        prio = self._priority(batch)
        return pa.table({"bucket": keys.ravel(), "node": np.repeat(node[has], self.bands),
                         "prio": np.repeat(prio[has], self.bands)})

    def reduce(self, table: pa.Table) -> pa.Table:
        if table.num_rows == 0:
            return components.EDGE_SCHEMA.empty_table()
        bucket = table.column("bucket").to_numpy()
        node = table.column("node").to_numpy()
        prio = table.column("prio").to_numpy()
        order = np.lexsort((node, prio, bucket))
        bucket, node, prio = bucket[order], node[order], prio[order]
        first = np.r_[True, bucket[1:] != bucket[:-1]]
        starts = np.flatnonzero(first)
        group = np.cumsum(first) - 1
        head = starts[group]
        member = ~first & (node != node[head])
        u, pu, v, pv = node[member], prio[member], node[head][member], prio[head][member]
        if self.verify == "exact":
            more = _bucket_pairs(bucket, node, prio, self.pair_limit, self.window)
            u, pu, v, pv = (np.r_[a, b] for a, b in zip((u, pu, v, pv), more))
        edges = pa.table({"u": u, "pu": pu, "v": v, "pv": pv}, schema=components.EDGE_SCHEMA)
        return edges.group_by(["u", "pu", "v", "pv"]).aggregate([]).select(["u", "pu", "v", "pv"])

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return (f"{artifact_rows:,} candidate pair(s) ({self.bands} bands x {self.rows} rows for "
                f"Jaccard >= {self.threshold:g}, verify={self.verify})")

    def follow(self, out_root: str, artifact: str) -> Job | None:
        if self.verify == "exact":
            return MinhashCandidates(partitions=self.partitions, threshold=self.threshold, ngram=self.ngram,
                                     max_rounds=self.max_rounds,
                                     kept_rounds=self.kept_rounds if self.check_kept else 0)
        return StarRound(round=1, partitions=self.partitions, max_rounds=self.max_rounds)


# ------------------------------------------------------------------------------ exact verification
#
# Candidate pairs (edges u -> v of ``minhash_lsh``) are checked on the exact Jaccard of their
# shingle sets, in four hash-partitioned jobs, before the components:
#
# - ``minhash_candidates``: the distinct nodes of the candidate edges, routed by shard;
# - ``minhash_shingles`` (over the phase's shards): for those documents only, the sorted set of
#   their shingle hashes (``curate.dedup.minhash.shingle_hashes``), keyed by node;
# - ``minhash_verify_u``: edges joined with u's shingles (keyed by u; duplicate edges from
#   several bands meet here and are kept once);
# - ``minhash_verify_v``: the same edges joined with v's shingles (keyed by v), their exact
#   Jaccard, and the edges at or above the threshold: the input of the first star round.
#
# Per edge, only one side's shingles travel with it: star edges point from bucket members to the
# bucket's first document, so the node of high degree is v, whose shingles are read once per
# partition. The copy of shingle sets is limited to documents in at least one candidate pair.


def _source_of(batch: pa.Table, name: str) -> bool:
    """Whether a join's batch comes from job ``name``'s artifact (``_shard`` is ``<job>-<partition>``)."""
    if batch.num_rows == 0 or SHARD not in batch.column_names:
        return False
    return str(batch.column(SHARD)[0].as_py()).startswith(name + "-")


@dataclasses.dataclass
class MinhashCandidates(Job):
    """The distinct documents of the candidate pairs, as (shard_index, row), routed by shard."""

    name: ClassVar[str] = "minhash_candidates"
    key: ClassVar[str] = "node"
    reads: ClassVar[tuple[str, ...]] = ("u", "v")
    source: ClassVar[str] = "minhash_lsh"
    route: ClassVar[str | None] = "shard_index"
    partitions: int = 16
    threshold: float = 0.8
    ngram: int = 5
    max_rounds: int = 64
    kept_rounds: int = 8  # rounds of the check against the kept document (0: no check)

    def map(self, batch: pa.Table) -> pa.Table:
        nodes = pa.concat_arrays([batch.column("u").combine_chunks(), batch.column("v").combine_chunks()])
        return pa.table({"node": pc.unique(nodes)}) if len(nodes) else pa.table({"node": pa.array([], pa.int64())})

    def combine(self, table: pa.Table) -> pa.Table:
        return pa.table({"node": pc.unique(table.column("node"))})

    def reduce(self, table: pa.Table) -> pa.Table:
        node = pc.unique(table.column("node")).to_numpy() if table.num_rows else np.empty(0, np.int64)
        return pa.table({"shard_index": node >> 32, "row": node & _MASK32})

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"{artifact_rows:,} document(s) in candidate pairs"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        return MinhashShingles(candidates=artifact, partitions=self.partitions, threshold=self.threshold,
                               ngram=self.ngram, max_rounds=self.max_rounds, kept_rounds=self.kept_rounds)


@dataclasses.dataclass
class MinhashShingles(Job):
    """Per document of a candidate pair: its sorted, distinct shingle hashes (uint32), keyed by node."""

    name: ClassVar[str] = "minhash_shingles"
    key: ClassVar[str] = "node"
    reads: ClassVar[tuple[str, ...]] = (schema.TEXT, SHARD_INDEX, ROW)
    candidates: str = ""  # the minhash_candidates artifact folder
    partitions: int = 16
    threshold: float = 0.8
    ngram: int = 5
    max_rounds: int = 64
    kept_rounds: int = 8  # rounds of the check against the kept document (0: no check)

    def _rows_of(self, idx: int) -> np.ndarray:
        cache = self.__dict__.setdefault("_cache", {})
        if idx not in cache:
            t = read_routed(self.candidates, "shard_index", idx, columns=["row"])
            cache.clear()
            cache[idx] = np.sort(t.column("row").to_numpy()) if t is not None else np.empty(0, np.int64)
        return cache[idx]

    def map(self, batch: pa.Table) -> pa.Table:
        if batch.num_rows == 0:
            return pa.table({"node": pa.array([], pa.int64()), "shingles": pa.array([], SHINGLES_TYPE)})
        idx = batch.column(SHARD_INDEX).to_numpy()
        rows = batch.column(ROW).to_numpy()
        want = np.isin(rows, self._rows_of(int(idx[0])))
        sel = np.flatnonzero(want)
        texts = batch.column(schema.TEXT).take(pa.array(sel, pa.int64()))
        sets = [np.unique(h) for h in mh.shingle_hashes(texts, self.ngram, bits=32)] if len(sel) else []
        return pa.table({"node": pa.array((idx[sel] << 32) | rows[sel], pa.int64()),
                         "shingles": pa.array(sets, SHINGLES_TYPE)})

    def reduce(self, table: pa.Table) -> pa.Table:
        return table.select(["node", "shingles"])

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"{artifact_rows:,} shingle set(s)"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        return MinhashVerifyU(partitions=self.partitions, threshold=self.threshold, max_rounds=self.max_rounds,
                              kept_rounds=self.kept_rounds)


def _join_rows(batch: pa.Table, edges_from: str, key: str, carry: tuple[str, ...]) -> pa.Table:
    """One map batch of a verify join, as rows (node, kind, u, pu, v, pv, su?, shingles)."""
    cols = {"node": pa.int64(), "u": pa.int64(), "pu": pa.int64(), "v": pa.int64(), "pv": pa.int64(),
            **{c: SHINGLES_TYPE for c in carry}, "shingles": SHINGLES_TYPE}
    n = batch.num_rows
    if n == 0:
        return pa.schema(list(cols.items())).empty_table()
    if _source_of(batch, edges_from):
        out = {"node": batch.column(key)}
        for c in ("u", "pu", "v", "pv", *carry):
            out[c] = batch.column(c)
        out["shingles"] = pa.nulls(n, SHINGLES_TYPE)
    else:
        out = {"node": batch.column("node")}
        for c in ("u", "pu", "v", "pv"):
            out[c] = pa.nulls(n, pa.int64())
        for c in carry:
            out[c] = pa.nulls(n, SHINGLES_TYPE)
        out["shingles"] = batch.column("shingles")
    return pa.table({c: pc.cast(out[c], t) for c, t in cols.items()})


def _split_join(table: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(edge rows, shingle rows keyed by node with the column ``shingles``) of a verify reduce."""
    is_edge = pc.is_valid(table.column("u"))
    edges = table.filter(is_edge).drop_columns(["shingles"])
    sets = table.filter(pc.invert(is_edge)).select(["node", "shingles"])
    return edges, sets


def _lookup(sets: pa.Table, nodes: np.ndarray) -> pa.Array:
    """The shingle sets of ``nodes`` (null where a node has none); Arrow's join takes no list payloads."""
    if sets.num_rows == 0:
        return pa.nulls(len(nodes), SHINGLES_TYPE)
    order = np.argsort(sets.column("node").to_numpy(), kind="stable")
    keys = sets.column("node").to_numpy()[order]
    pos = np.minimum(np.searchsorted(keys, nodes), len(keys) - 1)
    hit = keys[pos] == nodes
    idx = pa.array(order[pos], pa.int64(), mask=~hit)
    return sets.column("shingles").combine_chunks().take(idx)


@dataclasses.dataclass
class MinhashVerifyU(Job):
    """Candidate edges with u's shingle set attached (keyed by u); duplicate edges kept once."""

    name: ClassVar[str] = "minhash_verify_u"
    key: ClassVar[str] = "node"
    reads: ClassVar[tuple[str, ...]] = ("u", "pu", "v", "pv", "node", "shingles", SHARD)
    source: ClassVar[tuple[str, ...]] = ("minhash_lsh", "minhash_shingles")
    partitions: int = 16
    threshold: float = 0.8
    max_rounds: int = 64
    kept_rounds: int = 8  # rounds of the check against the kept document (0: no check)

    def map(self, batch: pa.Table) -> pa.Table:
        return _join_rows(batch, "minhash_lsh", "u", ())

    def reduce(self, table: pa.Table) -> pa.Table:
        edges, sets = _split_join(table)
        edges = edges.group_by(["u", "pu", "v", "pv"]).aggregate([])
        # every candidate node has a shingle set; one that had none would join as null (= empty)
        return edges.append_column("su", _lookup(sets, edges.column("u").to_numpy()))

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"{artifact_rows:,} distinct candidate pair(s) with u's shingles"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        return MinhashVerifyV(partitions=self.partitions, threshold=self.threshold, max_rounds=self.max_rounds,
                              candidates=_artifact_rows(artifact), kept_rounds=self.kept_rounds)


def _artifact_rows(folder: str) -> int:
    fs, path = cfs.get_fs(folder)
    n = 0
    for p in sorted(fs.glob(f"{path}/part-*.parquet")):
        with fs.open(p, "rb") as f:
            n += pq.ParquetFile(f).metadata.num_rows
    return n


def jaccard_pairs(a: pa.Array | pa.ChunkedArray, b: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Row-wise exact Jaccard of two list<uint32> columns of sorted distinct hashes (1.0 for two empty sets).

    Vectorized: every (row, hash) of both sides as one uint64 ``row << 32 | hash``, sorted; an equal
    neighbour is a hash in both sets of that row.
    """
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if isinstance(b, pa.ChunkedArray):
        b = b.combine_chunks()
    a, b = pc.fill_null(a, pa.scalar([], SHINGLES_TYPE)), pc.fill_null(b, pa.scalar([], SHINGLES_TYPE))
    n = len(a)
    la = pc.list_value_length(a).to_numpy(zero_copy_only=False).astype(np.int64)
    lb = pc.list_value_length(b).to_numpy(zero_copy_only=False).astype(np.int64)
    va = pc.list_flatten(a).to_numpy(zero_copy_only=False).astype(np.uint64)
    vb = pc.list_flatten(b).to_numpy(zero_copy_only=False).astype(np.uint64)
    rows = np.arange(n, dtype=np.uint64)
    keys = np.concatenate([(np.repeat(rows, la) << np.uint64(32)) | va, (np.repeat(rows, lb) << np.uint64(32)) | vb])
    keys.sort()
    same = np.flatnonzero(keys[1:] == keys[:-1])
    inter = np.bincount((keys[same] >> np.uint64(32)).astype(np.int64), minlength=n)
    union = la + lb - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


@dataclasses.dataclass
class MinhashVerifyV(Job):
    """Candidate edges joined with v's shingles (keyed by v): the edges whose exact Jaccard >= threshold."""

    name: ClassVar[str] = "minhash_verify_v"
    key: ClassVar[str] = "node"
    reads: ClassVar[tuple[str, ...]] = ("u", "pu", "v", "pv", "su", "node", "shingles", SHARD)
    source: ClassVar[tuple[str, ...]] = ("minhash_verify_u", "minhash_shingles")
    partitions: int = 16
    threshold: float = 0.8
    max_rounds: int = 64
    candidates: int = 0  # distinct candidate pairs (minhash_verify_u's rows), for the summary
    kept_rounds: int = 8  # rounds of the check against the kept document (0: no check)

    def map(self, batch: pa.Table) -> pa.Table:
        return _join_rows(batch, "minhash_verify_u", "v", ("su",))

    def reduce(self, table: pa.Table) -> pa.Table:
        edges, sets = _split_join(table)
        if edges.num_rows == 0:
            return components.EDGE_SCHEMA.empty_table()
        j = jaccard_pairs(edges.column("su"), _lookup(sets, edges.column("v").to_numpy()))
        return edges.filter(pa.array(j >= self.threshold)).select(["u", "pu", "v", "pv"]).cast(components.EDGE_SCHEMA)

    def summary(self, artifact_rows: int, seconds: float) -> str:
        removed = self.candidates - artifact_rows
        return (f"{artifact_rows:,} of {self.candidates:,} candidate pair(s) verified (exact Jaccard >= "
                f"{self.threshold:g}); {removed:,} false positive(s) removed")

    def follow(self, out_root: str, artifact: str) -> Job | None:
        return StarRound(round=1, partitions=self.partitions, max_rounds=self.max_rounds, first=self.name,
                         kept_rounds=self.kept_rounds, threshold=self.threshold)


def _bucket_pairs(bucket: np.ndarray, node: np.ndarray, prio: np.ndarray, pair_limit: int,
                  window: int) -> tuple[np.ndarray, ...]:
    """Edges (u, pu, v, pv) within buckets: all pairs of a bucket of <= ``pair_limit`` members, else
    each member with its ``window`` predecessors in hashed-node order; v is the smaller in (prio, node)."""
    h = node.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    order = np.lexsort((node, h, bucket))
    b, n, p = bucket[order], node[order], prio[order]
    first = np.r_[True, b[1:] != b[:-1]]
    starts = np.flatnonzero(first)
    size = np.diff(np.r_[starts, len(b)])[np.cumsum(first) - 1]
    out: list[list[np.ndarray]] = [[], [], [], []]
    for d in range(1, max(pair_limit - 1, window) + 1):
        i = np.arange(d, len(b))
        j = i - d
        ok = (b[i] == b[j]) & (n[i] != n[j]) & ((size[i] <= pair_limit) | (d <= window))
        i, j = i[ok], j[ok]
        if not len(i):
            continue
        j_small = (p[j] < p[i]) | ((p[j] == p[i]) & (n[j] < n[i]))
        lo, hi = np.where(j_small, j, i), np.where(j_small, i, j)
        for k, arr in enumerate((n[hi], p[hi], n[lo], p[lo])):
            out[k].append(arr)
    return tuple(np.concatenate(a) if a else np.empty(0, np.int64) for a in out)


def _all_settled(folder: str) -> bool:
    fs, path = cfs.get_fs(folder)
    for p in sorted(fs.glob(f"{path}/part-*.parquet")):
        with fs.open(p, "rb") as f:
            col = pq.read_table(f, columns=["settled"]).column("settled")
        if len(col) and not pc.all(col).as_py():
            return False
    return True


@dataclasses.dataclass
class StarRound(Job):
    """One large-star (odd rounds) or small-star (even rounds) step over the duplicate graph."""

    key: ClassVar[str] = "node"
    reads: ClassVar[tuple[str, ...]] = ("u", "pu", "v", "pv")
    round: int = 1
    max_rounds: int = 64
    partitions: int = 16
    #: The edges of round 1: ``minhash_lsh`` (candidates as they are) or ``minhash_verify_v``.
    first: str = "minhash_lsh"
    #: Rounds of the check of removed members against the kept document (``MinhashLsh.check_kept``) at
    #: ``threshold``; 0: none.
    kept_rounds: int = 0
    threshold: float = 0.8

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"minhash_cc{self.round:02d}"

    @property
    def source(self) -> str:  # type: ignore[override]
        return self.first if self.round == 1 else f"minhash_cc{self.round - 1:02d}"

    def map(self, batch: pa.Table) -> pa.Table:
        return components.symmetric(batch.select(["u", "pu", "v", "pv"]))

    def reduce(self, table: pa.Table) -> pa.Table:
        return components.star(table, large=self.round % 2 == 1)

    def summary(self, artifact_rows: int, seconds: float) -> str:
        kind = "large" if self.round % 2 == 1 else "small"
        return f"{kind}-star round {self.round}: {artifact_rows:,} edge(s)"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        if _all_settled(artifact):
            return MinhashClusters(last=self.name, partitions=self.partitions, kept_rounds=self.kept_rounds,
                                   threshold=self.threshold)
        if self.round >= self.max_rounds:
            raise RuntimeError(f"minhash: connected components did not converge in {self.max_rounds} rounds")
        return StarRound(round=self.round + 1, partitions=self.partitions, max_rounds=self.max_rounds,
                         first=self.first, kept_rounds=self.kept_rounds, threshold=self.threshold)


@dataclasses.dataclass
class MinhashClusters(Job):
    """Per cluster (a star after the last round): members, size and the kept one, routed by shard.

    Named ``minhash_clusters`` (what ``MinhashDedupFilter`` reads) unless ``kept_rounds``: then
    ``minhash_components``, and ``minhash_kept_u`` .. ``minhash_clusters`` check its members first.
    """

    key: ClassVar[str] = "cluster"
    reads: ClassVar[tuple[str, ...]] = ("u", "pu", "v", "pv")
    route: ClassVar[str | None] = "shard_index"
    last: str = "minhash_cc01"
    partitions: int = 16
    kept_rounds: int = 0
    threshold: float = 0.8

    @property
    def name(self) -> str:  # type: ignore[override]
        return "minhash_components" if self.kept_rounds else "minhash_clusters"

    @property
    def source(self) -> str:  # type: ignore[override]
        return self.last

    def map(self, batch: pa.Table) -> pa.Table:
        u, pu, v, pv = (batch.column(c).combine_chunks() for c in ("u", "pu", "v", "pv"))
        return pa.table({"node": pa.concat_arrays([u, v]), "prio": pa.concat_arrays([pu, pv]),
                         "cluster": pa.concat_arrays([v, v])})

    def reduce(self, table: pa.Table) -> pa.Table:
        t = table.group_by(["node", "prio", "cluster"]).aggregate([])
        sizes = t.group_by("cluster").aggregate([("node", "count")])
        t = t.join(sizes, "cluster")
        node = t.column("node").to_numpy()
        return pa.table({
            "shard_index": node >> 32, "row": node & _MASK32, "cluster": t.column("cluster"),
            "size": pc.cast(t.column("node_count"), pa.int32()), "keep": pc.equal(t.column("node"), t.column("cluster")),
            "prio": t.column("prio"),
        })

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"{artifact_rows:,} document(s) in near-duplicate clusters" + (
            " (connected components, before the check against the kept documents)" if self.kept_rounds else "")

    def follow(self, out_root: str, artifact: str) -> Job | None:
        if self.kept_rounds:
            return MinhashKeptU(partitions=self.partitions, threshold=self.threshold, kept_rounds=self.kept_rounds,
                                components=_artifact_rows(artifact))
        return None


# ------------------------------------------------------------------------ check against the kept
#
# Connected components chain documents: A~B and B~C put A and C in one cluster even where
# J(A, C) < threshold, and with the keep rule's document at one end of the chain the other end
# would be removed though it is no near duplicate of what is kept. With ``check_kept`` (default),
# rounds of three jobs after the components (``minhash_components``, whose cluster id is the kept
# node) check every member that would be removed against the document kept for its cluster:
#
# - ``minhash_kept_uNN``: the members to check joined with the kept document's shingle set
#   (``minhash_shingles``), keyed by the kept node: a reduce holds a partition of the kept
#   documents' sets and their members' ids, never a whole cluster's texts beyond that;
# - ``minhash_kept_vNN``: joined with the member's own set (keyed by member), their exact Jaccard;
# - ``minhash_kept_cNN`` (keyed by cluster): the members at or above the threshold are removed
#   and the kept document gets ``size`` = members removed + 1 (final rows). The members below it
#   form a sub-cluster that keeps its first member by the keep rule (``prio``, node), and the
#   others are checked against that one in the next round. A sub-cluster of one member is that
#   document alone (no cluster, size 1).
#
# The rounds stop when no member is left to check, or after ``kept_rounds`` (the members still
# unchecked then stay as their own documents: the check never removes a document below the
# threshold with what is kept). ``minhash_clusters`` (``MinhashKeptClusters``, routed by shard)
# gathers the final rows of every round. Each round is a greedy star clustering of what is left:
# the documents kept in one component are pairwise below the threshold. A member's sub-cluster
# only holds the members of its component that failed the same keeper, so near duplicates that
# fell into different sub-clusters, or that LSH never linked, both stay.

_KEPT_SCHEMA = pa.schema([("shard_index", pa.int64()), ("row", pa.int64()), ("cluster", pa.int64()),
                          ("size", pa.int32()), ("keep", pa.bool_()), ("prio", pa.int64()), ("pending", pa.bool_())])


@dataclasses.dataclass
class MinhashKeptU(Job):
    """Members to check joined with their kept document's shingles, keyed by the kept node (= cluster)."""

    key: ClassVar[str] = "node"
    reads: ClassVar[tuple[str, ...]] = ("shard_index", "row", "cluster", "prio", "keep", "pending", "node",
                                        "shingles", SHARD)
    round: int = 1
    kept_rounds: int = 8
    partitions: int = 16
    threshold: float = 0.8
    components: int = 0  # rows of minhash_components, for the final summary

    _SCHEMA: ClassVar[pa.Schema] = pa.schema([("node", pa.int64()), ("member", pa.int64()), ("prio", pa.int64()),
                                               ("shingles", SHINGLES_TYPE)])

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"minhash_kept_u{self.round:02d}"

    @property
    def _members_from(self) -> str:
        return "minhash_components" if self.round == 1 else f"minhash_kept_c{self.round - 1:02d}"

    @property
    def source(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self._members_from, "minhash_shingles")

    def map(self, batch: pa.Table) -> pa.Table:
        if batch.num_rows == 0:
            return self._SCHEMA.empty_table()
        if _source_of(batch, self._members_from):
            todo = pc.invert(batch.column("keep")) if self.round == 1 else batch.column("pending")
            t = batch.filter(todo)
            member = (t.column("shard_index").to_numpy() << 32) | t.column("row").to_numpy()
            return pa.table({"node": t.column("cluster"), "member": pa.array(member, pa.int64()),
                             "prio": t.column("prio"), "shingles": pa.nulls(t.num_rows, SHINGLES_TYPE)},
                            schema=self._SCHEMA)
        n = batch.num_rows
        return pa.table({"node": batch.column("node"), "member": pa.nulls(n, pa.int64()),
                         "prio": pa.nulls(n, pa.int64()), "shingles": batch.column("shingles")}, schema=self._SCHEMA)

    def reduce(self, table: pa.Table) -> pa.Table:
        is_member = pc.is_valid(table.column("member"))
        members = table.filter(is_member)
        sets = table.filter(pc.invert(is_member)).select(["node", "shingles"])
        return pa.table({"member": members.column("member"), "prio": members.column("prio"),
                         "cluster": members.column("node"), "sk": _lookup(sets, members.column("node").to_numpy())})

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"round {self.round}: {artifact_rows:,} member(s) to check, with the kept document's shingles"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        return MinhashKeptV(**self._args())

    def _args(self) -> dict:
        return {"round": self.round, "kept_rounds": self.kept_rounds, "partitions": self.partitions,
                "threshold": self.threshold, "components": self.components}


@dataclasses.dataclass
class MinhashKeptV(MinhashKeptU):
    """Members joined with their own shingles (keyed by member): exact Jaccard with the kept document."""

    reads: ClassVar[tuple[str, ...]] = ("member", "prio", "cluster", "sk", "node", "shingles", SHARD)
    _SCHEMA: ClassVar[pa.Schema] = pa.schema([("node", pa.int64()), ("prio", pa.int64()), ("cluster", pa.int64()),
                                               ("sk", SHINGLES_TYPE), ("shingles", SHINGLES_TYPE)])

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"minhash_kept_v{self.round:02d}"

    @property
    def source(self) -> tuple[str, ...]:  # type: ignore[override]
        return (f"minhash_kept_u{self.round:02d}", "minhash_shingles")

    def map(self, batch: pa.Table) -> pa.Table:
        n = batch.num_rows
        if n == 0:
            return self._SCHEMA.empty_table()
        if _source_of(batch, f"minhash_kept_u{self.round:02d}"):
            return pa.table({"node": batch.column("member"), "prio": batch.column("prio"),
                             "cluster": batch.column("cluster"), "sk": batch.column("sk"),
                             "shingles": pa.nulls(n, SHINGLES_TYPE)}, schema=self._SCHEMA)
        return pa.table({"node": batch.column("node"), "prio": pa.nulls(n, pa.int64()),
                         "cluster": pa.nulls(n, pa.int64()), "sk": pa.nulls(n, SHINGLES_TYPE),
                         "shingles": batch.column("shingles")}, schema=self._SCHEMA)

    def reduce(self, table: pa.Table) -> pa.Table:
        is_member = pc.is_valid(table.column("cluster"))
        members = table.filter(is_member)
        sets = table.filter(pc.invert(is_member)).select(["node", "shingles"])
        node = members.column("node").to_numpy()
        j = jaccard_pairs(members.column("sk"), _lookup(sets, node)) if len(node) else np.empty(0)
        return pa.table({"member": pa.array(node, pa.int64()), "prio": members.column("prio"),
                         "cluster": members.column("cluster"), "jaccard": pa.array(j, pa.float32()),
                         "ok": pa.array(j >= self.threshold, pa.bool_())})

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"round {self.round}: {artifact_rows:,} member(s) checked against the kept document of their cluster"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        return MinhashKeptC(**self._args())


@dataclasses.dataclass
class MinhashKeptC(MinhashKeptU):
    """Per cluster: members >= threshold with the kept document removed (final rows); the others regrouped."""

    key: ClassVar[str] = "cluster"
    reads: ClassVar[tuple[str, ...]] = ("member", "prio", "cluster", "ok")

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"minhash_kept_c{self.round:02d}"

    @property
    def source(self) -> str:  # type: ignore[override]
        return f"minhash_kept_v{self.round:02d}"

    def map(self, batch: pa.Table) -> pa.Table:
        return batch.select(["member", "prio", "cluster", "ok"])

    def reduce(self, table: pa.Table) -> pa.Table:
        member, prio, cluster = (table.column(c).to_numpy() for c in ("member", "prio", "cluster"))
        ok = table.column("ok").to_numpy(zero_copy_only=False).astype(bool)
        # final: the members at or above the threshold, and their kept document
        keepers, removed = np.unique(cluster[ok], return_counts=True)
        fin = np.r_[member[ok], keepers]
        fin_cluster = np.r_[cluster[ok], keepers]
        fin_size = np.r_[removed[np.searchsorted(keepers, cluster[ok])], removed] + 1
        fin_keep = np.r_[np.zeros(ok.sum(), bool), np.ones(len(keepers), bool)]
        # the others: per cluster, a sub-cluster kept for its first member by (prio, node)
        m, p, c = member[~ok], prio[~ok], cluster[~ok]
        order = np.lexsort((m, p, c))
        m, p, c = m[order], p[order], c[order]
        first = np.r_[True, c[1:] != c[:-1]] if len(c) else np.zeros(0, bool)
        head = np.flatnonzero(first)[np.cumsum(first) - 1] if len(c) else np.zeros(0, np.int64)
        todo = ~first
        node = np.r_[fin, m[todo]]
        return pa.table({
            "shard_index": node >> 32, "row": node & _MASK32, "cluster": np.r_[fin_cluster, m[head][todo]],
            "size": pa.array(np.r_[fin_size, np.zeros(todo.sum(), np.int64)], pa.int32()),
            "keep": np.r_[fin_keep, np.zeros(todo.sum(), bool)], "prio": np.r_[np.zeros(len(fin), np.int64), p[todo]],
            "pending": np.r_[np.zeros(len(fin), bool), np.ones(todo.sum(), bool)]}, schema=_KEPT_SCHEMA)

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"round {self.round}: {artifact_rows:,} document(s) removed, kept or left to check"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        fs, path = cfs.get_fs(artifact)
        pending = 0
        for p in sorted(fs.glob(f"{path}/part-*.parquet")):
            with fs.open(p, "rb") as f:
                pending += int(pc.sum(pq.read_table(f, columns=["pending"]).column("pending")).as_py() or 0)
        if pending and self.round < self.kept_rounds:
            return MinhashKeptU(**{**self._args(), "round": self.round + 1})
        return MinhashKeptClusters(partitions=self.partitions, threshold=self.threshold, rounds=self.round,
                                   components=self.components, unchecked=pending)


@dataclasses.dataclass
class MinhashKeptClusters(Job):
    """The clusters after the checks: the final rows of every round, routed by shard."""

    name: ClassVar[str] = "minhash_clusters"
    key: ClassVar[str] = "cluster"
    reads: ClassVar[tuple[str, ...]] = ("shard_index", "row", "cluster", "size", "keep", "pending")
    route: ClassVar[str | None] = "shard_index"
    partitions: int = 16
    threshold: float = 0.8
    rounds: int = 1
    components: int = 0  # documents in connected components (minhash_components), for the summary
    unchecked: int = 0  # members left to check after the last round, for the summary

    @property
    def source(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"minhash_kept_c{r:02d}" for r in range(1, self.rounds + 1))

    def map(self, batch: pa.Table) -> pa.Table:
        t = batch.filter(pc.invert(batch.column("pending"))) if batch.num_rows else batch
        return t.select(["shard_index", "row", "cluster", "size", "keep"])

    def reduce(self, table: pa.Table) -> pa.Table:
        return table

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return (f"{artifact_rows:,} document(s) in near-duplicate clusters after {self.rounds} round(s) of checks "
                f"against the kept document; {self.components - artifact_rows:,} of the {self.components:,} "
                f"in connected components stay as their own documents (below Jaccard {self.threshold:g} with "
                f"every kept document they were checked against; {self.unchecked:,} left unchecked)")


@dataclasses.dataclass
class MinhashDedupFilter(Stage):
    """Writes each document's cluster and cluster size; rejects all but one per cluster as ``minhash_dup``."""

    name: ClassVar[str] = "minhash_dedup"
    needs: ClassVar[tuple[str, ...]] = ("minhash_lsh", "minhash_clusters")
    columns: ClassVar[dict[str, pa.DataType]] = {CLUSTER: pa.int64(), CLUSTER_SIZE: pa.int32()}
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    def setup(self) -> None:
        self._rows: np.ndarray | None = None

    def begin_shard(self, shard: str) -> None:
        lsh, clusters = self.artifacts.get("minhash_lsh"), self.artifacts.get("minhash_clusters")
        self._rows = None
        if not lsh:
            return
        idx = shard_index(lsh, shard)
        t = read_routed(clusters, "shard_index", idx) if clusters and idx is not None else None
        if t is None:
            raise RuntimeError(f"minhash_dedup: no minhash_clusters artifact for shard {shard} in {clusters}")
        t = t.sort_by("row")
        self._rows = t.column("row").to_numpy()
        self._cluster = t.column("cluster").to_numpy()
        self._size = t.column("size").to_numpy()
        self._keep = t.column("keep").to_numpy(zero_copy_only=False)

    def process(self, batch: pa.Table) -> pa.Table:
        if self._rows is None:
            raise RuntimeError("minhash_dedup runs without the minhash artifacts for its shard")
        rows = batch.column(schema.ROW).to_numpy()
        n = len(self._rows)
        pos = np.minimum(np.searchsorted(self._rows, rows), max(n - 1, 0))
        hit = (self._rows[pos] == rows) if n else np.zeros(len(rows), bool)
        cluster = np.where(hit, self._cluster[pos], 0) if n else np.zeros(len(rows), np.int64)
        size = np.where(hit, self._size[pos], 1).astype(np.int32) if n else np.ones(len(rows), np.int32)
        drop = hit & ~self._keep[pos] if n else hit
        batch = set_column(batch, CLUSTER, pa.array(cluster, pa.int64(), mask=~hit), pa.int64())
        batch = set_column(batch, CLUSTER_SIZE, pa.array(size, pa.int32()), pa.int32())
        return reject(batch, ["minhash_dup" if d else None for d in drop])
