"""Thresholds over the model scores: cheap stages, so that a new threshold never reruns a model.

``quality_filter`` (``QualityFilter``) rejects a document whose ``fasttext_quality`` is under
``min_fasttext_quality`` (reason ``quality_filter:fasttext_quality``). Only documents whose
``lang`` is in ``languages`` (default ``["en"]``; empty: every language) are checked: the
default model's teacher, all-MiniLM-L6-v2, reads English, and its student scored 58% of the
dev pages (two thirds of them not English) under 0.05 against 18% of the English prose pages
(benchmarks/RESULTS.md). Documents in the ``exempt_buckets`` (default ``code`` and ``math``:
their own classifiers chose them, and the quality model was taught on prose) are not checked
either. The default, 0.02, drops 11% of the English prose dev pages (0.05: 18%; 0.1: 22%), pages
that were chosen as good examples of their kind; peers are far stricter (DCLM keeps the top 10%
of documents by its fastText score, FineWeb-Edu the documents its classifier scores 3 of 5 or
more): raise it once the corpus is large enough to afford it. A missing or null score is not
checked.

``category_filter`` (``CategoryFilter``) downsamples knowledge categories (Llama 3, section
3.1.2: over-represented categories such as arts and entertainment): ``keep`` maps a category
id to the share of its documents kept (default: every category kept whole). Which documents
are kept is decided by a hash of the document id, so a rerun keeps the same ones; the reason
is ``category_filter:<category>``. The mix planner's token budget is the other place to
balance categories.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from curate import schema
from curate.stage import Resources, Stage, reject

QUALITY = "fasttext_quality"


@dataclasses.dataclass
class QualityFilter(Stage):
    """Rejects documents of ``languages`` whose ``fasttext_quality`` is under ``min_fasttext_quality``,
    except those in ``exempt_buckets``."""

    min_fasttext_quality: float = 0.02
    languages: list[str] = dataclasses.field(default_factory=lambda: ["en"])
    exempt_buckets: list[str] = dataclasses.field(default_factory=lambda: ["code", "math"])
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    name: ClassVar[str] = "quality_filter"

    def process(self, batch: pa.Table) -> pa.Table:
        if QUALITY not in batch.column_names:
            return batch
        low = pc.fill_null(pc.less(batch.column(QUALITY), self.min_fasttext_quality), False)
        if self.languages:
            lang = batch.column("lang") if "lang" in batch.column_names else pa.nulls(batch.num_rows, pa.string())
            checked = pc.fill_null(pc.is_in(lang, value_set=pa.array(self.languages, pa.string())), False)
            low = pc.and_(low, checked)
        if "mix_bucket" in batch.column_names and self.exempt_buckets:
            exempt = pc.is_in(batch.column("mix_bucket"), value_set=pa.array(self.exempt_buckets, pa.string()))
            low = pc.and_(low, pc.invert(pc.fill_null(exempt, False)))
        reasons = pc.if_else(low, pa.scalar(f"{self.name}:{QUALITY}"), pa.scalar(None, pa.string()))
        return reject(batch, reasons.to_pylist())


def keep_fraction(doc_id: str) -> float:
    """A number in [0, 1) fixed by the document id (the same on every run and machine)."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") / 2.0 ** 64


@dataclasses.dataclass
class CategoryFilter(Stage):
    """Keeps the share ``keep[category]`` of each listed category's documents (chosen by id hash)."""

    keep: dict[str, float] = dataclasses.field(default_factory=dict)
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    name: ClassVar[str] = "category_filter"

    def setup(self) -> None:
        for cat, share in self.keep.items():
            if not 0.0 <= float(share) <= 1.0:
                raise ValueError(f"category_filter: keep share of {cat!r} must be within [0, 1], not {share!r}")

    def process(self, batch: pa.Table) -> pa.Table:
        if not self.keep or "category" not in batch.column_names:
            return batch
        cats = batch.column("category").to_pylist()
        ids = batch.column(schema.ID).to_pylist()
        reasons = [f"{self.name}:{c}" if c in self.keep and keep_fraction(str(i)) >= self.keep[c] else None
                   for c, i in zip(cats, ids)]
        return reject(batch, reasons)
