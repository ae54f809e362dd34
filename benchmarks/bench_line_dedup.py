"""Line-level dedup (issue 5): removed lines against an exact count, and docs/s/core of the map and the apply.

Input: the extracted texts of ``dev-pages.warc.gz`` (Extract defaults, cached in
``$TMPDIR/curate-bench/`` by ``bench_language.dev_texts``) with ``lang`` from the ``Language``
stage, dealt round-robin into ``--shards`` pseudo input files (``source`` =
``/bench/shard-NN.warc.gz@i``) so that buckets are made of shards as in a real run.

**Accuracy.** For each configuration (``max_repeats``, ``bucket_docs``), the ``line_dedup``
job runs on disk through the runner's own map and reduce functions (``partitions`` 4), and
the ``line_dedup`` stage applies it. The exact answer is computed apart in plain Python: the
same line keys (``curate.dedup.lines``: the normalization is the rule, not under test), but
counted as strings in dicts, distinct documents per (language, bucket, key), buckets from
the exact per-language document totals; a line is removed when its key's count is over
``max_repeats``. Precision and recall compare the set of (document, line) pairs the job marks
(the artifact's hashes looked up per line) with the exact set; "texts equal" counts the
documents whose stage output equals the exact removal rebuilt, and rejected documents are
compared too. Expected: 1.0 up to 64-bit hash collisions.

**Speed.** ``LineCounts.map`` + ``combine`` over batches of 8,192 documents (as the runner
reads them), and ``LineDedup.process`` over batches of its ``batch_size``, on one pinned core,
best of ``--repeat``. Also timed apart: line splitting + normalization, and hashing.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_language  # noqa: E402
import common  # noqa: E402

CONFIGS = [(6, 30_000_000), (2, 30_000_000), (2, 300), (1, 100)]


def corpus(warc: str, shards: int):
    """The dev texts with ``lang`` and a pseudo ``source`` (round-robin over ``shards`` files)."""
    import pyarrow as pa

    texts = bench_language.dev_texts(warc)
    try:
        from curate.stages.language import Language

        stage = Language()
        stage.setup()
        langs = stage.process(bench_language.text_table(texts)).column("lang").to_pylist()
    except Exception as e:  # noqa: BLE001 - the language model is optional here
        print(f"language id unavailable ({type(e).__name__}: {e}); every document is 'und'", file=sys.stderr)
        langs = ["und"] * len(texts)
    sources = [f"/bench/shard-{i % shards:02d}.warc.gz@{i}" for i in range(len(texts))]
    return pa.table({"id": [str(i) for i in range(len(texts))], "text": pa.array(texts, pa.string()),
                     "lang": pa.array(langs, pa.string()), "source": pa.array(sources, pa.string())})


def exact(table, max_repeats: int, bucket_docs: int, min_letters: int = 2, exempt_code: bool = True):
    """{(doc, line index)} that an exact count removes, by plain-Python counting of the keys."""
    from curate.dedup.lines import keys_of, shard_groups
    from curate.stages.line_dedup import n_buckets

    texts = table.column("text").to_pylist()
    langs = table.column("lang").to_pylist()
    groups = shard_groups(table.column("source")).tolist()
    totals = collections.Counter(langs)
    bucket = [(lang, g % n_buckets(totals[lang], bucket_docs)) for lang, g in zip(langs, groups)]
    keys = [keys_of(t, min_letters, exempt_code) for t in texts]
    docs: dict[tuple, set] = collections.defaultdict(set)
    for d, ks in enumerate(keys):
        for k in ks:
            if k is not None:
                docs[(bucket[d], k)].add(d)
    frequent = {bk for bk, ds in docs.items() if len(ds) > max_repeats}
    removed = {(d, i) for d, ks in enumerate(keys) for i, k in enumerate(ks)
               if k is not None and (bucket[d], k) in frequent}
    return removed, frequent, keys


def run_job(table, tmp: str, shards: int, **kw):
    """The job through the runner's map/reduce functions, one Parquet input per pseudo shard."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from curate.runner import jobs
    from curate.stages.line_dedup import LineCounts

    job = LineCounts(partitions=4, **kw)
    out = os.path.join(tmp, "out")
    shutil.rmtree(out, ignore_errors=True)
    names = []
    for s in range(shards):
        part = table.filter(pc.match_substring(table.column("source"), f"/shard-{s:02d}.warc.gz@"))
        path = os.path.join(tmp, f"in-{s:02d}.parquet")
        pq.write_table(part, path)
        jobs.run_map(job, out, f"s{s:02d}", path)
        names.append(f"s{s:02d}")
    rows = sum(jobs.run_reduce(job, out, p, names) for p in range(job.partitions))
    return jobs.job_dir(out, "line_dedup"), rows


