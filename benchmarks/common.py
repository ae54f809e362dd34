"""Helpers shared by the benchmarks: where the real data is, core pinning, timing, tables.

Benchmarks read real data in place from ``$CURATE_SHARED`` (default ``../shared`` from
the repository root) and never copy it into the repository. When the data is absent they
print why and exit 0, so ``make bench`` on a fresh clone says what is missing instead of
failing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Iterator

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV_PAGES = os.path.join("data", "warc", "dev-pages.warc.gz")
PACKAGES = ("curate", "datatrove", "trafilatura", "fastwarc", "resiliparse", "warcio", "ray", "pyarrow",
            "lxml", "faust-cchardet", "python-magic")


def shared_dir() -> str:
    return os.path.abspath(os.environ.get("CURATE_SHARED") or os.path.join(REPO, "..", "shared"))


def dev_pages_or_exit() -> str:
    """Path of ``dev-pages.warc.gz``; exits 0 with a clear message when it is absent."""
    path = os.path.join(shared_dir(), DEV_PAGES)
    if not os.path.exists(path):
        print(f"SKIP: {path} not found. The benchmarks read the real pages in place from "
              "$CURATE_SHARED (default ../shared beside the repository); set CURATE_SHARED to the "
              "folder that holds data/warc/dev-pages.warc.gz.", file=sys.stderr)
        sys.exit(0)
    return path


def extracted(path: str, verbose: bool = True):
    """``(id, url, text)`` of the documents the ``Extract`` stage (defaults) keeps in the WARC at ``path``.

    Extracted once and cached in ``$TMPDIR/curate-bench/`` (keyed by the file's name, size and mtime),
    so the benchmarks that read the dev pages' text share one extraction (about 1.5 min for all 1,381).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    st = os.stat(path)
    cache_dir = os.path.join(tempfile.gettempdir(), "curate-bench")
    cache = os.path.join(cache_dir, f"{os.path.basename(path)}.{st.st_size}.{int(st.st_mtime)}.texts.parquet")
    if os.path.exists(cache):
        return pq.read_table(cache)
    from curate import schema
    from curate.io.warc import WarcReader
    from curate.stages.extract import Extract

    if verbose:
        print(f"extracting {path} once (cache: {cache}) …", file=sys.stderr)
    stage = Extract()
    stage.setup()
    parts = []
    t0 = time.perf_counter()
    for batch in WarcReader().read(path):
        live = batch.filter(pc.is_null(batch.column(schema.DROP_REASON)))
        if live.num_rows:
            out = stage.process(live)
            out = out.filter(pc.is_null(out.column(schema.DROP_REASON)))
            parts.append(out.select([schema.ID, schema.URL, schema.TEXT]))
    table = pa.concat_tables(parts) if parts else pa.table({"id": [], "url": [], "text": []})
    os.makedirs(cache_dir, exist_ok=True)
    tmp = cache + f".tmp{os.getpid()}"
    pq.write_table(table, tmp)
    os.replace(tmp, cache)
    if verbose:
        print(f"extracted {table.num_rows} texts in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return table


def commit_extract_shard(out: str, input_path: str, rows: list[tuple[int, str, str]]) -> int:
    """Write ``rows`` ``(i, url, text)`` as one committed shard of the ``extract`` phase under ``out``.

    Ids are ``<urn:uuid:NNNNNNNNNNNN>`` (``i``), fetch times ``2024-01-01 + i minutes``, ``lang=en``:
    a rerun of the recipe over ``input_path`` finds the shard committed and starts at the next phase.
    """
    import datetime as dt
    import re

    import pyarrow as pa
    import pyarrow.parquet as pq

    from curate import schema
    from curate.io import shards
    from curate.io.inputs import shard_id

    sid = shard_id(input_path)
    base = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    n = len(rows)
    t = pa.table({
        schema.ID: [f"<urn:uuid:{i:012d}>" for i, _, _ in rows],
        schema.URL: [u for _, u, _ in rows],
        schema.HOST: [re.sub(r"^https?://([^/]+).*", r"\1", u) for _, u, _ in rows],
        schema.FETCH_TIME: pa.array([base + dt.timedelta(minutes=i) for i, _, _ in rows], pa.timestamp("us", tz="UTC")),
        schema.DUMP: ["CC-MAIN-SYNTH"] * n,
        schema.SOURCE: [f"{input_path}@{i}" for i, _, _ in rows],
        schema.TEXT: [x for _, _, x in rows],
        schema.TITLE: [""] * n,
        "lang": ["en"] * n,
        schema.DROP_REASON: pa.nulls(n, pa.string()),
        schema.DROP_STAGE: pa.nulls(n, pa.string()),
    })
    os.makedirs(os.path.join(out, "extract", "rejected"), exist_ok=True)
    pq.write_table(t, shards.kept_path(out, "extract", sid), compression="zstd")
    pq.write_table(t.slice(0, 0), shards.rejected_path(out, "extract", sid), compression="zstd")
    marker = {"shard": sid, "input": input_path, "phase": "extract", "rows_in": n, "kept": n,
              "rejected": 0, "records": {}, "stage_seconds": {}, "seconds": 0.0}
    os.makedirs(os.path.dirname(shards.marker_path(out, "extract", sid)), exist_ok=True)
    with open(shards.marker_path(out, "extract", sid), "w") as f:
        json.dump(marker, f)
    return n


def pin_one_core(core: int | None = None) -> int | None:
    """Pin this process (and the processes it starts later) to one core; returns it, or None."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    core = allowed[0] if core is None else core
    os.sched_setaffinity(0, {core})
    return core


def unpin(cores: set[int]) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cores)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_revision() -> str:
    """The repository's commit, with ``+dirty`` when curate/ or pipelines/ have local changes."""
    import subprocess

    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "curate", "pipelines"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def machine_info() -> dict:
    vers = {}
    for name in PACKAGES:
        try:
            vers[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(), "cpu": cpu_model(), "cores": os.cpu_count(),
        "python": platform.python_version(), "curate_revision": git_revision(), "versions": vers,
    }


@dataclasses.dataclass
class Timing:
    """Wall seconds, and CPU seconds of this process plus its reaped children."""

    wall: float = 0.0
    cpu_self: float = 0.0
    cpu_children: float = 0.0

    @property
    def cpu(self) -> float:
        return self.cpu_self + self.cpu_children


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


@contextlib.contextmanager
def timed() -> Iterator[Timing]:
    t = Timing()
    s0, c0, w0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    try:
        yield t
    finally:
        t.wall = time.perf_counter() - w0
        t.cpu_self = _cpu(resource.RUSAGE_SELF) - s0
        t.cpu_children = _cpu(resource.RUSAGE_CHILDREN) - c0


def markdown_table(headers: list[str], rows: list[list]) -> str:
    def fmt(v) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v)

    cells = [[fmt(v) for v in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"  # noqa: E731
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells]
    return "\n".join(out)


def write_json(path: str | None, payload: dict) -> None:
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1, default=str)
    print(f"wrote {path}", file=sys.stderr)
