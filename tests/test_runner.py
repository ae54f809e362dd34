"""curate.runner (run, LocalExecutor, run_shard, Progress): shards in, committed files out.

Most of the runner's behaviour is the same on both executors; it is tested here with the
in-process one. tests/test_ray_runner.py covers what only Ray does.
"""

from __future__ import annotations

import collections
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import fsspec
import pyarrow.parquet as pq
import pytest
from conftest import REPO, Rec, all_ids, articles, phase_tables, write_recipe, write_warc

from curate import stats
from curate.cli import main
from curate.io import shards
from curate.io.inputs import shard_id
from curate.pipeline import build_phases, load_params
from curate.runner import RunResult, run
from curate.runner.local import LocalExecutor, setup_stages
from curate.runner.progress import Progress
from curate.runner.shard import ShardTask, StageContractError, run_shard
from curate.stage import StageSetupError

#: The main recipe's phases, in order.
PHASES = ["extract", "safety", "url_dedup", "doc_dedup", "line_dedup", "heuristics", "quality"]


def run_local(inputs, out, recipe="llama3", params=None, overrides=()) -> RunResult:
    params = params if params is not None else load_params(recipe, None, list(overrides))
    return run([str(i) for i in inputs], str(out), recipe=str(recipe), params=params, runner="local",
               log=io.StringIO())


def tmp_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if ".tmp-" in f]


# --------------------------------------------------------------------------- a plain run


def test_run_writes_kept_and_rejected(small_warc, tmp_path):
    out = tmp_path / "out"
    result = run_local([small_warc], out)
    assert result.ok and result.failed == {p: {} for p in PHASES}
    kept, rejected = phase_tables(out)
    expected_kept = [f"https://news.example.com/story/{i}" for i in range(8)]
    assert kept.column("url").to_pylist() == expected_kept
    assert "html" not in kept.column_names and "charset" not in kept.column_names
    assert all(kept.column("text").to_pylist()) and all(kept.column("title").to_pylist())
    assert kept.column("drop_reason").null_count == kept.num_rows
    got = {(r["url"], r["drop_stage"], r["drop_reason"]) for r in rejected.to_pylist()}
    assert got == {
        ("https://news.example.com/missing", "read", "http_status:404"),
        ("https://api.example.com/v1/items", "read", "not_html:application/json"),
        ("https://news.example.com/logo.png", "read", "not_html:image/png"),
        ("https://news.example.com/story/0", "read", "revisit"),
        ("https://news.example.com/empty", "extract", "no_text"),
    }
    assert rejected.schema == kept.schema
    ids = kept.column("id").to_pylist() + rejected.column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 13
    # run.json records what ran; stats.json is what stats.compute reads from the files
    info = json.loads((out / "run.json").read_text())
    assert info["inputs"] == [str(small_warc)] and info["recipe"] == "llama3" and info["runner"] == "local"
    assert info["phases"] == PHASES and info["versions"]["curate"]
    assert info["params"] == load_params("llama3")
    st = json.loads((out / "stats.json").read_text())
    fresh = stats.compute(str(out))
    assert st["phases"]["extract"]["kept"] == fresh["phases"]["extract"]["kept"] == 8
    assert st["phases"]["extract"]["rejected"] == 5
    assert st["phases"]["heuristics"]["languages"] == {"en": 8}
    assert "kept by language: en 8" in stats.format_summary(st)
    marker = shards.committed_marker(str(out), "extract", shard_id(str(small_warc)))
    assert marker["rows_in"] == 13 and marker["kept"] == 8 and marker["rejected"] == 5
    assert marker["records"]["request"] == 13 and marker["records"]["revisit"] == 1
    assert not tmp_files(out)


def test_rerun_skips_committed_shards(small_warc, tmp_path):
    out = tmp_path / "out"
    run_local([small_warc], out)
    sid = shard_id(str(small_warc))
    part = shards.kept_path(str(out), "extract", sid)
    before = (os.stat(part).st_mtime_ns, shards.committed_marker(str(out), "extract", sid))
    log = io.StringIO()
    result = run([str(small_warc)], str(out), params=load_params("llama3"), runner="local", log=log)
    assert result.ok
    assert (os.stat(part).st_mtime_ns, shards.committed_marker(str(out), "extract", sid)) == before
    assert "(1 already done" in log.getvalue()
    assert result.stats["phases"]["extract"]["kept"] == 8


