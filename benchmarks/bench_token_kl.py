"""Token-distribution KL (issue 6): KL distribution, what the default threshold removes, stage speed.

Inputs: the extracted texts of ``dev-pages.warc.gz`` (cached by ``bench_language.dev_texts``) and of
the real Common Crawl excerpt ``data/warc/real-cc/cc-main-2020-34-excerpt.warc.gz`` (extracted
here with ``WarcReader`` + ``Extract``, cached in $TMPDIR), with ``lang`` from the ``Language``
stage at its defaults. The corpus distribution is each corpus' own (``TokenDistribution`` map,
combine and reduce in-process, ``sample_rate=1``: the corpora are small). The excerpt is too
small for a per-language distribution (< 100,000 tokens per language), so it is scored against
the dev distribution as a ``reference`` (what a small crawl does with the artifact of a bigger run).
Speed: ``TokenKL`` (tokenization included) over Arrow batches of its ``batch_size`` on one
pinned core, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_language  # noqa: E402
import common  # noqa: E402

REAL_CC = os.path.join("data", "warc", "real-cc", "cc-main-2020-34-excerpt.warc.gz")


def extracted(path: str):
    """(id, url, text) of the documents ``Extract`` keeps in ``path`` (``common.extracted``), non-empty."""
    import pyarrow.compute as pc

    t = common.extracted(path)
    return t.filter(pc.invert(pc.equal(pc.utf8_length(t.column("text")), 0))) if t.num_rows else t


def with_lang(table):
    from curate.stages.language import Language

    stage = Language()
    stage.setup()
    return stage.process(table)


def distribution(table, folder: str, **kw) -> str:
    """Run the token_dist job in-process over ``table``; its artifact in ``folder``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from curate.job import partition_of
    from curate.stages.token_kl import TokenDistribution

    job = TokenDistribution(sample_rate=1.0, **kw)
    mapped = job.combine(pa.concat_tables([job.map(table.slice(i, 2048)) for i in range(0, table.num_rows, 2048)]))
    part = partition_of(mapped.column("token"), job.partitions)
    os.makedirs(folder, exist_ok=True)
    for p in range(job.partitions):
        pq.write_table(job.reduce(mapped.filter(pa.array(part == p))), os.path.join(folder, f"part-{p:05d}.parquet"))
    return folder


def kl_stats(out, min_tokens: int) -> dict:
    import numpy as np

    kl = out.column("token_kl").to_numpy(zero_copy_only=False)
    n = out.column("token_count").to_numpy()
    ok = ~np.isnan(kl) & (n >= min_tokens)
    res = {"docs": out.num_rows, "scored": int((~np.isnan(kl)).sum()), "scored_ge_min": int(ok.sum())}
    if ok.any():
        res["pct"] = {str(p): float(np.percentile(kl[ok], p)) for p in (50, 90, 95, 99, 99.5, 99.9)}
        bands = [(min_tokens, 300), (300, 1000), (1000, 3000), (3000, 10**9)]
        res["median_by_length"] = {f"{lo}-{hi if hi < 10**9 else ''}": float(np.median(kl[ok & (n >= lo) & (n < hi)]))
                                   for lo, hi in bands if (ok & (n >= lo) & (n < hi)).any()}
    return res


def removed(out, limit: float, min_tokens: int, top: int = 12) -> list[dict]:
    rows = [r for r in out.select(["url", "lang", "token_kl", "token_outlier_ratio", "token_count", "text"]).to_pylist()
            if r["token_kl"] is not None and r["token_count"] >= min_tokens and r["token_kl"] > limit]
    rows.sort(key=lambda r: -r["token_kl"])
    return [{"url": r["url"], "lang": r["lang"], "kl": round(r["token_kl"], 3), "tokens": r["token_count"],
             "outlier_ratio": round(r["token_outlier_ratio"], 4),
             "snippet": " ".join(r["text"][:110].split())} for r in rows[:top]] + (
        [{"more": len(rows) - top}] if len(rows) > top else [])


