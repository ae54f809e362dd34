"""Read + extract throughput on real pages: curate next to datatrove 0.10, one core each.

    python benchmarks/bench_extract.py                  # all 1,381 pages of dev-pages.warc.gz
    python benchmarks/bench_extract.py --limit 200      # the first 200 response records
    python benchmarks/bench_extract.py --matched --same-docs --rounds 2 --json benchmarks/results/extract.json

Two measurements on ``$CURATE_SHARED/data/warc/dev-pages.warc.gz``, in one process pinned
to one core (``os.sched_setaffinity``; processes it starts inherit the pin):

1. **read + extract** (docs/s/core = documents / wall seconds):
   - curate: ``WarcReader.read`` → live rows → ``Extract.process``, the way ``run_shard``
     drives them (without writing Parquet), with the stage's default parameters
     (trafilatura ``favor_precision=False, include_comments=True, include_tables=True,
     deduplicate=False``, 5 s SIGALRM timeout per document);
   - datatrove: its ``WarcReader`` (warcio, libmagic, cchardet) → its ``Trafilatura`` step
     as FineWeb configures it (``favour_precision=True``, default ``timeout=1`` s; the step
     itself fixes ``include_comments=False`` and defaults ``deduplicate=True``), calling the
     steps' ``run()`` generators directly, as one task (rank 0, world size 1). Its
     extraction runs in a forked sandbox process on the same pinned core, so this script
     reports wall time; CPU time includes reaped children (``RUSAGE_CHILDREN``) as well.
   - ``--matched`` adds a row: curate's stage with FineWeb's switches
     (``favor_precision=True, include_comments=False``), which separates the cost of the
     extractor settings from the cost of the framework.
   - ``--same-docs`` adds curate's stage fed only the pages datatrove's reader emits (it
     skips those libmagic calls non-HTML): extraction over the same documents.
   - ``--rounds R`` runs every side R times, reversing the order every other round, and
     reports the median (this VM drifts by 10-25% over minutes).
2. **read only**: fastwarc ``ArchiveIterator`` (as curate calls it, ``parse_http=False``, and
   with HTTP parsing) against warcio's ``ArchiveIterator``, reading every response's bytes,
   and the two full readers (curate ``WarcReader``, datatrove ``WarcReader``). Best of
   ``--repeat`` runs.

"docs" are WARC response records, in file order; ``--limit N`` stops after N of them on
every side. "docs with text" counts the documents each side outputs with non-empty text.
Python imports (trafilatura, lxml) happen before any timer starts on both sides.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

#: Curate's Extract stage with FineWeb's trafilatura switches (``--matched``).
MATCHED = {"favor_precision": True, "include_comments": False}


#: What the comparison needs beyond curate: module → pip package.
PEERS = {"datatrove": "datatrove==0.10.1", "warcio": "warcio==1.8.1", "cchardet": "faust-cchardet",
         "magic": "python-magic"}


def check_peers() -> None:
    import importlib.util

    missing = [pkg for mod, pkg in PEERS.items() if importlib.util.find_spec(mod) is None]
    if missing:
        sys.exit(f"bench_extract needs {', '.join(missing)} (datatrove's WarcReader imports warcio, cchardet "
                 f"and magic): pip install -e '.[bench]' or pip install {' '.join(missing)}")


def curate_reader(limit: int):
    """curate's WarcReader with its defaults; under ``--limit`` its batches end at the limit.

    The reader yields 256-record batches; cutting the first batch at N would still pay for
    reading 256 records, so a limited run uses batches of about ``limit / ceil(limit/256)``.
    """
    from curate.io.warc import WarcReader

    if not limit:
        return WarcReader()
    batches = -(-limit // 256)
    return WarcReader(batch_size=-(-limit // batches))


def _norm_id(rid: str | None) -> str:
    return (rid or "").strip().strip("<>")


def response_index(path: str) -> dict[str, int]:
    """Position of each response record in the file, by record id (to stop every side at N)."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    out: dict[str, int] = {}
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f, parse_http=False, record_types=WarcRecordType.response):
            out[_norm_id(rec.record_id)] = len(out)
    return out


