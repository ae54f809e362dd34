"""``curate mix build``: apply a plan to the curated shards and write packed, tokenized splits.

Reads ``mix/plan.json`` (``curate mix plan``), checks that the input shards are those the plan
counted (same sizes and sha256), then streams them once per repetition pass: pass ``e`` writes
every document with more than ``e`` copies, so repeats of a document lie a whole epoch apart
and nothing but one batch is ever in memory. Splits under ``OUTPUT_ROOT/mix/``:

- ``train/``: the mix, in shard and row order (the pretraining loader shuffles sequences);
- ``val/``: the held-out documents the mix would have chosen, one copy each (evaluation loss);
- ``anneal/``: with ``--anneal-tokens`` at plan time, the best math and code, one copy each.

Then ``manifest.json`` (``data_mix.manifest``). Every draw comes from the plan's seed and the
document ids, and nothing depends on time or paths, so the same inputs and seed give the
same bytes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from curate.io import fs as cfs
from data_mix.columns import BANDS, BUCKETS
from data_mix.manifest import FORMAT, tokenizer_identity, write_manifest
from data_mix.pack import SHARD_TOKENS, PackWriter
from data_mix.plan import (
    MIX_DIR,
    MixConfig,
    anneal_copies,
    copies,
    file_info,
    input_files,
    is_val,
    iter_docs,
    read_plan,
)

SPLITS = ("train", "val", "anneal")


class _Tally:
    """Tokens (no EOS) and documents written per bucket, category and band."""

    def __init__(self) -> None:
        self.strata: dict[tuple[str, str, str], list[int]] = {}

    def add(self, docs, rows: np.ndarray, lengths: list[int]) -> None:
        for i, n in zip(rows, lengths):
            s = self.strata.setdefault((BUCKETS[docs.bucket[i]], docs.category[i], BANDS[docs.band[i]]), [0, 0])
            s[0] += 1
            s[1] += n

    def summary(self, parts: list[dict]) -> dict[str, Any]:
        by_bucket = {b: 0 for b in BUCKETS}
        for (b, _, _), (_, t) in self.strata.items():
            by_bucket[b] += t
        return {"parts": parts, "tokens": sum(p["tokens"] for p in parts), "docs": sum(p["docs"] for p in parts),
                "doc_tokens_by_bucket": by_bucket,
                "strata": [{"bucket": b, "category": c, "band": q, "docs": n, "tokens": t}
                           for (b, c, q), (n, t) in sorted(self.strata.items())]}


def build(out_root: str, shard_tokens: int = SHARD_TOKENS, log=None) -> dict[str, Any]:
    """Write ``OUTPUT_ROOT/mix/{train,val,anneal}`` and ``manifest.json``; returns the manifest."""
    from curate.tokenizer import encode_batch

    plan = read_plan(out_root)
    cfg = MixConfig(**plan["config"])
    phase, paths = input_files(out_root, cfg.phase)
    inputs = [file_info(p, out_root) for p in paths]
    if inputs != plan["inputs"]:
        raise ValueError(f"the shards of phase {phase!r} under {out_root} changed since the plan was made "
                         f"({len(inputs)} now, {len(plan['inputs'])} planned, or their sizes or hashes differ): "
                         "run `curate mix plan` again")
    tok = tokenizer_identity()
    mix_root = cfs.join(out_root, MIX_DIR)
    fs, _ = cfs.get_fs(mix_root)
    for split in SPLITS:
        _, p = cfs.get_fs(cfs.join(mix_root, split))
        if fs.exists(p):
            fs.rm(p, recursive=True)
    rates = {b: v["rates"] for b, v in plan["buckets"].items()}
    writers = {s: PackWriter(cfs.join(mix_root, s), tok["eos_id"], shard_tokens) for s in SPLITS}
    tallies = {s: _Tally() for s in SPLITS}
    epoch, passes = 0, 1
    while epoch < passes:
        for batch, docs in iter_docs(paths, cfg.seed, with_text=True):
            n_copies = copies(docs, rates, cfg.selection, cfg.category_weights)
            held = is_val(docs, cfg.val_fraction)
            passes = max(passes, int(n_copies.max(initial=0)))
            rows = {"train": np.flatnonzero(~held & (n_copies > epoch))}
            if epoch == 0:
                rows["val"] = np.flatnonzero(held & (n_copies > 0))
                if "anneal" in plan:
                    rows["anneal"] = np.flatnonzero(~held & (anneal_copies(docs, plan["anneal"]) > 0))
            need = np.unique(np.concatenate(list(rows.values())))
            if not len(need):
                continue
            texts = batch.column("text").take(need).to_pylist()
            ids = dict(zip(need.tolist(), encode_batch(texts)))
            for split, r in rows.items():
                toks = [ids[i] for i in r.tolist()]
                writers[split].add(toks)
                tallies[split].add(docs, r, [len(t) for t in toks])
        if log:
            log(f"pass {epoch + 1}/{passes} written")
        epoch += 1
    splits = {s: tallies[s].summary(writers[s].close()) for s in SPLITS}
    if "anneal" not in plan:
        del splits["anneal"]
    manifest = {"format": FORMAT, "tokenizer": tok, "seed": cfg.seed, "config": dataclasses.asdict(cfg),
                "phase": phase, "inputs": inputs, "plan": {k: plan[k] for k in ("buckets", "planned_tokens",
                                                                                 "shortfall_tokens", "anneal")
                                                           if k in plan},
                "splits": splits}
    write_manifest(mix_root, manifest)
    return manifest


def format_manifest(m: dict[str, Any]) -> str:
    lines = [f"mix built: tokenizer {m['tokenizer']['name']} (sha256 {m['tokenizer']['sha256'][:12]}…, "
             f"vocab {m['tokenizer']['vocab_size']:,}), seed {m['seed']}"]
    for s, v in m["splits"].items():
        doc_tokens = sum(v["doc_tokens_by_bucket"].values()) or 1
        shares = ", ".join(f"{b} {t / doc_tokens:.1%}" for b, t in v["doc_tokens_by_bucket"].items())
        lines.append(f"  {s:<7}{v['tokens']:>14,} tokens {v['docs']:>10,} docs {len(v['parts']):>4} part(s)   {shares}")
    return "\n".join(lines)
