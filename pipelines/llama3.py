"""The main recipe: Common Crawl to pretraining data in the order of Llama 3, section 3.1.

Paper order (section 3.1.1 "Web Data Curation"), and where each step stands:

1. PII and safety filtering ........ ``url_filter`` (unsafe and adult domains, URL words),
   ``pii`` (redaction, ``pii_count``), the ``pii_sites`` job and ``pii_site_filter``
   (websites with a high volume of PII)
2. Text extraction and cleaning .... ``extract`` (math as LaTeX, code verbatim, no markdown)
   Language identification ......... ``language`` (fastText lid.176; later steps run per language)
   Dirty words ..................... ``dirty_words`` (``dirty_word_ratio``; issue 6 thresholds it)
3. De-duplication, per language ... ``url_dedup`` (job) + ``url_dedup_filter``: the newest fetch
   of each normalized URL; ``minhash_lsh`` and its rounds (jobs) + ``minhash_dedup``: one
   document per near-duplicate cluster; ``line_dedup`` (job + stage): lines in more than 6
   documents of their bucket of 30M removed
4. Heuristic filtering ............. phase ``heuristics``: ``ngram_lines`` (lines of repeated
   content removed by duplicated n-gram coverage, as Llama 3 applies it), score stages ``gopher_rep``, ``gopher_quality``, ``c4``, ``fineweb``, ``code_math``; the ``token_dist`` job
   (corpus token distribution, Llama 3 tokenizer) and ``token_kl``; then the thresholds
   ``heuristic_filter`` (dirty words included) and ``token_kl_filter``. By default the thresholds
   are those of the filters Llama 3 names (duplicated n-grams, dirty words, token KL); the Gopher
   quality, C4 and FineWeb rules, and Gopher's count of duplicate lines, are scored and can be
   switched on (``llama3.toml``).
5. Model-based quality filtering ... phase ``quality``: ``fasttext_quality`` (fastText student of a
   MiniLM teacher: text Wikipedia would reference); ``roberta_quality`` (a RoBERTa-family
   classifier's score, an actor pool; GPUs when ``[roberta_quality.resources] gpus`` is set) and
   its threshold ``roberta_quality_filter``, off by default (``roberta_quality.enabled``): no
   model ships with curate; ``curate classifiers train transformer`` makes one
6. Code and reasoning data ......... ``code_score``, ``math_score`` (fastText students)
   Multilingual data, mix buckets ... ``mix_bucket`` (general | math | code | multilingual, from the
   scores and ``lang``)
   Knowledge categories ............ ``category`` + ``category_score`` (26 topics,
   ``classifiers/categories.py``); then the thresholds ``quality_filter`` and ``category_filter``.
   The models come from the model cache (``curate classifiers build``, ``make models``).
7. Data mix ........................ ``curate mix plan`` / ``curate mix build`` (``data_mix/``) over
   this recipe's output, then ``pipelines/pretrain.py`` (torchrun) trains on ``mix/``

The URL filter runs before extraction (it needs the URL only, and a dropped page is never
parsed); PII redaction, language id and dirty words read the extracted text. Dropping a
website for its PII volume needs every document of the site, so it is a job between the
``extract`` and ``safety`` phases; likewise each dedup step, whose job sees every shard of the
phase before it. Parameters live in ``llama3.toml``.
"""

from __future__ import annotations

from typing import Any

from curate.io.warc import WarcReader
from curate.pipeline import Phase, make_stage
from curate.stages.category import Category
from curate.stages.dirty_words import DirtyWords
from curate.stages.extract import Extract
from curate.stages.fasttext_scores import CodeScore, FastTextQuality, MathScore
from curate.stages.heuristics import (
    C4Quality,
    CodeMath,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
    HeuristicFilter,
)
from curate.stages.language import Language
from curate.stages.line_dedup import LineCounts, LineDedup
from curate.stages.minhash_dedup import MinhashDedupFilter, MinhashLsh
from curate.stages.mix_bucket import MixBucket
from curate.stages.ngram_lines import NgramLines
from curate.stages.pii import Pii
from curate.stages.pii_sites import PiiSiteFilter, PiiSites
from curate.stages.quality_filter import CategoryFilter, QualityFilter
from curate.stages.roberta_quality import RobertaQuality, RobertaQualityFilter
from curate.stages.token_kl import TokenDistribution, TokenKL, TokenKLFilter, TokenKLPercentileFilter
from curate.stages.url_dedup import UrlDedup, UrlDedupFilter
from curate.stages.url_filter import UrlFilter


