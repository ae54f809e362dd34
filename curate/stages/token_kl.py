"""Token-distribution KL divergence: documents with too many outlier tokens versus the corpus.

Llama 3 (section 3.1.1, "Heuristic filtering"): "We use a token-distribution Kullback-Leibler
divergence to filter out documents containing excessive numbers of outlier tokens compared
to the training corpus distribution." The paper gives no formula, so this module fixes one:

- ``TokenDistribution`` (job ``token_dist``): the corpus unigram distribution of Llama 3 tokens
  (``curate.tokenizer``). Map: token-id counts over a deterministic sample of the documents, a
  document being in the sample when ``blake2b(id) / 2**64 < sample_rate`` (the same documents on
  every run, runner and machine; ``sample_rate=1`` counts every document, right for a small
  corpus; the default 0.1 still sees ~10^8 tokens per 10^6 documents, far more than 128,256
  probabilities need). Per language: the design runs heuristics per language, and against a
  pooled multilingual distribution every document of a minority language is an "outlier" (on
  the dev WARC the 25 highest KLs were then all Persian, Russian, Korean, Japanese... news), so
  with ``by_lang=True`` (default) the counts are kept per ``lang`` column value. Key: the token
  id (int64); combine and reduce sum the counts per (lang, token); artifact rows ``(lang string,
  token int64, count int64)`` in ``jobs/token_dist/part-NNNNN.parquet`` (``lang`` is "" with
  ``by_lang=False``). ``reference`` (a Parquet file or folder of ``[lang,] token, count`` rows,
  e.g. the artifact of a bigger run) is used instead of the corpus: the map tokenizes nothing.
  After it, a follow-up job ``token_kl_hist`` (``TokenKLHistogram``, one partition) computes the
  KL of the same sampled documents against the finished distribution and writes a fixed-bin
  histogram (``bin_width`` nats): the corpus percentiles that ``TokenKLPercentileFilter`` uses,
  in bounded memory whatever the corpus size. ``kl_quantiles=False`` skips it.

- ``TokenKL`` (stage ``token_kl``, needs ``token_dist``): per document, with ``c_t`` the count of
  token ``t`` in the document, ``n = sum c_t``, ``p_t = c_t / n`` and the corpus distribution
  smoothed by add-k (``k = smoothing``, default 0.5, over the full vocabulary ``V = 128,256``):
  ``q_t = (C_t + k) / (N + k V)`` where ``C_t`` are the artifact's counts and ``N`` their sum,

      token_kl = KL(p || q) = sum_{t: c_t > 0} p_t ln(p_t / q_t)        (nats, >= 0)

  ``q`` is the distribution of the document's ``lang`` when that language has at least
  ``min_lang_tokens`` sampled tokens (default 100,000), else the pooled distribution of all
  languages when ``fallback="pooled"``, else (default ``fallback="none"``) no KL: null, never
  rejected, since too small a sample says nothing about what is rare in that language.
  Smoothing keeps the KL finite when a document has a token the sample never saw (that token
  then has ``q_t = k / (N + kV)``, the rarest possible). ``token_outlier_ratio`` is the share of
  the document's tokens with ``q_t < outlier_prob`` (default 1e-6: rarer than one in a million
  corpus tokens; for a corpus sample of fewer than ~10^6 tokens every unseen token is such an
  outlier). ``token_count`` (int32) is the document's Llama 3 token count (no BOS/EOS), which the
  data-mix step reuses. Empty text: ``token_count = 0`` and null KL and ratio. Never rejects.

- ``TokenKLFilter`` (stage ``token_kl_filter``): rejects ``token_kl > max_kl`` as ``token_kl``
  and, when set, ``token_outlier_ratio > max_outlier_ratio`` as ``token_outlier_ratio``; documents
  with fewer than ``min_tokens`` tokens are never rejected (the KL of a short document is mostly
  its small size: ``KL = cross-entropy - entropy`` and the entropy of ``n`` tokens is at most
  ``ln n``). ``TokenKLPercentileFilter`` (stage ``token_kl_pct_filter``, needs ``token_kl_hist``)
  takes the threshold as a corpus percentile from the ``token_kl_hist`` histogram instead.

Defaults, calibrated on the dev WARC and the real Common Crawl excerpt
(``benchmarks/bench_token_kl.py``, ``benchmarks/RESULTS.md``): ``MAX_KL = 4.5`` nats is above the
dev corpus' 99.5th percentile (4.36) of documents with >= ``MIN_TOKENS = 100`` tokens; it removes
PHP-error pages, mojibake spam, navigation tables and mislabelled mixed-language pages, and one
LaTeX-heavy math page (math tokens are rare on the web: exempt math/code pages by their scores).
The KL falls with length (dev median 3.1 nats at 100-300 tokens, 1.3 above 3,000).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate import schema
from curate import tokenizer as tok
from curate.io import fs as cfs
from curate.job import Job, partition_of
from curate.stage import Resources, Stage, reject, set_column

#: Default absolute KL threshold (nats) of ``TokenKLFilter``; see the module docstring.
MAX_KL = 4.5
#: Documents shorter than this (Llama 3 tokens) are never rejected on KL.
MIN_TOKENS = 100
SMOOTHING = 0.5
OUTLIER_PROB = 1e-6
SAMPLE_RATE = 0.1
MIN_LANG_TOKENS = 100_000
BIN_WIDTH = 0.001
HIST_JOB = "token_kl_hist"
LANG = "lang"


# ----------------------------------------------------------------------------- helpers

def sample_mask(ids: list[str | None], rate: float) -> np.ndarray:
    """Deterministic document sample: ``blake2b(id, 8 bytes) / 2**64 < rate`` (all when rate >= 1)."""
    if rate >= 1.0:
        return np.ones(len(ids), dtype=bool)
    if rate <= 0.0:
        return np.zeros(len(ids), dtype=bool)
    limit = int(rate * 2**64)
    return np.fromiter((int.from_bytes(hashlib.blake2b((i or "").encode("utf-8", "surrogatepass"),
                                                       digest_size=8).digest(), "little") < limit for i in ids),
                       dtype=bool, count=len(ids))


def token_counts(token_lists: list[list[int]]) -> np.ndarray:
    """Summed counts per token id (length ``VOCAB_SIZE``) of all the lists."""
    if not token_lists:
        return np.zeros(tok.VOCAB_SIZE, np.int64)
    flat = np.fromiter((t for ts in token_lists for t in ts), dtype=np.int64)
    return np.bincount(flat, minlength=tok.VOCAB_SIZE)


def _empty_counts() -> pa.Table:
    return pa.table({LANG: pa.array([], pa.string()), "token": pa.array([], pa.int64()),
                     "count": pa.array([], pa.int64())})


def _counts_table(counts: np.ndarray, lang: str = "") -> pa.Table:
    nz = np.flatnonzero(counts)
    return pa.table({LANG: pa.array([lang] * len(nz), pa.string()), "token": pa.array(nz.astype(np.int64)),
                     "count": pa.array(counts[nz].astype(np.int64))})


def _sum_by_token(t: pa.Table) -> pa.Table:
    if t.num_rows == 0:
        return _empty_counts()
    g = t.group_by([LANG, "token"]).aggregate([("count", "sum")])
    return pa.table({LANG: g.column(LANG), "token": g.column("token").cast(pa.int64()),
                     "count": g.column("count_sum").cast(pa.int64())})


def _langs(batch: pa.Table, by_lang: bool, keep: np.ndarray | None = None) -> list[str]:
    """The ``lang`` of each row ("" when not by language or absent), of the kept rows only if ``keep``."""
    if by_lang and LANG in batch.column_names:
        vals = [v or "" for v in batch.column(LANG).to_pylist()]
    else:
        vals = [""] * batch.num_rows
    return vals if keep is None else [v for v, k in zip(vals, keep) if k]


def _read_parquet_dir(url: str, columns: list[str] | None) -> pa.Table:
    """A Parquet file, or every ``part-*.parquet`` (else ``*.parquet``) in a folder."""
    fs, path = cfs.get_fs(url)
    if fs.isdir(path):
        files = sorted(fs.glob(f"{path}/part-*.parquet")) or sorted(fs.glob(f"{path}/*.parquet"))
    else:
        files = [path]
    tables = []
    for p in files:
        with fs.open(p, "rb") as f:
            tables.append(pq.read_table(f, columns=columns))
    if not tables:
        raise FileNotFoundError(f"{url}: no Parquet files")
    return pa.concat_tables(tables)


def read_counts(url: str) -> dict[str, np.ndarray]:
    """Token counts per language (each of length ``VOCAB_SIZE``, int64) of a ``token_dist`` artifact or a
    reference file (without a ``lang`` column: one distribution under "")."""
    t = _read_parquet_dir(url, None)
    if LANG not in t.column_names:
        t = t.append_column(LANG, pa.array([""] * t.num_rows, pa.string()))
    out: dict[str, np.ndarray] = {}
    for lang in sorted(set(t.column(LANG).to_pylist())):
        sub = t.filter(pc.equal(t.column(LANG), lang))
        ids = sub.column("token").to_numpy().astype(np.int64)
        cnt = sub.column("count").to_numpy().astype(np.int64)
        if len(ids) and (ids.min() < 0 or ids.max() >= tok.VOCAB_SIZE):
            raise ValueError(f"{url}: token ids outside [0, {tok.VOCAB_SIZE})")
        out[lang or ""] = np.bincount(ids, weights=cnt, minlength=tok.VOCAB_SIZE).astype(np.int64)
    return out


def log_probs(counts: np.ndarray, smoothing: float = SMOOTHING) -> np.ndarray:
    """``ln q_t`` with ``q_t = (C_t + k) / (N + k V)`` (add-k over the full Llama 3 vocabulary)."""
    if smoothing <= 0 and (counts == 0).any():
        raise ValueError("smoothing must be > 0 when some token has no count")
    c = counts.astype(np.float64) + smoothing
    return np.log(c) - np.log(c.sum())


@dataclasses.dataclass
class Distributions:
    """``ln q`` per language: ``logq[index[lang]]`` (float32 rows of ``VOCAB_SIZE``); "*" = all pooled."""

    index: dict[str, int]
    logq: np.ndarray

    def rows(self, langs: list[str], fallback: str) -> np.ndarray:
        """Row of each document's distribution, -1 where it has none."""
        pooled = self.index.get("*", -1) if fallback == "pooled" else -1
        return np.fromiter((self.index.get(lang, pooled) for lang in langs), dtype=np.int64, count=len(langs))


