"""URL-level dedup: keep the most recent fetch of each normalized URL, over the whole run.

Llama 3 (section 3.1.1) performs "URL-level de-duplication across the entire dataset" and
keeps "the most recent version for pages corresponding to each URL". Peers keep the first
or an arbitrary copy. Two parts:

- ``UrlDedup`` (job): maps every document to (normalized URL, id, fetch_time, shard),
  partitioned by a hash of the URL, so the copies of a URL meet in one reduce wherever
  their shards and dumps were. The reduce keeps, per URL, the newest ``fetch_time``; ties
  (and null times, which lose to any time) go to the smallest ``id``, so the choice does
  not depend on task order. The artifact lists the other copies with the id that was kept,
  sorted by shard (``route``), so each shard reads only its own rows.
- ``UrlDedupFilter`` (stage): rejects those documents as ``url_dup``.

Normalization rules: ``curate.dedup.url``.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate import schema
from curate.dedup.url import normalize_url
from curate.job import SHARD, Job
from curate.runner.jobs import read_routed
from curate.stage import Resources, Stage, reject

URL_KEY = "url_key"
KEPT_ID = "kept_id"


@dataclasses.dataclass
class UrlDedup(Job):
    """The older copies of every normalized URL; the artifact is routed by shard."""

    name: ClassVar[str] = "url_dedup"
    key: ClassVar[str] = URL_KEY
    reads: ClassVar[tuple[str, ...]] = (schema.URL, schema.ID, schema.FETCH_TIME, SHARD)
    route: ClassVar[str | None] = SHARD
    partitions: int = 16

    def map(self, batch: pa.Table) -> pa.Table:
        keys = [normalize_url(u) for u in batch.column(schema.URL).to_pylist()]
        return pa.table({URL_KEY: pa.array(keys, pa.string()), schema.ID: batch.column(schema.ID),
                         schema.FETCH_TIME: batch.column(schema.FETCH_TIME), SHARD: batch.column(SHARD)})

    def reduce(self, table: pa.Table) -> pa.Table:
        t = table.sort_by([(URL_KEY, "ascending"), (schema.FETCH_TIME, "descending"), (schema.ID, "ascending")])
        keys = t.column(URL_KEY).to_numpy(zero_copy_only=False) if t.num_rows else np.array([], object)
        first = np.ones(len(keys), dtype=bool)
        if len(keys) > 1:
            first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(first)
        group = np.cumsum(first) - 1
        kept = t.column(schema.ID).take(pa.array(starts[group] if len(keys) else [], pa.int64()))
        t = t.append_column(KEPT_ID, kept)
        losers = pa.array(~first)
        return t.filter(losers).select([SHARD, schema.ID, KEPT_ID, URL_KEY, schema.FETCH_TIME])

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"{artifact_rows:,} older fetch(es) of a URL to drop"


@dataclasses.dataclass
class UrlDedupFilter(Stage):
    """Rejects the copies of a URL that the ``url_dedup`` job did not keep, as ``url_dup``."""

    name: ClassVar[str] = "url_dedup_filter"
    needs: ClassVar[tuple[str, ...]] = ("url_dedup",)
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    def setup(self) -> None:
        self._drop: pa.Array | None = None

    def begin_shard(self, shard: str) -> None:
        folder = self.artifacts.get("url_dedup")
        rows = read_routed(folder, SHARD, shard, columns=[schema.ID]) if folder else None
        self._drop = rows.column(schema.ID).combine_chunks() if rows is not None else None

    def process(self, batch: pa.Table) -> pa.Table:
        if self._drop is None:
            raise RuntimeError("url_dedup_filter runs without the url_dedup artifact for its shard")
        if len(self._drop) == 0:
            return batch
        hit = pc.fill_null(pc.is_in(batch.column(schema.ID), value_set=self._drop), False)
        return reject(batch, ["url_dup" if h else None for h in hit.to_pylist()])
