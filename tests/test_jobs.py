"""curate.job, curate.runner.jobs and the PII-sites job: global steps between phases."""

from __future__ import annotations

import io
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import Rec, articles, phase_tables, write_recipe

from curate import stats
from curate.io import shards
from curate.io.inputs import shard_id
from curate.job import partition_of
from curate.pipeline import build_phases
from curate.runner import jobs, run
from curate.stages.pii_sites import PiiSiteFilter, PiiSites, flagged_hosts

# A recipe with a cheap stand-in for PII detection (counts '@'), then the real job and filter.
RECIPE = '''
import dataclasses
from typing import ClassVar
import pyarrow as pa
import pyarrow.compute as pc
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stage import Resources, Stage, set_column
from curate.stages.extract import Extract
from curate.stages.pii_sites import PiiSiteFilter, PiiSites


@dataclasses.dataclass
class CountAt(Stage):
    name: ClassVar[str] = "count_at"
    columns: ClassVar[dict] = {"pii_count": pa.int32()}
    resources: Resources = dataclasses.field(default_factory=Resources)

    def process(self, batch):
        n = pc.subtract(pc.utf8_length(batch.column("text")),
                        pc.utf8_length(pc.replace_substring(batch.column("text"), "@", "")))
        return set_column(batch, "pii_count", n.cast(pa.int32()), pa.int32())


def build(params):
    job = PiiSites(**params.get("pii_sites", {}))
    return [Phase("extract", reader=WarcReader(), stages=[Extract(), CountAt()]),
            Phase("safety", jobs=[job], stages=[PiiSiteFilter()])]
'''


def leaky_page(i: int) -> str:
    emails = " ".join(f"person{i}.{k}@leaky.example" for k in range(12))
    return f"<html><body><article><h1>Records {i}</h1><p>Contacts: {emails}</p></article></body></html>"


def run_local(inputs, out, recipe, params=None, log=None, **kw):
    return run([str(i) for i in inputs], str(out), recipe=str(recipe), params=params or {}, runner="local",
               log=log or io.StringIO(), **kw)


@pytest.fixture
def recipe(tmp_path):
    return write_recipe(tmp_path / "pii_recipe.py", RECIPE)


@pytest.fixture
def two_warcs(make_warc):
    a = make_warc("in/a.warc.gz", articles(5, "https://clean.example/post")
                  + [Rec(f"https://leaky.example/list/{i}", leaky_page(i)) for i in range(2)])
    b = make_warc("in/b.warc.gz", [Rec(f"https://leaky.example/list/{i}", leaky_page(i)) for i in range(2, 4)]
                  + articles(3, "https://other.example/post"))
    return a, b


def test_partition_of_is_stable_and_in_range():
    keys = pa.array(["a.example", "b.example", None, "a.example"] * 50)
    p = partition_of(keys, 7)
    assert p.min() >= 0 and p.max() < 7 and p[0] == p[3]
    assert partition_of(keys, 7).tolist() == p.tolist()
    ints = partition_of(pa.array(list(range(1000)), pa.int64()), 16)
    assert set(ints.tolist()) == set(range(16))  # spread over every partition


def test_pii_sites_job_drops_the_leaky_site_across_shards(recipe, two_warcs, tmp_path):
    out = tmp_path / "out"
    log = io.StringIO()
    result = run_local(two_warcs, out, recipe, log=log)
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "safety")
    assert set(kept.column("host").to_pylist()) == {"clean.example", "other.example"}
    dropped = rejected.to_pylist()
    assert {r["host"] for r in dropped} == {"leaky.example"} and len(dropped) == 4
    assert {(r["drop_stage"], r["drop_reason"]) for r in dropped} == {("pii_site_filter", "pii_site")}
    # the artifact: one row for the one flagged host, with its sums over both shards
    assert flagged_hosts(jobs.job_dir(str(out), "pii_sites")) == {"leaky.example"}
    parts = [pq.read_table(p) for p in sorted((out / "jobs" / "pii_sites").glob("part-*.parquet"))]
    assert len(parts) == 16
    row = pa.concat_tables(parts).to_pylist()
    assert len(row) == 1 and row[0]["docs"] == 4 and row[0]["pii"] == 48
    assert "1 website(s)" in log.getvalue()
    info = json.loads((out / "jobs" / "pii_sites" / "_SUCCESS.json").read_text())
    assert info["rows"] == 1 and len(info["shards"]) == 2
    st = stats.compute(str(out))
    assert st["jobs"]["pii_sites"]["rows"] == 1 and st["jobs"]["pii_sites"]["shards"] == 2
    assert "job pii_sites: 1 website(s)" in stats.format_summary(st)


