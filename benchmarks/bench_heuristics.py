"""Heuristic filters (issue 6): what they keep, what they remove, and how fast, on real pages.

1. Good content kept: the whole heuristic set as the main recipe runs it (``Language``,
   ``DirtyWords``, ``ngram_lines``, the score stages, ``token_kl``, then ``heuristic_filter`` and
   ``token_kl_filter`` with the thresholds of ``pipelines/llama3.toml``), on the dev ground-truth
   texts of the magic-html sources (``dev-pages.groundtruth.jsonl.gz``) and on our extraction of
   the ``$CURATE_SHARED/data/mathcode`` pages (files holding an ``<html``/``<body`` tag; the other
   files there are expected formula/code fragments, not pages). The token distribution is the
   ``token_dist`` job's over the corpus these pages come from: our extraction of the 1,381 dev
   WARC pages (``sample_rate=1``); the sets are scored against it as the recipe's stage would.
   Variants: the peers' full rule set, one family off, no math/code exemption.
2. What is removed from the real Common Crawl excerpt ``cc-main-2020-34-excerpt.warc.gz``
   (``WarcReader`` + ``Extract`` defaults), with url and reason.
3. docs/s on one pinned core: the heuristic stages next to datatrove 0.10's
   GopherRepetitionFilter + GopherQualityFilter + C4QualityFilter + FineWebQualityFilter on
   the same texts (the extracted dev pages, cached by ``bench_language.dev_texts``), same run.
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_dirty_words  # noqa: E402
import bench_language  # noqa: E402
import bench_token_kl  # noqa: E402
import common  # noqa: E402
import pyarrow as pa  # noqa: E402

from curate import schema  # noqa: E402
from curate.stages.dirty_words import DirtyWords  # noqa: E402
from curate.stages.heuristics import (  # noqa: E402
    C4Quality,
    CodeMath,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
    HeuristicFilter,
)
from curate.stages.language import Language  # noqa: E402
from curate.stages.ngram_lines import NgramLines  # noqa: E402
from curate.stages.token_kl import TokenKL, TokenKLFilter  # noqa: E402


def score_stages() -> list:
    """The main recipe's heuristics phase: repeated lines out first (``ngram_lines``), then the scores."""
    return [NgramLines(), GopherRepetition(), GopherQuality(), C4Quality(), FineWebQuality(), CodeMath()]


def recipe_thresholds() -> tuple[dict, dict]:
    """``[heuristic_filter]`` and ``[token_kl_filter]`` of the main recipe's ``llama3.toml``."""
    from curate.pipeline import load_params

    params = load_params("llama3")
    hf = {k: v for k, v in params.get("heuristic_filter", {}).items() if k != "resources"}
    kl = {k: v for k, v in params.get("token_kl_filter", {}).items() if k not in ("resources", "percentile")}
    return hf, kl


def token_dist_folder() -> str:
    """The ``token_dist`` artifact of the dev WARC corpus (our extraction, per language), in a temp folder."""
    import tempfile

    folder = os.path.join(tempfile.mkdtemp(prefix="curate-bench-token-dist-"), "token_dist")
    corpus = bench_token_kl.with_lang(bench_token_kl.extracted(common.dev_pages_or_exit()))
    return bench_token_kl.distribution(corpus, folder)


def run_all(texts: list[str], urls: list[str] | None, words_dir: str, dist: str | None = None,
            langs: list[str] | None = None, filters: list | None = None) -> pa.Table:
    """Score ``texts`` with the recipe's heuristic stages (and ``token_kl`` against ``dist``), then
    apply ``filters`` (default: ``HeuristicFilter()``, the peers' thresholds, and ``TokenKLFilter()``
    when ``dist`` is given)."""
    t = pa.table({"id": [str(i) for i in range(len(texts))], "url": urls or [""] * len(texts),
                  schema.TEXT: pa.array(texts, pa.string())})
    stages = ([Language()] if langs is None else []) + [DirtyWords(words_dir=words_dir)] + score_stages()
    if dist is not None:
        stages.append(TokenKL(artifacts={"token_dist": dist}))
    if filters is None:
        filters = [HeuristicFilter()] + ([TokenKLFilter()] if dist is not None else [])
    stages += filters
    if langs is not None:
        t = t.append_column("lang", pa.array(langs, pa.string()))
    for s in stages:
        s.setup()
    out = []
    for i in range(0, t.num_rows, 256):
        b = t.slice(i, 256)
        for s in stages:
            b = s.process(b)
        out.append(b)
    return pa.concat_tables(out, promote_options="default")


