"""Model-based quality: a RoBERTa-family classifier's score, and a cheap threshold stage.

Llama 3 (section 3.1.1, "Model-based quality filtering") scores every document with "a
Roberta-based model classifier" (DistilRoberta) trained on Llama 2's quality labels. The
score stage ``roberta_quality`` (``RobertaQuality``) writes ``roberta_quality`` (float32): the
positive-class probability of a 2-class head, or the value of a 1-label regression head
(FineWeb-Edu style), from ``classifiers.transformer.Scorer`` (documents sorted by token
length within each batch; bf16 autocast on CUDA, fp32 on CPU). It never rejects.

The threshold stage ``roberta_quality_filter`` (``RobertaQualityFilter``) rejects documents
whose score is under ``threshold`` with the reason ``roberta_quality<T``; changing the
threshold reruns only this stage, never the model. Its default, ``None``, rejects nothing:
a threshold means something only for a given model (set it from the model's ``eval.json``
or a score histogram).

The model is any folder that ``AutoModelForSequenceClassification`` loads (``curate
classifiers train transformer`` writes one) or a hub id. The default is the folder
``roberta-quality`` in the model cache, ``$CURATE_MODELS_DIR`` (default
``~/.cache/curate/models``); on a Ray cluster every node needs it (a shared filesystem).

Resources: served by an actor pool (the model loads once per actor). On CPU the default is
one actor of one core (``concurrency = 1``), so the model does not take every core from the
other stages; raise ``cpus`` (torch threads) or ``concurrency``. With ``gpus = 1`` in
``[roberta_quality.resources]`` each actor holds a GPU and ``setup()`` picks CUDA.
"""

from __future__ import annotations

import dataclasses
import os
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate import schema
from curate.stage import Resources, Stage, StageSetupError, reject, set_column

ROBERTA_QUALITY = "roberta_quality"
#: Folder name of the default model inside the model cache.
DEFAULT_MODEL = "roberta-quality"
TRAIN_COMMAND = ("curate classifiers train transformer --base distilroberta-base "
                 "--input TEACHER_LABELS.jsonl -o {path}")


def default_model() -> str:
    """``roberta-quality`` in the model cache (``classifiers.models.cache_dir``: ``$CURATE_MODELS_DIR``)."""
    from classifiers.models import cache_dir

    return os.path.join(cache_dir(), DEFAULT_MODEL)


@dataclasses.dataclass
class RobertaQuality(Stage):
    """A sequence-classification transformer → ``roberta_quality``; never rejects.

    ``model``: a model folder or a hub id (default: ``roberta-quality`` in ``$CURATE_MODELS_DIR``).
    ``max_length``: tokens per document (512, RoBERTa's limit; longer documents are truncated).
    ``model_batch``: documents per forward pass (0: 16 on CPU, 128 on CUDA).
    ``device``: ``auto`` (CUDA when the worker sees a GPU), ``cuda`` or ``cpu``.
    ``sort_by_length``: pad each forward pass to documents of similar length.
    """

    model: str = ""
    max_length: int = 512
    model_batch: int = 0
    device: str = "auto"
    sort_by_length: bool = True
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=256, concurrency=1))

    name: ClassVar[str] = "roberta_quality"
    columns: ClassVar[dict[str, pa.DataType]] = {ROBERTA_QUALITY: pa.float32()}

    def model_path(self) -> str:
        return self.model or default_model()

    def setup(self) -> None:
        try:
            import torch

            from classifiers.transformer import ModelMissing, Scorer
        except ImportError as e:
            raise StageSetupError(f"roberta_quality: needs torch and transformers ({e}): "
                                  "pip install torch==2.13.0 transformers==5.23.0") from e
        path = self.model_path()
        device = self.device
        if device in ("", "auto"):
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cpu" and self.resources.cpus >= 1:
            torch.set_num_threads(int(self.resources.cpus))
        try:
            self._scorer = Scorer(path, device=device, batch_size=self.model_batch or None,
                                  max_length=self.max_length, sort_by_length=self.sort_by_length)
        except ModelMissing as e:
            raise StageSetupError(f"roberta_quality: {e}. Train one with `{TRAIN_COMMAND.format(path=path)}`, "
                                  f"or set roberta_quality.model to a model folder or hub id") from e
        except OSError as e:  # a hub id that cannot be fetched, a folder without weights
            raise StageSetupError(f"roberta_quality: cannot load the model {path!r}: {e}. Train one with "
                                  f"`{TRAIN_COMMAND.format(path=path)}`") from e

    def process(self, batch: pa.Table) -> pa.Table:
        if not hasattr(self, "_scorer"):
            self.setup()
        scores = self._scorer.score(batch.column(schema.TEXT).to_pylist())
        return set_column(batch, ROBERTA_QUALITY, pa.array(scores.astype(np.float32), pa.float32()), pa.float32())


@dataclasses.dataclass
class RobertaQualityFilter(Stage):
    """Rejects documents with ``roberta_quality`` under ``threshold`` (reason ``roberta_quality<T``).

    ``threshold``: None (the default) rejects nothing. Documents without a score are kept.
    """

    threshold: float | None = None
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=4096))

    name: ClassVar[str] = "roberta_quality_filter"

    def process(self, batch: pa.Table) -> pa.Table:
        if self.threshold is None:
            return batch
        if ROBERTA_QUALITY not in batch.column_names:
            raise ValueError("roberta_quality_filter: no roberta_quality column; run the roberta_quality stage first")
        low = pc.fill_null(pc.less(batch.column(ROBERTA_QUALITY), pa.scalar(self.threshold, pa.float32())), False)
        if not pc.any(low).as_py():
            return batch
        reason = f"roberta_quality<{self.threshold:g}"
        return reject(batch, [reason if x else None for x in low.to_pylist()])
