"""Shard files on disk: where a phase's outputs live, and how a shard commits atomically.

Layout under the output root, per phase::

    <phase>/part-<shard>.parquet            kept documents
    <phase>/rejected/part-<shard>.parquet   dropped documents, with drop_stage and drop_reason
    <phase>/_markers/<shard>.json           written last: the shard is committed
    <phase>/_failed/<shard>.json            the last error of a shard that failed

Data files are written under a temporary name and moved into place; the marker is written
after both. A shard is committed if and only if its marker exists, so a run killed at
any point leaves either a committed shard or one that the next run redoes from scratch,
never a half-counted one. This works the same on object stores (write, then marker).
"""

from __future__ import annotations

import json
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

from curate.io import fs as cfs

MARKERS = "_markers"
FAILED = "_failed"
REJECTED = "rejected"


def kept_path(out_root: str, phase: str, shard: str) -> str:
    return cfs.join(out_root, phase, f"part-{shard}.parquet")


def rejected_path(out_root: str, phase: str, shard: str) -> str:
    return cfs.join(out_root, phase, REJECTED, f"part-{shard}.parquet")


def marker_path(out_root: str, phase: str, shard: str) -> str:
    return cfs.join(out_root, phase, MARKERS, f"{shard}.json")


def failed_path(out_root: str, phase: str, shard: str) -> str:
    return cfs.join(out_root, phase, FAILED, f"{shard}.json")


def is_committed(out_root: str, phase: str, shard: str) -> bool:
    return cfs.exists(marker_path(out_root, phase, shard))


def committed(out_root: str, phase: str) -> dict[str, dict]:
    """Markers of the committed shards of ``phase``, by shard id."""
    return _read_jsons(cfs.join(out_root, phase, MARKERS))


def failures(out_root: str, phase: str) -> dict[str, dict]:
    return _read_jsons(cfs.join(out_root, phase, FAILED))


def _read_jsons(folder: str) -> dict[str, dict]:
    fs, path = cfs.get_fs(folder)
    if not fs.exists(path):
        return {}
    out = {}
    for p in sorted(fs.ls(path, detail=False)):
        name = p.rsplit("/", 1)[-1]
        if name.endswith(".json"):
            with fs.open(p, "rt", encoding="utf-8") as f:
                out[name[:-5]] = json.load(f)
    return out


def write_failure(out_root: str, phase: str, shard: str, info: dict) -> None:
    cfs.write_text_atomic(failed_path(out_root, phase, shard), json.dumps(info, indent=1))


class _Part:
    """One Parquet file written under a temporary name, buffered into row groups."""

    def __init__(self, final: str, schema: pa.Schema, row_group_bytes: int) -> None:
        self.fs, self.final = cfs.get_fs(final)
        parent = self.final.rsplit("/", 1)[0] if "/" in self.final else "."
        self.fs.makedirs(parent, exist_ok=True)
        self.tmp = f"{self.final}.tmp-{uuid.uuid4().hex[:12]}"
        self.schema = schema
        self.row_group_bytes = row_group_bytes
        self.buffer: list[pa.Table] = []
        self.buffered = 0
        self.rows = 0
        self._file = self.fs.open(self.tmp, "wb")
        self._writer = pq.ParquetWriter(self._file, schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self.buffer.append(table)
        self.buffered += table.nbytes
        self.rows += table.num_rows
        if self.buffered >= self.row_group_bytes:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self._writer.write_table(pa.concat_tables(self.buffer), row_group_size=1 << 20)
            self.buffer, self.buffered = [], 0

    def close(self) -> None:
        self.flush()
        self._writer.close()
        self._file.close()

    def commit(self) -> None:
        cfs.commit(self.fs, self.tmp, self.final)

    def abort(self) -> None:
        try:
            self._writer.close()
            self._file.close()
        finally:
            if self.fs.exists(self.tmp):
                self.fs.rm(self.tmp)


class ShardWriter:
    """Writes one shard's kept and rejected files and commits them with a marker."""

    def __init__(self, out_root: str, phase: str, shard: str, schema: pa.Schema,
                 row_group_bytes: int = 128 << 20) -> None:
        self.out_root, self.phase, self.shard = out_root, phase, shard
        self.kept = _Part(kept_path(out_root, phase, shard), schema, row_group_bytes)
        self.rejected = _Part(rejected_path(out_root, phase, shard), schema, row_group_bytes)

    def commit(self, marker: dict) -> None:
        self.kept.close()
        self.rejected.close()
        self.kept.commit()
        self.rejected.commit()
        marker = {**marker, "kept": self.kept.rows, "rejected": self.rejected.rows}
        cfs.write_text_atomic(marker_path(self.out_root, self.phase, self.shard), json.dumps(marker, indent=1))
        fail = failed_path(self.out_root, self.phase, self.shard)
        if cfs.exists(fail):
            cfs.remove(fail)

    def abort(self) -> None:
        for part in (self.kept, self.rejected):
            try:
                part.abort()
            except OSError:
                pass


def committed_marker(out_root: str, phase: str, shard: str) -> dict:
    path = marker_path(out_root, phase, shard)
    return json.loads(cfs.read_text(path))