def marked(table, folder: str, min_letters: int = 2, exempt_code: bool = True):
    """{(doc, line index)} whose hash the artifact lists for the document's bucket."""
    import numpy as np

    from curate.dedup.lines import shard_groups, split_lines
    from curate.stages.line_dedup import bucket_counts, bucket_hashes

    info = bucket_counts(folder)
    langs = table.column("lang").to_pylist()
    groups = shard_groups(table.column("source"))
    ls = split_lines(table.column("text"), min_letters, exempt_code)
    starts = np.searchsorted(ls.doc, np.arange(table.num_rows + 1))
    cache: dict = {}
    out = set()
    for d in range(table.num_rows):
        if langs[d] not in info:
            continue
        b = int(groups[d]) % info[langs[d]][1]
        if (langs[d], b) not in cache:
            cache[(langs[d], b)] = set(bucket_hashes(folder, langs[d], b).tolist())
        freq = cache[(langs[d], b)]
        for i in range(starts[d], starts[d + 1]):
            if ls.countable[i] and int(ls.hashes[i]) in freq:
                out.add((d, int(i - starts[d])))
    return out


def accuracy(table, tmp: str, shards: int, max_repeats: int, bucket_docs: int) -> dict:
    import pyarrow as pa

    from curate.stages.line_dedup import LineDedup, rebuild

    folder, rows = run_job(table, tmp, shards, max_repeats=max_repeats, bucket_docs=bucket_docs)
    want, frequent, _ = exact(table, max_repeats, bucket_docs)
    got = marked(table, folder)
    tp = len(want & got)
    stage = LineDedup(artifacts={"line_dedup": folder})
    stage.setup()
    out = pa.concat_tables([stage.process(b) for b in bench_language.batches(table, stage.resources.batch_size)],
                           promote_options="permissive")
    texts = table.column("text").to_pylist()
    new = out.column("text").to_pylist()
    reasons = out.column("drop_reason").to_pylist() if "drop_reason" in out.column_names else [None] * len(new)
    by_doc = collections.defaultdict(set)
    for d, i in want:
        by_doc[d].add(i)
    equal, reject_ok = 0, 0
    for d, t in enumerate(texts):
        lines = t.split("\n")
        ref = rebuild(lines, [i in by_doc[d] for i in range(len(lines))]) if by_doc[d] else t
        equal += new[d] == ref
        ref_reason = None if not by_doc[d] else ("line_dedup:empty" if not ref.strip() else
                                                 "line_dedup:too_short" if len(ref.strip()) < stage.min_chars
                                                 else None)
        reject_ok += reasons[d] == ref_reason
    removed = out.column("line_dedup_removed").to_pylist()
    return {"max_repeats": max_repeats, "bucket_docs": bucket_docs, "artifact_rows": rows,
            "frequent_keys": len(frequent), "exact_removed": len(want), "job_removed": len(got),
            "precision": tp / len(got) if got else 1.0, "recall": tp / len(want) if want else 1.0,
            "stage_removed": sum(removed), "docs_touched": sum(r > 0 for r in removed),
            "texts_equal": equal, "reasons_equal": reject_ok, "docs": table.num_rows,
            "rejected": collections.Counter(r for r in reasons if r)}


def speed(table, tmp: str, shards: int, repeat: int) -> dict:
    import pyarrow as pa

    from curate.dedup.lines import hash_keys, normalize, split_lines
    from curate.stages.line_dedup import LineCounts, LineDedup

    job = LineCounts(partitions=4)
    map_batches = bench_language.batches(table, 8192)
    walls = []
    for _ in range(repeat):
        with common.timed() as t:
            job.combine(pa.concat_tables([job.map(b) for b in map_batches]))
        walls.append(t.wall)
    folder, _ = run_job(table, tmp, shards)
    stage = LineDedup(artifacts={"line_dedup": folder})
    with common.timed() as t_setup:
        stage.setup()
    batches = bench_language.batches(table, stage.resources.batch_size)
    apply_walls = []
    for _ in range(repeat):
        with common.timed() as t:
            for b in batches:
                stage.process(b)
        apply_walls.append(t.wall)
    sp = {"setup_s": t_setup.wall, "walls": apply_walls, "wall_s": min(apply_walls),
          "docs_per_s": table.num_rows / min(apply_walls)}
    parts = []
    for _ in range(repeat):
        with common.timed() as t1:
            ls = split_lines(table.column("text"), exempt_code=False, min_letters=0)
        with common.timed() as t2:
            keys = normalize(ls.lines)
        with common.timed() as t3:
            hash_keys(keys)
        parts.append((t1.wall - t2.wall - t3.wall, t2.wall, t3.wall))
    lines = len(ls.lines)
    best = min(parts, key=sum)
    return {"docs": table.num_rows, "lines": lines, "map_walls": walls, "map_s": min(walls),
            "map_docs_per_s": table.num_rows / min(walls), "apply": sp,
            "normalize_s": best[1], "hash_s": best[2], "hash_ns_per_line": best[2] / lines * 1e9}