def test_failed_shard_is_recorded_others_commit_and_rerun_retries(make_warc, tmp_path):
    good = make_warc("in/good.warc.gz", articles(3))
    broken = tmp_path / "in" / "broken.warc.gz"
    broken.write_bytes(b"\x1f\x8b\x08" + os.urandom(300))
    out = tmp_path / "out"
    log = io.StringIO()
    result = run([str(good), str(broken)], str(out), params=load_params("llama3"), runner="local", log=log)
    bad_id = shard_id(str(broken))
    assert not result.ok
    assert list(result.failed["extract"]) == [bad_id]
    assert "WarcReadError" in result.failed["extract"][bad_id]
    assert set(shards.committed(str(out), "extract")) == {shard_id(str(good))}
    fail = shards.failures(str(out), "extract")[bad_id]
    assert fail["input"] == str(broken) and "WarcReadError" in fail["error"]
    st = result.stats["phases"]["extract"]
    assert st["shards_committed"] == 1 and st["shards_failed"] == 1 and st["kept"] == 3
    assert bad_id in st["failed"]
    assert not tmp_files(out)
    # the phases after extract ran over the good shard (the jobs went on without the failed one)
    assert all(result.stats["phases"][p]["shards_committed"] == 1 for p in PHASES[1:])
    assert "failed: the jobs run without them" in log.getvalue()
    # the input is repaired: a rerun does only that shard and clears the failure, and every phase
    # after extract is computed again over both shards (their jobs' inputs changed)
    write_warc(broken, articles(2, "https://other.example/p"))
    log = io.StringIO()
    result = run([str(good), str(broken)], str(out), params=load_params("llama3"), runner="local", log=log)
    assert result.ok
    assert shards.failures(str(out), "extract") == {}
    assert result.stats["phases"]["extract"]["kept"] == 5
    assert result.stats["phases"]["extract"]["shards_failed"] == 0
    assert "recomputing" in log.getvalue()
    assert all(result.stats["phases"][p]["shards_committed"] == 2 for p in PHASES[1:])
    assert result.stats["phases"]["heuristics"]["docs_in"] == result.stats["phases"]["line_dedup"]["kept"]


# --------------------------------------------------------------------------- recipes with test stages

STAGES = """
import dataclasses, os
from typing import ClassVar
import pyarrow as pa
import pyarrow.compute as pc
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stage import Resources, Stage, reject, set_column
from curate.stages.extract import Extract

@dataclasses.dataclass
class DropsARow(Stage):
    name: ClassVar[str] = "drops_a_row"
    resources: Resources = dataclasses.field(default_factory=Resources)
    def process(self, batch):
        return batch.slice(1)

@dataclasses.dataclass
class Undeclared(Stage):
    name: ClassVar[str] = "undeclared"
    columns: ClassVar[dict] = {"declared": pa.int64()}
    resources: Resources = dataclasses.field(default_factory=Resources)
    def process(self, batch):
        batch = set_column(batch, "declared", [1] * batch.num_rows, pa.int64())
        return set_column(batch, "sneaky", [1] * batch.num_rows, pa.int64())

@dataclasses.dataclass
class RejectOdd(Stage):
    name: ClassVar[str] = "reject_odd"
    resources: Resources = dataclasses.field(default_factory=Resources)
    def process(self, batch):
        urls = batch.column("url").to_pylist()
        return reject(batch, ["odd_number" if int(u.rsplit("/", 1)[1]) % 2 else None for u in urls])

@dataclasses.dataclass
class LiveOnly(Stage):
    '''Fails if it is ever given a rejected row; writes how many rows its batch had.'''
    name: ClassVar[str] = "live_only"
    columns: ClassVar[dict] = {"seen_in_batch": pa.int64()}
    resources: Resources = dataclasses.field(default_factory=Resources)
    def process(self, batch):
        if "drop_reason" in batch.column_names and batch.column("drop_reason").null_count != batch.num_rows:
            raise AssertionError("live_only got a rejected row")
        return set_column(batch, "seen_in_batch", [batch.num_rows] * batch.num_rows, pa.int64())

@dataclasses.dataclass
class BrokenSetup(Stage):
    name: ClassVar[str] = "broken_setup"
    resources: Resources = dataclasses.field(default_factory=Resources)
    def setup(self):
        raise RuntimeError("model file /models/missing.bin not found")
    def process(self, batch):
        return batch
"""


def recipe(tmp_path, build_body: str, name: str = "recipe_t.py"):
    return write_recipe(tmp_path / name, STAGES + "\ndef build(params):\n" + build_body)


@pytest.mark.parametrize("stage,match", [("DropsARow", "drops_a_row.*returned .* rows"),
                                         ("Undeclared", "undeclared.*sneaky")])
