"""MinHash signatures and LSH band keys for document-level near-duplicate removal.

Llama 3 (section 3.1.1, "De-duplication") removes near-duplicate documents with global
MinHash (Broder, "On the resemblance and containment of documents", 1997). This module is
the vectorized core that the dedup jobs build on:

- ``normalize`` / ``normalize_array``: the text that shingles are taken from.
- ``shingle_hashes``: 64-bit hashes of word n-grams (default n=5, as in datatrove and
  FineWeb), with no Python work per word or per shingle (``bits=32``: their top halves).
- ``MinHasher.signatures``: ``(n_docs, num_perm)`` uint32 MinHash signatures.
- ``bands_rows``: LSH bands ``b`` and rows ``r`` for a Jaccard threshold, from the S-curve.
- ``band_keys``: one uint64 key per band; two documents are candidates when they share one.
- ``jaccard`` / ``shingle_set``: exact Jaccard of the shingle sets, for verification.

**Normalization** (``normalize``): Unicode NFKC (Python's quick check first, so already
normalized text is not copied), lowercase; every number (a run of decimal digits with
inner ``.,:/-`` separators: ``3.14``, ``1,000``, ``12:30``, ``2024-05-01``) becomes ``0``, so
pages that differ only in dates, counters, prices or ids stay near duplicates; punctuation
and symbols (Unicode categories P and S), control characters and all Unicode whitespace
separate words and collapse to one space, trimmed; every character of a script written
without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan) becomes a word
of its own, so that such text gets character n-grams instead of one shingle per sentence.
Combining marks stay inside their word. Lowercasing and the non-ASCII rules are Arrow
kernels (RE2) over a whole batch; ASCII separators are a byte table in numpy.

**Shingle hashing**: after normalization words are separated by exactly one space, so the
n-gram of words ``i..i+n-1`` is a substring of the normalized bytes. Its hash is a
polynomial hash mod 2^64 of those bytes (odd base ``P``; with prefix sums
``C[k] = sum_{j<k} byte_j * P^j`` the substring ``[s, e)`` hashes to
``(C[e] - C[s]) * P^-s``, position independent), computed for all n-grams of a batch with
one cumulative sum, then mixed with murmur3's 64-bit finalizer together with the length:
the 64-bit shingle hash (datatrove hashes shingles to 64 bits too; datasketch to 32). Two
documents of 10,000 shingles then share a spurious hash with probability about
10^4 * 10^4 / 2^64 = 5e-12. A document with fewer than ``n`` words has one shingle, all of
its words; an empty normalized text has none. The exact-Jaccard verification of the dedup
jobs keeps the top 32 bits of each (``bits=32``), half the memory in its joins: a spurious
match there has probability about 0.02 for two documents of 10,000 shingles and moves their
Jaccard by about 2e-6. Nothing depends on Python's salted ``hash()``: signatures are
identical across processes, machines and runs.

**Permutations** (``MinHasher``): ``num_perm`` multiply-add-shift hash functions
``h_i(x) = ((a_i * x + b_i) mod 2^64) >> 32`` with ``a_i`` random odd and ``b_i`` random
64-bit numbers from ``numpy.random.default_rng(seed)`` and ``x`` the 64-bit shingle hash.
With odd ``a`` this is Dietzfelbinger et al.'s multiply-shift scheme for 64-bit keys and
32-bit outputs, 2-approximately universal (collision probability at most 2 / 2^32;
"A reliable randomized algorithm for the closest-pair problem", J. Algorithms 1997),
comparable to the ``(a*x + b) mod (2^61 - 1)`` of datasketch and datatrove, without the
64-bit modulo, which is several times slower than a multiply in numpy. A signature entry
is ``min_x h_i(x)`` (taken over the full 64-bit value, whose top 32 bits are the minimum of
``h_i``), stored as uint32; a document without shingles gets ``EMPTY`` (2^32 - 1) in every
entry. The estimate of Jaccard is the share of equal entries; its standard deviation is
``sqrt(J (1 - J) / num_perm)`` (0.035 at J = 0.8 with 128 permutations). Texts are taken
in groups of about ``chunk_bytes`` characters and shingles permuted in blocks of ``block``
rows, so memory is ``block * num_perm * 8`` bytes plus about 40 bytes per character of the
group, whatever the batch; a single text longer than ``chunk_bytes`` is processed alone
(its memory grows with it: about 400 MB for a 10 MB text).

**Bands and rows** (``bands_rows``): with ``b`` bands of ``r`` rows, two documents of
Jaccard ``s`` share at least one band key with probability ``1 - (1 - s^r)^b``, the LSH
S-curve (Leskovec, Rajaraman, Ullman, *Mining of Massive Datasets*, ch. 3.4). ``b`` and
``r`` minimize ``fp_weight * FP + fn_weight * FN``, where FP is the area under the curve
below the threshold and FN the area above it under ``1 - curve``: the method of
datasketch's ``datasketch.lsh._optimal_param`` (same defaults, 0.5/0.5), integrated
numerically here without scipy. At threshold 0.8 (computed by ``bands_rows``; "P(0.7)" is
the probability that a pair of Jaccard 0.7 becomes a candidate):

============  =====  ======  ======  ======  ======  ======  ======  ===========
num_perm      b x r  FP      FN      P(0.7)  P(0.75) P(0.8)  P(0.85) P(0.9)
============  =====  ======  ======  ======  ======  ======  ======  ===========
64            5x11   0.0262  0.0435  0.095   0.194   0.362   0.600   0.848
112           9x12   0.0332  0.0272  0.118   0.252   0.473   0.749   0.950
128 (default) 9x13   0.0253  0.0333  0.084   0.195   0.399   0.686   0.929
256           17x15  0.0260  0.0238  0.078   0.204   0.456   0.789   0.980
512           28x18  0.0188  0.0248  0.045   0.146   0.399   0.786   0.989
128, fn 0.8   12x10  0.0706  0.0093  0.291   0.501   0.744   0.928   0.994
============  =====  ======  ======  ======  ======  ======  ======  ===========

The trade-off: signature time and storage grow linearly with ``num_perm`` while the curve
steepens only slowly (doubling 128 to 256 narrows the 0.2-0.8 transition band a little).
No setting at these sizes makes the candidate step both precise and complete when many
pairs lie within +-0.1 of the threshold; datatrove's default (14 bands x 8 rows = 112,
candidate probability 0.92 at 0.8, 0.55 at 0.7) leans to recall and accepts false positives.
For a pipeline that verifies candidates (exact Jaccard, or the signature estimate), a
higher ``fn_weight`` (the last row) buys recall at the cost of more candidates to verify.

**Band keys** (``band_keys``): per band, the ``r`` uint32 entries are folded with
murmur3's finalizer, seeded with the band index, to one uint64; keys of different bands
differ, so a job can partition and group on the key alone.

Peers: datasketch (``MinHash.update_batch`` hashes each shingle with SHA-1 in Python, then
applies ``(a*x + b) mod p`` with numpy per document; ``MinHashLSH``); datatrove
(``MinhashDedupSignature``: spaCy word tokens, xxhash per 5-gram in Python, the same
permutations per document, 14x8 bands).
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.hashing import fmix64

__all__ = ["EMPTY", "MinHasher", "band_keys", "bands_rows", "estimate_jaccard", "jaccard", "normalize",
           "normalize_array", "shingle_hashes", "shingle_set", "s_curve"]

#: Signature entry of a document without shingles (empty after normalization).
EMPTY = np.uint32(0xFFFFFFFF)

_U64 = np.uint64
_M1 = _U64(0xFF51AFD7ED558CCD)
_S33 = _U64(33)
_S32 = _U64(32)
#: Base of the polynomial shingle hash (odd, so invertible mod 2^64), and its inverse.
_BASE = 0x9E3779B97F4A7C15
_BASE_INV = pow(_BASE, -1, 1 << 64)
_LEN_SALT = _U64(0x2545F4914F6CDD1D)

_NUMBER = r"\p{Nd}+(?:[.,:/\-]\p{Nd}+)*"
_UNSPACED = r"([\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}])"
#: Non-ASCII punctuation, symbols, spaces and controls (ASCII ones are mapped per byte, in numpy).
_NONASCII_SEP = (r"(?:[^\P{P}\x00-\x7F]|[^\P{S}\x00-\x7F]|[\x{80}-\x{A0}\x{1680}\x{2000}-\x{200B}\x{2028}"
                 r"\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}])+")
#: ASCII bytes that separate words: controls, space, DEL, punctuation and symbols.
_ASCII_SEP = np.zeros(256, dtype=bool)
_ASCII_SEP[:33] = True
_ASCII_SEP[127] = True
for _c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~":
    _ASCII_SEP[ord(_c)] = True


def _to_arrow(texts) -> pa.Array:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks != 1 else texts.chunk(0)
    if isinstance(texts, pa.Array):
        if pa.types.is_large_string(texts.type) or pa.types.is_string(texts.type):
            return texts
        return texts.cast(pa.string())
    texts = list(texts)
    try:
        return pa.array(texts, pa.string())
    except (UnicodeEncodeError, pa.ArrowInvalid):  # lone surrogates from a lenient decoder
        return pa.array([t.encode("utf-8", "replace").decode("utf-8") if isinstance(t, str) else t
                         for t in texts], pa.string())


def _nfkc(t) -> str:
    if not isinstance(t, str):
        return ""
    if t.isascii() or unicodedata.is_normalized("NFKC", t):
        return t
    return unicodedata.normalize("NFKC", t)


def _prenormalize(texts) -> pa.Array:
    """NFKC, lowercase, numbers, unspaced scripts and non-ASCII separators (Arrow kernels)."""
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = _to_arrow(texts).to_pylist()
    # NFKC through Python's quick check: most web text is already normalized and is not copied.
    texts = [_nfkc(t) for t in texts]
    t = pc.utf8_lower(_to_arrow(texts))
    t = pc.replace_substring_regex(t, _NUMBER, "0")
    if pc.any(pc.match_substring_regex(t, _UNSPACED)).as_py():
        t = pc.replace_substring_regex(t, _UNSPACED, r" \1 ")
    return pc.replace_substring_regex(t, _NONASCII_SEP, " ")


def _normalized_bytes(texts) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes, int64 offsets) of the normalized texts: words separated by exactly one space."""
    arr = _prenormalize(texts)
    offs = _offsets(arr)
    lo, hi = int(offs[0]), int(offs[-1])
    if hi == lo:
        return np.empty(0, np.uint8), np.zeros(len(arr) + 1, np.int64)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8, count=hi)[lo:].copy()
    offs = offs - lo
    sep = _ASCII_SEP[data]
    data[sep] = 32
    word = ~sep
    # keep word bytes and the first separator byte after a word byte of the same text ...
    first = np.zeros(len(data), dtype=bool)
    first[offs[:-1][offs[:-1] < offs[1:]]] = True
    keep = np.empty(len(data), dtype=bool)
    keep[0] = False
    np.logical_and(word[:-1], ~first[1:], out=keep[1:])
    keep |= word
    idx = np.flatnonzero(keep)
    data, offs = data[idx], np.searchsorted(idx, offs)
    # ... then drop the one separator that may end a text
    tail = offs[1:][offs[1:] > offs[:-1]] - 1
    tail = tail[data[tail] == 32]
    if len(tail):
        keep = np.ones(len(data), dtype=bool)
        keep[tail] = False
        idx = np.flatnonzero(keep)
        data, offs = data[idx], np.searchsorted(idx, offs)
    return data, offs.astype(np.int64)


