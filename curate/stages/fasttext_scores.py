"""Model-based quality, code and math scores (fastText students), scores only.

Llama 3 (section 3.1.1, "Model-based quality filtering") scores every document with "fast
classifiers such as fasttext (Joulin et al., 2017) trained to recognize if a given text would
be referenced by Wikipedia", and ("Code and reasoning data") with classifiers that find
"web pages containing math deduction, reasoning in STEM areas and code interleaved with
natural language". Each stage here loads one fastText model (``classifiers/fasttext_model.py``)
and writes the probability of its positive label, one batch per ``predict`` call:

- ``fasttext_quality`` (``FastTextQuality``): P(reference quality); default model ``quality``;
- ``code_score`` (``CodeScore``): P(code); default model ``code``;
- ``math_score`` (``MathScore``): P(math and reasoning); default model ``math``.

``model`` is a name in the model cache (``curate classifiers build`` makes the defaults), a
path to a model folder or ``.bin``, or ``hf:OWNER/REPO/FILE`` online (``classifiers/models.py``).
DCLM's published classifier: ``--set fasttext_quality.model=hf:mlfoundations/fasttext-oh-eli5/
openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train.bin --set fasttext_quality.label=hq`` (or its
downloaded path). ``label`` is the positive label; empty: the one the model's ``meta.json`` names.
Empty text scores 0. The stages never reject: ``quality_filter`` applies thresholds, so a new
threshold never reruns a model.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pyarrow as pa

from curate import schema
from curate.stage import Resources, Stage, StageSetupError, set_column


def load_model(stage_name: str, model: str):
    """The fastText model named ``model``; StageSetupError (exit 3) naming the command when it is missing."""
    from classifiers.fasttext_model import FastTextModel
    from classifiers.models import ModelMissing, resolve

    try:
        return FastTextModel(resolve(model))
    except ModelMissing as e:
        raise StageSetupError(f"{stage_name}: {e}") from None
    except (ImportError, ValueError, OSError) as e:
        raise StageSetupError(f"{stage_name}: cannot load the fastText model {model!r}: {e}") from e


@dataclasses.dataclass
class FastTextScore(Stage):
    """The probability of ``label`` under the fastText model ``model`` -> column ``name``."""

    model: str = ""
    label: str = ""
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=1024))

    def setup(self) -> None:
        self._model = load_model(self.name, self.model)
        label = self.label or self._model.positive
        if label is None or label not in self._model.labels:
            raise StageSetupError(f"{self.name}: model {self.model!r} has labels {self._model.labels}; set "
                                  f"{self.name}.label to the positive one (given: {self.label!r})")
        self._label = label

    def process(self, batch: pa.Table) -> pa.Table:
        if not hasattr(self, "_model"):
            self.setup()
        scores = self._model.proba(batch.column(schema.TEXT).to_pylist(), self._label)
        return set_column(batch, self.name, pa.array(scores, pa.float32()), pa.float32())


@dataclasses.dataclass
class FastTextQuality(FastTextScore):
    """``fasttext_quality``: P(text that Wikipedia would reference), default model ``quality``."""

    model: str = "quality"
    name: ClassVar[str] = "fasttext_quality"
    columns: ClassVar[dict[str, pa.DataType]] = {"fasttext_quality": pa.float32()}


@dataclasses.dataclass
class CodeScore(FastTextScore):
    """``code_score``: P(code page), default model ``code``."""

    model: str = "code"
    name: ClassVar[str] = "code_score"
    columns: ClassVar[dict[str, pa.DataType]] = {"code_score": pa.float32()}


@dataclasses.dataclass
class MathScore(FastTextScore):
    """``math_score``: P(math and reasoning page), default model ``math``."""

    model: str = "math"
    name: ClassVar[str] = "math_score"
    columns: ClassVar[dict[str, pa.DataType]] = {"math_score": pa.float32()}
