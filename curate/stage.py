"""The stage interface: a per-document transformation over an Arrow batch.

A stage is a small dataclass built from plain typed arguments, cheap to pickle. The
runner calls ``setup()`` once per worker, then ``process(batch)`` on live rows only. A
stage returns the same rows in the same order; it may rewrite ``text``, add the columns
it declares in ``columns``, and reject a row by writing a short reason into
``drop_reason``. It never drops rows, never counts, and never imports Ray.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar

import pyarrow as pa

from curate import schema


@dataclasses.dataclass
class Resources:
    """What one worker of a stage needs. Overridable per run (``[stage.resources]`` in TOML).

    ``concurrency`` set (or ``gpus`` > 0) makes the Ray runner serve the stage from a pool
    of that many actors, each set up once; otherwise the stage runs inside the shard task.
    """

    cpus: float = 1.0
    gpus: float = 0.0
    memory_gb: float | None = None
    batch_size: int = 256
    concurrency: int | None = None

    @property
    def pooled(self) -> bool:
        return self.gpus > 0 or self.concurrency is not None


class Stage:
    """Base class for stages. Subclasses are dataclasses and set ``name`` and ``columns``."""

    name: ClassVar[str] = "stage"
    #: Columns this stage adds or rewrites, with their Arrow types.
    columns: ClassVar[dict[str, pa.DataType]] = {}
    #: Columns this stage consumes and the runner may leave out of the written files.
    consumes: ClassVar[tuple[str, ...]] = ()
    #: Jobs whose artifacts this stage applies. Such a stage has a field ``artifacts: dict[str, str]``
    #: that the runner fills with {job name: artifact folder} before the phase runs; the run's
    #: set-up preflight calls ``setup()`` before the jobs ran, with ``artifacts`` empty.
    needs: ClassVar[tuple[str, ...]] = ()

    resources: Resources

    def setup(self) -> None:
        """Load models, word lists and blocklists; called once per worker, never in ``__init__``."""

    def begin_shard(self, shard: str) -> None:
        """Called before a shard's first batch (in-task stages only): an apply stage loads the
        rows of its job's artifact that concern this shard (see ``Job.route``)."""

    def process(self, batch: pa.Table) -> pa.Table:
        raise NotImplementedError

    def fingerprint(self) -> str:
        """A stable string that changes when the stage's configuration changes."""
        return f"{self.name}:{self!r}"


class StageSetupError(RuntimeError):
    """A stage could not set up (a missing model, a failed import); the run must stop."""


def set_column(batch: pa.Table, name: str, values: pa.Array | Sequence, typ: pa.DataType) -> pa.Table:
    """Add or replace column ``name`` in ``batch``."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=typ)
    idx = batch.schema.get_field_index(name)
    if idx >= 0:
        return batch.set_column(idx, pa.field(name, typ), arr)
    return batch.append_column(pa.field(name, typ), arr)


def reject(batch: pa.Table, reasons: Sequence[str | None]) -> pa.Table:
    """Write ``reasons`` (None = keep) into ``drop_reason``, keeping earlier reasons."""
    if batch.num_rows != len(reasons):
        raise ValueError(f"{len(reasons)} reasons for {batch.num_rows} rows")
    if schema.DROP_REASON in batch.column_names:
        old = batch.column(schema.DROP_REASON).to_pylist()
        reasons = [o if o is not None else r for o, r in zip(old, reasons)]
    return set_column(batch, schema.DROP_REASON, list(reasons), pa.string())