def distributions(counts: dict[str, np.ndarray], smoothing: float, min_lang_tokens: int) -> Distributions:
    """Smoothed log-probabilities of each language with >= ``min_lang_tokens`` tokens, and of all pooled."""
    keep = {lang: c for lang, c in counts.items() if c.sum() >= min_lang_tokens}
    pooled = sum(counts.values()) if counts else np.zeros(tok.VOCAB_SIZE, np.int64)
    names = sorted(keep) + ["*"]
    rows = [log_probs(keep[n], smoothing) for n in names[:-1]] + [log_probs(pooled, smoothing)]
    return Distributions({n: i for i, n in enumerate(names)}, np.stack(rows).astype(np.float32))


@functools.lru_cache(maxsize=4)
def _cached_distributions(url: str, smoothing: float, min_lang_tokens: int) -> Distributions:
    return distributions(read_counts(url), smoothing, min_lang_tokens)


def doc_kl(token_lists: list[list[int]], logq: np.ndarray, outlier_logp: float,
           rows: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Per document: KL(p_doc || q) in nats, share of outlier tokens, token count (vectorized over the batch).

    ``logq``: one distribution (``VOCAB_SIZE``) or several (2-D) with ``rows`` = each document's row
    (-1: none, KL and ratio NaN). All documents' (doc, token) pairs are counted with one ``np.unique``
    over ``doc * V + token``. KL and ratio are NaN for an empty document.
    """
    n_docs = len(token_lists)
    lens = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=n_docs)
    kl = np.full(n_docs, np.nan)
    ratio = np.full(n_docs, np.nan)
    if logq.ndim == 1:
        logq = logq[None, :]
        rows = np.zeros(n_docs, np.int64)
    has = (lens > 0) & (rows >= 0)
    if not has.all():  # leave out the documents without a distribution
        token_lists = [t if h else [] for t, h in zip(token_lists, has)]
        lens_used = np.where(has, lens, 0)
    else:
        lens_used = lens
    total = int(lens_used.sum())
    if total == 0:
        return kl, ratio, lens
    flat = np.fromiter((t for ts in token_lists for t in ts), dtype=np.int64, count=total)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lens_used)
    pairs, cnt = np.unique(doc * tok.VOCAB_SIZE + flat, return_counts=True)
    d, t = np.divmod(pairs, tok.VOCAB_SIZE)
    n = lens[d].astype(np.float64)
    p = cnt / n
    lq = logq[rows[d], t].astype(np.float64)
    kl_sum = np.bincount(d, weights=p * (np.log(p) - lq), minlength=n_docs)
    out_sum = np.bincount(d, weights=cnt * (lq < outlier_logp), minlength=n_docs)
    kl[has] = np.maximum(kl_sum[has], 0.0)
    ratio[has] = out_sum[has] / lens[has]
    return kl, ratio, lens


# ----------------------------------------------------------------------------- the jobs

@functools.lru_cache(maxsize=64)
def _probe_tokens(partitions: int) -> np.ndarray:
    """One token id per partition (the smallest that hashes there): every partition's reduce sees a row."""
    ids = np.arange(tok.VOCAB_SIZE, dtype=np.int64)
    part = partition_of(pa.array(ids), partitions)
    present, first = np.unique(part, return_index=True)
    if len(present) != partitions:
        raise ValueError(f"token_dist: {partitions} partitions leave some empty; use fewer")
    return ids[first]


@dataclasses.dataclass
class TokenDistribution(Job):
    """Corpus unigram distribution of Llama 3 tokens over a deterministic sample; artifact ``(token, count)``."""

    name: ClassVar[str] = "token_dist"
    produces: ClassVar[tuple[str, ...]] = (HIST_JOB,)
    key: ClassVar[str] = "token"

    sample_rate: float = SAMPLE_RATE
    reference: str | None = None
    by_lang: bool = True
    kl_quantiles: bool = True
    smoothing: float = SMOOTHING
    min_lang_tokens: int = MIN_LANG_TOKENS
    fallback: str = "none"
    min_tokens: int = MIN_TOKENS
    bin_width: float = BIN_WIDTH
    partitions: int = 4

    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return (schema.ID, schema.TEXT, LANG) if self.by_lang else (schema.ID, schema.TEXT)

    def map(self, batch: pa.Table) -> pa.Table:
        if self.reference is not None or batch.num_rows == 0:
            return _empty_counts()
        keep = sample_mask(batch.column(schema.ID).to_pylist(), self.sample_rate)
        texts = [t for t, k in zip(batch.column(schema.TEXT).to_pylist(), keep) if k]
        langs = _langs(batch, self.by_lang, keep)
        ids = tok.encode_batch(texts)
        parts = [_counts_table(token_counts([t for t, lg in zip(ids, langs) if lg == lang]), lang)
                 for lang in sorted(set(langs))]
        return pa.concat_tables(parts) if parts else _empty_counts()

    def combine(self, table: pa.Table) -> pa.Table:
        # zero-count probes: each partition's reduce gets a row, so that it knows its partition
        probes = pa.table({LANG: pa.array([""] * self.partitions, pa.string()),
                           "token": pa.array(_probe_tokens(self.partitions)),
                           "count": pa.array(np.zeros(self.partitions, np.int64))})
        return _sum_by_token(pa.concat_tables([table, probes]))

    def reduce(self, table: pa.Table) -> pa.Table:
        order = [(LANG, "ascending"), ("token", "ascending")]
        if self.reference is not None:
            if table.num_rows == 0:
                return _sum_by_token(table)
            p = int(partition_of(table.column("token").slice(0, 1), self.partitions)[0])
            ref = pa.concat_tables([_counts_table(c, lang) for lang, c in sorted(read_counts(self.reference).items())])
            return ref.filter(pa.array(partition_of(ref.column("token"), self.partitions) == p)).sort_by(order)
        t = _sum_by_token(table)
        return t.filter(pc.greater(t.column("count"), 0)).sort_by(order)

    def follow(self, out_root: str, artifact: str) -> Job | None:
        if not self.kl_quantiles:
            return None
        return TokenKLHistogram(dist=artifact, sample_rate=self.sample_rate, by_lang=self.by_lang,
                                smoothing=self.smoothing, min_lang_tokens=self.min_lang_tokens,
                                fallback=self.fallback, min_tokens=self.min_tokens, bin_width=self.bin_width)

    def summary(self, artifact_rows: int, seconds: float) -> str:
        src = f"reference {self.reference}" if self.reference else f"{self.sample_rate:g} of the documents"
        per = " per language" if self.by_lang else ""
        return f"{artifact_rows:,} (lang, token) counts{per} ({src})"


@dataclasses.dataclass
class TokenKLHistogram(Job):
    """KL of the sampled documents (>= ``min_tokens``) against the finished ``token_dist``: a histogram.

    Run by ``TokenDistribution.follow`` with its parameters. Artifact rows ``(lang string, bin int64,
    count int64)``: ``bin = floor(KL / bin_width)``, KL in nats, clipped to ``max_bin``; one partition
    (at most ``languages x (max_bin + 1)`` rows, whatever the corpus size).
    """

    name: ClassVar[str] = HIST_JOB
    key: ClassVar[str] = "bin"

    dist: str = ""
    sample_rate: float = SAMPLE_RATE
    by_lang: bool = True
    smoothing: float = SMOOTHING
    min_lang_tokens: int = MIN_LANG_TOKENS
    fallback: str = "none"
    min_tokens: int = MIN_TOKENS
    bin_width: float = BIN_WIDTH
    max_bin: int = 50_000
    partitions: int = 1

    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return (schema.ID, schema.TEXT, LANG) if self.by_lang else (schema.ID, schema.TEXT)

    def map(self, batch: pa.Table) -> pa.Table:
        empty = _empty_bins()
        if batch.num_rows == 0:
            return empty
        keep = sample_mask(batch.column(schema.ID).to_pylist(), self.sample_rate)
        texts = [t for t, k in zip(batch.column(schema.TEXT).to_pylist(), keep) if k]
        if not texts:
            return empty
        langs = _langs(batch, self.by_lang, keep)
        dists = _cached_distributions(self.dist, self.smoothing, self.min_lang_tokens)
        kl, _, lens = doc_kl(tok.encode_batch(texts), dists.logq, -np.inf, dists.rows(langs, self.fallback))
        ok = (lens >= max(self.min_tokens, 1)) & ~np.isnan(kl)
        bins = np.minimum(np.floor(kl[ok] / self.bin_width), self.max_bin).astype(np.int64)
        return _sum_bins(pa.table({LANG: pa.array([lg for lg, o in zip(langs, ok) if o], pa.string()),
                                   "bin": pa.array(bins), "count": pa.array(np.ones(len(bins), np.int64))}))

    def combine(self, table: pa.Table) -> pa.Table:
        return _sum_bins(table)

    def reduce(self, table: pa.Table) -> pa.Table:
        return _sum_bins(table).sort_by([(LANG, "ascending"), ("bin", "ascending")])

    def summary(self, artifact_rows: int, seconds: float) -> str:
        return f"KL histogram of the sampled documents >= {self.min_tokens} tokens ({artifact_rows:,} bins)"


def _empty_bins() -> pa.Table:
    return pa.table({LANG: pa.array([], pa.string()), "bin": pa.array([], pa.int64()),
                     "count": pa.array([], pa.int64())})


def _sum_bins(t: pa.Table) -> pa.Table:
    if t.num_rows == 0:
        return _empty_bins()
    g = t.group_by([LANG, "bin"]).aggregate([("count", "sum")])
    return pa.table({LANG: g.column(LANG), "bin": g.column("bin").cast(pa.int64()),
                     "count": g.column("count_sum").cast(pa.int64())})


def kl_percentiles(hist_folder: str, percentile: float, bin_width: float = BIN_WIDTH,
                   min_docs: int = 200) -> dict[str, float]:
    """The ``percentile`` (0..100) of the KL histogram per language with >= ``min_docs`` documents, and
    of all languages together under "*": the upper edge of the bin that holds it."""
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile {percentile} is not in [0, 100]")
    t = _read_parquet_dir(hist_folder, [LANG, "bin", "count"])
    if t.num_rows == 0:
        raise ValueError(f"{hist_folder}: empty KL histogram (no sampled document of >= min_tokens tokens)")

    def pct(sub: pa.Table) -> float:
        g = _sum_bins(sub.set_column(0, LANG, pa.array([""] * sub.num_rows, pa.string()))).sort_by("bin")
        bins = g.column("bin").to_numpy()
        cum = np.cumsum(g.column("count").to_numpy())
        i = int(np.searchsorted(cum, percentile / 100.0 * cum[-1], side="left"))
        return float((bins[min(i, len(bins) - 1)] + 1) * bin_width)

    out = {"*": pct(t)}
    for lang in sorted(set(t.column(LANG).to_pylist())):
        sub = t.filter(pc.equal(t.column(LANG), lang))
        if pc.sum(sub.column("count")).as_py() >= min_docs:
            out[lang] = pct(sub)
    return out


# ----------------------------------------------------------------------------- the stages

@dataclasses.dataclass
class TokenKL(Stage):
    """Writes ``token_kl`` (KL(doc || corpus), nats), ``token_outlier_ratio`` and ``token_count``; never rejects.

    ``smoothing``, ``min_lang_tokens`` and ``fallback`` should match the ``token_dist`` job's (the
    percentile filter's histogram is computed with the job's values).
    """

    name: ClassVar[str] = "token_kl"
    columns: ClassVar[dict[str, pa.DataType]] = {"token_kl": pa.float32(), "token_outlier_ratio": pa.float32(),
                                                 "token_count": pa.int32()}
    needs: ClassVar[tuple[str, ...]] = ("token_dist",)
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    smoothing: float = SMOOTHING
    outlier_prob: float = OUTLIER_PROB
    by_lang: bool = True
    min_lang_tokens: int = MIN_LANG_TOKENS
    fallback: str = "none"
    num_threads: int = 1
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=256))

    def setup(self) -> None:
        if self.fallback not in ("none", "pooled"):
            raise ValueError(f"token_kl: fallback must be 'none' or 'pooled', not {self.fallback!r}")
        tok.encoding()  # fail early (a missing package) and load once per worker
        folder = self.artifacts.get("token_dist")
        self._dists = _cached_distributions(folder, self.smoothing, self.min_lang_tokens) if folder else None

    def process(self, batch: pa.Table) -> pa.Table:
        if self._dists is None:
            raise RuntimeError("token_kl runs without the token_dist artifact (the runner binds it)")
        ids = tok.encode_batch(batch.column(schema.TEXT).to_pylist(), num_threads=self.num_threads)
        rows = self._dists.rows(_langs(batch, self.by_lang), self.fallback)
        kl, ratio, lens = doc_kl(ids, self._dists.logq, float(np.log(self.outlier_prob)), rows)
        nan = np.isnan(kl)
        batch = set_column(batch, "token_kl", pa.array(kl.astype(np.float32), mask=nan), pa.float32())
        batch = set_column(batch, "token_outlier_ratio", pa.array(ratio.astype(np.float32), mask=nan), pa.float32())
        return set_column(batch, "token_count", pa.array(lens.astype(np.int32)), pa.int32())


