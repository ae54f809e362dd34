"""Sample documents from an output root, with all their columns, filtered by value or reason."""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate import schema
from curate.io import fs as cfs
from curate.io import shards

_WHERE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<|~)\s*(.*)$")


def parse_where(expr: str) -> tuple[str, str, str]:
    m = _WHERE.match(expr)
    if not m:
        raise ValueError(f"--where {expr!r}: expected COLUMN OP VALUE with OP one of = != > >= < <= ~ "
                         "(~ is 'contains'), e.g. lang=en or text~cookie")
    return m.group(1), m.group(2), m.group(3)


def _mask(table: pa.Table, column: str, op: str, raw: str) -> pa.ChunkedArray:
    if column not in table.column_names:
        raise KeyError(f"no column {column!r}; columns are: {', '.join(table.column_names)}")
    col = table.column(column)
    if op == "~":
        return pc.match_substring(col.cast(pa.string()), raw)
    value: Any = raw
    try:
        if pa.types.is_integer(col.type):
            value = int(raw)
        elif pa.types.is_floating(col.type):
            value = float(raw)
        elif pa.types.is_boolean(col.type):
            value = raw.lower() in ("1", "true", "yes")
        elif pa.types.is_timestamp(col.type):
            value = pa.scalar(raw).cast(col.type)
    except (ValueError, pa.ArrowInvalid) as e:
        raise ValueError(f"--where {column}{op}{raw}: {raw!r} is not a value of {column} ({col.type})") from e
    fn = {"=": pc.equal, "!=": pc.not_equal, ">": pc.greater, ">=": pc.greater_equal,
          "<": pc.less, "<=": pc.less_equal}[op]
    return fn(col, value)


def sample(out_root: str, phase: str, rejected: bool = False, reason: str | None = None,
           where: list[str] = (), n: int = 5, columns: list[str] | None = None) -> list[dict]:
    """Up to ``n`` documents of ``phase`` (kept, or rejected ones) matching every filter."""
    out: list[dict] = []
    filters = [parse_where(w) for w in where]
    for shard in sorted(shards.committed(out_root, phase)):
        path = (shards.rejected_path if rejected or reason else shards.kept_path)(out_root, phase, shard)
        fs, p = cfs.get_fs(path)
        with fs.open(p, "rb") as f:
            pf = pq.ParquetFile(f)
            for batch in pf.iter_batches(batch_size=512):
                table = pa.Table.from_batches([batch])
                mask = pa.chunked_array([pa.array([True] * table.num_rows)])
                if reason:
                    mask = pc.and_(mask, pc.match_substring(table.column(schema.DROP_REASON), reason))
                for c, op, v in filters:
                    mask = pc.and_kleene(mask, _mask(table, c, op, v))
                table = table.filter(pc.fill_null(mask, False))
                if columns:
                    table = table.select([c for c in columns if c in table.column_names])
                out.extend(table.slice(0, n - len(out)).to_pylist())
                if len(out) >= n:
                    return out
    return out


def format_docs(docs: list[dict], max_chars: int = 600, as_json: bool = False) -> str:
    if as_json:
        return "\n".join(json.dumps(d, default=str, ensure_ascii=False) for d in docs)
    parts = []
    for i, d in enumerate(docs, 1):
        lines = [f"--- document {i} " + "-" * 50]
        width = max([14, *(len(k) for k in d)])
        for k, v in d.items():
            if k in (schema.TEXT, schema.HTML):
                continue
            lines.append(f"{k:>{width}}: {v}")
        text = d.get(schema.TEXT)
        if text is not None:
            shown = text if len(text) <= max_chars else text[:max_chars] + f" … [{len(text):,} chars]"
            lines.append(f"{'text':>{width}}:\n" + "\n".join("    " + t for t in shown.splitlines()))
        parts.append("\n".join(lines))
    return "\n".join(parts) if parts else "no matching documents"
