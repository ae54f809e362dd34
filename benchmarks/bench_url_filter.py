"""Unsafe URLs and domains (issue 4): url_filter's lookup cost and memory next to datatrove's URLFilter.

    python benchmarks/bench_url_filter.py
    python benchmarks/bench_url_filter.py --synthetic 200000 --repeat 5 --json benchmarks/results/url_filter.json

Inputs, the same for both filters:

- **dev**: the URLs of every response-like record of ``$CURATE_SHARED/data/warc/dev-pages.warc.gz``
  (read with ``curate.io.warc.WarcReader``), with the ``host`` column the reader writes;
- **synthetic**: ``--synthetic`` URLs (seeded): a quarter on domains sampled from the UT1
  list itself under ``www.`` or a random subdomain (hits found by the parent-domain walk),
  the rest unlisted hosts (random names under 12 TLDs, 1 in 10 an IDN, 1 in 20 an IPv4
  literal) with 0 to 5 path segments and sometimes a query.

Each filter runs in its own fresh Python process pinned to one core (``os.sched_setaffinity``),
so that neither one's memory is counted for the other:

- ``curate``: ``UrlFilter`` at its defaults (UT1 domains + URLs, the three word lists)
  over Arrow batches of its ``batch_size`` (1,024 rows; ``url`` and ``host`` columns), then
  with the word lists off (``lists only``) and with UT1 off (``words only``). Memory: RSS
  before and after ``setup()`` and after all lookups, split into anonymous (private to the
  worker) and file-backed pages (the mapped hash file, shared by every worker of the node
  through the page cache). Compile time and peak RSS are measured once more in a third
  process, compiling into a temporary folder;
- ``datatrove``: ``URLFilter()`` of datatrove 0.10.1 with its integrated lists (the same
  UT1 archive and word files; ``tldextract`` with its bundled suffix list, offline), on
  prebuilt ``Document`` objects; ``download_data()`` (extract the archive, build the sets)
  is its set-up.

Times are the best of ``--repeat`` passes over each input by CPU seconds of the process
(``time.process_time``; this shared VM's wall times swing 2x between runs), with that pass's wall time. Verdicts of the two full filters
are compared URL by URL (drop or keep) and the disagreements counted by reason.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

TLDS = ["com", "org", "net", "de", "fr", "co.uk", "com.br", "ru", "jp", "io", "info", "nl"]
WORDS = ("river mountain garden library science history music market winter summer bridge village "
         "teacher student engine window harbor forest ocean letter museum kitchen recipe journey").split()
IDN = ["bücher", "münchen", "café", "россия", "例え", "ελληνικά", "straße"]


def mem() -> dict[str, float]:
    """This process's VmRSS, RssAnon and RssFile in MiB (Linux /proc)."""
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    out[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def lists() -> tuple[str, str, str]:
    """(UT1 archive, url-words folder, where they came from): the asset cache, else the shared mirror."""
    from curate import assets

    try:
        archive = assets.path("ut1-adult", "adult-blacklists.tar.gz")
        words = os.path.dirname(assets.path("url-words", "banned_words.txt"))
        for m in assets.members("url-words"):
            assets.path("url-words", m)
        return archive, words, f"asset cache {assets.cache_dir()}"
    except assets.AssetMissing:
        mirror = os.path.join(common.shared_dir(), "data", "assets")
        archive = os.path.join(mirror, "ut1", "adult-blacklists.tar.gz")
        if not os.path.exists(archive):
            print(f"SKIP: the ut1-adult asset is neither cached nor in {mirror}: `curate assets fetch`",
                  file=sys.stderr)
            sys.exit(0)
        return archive, os.path.join(mirror, "url-words"), f"mirror {mirror}"


# --------------------------------------------------------------------------- inputs


def dev_urls(path: str) -> tuple[list[str | None], list[str | None]]:
    from curate.io.warc import WarcReader

    urls, hosts = [], []
    for t in WarcReader().read(path):
        urls += t.column("url").to_pylist()
        hosts += t.column("host").to_pylist()
    return urls, hosts


def sample_listed(archive: str, k: int, rng: random.Random) -> list[str]:
    """``k`` domains drawn uniformly from the archive's ``domains`` member (reservoir sampling)."""
    import tarfile

    out: list[str] = []
    with tarfile.open(archive, "r:*") as tar:
        member = next(m for m in tar.getmembers() if m.name.rsplit("/", 1)[-1] == "domains")
        with tar.extractfile(member) as f:
            for i, line in enumerate(f):
                d = line.strip().decode("utf-8", "replace")
                if not d:
                    continue
                if len(out) < k:
                    out.append(d)
                else:
                    j = rng.randrange(i + 1)
                    if j < k:
                        out[j] = d
    return out


def synthetic_urls(n: int, archive: str, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    listed = sample_listed(archive, max(1, n // 4), rng)
    urls = []
    for i in range(n):
        path = "/".join(rng.choice(WORDS) + str(rng.randrange(100)) for _ in range(rng.randrange(6)))
        query = f"?id={rng.randrange(10**6)}" if rng.random() < 0.2 else ""
        if i % 4 == 0:
            sub = rng.choice(["www", "m", "cdn", f"u{rng.randrange(1000)}"])
            host = f"{sub}.{listed[(i // 4) % len(listed)]}"
        elif i % 20 == 1:
            host = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
        elif i % 10 == 2:
            host = f"{rng.choice(IDN)}{rng.randrange(10**4)}.{rng.choice(TLDS)}"
        else:
            labels = [rng.choice(WORDS) + str(rng.randrange(10**5)) for _ in range(rng.randrange(1, 3))]
            host = ".".join(labels + [rng.choice(TLDS)])
        urls.append(f"{rng.choice(['http', 'https'])}://{host}/{path}{query}")
    return urls


# --------------------------------------------------------------------------- children


def child_compile(archive: str) -> dict:
    import resource

    from curate import blocklist as bl

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "ut1.u64")
        t, c = time.perf_counter(), time.process_time()
        bl.compile_archive(archive, out)
        secs, cpu = time.perf_counter() - t, time.process_time() - c
        size = os.path.getsize(out)
    return {"compile_s": secs, "compile_cpu_s": cpu, "compiled_bytes": size,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _time(fn, repeat: int) -> dict:
    """Best of ``repeat`` passes by CPU seconds of this process (robust to other work on a shared
    machine), with the wall seconds of that pass."""
    best = {"cpu": float("inf"), "wall": float("inf")}
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu, wall = time.process_time() - c, time.perf_counter() - t
        if cpu < best["cpu"]:
            best = {"cpu": cpu, "wall": wall}
    return best


def child_curate(archive: str, words: str, inputs: dict, repeat: int) -> dict:
    import pyarrow as pa

    from curate import blocklist as bl
    from curate.stages.url_filter import UrlFilter

    bl.load_archive(archive, "ut1-adult")  # compile if this machine has no compiled file yet (not timed)
    bl._LOADED.clear()
    m0 = mem()
    stage = UrlFilter(ut1_archive=archive, words_dir=words)
    t = time.perf_counter()
    stage.setup()
    setup_s = time.perf_counter() - t
    m1 = mem()
    variants = {
        "full": stage,
        "lists only": UrlFilter(ut1_archive=archive, words_dir=words, banned_words=False, banned_subwords=False,
                                soft_banned_words=False),
        "words only": UrlFilter(ut1_domains=False, ut1_urls=False, words_dir=words),
    }
    for v in variants.values():
        v.setup()
    bs = stage.resources.batch_size
    res: dict = {"setup_s": setup_s, "mem_before": m0, "mem_after_setup": m1,
                 "mapped_bytes": stage._deny[0][0].nbytes, "compiled_file": stage._deny[0][0].path,
                 "n_domains": len(stage._deny[0][0].domains), "n_urls": len(stage._deny[0][0].urls),
                 "batch_size": bs, "times": {}, "verdicts": {}, "keys_per_doc": {}}
    all_batches = {name: [pa.table({"url": pa.array(urls[i:i + bs], pa.string()),
                                    "host": pa.array(hosts[i:i + bs], pa.string())})
                          for i in range(0, len(urls), bs)] for name, (urls, hosts) in inputs.items()}
    res["mem_before_lookups"] = mem()
    for name, (urls, hosts) in inputs.items():
        batches = all_batches[name]
        for vname, v in variants.items():
            secs = _time(lambda v=v, batches=batches: [v.process(b) for b in batches], repeat)
            res["times"][f"{name}/{vname}"] = {"docs": len(urls), "secs": secs["cpu"], "wall": secs["wall"]}
        res["verdicts"][name] = [r for b in batches for r in stage.process(b).column("drop_reason").to_pylist()]
        nd = nu = 0
        for u, h in zip(urls, hosts):
            raw, path = bl.split_url(u)
            host = bl.normalize_host(raw or h)
            if host:
                nd += len(bl.domain_keys(host))
                nu += len(bl.url_keys(host, path))
        res["keys_per_doc"][name] = {"domain": nd / max(1, len(urls)), "url": nu / max(1, len(urls))}
    res["mem_after_lookups"] = mem()
    return res


def child_datatrove(inputs: dict, repeat: int) -> dict:
    from datatrove.data import Document
    from datatrove.pipeline.filters.url_filter import URLFilter
    from tldextract import TLDExtract

    m0 = mem()
    f = URLFilter()
    f.tldextractor = TLDExtract(suffix_list_urls=())  # offline: its bundled public suffix list
    t = time.perf_counter()
    f.download_data()
    setup_s = time.perf_counter() - t
    m1 = mem()
    res: dict = {"setup_s": setup_s, "mem_before": m0, "mem_after_setup": m1, "times": {}, "verdicts": {},
                 "version": common.machine_info()["versions"].get("datatrove")}
    all_docs = {name: [Document(text="", id=str(i), metadata={"url": u}) for i, u in enumerate(urls) if u]
                for name, (urls, _hosts) in inputs.items()}
    res["mem_before_lookups"] = mem()
    for name, (urls, _hosts) in inputs.items():
        docs = all_docs[name]

        def run(docs=docs):
            return [f.filter(d) for d in docs]

        run()  # tldextract's first call loads its suffix list
        secs = _time(run, repeat)
        res["times"][f"{name}/full"] = {"docs": len(docs), "secs": secs["cpu"], "wall": secs["wall"]}
        verdicts = iter(run())
        res["verdicts"][name] = [None if not u else (lambda v: None if v is True else v[1])(next(verdicts))
                                 for u in urls]
    res["mem_after_lookups"] = mem()
    return res


# --------------------------------------------------------------------------- parent


DT_KIND = {"domain": "domain", "subdomain": "domain", "url": "url", "hard_blacklisted": "banned",
           "soft_blacklisted": "soft", "blacklisted_subword": "subword"}


def kind(reason: str | None) -> str | None:
    if reason is None:
        return None
    if reason in DT_KIND:
        return DT_KIND[reason]
    return reason.rsplit(":", 1)[-1] if reason.startswith("blocklist:") else reason.split(":", 1)[-1]


def compare(urls: list, ours: list, theirs: list) -> dict:
    both = only_ours = only_theirs = 0
    why: collections.Counter = collections.Counter()
    examples: dict[str, list] = collections.defaultdict(list)
    for u, a, b in zip(urls, ours, theirs):
        if a and b:
            both += 1
        elif a or b:
            side = "only curate" if a else "only datatrove"
            only_ours += bool(a)
            only_theirs += bool(b)
            key = f"{side}: {kind(a or b)}"
            why[key] += 1
            if len(examples[key]) < 5:
                examples[key].append(u)
    return {"both_drop": both, "only_curate": only_ours, "only_datatrove": only_theirs,
            "by_reason": dict(why), "examples": dict(examples)}


def run_child(mode: str, payload: str, args, core: int | None) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", mode, "--payload", payload,
           "--repeat", str(args.repeat)]
    if core is not None:
        cmd += ["--core", str(core)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{mode} child failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--synthetic", type=int, default=100_000, help="synthetic URLs (0: none)")
    ap.add_argument("--core", type=int, default=None)
    ap.add_argument("--no-datatrove", action="store_true")
    ap.add_argument("--child", choices=["compile", "curate", "datatrove"], help=argparse.SUPPRESS)
    ap.add_argument("--payload", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child == "compile":  # its own argument: the payload's URLs would count in its peak RSS
        common.pin_one_core(args.core)
        print(json.dumps(child_compile(args.payload)))
        return
    if args.child:
        common.pin_one_core(args.core)
        with open(args.payload) as f:
            p = json.load(f)
        inputs = {k: tuple(v) for k, v in p["inputs"].items()}
        if args.child == "curate":
            res = child_curate(p["archive"], p["words"], inputs, args.repeat)
        else:
            res = child_datatrove(inputs, args.repeat)
        print(json.dumps(res))
        return

    dev = common.dev_pages_or_exit()
    archive, words, origin = lists()
    core = common.pin_one_core(args.core)
    urls, hosts = dev_urls(dev)
    inputs = {"dev": (urls, hosts)}
    if args.synthetic:
        syn = synthetic_urls(args.synthetic, archive)
        inputs["synthetic"] = (syn, [None] * len(syn))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"archive": archive, "words": words, "inputs": inputs}, f)
        payload = f.name
    try:
        comp = run_child("compile", archive, args, core)
        cur = run_child("curate", payload, args, core)
        dt = None if args.no_datatrove else run_child("datatrove", payload, args, core)
    finally:
        os.unlink(payload)

    def usdoc(t, k="secs"):
        return 1e6 * t[k] / max(1, t["docs"])

    rows = []
    for label, res in (("curate url_filter ({})", cur), (f"datatrove {dt['version'] if dt else ''} URLFilter", dt)):
        for key, t in (res or {}).get("times", {}).items():
            rows.append([label.format(key.split("/")[1]), key.split("/")[0], t["docs"], usdoc(t),
                         1e6 / usdoc(t), usdoc(t, "wall")])
    rows.sort(key=lambda r: (r[1], r[0]))
    print(f"## url_filter lookup, one core ({common.cpu_model()}), best of {args.repeat} by CPU time\n")
    print(common.markdown_table(["filter", "input", "docs", "CPU µs/doc", "docs/s/core", "wall µs/doc"], rows))

    def d(res, a, b, k):
        return res[b].get(k, 0) - res[a].get(k, 0)

    def mrow(name, res, mapped):
        return [name, res["setup_s"], d(res, "mem_before", "mem_after_setup", "RssAnon"),
                d(res, "mem_before", "mem_after_setup", "RssFile"),
                d(res, "mem_before_lookups", "mem_after_lookups", "RssAnon"),
                d(res, "mem_before_lookups", "mem_after_lookups", "RssFile"), mapped]

    mrows = [mrow("curate url_filter", cur, cur["mapped_bytes"] / 2**20)]
    if dt:
        mrows.append(mrow(f"datatrove {dt['version']} URLFilter", dt, 0.0))
    print("\n## Blocklist memory per worker (MiB RSS deltas: private = anonymous, shared = file-backed) "
          "and set-up time\n")
    print(common.markdown_table(["filter", "setup s", "private +setup", "shared +setup", "private +lookups",
                                 "shared +lookups", "mapped file MiB"], mrows))
    print(f"\ncompile once per machine: {comp['compile_s']:.2f} s wall ({comp['compile_cpu_s']:.2f} s CPU), peak RSS {comp['peak_rss_mib']:.0f} MiB, "
          f"file {comp['compiled_bytes'] / 2**20:.1f} MiB")
    fp = {k: (v["domain"] * cur["n_domains"] + v["url"] * cur["n_urls"]) / 2**64
          for k, v in cur["keys_per_doc"].items()}
    print("hash keys per document: " + ", ".join(
        f"{k}: {v['domain']:.2f} domain + {v['url']:.2f} url" for k, v in cur["keys_per_doc"].items())
        + "; false-drop probability per document ≈ keys x n / 2^64 = "
        + ", ".join(f"{k}: {v:.1e}" for k, v in fp.items()))
    agreement = {}
    if dt:
        print("\n## Verdicts, curate vs datatrove (drop / keep)\n")
        arows = []
        for name, (u, _h) in inputs.items():
            c = compare(u, cur["verdicts"][name], dt["verdicts"][name])
            agreement[name] = c
            arows.append([name, len(u), c["both_drop"], c["only_curate"], c["only_datatrove"],
                          "; ".join(f"{k} {v}" for k, v in sorted(c["by_reason"].items()))])
        print(common.markdown_table(["input", "urls", "both drop", "only curate", "only datatrove", "by reason"],
                                    arows))
        for name, c in agreement.items():
            for k, ex in c["examples"].items():
                print(f"  {name} {k}: {ex[:3]}")
    drops = {name: dict(collections.Counter(r for r in cur["verdicts"][name] if r)) for name in inputs}
    print("\ncurate drop reasons: " + json.dumps(drops))
    for res in (cur, dt):
        if res:
            res.pop("verdicts", None)
    common.write_json(args.json, {
        "machine": common.machine_info(), "lists": origin, "archive": archive, "core": core,
        "inputs": {k: len(v[0]) for k, v in inputs.items()}, "compile": comp, "curate": cur, "datatrove": dt,
        "agreement": agreement, "curate_drops": drops, "false_drop_per_doc": fp})


if __name__ == "__main__":
    main()