@dataclasses.dataclass
class TokenKLFilter(Stage):
    """Rejects ``token_kl > max_kl`` (and ``token_outlier_ratio > max_outlier_ratio`` when set), >= ``min_tokens``.

    A null ``token_kl`` (no distribution for the document's language, empty text) is never rejected.
    ``spare_math_code``: where the ``code_math`` stage's columns are present, a document with at
    least ``min_code_lines`` code lines or ``min_math_spans`` LaTeX spans is never rejected here:
    LaTeX and code are token outliers against a prose corpus by nature (a MathJax page of the dev
    WARC scored 4.66 nats against the 4.5 default).
    """

    name: ClassVar[str] = "token_kl_filter"
    max_kl: float | None = MAX_KL
    max_outlier_ratio: float | None = None
    min_tokens: int = MIN_TOKENS
    spare_math_code: bool = True
    min_code_lines: int = 3
    min_math_spans: int = 2
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    def limits(self, batch: pa.Table) -> np.ndarray | None:
        """The KL threshold of each row (None: no KL threshold)."""
        return None if self.max_kl is None else np.full(batch.num_rows, self.max_kl)

    def process(self, batch: pa.Table) -> pa.Table:
        n = pc.fill_null(batch.column("token_count"), 0).to_numpy(zero_copy_only=False)
        long = n >= self.min_tokens
        if self.spare_math_code:
            for col, least in (("code_math_code_lines", self.min_code_lines), ("code_math_math_spans", self.min_math_spans)):
                if col in batch.column_names:
                    long &= pc.fill_null(batch.column(col), 0).to_numpy(zero_copy_only=False) < least
        reasons: list[str | None] = [None] * batch.num_rows
        if self.max_outlier_ratio is not None:
            r = pc.fill_null(batch.column("token_outlier_ratio"), 0.0).to_numpy(zero_copy_only=False)
            for i in np.flatnonzero(long & (r > self.max_outlier_ratio)):
                reasons[i] = "token_outlier_ratio"
        limit = self.limits(batch)
        if limit is not None:
            kl = pc.fill_null(batch.column("token_kl"), 0.0).to_numpy(zero_copy_only=False)
            for i in np.flatnonzero(long & (kl > limit)):
                reasons[i] = "token_kl"
        if all(r is None for r in reasons):
            return batch
        return reject(batch, reasons)


