"""MinHash core: normalization, shingles, signatures, bands/rows, band keys."""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys

import numpy as np
import pytest

from curate.dedup import minhash as mh
from curate.dedup.minhash import (
    EMPTY,
    MinHasher,
    band_keys,
    bands_rows,
    estimate_jaccard,
    jaccard,
    normalize,
    normalize_array,
    s_curve,
    shingle_hashes,
)

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
         "upsilon phi chi psi omega river stone cloud paper window garden silver market engine forest").split()


def _doc(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(WORDS) + str(rng.randrange(50)).translate(str.maketrans("0123456789", "abcdefghij"))
            for _ in range(n)]


def _reference_hash(norm: str, n: int) -> list[int]:
    """Pure-Python shingle hashes of a normalized text (the polynomial, length salt and fmix64)."""
    m64 = (1 << 64) - 1
    words = norm.split(" ") if norm else []
    if not words:
        return []
    spans = [words[i:i + n] for i in range(len(words) - n + 1)] if len(words) >= n else [words]
    out = []
    for g in spans:
        b = " ".join(g).encode()
        h = 0
        for k, c in enumerate(b):
            h = (h + c * pow(mh._BASE, k, 1 << 64)) & m64
        h ^= (len(b) * int(mh._LEN_SALT)) & m64
        h ^= h >> 33
        h = (h * int(mh._M1)) & m64
        h ^= h >> 33
        h = (h * 0xC4CEB9FE1A85EC53) & m64
        h ^= h >> 33
        out.append(h)
    return out


def test_normalize():
    assert normalize("  Hello,  WORLD!\n\tIt's  ﬁne\u00a0 ") == "hello world it s fine"
    # numbers (with inner separators) become 0; unicode punctuation and spaces separate words
    assert normalize("Price: $1,299.99 on 2024-05-01 at 12:30 — “ok”…") == "price 0 on 0 at 0 ok"
    # scripts without spaces: one word per character
    assert normalize("東京タワー、高い。") == "東 京 タ ワ ー 高 い"
    assert normalize("") == "" and normalize(None) == "" and normalize(" ..; ") == ""
    # combining marks stay inside their word (Devanagari vowel signs are Mn/Mc, not punctuation)
    assert normalize("नमस्ते दुनिया") == "नमस्ते दुनिया"
    assert normalize_array(["A  b", None, "\ud800x y"]) == ["a b", "", "x y"]


def test_shingles_match_reference_and_short_docs():
    rng = random.Random(3)
    texts = [" ".join(_doc(rng, k)) for k in (0, 1, 3, 4, 5, 6, 40)] + ["Ünïcödé wörds, ﬁne. 東京 x"]
    got = shingle_hashes(texts, n=5)
    for t, h in zip(texts, got):
        assert h.tolist() == _reference_hash(normalize(t), 5)
    assert [len(h) for h in got[:7]] == [0, 1, 1, 1, 1, 2, 36]
    # fewer than n words: one shingle of all words
    assert shingle_hashes(["a b c"], n=5)[0].tolist() == _reference_hash("a b c", 5)


def test_identical_texts_identical_signatures_and_empty():
    m = MinHasher(num_perm=64, seed=7)
    s = m.signatures(["The same text, here.", "the  SAME text here", "", None, "   !!! ", "other words entirely"])
    assert s.shape == (6, 64) and s.dtype == np.uint32
    assert (s[0] == s[1]).all()
    assert (s[2:5] == EMPTY).all()
    assert not (s[5] == EMPTY).any() and (s[0] != s[5]).mean() > 0.9
    assert m.signatures([]).shape == (0, 64)


def test_estimate_close_to_exact_jaccard():
    rng = random.Random(11)
    m = MinHasher(num_perm=256, seed=1)
    errs = []
    for _ in range(40):
        base = _doc(rng, rng.randrange(200, 600))
        other = list(base)
        for _ in range(rng.randrange(1, 60)):  # substitutions, deletions, insertions
            i = rng.randrange(len(other))
            op = rng.random()
            if op < 0.4:
                other[i] = "zz" + rng.choice(WORDS)
            elif op < 0.7:
                del other[i]
            else:
                other.insert(i, "yy" + rng.choice(WORDS))
        a, b = " ".join(base), " ".join(other)
        sig = m.signatures([a, b])
        j = jaccard(a, b)
        est = float(estimate_jaccard(sig[0], sig[1]))
        sd = (j * (1 - j) / 256) ** 0.5
        assert abs(est - j) <= 4 * sd + 0.01, (j, est)
        errs.append(est - j)
    # unbiased: the mean error is within a few standard errors of 0
    assert abs(np.mean(errs)) < 0.02


