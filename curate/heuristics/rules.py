"""Thresholds → drop reasons, vectorized (numpy). Which rule applies to which document.

Every rule is ``(reason, family, scope, fails)``: ``fails`` maps the score columns (numpy) and
the thresholds to a boolean array. The first failing rule in ``RULES`` order names the
reason. ``scope`` says which documents the rule is checked on:

- ``all``: every document (any language, prose or math/code);
- ``spaced``: every language written with spaces between words (word n-grams are
  meaningless in zh, ja, th, …), math/code documents included;
- ``prose_lang``: documents in ``prose_languages`` (default English), math/code included;
- ``prose``: documents in ``prose_languages`` that the detector does not call math/code;
- ``prose_any``: documents of any language that are not math/code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Rule(NamedTuple):
    reason: str
    scope: str
    fails: Callable[[dict, dict], np.ndarray]  # (score columns, thresholds) -> failing rows

    @property
    def cols(self) -> tuple[str, ...]:
        """The score columns the rule reads."""
        return getattr(self.fails, "cols", ())


def _reads(*cols: str):
    def wrap(fn):
        fn.cols = cols
        return fn
    return wrap


def _gt(col: str, key: str):
    return _reads(col)(lambda c, t: c[col] > t[key])


def _lt(col: str, key: str):
    return _reads(col)(lambda c, t: c[col] < t[key])


def _top(n: int):
    col = f"gopher_rep_top_{n}_gram"
    return _reads(col)(lambda c, t: c[col] > float(t["top_ngram_char_frac"][str(n)]))


def _dup(n: int):
    col = f"gopher_rep_dup_{n}_gram"
    return _reads(col)(lambda c, t: c[col] > float(t["dup_ngram_char_frac"][str(n)]))


def _flag(col: str, key: str):
    return _reads(col)(lambda c, t: c[col] & bool(t[key]))


RULES: list[Rule] = [
    Rule("dirty_words", "all", _gt("dirty_word_ratio", "_dirty")),
    # Gopher repetition, in datatrove's order (paragraphs, lines, top n-grams, duplicated n-grams)
    Rule("gopher_rep:dup_para_frac", "all", _gt("gopher_rep_dup_para_frac", "dup_para_frac")),
    Rule("gopher_rep:dup_para_char_frac", "all", _gt("gopher_rep_dup_para_char_frac", "dup_para_char_frac")),
    Rule("gopher_rep:dup_line_frac", "prose_any", _gt("gopher_rep_dup_line_frac", "dup_line_frac")),
    Rule("gopher_rep:dup_line_char_frac", "prose_any", _gt("gopher_rep_dup_line_char_frac", "dup_line_char_frac")),
    *[Rule(f"gopher_rep:top_{n}_gram", "spaced", _top(n)) for n in (2, 3, 4)],
    *[Rule(f"gopher_rep:dup_{n}_gram", "spaced", _dup(n)) for n in (5, 6, 7, 8, 9, 10)],
    # Gopher quality
    Rule("gopher_quality:too_few_words", "prose_lang", _lt("gopher_quality_words", "min_words")),
    Rule("gopher_quality:too_many_words", "prose_lang", _gt("gopher_quality_words", "max_words")),
    Rule("gopher_quality:mean_word_len", "prose", _reads("gopher_quality_mean_word_len")(
        lambda c, t: (c["gopher_quality_mean_word_len"] < t["min_mean_word_len"])
        | (c["gopher_quality_mean_word_len"] > t["max_mean_word_len"]))),
    Rule("gopher_quality:hash_ratio", "prose", _gt("gopher_quality_hash_ratio", "max_symbol_word_ratio")),
    Rule("gopher_quality:ellipsis_ratio", "prose", _gt("gopher_quality_ellipsis_ratio", "max_symbol_word_ratio")),
    Rule("gopher_quality:bullet_lines", "prose_any", _gt("gopher_quality_bullet_lines", "max_bullet_lines_ratio")),
    Rule("gopher_quality:ellipsis_lines", "all", _gt("gopher_quality_ellipsis_lines", "max_ellipsis_lines_ratio")),
    Rule("gopher_quality:alpha_words", "prose", _lt("gopher_quality_alpha_words", "min_alpha_words_ratio")),
    Rule("gopher_quality:stop_words", "prose", _lt("gopher_quality_stop_words", "min_stop_words")),
    # C4 (document-level rules)
    Rule("c4:lorem_ipsum", "prose_any", _flag("c4_lorem_ipsum", "c4_lorem_ipsum")),
    Rule("c4:curly_bracket", "prose", _flag("c4_curly_bracket", "c4_curly_bracket")),
    Rule("c4:too_few_sentences", "prose", _lt("c4_sentences", "c4_min_sentences")),
    # FineWeb
    Rule("fineweb:line_punct_ratio", "prose", _lt("fineweb_line_punct_ratio", "line_punct_thr")),
    Rule("fineweb:short_line_ratio", "prose", _gt("fineweb_short_line_ratio", "short_line_thr")),
    Rule("fineweb:char_dup_ratio", "prose", _gt("fineweb_char_dup_ratio", "char_duplicates_ratio")),
    Rule("fineweb:list_ratio", "prose", _gt("fineweb_list_ratio", "new_line_ratio")),
]

def family(reason: str) -> str:
    return reason.split(":", 1)[0]


def scope_mask(scope: str, prose_lang: np.ndarray, spaced: np.ndarray, mathcode: np.ndarray) -> np.ndarray:
    if scope == "all":
        return np.ones_like(prose_lang)
    if scope == "spaced":
        return spaced
    if scope == "prose_lang":
        return prose_lang
    if scope == "prose":
        return prose_lang & ~mathcode
    if scope == "prose_any":
        return ~mathcode
    raise ValueError(scope)
