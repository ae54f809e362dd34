"""The data-mix bucket of every document, from the classifier scores and the language.

Llama 3 (section 3.1.2) mixes "roughly 50% of tokens corresponding to general knowledge, 25%
of mathematical and reasoning tokens, 17% code tokens, and 8% multilingual tokens"; the mix
planner (``curate mix``) samples by ``mix_bucket``. Rules, first match wins:

1. ``code``: ``code_score >= code_threshold`` (default 0.5), or, when the heuristics phase
   wrote ``code_math_code_lines``, at least ``min_code_lines`` (default 10) code lines;
2. ``math``: ``math_score >= math_threshold`` (default 0.5), or at least ``min_math_spans``
   (default 3) TeX spans in ``code_math_math_spans``;
3. ``multilingual``: ``lang`` is determined (not ``und``) and not in ``general_languages``
   (default ``["en"]``);
4. ``general``: everything else (English, and ``und``: short or mixed-language text).

Code and math come first in every language: a Stack Overflow page in Portuguese is code data.
A missing score column (the classifier stage not run) or a null score counts as 0. Never rejects.

The heuristic counts (``curate/heuristics/mathcode.py``, the ``code_math`` stage) are a second,
independent signal: the fastText students see a bag of words, so a page of prose with one long
listing, or a page whose formulas are its point, can score under the threshold. On the 1,121
ordinary dev pages (no ground truth) 1.0% have 10 code lines or more and 0.4% have 3 TeX spans
or more (``benchmarks/RESULTS.md``, issue 7); set ``min_code_lines`` / ``min_math_spans`` to
``None`` to use the scores alone.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from curate.stage import Resources, Stage, set_column
from curate.stages.heuristics import CODE_LINES, MATH_SPANS

MIX_BUCKET = "mix_bucket"
BUCKETS = ("general", "math", "code", "multilingual")


def _score(batch: pa.Table, column: str) -> pa.Array:
    if column not in batch.column_names:
        return pa.array([0.0] * batch.num_rows, pa.float32())
    return pc.fill_null(batch.column(column), 0.0)


def _signal(batch: pa.Table, score: str, threshold: float, count: str, least: int | None) -> pa.Array:
    """``score >= threshold``, or ``count >= least`` where the count column is there (nulls: 0)."""
    hit = pc.greater_equal(_score(batch, score), threshold)
    if least is None or count not in batch.column_names:
        return hit
    return pc.or_(hit, pc.greater_equal(pc.fill_null(batch.column(count), 0), least))


@dataclasses.dataclass
class MixBucket(Stage):
    """``mix_bucket`` (general | math | code | multilingual) from ``code_score``, ``math_score``, ``lang``
    and, when present, the heuristic ``code_math_code_lines`` / ``code_math_math_spans``."""

    code_threshold: float = 0.5
    math_threshold: float = 0.5
    min_code_lines: int | None = 10
    min_math_spans: int | None = 3
    general_languages: list[str] = dataclasses.field(default_factory=lambda: ["en"])
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    name: ClassVar[str] = "mix_bucket"
    columns: ClassVar[dict[str, pa.DataType]] = {MIX_BUCKET: pa.string()}

    def process(self, batch: pa.Table) -> pa.Table:
        n = batch.num_rows
        lang = batch.column("lang") if "lang" in batch.column_names else pa.array(["und"] * n, pa.string())
        lang = pc.fill_null(lang, "und")
        foreign = pc.and_(pc.not_equal(lang, "und"),
                          pc.invert(pc.is_in(lang, value_set=pa.array(self.general_languages, pa.string()))))
        bucket = pc.if_else(
            _signal(batch, "code_score", self.code_threshold, CODE_LINES, self.min_code_lines), "code",
            pc.if_else(_signal(batch, "math_score", self.math_threshold, MATH_SPANS, self.min_math_spans), "math",
                       pc.if_else(foreign, "multilingual", "general")))
        return set_column(batch, MIX_BUCKET, bucket, pa.string())
