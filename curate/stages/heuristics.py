"""Heuristic filters (Llama 3, section 3.1.1): score stages, then one threshold stage.

Score stages (never reject; columns named after the stage, all computed with pyarrow
compute over the batch, per-document Python only for the word n-grams):

- ``gopher_rep`` (``GopherRepetition``): ``dup_ngram_ratio`` (the duplicated n-gram coverage
  Llama 3 names: the largest of the duplicated 5..10-gram character fractions, in practice
  the 5-gram one) and ``gopher_rep_{dup_line_frac, dup_line_char_frac, dup_para_frac,
  dup_para_char_frac, top_2_gram, top_3_gram, top_4_gram, dup_5_gram … dup_10_gram}``
  (float32; definitions in ``curate/heuristics/repetition.py``).
- ``gopher_quality`` (``GopherQuality``): ``gopher_quality_words`` and ``_stop_words`` (int32),
  ``_mean_word_len``, ``_hash_ratio``, ``_ellipsis_ratio``, ``_bullet_lines``,
  ``_ellipsis_lines``, ``_alpha_words`` (float32).
- ``c4`` (``C4Quality``): ``c4_sentences`` (int32), ``c4_lorem_ipsum``, ``c4_curly_bracket`` (bool).
- ``fineweb`` (``FineWebQuality``): ``fineweb_line_punct_ratio``, ``_short_line_ratio``,
  ``_char_dup_ratio``, ``_list_ratio`` (float32).
- ``code_math`` (``CodeMath``): ``code_math_code_lines``, ``code_math_math_spans`` (int32),
  the detector of ``curate/heuristics/mathcode.py``.

Threshold stage ``heuristic_filter`` (``HeuristicFilter``) reads those columns plus
``dirty_word_ratio`` (``dirty_words`` stage) and ``lang`` (``language`` stage) and writes the
first failing rule's reason into ``drop_reason``. Defaults are datatrove 0.10's:

- Gopher repetition (``GopherRepetitionFilter``, = Rae et al. 2021 table A1): duplicate
  line fraction > 0.30, paragraph fraction > 0.30, line char fraction > 0.20, paragraph char
  fraction > 0.20; top 2/3/4-gram > 0.20 / 0.18 / 0.16; duplicated 5..10-gram > 0.15, 0.14,
  0.13, 0.12, 0.11, 0.10.
- Gopher quality (``GopherQualityFilter``): words < 50 or > 100,000; mean word length
  outside [3, 10]; ``#`` or ellipsis per word > 0.1; bullet lines > 0.9; ellipsis-ending
  lines > 0.3; words with a letter < 0.8; distinct stop words < 2.
- C4 (``C4QualityFilter``): "lorem ipsum", ``{``, fewer than 5 sentences in C4 lines.
- FineWeb (``FineWebQualityFilter``): line punctuation ratio < 0.12, short-line (≤ 30
  chars) ratio > 0.67, duplicated-line char ratio > 0.01, newlines per word > 0.3.
- Dirty words: ``dirty_word_ratio`` > 0.03 (``dirty_words``; per-language overrides in
  ``dirty_word_ratios``). C4 drops a page on any single match (ratio > 0: set 0 for that);
  ordinary pages hold words like "sexual" or 成人 (RESULTS.md, issue 4: 58 of 1,381 dev
  pages over 0.001, 5 over 0.01, none over 0.05), so the default asks for about one word in 33.

Reasons: ``heuristics:empty`` (blank text, all documents), ``dirty_words``,
``gopher_rep:{dup_para_frac, dup_para_char_frac, dup_line_frac, dup_line_char_frac,
top_N_gram, dup_N_gram}``, ``gopher_quality:{too_few_words, too_many_words, mean_word_len,
hash_ratio, ellipsis_ratio, bullet_lines, ellipsis_lines, alpha_words, stop_words}``,
``c4:{lorem_ipsum, curly_bracket, too_few_sentences}``, ``fineweb:{line_punct_ratio,
short_line_ratio, char_dup_ratio, list_ratio}``.

Which rules apply to which document (``curate/heuristics/rules.py``):

- **Math/code documents** (``code_lines >= min_code_lines`` or ``math_spans >=
  min_math_spans``) are checked only by: empty, dirty words, duplicate paragraphs (both),
  top 2/3/4-gram and duplicated 5..10-gram (the n-gram coverage that removes logs and
  repeated content), word count (50..100,000, for prose languages) and ellipsis-ending
  lines. Not by the prose rules: ``{``, lorem ipsum, C4 sentences/terminal punctuation,
  mean word length, ``#``/ellipsis ratios, alphabetic-word ratio, stop words, bullet lines,
  duplicate lines (``}``, ``end``, ``break;`` repeat in any program), and all FineWeb rules
  (code lines are short, unpunctuated and repeat).
- **Languages not in** ``prose_languages`` (default ``["en"]``; the word lists, stop words
  and thresholds above were set on English): only the language-independent rules: empty,
  dirty words (in the document's language), Gopher repetition (the word n-gram rules only
  for languages written with spaces, not ``no_space_languages``), bullet and ellipsis lines,
  lorem ipsum (FineWeb's 0.01 duplicated-line char ratio was set on English: prose
  languages only). A missing ``lang`` column means every document is in a prose language; ``und`` is not a prose language.
- ``disable``: reasons (``c4:curly_bracket``) or families (``fineweb``) not applied; a
  disabled family's columns need not exist.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.heuristics import batch as hb
from curate.heuristics import mathcode, quality, repetition, rules
from curate.stage import Resources, Stage, reject, set_column

LANG = "lang"
DIRTY_WORD_RATIO = "dirty_word_ratio"
DUP_NGRAM_RATIO = "dup_ngram_ratio"
CODE_LINES = "code_math_code_lines"
MATH_SPANS = "code_math_math_spans"
F32, I32, BOOL = pa.float32(), pa.int32(), pa.bool_()


def _resources() -> Resources:
    return Resources(batch_size=1024)


def _write(batch: pa.Table, prefix: str, values: dict[str, np.ndarray], types: dict[str, pa.DataType]) -> pa.Table:
    for key, arr in values.items():
        name = f"{prefix}_{key}"
        batch = set_column(batch, name, pa.array(arr, type=types[name]), types[name])
    return batch


@dataclasses.dataclass
class GopherRepetition(Stage):
    """Gopher repetition scores (Rae et al. 2021, table A1) and ``dup_ngram_ratio``.

    ``prose_only``: score the text without its LaTeX spans and code lines
    (``curate.heuristics.mathcode.prose_only``), so that repeated code structure and formula
    commands do not count as repeated content. Where removing them leaves fewer than
    ``min_prose_words`` words, the repetition scores are 0.
    """

    prose_only: bool = True
    min_prose_words: int = 20
    resources: Resources = dataclasses.field(default_factory=_resources)

    name: ClassVar[str] = "gopher_rep"
    columns: ClassVar[dict[str, pa.DataType]] = {DUP_NGRAM_RATIO: F32} | {
        f"gopher_rep_{k}": F32 for k in ("dup_line_frac", "dup_line_char_frac", "dup_para_frac",
                                         "dup_para_char_frac", *(f"top_{n}_gram" for n in repetition.TOP_NS),
                                         *(f"dup_{n}_gram" for n in repetition.DUP_NS))}

    def process(self, batch: pa.Table) -> pa.Table:
        texts = hb.texts(batch)
        if not self.prose_only:
            s = repetition.scores(texts)
        else:
            prose = mathcode.prose_only(texts)
            s = repetition.scores(prose)
            # a page that is mostly code or math leaves too few words of prose for fractions to mean
            # anything: its repetition scores are 0 (nothing repeated that the rules are about)
            words = pc.count_substring_regex(prose, r"\S+").to_numpy(zero_copy_only=False)
            had = pc.count_substring_regex(texts, r"\S+").to_numpy(zero_copy_only=False)
            tiny = (words < self.min_prose_words) & (had > words)
            if tiny.any():
                s = {k: np.where(tiny, 0, v) for k, v in s.items()}
        dup = np.max(np.stack([s[f"dup_{n}_gram"] for n in repetition.DUP_NS]), axis=0)
        batch = set_column(batch, DUP_NGRAM_RATIO, pa.array(dup.astype(np.float32), F32), F32)
        return _write(batch, self.name, s, self.columns)


@dataclasses.dataclass
class GopherQuality(Stage):
    """Gopher quality scores (Rae et al. 2021, appendix A)."""

    resources: Resources = dataclasses.field(default_factory=_resources)

    name: ClassVar[str] = "gopher_quality"
    columns: ClassVar[dict[str, pa.DataType]] = {
        "gopher_quality_words": I32, "gopher_quality_mean_word_len": F32, "gopher_quality_hash_ratio": F32,
        "gopher_quality_ellipsis_ratio": F32, "gopher_quality_bullet_lines": F32,
        "gopher_quality_ellipsis_lines": F32, "gopher_quality_alpha_words": F32, "gopher_quality_stop_words": I32}

    def process(self, batch: pa.Table) -> pa.Table:
        return _write(batch, self.name, quality.gopher_quality(hb.texts(batch)), self.columns)


@dataclasses.dataclass
class C4Quality(Stage):
    """C4's document-level scores. ``terminal_punct=False`` counts sentences in every line of
    3+ words (FineWeb ran C4's filter so, ``filter_no_terminal_punct=False``)."""

    terminal_punct: bool = True
    min_words_per_line: int = 3
    max_word_length: int = 1000
    resources: Resources = dataclasses.field(default_factory=_resources)

    name: ClassVar[str] = "c4"
    columns: ClassVar[dict[str, pa.DataType]] = {"c4_sentences": I32, "c4_lorem_ipsum": BOOL,
                                                 "c4_curly_bracket": BOOL}

    def process(self, batch: pa.Table) -> pa.Table:
        s = quality.c4(hb.texts(batch), self.terminal_punct, self.min_words_per_line, self.max_word_length)
        return _write(batch, self.name, s, self.columns)


@dataclasses.dataclass
class FineWebQuality(Stage):
    """FineWeb's quality scores (Penedo et al. 2024)."""

    short_line_length: int = 30
    resources: Resources = dataclasses.field(default_factory=_resources)

    name: ClassVar[str] = "fineweb"
    columns: ClassVar[dict[str, pa.DataType]] = {f"fineweb_{k}": F32 for k in (
        "line_punct_ratio", "short_line_ratio", "char_dup_ratio", "list_ratio")}

    def process(self, batch: pa.Table) -> pa.Table:
        return _write(batch, self.name, quality.fineweb(hb.texts(batch), self.short_line_length), self.columns)


@dataclasses.dataclass
class CodeMath(Stage):
    """Code lines and TeX spans of the extracted text (``curate/heuristics/mathcode.py``)."""

    resources: Resources = dataclasses.field(default_factory=_resources)

    name: ClassVar[str] = "code_math"
    columns: ClassVar[dict[str, pa.DataType]] = {CODE_LINES: I32, MATH_SPANS: I32}

    def process(self, batch: pa.Table) -> pa.Table:
        return _write(batch, self.name, mathcode.scores(hb.texts(batch)), self.columns)


NO_SPACE_LANGUAGES = ["zh", "ja", "th", "lo", "km", "my", "bo", "yue", "wuu"]


@dataclasses.dataclass
class HeuristicFilter(Stage):
    """Applies the heuristic thresholds to the score columns; the first failing rule is the reason.

    Defaults: datatrove 0.10's filters (module docstring). ``disable`` lists reasons or families.
    """

    # Gopher repetition (GopherRepetitionFilter defaults = Rae et al. 2021, table A1)
    dup_line_frac: float = 0.3
    dup_para_frac: float = 0.3
    dup_line_char_frac: float = 0.2
    dup_para_char_frac: float = 0.2
    top_ngram_char_frac: dict[str, float] = dataclasses.field(
        default_factory=lambda: {"2": 0.2, "3": 0.18, "4": 0.16})
    dup_ngram_char_frac: dict[str, float] = dataclasses.field(
        default_factory=lambda: {"5": 0.15, "6": 0.14, "7": 0.13, "8": 0.12, "9": 0.11, "10": 0.10})
    # Gopher quality (GopherQualityFilter defaults)
    min_words: int = 50
    max_words: int = 100_000
    min_mean_word_len: float = 3
    max_mean_word_len: float = 10
    max_symbol_word_ratio: float = 0.1
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    min_alpha_words_ratio: float = 0.8
    min_stop_words: int = 2
    # C4 (C4QualityFilter defaults)
    c4_lorem_ipsum: bool = True
    c4_curly_bracket: bool = True
    c4_min_sentences: int = 5
    # FineWeb (FineWebQualityFilter defaults)
    line_punct_thr: float = 0.12
    short_line_thr: float = 0.67
    char_duplicates_ratio: float = 0.01
    new_line_ratio: float = 0.3
    # dirty words
    dirty_word_ratio: float = 0.03
    dirty_word_ratios: dict[str, float] = dataclasses.field(default_factory=dict)
    # scope
    prose_languages: list[str] = dataclasses.field(default_factory=lambda: ["en"])
    no_space_languages: list[str] = dataclasses.field(default_factory=lambda: list(NO_SPACE_LANGUAGES))
    min_code_lines: int = 3
    min_math_spans: int = 2
    disable: list[str] = dataclasses.field(default_factory=list)
    resources: Resources = dataclasses.field(default_factory=_resources)

    name: ClassVar[str] = "heuristic_filter"
    columns: ClassVar[dict[str, pa.DataType]] = {}

    def setup(self) -> None:
        known = {r.reason for r in rules.RULES} | {rules.family(r.reason) for r in rules.RULES}
        unknown = [d for d in self.disable if d not in known]
        if unknown:
            raise ValueError(f"heuristic_filter: unknown rules in disable: {unknown}; known: {sorted(known)}")
        self._rules = [r for r in rules.RULES
                       if r.reason not in self.disable and rules.family(r.reason) not in self.disable]

    def process(self, batch: pa.Table) -> pa.Table:
        if not hasattr(self, "_rules"):
            self.setup()
        n = batch.num_rows
        cols = set(batch.column_names)
        for rule in self._rules:
            missing = [c for c in rule.cols if c not in cols]
            if missing:
                raise ValueError(f"heuristic_filter: column {missing[0]!r} missing for {rule.reason}: run the "
                                 f"stage that writes it first, or disable {rules.family(rule.reason)!r}")
        families = {rules.family(r.reason) for r in self._rules}
        langs = (pc.fill_null(batch.column(LANG), "und").to_pylist() if LANG in cols else None)
        prose = np.ones(n, bool) if langs is None else np.isin(np.array(langs, dtype=object),
                                                                list(self.prose_languages))
        spaced = np.ones(n, bool) if langs is None else ~np.isin(np.array(langs, dtype=object),
                                                                 list(self.no_space_languages))
        code = (self._col(batch, CODE_LINES) >= self.min_code_lines) if CODE_LINES in cols else np.zeros(n, bool)
        math = (self._col(batch, MATH_SPANS) >= self.min_math_spans) if MATH_SPANS in cols else np.zeros(n, bool)
        mathcode_doc = code | math
        t = dataclasses.asdict(self)
        if "dirty_words" in families:
            t["_dirty"] = np.array([self.dirty_word_ratios.get(x, self.dirty_word_ratio) for x in langs]
                                   if langs is not None else [self.dirty_word_ratio] * n)
        reasons = np.full(n, None, dtype=object)
        for rule in reversed(self._rules):  # the first rule in RULES order wins
            c = {k: self._col(batch, k) for k in rule.cols}
            fails = rule.fails(c, t) & rules.scope_mask(rule.scope, prose, spaced, mathcode_doc)
            reasons[fails] = rule.reason
        text = hb.texts(batch)
        empty = hb.as_bool(pc.match_substring_regex(text, r"^\s*$"))
        reasons[empty] = "heuristics:empty"
        return reject(batch, reasons.tolist())

    @staticmethod
    def _col(batch: pa.Table, name: str) -> np.ndarray:
        col = batch.column(name)
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if pa.types.is_boolean(col.type):
            return hb.as_bool(col)
        return np.asarray(pc.fill_null(col, 0).to_numpy(zero_copy_only=False))
