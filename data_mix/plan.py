"""The mix planner: tokens per bucket, category and quality band, and the sampling rates that
meet a token budget in target proportions.

Llama 3 (section 3.1.2, "Determining the data mix"): the final mix holds "roughly 50% of
tokens corresponding to general knowledge, 25% of mathematical and reasoning tokens, 17% code
tokens, and 8% multilingual tokens", and "we downsample over-represented data categories"
found by the knowledge classifier. The mix is in tokens (torchtitan's point: mixing before
packing would weight documents, not tokens).

How a plan is made, streaming the curated shards once (never the corpus in memory):

1. Each document is described (``data_mix.columns``): bucket, category, quality band, tokens,
   and a 64-bit hash of (seed, id) from which every random draw is taken. A fraction
   ``val_fraction`` of documents, by hash, is held out for the evaluation split.
2. Per bucket, a token histogram over the selection order: quality-ordered (best score first;
   documents without a score fall in at random) or random (by hash). A category weight ``w``
   counts a document's tokens ``w`` times (0.5 halves arts and entertainment).
3. Per bucket, the target is ``budget x proportion``. With ``E`` eligible tokens per epoch it
   is met with ``floor(target / E)`` whole passes plus the first part of one more pass in
   selection order, found on the histogram. The repetition cap ``max_epochs`` bounds the
   passes; a bucket with no documents at all hands its share to the others in proportion; a
   bucket that cannot meet its target is a shortfall, and ``shortfall`` says what then happens:
   ``shrink`` (default) lowers every bucket in proportion, so the proportions hold and the
   budget is not met; ``fill`` gives the missing tokens to the buckets with room,
   so the budget is met and the proportions are not.
4. A document's copies are then ``w x (passes it is in)``, rounded by its hash; the builder
   applies that rule to each document of the same shards, so the same inputs and seed give
   the same mix.

``max_epochs`` defaults to 4: Muennighoff et al. 2023 ("Scaling Data-Constrained Language
Models") find up to about 4 epochs of repeated data nearly as good as unique data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from curate.io import fs as cfs
from curate.io import shards
from data_mix.columns import (
    BANDS,
    BUCKETS,
    SALT_ORDER,
    SALT_PARTIAL,
    SALT_VAL,
    SALT_WEIGHT,
    Docs,
    describe,
    read_columns,
)

#: Llama 3's final mix (section 3.1.2).
LLAMA3_TARGETS = {"general": 0.50, "math": 0.25, "code": 0.17, "multilingual": 0.08}
#: Resolution of the selection order within a bucket.
ORDER_BINS = 1 << 16
PLAN_FILE = "plan.json"
MIX_DIR = "mix"


@dataclass
class MixConfig:
    """Parameters of a mix plan (``curate mix plan`` options)."""

    budget_tokens: int
    targets: dict[str, float] = field(default_factory=lambda: dict(LLAMA3_TARGETS))
    max_epochs: float = 4.0  # repetition cap per document (Muennighoff et al. 2023)
    category_weights: dict[str, float] = field(default_factory=dict)  # e.g. {"arts_and_entertainment": 0.5}
    selection: str = "quality"  # quality: best first; random: by hash
    seed: int = 0
    shortfall: str = "shrink"  # shrink: keep proportions; fill: keep the budget
    val_fraction: float = 0.005  # documents held out for evaluation loss
    anneal_tokens: int = 0  # annealing mix: the best math and code, quality-ordered, one epoch
    phase: str | None = None  # phase to read (default: the run's last)

    def __post_init__(self) -> None:
        bad = sorted(set(self.targets) - set(BUCKETS))
        if bad:
            raise ValueError(f"unknown mix bucket(s) {bad} in targets; buckets are {list(BUCKETS)}")
        total = sum(self.targets.values())
        if total <= 0 or any(v < 0 for v in self.targets.values()):
            raise ValueError(f"targets must be non-negative with a positive sum, got {self.targets}")
        self.targets = {b: self.targets.get(b, 0.0) / total for b in BUCKETS}
        if self.selection not in ("quality", "random"):
            raise ValueError(f"selection must be 'quality' or 'random', got {self.selection!r}")
        if self.shortfall not in ("shrink", "fill"):
            raise ValueError(f"shortfall must be 'shrink' or 'fill', got {self.shortfall!r}")
        if self.budget_tokens <= 0 or self.max_epochs <= 0:
            raise ValueError("budget_tokens and max_epochs must be positive")
        if any(w < 0 for w in self.category_weights.values()):
            raise ValueError(f"category weights must be >= 0, got {self.category_weights}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError(f"val_fraction must be in [0, 1), got {self.val_fraction}")


# --------------------------------------------------------------------------- inputs


def input_files(out_root: str, phase: str | None = None) -> tuple[str, list[str]]:
    """The phase to mix (default: the run's last) and its committed kept shards, sorted."""
    from curate import stats

    phase = phase or (stats.phases_in(out_root) or [None])[-1]
    if phase is None:
        raise FileNotFoundError(f"{out_root} holds no committed phase: run `curate run ... -o {out_root}` first")
    names = sorted(shards.committed(out_root, phase))
    if not names:
        raise FileNotFoundError(f"{cfs.join(out_root, phase)} holds no committed shard")
    return phase, [shards.kept_path(out_root, phase, s) for s in names]


def file_info(path: str, out_root: str) -> dict[str, Any]:
    """Path relative to the output root, size and sha256 of one input shard."""
    fs, p = cfs.get_fs(path)
    h = hashlib.sha256()
    with fs.open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    rel = path[len(out_root):].lstrip("/") if path.startswith(out_root) else path
    return {"path": rel, "bytes": fs.size(p), "sha256": h.hexdigest()}


def iter_docs(paths: list[str], seed: int, with_text: bool = False, batch_rows: int = 4096):
    """(batch, Docs) for every batch of every shard, in shard then row order, streaming."""
    for path in paths:
        fs, p = cfs.get_fs(path)
        with fs.open(p, "rb") as f:
            pf = pq.ParquetFile(f)
            cols = read_columns(pf.schema_arrow.names, with_text)
            if "id" not in cols:
                raise ValueError(f"{path}: no 'id' column; the mix keys its random draws on document ids")
            for batch in pf.iter_batches(batch_size=batch_rows, columns=cols):
                yield batch, describe(batch, seed)


# --------------------------------------------------------------------------- selection


def order_key(docs: Docs, selection: str) -> np.ndarray:
    """Position in the selection order, in [0, 1): best (or first drawn) documents first."""
    u = docs.uniform(SALT_ORDER)
    if selection == "random":
        return u
    return np.where(np.isnan(docs.score), u, 1.0 - docs.score)


def order_bin(key: np.ndarray) -> np.ndarray:
    return np.minimum((key * ORDER_BINS).astype(np.int64), ORDER_BINS - 1)


def weights(docs: Docs, category_weights: dict[str, float]) -> np.ndarray:
    if not category_weights:
        return np.ones(len(docs.category))
    return np.array([category_weights.get(c, 1.0) for c in docs.category], dtype=np.float64)


def is_val(docs: Docs, val_fraction: float) -> np.ndarray:
    return docs.uniform(SALT_VAL) < val_fraction


def copies(docs: Docs, rates: dict[str, dict], selection: str, category_weights: dict[str, float]) -> np.ndarray:
    """Copies of each document in the mix (int), from the per-bucket ``rates`` of a plan."""
    key_bin = order_bin(order_key(docs, selection))
    u_partial = docs.uniform(SALT_PARTIAL)
    u_weight = docs.uniform(SALT_WEIGHT)
    passes = np.zeros(len(key_bin), dtype=np.float64)
    for i, b in enumerate(BUCKETS):
        r = rates.get(b)
        if not r:
            continue
        sel = docs.bucket == i
        part = (key_bin < r["cutoff_bin"]) | ((key_bin == r["cutoff_bin"]) & (u_partial < r["cutoff_frac"]))
        passes[sel] = r["full_passes"] + part[sel]
    x = weights(docs, category_weights) * passes
    whole = np.floor(x)
    return (whole + (u_weight < x - whole)).astype(np.int64)


def _rates(hist: np.ndarray, target: float) -> dict[str, Any]:
    """Whole passes plus a cutoff in selection order that together give ``target`` tokens."""
    per_epoch = float(hist.sum())
    if per_epoch <= 0 or target <= 0:
        return {"full_passes": 0, "cutoff_bin": 0, "cutoff_frac": 0.0}
    full = int(math.floor(target / per_epoch + 1e-12))
    rest = target - full * per_epoch
    cum = np.cumsum(hist)
    j = int(np.searchsorted(cum, rest, side="right"))
    if j >= ORDER_BINS:
        return {"full_passes": full + 1, "cutoff_bin": 0, "cutoff_frac": 0.0}
    before = float(cum[j - 1]) if j else 0.0
    frac = (rest - before) / float(hist[j]) if hist[j] > 0 else 0.0
    return {"full_passes": full, "cutoff_bin": j, "cutoff_frac": round(min(max(frac, 0.0), 1.0), 12)}


def allocate(targets: dict[str, float], capacity: dict[str, float], mode: str) -> dict[str, float]:
    """Tokens planned per bucket: the targets, cut to capacity by ``shrink`` or ``fill``.

    A bucket with no eligible tokens at all (no code in a run without the quality phase) hands
    its target to the others in proportion first, so it does not shrink the whole mix to zero.
    """
    total = sum(targets.values())
    live = {b: t for b, t in targets.items() if t > 0 and capacity[b] > 0}
    if not live:
        return {b: 0.0 for b in targets}
    targets = {b: live.get(b, 0.0) * total / sum(live.values()) for b in targets}
    if mode == "shrink":
        scale = min([1.0] + [capacity[b] / targets[b] for b in live])
        return {b: targets[b] * scale for b in targets}
    planned = {b: min(targets[b], capacity[b]) for b in targets}
    missing = total - sum(planned.values())
    while missing > 1e-6:
        room = {b: capacity[b] - planned[b] for b in live if capacity[b] - planned[b] > 1e-9}
        if not room:
            break
        share = sum(targets[b] for b in room)
        given = 0.0
        for b in room:
            add = min(room[b], missing * targets[b] / share)
            planned[b] += add
            given += add
        missing -= given
    return planned


# --------------------------------------------------------------------------- the plan


def make_plan(out_root: str, config: MixConfig, log=None) -> dict[str, Any]:
    """Stream the curated shards of ``out_root`` once and plan the mix (a JSON-able dict)."""
    phase, paths = input_files(out_root, config.phase)
    nb = len(BUCKETS)
    hist = np.zeros((nb, ORDER_BINS))
    anneal_hist = np.zeros((nb, ORDER_BINS))
    strata: dict[tuple[str, str, str], list[int]] = {}
    val = [0, 0]
    for batch, docs in iter_docs(paths, config.seed):
        held = is_val(docs, config.val_fraction)
        w = weights(docs, config.category_weights)
        bins = order_bin(order_key(docs, config.selection))
        qbins = order_bin(order_key(docs, "quality"))
        train = ~held
        np.add.at(hist, (docs.bucket[train], bins[train]), (docs.tokens * w)[train])
        np.add.at(anneal_hist, (docs.bucket[train], qbins[train]), docs.tokens[train].astype(np.float64))
        val[0] += int(held.sum())
        val[1] += int(docs.tokens[held].sum())
        for i in np.flatnonzero(train):
            k = (BUCKETS[docs.bucket[i]], docs.category[i], BANDS[docs.band[i]])
            s = strata.setdefault(k, [0, 0])
            s[0] += 1
            s[1] += int(docs.tokens[i])
        if log:
            log(f"read {batch.num_rows} documents")
    available = {b: 0 for b in BUCKETS}
    for (b, _, _), (_, t) in strata.items():
        available[b] += t
    eligible = {b: float(hist[i].sum()) for i, b in enumerate(BUCKETS)}
    targets = {b: config.budget_tokens * p for b, p in config.targets.items()}
    planned = allocate(targets, {b: eligible[b] * config.max_epochs for b in BUCKETS}, config.shortfall)
    buckets = {}
    for i, b in enumerate(BUCKETS):
        buckets[b] = {"target_share": config.targets[b], "target_tokens": round(targets[b]),
                      "available_tokens": available[b], "eligible_tokens": round(eligible[b]),
                      "planned_tokens": round(planned[b]),
                      "epochs": round(planned[b] / eligible[b], 4) if eligible[b] else 0.0,
                      "shortfall_tokens": max(0, round(targets[b] - planned[b])),
                      "rates": _rates(hist[i], planned[b])}
    plan: dict[str, Any] = {
        "config": dataclasses.asdict(config) | {"phase": phase},
        "inputs": [file_info(p, out_root) for p in paths],
        "buckets": buckets,
        "planned_tokens": round(sum(planned.values())),
        "shortfall_tokens": max(0, round(config.budget_tokens - sum(planned.values()))),
        "strata": [{"bucket": b, "category": c, "band": q, "docs": n, "tokens": t}
                   for (b, c, q), (n, t) in sorted(strata.items())],
        "val": {"docs": val[0], "tokens_before_mix": val[1]},
    }
    if config.anneal_tokens:
        plan["anneal"] = _anneal(anneal_hist, config)
    return plan


def _anneal(hist: np.ndarray, config: MixConfig) -> dict[str, Any]:
    """Annealing mix: the highest-quality math and code, one epoch, in the main mix's math:code ratio.

    Llama 3 (section 3.4.3) anneals "on a small set of the highest-quality code and math".
    """
    share = {b: config.targets[b] for b in ("math", "code")}
    total = sum(share.values()) or 1.0
    out = {}
    for b in ("math", "code"):
        i = BUCKETS.index(b)
        target = config.anneal_tokens * share[b] / total
        planned = min(target, float(hist[i].sum()))
        out[b] = {"target_tokens": round(target), "planned_tokens": round(planned),
                  "shortfall_tokens": max(0, round(target - planned)), "rates": _rates(hist[i], planned)}
    return out


def anneal_copies(docs: Docs, anneal: dict[str, dict]) -> np.ndarray:
    return np.minimum(copies(docs, {b: v["rates"] for b, v in anneal.items()}, "quality", {}), 1)


def plan_path(out_root: str) -> str:
    return cfs.join(out_root, MIX_DIR, PLAN_FILE)


def write_plan(out_root: str, plan: dict[str, Any]) -> str:
    path = plan_path(out_root)
    fs, p = cfs.get_fs(path)
    fs.makedirs(p.rsplit("/", 1)[0], exist_ok=True)
    cfs.write_text_atomic(path, json.dumps(plan, indent=1, sort_keys=True) + "\n")
    return path


def read_plan(out_root: str) -> dict[str, Any]:
    path = plan_path(out_root)
    if not cfs.exists(path):
        raise FileNotFoundError(f"{path} not found: run `curate mix plan {out_root} --budget-tokens N` first")
    return json.loads(cfs.read_text(path))


def format_plan(plan: dict[str, Any]) -> str:
    """The plan as a table: per bucket target, available, planned, epochs and shortfall."""
    c = plan["config"]
    lines = [f"mix plan: budget {c['budget_tokens']:,} tokens, selection {c['selection']}, seed {c['seed']}, "
             f"max {c['max_epochs']:g} epochs, phase {c['phase']}, {len(plan['inputs'])} shard(s)",
             f"{'bucket':<13}{'target':>8}{'target tok':>14}{'available':>14}{'planned':>14}{'share':>8}"
             f"{'epochs':>8}{'shortfall':>13}"]
    total = plan["planned_tokens"] or 1
    for b, v in plan["buckets"].items():
        lines.append(f"{b:<13}{v['target_share']:>8.1%}{v['target_tokens']:>14,}{v['available_tokens']:>14,}"
                     f"{v['planned_tokens']:>14,}{v['planned_tokens'] / total:>8.1%}{v['epochs']:>8.2f}"
                     f"{v['shortfall_tokens']:>13,}")
    lines.append(f"{'total':<13}{'':>8}{c['budget_tokens']:>14,}{'':>14}{plan['planned_tokens']:>14,}")
    if plan["shortfall_tokens"]:
        short = ", ".join(f"{b} {v['shortfall_tokens']:,}" for b, v in plan["buckets"].items() if v["shortfall_tokens"])
        lines.append(f"SHORTFALL: {short or 'none per bucket'}; the mix holds {plan['planned_tokens']:,} of "
                     f"{c['budget_tokens']:,} tokens (shortfall={c['shortfall']}, max_epochs={c['max_epochs']:g}). "
                     "Raise --max-epochs, lower --budget-tokens, or curate more data.")
    empty = [b for b, v in plan["buckets"].items() if v["target_tokens"] and not v["eligible_tokens"]]
    if empty:
        lines.append(f"no documents in bucket(s) {', '.join(empty)}: their target shares went to the other buckets "
                     "(no mix_bucket column means only general and multilingual; see data_mix.columns)")
    if "anneal" in plan:
        a = plan["anneal"]
        lines.append("anneal: " + ", ".join(f"{b} {v['planned_tokens']:,}/{v['target_tokens']:,}" for b, v in a.items()))
    lines.append(f"held out for evaluation: {plan['val']['docs']:,} documents ({c['val_fraction']:.2%})")
    cats = {}
    for s in plan["strata"]:
        cats[(s["bucket"], s["category"])] = cats.get((s["bucket"], s["category"]), 0) + s["tokens"]
    if any(cat != "none" for _, cat in cats):
        lines.append("tokens by bucket/category: " + ", ".join(f"{b}/{cat} {t:,}" for (b, cat), t in sorted(cats.items())))
    return "\n".join(lines)
