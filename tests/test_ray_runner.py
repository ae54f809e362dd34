"""curate.runner.ray_runner: the same results as the in-process runner, actor pools, setup failures.

All tests share one Ray instance (the ``ray_session`` fixture); RayExecutor reuses it.
"""

from __future__ import annotations

import collections
import io
import os

import pytest
from conftest import Rec, articles, phase_tables, write_recipe

from curate.cli import main
from curate.io import shards
from curate.io.inputs import shard_id
from curate.pipeline import build_phases, load_params
from curate.runner import run
from curate.stage import StageSetupError

pytestmark = pytest.mark.ray

STAGES = """
import dataclasses, os
from typing import ClassVar
import pyarrow as pa
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stage import Resources, Stage, reject, set_column
from curate.stages.extract import Extract

@dataclasses.dataclass
class PoolTag(Stage):
    '''Served by an actor pool: tags rows with the serving process and its setup count.'''
    name: ClassVar[str] = "pool_tag"
    columns: ClassVar[dict] = {"served_by": pa.int64(), "setups": pa.int64()}
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(concurrency=1))
    def setup(self):
        self._setups = getattr(self, "_setups", 0) + 1
        self._pid = os.getpid()
    def process(self, batch):
        n = batch.num_rows
        batch = set_column(batch, "served_by", [self._pid] * n, pa.int64())
        batch = set_column(batch, "setups", [self._setups] * n, pa.int64())
        urls = batch.column("url").to_pylist()
        return reject(batch, ["pool_says_no" if u.endswith("/3") else None for u in urls])

@dataclasses.dataclass
class BrokenSetup(Stage):
    name: ClassVar[str] = "broken_setup"
    resources: Resources = dataclasses.field(default_factory=Resources)
    def setup(self):
        raise RuntimeError("model file /models/missing.bin not found")
    def process(self, batch):
        return batch

@dataclasses.dataclass
class BrokenPooled(BrokenSetup):
    name: ClassVar[str] = "broken_pooled"
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(concurrency=1))

@dataclasses.dataclass
class DropsARow(Stage):
    name: ClassVar[str] = "drops_a_row"
    resources: Resources = dataclasses.field(default_factory=Resources)
    def process(self, batch):
        return batch.slice(1)
"""


def recipe(tmp_path, build_body: str):
    return write_recipe(tmp_path / "ray_recipe.py", STAGES + "\ndef build(params):\n" + build_body)


@pytest.fixture
def two_shards(make_warc):
    a = make_warc("in/a.warc.gz", articles(6, "https://a.example/p") +
                  [Rec("https://a.example/gone", "x", status=404)])
    b = make_warc("in/b.warc.gz", articles(5, "https://b.example/p") +
                  [Rec("https://b.example/data.json", "{}", content_type="application/json")])
    return [a, b]


def rows(out):
    kept, rejected = phase_tables(out)
    return (sorted(kept.column("id").to_pylist()),
            sorted((r["id"], r["drop_stage"], r["drop_reason"]) for r in rejected.to_pylist()))


def test_ray_run_matches_local(ray_session, two_shards, tmp_path, capsys):
    out_ray, out_local = tmp_path / "ray", tmp_path / "local"
    rc = main(["run", *map(str, two_shards), "-o", str(out_ray), "--runner", "ray"])
    assert rc == 0, capsys.readouterr().err
    assert ray_session.is_initialized()  # the session's instance was reused, not shut down
    assert main(["run", *map(str, two_shards), "-o", str(out_local), "--runner", "local"]) == 0
    kept_ray, rejected_ray = rows(out_ray)
    kept_local, rejected_local = rows(out_local)
    assert len(kept_ray) == 11
    assert kept_ray == kept_local
    assert rejected_ray == rejected_local and len(rejected_ray) == 2
    assert set(shards.committed(str(out_ray), "extract")) == {shard_id(str(p)) for p in two_shards}
    markers = shards.committed(str(out_ray), "extract")
    assert all(m["host"] for m in markers.values())


def test_pooled_stage_is_served_by_one_actor(ray_session, two_shards, tmp_path):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(batch_size=3), stages=[Extract(), PoolTag()])]\n")
    phase = build_phases(str(path), {})[0]
    assert phase.stages[1].resources.pooled
    out = tmp_path / "out"
    result = run(list(map(str, two_shards)), str(out), recipe=str(path), params={}, runner="ray", log=io.StringIO())
    assert result.ok, result.failed
    kept, rejected = phase_tables(out)
    assert kept.num_rows == 11 - 2  # /p/3 of each site is rejected by the pooled stage
    served = set(kept.column("served_by").to_pylist())
    assert len(served) == 1 and served != {os.getpid()}  # one actor, not this process
    assert set(kept.column("setups").to_pylist()) == {1}  # set up once, then reused for every batch
    by = collections.Counter((r["drop_stage"], r["drop_reason"]) for r in rejected.to_pylist())
    assert by == {("pool_tag", "pool_says_no"): 2, ("read", "http_status:404"): 1,
                  ("read", "not_html:application/json"): 1}
    assert rejected.filter(rejected.column("drop_stage").is_null()).num_rows == 0


@pytest.mark.parametrize("stages", ["[Extract(), BrokenSetup()]", "[Extract(), BrokenPooled()]"])
def test_setup_failure_fails_the_run_at_start(ray_session, two_shards, tmp_path, capsys, stages):
    path = recipe(tmp_path, f"    return [Phase('extract', reader=WarcReader(), stages={stages})]\n")
    name = "broken_pooled" if "Pooled" in stages else "broken_setup"
    out = tmp_path / "out"
    rc = main(["run", *map(str, two_shards), "-o", str(out), "--recipe", str(path), "--runner", "ray"])
    err = capsys.readouterr().err
    assert rc != 0
    assert name in err and "missing.bin" in err
    assert shards.committed(str(out), "extract") == {}


def test_setup_failure_of_a_later_phase_pooled_stage_fails_at_start(ray_session, two_shards, tmp_path):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(), stages=[Extract()]),\n"
                            "            Phase('later', stages=[BrokenPooled()])]\n")
    out = tmp_path / "out"
    with pytest.raises(StageSetupError, match="broken_pooled"):
        run(list(map(str, two_shards)), str(out), recipe=str(path), params={}, runner="ray", log=io.StringIO())
    assert shards.committed(str(out), "extract") == {}


def test_failed_shards_do_not_stop_the_others(ray_session, two_shards, tmp_path):
    broken = tmp_path / "in" / "broken.warc.gz"
    broken.write_bytes(b"this is not a warc file at all\n" * 10)
    out = tmp_path / "out"
    inputs = [str(p) for p in two_shards] + [str(broken)]
    result = run(inputs, str(out), params=load_params("llama3"), runner="ray", log=io.StringIO())
    assert list(result.failed["extract"]) == [shard_id(str(broken))]
    assert "WarcReadError" in result.failed["extract"][shard_id(str(broken))]
    assert result.stats["phases"]["extract"]["shards_committed"] == 2
    assert result.stats["phases"]["extract"]["kept"] == 11


def test_stage_contract_error_through_ray(ray_session, two_shards, tmp_path):
    path = recipe(tmp_path, "    return [Phase('extract', reader=WarcReader(), stages=[Extract(), DropsARow()])]\n")
    result = run([str(two_shards[0])], str(tmp_path / "out"), recipe=str(path), params={}, runner="ray",
                 log=io.StringIO())
    err = result.failed["extract"][shard_id(str(two_shards[0]))]
    assert "StageContractError" in err and "drops_a_row" in err
    assert shards.committed(str(tmp_path / "out"), "extract") == {}