def normalize_array(texts) -> list[str]:
    """Normalize a batch of texts (str sequence or Arrow string array; null = empty). See the module doc."""
    data, offs = _normalized_bytes(texts)
    raw = data.tobytes()
    return [raw[offs[i]:offs[i + 1]].decode("utf-8") for i in range(len(offs) - 1)]


def normalize(text: str | None) -> str:
    """The normalized form of one text: exactly the string whose word n-grams are hashed."""
    return normalize_array([text])[0]


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``P^j`` and ``P^-j`` mod 2^64 for ``j < n`` (n a power of two; cached up to 4 MiB of text)."""
    return _cached_powers(n) if n <= 1 << 22 else _make_powers(n)


@functools.lru_cache(maxsize=2)
def _cached_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    return _make_powers(n)


def _make_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    up = np.full(n, _BASE, dtype=_U64)
    up[0] = 1
    down = np.full(n, _BASE_INV, dtype=_U64)
    down[0] = 1
    return np.cumprod(up, dtype=_U64), np.cumprod(down, dtype=_U64)


def _offsets(arr: pa.Array) -> np.ndarray:
    """The value offsets of a (possibly sliced) string array, as int64 positions in its data buffer."""
    if len(arr) == 0:
        return np.zeros(1, np.int64)
    dt = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    raw = np.frombuffer(arr.buffers()[1], dtype=dt)
    return raw[arr.offset: arr.offset + len(arr) + 1].astype(np.int64)


def _shingles_of_normalized(data: np.ndarray, offs: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(uint64 shingle hashes, int64 text index of each), in text order, from ``_normalized_bytes``."""
    docs = len(offs) - 1
    nbytes = len(data)
    if nbytes == 0:
        return np.empty(0, _U64), np.empty(0, np.int64)
    up, down = _powers(1 << max(10, int(nbytes).bit_length()))
    csum = np.empty(nbytes + 1, dtype=_U64)
    csum[0] = 0
    np.cumsum(data.astype(_U64) * up[:nbytes], out=csum[1:])

    full = offs[:-1] < offs[1:]
    spaces = np.flatnonzero(data == 32)
    mark = np.zeros(nbytes + 1, dtype=bool)
    mark[spaces + 1] = True
    mark[offs[:-1][full]] = True
    starts = np.flatnonzero(mark)
    mark[:] = False
    mark[spaces] = True
    mark[offs[1:][full]] = True
    ends = np.flatnonzero(mark)
    words = np.zeros(docs, np.int64)
    words[full] = np.diff(np.searchsorted(starts, offs))[full]
    doc_of_word = np.repeat(np.arange(docs), words)
    first = np.zeros(docs, np.int64)
    np.cumsum(words[:-1], out=first[1:])
    pos = np.arange(len(starts), dtype=np.int64) - first[doc_of_word]
    m = words[doc_of_word]
    ok = (pos <= m - n) | ((m < n) & (pos == 0))
    gi = np.flatnonzero(ok)
    last = np.where(m[gi] >= n, gi + (n - 1), first[doc_of_word[gi]] + m[gi] - 1)
    s, e = starts[gi], ends[last]
    h = (csum[e] - csum[s]) * down[s]
    h ^= (e - s).astype(_U64) * _LEN_SALT
    fmix64(h)
    return h, doc_of_word[gi]