def build(params: dict[str, Any]) -> list[Phase]:
    reader = WarcReader(**params.get("read", {}))
    pii_sites = dict(params.get("pii_sites", {}))
    line = dict(params.get("line_dedup", {}))
    shared = {k: line[k] for k in ("min_letters", "exempt_code") if k in line}  # the job and the stage agree
    line_job = {k: line[k] for k in ("max_repeats", "bucket_docs", "partitions") if k in line} | shared
    line_stage = {k: line[k] for k in ("min_chars", "cache_mb", "resources") if k in line} | shared
    kl = dict(params.get("token_kl", {}))
    kl_shared = {k: kl[k] for k in ("smoothing", "min_lang_tokens", "fallback", "by_lang") if k in kl}
    kl_job = {k: kl[k] for k in ("sample_rate", "reference", "partitions") if k in kl} | kl_shared
    kl_stage = {k: kl[k] for k in ("outlier_prob", "resources") if k in kl} | kl_shared
    kl_filter = dict(params.get("token_kl_filter", {}))  # with a percentile: the corpus-percentile filter
    roberta = dict(params.get("roberta_quality", {}))
    transformer = [make_stage(RobertaQuality, roberta), make_stage(RobertaQualityFilter, params.get(
        "roberta_quality_filter"))] if roberta.pop("enabled", False) else []
    phases = [
        Phase("extract", reader=reader, keep_html=params.get("keep_html", False), stages=[
            make_stage(UrlFilter, params.get("url_filter")),
            make_stage(Extract, params.get("extract")),
            make_stage(Pii, params.get("pii")),
            make_stage(Language, params.get("language")),
            make_stage(DirtyWords, params.get("dirty_words")),
        ]),
        Phase("safety", jobs=[PiiSites(**pii_sites)], stages=[PiiSiteFilter()]),
        Phase("url_dedup", jobs=[UrlDedup(**params.get("url_dedup", {}))], stages=[UrlDedupFilter()]),
        Phase("doc_dedup", jobs=[MinhashLsh(**params.get("minhash", {}))], stages=[MinhashDedupFilter()]),
        Phase("line_dedup", jobs=[LineCounts(**line_job)], stages=[make_stage(LineDedup, line_stage)]),
        Phase("heuristics", jobs=[TokenDistribution(**kl_job)], stages=[
            make_stage(NgramLines, params.get("ngram_lines")),
            make_stage(GopherRepetition, params.get("gopher_rep")),
            make_stage(GopherQuality, params.get("gopher_quality")),
            make_stage(C4Quality, params.get("c4")),
            make_stage(FineWebQuality, params.get("fineweb")),
            make_stage(CodeMath, params.get("code_math")),
            make_stage(TokenKL, kl_stage),
            make_stage(HeuristicFilter, params.get("heuristic_filter")),
            make_stage(TokenKLPercentileFilter, kl_filter) if "percentile" in kl_filter
            else make_stage(TokenKLFilter, kl_filter),
        ]),
        Phase("quality", stages=[
            make_stage(FastTextQuality, params.get("fasttext_quality")),
            *transformer,
            make_stage(CodeScore, params.get("code_score")),
            make_stage(MathScore, params.get("math_score")),
            make_stage(MixBucket, params.get("mix_bucket")),
            make_stage(Category, params.get("category")),
            make_stage(QualityFilter, params.get("quality_filter")),
            make_stage(CategoryFilter, params.get("category_filter")),
        ]),
    ]
    return phases