def top_lines(table, n: int = 12) -> dict:
    """The most repeated keys at defaults, and the exempted lines that would have been frequent."""
    from curate.dedup.lines import keys_of

    texts = table.column("text").to_pylist()
    counted, spared = collections.defaultdict(set), collections.defaultdict(set)
    for d, t in enumerate(texts):
        keys = keys_of(t)
        raw = keys_of(t, min_letters=1, exempt_code=False)
        lines = t.split("\n")
        for k, r, line in zip(keys, raw, lines):
            if k is not None:
                counted[k].add(d)
            elif r is not None:
                spared[line.strip()].add(d)
    best = sorted(counted.items(), key=lambda kv: -len(kv[1]))[:n]
    spare = sorted(spared.items(), key=lambda kv: -len(kv[1]))[:n]
    return {"top": [(k, len(v)) for k, v in best], "spared": [(k, len(v)) for k, v in spare if len(v) > 1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shards", type=int, default=16)
    ap.add_argument("--core", type=int, default=None)
    args = ap.parse_args()

    warc = common.dev_pages_or_exit()
    info = common.machine_info()
    table = corpus(warc, args.shards)
    core = common.pin_one_core(args.core)
    tmp = tempfile.mkdtemp(prefix="bench-line-dedup-")
    try:
        acc = [accuracy(table, tmp, args.shards, m, b) for m, b in CONFIGS]
        sp = speed(table, tmp, args.shards, args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    top = top_lines(table)
    langs = collections.Counter(table.column("lang").to_pylist())
    chars = sum(len(t) for t in table.column("text").to_pylist())

    print(f"\n## Line dedup against an exact count: {table.num_rows} dev pages, {sp['lines']:,} lines, "
          f"{args.shards} pseudo shards, {len(langs)} languages (top: "
          + ", ".join(f"{k} {v}" for k, v in langs.most_common(5)) + ")\n")
    print(common.markdown_table(
        ["max_repeats", "bucket_docs", "frequent keys (exact)", "lines removed: exact", "job", "precision",
         "recall", "stage texts = exact", "drop reasons = exact", "rejected"],
        [[a["max_repeats"], f"{a['bucket_docs']:,}", a["frequent_keys"], a["exact_removed"], a["job_removed"],
          f"{a['precision']:.4f}", f"{a['recall']:.4f}", f"{a['texts_equal']}/{a['docs']}",
          f"{a['reasons_equal']}/{a['docs']}", dict(a["rejected"]) or "-"] for a in acc]))
    ap_ = sp["apply"]
    print(f"\n## Speed, one core (core {core}), {sp['docs']} docs ({chars / sp['docs']:,.0f} chars, "
          f"{sp['lines'] / sp['docs']:.0f} lines mean)\n")
    print(common.markdown_table(
        ["step", "wall s (best)", "docs/s/core", "MB/s (text)"],
        [["LineCounts.map + combine (batches of 8,192)", f"{sp['map_s']:.3f}", f"{sp['map_docs_per_s']:,.0f}",
          f"{chars / sp['map_s'] / 1e6:.1f}"],
         [f"LineDedup.process (batches of {LineDedupBatch()})", f"{ap_['wall_s']:.3f}", f"{ap_['docs_per_s']:,.0f}",
          f"{chars / ap_['wall_s'] / 1e6:.1f}"]]))
    print(f"\nof which normalization {sp['normalize_s']:.3f} s, BLAKE2b-64 {sp['hash_s']:.3f} s "
          f"({sp['hash_ns_per_line']:.0f} ns/line, every line)")
    print("\nmost repeated counted lines (documents): " + "; ".join(f"{k[:50]!r} {n}" for k, n in top["top"]))
    print("\nexempt lines that repeat (code, math, short): " + "; ".join(f"{k[:40]!r} {n}" for k, n in top["spared"]))
    common.write_json(args.json, {"machine": info, "core": core, "shards": args.shards, "langs": dict(langs),
                                  "accuracy": acc, "speed": sp, "lines": top})


def LineDedupBatch() -> int:  # noqa: N802 - a label for the table
    from curate.stages.line_dedup import LineDedup

    return LineDedup().resources.batch_size


if __name__ == "__main__":
    main()
