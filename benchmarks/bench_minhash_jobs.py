"""MinHash dedup accuracy through the jobs: document pairs put in one cluster vs exact Jaccard >= threshold.

    .venv/bin/python benchmarks/bench_minhash_jobs.py                        # none:128 and exact:128:0.9
    .venv/bin/python benchmarks/bench_minhash_jobs.py --settings none:128,exact:128:0.9:nocheck,exact:128:0.9 \\
        --json benchmarks/results/minhash-jobs.json

Corpus: ``bench_minhash.build_corpus`` (every dev-page main text with >= ``--min-words`` words,
plus ``--variants`` edited copies of ``--sources`` pages, each aiming at a Jaccard drawn
uniformly from [0.5, 1]), written as the committed output of an ``extract`` phase in
``--shards`` shards (as ``bench_dedup_scale.py`` does), so ``curate.runner.run`` runs only the
``doc_dedup`` phase: ``minhash_lsh`` → (verification jobs) → star rounds → ``minhash_clusters``
→ the ``minhash_dedup`` stage. Truth: every pair of the corpus whose exact shingle-set Jaccard
is >= the threshold (``bench_minhash.exact_pairs``, all pairs, exact).

Removal (what the dedup is for):

- removed P = share of the (removed document, kept document of its cluster) pairs whose exact
  Jaccard is >= the threshold;
- removed R = share of the true pairs (all pairs, exact) of which at least one document was
  removed, i.e. that do not both survive (a pair in one cluster with one of them kept counts:
  the other is removed); "dup pairs left" counts the true pairs that both survive.

Found pairs (the older, cluster-level numbers): every pair of documents that the run put in the
same cluster (``minhash_cluster``).
Precision = found pairs that are true / found pairs; recall = true pairs found / true pairs.
Cluster-level transitivity can put two documents of Jaccard < threshold in one cluster (A~B,
B~C, A≁C): those are counted as false positives here, and reported apart ("transitive").
Also reported: P/R against the pairs of the connected components of the exact graph (the best
any connected-components dedup can do: this isolates the misses and false links of LSH and
verification from transitivity); the share of removed documents whose exact Jaccard with the
kept document of their cluster is >= the threshold; the verified edges themselves (``minhash_verify_v``, or the raw candidates of
``minhash_lsh`` without verification) against the truth, and the wall time of every job.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402
from bench_minhash import build_corpus, exact_pairs, real_texts  # noqa: E402

RECIPE = '''
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stages.minhash_dedup import MinhashDedupFilter, MinhashLsh

def build(params):
    return [Phase("extract", reader=WarcReader(), stages=[]),
            Phase("doc_dedup", jobs=[MinhashLsh(**params["minhash"])], stages=[MinhashDedupFilter()])]
'''


def write_extract(out: str, inputs: list[str], docs: list[str]) -> None:
    """The corpus as committed ``extract`` shards (round-robin), ids ``<urn:uuid:NNNNNNNNNNNN>`` = doc index."""
    for k, path in enumerate(inputs):
        common.commit_extract_shard(out, path, [(i, f"https://site{i}.example/", docs[i])
                                                for i in range(k, len(docs), len(inputs))])


def closure_pairs(pairs, n: int) -> set[tuple[int, int]]:
    """Every pair of documents in one connected component of the graph ``pairs`` (union-find)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comp: dict[int, list[int]] = {}
    for d in range(n):
        comp.setdefault(find(d), []).append(d)
    return {p for m in comp.values() if len(m) > 1 for p in itertools.combinations(m, 2)}


def removed_vs_kept(out: str) -> list[tuple[int, int]]:
    """(removed document, kept document of its cluster) for every document the stage rejected."""
    tables = []
    for sub in ("doc_dedup", os.path.join("doc_dedup", "rejected")):
        folder = os.path.join(out, sub)
        for f in sorted(os.listdir(folder)):
            if f.endswith(".parquet"):
                tables.append(pq.read_table(os.path.join(folder, f), columns=["id", "minhash_cluster",
                                                                            "drop_reason"]))
    t = pa.concat_tables(tables).to_pylist()
    kept = {r["minhash_cluster"]: int(r["id"][10:-1]) for r in t if r["minhash_cluster"] is not None
            and r["drop_reason"] is None}
    return [(int(r["id"][10:-1]), kept[r["minhash_cluster"]]) for r in t if r["drop_reason"] == "minhash_dup"]


