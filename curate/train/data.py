"""The pretraining loader over packed mix shards, with a resumable position.

A split (``mix/train``, ``mix/val``) is a list of parts, each a flat uint32 token file and its
document offsets (``data_mix.pack``). Both are memory-mapped; nothing is read until used.

Sequences: each part is cut into windows of ``seq_len + 1`` tokens at a stride of ``seq_len``
(inputs are the first ``seq_len``, targets the last ``seq_len``); a window never crosses parts,
and a part's tail shorter than a window is left out. Documents are packed back to back, so a
window holds the end of one document, whole ones, and the start of another; the offsets give
every token its document, and the model's mask keeps attention inside it. The cost of this
packing: no padding is spent, but a document cut by a window edge loses the context before the
cut (its first tokens in the next window see nothing of it).

Order: a permutation of all windows per epoch, from ``seed`` and the epoch number. Rank ``r``
of ``w`` takes windows ``cursor + r*B .. cursor + (r+1)*B`` of it, and the cursor moves by
``w*B`` per batch. The state is ``{"epoch", "cursor"}``: a checkpoint holds it, and a resumed
run reads exactly the batches an uninterrupted run would have read.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
import torch


class TokenizerMismatch(ValueError):
    """The mix was tokenized with another tokenizer than the one the run expects."""


def read_manifest(mix_dir: str) -> dict:
    path = os.path.join(mix_dir, "manifest.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} not found: build the mix with `curate mix build OUTPUT_ROOT` "
                                "and pass --mix OUTPUT_ROOT/mix")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_tokenizer(manifest: dict, vocab_size: int, expected: dict | None = None) -> None:
    """Refuse a manifest whose tokenizer does not match the model's vocabulary or ``expected``.

    ``expected`` is a tokenizer identity (``name``, ``sha256``, ...); the keys it gives must all
    match. A run started from a checkpoint passes the checkpoint's identity.
    """
    got = manifest.get("tokenizer") or {}
    problems = []
    if got.get("vocab_size") != vocab_size:
        problems.append(f"vocab_size {got.get('vocab_size')} != the model's {vocab_size}")
    for key, want in (expected or {}).items():
        if got.get(key) != want:
            problems.append(f"{key} {got.get(key)!r} != expected {want!r}")
    if problems:
        raise TokenizerMismatch("the mix manifest's tokenizer does not match this run: " + "; ".join(problems)
                                + ". Rebuild the mix with the run's tokenizer, or train a model for this one.")


@dataclass
class Part:
    tokens: np.ndarray  # uint32 memmap
    offsets: np.ndarray  # uint64 memmap, n_docs + 1


class PackedSplit:
    """The parts of one split, memory-mapped, and their windows."""

    def __init__(self, folder: str, parts: list[dict] | None = None) -> None:
        if parts is None:
            names = sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".bin"))
            parts = [{"bin": f"{n}.bin", "idx": f"{n}.idx"} for n in names]
        self.parts = []
        for p in parts:
            tok = np.memmap(os.path.join(folder, p["bin"]), dtype="<u4", mode="r")
            off = np.memmap(os.path.join(folder, p["idx"]), dtype="<u8", mode="r")
            if int(off[-1]) != len(tok):
                raise ValueError(f"{folder}/{p['idx']}: last offset {int(off[-1])} != {len(tok)} tokens in {p['bin']}")
            self.parts.append(Part(tok, off))
        if not self.parts:
            raise FileNotFoundError(f"{folder} holds no packed part (part-*.bin)")

    def windows(self, seq_len: int) -> np.ndarray:
        """Number of windows per part."""
        return np.array([max(0, (len(p.tokens) - 1) // seq_len) for p in self.parts], dtype=np.int64)

    @property
    def tokens(self) -> int:
        return sum(len(p.tokens) for p in self.parts)


class Loader:
    """Batches of (inputs, targets, doc_ids), each (B, T), over a split; resumable by ``state``."""

    def __init__(self, split: PackedSplit, seq_len: int, batch_size: int, seed: int = 0, rank: int = 0,
                 world: int = 1, shuffle: bool = True, id_map: np.ndarray | None = None) -> None:
        self.split, self.seq_len, self.batch_size, self.id_map = split, seq_len, batch_size, id_map
        self.seed, self.rank, self.world, self.shuffle = seed, rank, world, shuffle
        counts = split.windows(seq_len)
        self.n_windows = int(counts.sum())
        if self.n_windows < batch_size * world:
            raise ValueError(f"the split holds {self.n_windows} windows of {seq_len + 1} tokens, fewer than one "
                             f"global batch ({batch_size} x {world} ranks): build a bigger mix or shorten seq_len")
        self._starts = np.concatenate([[0], np.cumsum(counts)])
        self.epoch, self.cursor = 0, 0
        self._order = None

    def state(self) -> dict:
        return {"epoch": self.epoch, "cursor": self.cursor}

    def load_state(self, state: dict) -> None:
        self.epoch, self.cursor, self._order = int(state["epoch"]), int(state["cursor"]), None

    def _perm(self) -> np.ndarray:
        if self._order is None or self._order[0] != self.epoch:
            perm = (np.random.default_rng([self.seed, self.epoch]).permutation(self.n_windows) if self.shuffle
                    else np.arange(self.n_windows))
            self._order = (self.epoch, perm)
        return self._order[1]

    def window(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """Tokens (T+1) and document ids (T+1) of global window ``g``."""
        p = int(np.searchsorted(self._starts, g, side="right")) - 1
        part = self.split.parts[p]
        start = (g - int(self._starts[p])) * self.seq_len
        pos = np.arange(start, start + self.seq_len + 1, dtype=np.uint64)
        docs = np.searchsorted(part.offsets, pos, side="right").astype(np.int64)
        return np.asarray(part.tokens[start:start + self.seq_len + 1], dtype=np.int64), docs - docs[0]

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        step = self.batch_size * self.world
        if self.cursor + step > self.n_windows:
            self.epoch, self.cursor = self.epoch + 1, 0
        order = self._perm()
        mine = order[self.cursor + self.rank * self.batch_size:self.cursor + (self.rank + 1) * self.batch_size]
        self.cursor += step
        toks, docs = zip(*(self.window(int(g)) for g in mine))
        toks, docs = np.stack(toks), np.stack(docs)
        if self.id_map is not None:
            toks = self.id_map[toks]
        toks, docs = torch.from_numpy(toks), torch.from_numpy(docs)
        return toks[:, :-1], toks[:, 1:], docs[:, :-1]