def test_stage_contract_fails_the_shard(make_warc, tmp_path, stage, match):
    path = recipe(tmp_path, f"    return [Phase('extract', reader=WarcReader(), stages=[Extract(), {stage}()])]\n")
    warc_a = make_warc("in/a.warc.gz", articles(4))
    out = tmp_path / "out"
    result = run_local([warc_a], out, recipe=path, params={})
    err = result.failed["extract"][shard_id(str(warc_a))]
    assert err.startswith("StageContractError")
    import re

    assert re.search(match, err), err
    assert shards.committed(str(out), "extract") == {}
    assert not tmp_files(out)
    # and run_shard raises the error itself
    phase = build_phases(str(path), {})[0]
    task = ShardTask("extract", "s", str(warc_a), str(tmp_path / "direct"))
    with pytest.raises(StageContractError, match=match):
        run_shard(phase, task, setup_stages(phase))
    assert not shards.is_committed(str(tmp_path / "direct"), "extract", "s")


def test_stages_get_live_rows_and_rejections_are_stamped(make_warc, tmp_path):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(batch_size=5), "
                            "stages=[Extract(), RejectOdd(), LiveOnly()])]\n")
    recs = articles(10) + [Rec("https://example.org/post/404", "x", status=404)]
    src = make_warc("in/a.warc.gz", recs)
    out = tmp_path / "out"
    result = run_local([src], out, recipe=path, params={})
    assert result.ok, result.failed
    kept, rejected = phase_tables(out)
    assert kept.column("url").to_pylist() == [f"https://example.org/post/{i}" for i in range(0, 10, 2)]
    # batches of 5 rows (reader) lose their odd rows before live_only sees them
    assert sorted(set(kept.column("seen_in_batch").to_pylist())) == [2, 3]
    by = collections.Counter((r["drop_stage"], r["drop_reason"]) for r in rejected.to_pylist())
    assert by == {("reject_odd", "odd_number"): 5, ("read", "http_status:404"): 1}
    assert rejected.column("seen_in_batch").null_count == rejected.num_rows


def test_each_stage_gets_batches_of_its_own_batch_size(make_warc, tmp_path):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(batch_size=10), "
                            "stages=[Extract(), LiveOnly(resources=Resources(batch_size=4))])]\n")
    src = make_warc("in/a.warc.gz", articles(10))
    out = tmp_path / "out"
    result = run_local([src], out, recipe=path, params={})
    assert result.ok, result.failed
    kept, _ = phase_tables(out)
    # one reader batch of 10 rows reaches live_only as 4 + 4 + 2, in order
    assert kept.column("seen_in_batch").to_pylist() == [4] * 8 + [2] * 2
    assert kept.column("url").to_pylist() == [f"https://example.org/post/{i}" for i in range(10)]


def test_second_phase_reads_the_first_phases_kept_rows(make_warc, tmp_path):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(), stages=[Extract()]),\n"
                            "            Phase('filter', stages=[RejectOdd(), LiveOnly()])]\n")
    a = make_warc("in/a.warc.gz", articles(6) + [Rec("https://example.org/post/99", "{}", content_type="application/json")])
    b = make_warc("in/b.warc.gz", articles(3, start=6))
    out = tmp_path / "out"
    result = run_local([a, b], out, recipe=path, params={})
    assert result.ok
    k1, r1 = phase_tables(out, "extract")
    k2, r2 = phase_tables(out, "filter")
    assert sorted(k1.column("id").to_pylist()) == sorted(k2.column("id").to_pylist() + r2.column("id").to_pylist())
    assert sorted(k2.column("url").to_pylist()) == sorted(f"https://example.org/post/{i}" for i in range(0, 9, 2))
    assert set(r2.column("drop_stage").to_pylist()) == {"reject_odd"}
    assert "text" in k2.column_names and "seen_in_batch" in k2.column_names
    st = result.stats["phases"]
    assert list(st) == ["extract", "filter"]
    assert st["extract"]["docs_in"] == 10 and st["filter"]["docs_in"] == st["extract"]["kept"] == 9
    assert st["filter"]["shards_committed"] == 2
    assert set(shards.committed(str(out), "filter")) == {shard_id(str(a)), shard_id(str(b))}


def test_setup_failure_stops_the_run_before_any_shard_local(make_warc, tmp_path, capsys):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(), stages=[Extract(), BrokenSetup()])]\n")
    src = make_warc("in/a.warc.gz", articles(2))
    out = tmp_path / "out"
    rc = main(["run", str(src), "-o", str(out), "--recipe", str(path), "--runner", "local"])
    err = capsys.readouterr().err
    assert rc != 0
    assert "broken_setup" in err and "cannot set up" in err and "missing.bin" in err
    assert shards.committed(str(out), "extract") == {}
    assert not (out / "extract").exists() or not list((out / "extract").rglob("*.parquet"))
    with pytest.raises(StageSetupError, match="broken_setup"):
        run_local([src], tmp_path / "out2", recipe=path, params={})