def kept_summary(name: str, t: pa.Table) -> dict:
    reasons = t.column(schema.DROP_REASON).to_pylist()
    kept = sum(r is None for r in reasons)
    mc = sum(1 for c, m in zip(t.column("code_math_code_lines").to_pylist(), t.column("code_math_math_spans").to_pylist())
             if c >= 3 or m >= 2)
    return {"set": name, "docs": t.num_rows, "kept": kept, "kept_frac": round(kept / max(1, t.num_rows), 4),
            "math_code_docs": mc, "reasons": dict(collections.Counter(r for r in reasons if r).most_common()),
            "dropped": [{"url": u, "reason": r, "lang": lg} for u, r, lg in zip(
                t.column("url").to_pylist(), reasons, t.column("lang").to_pylist()) if r]}


def ablation(sets: list, words_dir: str, dist: str) -> list[dict]:
    """Kept fraction of each set with the recipe's thresholds, the peers' full set, one family off,
    C4 as FineWeb ran it and no math/code exemption; scores computed once, thresholds rerun."""
    hf, kl = recipe_thresholds()
    recipe_off = list(hf.get("disable", []))
    scored = {}
    for name, texts, urls in sets:
        t = run_all(texts, urls, words_dir, dist, filters=[])
        scored[name] = t.drop_columns([c for c in (schema.DROP_REASON,) if c in t.column_names])
    variants = [(f"main recipe (llama3.toml: disable {recipe_off}) + token KL", {**hf}, True),
                ("main recipe without token KL", {**hf}, False),
                ("main recipe with gopher_rep:dup_line_frac (the count of duplicate lines) on",
                 {**hf, "disable": [d for d in recipe_off if d != "gopher_rep:dup_line_frac"]}, True),
                ("peers' full set (datatrove defaults, every family) + token KL", {}, True),
                *[(f"peers' full set without {f}", {"disable": [f]}, True) for f in
                  ("dirty_words", "gopher_rep", "gopher_quality", "c4", "fineweb")],
                ("peers' full set, C4 without terminal punctuation (FineWeb's C4 setting)", "c4_noterm", True),
                ("peers' full set, no math/code exemption", {"min_code_lines": 10**9, "min_math_spans": 10**9}, True)]
    rows = []
    for label, kw, with_kl in variants:
        row = {"variant": label}
        for name, _texts, _urls in sets:
            t = scored[name]
            if kw == "c4_noterm":
                t = C4Quality(terminal_punct=False).process(t)
                kw_ = {}
            else:
                kw_ = kw
            t = HeuristicFilter(**kw_).process(t)
            if with_kl:
                exempt = {} if "min_code_lines" not in kw_ else {"spare_math_code": False}
                t = TokenKLFilter(**{**kl, **exempt}).process(t)
            r = t.column(schema.DROP_REASON).to_pylist()
            row[name] = round(sum(x is None for x in r) / max(1, len(r)), 4)
        rows.append(row)
    return rows


def groundtruth(shared: str) -> tuple[list[str], list[str]]:
    path = os.path.join(shared, "data", "warc", "dev-pages.groundtruth.jsonl.gz")
    texts, urls = [], []
    with gzip.open(path, "rt") as f:
        for line in f:
            r = json.loads(line)
            if r.get("source", "").startswith("magic-html") and r.get("text"):
                texts.append(r["text"])
                urls.append(r["url"])
    return texts, urls