def _until(docs, index: dict[str, int], limit: int):
    """datatrove documents up to the ``limit``-th response record of the file."""
    for d in docs:
        if limit and index.get(_norm_id(d.id), 0) >= limit:
            return
        yield d


def quiet_datatrove_logs() -> None:
    import datatrove.pipeline.readers  # noqa: F401  (sets up its loguru handler on import)
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="WARNING")


def warm_up(path: str, n: int = 3) -> None:
    """One trafilatura call on a few real pages before any timer (lazy imports, first-call caches)."""
    import trafilatura
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with open(path, "rb") as f:
        for i, rec in enumerate(ArchiveIterator(f, record_types=WarcRecordType.response)):
            if i == n:
                break
            trafilatura.extract(rec.reader.read().decode("utf-8", "replace"), output_format="txt")


# ----------------------------------------------------------------------------- read + extract

def run_curate(path: str, limit: int, params: dict, only_ids: set[str] | None = None) -> dict:
    """curate's WarcReader + Extract stage in-process, as run_shard chains them.

    ``only_ids`` (``--same-docs``) passes only those documents to the stage: the pages that
    datatrove's reader emits, for a comparison over the same documents.
    """
    import pyarrow.compute as pc

    from curate import schema
    from curate.stages.extract import Extract

    reader = curate_reader(limit)
    stage = Extract(**params)
    stage.setup()
    reasons: collections.Counter = collections.Counter()
    ids: list[str] = []
    n_in = n_live = 0

    if only_ids is not None:
        import pyarrow as pa

        keep = pa.array(sorted(f"<{i}>" for i in only_ids), pa.string())

    def split(batch):
        dead = pc.is_valid(batch.column(schema.DROP_REASON))
        return batch.filter(pc.invert(dead)), batch.filter(dead)

    with common.timed() as t:
        for batch in reader.read(path):
            if limit:
                if n_in >= limit:
                    break
                batch = batch.slice(0, limit - n_in)
            n_in += batch.num_rows
            live, dead = split(batch)
            reasons.update(dead.column(schema.DROP_REASON).to_pylist())
            if only_ids is not None:
                live = live.filter(pc.is_in(live.column(schema.ID), value_set=keep))
            n_live += live.num_rows
            if live.num_rows == 0:
                continue
            out = stage.process(live)
            if out.num_rows != live.num_rows:
                raise RuntimeError(f"Extract returned {out.num_rows} rows for {live.num_rows}")
            live, dead = split(out)
            reasons.update(dead.column(schema.DROP_REASON).to_pylist())
            for rid, text in zip(live.column(schema.ID).to_pylist(), live.column(schema.TEXT).to_pylist()):
                if text and text.strip():
                    ids.append(_norm_id(rid))
    settings = {"reader": f"curate.io.warc.WarcReader (fastwarc, max_html_bytes={reader.max_html_bytes}, "
                          f"batch_size={reader.batch_size})",
                "extract": {f: getattr(stage, f) for f in
                            ("timeout_s", "min_chars", "include_tables", "include_comments", "favor_precision")}
                | {"deduplicate": False, "output_format": "txt"}}
    return {"docs": n_in, "to_extractor": n_live, "with_text": len(ids), "timing": t, "dropped": dict(reasons),
            "ids": ids, "settings": settings}


