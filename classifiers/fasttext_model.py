"""fastText text classifiers: train from labelled text with a held-out evaluation, predict in batch.

Llama 3 (section 3.1.1, "Model-based quality filtering") uses "fast classifiers such as
fasttext (Joulin et al., 2017) trained to recognize if a given text would be referenced by
Wikipedia", and the same kind of classifier finds code and math pages and tags knowledge
categories. One module trains and serves all of them:

- ``train(texts, labels, out_dir, positive=...)`` fits ``fasttext.train_supervised`` on a
  training split and evaluates on a held-out split, chosen by ``groups`` (a source-document
  key per row, so that chunks of one document never sit on both sides) or by row. It writes
  ``model.bin``, ``meta.json`` (labels, the positive label, the threshold, the text
  preparation, the hyper-parameters) and ``eval.json`` (binary: AUC, precision and recall at
  the threshold, counts; several labels: accuracy, per-label precision and recall) into
  ``out_dir``, atomically (a temporary folder renamed).
- ``FastTextModel(path)`` loads a model folder (or a bare ``.bin``, e.g. DCLM's published
  classifier) and gives ``proba(texts, label)`` (the probability of one label for every text)
  and ``top(texts)`` (the best label and its probability), both through fastText's
  multi-line ``predict`` in C++, one call per batch.

Text preparation (``prepare``): fastText reads one line per document and splits on
whitespace, so every whitespace run (newlines included) becomes one space; for the models
trained here the text is also lower-cased and punctuation is split from words, so that
``butter.`` and ``butter`` are one word (``meta.json`` says ``normalize``; a bare published
``.bin`` gets the text as is); it is cut to ``max_chars`` characters (default 4,000: the score of a
bag of n-grams settles long before, and cost grows with length).

Defaults: word bigrams, 64 dimensions, 25 epochs (more on small sets: ``min_examples``),
learning rate 0.5 (at fastText's 0.1 the 26-category student stayed near uniform), 200k hash buckets
(a ~50 MB model; fastText's default 2M buckets x 100 dimensions is 800 MB), softmax loss.
DCLM's OH-2.5+ELI5 classifier uses bigrams and fastText's defaults otherwise.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence

import numpy as np

PREFIX = "__label__"
MODEL_FILE = "model.bin"
META_FILE = "meta.json"
EVAL_FILE = "eval.json"
DEFAULT_MAX_CHARS = 4000


@dataclasses.dataclass
class TrainParams:
    """fastText ``train_supervised`` settings (see the module docstring for the defaults' sources)."""

    epoch: int = 25
    lr: float = 0.5
    dim: int = 64
    word_ngrams: int = 2
    min_count: int = 2
    bucket: int = 200_000
    minn: int = 0
    maxn: int = 0
    threads: int = 1  # one thread: the same model on every run (fastText's threads race on purpose)
    seed: int = 0
    #: Epochs are raised until epochs x training documents reach this: fastText's learning rate
    #: decays over the whole run, and on a few hundred documents 25 epochs left the 26-category
    #: student uniform (every probability about 1/26).
    min_examples: int = 50_000


_PUNCT = re.compile(r"([.,!?;:()\[\]{}\"'])")


def prepare(text: str | None, max_chars: int = DEFAULT_MAX_CHARS, normalize: bool = True) -> str:
    """One line for fastText: at most ``max_chars``, whitespace runs to one space; ``normalize``:
    lower-cased, with punctuation split from words (``butter.`` -> ``butter .``)."""
    if not text:
        return ""
    if max_chars and len(text) > max_chars:
        text = text[:max_chars]
    if normalize:
        text = _PUNCT.sub(r" \1 ", text.lower())
    return " ".join(text.split())


def read_labelled(path: str, text_column: str = "text", label_column: str = "label",
                  group_column: str | None = None) -> tuple[list[str], list[str], list[str] | None]:
    """``(texts, labels, groups)`` from a JSONL (optionally .gz) or Parquet file of labelled text.

    Labels are read as strings (``1``, ``true``, ``hq`` ...); rows whose text or label is missing
    are skipped. ``groups`` is None unless ``group_column`` is given.
    """
    from classifiers.labelled import read_rows

    rows = read_rows(path, [text_column, label_column] + ([group_column] if group_column else []))
    texts, labels, groups = [], [], []
    for row in rows:
        if row[0] is None or row[1] is None:
            continue
        texts.append(str(row[0]))
        labels.append(_label_str(row[1]))
        if group_column:
            groups.append(str(row[2]))
    if not texts:
        raise ValueError(f"{path}: no rows with both {text_column!r} and {label_column!r}")
    return texts, labels, (groups if group_column else None)


def _label_str(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "_".join(str(value).split())  # fastText labels cannot hold spaces


def split_holdout(n: int, holdout: float, groups: Sequence[str] | None = None, seed: int = 0) -> np.ndarray:
    """A boolean mask of held-out rows: a ``holdout`` share of the groups (or rows), deterministic."""
    keys = list(groups) if groups is not None else [str(i) for i in range(n)]
    distinct = sorted(set(keys))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(distinct))
    n_test = max(1, int(round(holdout * len(distinct)))) if holdout > 0 and len(distinct) > 1 else 0
    test_groups = {distinct[i] for i in order[:n_test]}
    return np.array([k in test_groups for k in keys], dtype=bool)


def auc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """Area under the ROC curve (Mann-Whitney U, ties counted half); None without both classes."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_s, return_index=True, return_counts=True)
    avg = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def binary_eval(scores: Sequence[float], positive: Sequence[bool], threshold: float) -> dict:
    """AUC, and precision, recall, accuracy at ``threshold`` (score >= threshold is positive), with counts."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    pred = s >= threshold
    tp, fp = int((pred & y).sum()), int((pred & ~y).sum())
    fn, tn = int((~pred & y).sum()), int((~pred & ~y).sum())
    return {
        "auc": auc(s, y), "threshold": threshold,
        "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + fn) if tp + fn else None,
        "accuracy": (tp + tn) / len(s) if len(s) else None,
        "positives": int(y.sum()), "negatives": int((~y).sum()), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
    }


def multiclass_eval(predicted: Sequence[str], truth: Sequence[str]) -> dict:
    """Accuracy, and per-label support, precision and recall."""
    p, t = np.asarray(predicted, dtype=object), np.asarray(truth, dtype=object)
    per = {}
    for label in sorted(set(truth) | set(predicted)):
        tp = int(((p == label) & (t == label)).sum())
        n_pred, n_true = int((p == label).sum()), int((t == label).sum())
        per[label] = {"support": n_true, "precision": tp / n_pred if n_pred else None,
                      "recall": tp / n_true if n_true else None}
    return {"accuracy": float((p == t).mean()) if len(t) else None, "n": len(t), "labels": per}


def train(texts: Sequence[str], labels: Sequence[str], out_dir: str, positive: str | None = None,
          threshold: float = 0.5, holdout: float = 0.1, groups: Sequence[str] | None = None,
          params: TrainParams | None = None, max_chars: int = DEFAULT_MAX_CHARS, normalize: bool = True,
          about: dict | None = None) -> dict:
    """Train a fastText classifier into ``out_dir`` and evaluate it on a held-out split; returns eval.json.

    ``positive``: the label whose probability is the score (binary classifiers: quality, code,
    math); None for a classifier of several labels (categories). ``holdout``: share of the
    groups (``groups``: one key per row, e.g. the source document) or rows held out; 0 trains
    on everything and evaluates nothing. The final model is trained on the training split only,
    so the numbers in eval.json describe the model that is written.
    """
    params = params or TrainParams()
    labels = [_label_str(x) for x in labels]
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts for {len(labels)} labels")
    distinct = sorted(set(labels))
    if len(distinct) < 2:
        raise ValueError(f"training needs at least two labels, got {distinct}")
    if positive is not None and _label_str(positive) not in distinct:
        raise ValueError(f"positive label {positive!r} is not among the labels {distinct}")
    positive = _label_str(positive) if positive is not None else None
    lines = [prepare(t, max_chars, normalize) for t in texts]
    test = split_holdout(len(lines), holdout, groups, params.seed)
    t0 = time.time()
    parent = os.path.dirname(os.path.abspath(out_dir)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-", dir=parent)
    try:
        train_file = os.path.join(tmp, "train.txt")
        with open(train_file, "w", encoding="utf-8", errors="replace") as f:
            for line, label, held in zip(lines, labels, test):
                if not held and line:
                    f.write(f"{PREFIX}{label} {line}\n")
        n_train = int((~test).sum())
        if n_train and params.epoch * n_train < params.min_examples:
            params = dataclasses.replace(params, epoch=-(-params.min_examples // n_train))
        model, params = _fit(train_file, params)
        os.unlink(train_file)
        model.save_model(os.path.join(tmp, MODEL_FILE))
        meta = {"labels": distinct, "positive": positive, "threshold": threshold, "max_chars": max_chars,
                "normalize": normalize, "params": dataclasses.asdict(params), **(about or {})}
        _write_json(os.path.join(tmp, META_FILE), meta)
        loaded = FastTextModel(tmp)
        ev = {"train_rows": int((~test).sum()), "holdout_rows": int(test.sum()),
              "holdout_by": "group" if groups is not None else "row", "train_seconds": round(time.time() - t0, 2),
              "label_counts": {x: labels.count(x) for x in distinct}}
        held_texts = [t for t, h in zip(texts, test) if h]
        held_labels = [x for x, h in zip(labels, test) if h]
        if held_texts:
            if positive is not None:
                ev |= binary_eval(loaded.proba(held_texts, positive), [x == positive for x in held_labels], threshold)
            else:
                ev |= multiclass_eval(loaded.top(held_texts)[0], held_labels)
        _write_json(os.path.join(tmp, EVAL_FILE), ev)
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)
    return ev


#: Attempts of ``_fit`` after the first: (seed offset, learning-rate divisor), each in a fresh process.
_RETRIES = ((1, 1.0), (2, 1.0), (3, 2.0))

_TRAIN_SCRIPT = """
import json, sys, fasttext
a = json.loads(sys.argv[1])
out = a.pop("output")
try:
    fasttext.train_supervised(**a).save_model(out)
except RuntimeError as e:
    sys.exit(3 if "NaN" in str(e) else 1)
"""


def _ft_args(train_file: str, p: TrainParams) -> dict:
    return dict(input=train_file, epoch=p.epoch, lr=p.lr, dim=p.dim, wordNgrams=p.word_ngrams, minCount=p.min_count,
                bucket=p.bucket, minn=p.minn, maxn=p.maxn, thread=p.threads, seed=p.seed, loss="softmax", verbose=0)


def _fit(train_file: str, params: TrainParams):
    """``train_supervised`` with ``params``, retried when training stops with "Encountered NaN".

    fastText's maintainers name too high a learning rate as the cause. With the fastText wheel
    here it also happens at low rates on small training files, and not on the same file with the
    same settings in another process (measured: the same call failed three times in one process
    and passed in the next). So a diverged run is retried in a fresh Python process, with the next
    seed, then at half the rate. The parameters that trained the model are returned (meta.json).
    """
    import subprocess
    import sys

    import fasttext

    try:
        return fasttext.train_supervised(**_ft_args(train_file, params)), params
    except RuntimeError as e:
        if "NaN" not in str(e):
            raise
    out = train_file + ".bin"
    for seed_offset, divisor in _RETRIES:
        attempt = dataclasses.replace(params, seed=params.seed + seed_offset, lr=params.lr / divisor)
        args = json.dumps(_ft_args(train_file, attempt) | {"output": out})
        done = subprocess.run([sys.executable, "-c", _TRAIN_SCRIPT, args], capture_output=True, text=True)
        if done.returncode == 0:
            model = fasttext.load_model(out)
            os.unlink(out)
            return model, attempt
        if done.returncode != 3:
            raise RuntimeError(f"fastText training failed: {done.stderr.strip()[-500:]}")
    raise ValueError(f"fastText training diverged (NaN) {1 + len(_RETRIES)} times from {params}: lower the "
                     "learning rate or change the dimension")


def _write_json(path: str, payload: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1, ensure_ascii=False)


class FastTextModel:
    """A fastText classifier loaded once: a folder written by ``train`` or a bare ``.bin`` file.

    A bare file (a published model such as DCLM's) has no meta.json: its text is prepared
    without normalization and its positive label must be given to ``proba``.
    """

    def __init__(self, path: str):
        import fasttext

        folder = path if os.path.isdir(path) else None
        self.path = os.path.join(path, MODEL_FILE) if folder else path
        self.meta: dict = {}
        if folder and os.path.exists(os.path.join(folder, META_FILE)):
            with open(os.path.join(folder, META_FILE), encoding="utf-8") as f:
                self.meta = json.load(f)
        fasttext.FastText.eprint = lambda *a, **k: None  # the load warning of old .bin files
        self._model = fasttext.load_model(self.path)
        self.labels = [x[len(PREFIX):] if x.startswith(PREFIX) else x for x in self._model.get_labels()]
        self.max_chars = int(self.meta.get("max_chars", DEFAULT_MAX_CHARS))
        self.normalize = bool(self.meta.get("normalize", False))
        self.positive: str | None = self.meta.get("positive")
        self.threshold: float = float(self.meta.get("threshold", 0.5))

    def _predict(self, texts: Iterable[str | None]) -> tuple[list, list, list[bool]]:
        lines = [prepare(t, self.max_chars, self.normalize) for t in texts]
        empty = [not line for line in lines]
        try:
            labels, probs = self._model.predict(lines, k=-1)
        except (UnicodeError, TypeError):  # lone surrogates are no UTF-8 (pybind11 raises TypeError)
            lines = [line.encode("utf-8", "replace").decode("utf-8") for line in lines]
            labels, probs = self._model.predict(lines, k=-1)
        return labels, probs, empty

    def proba(self, texts: Sequence[str | None], label: str | None = None) -> np.ndarray:
        """Probability of ``label`` (default: the model's positive label) for every text; 0 for empty text."""
        label = label or self.positive
        if label is None:
            raise ValueError(f"{self.path}: the model names no positive label; give one (labels: {self.labels})")
        if label not in self.labels:
            raise ValueError(f"{self.path}: no label {label!r}; labels: {self.labels}")
        if not len(texts):
            return np.zeros(0, dtype=np.float32)
        want = PREFIX + label
        labels, probs, empty = self._predict(texts)
        out = np.fromiter((p[list(lab).index(want)] if want in lab else 0.0 for lab, p in zip(labels, probs)),
                          dtype=np.float64, count=len(labels))
        out[np.asarray(empty)] = 0.0
        return np.clip(out, 0.0, 1.0).astype(np.float32)  # fastText's softmax can exceed 1 by ~1e-5

    def top(self, texts: Sequence[str | None]) -> tuple[list[str | None], np.ndarray]:
        """The most likely label of every text and its probability; (None, 0) for empty text."""
        if not len(texts):
            return [], np.zeros(0, dtype=np.float32)
        labels, probs, empty = self._predict(texts)
        best = [None if e or not len(lab) else lab[0][len(PREFIX):] for lab, e in zip(labels, empty)]
        score = np.array([0.0 if e or not len(p) else p[0] for p, e in zip(probs, empty)], dtype=np.float64)
        return best, np.clip(score, 0.0, 1.0).astype(np.float32)