def test_setup_failure_in_a_later_phase_stops_the_run_at_start(make_warc, tmp_path, capsys):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(), stages=[Extract()]),\n"
                            "            Phase('later', stages=[BrokenSetup()])]\n")
    src = make_warc("in/a.warc.gz", articles(2))
    out = tmp_path / "out"
    rc = main(["run", str(src), "-o", str(out), "--recipe", str(path), "--runner", "local"])
    assert rc != 0 and "broken_setup" in capsys.readouterr().err
    assert shards.committed(str(out), "extract") == {}
    assert shards.committed(str(out), "later") == {}


# --------------------------------------------------------------------------- object store output


def test_memory_output_root(small_warc):
    root = f"memory://curate-test-{uuid.uuid4().hex[:8]}/out"
    result = run_local([small_warc], root)
    assert result.ok
    fs = fsspec.filesystem("memory")
    sid = shard_id(str(small_warc))
    base = root.removeprefix("memory://")
    found = sorted(p.lstrip("/").removeprefix(base).lstrip("/") for p in fs.find(base))
    per_phase = [f"{ph}/{f}" for ph in PHASES
                 for f in (f"part-{sid}.parquet", f"rejected/part-{sid}.parquet", f"_markers/{sid}.json")]
    assert set(per_phase) <= set(found) and "run.json" in found and "stats.json" in found
    done = {f.split("/")[1] for f in found if f.startswith("jobs/") and f.endswith("/_SUCCESS.json")}
    assert {"pii_sites", "url_dedup", "minhash_lsh", "minhash_cc01", "minhash_clusters", "line_dedup"} <= done
    assert not [f for f in found if ".tmp-" in f]
    with fs.open(f"{root}/extract/part-{sid}.parquet", "rb") as f:
        kept = pq.read_table(f)
    assert kept.num_rows == 8
    assert json.loads(fs.cat(f"{root}/stats.json"))["phases"]["extract"]["kept"] == 8
    assert stats.compute(root)["phases"]["extract"]["rejected"] == 5
    # a rerun there skips the committed shard too
    log = io.StringIO()
    run([str(small_warc)], root, params=load_params("llama3"), runner="local", log=log)
    assert "(1 already done" in log.getvalue()


# --------------------------------------------------------------------------- temporary files


def test_temporary_files_are_never_read(small_warc, tmp_path):
    """A ``.tmp-`` file left by a killed writer is not a shard: stats, inspect and later phases skip it."""
    out = tmp_path / "out"
    run_local([small_warc], out)
    sid = shard_id(str(small_warc))
    kept = shards.kept_path(str(out), "extract", sid)
    shutil.copy(kept, kept + ".tmp-0123456789ab")
    shutil.copy(kept, str(out / "extract" / "part-ghost.parquet.tmp-0123456789ab"))
    rej = shards.rejected_path(str(out), "extract", sid)
    shutil.copy(rej, rej + ".tmp-0123456789ab")
    st = stats.compute(str(out))["phases"]["extract"]
    assert (st["kept"], st["rejected"], st["shards_committed"]) == (8, 5, 1)
    ids = all_ids(out)
    assert len(ids) == len(set(ids)) == 13
    from curate import inspect

    assert len(inspect.sample(str(out), "extract", n=100)) == 8


# --------------------------------------------------------------------------- kill and resume


def _split_inputs(folder, shards_n: int, per_shard: int):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in range(shards_n):
        recs = articles(per_shard, f"https://site{s}.example/post", paragraphs=12, seed=s)
        recs.append(Rec(f"https://site{s}.example/missing", "gone", status=404))
        paths.append(write_warc(folder / f"part-{s:02d}.warc.gz", recs))
    return paths


