"""MinHash signatures: speed next to datasketch and datatrove, and near-duplicate precision/recall.

    python benchmarks/bench_minhash.py                         # 3,000 docs for speed, 128 permutations
    python benchmarks/bench_minhash.py --json benchmarks/results/minhash.json

Texts: the main text of ``$CURATE_SHARED/data/warc/dev-pages.warc.gz`` (``WarcReader`` →
``Extract`` with its defaults), extracted once and cached in
``$TMPDIR/curate-bench-minhash-texts.parquet``.

1. **Speed**, one core pinned with ``os.sched_setaffinity``, CPU time of this process, best
   of ``--repeat``, on ``--docs`` texts resampled (seeded, with replacement) from the pages:
   - curate: ``MinHasher(num_perm).signatures(texts)``, everything included (normalization,
     5-gram shingles, signatures).
   - datasketch: per text, ``text.lower().split()``, the 5-grams joined with spaces and
     encoded to UTF-8 in Python, then ``MinHash(num_perm).update_batch(shingles)`` (SHA-1 per
     shingle, numpy permutations). Its own normalization is nothing more than that.
   - datatrove 0.10.1: per text, ``MinhashDedupSignature.get_shingles`` (its
     ``simplify_text``, word tokenizer, ``xxhash64`` of each 5-gram) then ``get_signature``
     (the ``(a*x + b) mod (2^61 - 1)`` permutations) with ``num_perm`` hashes, twice: with its
     default English word tokenizer (spaCy's ``blank("en")``, when spaCy is installed: the
     ``bench`` extra has it) and with a whitespace tokenizer (``str.split``), the cheapest
     possible, an upper bound on any tokenizer. The writing of signature files (``run``) is
     not timed.
2. **Accuracy**: a corpus of every page text with at least ``--min-words`` words, plus
   ``--variants`` edited copies of each of ``--sources`` pages. A copy aims at a Jaccard drawn
   uniformly from [0.5, 1.0] with random edits: word substitutions, deletions, insertions
   (words of other pages), and changed or added boilerplate lines (a line of another page).
   The truth is every pair of the whole corpus (originals among themselves too) whose exact
   shingle-set Jaccard is >= the threshold, found by exact prefix filtering (Bayardo et al.,
   "Scaling up all pairs similarity search", WWW 2007: a pair over the threshold shares a
   token in the rarest ``|x| - ceil(t|x|) + 1`` tokens of each set) and verified on the sets.
   Candidates: pairs that share at least one band key. Reported raw, after keeping the
   candidates whose signature estimate is >= the threshold, and after exact verification.
"""

from __future__ import annotations

import argparse
import collections
import math
import os
import random
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import common  # noqa: E402


def real_texts() -> list[str]:
    """The dev pages' extracted texts (``common.extracted``), the non-empty ones."""
    return [t for t in common.extracted(common.dev_pages_or_exit()).column("text").to_pylist() if t]


# ---------------------------------------------------------------------------------------- speed