def expected_output(path: str) -> bool:
    """A mathcode file that holds expected output, not a page: ``code/NAME-K.ext`` and
    ``math/NAME_K.html`` / ``math/NAME_inline_K.html`` beside a ``NAME.html`` page (shared/README)."""
    folder, name = os.path.split(path)
    stem = name.rsplit(".", 1)[0]
    if any(os.path.exists(os.path.join(folder, f"{stem}{x}.html")) for x in ("_1", "_inline_1")):
        return False  # it has expected outputs of its own: a page (math_physicsforums_2)
    for sep in ("-", "_inline_", "_"):
        base, _, k = stem.rpartition(sep)
        if base and k.isdigit() and os.path.exists(os.path.join(folder, base + ".html")):
            return True
    return False


def mathcode_pages(shared: str) -> tuple[list[str], list[str]]:
    from curate.html.main_text import extract_text

    texts, names = [], []
    for f in sorted(glob.glob(os.path.join(shared, "data", "mathcode", "*", "*.html"))):
        if expected_output(f):
            continue
        html = open(f, encoding="utf-8", errors="replace").read()
        if "<html" not in html.lower() and "<body" not in html.lower():
            continue
        text = extract_text(html).text
        if text and text.strip():
            texts.append(text)
            names.append(os.path.relpath(f, os.path.join(shared, "data")))
    return texts, names


def real_cc(shared: str) -> tuple[list[str], list[str]]:
    t = common.extracted(os.path.join(shared, "data", "warc", "real-cc", "cc-main-2020-34-excerpt.warc.gz"))
    rows = [(u, tx) for u, tx in zip(t.column("url").to_pylist(), t.column(schema.TEXT).to_pylist()) if tx]
    return [tx for _, tx in rows], [u for u, _ in rows]


def regex_tokenizer():
    """A datatrove ``WordTokenizer`` on regexes: its English default needs spaCy (not installed here).

    Words are ``\\w+`` runs and single punctuation marks (as NLTK/spaCy split them); sentences
    end at ``.!?`` followed by whitespace. Cheaper than spaCy, so datatrove's speed is an upper bound.
    """
    import re

    from datatrove.utils.word_tokenizers import WordTokenizer

    word = re.compile(r"\w+|[^\w\s]")
    sent = re.compile(r"[^.!?]*(?:[.!?]+|$)\s*")

    class RegexTokenizer(WordTokenizer):
        def word_tokenize(self, text):
            return word.findall(text)

        def sent_tokenize(self, text):
            return [m.group() for m in sent.finditer(text) if m.group().strip()]

        def span_tokenize(self, text):
            return [(m.start(), m.end()) for m in sent.finditer(text) if m.group().strip()]

    return RegexTokenizer("en")