def test_killed_run_resumes_without_losing_or_duplicating(tmp_path):
    n_shards = 8
    per_shard = 60
    for attempt in range(4):
        inputs_dir = tmp_path / f"in{attempt}"
        inputs = _split_inputs(inputs_dir, n_shards, per_shard)
        out = tmp_path / f"killed{attempt}"
        markers = out / "extract" / "_markers"
        cmd = [sys.executable, "-m", "curate", "run", str(inputs_dir), "-o", str(out), "--runner", "local"]
        with open(tmp_path / f"log{attempt}.txt", "wb") as log:
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
            killed_at = None
            while proc.poll() is None:
                n = len(list(markers.glob("*.json"))) if markers.is_dir() else 0
                if 1 <= n < n_shards:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    killed_at = n
                    break
                time.sleep(0.005)
        if killed_at is not None and proc.returncode == -signal.SIGKILL:
            break
        per_shard *= 2  # it finished before we could kill it: make the shards slower and retry
    else:
        pytest.fail("could not kill the run midway in 4 attempts")

    print(f"killed with {killed_at}/{n_shards} shards committed, attempt {attempt}, {per_shard} pages per shard")
    done_before = {p.stem: json.loads(p.read_text()) for p in markers.glob("*.json")}
    assert 1 <= len(done_before) < n_shards, "the kill must land with some but not all shards committed"
    assert not (out / "stats.json").exists()

    # resume with the same command
    rerun = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({len(done_before)} already done" in rerun.stderr
    for stem, marker in done_before.items():  # committed shards were skipped, not redone
        assert json.loads((markers / f"{stem}.json").read_text()) == marker

    # an uninterrupted run into another folder
    ref = tmp_path / "reference"
    assert run_local(inputs, ref).ok
    got, want = all_ids(out), all_ids(ref)
    assert len(got) == len(set(got)), "a document was written twice"
    assert sorted(got) == sorted(want)
    assert len(want) == n_shards * (per_shard + 1)
    st, st_ref = stats.compute(str(out))["phases"]["extract"], stats.compute(str(ref))["phases"]["extract"]
    for key in ("docs_in", "kept", "rejected", "rejected_by", "shards_committed"):
        assert st[key] == st_ref[key], key
    kept, _ = phase_tables(out)
    kept_ref, _ = phase_tables(ref)
    assert sorted(kept.column("id").to_pylist()) == sorted(kept_ref.column("id").to_pylist())
    # every data file in place belongs to a committed shard; a killed writer's .tmp- files are not data files
    committed = {f"part-{s}.parquet" for s in shards.committed(str(out), "extract")}
    assert {p.name for p in (out / "extract").glob("*.parquet")} == committed
    assert {p.name for p in (out / "extract" / "rejected").glob("*.parquet")} == committed


# --------------------------------------------------------------------------- executor and progress


def test_local_executor_yields_per_task(make_warc, tmp_path):
    a = make_warc("a.warc.gz", articles(2))
    phase = build_phases("llama3", load_params("llama3"))[0]
    tasks = [ShardTask("extract", "a", str(a), str(tmp_path / "o")),
             ShardTask("extract", "missing", str(tmp_path / "nope.warc.gz"), str(tmp_path / "o"))]
    got = list(LocalExecutor().run_phase(phase, tasks))
    assert [t.shard for t, _, _ in got] == ["a", "missing"]
    assert got[0][1]["kept"] == 2 and got[0][2] is None
    assert got[1][1] is None and "cannot open" in got[1][2]


def test_progress_lines():
    s = io.StringIO()
    p = Progress("extract", total=4, skipped=1, stream=s, every_s=0)
    p.update(docs=10)
    p.update(failed=True)
    p.close()
    lines = s.getvalue().strip().splitlines()
    last = lines[-1]
    assert last.startswith("[extract] 2/4 shards (1 already done, 1 failed) | 10 docs")
    assert "docs/s" in last
    assert len(lines) == 2  # close() repeats no line a log already has
    q = Progress("extract", total=3, stream=io.StringIO(), every_s=3600)
    q.update(docs=1)  # shown (the first line always is)
    q.update(docs=1)  # not shown yet: within every_s
    q.close()  # the final state is shown
    assert q.stream.getvalue().strip().splitlines()[-1].startswith("[extract] 2/3 shards")


# --------------------------------------------------------------------------- remote input


def test_warc_read_over_http_gives_the_same_documents_as_the_local_file(small_warc, tmp_path):
    """An http(s):// input streams through fsspec; a loopback server stands in for Common Crawl."""
    import functools
    import http.server
    import threading

    pytest.importorskip("aiohttp")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(small_warc.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{small_warc.name}"
        remote = run_local([url], tmp_path / "remote")
        local = run_local([small_warc], tmp_path / "local")
    finally:
        server.shutdown()
        server.server_close()
    assert remote.ok and local.ok
    r_kept, r_rej = phase_tables(tmp_path / "remote")
    l_kept, l_rej = phase_tables(tmp_path / "local")
    assert r_kept.column("id").to_pylist() == l_kept.column("id").to_pylist()
    assert r_kept.column("text").to_pylist() == l_kept.column("text").to_pylist()
    assert r_rej.column("drop_reason").to_pylist() == l_rej.column("drop_reason").to_pylist()
    assert all(s.startswith(url + "@") for s in r_kept.column("source").to_pylist())
