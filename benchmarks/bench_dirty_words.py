"""Dirty-word counting (issue 4): the stage's docs/s/core on real extracted text, and what it finds.

Input: the extracted texts of ``dev-pages.warc.gz`` (cached by ``bench_language.dev_texts``),
with ``lang`` from the ``Language`` stage at its defaults (computed once, not timed). The
``DirtyWords`` stage then runs in-process over Arrow batches of its ``batch_size`` on one
pinned core, best of ``--repeat`` rounds; list loading and automaton building (``setup``)
are timed apart. Word lists: the asset cache (``curate assets fetch ldnoobw``) or, when it
is empty, the mirror ``$CURATE_SHARED/data/assets/ldnoobw`` (``--words-dir`` picks a folder).
Also timed: one 1 MB English document, with and without matches (the worst case is a
long page where many candidates, such as ``ass`` inside ``class``, need boundary checks).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_language  # noqa: E402
import common  # noqa: E402


def words_dir_default() -> tuple[str, str]:
    from curate import assets

    try:
        for m in assets.members("ldnoobw"):
            assets.path("ldnoobw", m)
        return "", "asset cache (" + os.path.dirname(assets.path("ldnoobw", "en")) + ")"
    except assets.AssetMissing:
        d = os.path.join(common.shared_dir(), "data", "assets", "ldnoobw")
        return d, d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--core", type=int, default=None)
    ap.add_argument("--words-dir", default=None, help="read <dir>/<lang> lists instead of the asset cache")
    args = ap.parse_args()

    import pyarrow as pa

    from curate.stages.dirty_words import DirtyWords
    from curate.stages.language import Language

    warc = common.dev_pages_or_exit()
    info = common.machine_info()
    core = common.pin_one_core(args.core)
    words_dir, source = (args.words_dir, args.words_dir) if args.words_dir is not None else words_dir_default()

    texts = bench_language.dev_texts(warc)
    lang_stage = Language()
    lang_stage.setup()
    table = lang_stage.process(bench_language.text_table(texts)).drop_columns(["lang_score"])
    chars = sum(len(t) for t in texts)

    stage = DirtyWords(words_dir=words_dir)
    sp = bench_language.time_stage(stage, table, args.repeat)
    out = sp.pop("out")
    counts = out.column("dirty_word_count").to_pylist()
    ratios = out.column("dirty_word_ratio").to_pylist()
    langs = out.column("lang").to_pylist()
    hit_by_lang: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for lang, c in zip(langs, counts):
        hit_by_lang[lang][0] += 1
        hit_by_lang[lang][1] += c > 0
    listed = {lang for lang in hit_by_lang if stage._matcher(lang) is not None}

    big = "The quick brown fox jumps over the lazy dog in the classroom, passing documents. " * 12_400
    one = {}
    for name, text in (("1 MB English, no match", big), ("1 MB English, one match at the end", big + " fuck")):
        b = pa.table({"id": ["x"], "text": [text], "lang": ["en"]})
        t0 = time.perf_counter()
        stage.process(b)
        one[name] = time.perf_counter() - t0

    result = {"machine": info, "core": core, "words": source, "speed": sp, "chars": chars,
              "docs_with_match": sum(c > 0 for c in counts),
              "ratio_over": {str(x): sum(r > x for r in ratios) for x in (0.0, 0.001, 0.01, 0.05)},
              "by_lang": {k: {"docs": v[0], "with_match": v[1], "has_list": k in listed}
                          for k, v in sorted(hit_by_lang.items(), key=lambda kv: -kv[1][0])},
              "one_doc_s": one}

    print(f"\n## DirtyWords stage speed, one core (core {core}), {len(texts)} extracted dev pages "
          f"({chars / len(texts):,.0f} chars mean); lists: {source}\n")
    print(common.markdown_table(
        ["stage", "docs", "setup s", "wall s (best of rounds)", "docs/s/core", "MB/s (text)"],
        [["DirtyWords() defaults", sp["docs"], f"{sp['setup_s']:.3f}",
          f"{sp['wall_s']:.3f} ({', '.join(f'{w:.3f}' for w in sp['walls'])})", f"{sp['docs_per_s']:,.0f}",
          f"{chars / sp['wall_s'] / 1e6:.1f}"]]))
    print("\n" + "; ".join(f"{k}: {v * 1000:.0f} ms" for k, v in one.items()))
    print(f"\ndocs with at least one match: {result['docs_with_match']} of {len(texts)}; ratio > 0.001: "
          f"{result['ratio_over']['0.001']}, > 0.01: {result['ratio_over']['0.01']}, "
          f"> 0.05: {result['ratio_over']['0.05']}")
    print("by lang (docs / with a match; * = no list): " + ", ".join(
        f"{k} {v['docs']}/{v['with_match']}{'' if v['has_list'] else '*'}"
        for k, v in list(result["by_lang"].items())[:14]))
    common.write_json(args.json, result)


if __name__ == "__main__":
    main()
