"""A job's map and reduce steps on disk, shared by the in-process and the Ray runner (no Ray here).

Layout under the output root::

    jobs/<job>/map/part-<shard>.parquet   one shard's partials, one row group per partition
    jobs/<job>/part-NNNNN.parquet         the artifact, one file per partition
    jobs/<job>/_SUCCESS.json              written last: the input shards, rows, seconds

Every file is written under a temporary name and moved into place, so a killed job redoes
only the map files and partitions that are missing. ``_SUCCESS.json`` records the input
shards: a rerun over other shards (inputs added, failures retried) runs the job again.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.io import fs as cfs
from curate.job import ROW, SHARD, SHARD_INDEX, SHARDS, VIRTUAL, Job, partition_of

PARTITION = "_partition"


def job_dir(out_root: str, job: str) -> str:
    return cfs.join(out_root, "jobs", job)


def map_path(out_root: str, job: str, shard: str) -> str:
    return cfs.join(job_dir(out_root, job), "map", f"part-{shard}.parquet")


def artifact_inputs(out_root: str, job: str) -> dict[str, str]:
    """A job's artifact files as the inputs of a job that reads it (``Job.source``)."""
    fs, path = cfs.get_fs(job_dir(out_root, job))
    parts = sorted(fs.glob(f"{path}/part-*.parquet"))
    return {f"{job}-{p.rsplit('/', 1)[-1][5:-8]}": cfs.join(job_dir(out_root, job), p.rsplit("/", 1)[-1])
            for p in parts}


def job_inputs(out_root: str, job: Job, shard_inputs: dict[str, str]) -> dict[str, str]:
    """What ``job`` maps over: the phase's shards, or the artifacts of the job(s) named in ``source``."""
    if job.source is None:
        return dict(shard_inputs)
    names = (job.source,) if isinstance(job.source, str) else tuple(job.source)
    out: dict[str, str] = {}
    for name in names:
        out.update(shard_inputs if name == SHARDS else artifact_inputs(out_root, name))
    return out


def shard_index(folder: str, shard: str) -> int | None:
    """The index of ``shard`` in the sorted input shards of the job whose artifact folder is ``folder``
    (the ``_shard_index`` its map saw; None if the shard was no input)."""
    config = cfs.join(folder, "_config.json")
    if not cfs.exists(config):
        return None
    shards = json.loads(cfs.read_text(config)).get("shards", [])
    try:
        return shards.index(shard)
    except ValueError:
        return None


def part_path(out_root: str, job: str, p: int) -> str:
    return cfs.join(job_dir(out_root, job), f"part-{p:05d}.parquet")


def success_path(out_root: str, job: str) -> str:
    return cfs.join(job_dir(out_root, job), "_SUCCESS.json")


def done(out_root: str, job: Job, shards: list[str]) -> dict | None:
    """The job's success record if it ran over exactly ``shards`` with this configuration."""
    path = success_path(out_root, job.name)
    if not cfs.exists(path):
        return None
    info = json.loads(cfs.read_text(path))
    if info.get("shards") != sorted(shards) or info.get("fingerprint") != job.fingerprint():
        return None
    return info


def _write_atomic(table: pa.Table, url: str, row_group_size: int | None = None) -> None:
    fs, path = cfs.get_fs(url)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    tmp = f"{path}.tmp-{time.time_ns()}"
    with fs.open(tmp, "wb") as f:
        pq.write_table(table, f, compression="zstd", row_group_size=row_group_size)
    cfs.commit(fs, tmp, path)


def run_map(job: Job, out_root: str, shard: str, input_url: str, shard_index: int = 0) -> int:
    """Map one shard (skipped when its file exists); returns the rows written."""
    out = map_path(out_root, job.name, shard)
    if cfs.exists(out):
        return -1
    fs, path = cfs.get_fs(input_url)
    parts = []
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        cols = [c for c in job.reads if c in pf.schema_arrow.names]
        missing = set(job.reads) - set(cols) - set(VIRTUAL)
        if missing and job.source is None:
            raise ValueError(f"job {job.name!r}: {input_url} lacks column(s) {sorted(missing)}")
        start = 0

        def with_shard(t: pa.Table) -> pa.Table:
            if SHARD in job.reads:
                t = t.append_column(SHARD, pa.array([shard] * t.num_rows, pa.string()))
            if SHARD_INDEX in job.reads:
                t = t.append_column(SHARD_INDEX, pa.array(np.full(t.num_rows, shard_index, np.int64)))
            if ROW in job.reads:
                t = t.append_column(ROW, pa.array(np.arange(start, start + t.num_rows, dtype=np.int64)))
            return t

        for batch in pf.iter_batches(batch_size=8192, columns=cols):
            parts.append(job.map(with_shard(pa.Table.from_batches([batch]))))
            start += batch.num_rows
        if not parts:  # an empty shard still writes a file with the map output's schema
            parts.append(job.map(with_shard(pf.schema_arrow.empty_table().select(cols))))
    table = job.combine(pa.concat_tables(parts, promote_options="permissive"))
    part = partition_of(table.column(job.key), job.partitions)
    table = table.append_column(PARTITION, pa.array(part, pa.int32()))
    table = table.take(pa.array(np.argsort(part, kind="stable")))
    # One row group per partition run, so a reduce reads only its own rows.
    counts = np.bincount(part, minlength=job.partitions)
    _write_partitioned(table, out, counts)
    return table.num_rows