def n_removed(t) -> int:
    return t.num_rows - t.column("drop_reason").null_count if "drop_reason" in t.column_names else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--core", type=int, default=None)
    args = ap.parse_args()

    import pyarrow as pa

    from curate import tokenizer as tok
    from curate.stages.token_kl import MAX_KL, MIN_TOKENS, TokenKL, TokenKLFilter

    warc = common.dev_pages_or_exit()
    real = os.path.join(common.shared_dir(), REAL_CC)
    info = common.machine_info()
    core = common.pin_one_core(args.core)
    tok.encoding()
    tmp = tempfile.mkdtemp(prefix="bench-token-kl-")

    dev = with_lang(extracted(warc))
    dev_dist = distribution(dev, os.path.join(tmp, "dev"))
    stage = TokenKL(artifacts={"token_dist": dev_dist})
    sp = bench_language.time_stage(stage, dev, args.repeat)
    out = sp.pop("out")
    tokens = sum(out.column("token_count").to_pylist())
    chars = sum(len(t) for t in dev.column("text").to_pylist())
    flt = TokenKLFilter()
    flt.setup()
    result = {"machine": info, "core": core, "max_kl": MAX_KL, "min_tokens": MIN_TOKENS,
              "dev": {"speed": sp, "tokens": tokens, "chars": chars, "kl": kl_stats(out, MIN_TOKENS),
                      "removed_count": n_removed(flt.process(out)),
                      "removed": removed(out, MAX_KL, MIN_TOKENS)}}
    result["dev"]["speed"]["tokens_per_s"] = tokens / sp["wall_s"]

    if os.path.exists(real):
        cc = with_lang(extracted(real))
        st = TokenKL(artifacts={"token_dist": dev_dist})  # the excerpt scored against the dev distribution
        st.setup()
        cc_out = pa.concat_tables([st.process(cc.slice(i, 256)) for i in range(0, cc.num_rows, 256)])
        cc_drop = TokenKLFilter().process(cc_out)
        result["real_cc"] = {"kl": kl_stats(cc_out, MIN_TOKENS),
                             "removed_count": n_removed(cc_drop),
                             "removed": removed(cc_out, MAX_KL, MIN_TOKENS),
                             "langs": dict(collections.Counter(cc_out.column("lang").to_pylist()).most_common())}

    d = result["dev"]
    print(f"\n## TokenKL stage, one core (core {core}), {d['speed']['docs']} extracted dev pages, "
          f"{tokens:,} Llama 3 tokens\n")
    print(common.markdown_table(
        ["stage", "docs", "setup s", "wall s (best)", "docs/s/core", "tokens/s/core", "MB/s (text)"],
        [["TokenKL() (tokenize + KL)", sp["docs"], f"{sp['setup_s']:.3f}", f"{sp['wall_s']:.3f}",
          f"{sp['docs_per_s']:,.0f}", f"{d['speed']['tokens_per_s']:,.0f}", f"{chars / sp['wall_s'] / 1e6:.2f}"]]))
    for name in ("dev", "real_cc"):
        if name not in result:
            continue
        r = result[name]
        k = r["kl"]
        print(f"\n### {name}: token_kl (nats), {k['scored_ge_min']} scored documents >= {MIN_TOKENS} tokens "
              f"(of {k['docs']}; {k['docs'] - k['scored']} without a distribution for their language)\n")
        if "pct" in k:
            print("percentiles: " + ", ".join(f"p{p} {v:.2f}" for p, v in k["pct"].items()))
            print("median by length (tokens): " + ", ".join(f"{b}: {v:.2f}" for b, v in k["median_by_length"].items()))
        print(f"\nremoved at max_kl={MAX_KL} (>= {MIN_TOKENS} tokens): {r['removed_count']}\n")
        rows = [x for x in r["removed"] if "url" in x]
        if rows:
            print(common.markdown_table(["KL", "tokens", "lang", "url", "snippet"],
                                        [[x["kl"], x["tokens"], x["lang"], x["url"][:60], x["snippet"][:70]]
                                         for x in rows]))
    common.write_json(args.json, result)


if __name__ == "__main__":
    main()