def speed(texts: list[str], repeat: int, dist: str | None = None) -> list[dict]:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    t = pa.table({schema.TEXT: pa.array(texts, pa.string()), "lang": ["en"] * len(texts),
                  "dirty_word_ratio": pa.array([0.0] * len(texts), pa.float32())})
    rows = []

    def ours():
        for i in range(0, t.num_rows, 1024):
            b = t.slice(i, 1024)
            for s in score_stages() + [HeuristicFilter()]:
                b = s.process(b)

    kl_stages = [TokenKL(artifacts={"token_dist": dist}), TokenKLFilter()] if dist else []
    for s in kl_stages:
        s.setup()

    recipe_filter = recipe_thresholds()[0]  # read llama3.toml once, outside the timed loop

    def phase():  # the recipe's whole heuristics phase: token KL and its filter too
        for i in range(0, t.num_rows, 1024):
            b = t.slice(i, 1024)
            for s in score_stages() + kl_stages + [HeuristicFilter(**recipe_filter)]:
                b = s.process(b)

    tok = regex_tokenizer()
    filters = [GopherRepetitionFilter(language=tok), GopherQualityFilter(language=tok), C4QualityFilter(language=tok),
               FineWebQualityFilter(language=tok)]
    for f in filters:  # warm up (NLTK tokenizers load on first use)
        f.filter(Document(text=texts[0], id="0"))

    def theirs():
        for i, tx in enumerate(texts):
            doc = Document(text=tx, id=str(i))
            for f in filters:  # stop at the first failing filter, as a datatrove pipeline does
                r = f.filter(doc)
                if r is False or (isinstance(r, tuple) and not r[0]):
                    break

    runs = [("curate: ngram_lines + 5 score stages + heuristic_filter", ours),
            ("datatrove 0.10: GopherRepetition + GopherQuality + C4Quality + FineWebQuality", theirs)]
    if dist:
        runs.append(("curate: the recipe's heuristics phase (the above + token_kl + token_kl_filter)", phase))
    for name, fn in runs:
        best = None
        for _ in range(repeat):
            c0 = time.process_time()
            fn()
            dt = time.process_time() - c0
            best = dt if best is None else min(best, dt)
        rows.append({"impl": name, "docs": len(texts), "cpu_s": round(best, 3),
                     "docs_per_s_core": round(len(texts) / best, 1)})
    # per score stage, for the record
    for s in score_stages():
        c0 = time.process_time()
        for i in range(0, t.num_rows, 1024):
            s.process(t.slice(i, 1024))
        dt = time.process_time() - c0
        rows.append({"impl": f"  curate stage {s.name}", "docs": len(texts), "cpu_s": round(dt, 3),
                     "docs_per_s_core": round(len(texts) / dt, 1)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--core", type=int, default=None)
    args = ap.parse_args()
    common.dev_pages_or_exit()
    shared = common.shared_dir()
    words_dir, words_src = bench_dirty_words.words_dir_default()
    out = {"machine": common.machine_info(), "word_lists": words_src}

    gt_texts, gt_urls = groundtruth(shared)
    mc_texts, mc_names = mathcode_pages(shared)
    cc_texts, cc_urls = real_cc(shared)
    dist = token_dist_folder()
    hf, kl = recipe_thresholds()
    recipe = lambda: [HeuristicFilter(**hf), TokenKLFilter(**kl)]  # noqa: E731
    sets = [kept_summary("dev ground truth (magic-html sources)", run_all(gt_texts, gt_urls, words_dir, dist,
                                                                          filters=recipe())),
            kept_summary("mathcode pages (our extraction)", run_all(mc_texts, mc_names, words_dir, dist,
                                                                    filters=recipe())),
            kept_summary("real CC 2020-34 excerpt (our extraction)", run_all(cc_texts, cc_urls, words_dir, dist,
                                                                             filters=recipe()))]
    out["recipe_thresholds"] = {"heuristic_filter": hf, "token_kl_filter": kl}
    out["kept"] = sets
    out["ablation"] = ablation([("dev ground truth", gt_texts, gt_urls), ("mathcode", mc_texts, mc_names)],
                               words_dir, dist)
    print("## Kept by the main recipe's heuristic set (llama3.toml thresholds, token KL included)\n")
    print(common.markdown_table(["set", "docs", "kept", "kept frac", "math/code docs", "reasons"],
                                [[s["set"], s["docs"], s["kept"], s["kept_frac"], s["math_code_docs"],
                                  ", ".join(f"{k} {v}" for k, v in s["reasons"].items())] for s in sets]))
    print("\n## Kept fraction with one rule family (or setting) changed\n")
    print(common.markdown_table(["variant"] + [k for k in out["ablation"][0] if k != "variant"],
                                [list(r.values()) for r in out["ablation"]]))
    for s in sets:
        print(f"\n### Removed: {s['set']}\n")
        print(common.markdown_table(["url", "lang", "reason"], [[d["url"], d["lang"], d["reason"]]
                                                                for d in s["dropped"]]))

    dev = bench_language.dev_texts(common.dev_pages_or_exit())
    dev = [x for x in dev if x]
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    core = common.pin_one_core(args.core)
    try:
        rows = speed(dev, args.repeat, dist)
    finally:
        common.unpin(cores)
    out["speed"] = {"core": core, "rows": rows}
    print(f"\n## Speed, one pinned core ({core}), extracted dev pages, best of {args.repeat}\n")
    print(common.markdown_table(["implementation", "docs", "CPU s", "docs/s/core"],
                                [[r["impl"], r["docs"], r["cpu_s"], r["docs_per_s_core"]] for r in rows]))
    common.write_json(args.json, out)


if __name__ == "__main__":
    main()