def _write_partitioned(table: pa.Table, url: str, counts: np.ndarray) -> None:
    fs, path = cfs.get_fs(url)
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    tmp = f"{path}.tmp-{time.time_ns()}"
    with fs.open(tmp, "wb") as f, pq.ParquetWriter(f, table.schema, compression="zstd") as w:
        start = 0
        for n in counts:
            if n:
                w.write_table(table.slice(start, int(n)))
                start += int(n)
    cfs.commit(fs, tmp, path)


def read_partition(url: str, p: int) -> pa.Table:
    """The rows of partition ``p`` in one map file, reading only the row groups that hold it."""
    fs, path = cfs.get_fs(url)
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        idx = pf.schema_arrow.get_field_index(PARTITION)
        groups = []
        for g in range(pf.num_row_groups):
            st = pf.metadata.row_group(g).column(idx).statistics
            if st is None or not st.has_min_max or st.min <= p <= st.max:
                groups.append(g)
        if not groups:
            return pf.schema_arrow.empty_table().drop_columns([PARTITION])
        t = pf.read_row_groups(groups)
    return t.filter(pc.equal(t.column(PARTITION), p)).drop_columns([PARTITION])


#: Rows per row group of a routed artifact: an apply task reads the groups whose range holds its shard.
ROUTED_ROW_GROUP = 65536


def read_routed(folder: str, column: str, value: str, columns: list[str] | None = None) -> pa.Table | None:
    """Rows of a routed artifact (every partition file in ``folder``) whose ``column`` equals ``value``.

    Reads only the row groups whose min/max statistics can hold ``value``; None when the folder has
    no artifact files (the job has not run).
    """
    fs, path = cfs.get_fs(folder)
    files = sorted(fs.glob(f"{path}/part-*.parquet"))
    if not files:
        return None
    want = None if columns is None else list(dict.fromkeys([*columns, column]))
    out = []
    for p in files:
        with fs.open(p, "rb") as f:
            pf = pq.ParquetFile(f)
            idx = pf.schema_arrow.get_field_index(column)
            if idx < 0:
                raise ValueError(f"{p}: artifact has no column {column!r}")
            groups = []
            for g in range(pf.num_row_groups):
                st = pf.metadata.row_group(g).column(idx).statistics
                if st is None or not st.has_min_max or st.min <= value <= st.max:
                    groups.append(g)
            t = pf.read_row_groups(groups, columns=want) if groups else pf.schema_arrow.empty_table()
            if want is not None:
                t = t.select(want)
        out.append(t.filter(pc.equal(t.column(column), value)))
    return pa.concat_tables(out)


def run_reduce(job: Job, out_root: str, p: int, shards: list[str]) -> int:
    """Reduce partition ``p`` over the map files of ``shards``; returns the artifact rows."""
    out = part_path(out_root, job.name, p)
    if cfs.exists(out):
        fs, path = cfs.get_fs(out)
        with fs.open(path, "rb") as f:
            return pq.ParquetFile(f).metadata.num_rows
    if not shards:
        raise ValueError(f"job {job.name!r}: no input shards")
    tables = [read_partition(map_path(out_root, job.name, s), p) for s in shards]
    tables = [t for t in tables if t.num_rows] or tables[:1]
    result = job.reduce(pa.concat_tables(tables, promote_options="permissive"))
    if job.route:
        result = result.sort_by(job.route)
    _write_atomic(result, out, row_group_size=ROUTED_ROW_GROUP if job.route else None)
    return result.num_rows


def prepare(out_root: str, job: Job, shards: list[str], phase: str = "") -> None:
    """Before a job runs: keep what an unfinished run of the same job can reuse, remove the rest.

    Map files are per shard, so an interrupted run with the same configuration resumes from
    them; its reduce outputs are kept only when the input shards are the same too. A
    finished run, or a run with another configuration, starts over.
    """
    folder = job_dir(out_root, job.name)
    config = cfs.join(folder, "_config.json")
    fs, path = cfs.get_fs(folder)
    before = json.loads(cfs.read_text(config)) if cfs.exists(config) else {}
    if before.get("fingerprint") != job.fingerprint() or cfs.exists(success_path(out_root, job.name)):
        if fs.exists(path):
            fs.rm(path, recursive=True)
    elif before.get("shards") != sorted(shards):
        for p in fs.glob(f"{path}/part-*.parquet"):
            fs.rm(p)
    cfs.write_text_atomic(config, json.dumps({"fingerprint": job.fingerprint(), "shards": sorted(shards),
                                              "phase": phase}))


def job_phases(out_root: str) -> dict[str, str]:
    """The phase each job folder under ``jobs/`` was run for (from its ``_config.json``)."""
    fs, path = cfs.get_fs(cfs.join(out_root, "jobs"))
    out = {}
    for p in sorted(fs.glob(f"{path}/*/_config.json")):
        with fs.open(p, "rt", encoding="utf-8") as f:
            out[p.rsplit("/", 2)[-2]] = json.load(f).get("phase", "")
    return out


def remove(out_root: str, job: str) -> None:
    fs, path = cfs.get_fs(job_dir(out_root, job))
    if fs.exists(path):
        fs.rm(path, recursive=True)


def write_success(out_root: str, job: Job, shards: list[str], rows: int, seconds: float) -> dict:
    info = {"job": job.name, "fingerprint": job.fingerprint(), "shards": sorted(shards),
            "partitions": job.partitions, "rows": rows, "seconds": round(seconds, 3),
            "summary": job.summary(rows, seconds)}
    cfs.write_text_atomic(success_path(out_root, job.name), json.dumps(info, indent=1))
    return info
