"""Gopher repetition scores (Rae et al. 2021, "Scaling Language Models", appendix A, table A1).

Per document, as datatrove's ``GopherRepetitionFilter`` computes them:

- ``dup_line_frac`` / ``dup_para_frac``: lines (paragraphs) equal to an earlier line
  (paragraph) of the document, over all lines (paragraphs). Lines are the non-blank lines;
  paragraphs are split on two or more newlines of the stripped text.
- ``dup_line_char_frac`` / ``dup_para_char_frac``: the characters of those repeats over the
  document's characters.
- ``top_{2,3,4}_gram``: characters of the most frequent word n-gram (its text, words joined by
  single spaces) times its count (ties: the longest), over the document's characters. An n-gram seen once is no
  repetition: 0 then (datatrove counts the first n-gram even when unique, which only matters
  for documents of a few words).
- ``dup_{5..10}_gram``: characters (words without separators) of the word n-grams that
  repeat an earlier n-gram, scanning left to right and jumping over a repeated n-gram as
  datatrove's ``find_all_duplicate`` does, over the document's characters.

Words are whitespace tokens (``batch.words``). N-grams are compared by a 64-bit polynomial
hash of the batch-wide word ids (``pc.dictionary_encode``), so collisions are negligible.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.heuristics import batch as hb

TOP_NS = (2, 3, 4)
DUP_NS = (5, 6, 7, 8, 9, 10)
_P = np.uint64(1_000_003)


def line_para_scores(values: pa.Array, chars: np.ndarray) -> dict[str, np.ndarray]:
    lines = hb.lines(values)
    nonblank = pc.invert(pc.match_substring_regex(lines.values, r"^\s*$"))
    n_lines = lines.count(nonblank)
    dup_l, dup_l_chars = lines.duplicates(hb.as_bool(nonblank))
    paras = hb.split(pc.utf8_trim_whitespace(values), r"\n{2,}", regex=True)
    pnonblank = hb.as_bool(pc.invert(pc.match_substring_regex(paras.values, r"^\s*$")))
    dup_p, dup_p_chars = paras.duplicates(pnonblank)
    return {
        "dup_line_frac": hb.ratio(dup_l, n_lines),
        "dup_line_char_frac": hb.ratio(dup_l_chars, chars),
        "dup_para_frac": hb.ratio(dup_p, paras.count(pnonblank)),
        "dup_para_char_frac": hb.ratio(dup_p_chars, chars),
    }


def _top_chars(h: np.ndarray, span: np.ndarray) -> int:
    """Characters of the most frequent n-gram (hashes ``h``, text lengths ``span``) times its count."""
    _, inv, counts = np.unique(h, return_inverse=True, return_counts=True)
    c = counts.max()
    if c < 2:
        return 0
    return int(c * span[counts[inv] == c].max())


def _dup_chars(h: list[int], span: list[int], n: int) -> int:
    """datatrove's ``find_all_duplicate`` over hashes: repeated n-grams, jumping n words past each."""
    seen: set[int] = set()
    add = seen.add
    rep, i, m = 0, 0, len(h)
    while i < m:
        x = h[i]
        if x in seen:
            rep += span[i]
            i += n
        else:
            add(x)
            i += 1
    return rep


def ngram_scores(values: pa.Array, chars: np.ndarray) -> dict[str, np.ndarray]:
    words = hb.words(values)
    n_docs = words.n_docs
    out = {f"top_{n}_gram": np.zeros(n_docs, np.float32) for n in TOP_NS}
    out.update({f"dup_{n}_gram": np.zeros(n_docs, np.float32) for n in DUP_NS})
    if not len(words.values):
        return out
    ids_all = hb.as_int(pc.dictionary_encode(words.values).indices).astype(np.uint64) + np.uint64(1)
    wlen_all = words.lengths()
    off = words.offsets
    for d in range(n_docs):
        s, e = off[d], off[d + 1]
        m = e - s
        if m < 2 or chars[d] <= 0:
            continue
        ids = ids_all[s:e]
        cum = np.concatenate(([0], np.cumsum(wlen_all[s:e])))
        total = float(chars[d])
        h = ids.copy()
        dup_none = False
        for n in range(2, max(DUP_NS) + 1):
            if m < n:
                break
            h = h[:-1] * _P + ids[n - 1:]  # hash of the n-gram starting at each position (wraps mod 2**64)
            span = cum[n:] - cum[:-n]  # characters without separators
            if n in TOP_NS:
                out[f"top_{n}_gram"][d] = _top_chars(h, span + (n - 1)) / total
            elif not dup_none:
                if len(np.unique(h)) == len(h):
                    dup_none = True  # no repeated n-gram: none of any longer n either
                    continue
                out[f"dup_{n}_gram"][d] = _dup_chars(h.tolist(), span.tolist(), n) / total
    return out


def scores(values: pa.Array) -> dict[str, np.ndarray]:
    """All Gopher repetition scores of a string array, float32 each."""
    chars = hb.as_int(pc.utf8_length(values))
    return line_para_scores(values, chars) | ngram_scores(values, chars)