def test_thresholds_are_parameters(recipe, two_warcs, tmp_path):
    out = tmp_path / "out"
    run_local(two_warcs, out, recipe, params={"pii_sites": {"min_pii": 1000}})
    kept, rejected = phase_tables(out, "safety")
    assert rejected.num_rows == 0 and kept.num_rows == 12


def test_job_is_reused_when_done_and_rerun_when_inputs_change(recipe, two_warcs, make_warc, tmp_path):
    out = tmp_path / "out"
    run_local(two_warcs[:1], out, recipe)
    first = json.loads((out / "jobs" / "pii_sites" / "_SUCCESS.json").read_text())
    assert len(first["shards"]) == 1
    log = io.StringIO()
    run_local(two_warcs[:1], out, recipe, log=log)  # same inputs: nothing reruns
    assert "input(s) ->" not in log.getvalue()
    # a second input file: the job runs again over both shards; the safety phase redoes nothing it committed
    run_local(two_warcs, out, recipe)
    second = json.loads((out / "jobs" / "pii_sites" / "_SUCCESS.json").read_text())
    assert len(second["shards"]) == 2
    kept, rejected = phase_tables(out, "safety")
    assert kept.num_rows + rejected.num_rows == 12


def test_phase_with_jobs_waits_for_failed_shards_when_asked(recipe, two_warcs, tmp_path):
    bad = tmp_path / "in" / "bad.warc.gz"
    bad.write_bytes(b"this is not a warc file at all")
    out = tmp_path / "out"
    log = io.StringIO()
    result = run_local([*two_warcs, bad], out, recipe, log=log, wait_for_failed=True)
    assert not result.ok
    assert "waits for 1 shard(s)" in log.getvalue()
    assert shards.committed(str(out), "safety") == {}
    assert not (out / "jobs" / "pii_sites" / "_SUCCESS.json").exists()


def test_a_failed_shard_does_not_block_the_jobs_and_a_rerun_that_commits_it_recomputes(recipe, two_warcs,
                                                                                      tmp_path):
    """A corrupt file fails for good: the jobs go on without it. If it commits later, the jobs and the
    phases after them are computed again over every shard."""
    bad = tmp_path / "in" / "late.warc.gz"
    bad.write_bytes(b"this is not a warc file at all")
    out = tmp_path / "out"
    log = io.StringIO()
    result = run_local([*two_warcs, bad], out, recipe, log=log)
    assert not result.ok and list(result.failed["extract"]) == [shard_id(str(bad))]
    assert "1 shard(s) of phase 'extract' failed: the jobs run without them" in log.getvalue()
    kept, rejected = phase_tables(out, "safety")
    assert kept.num_rows + rejected.num_rows == 12 and len(shards.committed(str(out), "safety")) == 2
    # the file is repaired; the rerun commits it, reruns the job over 3 shards and recomputes 'safety'
    from conftest import write_warc

    write_warc(bad, [Rec(f"https://leaky.example/list/{i}", leaky_page(i)) for i in range(4, 6)])
    log = io.StringIO()
    result = run_local([*two_warcs, bad], out, recipe, log=log)
    assert result.ok, result.failed
    assert "recomputing safety" in log.getvalue()
    info = json.loads((out / "jobs" / "pii_sites" / "_SUCCESS.json").read_text())
    assert len(info["shards"]) == 3
    kept, rejected = phase_tables(out, "safety")
    assert kept.num_rows + rejected.num_rows == 14 and len(shards.committed(str(out), "safety")) == 3
    assert rejected.num_rows == 6  # all six leaky pages, the new two included


