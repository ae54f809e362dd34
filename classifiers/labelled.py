"""Labelled text files, the input of every classifier's training: JSONL (``.jsonl``/``.json``,
optionally ``.gz``) or Parquet (a file or a folder of them).

Imports only the standard library and pyarrow, so ``classifiers/transformer.py`` stays usable on a
GPU machine that has nothing of curate's but torch, transformers, numpy and pyarrow.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator, Sequence


def read_rows(path: str, columns: Sequence[str], required: bool = False) -> Iterator[tuple]:
    """The values of ``columns`` per row of ``path`` (None where a JSON row lacks a key).

    A line that is not a JSON object, or (``required``) lacks one of ``columns``, raises
    ValueError naming the file and line.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such labelled file (JSONL or Parquet with {', '.join(columns)})")
    if path.endswith(".parquet") or os.path.isdir(path):
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=list(columns))
        yield from zip(*(table.column(c).to_pylist() for c in columns))
        return
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise ValueError(f"{path}:{n}: not JSON ({e})") from None
            if not isinstance(rec, dict) or (required and any(c not in rec for c in columns)):
                raise ValueError(f"{path}:{n}: expected a JSON object with {', '.join(columns)}")
            yield tuple(rec.get(c) for c in columns)
