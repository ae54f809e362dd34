"""Gopher quality, C4 and FineWeb document scores, vectorized over a batch.

Definitions follow datatrove 0.10's filters (``GopherQualityFilter``, ``C4QualityFilter``,
``FineWebQualityFilter``), with whitespace tokens instead of NLTK tokens (``batch.py``):

Gopher quality (Rae et al. 2021, appendix A): ``words`` (tokens that are not only
punctuation), ``mean_word_len`` (their mean length, edge punctuation stripped),
``hash_ratio`` and ``ellipsis_ratio`` (``#`` and ``...``/``…`` occurrences per token),
``bullet_lines`` (lines starting with ``•`` or ``-``), ``ellipsis_lines`` (lines ending
with ``...`` or ``…``), ``alpha_words`` (tokens holding a letter, over tokens),
``stop_words`` (distinct Gopher stop words present: the, be, to, of, and, that, have, with).

C4 (Raffel et al. 2020; tfds ``c4_utils.clean_page``; datatrove ``C4QualityFilter``): a line
is a C4 line when, stripped and without Wikipedia citation marks, it has no word over 1,000
characters, ends with terminal punctuation (``. ? ! " '``, not ``...``; only with
``terminal_punct``) and has at least 3 words. ``sentences`` counts the sentences of C4 lines
that mention neither javascript nor a policy phrase (cookies, terms of use); ``lorem_ipsum``
and ``curly_bracket`` are set when a C4 line holds "lorem ipsum" (any case) or ``{`` (the
latter in lines without javascript, as C4 orders its checks). C4 also deletes the lines that
fail; these scores do not rewrite text (the document-level rules only, as FineWeb uses C4).
Sentences are counted with a regex (terminal marks followed by a space or the line's end),
not NLTK's punkt: abbreviations (``e.g.``) count as sentence ends.

FineWeb (Penedo et al. 2024; datatrove ``FineWebQualityFilter``), over non-blank lines:
``line_punct_ratio`` (lines ending, right-stripped, with a terminal mark of any script),
``short_line_ratio`` (lines of at most 30 characters), ``char_dup_ratio`` (characters of
lines repeating an earlier line over the characters that are not newlines), ``list_ratio``
(newlines per token).
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.heuristics import batch as hb

#: Gopher's stop words (Rae et al. 2021, appendix A.1.1; datatrove ``STOP_WORDS``).
STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")
#: tfds c4_utils ``_CITATION_REGEX`` / datatrove ``CITATION_REGEX``.
CITATION = r"\[\d*\]|\[edit\]|\[citation needed\]"
#: datatrove ``POLICY_SUBSTRINGS`` (from tfds c4_utils).
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
_SENTENCE_END = "[.!?\u2026\u3002\uff01\uff1f]+[\"'\u201d\u2019)\\]]*(?:\\s|$)"


def gopher_quality(values: pa.Array) -> dict[str, np.ndarray]:
    w = hb.words(values)
    tokens = w.count()
    stripped = pc.utf8_trim(w.values, characters=hb.PUNCTUATION)
    slen = hb.as_int(pc.utf8_length(stripped))
    real = slen > 0
    n_words = w.count(real)
    mean_len = hb.ratio(w.total(slen.astype(np.float64), real), n_words)
    hashes = hb.as_int(pc.count_substring(values, "#"))
    ellipses = hb.as_int(pc.count_substring(values, "...")) + hb.as_int(pc.count_substring(values, "\u2026"))
    alpha = w.count(pc.match_substring_regex(w.values, r"\pL"))
    stop_idx = pc.index_in(pc.utf8_lower(stripped), value_set=pa.array(STOP_WORDS))
    has = hb.as_bool(pc.is_valid(stop_idx))
    stop = np.zeros(w.n_docs, dtype=np.int64)
    if has.any():
        keys = np.unique(w.parent[has] * len(STOP_WORDS) + hb.as_int(stop_idx)[has])
        stop = np.bincount(keys // len(STOP_WORDS), minlength=w.n_docs)
    ln = hb.lines(values)
    n_lines = ln.count()
    bullet = ln.count(pc.match_substring_regex(ln.values, "^\\s*[\u2022-]"))
    ell_lines = ln.count(pc.match_substring_regex(ln.values, "(?:\\.\\.\\.|\u2026)\\s*$"))
    return {
        "words": n_words.astype(np.int32),
        "mean_word_len": mean_len,
        "hash_ratio": hb.ratio(hashes, tokens),
        "ellipsis_ratio": hb.ratio(ellipses, tokens),
        "bullet_lines": hb.ratio(bullet, n_lines),
        "ellipsis_lines": hb.ratio(ell_lines, n_lines),
        "alpha_words": hb.ratio(alpha, tokens),
        "stop_words": stop.astype(np.int32),
    }


def c4(values: pa.Array, terminal_punct: bool = True, min_words_per_line: int = 3,
       max_word_length: int = 1000) -> dict[str, np.ndarray]:
    ln = hb.lines(values)
    line = pc.replace_substring_regex(pc.utf8_trim_whitespace(ln.values), CITATION, "")
    ok = np.ones(len(ln.values), dtype=bool)
    for i in np.flatnonzero(ln.lengths() > max_word_length):  # rare: look at the long lines only
        ok[i] = all(len(t) <= max_word_length for t in ln.values[int(i)].as_py().split())
    if terminal_punct:
        ok = pc.and_(ok, pc.match_substring_regex(line, r"[.?!\"']$"))
        ok = pc.and_(ok, pc.invert(pc.ends_with(line, "...")))
    n_words = pc.list_value_length(pc.utf8_split_whitespace(ln.values))
    ok = hb.as_bool(ok) & (hb.as_int(n_words) >= min_words_per_line)
    low = pc.utf8_lower(line)
    lorem = ok & hb.as_bool(pc.match_substring(low, "lorem ipsum"))
    js = ok & hb.as_bool(pc.match_substring(low, "javascript"))
    curly = ok & ~js & hb.as_bool(pc.match_substring(line, "{"))
    policy = hb.as_bool(pc.match_substring_regex(low, "|".join(re.escape(p) for p in POLICY)))
    counted = ok & ~js & ~policy
    sentences = np.maximum(hb.as_int(pc.count_substring_regex(line, _SENTENCE_END)), 1)
    return {
        "sentences": ln.total(sentences.astype(np.float64), counted).astype(np.int32),
        "lorem_ipsum": ln.count(lorem) > 0,
        "curly_bracket": ln.count(curly) > 0,
    }


def fineweb(values: pa.Array, short_line_length: int = 30) -> dict[str, np.ndarray]:
    ln = hb.lines(values)
    nonblank = hb.as_bool(pc.invert(pc.match_substring_regex(ln.values, r"^\s*$")))
    n = ln.count(nonblank)
    stops = re.escape(hb.TERMINAL_PUNCTUATION).replace("\\-", "-")
    punct = ln.count(nonblank & hb.as_bool(pc.match_substring_regex(ln.values, "[" + stops + r"]\s*$")))
    short = ln.count(nonblank & (ln.lengths() <= short_line_length))
    _, dup_chars = ln.duplicates(nonblank)
    chars = hb.as_int(pc.utf8_length(values))
    newlines = hb.as_int(pc.count_substring(values, "\n"))
    tokens = hb.as_int(pc.list_value_length(pc.utf8_split_whitespace(values)))
    return {
        "line_punct_ratio": hb.ratio(punct, n),
        "short_line_ratio": hb.ratio(short, n),
        "char_dup_ratio": hb.ratio(dup_chars, chars - newlines),
        "list_ratio": hb.ratio(newlines, tokens),
    }
