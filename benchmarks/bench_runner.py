"""The cost of the Ray runner over the in-process runner, on the same shards.

    python benchmarks/bench_runner.py                      # 300 pages in 4 shards
    python benchmarks/bench_runner.py --docs 0 --shards 8  # all 1,381 pages in 8 shards
    python benchmarks/bench_runner.py --json benchmarks/results/runner.json

The input is the first ``--docs`` response records of
``$CURATE_SHARED/data/warc/dev-pages.warc.gz`` (with their request records), cut into
``--shards`` WARC files in a temporary folder (the file is gzip-per-record, so a shard is
a byte range of whole gzip members; nothing is written into the repository). Each mode
runs ``curate.runner.run(inputs, out, recipe="llama3")`` with the recipe's default
parameters into a fresh output folder:

- ``local``: the in-process runner, this process pinned to one core. Its *cold* run comes
  first, before any Ray instance exists (trafilatura is imported and set up in it);
- ``ray1``: a local Ray instance with ``num_cpus=1``, every Ray process pinned to the same
  single core (the pin is inherited), so that it compares per core with ``local``;
- ``ray2``: a local Ray instance with ``num_cpus=2`` and no pin (both cores of this machine).

For each Ray mode ``ray.init`` is timed alone (**start-up**), then a *cold* run (worker
processes start and import curate and trafilatura), then ``--repeat`` pairs of *warm*
runs, alternating a local run (driver pinned to one core, the idle Ray instance still up)
and a Ray run on the same instance (workers and set-up stages reused), then
``ray.shutdown`` (timed). Warm runs alternate because this VM drifts by up to 25% over
minutes; a ratio of two runs taken side by side is what holds. Overhead = Ray wall / local
wall: ``(init + cold) / local cold`` (what one ``curate run`` pays) and the median of the
warm pairs ``ray warm / local warm`` (the per-shard cost once Ray is up). All times are
wall seconds (``time.perf_counter``); CPU seconds by process role come from psutil and
per-stage seconds from the shard markers. At the end the kept ids (and texts) of every
output are checked against the local cold run's; a difference exits 1.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

#: As curate's RayExecutor.open starts a local instance (it then finds this one initialized and uses it).
RAY_INIT = dict(ignore_reinit_error=True, logging_level="WARNING", log_to_driver=True, include_dashboard=False)


def make_shards(path: str, docs: int, n_shards: int, folder: str) -> list[tuple[str, int]]:
    """Cut the first ``docs`` responses (0 = all) into ``n_shards`` WARC files; returns (path, responses)."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    units: list[int] = []  # start offset of each (request?, response) pair; warcinfo joins the first
    ends: int | None = None
    prev_request: int | None = None
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f, parse_http=False):
            pos = rec.stream_pos
            if rec.record_type == WarcRecordType.request:
                prev_request = pos
            elif rec.record_type == WarcRecordType.response:
                if docs and len(units) == docs:
                    ends = prev_request if prev_request is not None else pos
                    break
                units.append(prev_request if prev_request is not None else pos)
                prev_request = None
    if not units:
        raise SystemExit(f"{path}: no response records")
    units[0] = 0
    os.makedirs(folder, exist_ok=True)
    with open(path, "rb") as f:
        data = f.read(ends) if ends is not None else f.read()
    n_shards = max(1, min(n_shards, len(units)))
    per = -(-len(units) // n_shards)
    out = []
    for i in range(0, len(units), per):
        start = units[i]
        stop = units[i + per] if i + per < len(units) else len(data)
        name = os.path.join(folder, f"dev-pages-{len(out):03d}.warc.gz")
        with open(name, "wb") as g:
            g.write(data[start:stop])
        out.append((name, min(per, len(units) - i)))
    return out


def kept(out_root: str) -> dict[str, str | None]:
    """id → text of the kept documents of the extract phase."""
    import glob

    import pyarrow.parquet as pq

    out: dict[str, str | None] = {}
    for p in sorted(glob.glob(os.path.join(out_root, "extract", "part-*.parquet"))):
        t = pq.read_table(p, columns=["id", "text"])
        out.update(zip(t.column("id").to_pylist(), t.column("text").to_pylist()))
    return out


def _cpu_by_role() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of this process and of every process below it, with its role."""
    import psutil

    me = psutil.Process()
    out = {me.pid: ("driver", sum(me.cpu_times()[:2]))}
    for p in me.children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
            cpu = sum(p.cpu_times()[:2])
        except psutil.Error:
            continue
        worker = (cmd.startswith("ray::") and "Agent" not in cmd.split()[0]) or "default_worker.py" in cmd
        role = "ray workers" if worker else "ray system"  # system: gcs, raylet, agents, monitors
        out[p.pid] = (role, cpu)
    return out


def _cpu_delta(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds spent between two snapshots, by role (processes gone by ``after`` are missed)."""
    roles: dict[str, float] = {}
    for pid, (role, cpu) in after.items():
        roles[role] = roles.get(role, 0.0) + cpu - before.get(pid, (role, 0.0))[1]
    return roles


def shard_seconds(out_root: str) -> dict[str, float]:
    """Sums over the committed markers: shard wall seconds and each stage's seconds."""
    from curate.io import shards

    tot: dict[str, float] = {"shards": 0.0}
    for m in shards.committed(out_root, "extract").values():
        tot["shards"] += m.get("seconds", 0.0)
        for k, v in m.get("stage_seconds", {}).items():
            tot[k] = tot.get(k, 0.0) + v
    return tot


def run_once(inputs: list[str], out_root: str, runner: str, num_cpus: int | None, verbose: bool) -> dict:
    from curate.runner import run

    log = sys.stderr if verbose else io.StringIO()
    before = _cpu_by_role()
    t0 = time.perf_counter()
    res = run(inputs, out_root, recipe="llama3", runner=runner, num_cpus=num_cpus, log=log)
    wall = time.perf_counter() - t0
    cpu = _cpu_delta(before, _cpu_by_role())
    if not res.ok:
        raise SystemExit(f"{runner} run failed: {res.failed}")
    return {"wall_s": wall, "out": out_root, "cpu_s": cpu, "marker_s": shard_seconds(out_root)}


def bench_ray(inputs, root, num_cpus: int, repeat: int, all_cores: set[int], verbose: bool) -> dict:
    """Start-up, a cold run, ``repeat`` (local warm, ray warm) pairs, shutdown; see the module doc."""
    import ray

    pinned = num_cpus == 1
    if pinned:
        common.pin_one_core()
    else:
        common.unpin(all_cores)  # the raylet and the workers it starts inherit the affinity at init
    t0 = time.perf_counter()
    ray.init(address="local", num_cpus=num_cpus, **RAY_INIT)
    init_s = time.perf_counter() - t0
    pairs = []
    try:
        cold = run_once(inputs, os.path.join(root, f"ray{num_cpus}-cold"), "ray", num_cpus, verbose)
        for i in range(max(1, repeat)):
            common.pin_one_core()
            loc = run_once(inputs, os.path.join(root, f"ray{num_cpus}-local{i}"), "local", None, verbose)
            if not pinned:
                common.unpin(all_cores)
            ray_ = run_once(inputs, os.path.join(root, f"ray{num_cpus}-warm{i}"), "ray", num_cpus, verbose)
            pairs.append((loc, ray_))
            print(f"    pair {i + 1}: local {loc['wall_s']:.1f} s, ray {ray_['wall_s']:.1f} s", file=sys.stderr,
                  flush=True)
    finally:
        t0 = time.perf_counter()
        ray.shutdown()
        shutdown_s = time.perf_counter() - t0
        common.unpin(all_cores)
    ratios = [r["wall_s"] / loc["wall_s"] for loc, r in pairs]
    mid = sorted(range(len(pairs)), key=lambda i: ratios[i])[(len(pairs) - 1) // 2]
    return {"init_s": init_s, "cold": cold, "shutdown_s": shutdown_s, "pairs": pairs, "ratios": ratios,
            "median_pair": pairs[mid], "median_ratio": statistics.median(ratios)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=300, help="first N response records; 0 = all (default 300)")
    ap.add_argument("--shards", type=int, default=4, help="number of shards to cut them into (default 4)")
    ap.add_argument("--modes", default="local,ray1,ray2", help="comma list of local, ray1, ray2")
    ap.add_argument("--json", metavar="OUT", help="write the results as JSON to OUT")
    ap.add_argument("--repeat", type=int, default=1, help="warm (local, ray) run pairs per Ray mode; the median counts (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary shards and outputs")
    ap.add_argument("--verbose", action="store_true", help="show the runner's progress lines")
    args = ap.parse_args(argv)

    path = common.dev_pages_or_exit()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if "local" not in modes:
        modes.insert(0, "local")
    if os.environ.pop("RAY_ADDRESS", None):
        print("note: RAY_ADDRESS ignored; this benchmark starts its own local Ray instance", file=sys.stderr)
    all_cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    root = tempfile.mkdtemp(prefix="curate-bench-runner-")
    info = common.machine_info()
    result: dict = {"machine": info, "clock": "wall seconds (time.perf_counter)"}
    try:
        shards = make_shards(path, args.docs, args.shards, os.path.join(root, "in"))
        inputs = [p for p, _ in shards]
        n_docs = sum(n for _, n in shards)
        result["input"] = {"source": path, "docs": n_docs, "shards": len(shards),
                           "shard_docs": [n for _, n in shards],
                           "shard_bytes": [os.path.getsize(p) for p in inputs]}
        print(f"# bench_runner: {n_docs} pages of {path} in {len(shards)} shards; {info['cores']} cores, "
              f"{info['cpu']}", file=sys.stderr)

        rows, outs, details = [], {}, {}
        core = common.pin_one_core()
        print("  local, cold (1 core) ...", file=sys.stderr, flush=True)
        local = run_once(inputs, os.path.join(root, "local-cold"), "local", None, args.verbose)
        outs["local-cold"] = local["out"]
        local_warm: list[float] = []
        for mode in modes:
            if mode == "local":
                continue
            if mode not in ("ray1", "ray2"):
                raise SystemExit(f"unknown mode {mode!r}: use local, ray1, ray2")
            n = int(mode[-1])
            print(f"  ray num_cpus={n}: start-up, cold run, {max(1, args.repeat)} warm pair(s) ...",
                  file=sys.stderr, flush=True)
            r = bench_ray(inputs, root, n, args.repeat, all_cores, args.verbose)
            outs[f"ray{n}-cold"] = r["cold"]["out"]
            for i, (loc, ray_) in enumerate(r["pairs"]):
                outs[f"ray{n}-local{i}"], outs[f"ray{n}-warm{i}"] = loc["out"], ray_["out"]
            local_warm += [loc["wall_s"] for loc, _ in r["pairs"]]
            loc_med, ray_med = r["median_pair"]
            details[f"local (beside ray num_cpus={n})"] = loc_med
            details[f"ray num_cpus={n}"] = ray_med
            rows.append({"mode": f"ray num_cpus={n}", "cores": "1 (pinned)" if n == 1 else str(len(all_cores)),
                         "init_s": r["init_s"], "cold_s": r["cold"]["wall_s"], "shutdown_s": r["shutdown_s"],
                         "warm_s": statistics.median([x["wall_s"] for _, x in r["pairs"]]),
                         "warm_runs": [x["wall_s"] for _, x in r["pairs"]],
                         "local_warm_runs": [x["wall_s"] for x, _ in r["pairs"]],
                         "overhead": (r["init_s"] + r["cold"]["wall_s"]) / local["wall_s"],
                         "overhead_warm": r["median_ratio"], "warm_ratios": r["ratios"]})
        if not local_warm:  # no Ray mode: warm local runs alone
            for i in range(max(1, args.repeat)):
                loc = run_once(inputs, os.path.join(root, f"local-warm{i}"), "local", None, args.verbose)
                outs[f"local-warm{i}"] = loc["out"]
                local_warm.append(loc["wall_s"])
                details["local"] = loc
        rows.insert(0, {"mode": "local", "cores": f"1 (pinned, core {core})", "init_s": None,
                        "cold_s": local["wall_s"], "shutdown_s": None, "warm_s": statistics.median(local_warm),
                        "warm_runs": local_warm, "overhead": 1.0, "overhead_warm": 1.0})
        common.unpin(all_cores)

        ref = kept(outs["local-cold"])
        checks = {}
        for name, p in outs.items():
            got = kept(p)
            checks[name] = {"kept": len(got), "same_ids": set(got) == set(ref),
                            "text_mismatches": sum(1 for k in set(got) & set(ref) if got[k] != ref[k])}
        for r in rows:
            r["docs_per_s_warm"] = n_docs / r["warm_s"]
        result["runs"] = rows
        result["warm_detail"] = {k: {"wall_s": v["wall_s"], "cpu_s": v["cpu_s"], "marker_s": v["marker_s"]}
                                 for k, v in details.items()}
        result["kept_check"] = checks

        print(f"\n## Runner overhead: {n_docs} pages in {len(shards)} shards, recipe llama3 "
              "(read + extract + write Parquet), wall seconds\n")
        print(common.markdown_table(
            ["runner", "cores", "ray.init s", "run s (cold)", "shutdown s",
             "run s (warm, median)", "docs/s (warm)",
             "overhead (init+cold) / local cold", "overhead warm / local warm (paired)"],
            [[r["mode"], r["cores"], _f(r["init_s"]), r["cold_s"], _f(r["shutdown_s"]), r["warm_s"],
              r["docs_per_s_warm"], r["overhead"],
              r["overhead_warm"] if r["mode"] == "local" else
              f"{r['overhead_warm']:.2f} ({', '.join(f'{x:.2f}' for x in r['warm_ratios'])})"]
             for r in rows]))
        print("\nWhere the time goes in the median warm pair (CPU s by process role, from psutil; sums over "
              "the shard markers: shard s = run_shard wall, extract s = the Extract stage):\n")
        print(common.markdown_table(
            ["run", "wall s", "driver cpu s", "ray workers cpu s", "ray system cpu s", "sum shard s",
             "sum extract s"],
            [[k, v["wall_s"], v["cpu_s"].get("driver", 0.0), v["cpu_s"].get("ray workers", 0.0),
              v["cpu_s"].get("ray system", 0.0), v["marker_s"]["shards"], v["marker_s"].get("extract", 0.0)]
             for k, v in details.items()]))
        bad = [k for k, v in checks.items() if not v["same_ids"]]
        texts = sum(v["text_mismatches"] for v in checks.values())
        if not bad:
            print(f"\nkept ids: all {len(checks)} outputs keep the same {len(ref)} ids as local-cold; "
                  f"documents whose text differs: {texts}")
        else:
            print("\nkept ids vs local-cold: " + "; ".join(
                f"{k}: {v['kept']} kept, same ids {v['same_ids']}, text mismatches {v['text_mismatches']}"
                for k, v in checks.items()))
        common.write_json(args.json, result)
        if bad:
            print(f"ERROR: kept ids differ from the local run in {bad}", file=sys.stderr)
            return 1
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def _f(v):
    return "-" if v is None else v


if __name__ == "__main__":
    sys.exit(main())