def test_jaccard_exact():
    assert jaccard("a b c d e f", "a b c d e f") == 1.0
    assert jaccard("a b c d e f", "A, b. c d e f!") == 1.0
    assert jaccard("a b c d e f", "a b c d e g") == pytest.approx(1 / 3)
    assert jaccard("", "") == 1.0 and jaccard("", "a") == 0.0


def test_determinism_across_processes():
    texts = ["Deterministic hashing across processes, please.", "another document with several words in it"]
    code = ("import sys; from curate.dedup.minhash import MinHasher;"
            f"sys.stdout.write(MinHasher(num_perm=32, seed=5).signatures({texts!r}).tobytes().hex())")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2)}
    assert len(outs) == 1
    assert outs.pop() == MinHasher(num_perm=32, seed=5).signatures(texts).tobytes().hex()
    # another seed gives other permutations; pickling keeps them
    assert (MinHasher(num_perm=32, seed=6).signatures(texts) != MinHasher(num_perm=32, seed=5).signatures(texts)).any()
    m = MinHasher(num_perm=32, seed=5)
    assert (pickle.loads(pickle.dumps(m)).signatures(texts) == m.signatures(texts)).all()


def test_chunking_does_not_change_signatures():
    rng = random.Random(5)
    texts = [" ".join(_doc(rng, rng.randrange(0, 300))) for _ in range(60)]
    big = MinHasher(num_perm=16).signatures(texts)
    small = MinHasher(num_perm=16, chunk_bytes=500, block=7).signatures(texts)
    assert (big == small).all()
    one_by_one = np.vstack([MinHasher(num_perm=16).signatures([t]) for t in texts])
    assert (big == one_by_one).all()


def test_bands_rows():
    assert bands_rows(0.8, 128) == (9, 13)
    assert bands_rows(0.5, 128) == (20, 5) or bands_rows(0.5, 128)[0] > bands_rows(0.8, 128)[0]
    for t in (0.5, 0.7, 0.8, 0.9):
        b, r = bands_rows(t, 128)
        assert b * r <= 128
        # the curve's steepest point sits near the threshold
        assert abs((1 / b) ** (1 / r) - t) < 0.1
    # weighting false negatives more moves the curve left (more candidates)
    b2, r2 = bands_rows(0.8, 128, fp_weight=0.2, fn_weight=0.8)
    assert s_curve(0.8, b2, r2) > s_curve(0.8, 9, 13)
    with pytest.raises(ValueError):
        bands_rows(1.0, 128)


def test_band_keys():
    m = MinHasher(num_perm=128)
    sig = m.signatures(["one two three four five six seven", "one two three four five six seven", "x y z"])
    k = band_keys(sig, 9, 13)
    assert k.shape == (3, 9) and k.dtype == np.uint64
    assert (k[0] == k[1]).all() and not (k[0] == k[2]).any()
    assert len(set(k[0].tolist())) == 9  # the band index is part of the key
    # a band key changes when any one of its rows changes, and only that band's key
    s2 = sig.copy()
    s2[0, 13 * 4 + 5] ^= 1
    k2 = band_keys(s2, 9, 13)
    assert (k2[0] != k[0]).tolist() == [i == 4 for i in range(9)]
    with pytest.raises(ValueError):
        band_keys(sig, 10, 13)


def test_near_duplicates_become_candidates_and_distinct_do_not():
    rng = random.Random(2)
    m = MinHasher(num_perm=128)
    b, r = bands_rows(0.8, 128)
    docs = [_doc(rng, 400) for _ in range(30)]
    near = [list(d) for d in docs]
    for d in near:
        d[200] = "changed"  # one substitution: Jaccard about 0.98
    sig = m.signatures([" ".join(d) for d in docs + near])
    k = band_keys(sig, b, r)
    for i in range(30):
        assert (k[i] == k[30 + i]).any()
        assert not any((k[i] == k[j]).any() for j in range(30) if j != i)


def test_shingle_hashes_are_64_bit_and_32_bit_is_their_top_half():
    texts = ["one two three four five six seven", "alpha beta"]
    h64 = shingle_hashes(texts)
    h32 = shingle_hashes(texts, bits=32)
    assert all(h.dtype == np.uint64 for h in h64) and all(h.dtype == np.uint32 for h in h32)
    assert [(h >> np.uint64(32)).astype(np.uint32).tolist() for h in h64] == [h.tolist() for h in h32]
    assert len(set(h64[0].tolist())) == 3 and any(int(v) >= 1 << 32 for v in h64[0].tolist())
