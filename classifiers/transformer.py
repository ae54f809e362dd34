"""A transformer quality classifier (the RoBERTa family): fine-tuning on teacher labels, batched scoring.

Llama 3 (section 3.1.1, "Model-based quality filtering") trains "a Roberta-based model
classifier" (DistilRoberta, for speed) on quality labels that Llama 2 gave a cleaned web
sample, and scores every document with it. FineWeb-Edu does the same with a 1-label
regression head on Snowflake's arctic-embed, labelled by Llama-3-70B (0-5 educational
value). This module does both shapes with any checkpoint that transformers'
``AutoModelForSequenceClassification`` loads, from a local folder or a hub id:

- :func:`train` fine-tunes on a labelled file (JSONL or Parquet with ``text`` and ``label``,
  as the MiniLM teacher writes it). Labels that are all 0/1 (or booleans) train a 2-class
  head (cross-entropy); other numbers train a 1-label regression head (mean squared error).
  A base that is a plain encoder (all-MiniLM-L6-v2, a BERT or RoBERTa checkpoint without a
  head) gets a freshly initialised classification head, as DistilRoBERTa would. A held-out
  split is scored and ``eval.json`` (ROC AUC, precision and recall at 0.5) is written next to
  the saved model and tokenizer.
- :class:`Scorer` scores texts in batches: the texts of a call are tokenized once, sorted by
  token length so that each model batch pads to similar lengths, and the scores are put back
  in the input order. On CUDA the forward pass runs under bf16 autocast, on CPU in fp32, both
  under ``torch.inference_mode``. The score is the positive-class probability of a 2-class
  head (class 1, or ``positive``), or the raw value of a 1-label head.

Only torch, transformers, numpy and pyarrow are imported (pyarrow for Parquet input), so a
GPU machine needs nothing else; this module imports nothing from the runner.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import time
from collections.abc import Callable, Sequence

import numpy as np

#: Tokens per document given to the model; RoBERTa's and BERT's position limit.
DEFAULT_MAX_LENGTH = 512
#: Characters kept before tokenizing: a document longer than this cannot add tokens within
#: ``max_length`` (web text averages 4-5 characters per token), but would cost tokenizer time.
CHARS_PER_TOKEN_CAP = 8
#: Documents per forward pass when the caller gives none: small on CPU (cache-friendly, one
#: padded length per batch), large on a GPU.
DEFAULT_BATCH = {"cpu": 16, "cuda": 128}
EVAL_FILE = "eval.json"


class ModelMissing(FileNotFoundError):
    """No model at the given path (and it is not a hub id that could be loaded)."""


# --------------------------------------------------------------------------- data


def read_labelled(path: str) -> tuple[list[str], list[float]]:
    """``text`` and ``label`` of a JSONL (``.jsonl``, ``.json``, optionally ``.gz``) or Parquet file."""
    from classifiers.labelled import read_rows

    rows = read_rows(path, ["text", "label"], required=True)
    texts, labels = [], []
    for text, label in rows:
        if text is None or label is None:
            continue
        texts.append(str(text))
        labels.append(float(label))
    if not texts:
        raise ValueError(f"{path}: no rows with both 'text' and 'label'")
    return texts, labels


def is_binary(labels: Sequence[float]) -> bool:
    return set(labels) <= {0.0, 1.0}


def roc_auc(y_true: Sequence[float], scores: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney U with tied ranks averaged); NaN with one class only."""
    y = np.asarray(y_true, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def evaluate(labels: Sequence[float], scores: Sequence[float], threshold: float = 0.5) -> dict:
    """ROC AUC, precision and recall at ``threshold``; a float target is read as positive at >= 0.5."""
    y = np.asarray(labels, dtype=np.float64) >= 0.5
    pred = np.asarray(scores, dtype=np.float64) >= threshold
    tp = int((y & pred).sum())
    return {
        "n": int(len(y)), "positives": int(y.sum()), "auc": roc_auc(y, scores), "threshold": threshold,
        "precision": tp / int(pred.sum()) if pred.any() else float("nan"),
        "recall": tp / int(y.sum()) if y.any() else float("nan"),
    }


# --------------------------------------------------------------------------- model loading


def _is_local(model: str) -> bool:
    return os.path.isabs(model) or model.startswith((".", "~")) or os.path.exists(model) or model.count("/") > 1


def resolve(model: str) -> str:
    """A local folder (must hold ``config.json``) or a hub id (``org/name`` or ``name``) as given."""
    path = os.path.expanduser(model)
    if _is_local(model):
        if not os.path.isfile(os.path.join(path, "config.json")):
            raise ModelMissing(f"no transformer model at {path} (a folder with config.json, model weights "
                               "and tokenizer files is expected)")
        return path
    return model


def max_positions(config) -> int | None:
    """Tokens the checkpoint's position table allows (RoBERTa reserves ``pad_token_id + 1`` slots)."""
    n = getattr(config, "max_position_embeddings", None)
    if n is None:
        return None
    if "roberta" in getattr(config, "model_type", "") or getattr(config, "model_type", "") == "camembert":
        n -= (getattr(config, "pad_token_id", 1) or 0) + 1
    return int(n)


def _device(device: str | None) -> str:
    import torch

    if device in (None, "", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


# --------------------------------------------------------------------------- inference


class Scorer:
    """A sequence-classification model loaded once; ``score(texts) -> float32 array``.

    ``model``: a local folder or a hub id. ``device``: ``cuda``, ``cpu`` or ``auto`` (CUDA when
    available). ``batch_size``: documents per forward pass (default 16 on CPU, 128 on CUDA).
    ``max_length``: tokens per document (capped by the model's position table).
    ``sort_by_length``: batch documents of similar token length together (less padding).
    ``bf16``: bf16 autocast on CUDA (ignored on CPU, which runs fp32). ``positive``: the class
    whose probability a multi-class head reports.
    """

    def __init__(self, model: str, device: str | None = "auto", batch_size: int | None = None,
                 max_length: int = DEFAULT_MAX_LENGTH, sort_by_length: bool = True, bf16: bool = True,
                 positive: int = 1):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.path = resolve(model)
        self.device = _device(device)
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        # fp32 weights whatever the checkpoint stores (bf16 comes from autocast on CUDA)
        self.model = AutoModelForSequenceClassification.from_pretrained(self.path, dtype=torch.float32)
        self.model.to(self.device).eval()
        limit = max_positions(self.model.config)
        self.max_length = min(max_length, limit) if limit else max_length
        self.batch_size = batch_size or DEFAULT_BATCH.get(self.device.split(":")[0], 16)
        self.sort_by_length = sort_by_length
        self.bf16 = bf16 and self.device.startswith("cuda")
        self.num_labels = int(self.model.config.num_labels)
        if self.num_labels > 1 and not 0 <= positive < self.num_labels:
            raise ValueError(f"positive class {positive} is not one of the model's {self.num_labels} labels")
        self.positive = positive
        self._torch = torch

    def tokenize(self, texts: Sequence[str | None]) -> list[list[int]]:
        """Token ids of each text (with special tokens), truncated to ``max_length``."""
        cap = self.max_length * CHARS_PER_TOKEN_CAP
        clean = [(t or "")[:cap] for t in texts]
        return self.tokenizer(clean, truncation=True, max_length=self.max_length)["input_ids"]

    def score(self, texts: Sequence[str | None]) -> np.ndarray:
        """One float32 per text, in the input order (see the class docstring)."""
        if len(texts) == 0:
            return np.zeros(0, dtype=np.float32)
        ids = self.tokenize(texts)
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        order = np.argsort(lengths, kind="stable") if self.sort_by_length else np.arange(len(ids))
        out = np.empty(len(ids), dtype=np.float32)
        torch = self._torch
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                out[idx] = self._forward([ids[i] for i in idx])
        return out

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        torch = self._torch
        enc = self.tokenizer.pad({"input_ids": ids}, return_tensors="pt")
        enc = {k: v.to(self.device, non_blocking=True) for k, v in enc.items()}
        if self.bf16:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = self.model(**enc).logits
        else:
            logits = self.model(**enc).logits
        logits = logits.float()
        if self.num_labels == 1:
            values = logits[:, 0]
        else:
            values = torch.softmax(logits, dim=-1)[:, self.positive]
        return values.cpu().numpy()


# --------------------------------------------------------------------------- training


@dataclasses.dataclass
class TrainConfig:
    """Fine-tuning settings. Defaults: AdamW at 5e-5 with a linear decay after 6% warm-up (RoBERTa's
    GLUE recipe, Liu et al. 2019, appendix C), weight decay 0.01, 3 epochs, 512 tokens, and a
    batch of 8 that a CPU handles; ``eval_fraction`` of the rows (at most ``eval_max``) is held out."""

    epochs: float = 3.0
    max_length: int = DEFAULT_MAX_LENGTH
    batch_size: int = 8
    lr: float = 5e-5
    weight_decay: float = 0.01
    warmup: float = 0.06
    eval_fraction: float = 0.1
    eval_max: int = 5000
    seed: int = 0
    task: str = "auto"  # auto | binary | regression
    device: str = "auto"


def train(base: str, input: str, output: str, config: TrainConfig | None = None,
          log: Callable[[str], None] = print) -> dict:
    """Fine-tune ``base`` on the labelled file ``input``; save model, tokenizer and ``eval.json`` in ``output``.

    Returns the content of ``eval.json`` (held-out metrics plus the training settings).
    """
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    cfg = config or TrainConfig()
    texts, labels = read_labelled(input)
    task = cfg.task if cfg.task != "auto" else ("binary" if is_binary(labels) else "regression")
    if task == "binary" and not is_binary(labels):
        raise ValueError(f"{input}: task 'binary' needs labels 0 or 1; found {sorted(set(labels))[:5]}...")
    if task not in ("binary", "regression"):
        raise ValueError(f"task must be auto, binary or regression, not {cfg.task!r}")

    rng = random.Random(cfg.seed)
    order = list(range(len(texts)))
    rng.shuffle(order)
    n_eval = min(cfg.eval_max, int(round(len(texts) * cfg.eval_fraction))) if len(texts) >= 10 else 0
    eval_idx, train_idx = order[:n_eval], order[n_eval:]

    torch.manual_seed(cfg.seed)
    device = _device(cfg.device)
    src = resolve(base)
    try:
        tokenizer = AutoTokenizer.from_pretrained(src)
    except OSError as e:  # a hub id that does not exist or cannot be fetched offline
        raise ModelMissing(f"cannot load the base model {base!r}: {e}") from e
    head = {"num_labels": 2, "problem_type": "single_label_classification",
            "id2label": {0: "low", 1: "high"}, "label2id": {"low": 0, "high": 1}} if task == "binary" else {
        "num_labels": 1, "problem_type": "regression", "id2label": {0: "score"}, "label2id": {"score": 0}}
    model = AutoModelForSequenceClassification.from_pretrained(src, ignore_mismatched_sizes=True,
                                                               dtype=torch.float32, **head)
    model.to(device).train()
    limit = max_positions(model.config)
    max_length = min(cfg.max_length, limit) if limit else cfg.max_length

    cap = max_length * CHARS_PER_TOKEN_CAP
    enc = tokenizer([texts[i][:cap] for i in train_idx], truncation=True, max_length=max_length)["input_ids"]
    y_train = [labels[i] for i in train_idx]
    steps_per_epoch = max(1, math.ceil(len(train_idx) / cfg.batch_size))
    total = max(1, int(round(cfg.epochs * steps_per_epoch)))
    warm = int(cfg.warmup * total)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "norm" in name.lower() else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))

    log(f"train: {len(train_idx):,} rows, held out {n_eval:,}; task {task}; {total} steps of {cfg.batch_size} "
        f"at {max_length} tokens on {device}")
    t0 = time.perf_counter()
    step, losses = 0, []
    while step < total:
        perm = list(range(len(train_idx)))
        rng.shuffle(perm)
        for start in range(0, len(perm), cfg.batch_size):
            if step >= total:
                break
            idx = perm[start:start + cfg.batch_size]
            batch = tokenizer.pad({"input_ids": [enc[i] for i in idx]}, return_tensors="pt")
            batch = {k: v.to(device) for k, v in batch.items()}
            target = torch.tensor([y_train[i] for i in idx], device=device)
            batch["labels"] = target.long() if task == "binary" else target.float()
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            step += 1
            if step % 50 == 0 or step == total:
                log(f"  step {step}/{total}  loss {np.mean(losses[-50:]):.4f}  {time.perf_counter() - t0:.0f} s")
    train_s = time.perf_counter() - t0

    model.eval()
    os.makedirs(output, exist_ok=True)
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    result: dict = {"base": str(base), "input": os.path.abspath(input), "task": task, "rows": len(texts),
                    "train_rows": len(train_idx), "steps": total, "train_seconds": round(train_s, 1),
                    "final_loss": float(np.mean(losses[-50:])) if losses else None,
                    "settings": dataclasses.asdict(cfg) | {"max_length": max_length}}
    if n_eval:
        scorer = Scorer(output, device=device, max_length=max_length)
        scores = scorer.score([texts[i] for i in eval_idx])
        result["eval"] = evaluate([labels[i] for i in eval_idx], scores)
        log(f"held out: AUC {result['eval']['auc']:.4f}  precision {result['eval']['precision']:.3f}  "
            f"recall {result['eval']['recall']:.3f} at 0.5 ({n_eval:,} rows)")
    with open(os.path.join(output, EVAL_FILE), "w") as f:
        json.dump(result, f, indent=1)
    return result
