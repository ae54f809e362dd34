"""Dedup at scale: the URL, MinHash and line dedup phases of the main recipe over N synthetic documents.

Documents are resampled from the real dev-page texts (2 to 8 paragraphs, each from a random
page with one word inserted, so that a paragraph drawn twice is two distinct lines; the pool of
real paragraphs is small), with a share of near-duplicate copies: a resampled document with a few words changed, and exact
refetches of a URL at a later date), written as the committed output of the ``extract``
phase in ``--shards`` shards. Then ``curate.runner.run`` runs the main recipe's dedup phases
(``url_dedup``, ``doc_dedup``, ``line_dedup``) on a local Ray instance; the ``extract``
shards are already committed, so nothing is read from WARC.

Reported: wall seconds per phase (jobs included) from the run's log, documents kept and
dropped per reason, and peak resident memory of the driver and of every Ray worker process
(sampled every 0.2 s with psutil). Usage::

    .venv/bin/python benchmarks/bench_dedup_scale.py --docs 1000000 --shards 64 --json benchmarks/results/dedup-scale.json
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sys
import tempfile
import threading
import time

import numpy as np
import psutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from bench_minhash import real_texts  # noqa: E402

RECIPE = '''
from curate.io.warc import WarcReader
from curate.pipeline import Phase, make_stage
from curate.stages.line_dedup import LineCounts, LineDedup
from curate.stages.minhash_dedup import MinhashDedupFilter, MinhashLsh
from curate.stages.url_dedup import UrlDedup, UrlDedupFilter

def build(params):
    p = params.get("partitions", 16)
    return [Phase("extract", reader=WarcReader(), stages=[]),
            Phase("url_dedup", jobs=[UrlDedup(partitions=p)], stages=[UrlDedupFilter()]),
            Phase("doc_dedup", jobs=[MinhashLsh(partitions=p)], stages=[MinhashDedupFilter()]),
            Phase("line_dedup", jobs=[LineCounts(partitions=p)], stages=[LineDedup()])]
'''


def paragraphs(texts: list[str]) -> list[list[str]]:
    return [[p for p in t.split("\n") if p.strip()] for t in texts if t and len(t) > 200]


def _touch(paragraph: str, rng: random.Random, words: list[str]) -> str:
    toks = paragraph.split(" ")
    toks.insert(rng.randrange(len(toks) + 1), f"{rng.choice(words)}{rng.randrange(1000)}")
    return " ".join(toks)


def make_docs(pages: list[list[str]], n: int, seed: int, start: int, near: float = 0.05, refetch: float = 0.03):
    """``n`` documents from random pages; a share are near copies or later refetches of earlier ones."""
    rng = random.Random(seed)
    words = [w for ps in pages[:50] for p in ps for w in p.split()][:5000]
    recent: list[tuple[str, str]] = []
    for i in range(start, start + n):
        r = rng.random()
        if recent and r < near:
            url0, text0 = rng.choice(recent)
            toks = text0.split(" ")
            for _ in range(max(1, len(toks) // 200)):
                toks[rng.randrange(len(toks))] = rng.choice(words)
            url, text = f"https://copy{i % 997}.example/{i}", " ".join(toks)
        elif recent and r < near + refetch:
            url, text = rng.choice(recent)
        else:  # 2-8 paragraphs, each from a random page with one word changed: unrelated documents and lines
            paras = [rng.choice(ps) for ps in (pages[rng.randrange(len(pages))] for _ in range(rng.randint(2, 8)))]
            paras = [_touch(p, rng, words) for p in paras]
            url, text = f"https://site{rng.randrange(20000)}.example/page/{i}", "\n".join(paras)
        if len(recent) < 2000:
            recent.append((url, text))
        else:
            recent[rng.randrange(2000)] = (url, text)
        yield i, url, text


def write_extract(out: str, inputs: list[str], pages, docs: int, seed: int) -> int:
    per = docs // len(inputs)
    return sum(common.commit_extract_shard(out, path, list(make_docs(pages, per, seed + k, k * per)))
               for k, path in enumerate(inputs))


class MemorySampler:
    """Peak RSS of this process and of every Ray worker process, sampled in a thread."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak_driver, self.peak_worker, self.peak_total = every, 0, 0, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.peak_driver = max(self.peak_driver, me.memory_info().rss)
            workers = 0
            for p in psutil.process_iter(["name", "cmdline", "memory_info"]):
                try:
                    cmd = " ".join(p.info["cmdline"] or [])
                    if "ray::" in (p.info["name"] or "") or "default_worker.py" in cmd or cmd.startswith("ray::"):
                        rss = p.info["memory_info"].rss
                        self.peak_worker = max(self.peak_worker, rss)
                        workers += rss
                except (psutil.Error, TypeError):
                    pass
            self.peak_total = max(self.peak_total, workers)
            time.sleep(self.every)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--shards", type=int, default=16)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="keep the output folder here instead of a temporary one")
    ap.add_argument("--json")
    args = ap.parse_args()

    pages = paragraphs(real_texts())
    work = args.keep or tempfile.mkdtemp(prefix="curate-dedup-scale-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out = os.path.join(work, "out")
    recipe = os.path.join(work, "recipe.py")
    with open(recipe, "w") as f:
        f.write(RECIPE)
    inputs = [f"/synthetic/CC-MAIN-SYNTH/part-{k:05d}.warc.gz" for k in range(args.shards)]
    t0 = time.perf_counter()
    docs = write_extract(out, inputs, pages, args.docs, args.seed)
    gen_s = time.perf_counter() - t0
    text_mb = sum(os.path.getsize(os.path.join(out, "extract", f)) for f in os.listdir(os.path.join(out, "extract"))
                  if f.endswith(".parquet")) / 1e6
    print(f"{docs:,} documents in {args.shards} shards ({text_mb:,.0f} MB of zstd Parquet) in {gen_s:.0f} s",
          file=sys.stderr)

    from curate import stats
    from curate.runner import run

    log = io.StringIO()
    with MemorySampler() as mem:
        t0 = time.perf_counter()
        result = run(inputs, out, recipe=recipe, params={"partitions": args.partitions}, runner="ray", log=log)
        wall = time.perf_counter() - t0
    if not result.ok:
        print(log.getvalue(), file=sys.stderr)
        raise SystemExit(f"run failed: {result.failed}")
    st = stats.compute(out)
    jobs = {k: {"seconds": v["seconds"], "rows": v["rows"]} for k, v in st["jobs"].items()}
    phases = {p: {"docs_in": v["docs_in"], "kept": v["kept"], "rejected": v["rejected"],
                  "shard_seconds": v["shard_seconds"]} for p, v in st["phases"].items() if p != "extract"}
    cores = psutil.cpu_count(logical=True)
    rows = [[p, f"{v['docs_in']:,}", f"{v['rejected']:,}", f"{v['shard_seconds']:,.1f}"] for p, v in phases.items()]
    print(common.markdown_table(["phase", "docs in", "dropped", "apply core-s"], rows))
    print()
    print(common.markdown_table(["job", "artifact rows", "wall s"],
                                [[k, f"{v['rows']:,}", f"{v['seconds']:,.1f}"] for k, v in sorted(jobs.items())]))
    print()
    print(f"wall {wall:,.1f} s on {cores} cores = {docs / wall / cores:,.0f} docs/s/core end to end; peak RSS: "
          f"driver {mem.peak_driver / 2**20:,.0f} MiB, largest worker {mem.peak_worker / 2**20:,.0f} MiB, "
          f"all workers {mem.peak_total / 2**20:,.0f} MiB")
    common.write_json(args.json, {"docs": docs, "shards": args.shards, "partitions": args.partitions,
                                  "parquet_mb": text_mb, "wall_s": wall, "cores": cores, "phases": phases,
                                  "jobs": jobs, "peak_rss_driver": mem.peak_driver, "peak_rss_worker": mem.peak_worker,
                                  "peak_rss_workers_total": mem.peak_total, "machine": common.machine_info()})
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
