"""What the mix reads of each document: bucket, category, quality score and band, tokens, hashes.

The planner and the builder both call ``describe(batch, ...)`` on the same Arrow batches, so a
document lands in the same bucket, band and random draw in ``curate mix plan`` and in
``curate mix build``.

Columns used when present, with what stands in when they are absent (a run without the
``quality`` phase still mixes):

- ``mix_bucket`` (general | math | code | multilingual), written by the quality phase.
  Absent or null: ``multilingual`` when ``lang`` is set and is not English, else ``general``.
- ``category`` (knowledge category). Absent or null: ``none`` (no down-weight applies).
- the quality score of the document's bucket: ``math_score`` for math, ``code_score`` for code,
  else ``roberta_quality``, else ``fasttext_quality`` (the first column present and non-null).
  No score: band ``none``; quality-ordered selection then orders those documents at random.
- ``token_count`` (Llama 3 tokens, no BOS/EOS; the ``token_kl`` stage writes it). Absent:
  counted here with tiktoken's ``encode_ordinary_batch``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from curate.hashing import fmix64

BUCKETS = ("general", "math", "code", "multilingual")
#: Quality bands: scores in [0, 1] cut into fifths, ``q4`` the best; ``none`` where no score exists.
BAND_EDGES = (0.2, 0.4, 0.6, 0.8)
BANDS = ("q0", "q1", "q2", "q3", "q4", "none")
GENERAL_QUALITY = ("roberta_quality", "fasttext_quality")
BUCKET_QUALITY = {"math": "math_score", "code": "code_score"}
#: The columns the mix may read; ``text`` only when ``token_count`` is absent (plan) or to tokenize (build).
COLUMNS = ("id", "lang", "mix_bucket", "category", "token_count", "fasttext_quality", "roberta_quality",
           "code_score", "math_score")

# Salts that make independent uniform draws from one 64-bit hash of (seed, id).
SALT_ORDER, SALT_PARTIAL, SALT_WEIGHT, SALT_VAL = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0x2545F4914F6CDD1D


@dataclass
class Docs:
    """One batch, described: arrays of equal length (one entry per document)."""

    bucket: np.ndarray  # int8 index into BUCKETS
    category: list[str]
    score: np.ndarray  # float64, NaN where no score
    band: np.ndarray  # int8 index into BANDS
    tokens: np.ndarray  # int64
    hashes: np.ndarray  # uint64, from (seed, id)

    def uniform(self, salt: int) -> np.ndarray:
        """A uniform draw in [0, 1) per document, independent for each salt, fixed by seed and id."""
        x = self.hashes ^ np.uint64(salt)
        fmix64(x)
        return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def doc_hashes(ids: list[str | None], seed: int) -> np.ndarray:
    key = seed.to_bytes(8, "little", signed=True)
    out = np.empty(len(ids), dtype=np.uint64)
    for i, d in enumerate(ids):
        out[i] = int.from_bytes(hashlib.blake2b((d or "").encode(), digest_size=8, key=key).digest(), "little")
    return out


def _col(batch: pa.Table | pa.RecordBatch, name: str):
    return batch.column(name) if name in batch.schema.names else None


def buckets_of(batch: pa.Table | pa.RecordBatch) -> np.ndarray:
    n = batch.num_rows
    lang = _col(batch, "lang")
    langs = lang.to_pylist() if lang is not None else [None] * n
    fallback = np.array([BUCKETS.index("multilingual") if (lg and lg != "en") else 0 for lg in langs], dtype=np.int8)
    given = _col(batch, "mix_bucket")
    if given is None:
        return fallback
    out = fallback.copy()
    for i, b in enumerate(given.to_pylist()):
        if b is not None:
            if b not in BUCKETS:
                raise ValueError(f"mix_bucket {b!r} is not one of {BUCKETS} (row {i})")
            out[i] = BUCKETS.index(b)
    return out


def scores_of(batch: pa.Table | pa.RecordBatch, bucket: np.ndarray) -> np.ndarray:
    n = batch.num_rows
    general = np.full(n, np.nan)
    for name in reversed(GENERAL_QUALITY):  # the first present column wins
        col = _col(batch, name)
        if col is not None:
            v = np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
            general = np.where(np.isnan(v), general, v)
    score = general.copy()
    for b, name in BUCKET_QUALITY.items():
        col = _col(batch, name)
        if col is not None:
            v = np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
            sel = (bucket == BUCKETS.index(b)) & ~np.isnan(v)
            score[sel] = v[sel]
    return np.clip(score, 0.0, 1.0)


def bands_of(score: np.ndarray) -> np.ndarray:
    band = np.searchsorted(np.array(BAND_EDGES), np.nan_to_num(score, nan=0.0), side="right").astype(np.int8)
    band[np.isnan(score)] = BANDS.index("none")
    return band


def tokens_of(batch: pa.Table | pa.RecordBatch) -> np.ndarray:
    col = _col(batch, "token_count")
    if col is not None and col.null_count == 0:
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.int64)
    from curate.tokenizer import count_tokens

    counted = np.array(count_tokens(_col(batch, "text").to_pylist()), dtype=np.int64)
    if col is None:
        return counted
    given = np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
    return np.where(np.isnan(given), counted, given).astype(np.int64)


def describe(batch: pa.Table | pa.RecordBatch, seed: int) -> Docs:
    bucket = buckets_of(batch)
    score = scores_of(batch, bucket)
    cat = _col(batch, "category")
    category = [c or "none" for c in cat.to_pylist()] if cat is not None else ["none"] * batch.num_rows
    return Docs(bucket=bucket, category=category, score=score, band=bands_of(score), tokens=tokens_of(batch),
                hashes=doc_hashes(_col(batch, "id").to_pylist(), seed))


def read_columns(schema_names: list[str], with_text: bool) -> list[str]:
    """The columns to read from a shard with these column names."""
    cols = [c for c in COLUMNS if c in schema_names]
    if with_text or "token_count" not in schema_names:
        cols.append("text")
    return cols
