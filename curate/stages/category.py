"""Knowledge-category tagging (fastText student of the MiniLM teacher), scores only.

Llama 3 (section 3.1.2) classifies "the types of information contained in our web data" to
downsample over-represented categories. This stage writes ``category`` (one id of the
taxonomy in ``classifiers/categories.py``, e.g. ``arts_and_entertainment``; null for empty
text) and ``category_score`` (the student's probability of it). ``model``: a name in the model
cache (default ``category``, made by ``curate classifiers build``) or a model path.
Downsampling is a separate cheap stage, ``category_filter``.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pyarrow as pa

from curate import schema
from curate.stage import Resources, Stage, set_column
from curate.stages.fasttext_scores import load_model

CATEGORY = "category"
CATEGORY_SCORE = "category_score"


@dataclasses.dataclass
class Category(Stage):
    """fastText category student -> ``category`` and ``category_score``; never rejects."""

    model: str = "category"
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=1024))

    name: ClassVar[str] = "category"
    columns: ClassVar[dict[str, pa.DataType]] = {CATEGORY: pa.string(), CATEGORY_SCORE: pa.float32()}

    def setup(self) -> None:
        self._model = load_model(self.name, self.model)

    def process(self, batch: pa.Table) -> pa.Table:
        if not hasattr(self, "_model"):
            self.setup()
        labels, scores = self._model.top(batch.column(schema.TEXT).to_pylist())
        batch = set_column(batch, CATEGORY, labels, pa.string())
        return set_column(batch, CATEGORY_SCORE, pa.array(scores, pa.float32()), pa.float32())