def shingle_hashes(texts, n: int = 5, bits: int = 64) -> list[np.ndarray]:
    """Per text, the hashes of its word ``n``-gram shingles (in text order, with repeats).

    ``bits=64``: uint64, the hashes the signatures use; ``bits=32``: their top halves as uint32.
    """
    if bits not in (32, 64):
        raise ValueError("bits must be 32 or 64")
    data, offs = _normalized_bytes(texts)
    h, d = _shingles_of_normalized(data, offs, n)
    if bits == 32:
        h = (h >> _S32).astype(np.uint32)
    return np.split(h, np.searchsorted(d, np.arange(1, len(offs) - 1)))


def shingle_set(text: str | None, n: int = 5, bits: int = 64) -> set[int]:
    """The set of shingle hashes of one text."""
    return set(shingle_hashes([text], n, bits)[0].tolist())


def jaccard(a_text: str | None, b_text: str | None, n: int = 5) -> float:
    """Exact Jaccard similarity of the shingle sets of two texts (1.0 when both are empty)."""
    a, b = shingle_set(a_text, n), shingle_set(b_text, n)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray | float:
    """MinHash estimate of Jaccard: the share of equal entries (row-wise for 2-D inputs)."""
    eq = np.asarray(sig_a) == np.asarray(sig_b)
    return eq.mean(axis=-1)