def run_datatrove(path: str, limit: int, timeout: float | None, index: dict[str, int]) -> dict:
    """datatrove's WarcReader + Trafilatura steps as FineWeb configures them, one task."""
    import trafilatura  # noqa: F401  (imported before forking the sandbox: its child starts warm)
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader

    # Not the reader's own ``limit``: it counts documents it emits, and it skips pages that
    # libmagic calls non-HTML, so it would read further into the file than curate does.
    reader = WarcReader(os.path.dirname(path), glob_pattern=os.path.basename(path))
    kwargs = {"favour_precision": True} | ({"timeout": timeout} if timeout is not None else {})
    extractor = Trafilatura(**kwargs)
    ids: list[str] = []
    n_in = 0
    docs_total = min(limit, len(index)) if limit else len(index)

    def counted(docs):
        nonlocal n_in
        for d in docs:
            n_in += 1
            yield d

    with common.timed() as t:
        docs = counted(_until(reader.run(None, rank=0, world_size=1), index, limit))
        for doc in extractor.run(docs, rank=0, world_size=1):
            if doc.text and doc.text.strip():
                ids.append(_norm_id(doc.id))
    stats = {k: v for k, v in extractor.stats.to_dict().get("stats", {}).items()
             if k in ("total", "extracted", "forwarded", "dropped", "timeout", "clean_error", "broken_process")}
    stats["not_emitted_by_reader"] = docs_total - n_in
    settings = {"reader": "datatrove.pipeline.readers.WarcReader (warcio + libmagic + cchardet)",
                "extract": {"favour_precision": True, "timeout": extractor.timeout,
                            "include_comments": False, "deduplicate": extractor.deduplicate,
                            "sandbox": "forked child process (ExtractorSandbox)"}}
    return {"docs": docs_total, "to_extractor": n_in, "with_text": len(ids), "timing": t, "dropped": stats,
            "ids": ids, "settings": settings}


# ----------------------------------------------------------------------------- read only
# Each reader returns (response records covered, documents it emits).

def read_fastwarc(path: str, limit: int, parse_http: bool, index=None) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    n = 0
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f, parse_http=parse_http):
            if rec.record_type == WarcRecordType.response:
                rec.reader.read()
                n += 1
                if n == limit:
                    break
    return n, n


def read_warcio(path: str, limit: int, index=None) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f):
            if rec.rec_type == "response":
                rec.content_stream().read()
                n += 1
                if n == limit:
                    break
    return n, n


def read_curate(path: str, limit: int, index=None) -> tuple[int, int]:
    import pyarrow.compute as pc

    from curate import schema

    n = live = 0
    for batch in curate_reader(limit).read(path):
        if limit:
            if n >= limit:
                break
            batch = batch.slice(0, limit - n)
        n += batch.num_rows
        live += batch.num_rows - pc.sum(pc.is_valid(batch.column(schema.DROP_REASON))).as_py()
    return n, live


def read_datatrove(path: str, limit: int, index: dict[str, int]) -> tuple[int, int]:
    from datatrove.pipeline.readers import WarcReader

    reader = WarcReader(os.path.dirname(path), glob_pattern=os.path.basename(path))
    emitted = sum(1 for _ in _until(reader.run(None, rank=0, world_size=1), index, limit))
    return (min(limit, len(index)) if limit else len(index)), emitted


def datatrove_ids(path: str, limit: int, index: dict[str, int]) -> set[str]:
    """Ids of the pages datatrove's WarcReader emits (libmagic says HTML and they decode)."""
    from datatrove.pipeline.readers import WarcReader

    reader = WarcReader(os.path.dirname(path), glob_pattern=os.path.basename(path))
    return {_norm_id(d.id) for d in _until(reader.run(None, rank=0, world_size=1), index, limit)}


READERS = [
    ("fastwarc ArchiveIterator (parse_http=False, as curate)", "fastwarc",
     lambda p, n, i: read_fastwarc(p, n, parse_http=False)),
    ("fastwarc ArchiveIterator (parse_http=True)", "fastwarc_http",
     lambda p, n, i: read_fastwarc(p, n, parse_http=True)),
    ("warcio ArchiveIterator (content_stream)", "warcio", read_warcio),
    ("curate WarcReader (fastwarc + HTTP + charset + Arrow)", "curate_reader", read_curate),
    ("datatrove WarcReader (warcio + libmagic + decode)", "datatrove_reader", read_datatrove),
]