def cluster_pairs(out: str) -> set[tuple[int, int]]:
    """Pairs of documents (by index) that share a ``minhash_cluster`` in the ``doc_dedup`` output."""
    tables = []
    for sub in ("doc_dedup", os.path.join("doc_dedup", "rejected")):
        folder = os.path.join(out, sub)
        for f in sorted(os.listdir(folder)):
            if f.endswith(".parquet"):
                tables.append(pq.read_table(os.path.join(folder, f), columns=["id", "minhash_cluster"]))
    t = pa.concat_tables(tables)
    clusters: dict[int, list[int]] = {}
    for i, c in zip(t.column("id").to_pylist(), t.column("minhash_cluster").to_pylist()):
        if c is not None:
            clusters.setdefault(c, []).append(int(i[10:-1]))
    pairs = set()
    for members in clusters.values():
        pairs.update(itertools.combinations(sorted(members), 2))
    return pairs


def edge_pairs(out: str, job: str, node_doc: dict[int, int]) -> set[tuple[int, int]]:
    folder = os.path.join(out, "jobs", job)
    t = pa.concat_tables([pq.read_table(os.path.join(folder, f), columns=["u", "v"])
                          for f in sorted(os.listdir(folder)) if f.startswith("part-")])
    return {tuple(sorted((node_doc[u], node_doc[v]))) for u, v in zip(t.column("u").to_pylist(), t.column("v").to_pylist())}