@dataclasses.dataclass
class TokenKLPercentileFilter(TokenKLFilter):
    """``TokenKLFilter`` whose KL threshold is a corpus ``percentile`` (the ``token_kl_hist`` histogram).

    An empty histogram (no sampled document long enough, or no language with a distribution) gives
    no percentile: only ``max_kl``, when set, applies.

    The histogram is written by the follow-up job of ``token_dist`` (``kl_quantiles=True``) beside
    it (``jobs/token_kl_hist``), over the job's sampled documents of at least its ``min_tokens``. The
    threshold is per language (``by_lang``) where the histogram holds >= ``min_docs`` documents of it,
    else of all languages; ``max_kl``, when set, caps it.
    """

    name: ClassVar[str] = "token_kl_pct_filter"
    needs: ClassVar[tuple[str, ...]] = (HIST_JOB,)
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)
    percentile: float = 99.5
    by_lang: bool = True
    min_docs: int = 200
    bin_width: float = BIN_WIDTH
    max_kl: float | None = None

    def setup(self) -> None:
        hist = self.artifacts.get(HIST_JOB)
        self._limits: dict[str, float] | None = None
        if hist:
            try:
                self._limits = kl_percentiles(hist, self.percentile, self.bin_width, self.min_docs)
            except ValueError as e:  # no document had a KL (a small or unsampled corpus): no percentile
                if "empty KL histogram" not in str(e):
                    raise
                self._limits = {"*": np.inf}

    def thresholds(self) -> dict[str, float]:
        if self._limits is None:
            raise RuntimeError("token_kl_pct_filter runs without its KL histogram: no token_dist artifact's "
                               "token_kl_hist (the token_dist job starts it when kl_quantiles=True)")
        return self._limits

    def limits(self, batch: pa.Table) -> np.ndarray | None:
        lim = self.thresholds()
        pooled = lim["*"]
        out = np.array([lim.get(lg, pooled) for lg in _langs(batch, self.by_lang)], dtype=np.float64)
        return out if self.max_kl is None else np.minimum(out, self.max_kl)


__all__ = ["MAX_KL", "MIN_TOKENS", "TokenDistribution", "TokenKL", "TokenKLFilter", "TokenKLHistogram",
           "TokenKLPercentileFilter", "doc_kl", "distributions", "kl_percentiles", "log_probs", "read_counts",
           "sample_mask"]
