"""Packed token shards: a flat uint32 token file plus document boundary offsets.

Layout of one split (``mix/train``, ``mix/val``, ``mix/anneal``)::

    part-00000.bin   uint32 little-endian token ids, each document followed by EOS (<|end_of_text|>)
    part-00000.idx   uint64 little-endian document offsets in tokens: n_docs + 1 values, from 0;
                     document i is tokens [idx[i], idx[i+1]), its EOS included

A reader memory-maps both (``curate.train.data``); the offsets give each token its document,
which the pretraining loader turns into the document mask. A part closes at a document
boundary once it holds ``shard_tokens`` tokens, so no document spans two parts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from curate.io import fs as cfs

#: About 1 GiB of uint32 tokens per part.
SHARD_TOKENS = 1 << 28


class PackWriter:
    """Appends tokenized documents to ``<folder>/part-NNNNN.{bin,idx}``; ``close()`` returns the parts written."""

    def __init__(self, folder: str, eos_id: int, shard_tokens: int = SHARD_TOKENS) -> None:
        self.folder, self.eos_id, self.shard_tokens = folder, eos_id, shard_tokens
        self.fs, self.path = cfs.get_fs(folder)
        self.fs.makedirs(self.path, exist_ok=True)
        self.parts: list[dict] = []
        self._f = None

    def _open(self) -> None:
        name = f"part-{len(self.parts):05d}"
        self._name = name
        self._f = self.fs.open(f"{self.path}/{name}.bin", "wb")
        self._hash = hashlib.sha256()
        self._offsets = [0]
        self._tokens = 0

    def add(self, docs: Sequence[Sequence[int]]) -> None:
        """Append documents (lists of token ids, no EOS) in order."""
        for ids in docs:
            if self._f is None:
                self._open()
            arr = np.empty(len(ids) + 1, dtype="<u4")
            arr[:-1] = ids
            arr[-1] = self.eos_id
            data = arr.tobytes()
            self._f.write(data)
            self._hash.update(data)
            self._tokens += len(arr)
            self._offsets.append(self._tokens)
            if self._tokens >= self.shard_tokens:
                self._finish()

    def _finish(self) -> None:
        self._f.close()
        idx = np.asarray(self._offsets, dtype="<u8").tobytes()
        with self.fs.open(f"{self.path}/{self._name}.idx", "wb") as f:
            f.write(idx)
        self.parts.append({"bin": f"{self._name}.bin", "idx": f"{self._name}.idx", "tokens": self._tokens,
                           "docs": len(self._offsets) - 1, "sha256_bin": self._hash.hexdigest(),
                           "sha256_idx": hashlib.sha256(idx).hexdigest()})
        self._f = None

    def close(self) -> list[dict]:
        if self._f is not None:
            self._finish()
        return self.parts
