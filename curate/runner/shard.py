"""One shard through one phase: read, chain the stages over each batch, write, commit.

Shared by the in-process and the Ray runner; this module does not import Ray. The
stages arrive as callables (a set-up stage's ``process``, or a proxy to an actor pool),
so the same code serves both.
"""

from __future__ import annotations

import collections
import dataclasses
import socket
import time
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate import schema
from curate.io import fs as cfs
from curate.io import shards
from curate.pipeline import Phase

Process = Callable[[pa.Table], pa.Table]


@dataclasses.dataclass(frozen=True)
class ShardTask:
    """What to run: ``input`` is a WARC URL (first phase) or the previous phase's kept file."""

    phase: str
    shard: str
    input: str
    out_root: str


class StageContractError(RuntimeError):
    """A stage broke the interface (changed the row count, wrote an undeclared column)."""


def input_batches(phase: Phase, task: ShardTask, tally: collections.Counter) -> Iterator[pa.Table]:
    if phase.reader is not None:
        yield from phase.reader.read(task.input, tally)
        return
    fs, path = cfs.get_fs(task.input)
    start = 0
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        for batch in pf.iter_batches(batch_size=1024):
            t = pa.Table.from_batches([batch])
            yield t.append_column(schema.ROW, pa.array(np.arange(start, start + t.num_rows, dtype=np.int64)))
            start += t.num_rows


def input_schema(phase: Phase, task: ShardTask) -> pa.Schema:
    if phase.reader is not None:
        return phase.reader.schema
    fs, path = cfs.get_fs(task.input)
    with fs.open(path, "rb") as f:
        return pq.read_schema(f)


def run_shard(phase: Phase, task: ShardTask, stages: list[tuple[str, Process]]) -> dict:
    """Process ``task`` through ``stages`` (name, process) and commit it; returns the marker.

    Each stage sees batches of at most its ``resources.batch_size`` live rows.
    """
    sizes = {s.name: max(1, s.resources.batch_size) for s in phase.stages}
    t0 = time.time()
    in_schema = input_schema(phase, task)
    out_schema = phase.output_schema(in_schema)
    declared = (set(in_schema.names) | set(out_schema.names) | {c for s in phase.stages for c in s.columns}
                | {schema.ROW})
    writer = shards.ShardWriter(task.out_root, task.phase, task.shard, out_schema)
    tally: collections.Counter = collections.Counter()
    seconds = {name: 0.0 for name, _ in stages}
    rows_in = 0
    for _, process in stages:  # a set-up stage's bound method; an actor pool's proxy has no hook
        begin = getattr(getattr(process, "__self__", None), "begin_shard", None)
        if begin is not None:
            begin(task.shard)
    try:
        for batch in input_batches(phase, task, tally):
            rows_in += batch.num_rows
            live, dead = _split(batch)
            writer.rejected.write(schema.conform(dead, out_schema))
            for name, process in stages:
                if live.num_rows == 0:
                    break
                ts = time.perf_counter()
                out = _in_batches(process, live, sizes.get(name, live.num_rows))
                seconds[name] += time.perf_counter() - ts
                _check(name, live, out, declared)
                out = _stamp(out, name)
                live, dead = _split(out)
                writer.rejected.write(schema.conform(dead, out_schema))
            writer.kept.write(schema.conform(live, out_schema))
        marker = {
            "shard": task.shard, "input": task.input, "phase": task.phase, "rows_in": rows_in,
            "records": dict(tally), "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
            "seconds": round(time.time() - t0, 3), "host": socket.gethostname(),
        }
        writer.commit(marker)
    except BaseException:
        writer.abort()
        raise
    return shards.committed_marker(task.out_root, task.phase, task.shard)


def _in_batches(process: Process, live: pa.Table, size: int) -> pa.Table:
    if live.num_rows <= size:
        return process(live)
    outs = [process(live.slice(i, size)) for i in range(0, live.num_rows, size)]
    return pa.concat_tables(outs, promote_options="permissive")


def _split(batch: pa.Table) -> tuple[pa.Table, pa.Table]:
    if schema.DROP_REASON not in batch.column_names:
        return batch, batch.slice(0, 0)
    dead_mask = pc.is_valid(batch.column(schema.DROP_REASON))
    if not pc.any(dead_mask).as_py():
        return batch, batch.slice(0, 0)
    return batch.filter(pc.invert(dead_mask)), batch.filter(dead_mask)


def _stamp(batch: pa.Table, stage: str) -> pa.Table:
    """Set ``drop_stage`` to ``stage`` on rows this stage rejected."""
    if schema.DROP_REASON not in batch.column_names:
        return batch
    reasons = batch.column(schema.DROP_REASON)
    if reasons.null_count == batch.num_rows:
        return batch
    stage_col = pc.if_else(pc.is_valid(reasons), pa.scalar(stage), pa.scalar(None, pa.string()))
    idx = batch.schema.get_field_index(schema.DROP_STAGE)
    field = pa.field(schema.DROP_STAGE, pa.string())
    return batch.set_column(idx, field, stage_col) if idx >= 0 else batch.append_column(field, stage_col)


def _check(name: str, before: pa.Table, after: pa.Table, declared: set[str]) -> None:
    if after.num_rows != before.num_rows:
        raise StageContractError(f"stage {name!r} returned {after.num_rows} rows for {before.num_rows}: "
                                 "a stage must return the same rows in the same order (reject with drop_reason)")
    extra = set(after.column_names) - declared
    if extra:
        raise StageContractError(f"stage {name!r} wrote undeclared column(s) {sorted(extra)}: "
                                 "add them to the stage's `columns`")