def test_interrupted_job_resumes_from_its_map_files(recipe, two_warcs, tmp_path):
    out = str(tmp_path / "out")
    phases = build_phases(str(recipe), {})
    run_local(two_warcs, out, recipe)
    job = phases[1].jobs[0]
    inputs = {s: shards.kept_path(out, "extract", s) for s in shards.committed(out, "extract")}
    # simulate a run killed after one map file and one partition: prepare keeps both
    jobs.prepare(out, job, list(inputs))  # finished run: starts over
    assert not os.path.exists(jobs.job_dir(out, "pii_sites") + "/map")
    first = sorted(inputs)[0]
    jobs.run_map(job, out, first, inputs[first])
    mtime = os.path.getmtime(jobs.map_path(out, "pii_sites", first))
    jobs.prepare(out, job, list(inputs))
    assert jobs.run_map(job, out, first, inputs[first]) == -1  # kept, not redone
    assert os.path.getmtime(jobs.map_path(out, "pii_sites", first)) == mtime
    # another configuration: everything goes
    jobs.prepare(out, PiiSites(min_pii=1), list(inputs))
    assert not os.path.exists(jobs.map_path(out, "pii_sites", first))


def test_reduce_reads_only_its_partition(tmp_path):
    job = PiiSites(partitions=4)
    src = tmp_path / "in.parquet"
    hosts = [f"h{i}.example" for i in range(40)]
    pq.write_table(pa.table({"host": hosts, "pii_count": pa.array([50] * 40, pa.int32()),
                             "text": ["x" * 100] * 40}), src)
    out = str(tmp_path / "out")
    assert jobs.run_map(job, out, "s", str(src)) == 40
    got = []
    for p in range(4):
        t = jobs.read_partition(jobs.map_path(out, "pii_sites", "s"), p)
        assert set(partition_of(t.column("host"), 4).tolist()) <= {p}
        got += t.column("host").to_pylist()
    assert sorted(got) == sorted(hosts)
    assert sum(jobs.run_reduce(job, out, p, ["s"]) for p in range(4)) == 40


def test_empty_shard_and_null_values(tmp_path):
    job = PiiSites(min_pii=5)
    src = tmp_path / "empty.parquet"
    schema = pa.schema([("host", pa.string()), ("pii_count", pa.int32()), ("text", pa.string())])
    pq.write_table(schema.empty_table(), src)
    nulls = tmp_path / "nulls.parquet"
    pq.write_table(pa.table({"host": [None, "a.example"], "pii_count": pa.array([None, 9], pa.int32()),
                             "text": [None, "@" * 9]}, schema=schema), nulls)
    out = str(tmp_path / "out")
    assert jobs.run_map(job, out, "e", str(src)) == 0
    assert jobs.run_map(job, out, "n", str(nulls)) == 2
    rows = sum(jobs.run_reduce(job, out, p, ["e", "n"]) for p in range(job.partitions))
    assert rows == 1  # a.example: 9 spans in 9 characters


def test_filter_stage_needs_its_artifact(tmp_path):
    stage = PiiSiteFilter()
    stage.setup()  # the preflight: no artifact yet, set-up still succeeds
    with pytest.raises(RuntimeError, match="pii_sites artifact"):
        stage.process(pa.table({"host": ["a.example"]}))


def test_a_stage_needing_a_job_the_phase_lacks_is_a_recipe_error(tmp_path):
    path = write_recipe(tmp_path / "bad.py", '''
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stages.extract import Extract
from curate.stages.pii_sites import PiiSiteFilter
def build(params):
    return [Phase("extract", reader=WarcReader(), stages=[Extract()]), Phase("safety", stages=[PiiSiteFilter()])]
''')
    with pytest.raises(ValueError, match="needs job"):
        build_phases(str(path), {})


@pytest.mark.ray
def test_pii_sites_job_on_ray(ray_session, recipe, two_warcs, tmp_path):
    out = tmp_path / "out"
    result = run([str(w) for w in two_warcs], str(out), recipe=str(recipe), params={}, runner="ray",
                 log=io.StringIO())
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "safety")
    assert set(rejected.column("host").to_pylist()) == {"leaky.example"} and kept.num_rows == 8