def _best(fn, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def speed(texts: list[str], num_perm: int, repeat: int) -> list[dict]:
    from curate.dedup.minhash import MinHasher

    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    rows = []

    m = MinHasher(num_perm=num_perm)
    m.signatures(texts[:20])
    rows.append(("curate MinHasher.signatures", _best(lambda: m.signatures(texts), repeat)))

    try:
        from datasketch import MinHash

        def ds():
            for t in texts:
                w = t.lower().split()
                sh = [" ".join(w[i:i + 5]).encode("utf-8") for i in range(max(1, len(w) - 4))]
                h = MinHash(num_perm=num_perm)
                h.update_batch(sh)
                h.digest()

        rows.append(("datasketch MinHash.update_batch", _best(ds, repeat)))
    except ImportError:
        print("datasketch not installed: skipped", file=sys.stderr)

    try:
        from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
        from datatrove.utils.word_tokenizers import WordTokenizer

        class Whitespace(WordTokenizer):
            def word_tokenize(self, text):
                return text.split()

            def sent_tokenize(self, text):
                return [text]

            def span_tokenize(self, text):
                return []

        per = 16 if num_perm % 16 == 0 else 1
        sig = MinhashDedupSignature(os.path.join(tempfile.gettempdir(), "curate-bench-minhash-dt"),
                                    config=MinhashConfig(num_buckets=num_perm // per, hashes_per_bucket=per),
                                    language=Whitespace("en"))

        def dt():
            for t in texts:
                sh = sig.get_shingles(t)
                if sh.size:
                    sig.get_signature(sh)

        rows.append(("datatrove MinhashDedupSignature (whitespace tokens)", _best(dt, repeat)))
        try:
            import spacy  # noqa: F401  datatrove's default English word tokenizer (spacy.blank("en"))

            sig_default = MinhashDedupSignature(
                os.path.join(tempfile.gettempdir(), "curate-bench-minhash-dt2"),
                config=MinhashConfig(num_buckets=num_perm // per, hashes_per_bucket=per), language="en")

            def dt_default():
                for t in texts:
                    sh = sig_default.get_shingles(t)
                    if sh.size:
                        sig_default.get_signature(sh)

            rows.append(("datatrove MinhashDedupSignature (its default: spaCy English tokenizer)",
                         _best(dt_default, repeat)))
        except ImportError:
            print("spacy not installed: datatrove's default tokenizer skipped", file=sys.stderr)
    except ImportError:
        print("datatrove not installed: skipped", file=sys.stderr)

    out = []
    for name, sec in rows:
        out.append({"impl": name, "seconds": sec, "docs_per_s": len(texts) / sec, "mb_per_s": mb / sec})
    for r in out:
        r["vs_curate"] = out[0]["docs_per_s"] / r["docs_per_s"]
    return out


# ------------------------------------------------------------------------------------- accuracy

def _edit(words: list[str], target: float, rng: random.Random, pool: list[str], lines: list[str]) -> list[str]:
    """Random edits aiming at about ``target`` Jaccard of 5-gram sets (the truth is measured after)."""
    w = list(words)
    # one edit changes about 5 shingles: J ~ (S - 5k) / (S + 5k)
    k = max(0, round(len(w) * (1 - target) / (5 * (1 + target))))
    for _ in range(k):
        op = rng.random()
        i = rng.randrange(len(w) + 1)
        if op < 0.35 and i < len(w):
            w[i] = rng.choice(pool)
        elif op < 0.6 and i < len(w) and len(w) > 5:
            del w[i]
        elif op < 0.9:
            w.insert(i, rng.choice(pool))
        else:  # a boilerplate line, changed or added at the top or the bottom
            line = rng.choice(lines).split()[:12]
            if rng.random() < 0.5:
                w = line + w[len(line) // 2:] if rng.random() < 0.5 else line + w
            else:
                w = w[: len(w) - len(line) // 2] + line if rng.random() < 0.5 else w + line
    return w


def build_corpus(texts: list[str], sources: int, variants: int, min_words: int, seed: int):
    rng = random.Random(seed)
    originals = [t for t in texts if len(t.split()) >= min_words]
    pool = [w for t in rng.sample(originals, min(200, len(originals))) for w in t.split()]
    lines = [ln for t in originals for ln in t.splitlines() if 3 <= len(ln.split()) <= 20]
    docs, origin = list(originals), list(range(len(originals)))
    for s in rng.sample(range(len(originals)), min(sources, len(originals))):
        words = originals[s].split()
        for _ in range(variants):
            docs.append(" ".join(_edit(words, rng.uniform(0.5, 1.0), rng, pool, lines)))
            origin.append(s)
    return docs, origin, len(originals)


def exact_pairs(sets: list[np.ndarray], t: float) -> dict[tuple[int, int], float]:
    """Every pair with Jaccard >= t, exactly: prefix filtering on rare-first token order, then verification."""
    allt = np.concatenate(sets) if sets else np.empty(0, np.uint32)
    uniq, counts = np.unique(allt, return_counts=True)
    index: dict[int, list[int]] = collections.defaultdict(list)
    cands: set[tuple[int, int]] = set()
    for d, s in enumerate(sets):
        if not len(s):
            continue
        f = counts[np.searchsorted(uniq, s)]
        order = s[np.lexsort((s, f))]
        p = len(s) - math.ceil(t * len(s) - 1e-9) + 1
        for tok in order[:p].tolist():
            lst = index[tok]
            for o in lst:
                cands.add((o, d))
            lst.append(d)
    out = {}
    for a, b in cands:
        la, lb = len(sets[a]), len(sets[b])
        if min(la, lb) < t * max(la, lb):
            continue
        inter = len(np.intersect1d(sets[a], sets[b], assume_unique=True))
        j = inter / (la + lb - inter)
        if j >= t:
            out[(a, b)] = j
    return out


def candidate_pairs(keys: np.ndarray) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for band in range(keys.shape[1]):
        k = keys[:, band]
        order = np.argsort(k, kind="stable")
        ks = k[order]
        cuts = np.flatnonzero(ks[1:] != ks[:-1]) + 1
        for grp in np.split(order, cuts):
            if len(grp) > 1:
                g = sorted(grp.tolist())
                pairs.update((g[i], g[j]) for i in range(len(g)) for j in range(i + 1, len(g)))
    return pairs


def accuracy(texts, threshold, num_perm, sources, variants, min_words, seed) -> dict:
    from curate.dedup.minhash import MinHasher, band_keys, bands_rows, shingle_hashes

    docs, origin, n_orig = build_corpus(texts, sources, variants, min_words, seed)
    sets = [np.unique(h) for h in shingle_hashes(docs)]
    t0 = time.perf_counter()
    truth = exact_pairs(sets, threshold)
    truth_s = time.perf_counter() - t0
    sig = MinHasher(num_perm=num_perm).signatures(docs)

    def jac(a, b):
        inter = len(np.intersect1d(sets[a], sets[b], assume_unique=True))
        u = len(sets[a]) + len(sets[b]) - inter
        return inter / u if u else 1.0

    planted = [jac(i, j) for i in range(n_orig, len(docs)) for j in (origin[i],)]
    hist = np.histogram(planted, bins=[0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001])[0].tolist()
    settings = []
    for label, w in (("fp 0.5 / fn 0.5 (datasketch default)", (0.5, 0.5)), ("fp 0.2 / fn 0.8", (0.2, 0.8))):
        b, r = bands_rows(threshold, num_perm, *w)
        cands = candidate_pairs(band_keys(sig, b, r))
        est = {p for p in cands if (sig[p[0]] == sig[p[1]]).mean() >= threshold}
        exact = {p for p in cands if p in truth}
        for name, found in (("LSH candidates", cands), ("+ signature estimate >= t", est),
                            ("+ exact Jaccard >= t", exact)):
            tp = len(found & truth.keys())
            settings.append({"weights": label, "bands": b, "rows": r, "pairs": name, "found": len(found),
                             "true_pos": tp, "precision": tp / len(found) if found else 1.0,
                             "recall": tp / len(truth) if truth else 1.0})
        # recall of the raw candidates per similarity bin of the true pairs
        bins = [threshold, 0.85, 0.9, 0.95, 1.0001]
        per = []
        for lo, hi in zip(bins[:-1], bins[1:]):
            ps = [p for p, j in truth.items() if lo <= j < hi]
            per.append({"bin": f"[{lo:g}, {min(hi, 1):g}{']' if hi > 1 else ')'}", "pairs": len(ps),
                        "recall": sum(p in cands for p in ps) / len(ps) if ps else float("nan")})
        settings[-3]["recall_by_bin"] = per
    return {"docs": len(docs), "originals": n_orig, "variants": len(docs) - n_orig, "threshold": threshold,
            "num_perm": num_perm, "true_pairs": len(truth), "truth_seconds": truth_s,
            "planted_jaccard_hist": dict(zip(["<0.5", "0.5-0.6", "0.6-0.7", "0.7-0.8", "0.8-0.9", "0.9-1.0"], hist)),
            "results": settings}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=3000, help="texts for the speed test (resampled)")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sources", type=int, default=400, help="pages that get edited copies")
    ap.add_argument("--variants", type=int, default=4, help="edited copies per source page")
    ap.add_argument("--min-words", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()

    texts = real_texts()
    core = common.pin_one_core()
    payload = {"machine": common.machine_info(), "pinned_core": core, "args": vars(args)}
    if not args.skip_speed:
        rng = random.Random(args.seed)
        sample = [rng.choice(texts) for _ in range(args.docs)]
        rows = speed(sample, args.num_perm, args.repeat)
        payload["speed"] = {"docs": len(sample), "mb": sum(len(t.encode()) for t in sample) / 1e6, "rows": rows}
        print(f"\n### Signature speed: {len(sample):,} page texts ({payload['speed']['mb']:.1f} MB), "
              f"num_perm {args.num_perm}, one pinned core, CPU time, best of {args.repeat}\n")
        print(common.markdown_table(["implementation", "docs/s/core", "MB/s/core", "curate is x faster"],
                                    [[r["impl"], r["docs_per_s"], r["mb_per_s"], r["vs_curate"]] for r in rows]))
    acc = accuracy(texts, args.threshold, args.num_perm, args.sources, args.variants, args.min_words, args.seed)
    payload["accuracy"] = acc
    print(f"\n### Near-duplicate pairs: {acc['docs']:,} docs ({acc['originals']:,} page texts + "
          f"{acc['variants']:,} edited copies), threshold {acc['threshold']}, num_perm {acc['num_perm']}, "
          f"{acc['true_pairs']:,} true pairs (exact Jaccard >= threshold)\n")
    print("planted copy vs its source, exact Jaccard:", acc["planted_jaccard_hist"], "\n")
    print(common.markdown_table(["bands x rows", "pairs", "found", "precision", "recall"],
                                [[f"{r['bands']}x{r['rows']} ({r['weights']})", r["pairs"], r["found"],
                                  r["precision"], r["recall"]] for r in acc["results"]]))
    for r in acc["results"]:
        if "recall_by_bin" in r:
            print(f"\nraw candidate recall by true Jaccard, {r['bands']}x{r['rows']}: " +
                  ", ".join(f"{b['bin']}: {b['recall']:.3f} ({b['pairs']})" for b in r["recall_by_bin"]))
    common.write_json(args.json, payload)


if __name__ == "__main__":
    main()
