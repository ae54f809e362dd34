"""Websites with a high volume of PII: a job that measures it per host, a stage that drops them.

Llama 3 (section 3.1.1, "PII and safety filtering") removes "websites that contain high
volumes of PII". Redaction (the ``pii`` stage) already replaced each span with a typed
placeholder and wrote ``pii_count``; what remains is a site-level decision, which needs
every document of a host, so it is a job:

- ``PiiSites`` (job): per host, documents, PII spans and characters of text, summed over
  all shards (partitioned by a hash of the host). A host is flagged when it has at least
  ``min_docs`` documents, at least ``min_pii`` spans in all, and at least ``max_per_kchar``
  spans per 1,000 characters of text. The artifact lists the flagged hosts only.
- ``PiiSiteFilter`` (stage): rejects every document of a flagged host as ``pii_site``.

Defaults: 2 spans per 1,000 characters is about one phone number or email per short
paragraph across the whole site, far above a business site's footer contact (one or two
spans on pages of several thousand characters) and typical of people-search, leaked-list
and directory sites; ``min_pii=10`` asks for a volume, so that one short page with a few
contacts or documented test numbers does not take its site down. The website is the URL host as the reader wrote it.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate import schema
from curate.io import fs as cfs
from curate.job import Job
from curate.stage import Resources, Stage, reject

_SUMS = ("docs", "pii", "chars", "pii_docs")


def _sum_by_host(t: pa.Table) -> pa.Table:
    g = t.group_by(schema.HOST).aggregate([(c, "sum") for c in _SUMS])
    return pa.table({schema.HOST: g.column(schema.HOST), **{c: g.column(f"{c}_sum") for c in _SUMS}})


@dataclasses.dataclass
class PiiSites(Job):
    """Per-host PII volume over the whole corpus; the artifact lists hosts over the limit."""

    name: ClassVar[str] = "pii_sites"
    key: ClassVar[str] = schema.HOST
    reads: ClassVar[tuple[str, ...]] = (schema.HOST, "pii_count", schema.TEXT)

    max_per_kchar: float = 2.0
    min_pii: int = 10
    min_docs: int = 1
    partitions: int = 16

    def map(self, batch: pa.Table) -> pa.Table:
        pii = pc.fill_null(batch.column("pii_count"), 0).cast(pa.int64())
        chars = pc.fill_null(pc.utf8_length(batch.column(schema.TEXT)), 0).cast(pa.int64())
        t = pa.table({
            schema.HOST: pc.fill_null(batch.column(schema.HOST), ""),
            "docs": pa.array([1] * batch.num_rows, pa.int64()),
            "pii": pii, "chars": chars,
            "pii_docs": pc.cast(pc.greater(pii, 0), pa.int64()),
        })
        return _sum_by_host(t)

    def combine(self, table: pa.Table) -> pa.Table:
        return _sum_by_host(table)

    def reduce(self, table: pa.Table) -> pa.Table:
        t = _sum_by_host(table)
        rate = pc.divide(pc.multiply(t.column("pii").cast(pa.float64()), 1000.0),
                         pc.max_element_wise(t.column("chars"), 1).cast(pa.float64()))
        t = t.append_column("pii_per_kchar", rate)
        flag = pc.and_(pc.and_(pc.greater_equal(t.column("docs"), self.min_docs),
                               pc.greater_equal(t.column("pii"), self.min_pii)),
                       pc.greater_equal(rate, self.max_per_kchar))
        return t.filter(flag).sort_by(schema.HOST)

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return (f"{artifact_rows:,} website(s) with >= {self.max_per_kchar:g} PII per 1,000 characters "
                f"(and >= {self.min_pii} in all)")


def flagged_hosts(folder: str) -> set[str]:
    """The hosts listed in a ``pii_sites`` artifact folder."""
    fs, path = cfs.get_fs(folder)
    hosts: set[str] = set()
    for p in sorted(fs.glob(f"{path}/part-*.parquet")):
        with fs.open(p, "rb") as f:
            hosts.update(pq.read_table(f, columns=[schema.HOST]).column(schema.HOST).to_pylist())
    return hosts


@dataclasses.dataclass
class PiiSiteFilter(Stage):
    """Rejects the documents of the websites that the ``pii_sites`` job flagged, as ``pii_site``."""

    name: ClassVar[str] = "pii_site_filter"
    needs: ClassVar[tuple[str, ...]] = ("pii_sites",)
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    def setup(self) -> None:
        folder = self.artifacts.get("pii_sites")
        self._hosts = pa.array(sorted(flagged_hosts(folder)), pa.string()) if folder else None

    def process(self, batch: pa.Table) -> pa.Table:
        if self._hosts is None:
            raise RuntimeError("pii_site_filter runs without the pii_sites artifact (the runner binds it)")
        if len(self._hosts) == 0:
            return batch
        hit = pc.is_in(batch.column(schema.HOST), value_set=self._hosts)
        return reject(batch, ["pii_site" if h else None for h in pc.fill_null(hit, False).to_pylist()])
