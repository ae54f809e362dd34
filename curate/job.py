"""The job interface: a global step over every shard of a phase, partitioned by hash.

Some decisions need the whole corpus: the PII volume of a website, the newest fetch of a
URL, MinHash clusters, line counts. A job computes them in two steps that the runner
schedules (Ray tasks, or in-process):

- ``map(batch) -> table``: per batch of one input shard, a partial result with the job's
  ``key`` column (e.g. per-host counts). The shard's partials are concatenated, passed to
  ``combine`` (default: ``reduce``'s aggregation is not assumed; identity), split into
  ``partitions`` by a stable hash of the key and written as one Parquet file per shard.
- ``reduce(table) -> table``: all partials of one partition, from every shard, to the
  artifact rows of that partition (e.g. the websites to drop).

A reduce sees one partition only, so no node holds more than about ``1/partitions`` of the
keys: raise ``partitions`` with the corpus. Artifacts land in ``jobs/<name>/part-NNNNN.parquet``;
an ordinary stage that lists the job in ``needs`` receives the folder in ``artifacts`` and
applies it. Like a stage, a job is a small dataclass, cheap to pickle, that never imports Ray.
"""

from __future__ import annotations

import zlib
from typing import ClassVar

import numpy as np
import pyarrow as pa

#: Virtual input columns: list them in ``reads`` and the map step's batches carry the shard id, the
#: shard's index in the sorted list of the job's input shards, and each row's index in its shard file
#: (the same ``_row`` that the next phase's stages see, ``curate.schema.ROW``).
SHARD = "_shard"
SHARDS = "@shards"
SHARD_INDEX = "_shard_index"
ROW = "_row"
VIRTUAL = (SHARD, SHARD_INDEX, ROW)


class Job:
    """Base class for jobs. Subclasses are dataclasses and set ``name``, ``key`` and ``reads``."""

    name: ClassVar[str] = "job"
    #: Column of the map output that partitions it.
    key: ClassVar[str] = "key"
    #: Input columns the map step reads (the rest of the shard is never loaded); ``SHARD`` adds the shard id.
    reads: ClassVar[tuple[str, ...]] = ()
    #: Set to an artifact column (e.g. ``SHARD``) to write each partition sorted by it, so that an
    #: apply stage reads only the rows of its own shard (``curate.runner.jobs.read_routed``).
    route: ClassVar[str | None] = None
    #: Read another job's artifact (its name) instead of the phase's input shards; a tuple of names reads
    #: several (a join: the map tells them apart by ``_shard``, which is ``<job>-<partition>``), and the
    #: name ``SHARDS`` stands for the phase's input shards.
    source: ClassVar[str | tuple[str, ...] | None] = None
    #: Names of the follow-up jobs this job starts (``follow``) whose artifacts a stage may name in ``needs``.
    produces: ClassVar[tuple[str, ...]] = ()
    partitions: int = 16

    def follow(self, out_root: str, artifact: str) -> Job | None:
        """After this job finished (its artifact folder given): a job to run next, or None.

        Iterative algorithms (connected components) return their next round here.
        """
        return None

    def map(self, batch: pa.Table) -> pa.Table:
        raise NotImplementedError

    def combine(self, table: pa.Table) -> pa.Table:
        """Shrink one shard's concatenated map output before it is written (default: as is)."""
        return table

    def reduce(self, table: pa.Table) -> pa.Table:
        raise NotImplementedError

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"{artifact_rows:,} artifact rows"

    def fingerprint(self) -> str:
        return f"{self.name}:{self!r}"


def partition_of(keys: pa.Array | pa.ChunkedArray, n: int) -> np.ndarray:
    """A stable partition in [0, n) per key: CRC-32 of strings, a mixed hash of integers.

    Stable across processes and Python versions (``hash()`` is salted per process).
    """
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if pa.types.is_integer(keys.type):
        x = keys.fill_null(0).to_numpy(zero_copy_only=False).astype(np.uint64)
        x = (x ^ (x >> np.uint64(33))) * np.uint64(0xFF51AFD7ED558CCD)  # murmur3 finalizer step
        x ^= x >> np.uint64(33)
        return (x % np.uint64(n)).astype(np.int32)
    return np.fromiter((zlib.crc32((k or "").encode("utf-8", "surrogatepass")) % n for k in keys.to_pylist()),
                       dtype=np.int32, count=len(keys))
