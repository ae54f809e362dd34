"""The columns every phase agrees on (see DESIGN.md, "Columns").

Stages add their own score and tag columns; each declares their Arrow types in
``Stage.columns`` so that a shard's Parquet schema is known before its first batch.
"""

from __future__ import annotations

import pyarrow as pa

ID = "id"
URL = "url"
HOST = "host"
FETCH_TIME = "fetch_time"
DUMP = "dump"
SOURCE = "source"
HTML = "html"
CHARSET = "charset"
TEXT = "text"
TITLE = "title"
DROP_REASON = "drop_reason"
DROP_STAGE = "drop_stage"
#: Added by the runner to the batches of every phase after the first (never written): the row's
#: index in the shard file the phase reads, as a job's map saw it. Apply stages match rows by it.
ROW = "_row"

#: Columns written by the WARC reader, in order.
READ_FIELDS: list[pa.Field] = [
    pa.field(ID, pa.string()),
    pa.field(URL, pa.string()),
    pa.field(HOST, pa.string()),
    pa.field(FETCH_TIME, pa.timestamp("us", tz="UTC")),
    pa.field(DUMP, pa.string()),
    pa.field(SOURCE, pa.string()),
    pa.field(HTML, pa.binary()),
    pa.field(CHARSET, pa.string()),
]

#: Columns the runner owns; every written file carries them.
DROP_FIELDS: list[pa.Field] = [
    pa.field(DROP_REASON, pa.string()),
    pa.field(DROP_STAGE, pa.string()),
]


def output_schema(input_schema: pa.Schema, stage_columns: list[dict[str, pa.DataType]],
                  drop: tuple[str, ...] = ()) -> pa.Schema:
    """The schema a phase writes: its input columns, then each stage's, then the drop columns.

    A stage that rewrites an existing column keeps its position; ``drop`` names columns
    left out of the written files (``html`` after extraction, unless kept).
    """
    fields: dict[str, pa.DataType] = {f.name: f.type for f in input_schema}
    for columns in stage_columns:
        for name, typ in columns.items():
            fields[name] = typ
    for f in DROP_FIELDS:
        fields.pop(f.name, None)
    for name in drop:
        fields.pop(name, None)
    out = [pa.field(n, t) for n, t in fields.items()] + DROP_FIELDS
    return pa.schema(out)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Return ``table`` with exactly ``schema``'s columns: missing ones null, extra ones dropped."""
    cols = []
    n = table.num_rows
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            if col.type != f.type:
                col = col.cast(f.type)
            cols.append(col)
        else:
            cols.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(cols, schema=schema)