class MinHasher:
    """Vectorized MinHash over word n-gram shingles.

    ``num_perm`` hash functions (multiply-add-shift, see the module doc) drawn from
    ``seed``; ``ngram`` words per shingle. ``chunk_bytes`` bounds the normalized text hashed
    at once (a longer single document is hashed alone), ``block`` the shingle rows
    permuted at once. Cheap to pickle: parameters are re-derived from the seed.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, ngram: int = 5, chunk_bytes: int = 1 << 19,
                 block: int = 2048):
        if num_perm < 1 or ngram < 1:
            raise ValueError("num_perm and ngram must be >= 1")
        self.num_perm, self.seed, self.ngram = int(num_perm), int(seed), int(ngram)
        self.chunk_bytes, self.block = int(chunk_bytes), int(block)
        rng = np.random.default_rng(self.seed)
        self._a = rng.integers(0, 1 << 64, size=self.num_perm, dtype=_U64, endpoint=False) | _U64(1)
        self._b = rng.integers(0, 1 << 64, size=self.num_perm, dtype=_U64, endpoint=False)

    def __repr__(self) -> str:
        return f"MinHasher(num_perm={self.num_perm}, seed={self.seed}, ngram={self.ngram})"

    def __getstate__(self):
        return {k: getattr(self, k) for k in ("num_perm", "seed", "ngram", "chunk_bytes", "block")}

    def __setstate__(self, state):
        self.__init__(**state)

    def signatures(self, texts: Sequence[str | None] | pa.Array | pa.ChunkedArray | Iterable[str]) -> np.ndarray:
        """uint32 array ``(len(texts), num_perm)``; a text with no shingles gets ``EMPTY`` everywhere."""
        if isinstance(texts, (pa.Array, pa.ChunkedArray)):
            texts = texts.to_pylist()
        elif not isinstance(texts, list):
            texts = list(texts)
        out = np.full((len(texts), self.num_perm), EMPTY, dtype=np.uint32)
        # groups of about ``chunk_bytes`` characters (a longer text alone): bounded memory, warm caches
        sizes = np.fromiter((len(t) if isinstance(t, str) else 0 for t in texts), dtype=np.int64, count=len(texts))
        ends = np.cumsum(sizes)
        i = 0
        while i < len(texts):
            base = ends[i - 1] if i else 0
            j = int(np.searchsorted(ends, base + self.chunk_bytes, side="right"))
            j = min(max(j, i + 1), len(texts))
            data, offs = _normalized_bytes(texts[i:j])
            self._fill(data, offs, out[i:j])
            i = j
        return out

    def _fill(self, data: np.ndarray, offs: np.ndarray, out: np.ndarray) -> None:
        h, doc = _shingles_of_normalized(data, offs, self.ngram)
        if not len(h):
            return
        x = h[:, None]
        a, b = self._a[None, :], self._b[None, :]
        blk = self.block
        buf = np.empty((min(blk, len(h)), self.num_perm), dtype=_U64)
        for s in range(0, len(h), blk):
            e = min(s + blk, len(h))
            v = buf[: e - s]
            np.multiply(x[s:e], a, out=v)
            v += b
            d = doc[s:e]
            seg = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
            mins = (np.minimum.reduceat(v, seg, axis=0) >> _S32).astype(np.uint32)
            ids = d[seg]
            out[ids] = np.minimum(out[ids], mins)


def s_curve(s, b: int, r: int):
    """Probability that a pair of Jaccard ``s`` shares at least one of ``b`` bands of ``r`` rows."""
    return 1.0 - (1.0 - np.asarray(s, dtype=float) ** r) ** b


def _area(f, lo: float, hi: float, n: int = 1025) -> float:
    x = np.linspace(lo, hi, n)
    return float(np.trapezoid(f(x), x)) if hasattr(np, "trapezoid") else float(np.trapz(f(x), x))


def lsh_error(threshold: float, b: int, r: int) -> tuple[float, float]:
    """(false-positive area below ``threshold``, false-negative area above it) of the S-curve."""
    fp = _area(lambda s: s_curve(s, b, r), 0.0, threshold)
    fn = _area(lambda s: 1.0 - s_curve(s, b, r), threshold, 1.0)
    return fp, fn


@functools.lru_cache(maxsize=64)
def bands_rows(threshold: float = 0.8, num_perm: int = 128, fp_weight: float = 0.5,
               fn_weight: float = 0.5) -> tuple[int, int]:
    """Bands ``b`` and rows ``r`` (``b * r <= num_perm``) minimizing the weighted S-curve error areas.

    The search of datasketch's ``datasketch.lsh._optimal_param`` (all ``b``, ``r`` with
    ``b * r <= num_perm``; error ``fp_weight * FP + fn_weight * FN``); see the module doc
    for the areas and the numbers at threshold 0.8.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be in (0, 1)")
    if num_perm < 1:
        raise ValueError("num_perm must be >= 1")
    best, opt = math.inf, (1, 1)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp, fn = lsh_error(threshold, b, r)
            err = fp_weight * fp + fn_weight * fn
            if err < best - 1e-15:
                best, opt = err, (b, r)
    return opt


def band_keys(signatures: np.ndarray, b: int, r: int) -> np.ndarray:
    """uint64 ``(n_docs, b)``: band ``k`` hashes entries ``[k*r, (k+1)*r)`` with ``k`` as the seed."""
    sig = np.asarray(signatures)
    if sig.ndim != 2:
        raise ValueError("signatures must be 2-D (n_docs, num_perm)")
    if b * r > sig.shape[1]:
        raise ValueError(f"{b} bands x {r} rows > {sig.shape[1]} signature entries")
    v = sig[:, : b * r].astype(_U64).reshape(len(sig), b, r)
    key = np.broadcast_to((np.arange(b, dtype=_U64) + _U64(1)) * _LEN_SALT, (len(sig), b)).copy()
    for j in range(r):
        key ^= v[:, :, j]
        key *= _M1
        key ^= key >> _S33
    return fmix64(key)
