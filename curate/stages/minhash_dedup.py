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
2. ``minhash_ccNN`` (jobs, as many rounds as needed): connected components by alternating
   large-star and small-star rounds (``curate.dedup.components``) until the graph is a set
   of stars, each centred on its cluster's first document.
3. ``minhash_clusters`` (job): per cluster, its members and size, routed by shard.
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
from curate.job import ROW, SHARD_INDEX, Job
from curate.runner.jobs import read_routed, shard_index
from curate.stage import Resources, Stage, reject, set_column

LANG = "lang"
CLUSTER = "minhash_cluster"
CLUSTER_SIZE = "minhash_cluster_size"
KEEP_RULES = ("newest", "longest", "first")
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
    key: ClassVar[str] = "bucket"
    reads: ClassVar[tuple[str, ...]] = (schema.TEXT, LANG, schema.FETCH_TIME, SHARD_INDEX, ROW)

    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    keep: str = "newest"
    max_rounds: int = 64
    partitions: int = 16

    def __post_init__(self) -> None:
        if self.keep not in KEEP_RULES:
            raise ValueError(f"minhash keep={self.keep!r}: use one of {KEEP_RULES}")
        self.bands, self.rows = mh.bands_rows(self.threshold, self.num_perm)

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
        head = np.flatnonzero(first)[np.cumsum(first) - 1]
        member = ~first & (node != node[head])
        edges = pa.table({"u": node[member], "pu": prio[member], "v": node[head][member], "pv": prio[head][member]},
                         schema=components.EDGE_SCHEMA)
        return edges.group_by(["u", "pu", "v", "pv"]).aggregate([]).select(["u", "pu", "v", "pv"])

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return (f"{artifact_rows:,} candidate pair(s) ({self.bands} bands x {self.rows} rows for "
                f"Jaccard >= {self.threshold:g})")

    def follow(self, out_root: str, artifact: str) -> Job | None:
        return StarRound(round=1, partitions=self.partitions, max_rounds=self.max_rounds)


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

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"minhash_cc{self.round:02d}"

    @property
    def source(self) -> str:  # type: ignore[override]
        return "minhash_lsh" if self.round == 1 else f"minhash_cc{self.round - 1:02d}"

    def map(self, batch: pa.Table) -> pa.Table:
        return components.symmetric(batch.select(["u", "pu", "v", "pv"]))

    def reduce(self, table: pa.Table) -> pa.Table:
        return components.star(table, large=self.round % 2 == 1)

    def summary(self, artifact_rows: int, seconds: float) -> str:
        kind = "large" if self.round % 2 == 1 else "small"
        return f"{kind}-star round {self.round}: {artifact_rows:,} edge(s)"

    def follow(self, out_root: str, artifact: str) -> Job | None:
        if _all_settled(artifact):
            return MinhashClusters(last=self.name, partitions=self.partitions)
        if self.round >= self.max_rounds:
            raise RuntimeError(f"minhash: connected components did not converge in {self.max_rounds} rounds")
        return StarRound(round=self.round + 1, partitions=self.partitions, max_rounds=self.max_rounds)


@dataclasses.dataclass
class MinhashClusters(Job):
    """Per cluster (a star after the last round): members, size and the kept one, routed by shard."""

    name: ClassVar[str] = "minhash_clusters"
    key: ClassVar[str] = "cluster"
    reads: ClassVar[tuple[str, ...]] = ("u", "v")
    route: ClassVar[str | None] = "shard_index"
    last: str = "minhash_cc01"
    partitions: int = 16

    @property
    def source(self) -> str:  # type: ignore[override]
        return self.last

    def map(self, batch: pa.Table) -> pa.Table:
        u, v = batch.column("u"), batch.column("v")
        return pa.table({"node": pa.concat_arrays([u.combine_chunks(), v.combine_chunks()]),
                         "cluster": pa.concat_arrays([v.combine_chunks(), v.combine_chunks()])})

    def reduce(self, table: pa.Table) -> pa.Table:
        t = table.group_by(["node", "cluster"]).aggregate([])
        sizes = t.group_by("cluster").aggregate([("node", "count")])
        t = t.join(sizes, "cluster")
        node = t.column("node").to_numpy()
        return pa.table({
            "shard_index": node >> 32, "row": node & _MASK32, "cluster": t.column("cluster"),
            "size": pc.cast(t.column("node_count"), pa.int32()), "keep": pc.equal(t.column("node"), t.column("cluster")),
        })

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"{artifact_rows:,} document(s) in near-duplicate clusters"


@dataclasses.dataclass
class MinhashDedupFilter(Stage):
    """Writes each document's cluster and cluster size; rejects all but one per cluster as ``minhash_dup``."""

    name: ClassVar[str] = "minhash_dedup"
    needs: ClassVar[tuple[str, ...]] = ("minhash_lsh",)
    columns: ClassVar[dict[str, pa.DataType]] = {CLUSTER: pa.int64(), CLUSTER_SIZE: pa.int32()}
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    def setup(self) -> None:
        self._rows: np.ndarray | None = None

    def begin_shard(self, shard: str) -> None:
        lsh = self.artifacts.get("minhash_lsh")
        self._rows = None
        if not lsh:
            return
        root = lsh.rstrip("/").rsplit("/", 2)[0]  # <out>/jobs/minhash_lsh -> <out>
        idx = shard_index(root, "minhash_lsh", shard)
        clusters = cfs.join(root, "jobs", "minhash_clusters")
        t = read_routed(clusters, "shard_index", idx) if idx is not None else None
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