def prf(found: set, truth: set) -> tuple[int, int, float, float]:
    tp = len(found & truth)
    return len(found), tp, tp / len(found) if found else 1.0, tp / len(truth) if truth else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--settings", default="none:128,exact:128",
                    help="comma list of verify:num_perm[:fn_weight][:nocheck] (fn_weight default: the job's; "
                         "nocheck: check_kept=False, remove every member of a connected component but the kept one)")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--sources", type=int, default=400)
    ap.add_argument("--variants", type=int, default=4)
    ap.add_argument("--min-words", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--runner", default="local", choices=["local", "ray"])
    ap.add_argument("--json")
    args = ap.parse_args()

    from curate.dedup.minhash import shingle_hashes
    from curate.runner import run

    docs, origin, n_orig = build_corpus(real_texts(), args.sources, args.variants, args.min_words, args.seed)
    sets = [np.unique(h) for h in shingle_hashes(docs)]
    truth_j = exact_pairs(sets, args.threshold)
    truth = set(truth_j)
    truth_cc = closure_pairs(truth, len(docs))
    print(f"{len(docs):,} docs ({n_orig:,} page texts + {len(docs) - n_orig:,} edited copies), "
          f"{len(truth):,} true pairs (exact Jaccard >= {args.threshold})", file=sys.stderr)

    def jac(a, b):
        inter = len(np.intersect1d(sets[a], sets[b], assume_unique=True))
        u = len(sets[a]) + len(sets[b]) - inter
        return inter / u if u else 1.0

    work = tempfile.mkdtemp(prefix="curate-bench-minhash-jobs-")
    recipe = os.path.join(work, "recipe.py")
    with open(recipe, "w") as f:
        f.write(RECIPE)
    inputs = [f"/synthetic/CC-MAIN-SYNTH/part-{k:05d}.warc.gz" for k in range(args.shards)]
    # node id = shard index << 32 | row, with shards in sorted order and docs dealt round-robin
    from curate.io.inputs import shard_id
    order = sorted(range(args.shards), key=lambda k: shard_id(inputs[k]))
    node_doc = {}
    for si, k in enumerate(order):
        for row, i in enumerate(range(k, len(docs), args.shards)):
            node_doc[(si << 32) | row] = i

    rows, payload = [], {"machine": common.machine_info(), "args": vars(args), "docs": len(docs),
                         "true_pairs": len(truth), "runs": []}
    for spec in args.settings.split(","):
        parts = spec.split(":")
        verify, num_perm = parts[0], int(parts[1])
        mparams = {"verify": verify, "num_perm": num_perm, "threshold": args.threshold, "partitions": args.partitions}
        if "nocheck" in parts[2:]:
            mparams["check_kept"] = False
            parts.remove("nocheck")
        if len(parts) > 2:
            mparams["fn_weight"] = float(parts[2])
        out = os.path.join(work, spec.replace(":", "_"))
        write_extract(out, inputs, docs)
        log = io.StringIO()
        t0 = time.perf_counter()
        result = run(inputs, out, recipe=recipe, params={"minhash": mparams}, runner=args.runner, log=log)
        wall = time.perf_counter() - t0
        if not result.ok:
            print(log.getvalue(), file=sys.stderr)
            raise SystemExit(f"run failed: {result.failed}")
        jobs = {}
        for name in sorted(os.listdir(os.path.join(out, "jobs"))):
            with open(os.path.join(out, "jobs", name, "_SUCCESS.json")) as f:
                info = json.load(f)
            jobs[name] = {"seconds": info["seconds"], "rows": info["rows"], "summary": info["summary"]}
        found = cluster_pairs(out)
        n, tp, p, r = prf(found, truth)
        _, _, cp, cr = prf(found, truth_cc)
        removed = removed_vs_kept(out)
        removed_ok = sum(jac(a, b) >= args.threshold for a, b in removed) / len(removed) if removed else 1.0
        gone = {a for a, _ in removed}
        left = sum(a not in gone and b not in gone for a, b in truth)
        removed_r = 1 - left / len(truth) if truth else 1.0
        fps = [jac(a, b) for a, b in found - truth]
        direct = edge_pairs(out, "minhash_verify_v" if verify == "exact" else "minhash_lsh", node_doc)
        en, etp, ep, er = prf(direct, truth)
        job_s = sum(v["seconds"] for v in jobs.values())
        from curate.stages.minhash_dedup import MinhashLsh
        lsh = MinhashLsh(**mparams)
        check = lsh.check_kept and verify == "exact"
        run_info = {"setting": spec, "bands": lsh.bands, "rows": lsh.rows, "check_kept": check,
                    "removed_precision": removed_ok, "removed_recall": removed_r, "true_pairs_left": left,
                    "cluster_pairs": n, "true_pos": tp,
                    "precision": p, "recall": r, "closure_precision": cp, "closure_recall": cr,
                    "removed": len(removed), "removed_jaccard_ge_t_to_kept": removed_ok, "false_pos_jaccard_min": min(fps) if fps else None,
                    "false_pos_jaccard_median": float(np.median(fps)) if fps else None,
                    "edges": en, "edge_precision": ep, "edge_recall": er, "jobs_seconds": job_s,
                    "run_wall_seconds": wall, "jobs": jobs}
        payload["runs"].append(run_info)
        rows.append([f"{verify}, {num_perm} perms, {lsh.bands}x{lsh.rows}" + (", check kept" if check else ""),
                     f"{en:,}", f"{ep:.3f}", f"{er:.3f}", f"{len(removed):,}", f"{removed_ok:.3f}",
                     f"{removed_r:.3f}", f"{left:,}", f"{n:,}", f"{p:.3f}", f"{r:.3f}",
                     f"{min(fps):.2f}-{np.median(fps):.2f}" if fps else "-", f"{cp:.3f}", f"{cr:.3f}",
                     f"{job_s:.1f}"])
        print(f"{spec}: " + "; ".join(f"{k} {v['seconds']:.1f} s ({v['summary']})" for k, v in jobs.items()),
              file=sys.stderr)
    payload["true_pairs_closure"] = len(truth_cc)
    print(f"\n### MinHash dedup through the jobs: {len(docs):,} docs, {len(truth):,} true pairs "
          f"(exact Jaccard >= {args.threshold}), {args.shards} shards, {args.partitions} partitions, "
          f"runner {args.runner}\n")
    print(common.markdown_table(
        ["setting", "edges", "edge P", "edge R", "removed", "removed P", "removed R", "dup pairs left",
         "cluster pairs", "P", "R", "FP Jaccard min-median", "P vs exact CC", "R vs exact CC", "jobs s"], rows))
    print("\njob wall seconds:")
    for r in payload["runs"]:
        print(f"- {r['setting']}: " + ", ".join(f"{k} {v['seconds']:.1f}" for k, v in r["jobs"].items()))
    common.write_json(args.json, payload)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
