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
4. Heuristic filtering ............. issue 6
5. Model-based quality filtering ... issue 7
6. Code and reasoning data, multilingual data, knowledge categories ... issue 7
7. Data mix ........................ issue 8 (``curate mix``)

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
from curate.stages.dirty_words import DirtyWords
from curate.stages.extract import Extract
from curate.stages.language import Language
from curate.stages.line_dedup import LineCounts, LineDedup
from curate.stages.minhash_dedup import MinhashDedupFilter, MinhashLsh
from curate.stages.pii import Pii
from curate.stages.pii_sites import PiiSiteFilter, PiiSites
from curate.stages.url_dedup import UrlDedup, UrlDedupFilter
from curate.stages.url_filter import UrlFilter


def build(params: dict[str, Any]) -> list[Phase]:
    reader = WarcReader(**params.get("read", {}))
    pii_sites = dict(params.get("pii_sites", {}))
    line = dict(params.get("line_dedup", {}))
    shared = {k: line[k] for k in ("min_letters", "exempt_code") if k in line}  # the job and the stage agree
    line_job = {k: line[k] for k in ("max_repeats", "bucket_docs", "partitions") if k in line} | shared
    line_stage = {k: line[k] for k in ("min_chars", "cache_mb", "resources") if k in line} | shared
    return [
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
    ]