def bench_read(path: str, limit: int, repeat: int, index: dict[str, int]) -> list[dict]:
    for _, _, fn in READERS:  # warm the page cache and every import
        fn(path, 20, index)
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for label, key, fn in READERS:
            with common.timed() as t:
                n, emitted = fn(path, limit, index)
            row = best.get(key)
            if row is None or t.wall < row["wall_s"]:
                best[key] = {"key": key, "reader": label, "docs": n, "emitted": emitted, "wall_s": t.wall,
                             "cpu_s": t.cpu}
    rows = [best[k] for _, k, _ in READERS]
    size = os.path.getsize(path)
    for r in rows:
        r["docs_per_s"] = r["docs"] / r["wall_s"]
        r["mb_per_s"] = size / 1e6 / r["wall_s"] if not limit else None
    return rows


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="first N response records (default: all)")
    ap.add_argument("--json", metavar="OUT", help="write the results as JSON to OUT")
    ap.add_argument("--repeat", type=int, default=3, help="read-only runs per reader; the best counts (default 3)")
    ap.add_argument("--core", type=int, default=None, help="core to pin to (default: the first allowed)")
    ap.add_argument("--dt-timeout", type=float, default=None,
                    help="datatrove Trafilatura timeout in s (default: its own default, 1 s)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="read + extract runs per side, in alternating order; the median counts (default 1)")
    ap.add_argument("--matched", action="store_true",
                    help="also run curate's Extract with FineWeb's switches (favor_precision=True, include_comments=False)")
    ap.add_argument("--same-docs", action="store_true",
                    help="also run curate's side on only the pages datatrove's reader emits")
    ap.add_argument("--skip-extract", action="store_true", help="only the read-only benchmark")
    ap.add_argument("--skip-read", action="store_true", help="only the read + extract benchmark")
    args = ap.parse_args(argv)

    path = common.dev_pages_or_exit()
    check_peers()
    core = common.pin_one_core(args.core)
    quiet_datatrove_logs()
    info = common.machine_info() | {"pinned_core": core, "input": path, "limit": args.limit or None}
    print(f"# bench_extract: {path} (limit {args.limit or 'all'}), pinned to core {core}, "
          f"{info['cores']} cores, {info['cpu']}", file=sys.stderr)
    result: dict = {"machine": info, "clock": "wall seconds (time.perf_counter), one process pinned to one core; "
                    "cpu_s = RUSAGE_SELF + RUSAGE_CHILDREN"}
    index = response_index(path)

    if not args.skip_extract:
        warm_up(path)
        sides = [("curate", lambda: run_curate(path, args.limit, {})),
                 ("datatrove", lambda: run_datatrove(path, args.limit, args.dt_timeout, index))]
        if args.matched:
            sides.append(("curate, FineWeb switches", lambda: run_curate(path, args.limit, MATCHED)))
        if args.same_docs:
            dt_docs = datatrove_ids(path, args.limit, index)
            sides.append(("curate, datatrove's docs", lambda: run_curate(path, args.limit, {}, dt_docs)))
            if args.matched:
                sides.append(("curate, FineWeb switches, datatrove's docs",
                              lambda: run_curate(path, args.limit, MATCHED, dt_docs)))
        # Rounds alternate the order of the sides (the second runs them backwards), so that a
        # machine that drifts over minutes does not favour the side that runs first.
        per: dict[str, list[dict]] = {name: [] for name, _ in sides}
        for rnd in range(max(1, args.rounds)):
            for name, fn in (sides if rnd % 2 == 0 else sides[::-1]):
                print(f"  read + extract, round {rnd + 1}: {name} ...", file=sys.stderr, flush=True)
                r = fn()
                per[name].append(r)
                print(f"    {r['docs']} docs in {r['timing'].wall:.1f} s", file=sys.stderr, flush=True)
        runs = {name: sorted(rs, key=lambda r: r["timing"].wall)[(len(rs) - 1) // 2] for name, rs in per.items()}
        base = runs["datatrove"]["docs"] / runs["datatrove"]["timing"].wall
        rows = []
        for name, r in runs.items():
            t = r["timing"]
            walls = [x["timing"].wall for x in per[name]]
            rows.append({"side": name, "docs": r["docs"], "to_extractor": r["to_extractor"],
                         "with_text": r["with_text"], "wall_s": t.wall, "walls": walls, "cpu_s": t.cpu,
                         "cpu_children_s": t.cpu_children, "docs_per_s_core": r["docs"] / t.wall,
                         "extracted_per_s_core": r["to_extractor"] / t.wall,
                         "vs_datatrove": (r["docs"] / t.wall) / base,
                         "vs_datatrove_per_round": [per["datatrove"][i]["timing"].wall / w for i, w in enumerate(walls)],
                         "dropped": r["dropped"], "settings": r["settings"]})
        cur, dt_ = set(runs["curate"]["ids"]), set(runs["datatrove"]["ids"])
        result["extract"] = rows
        result["extract_overlap"] = {"both": len(cur & dt_), "curate_only": len(cur - dt_),
                                     "datatrove_only": len(dt_ - cur)}
        print(f"\n## Read + extract, one core (docs/s/core = response records / wall s; median of "
              f"{max(1, args.rounds)} round(s))\n")
        print(common.markdown_table(
            ["side", "docs", "to extractor", "docs with text", "wall s", "cpu s", "docs/s/core", "× datatrove",
             "extracted docs/s/core"],
            [[r["side"], r["docs"], r["to_extractor"], r["with_text"], r["wall_s"], r["cpu_s"],
              r["docs_per_s_core"], r["vs_datatrove"], r["extracted_per_s_core"]] for r in rows]))
        if args.rounds > 1:
            print("\nper round, × datatrove (wall of datatrove / wall of the side, same round): " + "; ".join(
                f"{r['side']}: {', '.join(f'{x:.2f}' for x in r['vs_datatrove_per_round'])}" for r in rows))
        ov = result["extract_overlap"]
        print(f"\nnon-empty text on both sides: {ov['both']}; curate only: {ov['curate_only']}; "
              f"datatrove only: {ov['datatrove_only']}")
        for r in rows:
            print(f"- {r['side']}: drops {r['dropped']}; settings {r['settings']}")

    if not args.skip_read:
        print("  read only ...", file=sys.stderr, flush=True)
        rows = bench_read(path, args.limit, max(1, args.repeat), index)
        by = {r["key"]: r for r in rows}
        result["read"] = rows
        result["read_ratios"] = {
            "fastwarc_vs_warcio": by["fastwarc"]["docs_per_s"] / by["warcio"]["docs_per_s"],
            "fastwarc_http_vs_warcio": by["fastwarc_http"]["docs_per_s"] / by["warcio"]["docs_per_s"],
            "curate_reader_vs_datatrove_reader": by["curate_reader"]["docs_per_s"] / by["datatrove_reader"]["docs_per_s"],
        }
        print(f"\n## Read only, one core (best of {max(1, args.repeat)}; docs = response records)\n")
        print(common.markdown_table(
            ["reader", "docs", "docs emitted", "wall s", "docs/s", "MB/s (gz)", "× warcio"],
            [[r["reader"], r["docs"], r["emitted"], r["wall_s"], r["docs_per_s"],
              r["mb_per_s"] if r["mb_per_s"] is not None else "-",
              r["docs_per_s"] / by["warcio"]["docs_per_s"]] for r in rows]))
        rr = result["read_ratios"]
        print(f"\nfastwarc / warcio: {rr['fastwarc_vs_warcio']:.2f}× (parse_http=False), "
              f"{rr['fastwarc_http_vs_warcio']:.2f}× (parse_http=True); curate WarcReader / datatrove "
              f"WarcReader: {rr['curate_reader_vs_datatrove_reader']:.2f}×")

    common.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
