"""curate.io.shards and curate.io.fs: shard layout, atomic commit with a marker, failures."""

from __future__ import annotations

import json
import os
import uuid

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate.io import fs as cfs
from curate.io import shards

SCHEMA = pa.schema([("id", pa.string()), ("text", pa.string()), ("drop_reason", pa.string()),
                    ("drop_stage", pa.string())])


def batch(ids, reason=None):
    n = len(ids)
    return pa.table({"id": ids, "text": [f"text {i}" for i in ids], "drop_reason": [reason] * n,
                     "drop_stage": ["s" if reason else None] * n}, schema=SCHEMA)


def listing(root) -> list[str]:
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.relpath(os.path.join(d, f), root) for f in files]
    return sorted(out)


def test_layout(tmp_path):
    root = str(tmp_path)
    assert shards.kept_path(root, "extract", "s1") == f"{root}/extract/part-s1.parquet"
    assert shards.rejected_path(root, "extract", "s1") == f"{root}/extract/rejected/part-s1.parquet"
    assert shards.marker_path(root, "extract", "s1") == f"{root}/extract/_markers/s1.json"
    assert shards.failed_path(root, "extract", "s1") == f"{root}/extract/_failed/s1.json"
    assert shards.kept_path("s3://b/out", "p", "s") == "s3://b/out/p/part-s.parquet"


def test_nothing_visible_before_commit(tmp_path):
    root = str(tmp_path)
    w = shards.ShardWriter(root, "extract", "s1", SCHEMA, row_group_bytes=1)
    w.kept.write(batch(["a", "b"]))
    w.rejected.write(batch(["c"], "bad"))
    files = listing(root)
    assert files and all(".tmp-" in f for f in files), files
    assert not shards.is_committed(root, "extract", "s1")
    assert shards.committed(root, "extract") == {}


def test_commit_writes_files_then_marker(tmp_path):
    root = str(tmp_path)
    w = shards.ShardWriter(root, "extract", "s1", SCHEMA, row_group_bytes=1)
    w.kept.write(batch(["a", "b"]))
    w.kept.write(batch(["d"]))
    w.kept.write(batch([]))
    w.rejected.write(batch(["c"], "bad"))
    w.commit({"shard": "s1", "rows_in": 4})
    assert listing(root) == ["extract/_markers/s1.json", "extract/part-s1.parquet",
                             "extract/rejected/part-s1.parquet"]
    kept = pq.read_table(shards.kept_path(root, "extract", "s1"))
    assert kept.schema == SCHEMA
    assert kept.column("id").to_pylist() == ["a", "b", "d"]
    assert pq.ParquetFile(shards.kept_path(root, "extract", "s1")).num_row_groups == 2  # flushed per batch
    rej = pq.read_table(shards.rejected_path(root, "extract", "s1"))
    assert rej.column("drop_reason").to_pylist() == ["bad"]
    marker = shards.committed_marker(root, "extract", "s1")
    assert marker == {"shard": "s1", "rows_in": 4, "kept": 3, "rejected": 1}
    assert shards.is_committed(root, "extract", "s1")
    assert shards.committed(root, "extract") == {"s1": marker}


def test_empty_shard_commits_readable_files(tmp_path):
    root = str(tmp_path)
    w = shards.ShardWriter(root, "extract", "empty", SCHEMA)
    w.commit({})
    assert pq.read_table(shards.kept_path(root, "extract", "empty")).num_rows == 0
    assert pq.read_table(shards.rejected_path(root, "extract", "empty")).schema == SCHEMA


def test_abort_leaves_nothing(tmp_path):
    root = str(tmp_path)
    w = shards.ShardWriter(root, "extract", "s1", SCHEMA, row_group_bytes=1)
    w.kept.write(batch(["a"]))
    w.abort()
    assert listing(root) == []
    assert not shards.is_committed(root, "extract", "s1")


def test_failure_record_and_clear_on_commit(tmp_path):
    root = str(tmp_path)
    shards.write_failure(root, "extract", "s1", {"error": "boom"})
    shards.write_failure(root, "extract", "s2", {"error": "bang"})
    assert shards.failures(root, "extract") == {"s1": {"error": "boom"}, "s2": {"error": "bang"}}
    w = shards.ShardWriter(root, "extract", "s1", SCHEMA)
    w.commit({})
    assert shards.failures(root, "extract") == {"s2": {"error": "bang"}}


def test_commit_replaces_an_older_output(tmp_path):
    root = str(tmp_path)
    for ids in (["old1", "old2"], ["new"]):
        w = shards.ShardWriter(root, "extract", "s1", SCHEMA)
        w.kept.write(batch(ids))
        w.commit({})
    assert pq.read_table(shards.kept_path(root, "extract", "s1")).column("id").to_pylist() == ["new"]
    assert shards.committed_marker(root, "extract", "s1")["kept"] == 1


def test_object_store_commit():
    root = f"memory://shards-{uuid.uuid4().hex[:8]}/out"
    w = shards.ShardWriter(root, "extract", "s1", SCHEMA)
    w.kept.write(batch(["a", "b"]))
    assert not shards.is_committed(root, "extract", "s1")
    w.commit({"x": 1})
    fs = fsspec.filesystem("memory")
    names = sorted(p.rsplit("/", 1)[-1] for p in fs.find(root.removeprefix("memory://")))
    assert names == ["part-s1.parquet", "part-s1.parquet", "s1.json"]
    with fs.open(shards.kept_path(root, "extract", "s1"), "rb") as f:
        assert pq.read_table(f).column("id").to_pylist() == ["a", "b"]
    assert shards.committed(root, "extract") == {"s1": {"x": 1, "kept": 2, "rejected": 0}}


def test_fs_helpers(tmp_path):
    assert cfs.is_local("/a/b") and cfs.is_local("file:///a") and not cfs.is_local("s3://b/k")
    assert cfs.join("s3://b", "x", "y.json") == "s3://b/x/y.json"
    target = str(tmp_path / "deep" / "dir" / "f.json")
    cfs.write_text_atomic(target, json.dumps({"a": 1}))
    assert json.loads(cfs.read_text(target)) == {"a": 1}
    assert os.listdir(tmp_path / "deep" / "dir") == ["f.json"]
    assert cfs.exists(target)
    cfs.remove(target)
    assert not cfs.exists(target)
    cfs.remove(target)  # removing a missing file is fine
    fs, path = cfs.get_fs("relative/thing")
    assert os.path.isabs(path)


@pytest.mark.parametrize("root", ["local", "memory"])
def test_write_text_atomic_overwrites(tmp_path, root):
    base = str(tmp_path) if root == "local" else f"memory://atomic-{uuid.uuid4().hex[:8]}"
    url = cfs.join(base, "run.json")
    cfs.write_text_atomic(url, "one")
    cfs.write_text_atomic(url, "two")
    assert cfs.read_text(url) == "two"
