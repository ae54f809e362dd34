"""Build the recipe's default models: the quality, code, math and category fastText students.

``curate classifiers build`` (``make models``) runs ``build_defaults``:

1. Text: ``training_data.shared_docs`` when ``$CURATE_SHARED/data/corpora`` is there, else
   ``training_data.sample_docs`` (the project's own sample pages). Documents are split by a
   hash of their group into reference sets (a quarter) and a pool to label (the rest, capped
   per source at ``per_source``).
2. Teacher (``teacher=True``, the default): all-MiniLM-L6-v2 embeds the pool and the
   references once. Labels: ``quality`` = closer to reference-quality text (Wikipedia,
   GSM8K, MATH, MMLU, ground-truth articles) than to web text (boilerplate, spam, informal
   web text, raw CC); ``code`` = closer to code than to prose and math; ``math`` = closer to
   math solutions than to prose and code; ``category`` = the closest category of
   ``classifiers/categories.py``. ``teacher=False`` labels by source instead (fast; tests).
3. Students: one fastText model each (``fasttext_model.train``, 10% of the groups held out),
   written to the model cache with ``eval.json``. The code and math students also learn each
   positive embedded between two prose paragraphs (``interleaved``); code is the standard
   library's and the dev pages' own code blocks (``webcode``: JavaScript, PHP, shell, CSS, …
   with their page's prose around them). The held-out numbers measure agreement with the
   teacher; ``benchmarks/bench_classifiers.py`` measures the students against true sources.
4. The category student (``category_rows``) learns the teacher's category of the pool and of
   ``category_per_source`` extra ``CATEGORY_WORDS``-word pieces per topical prose source
   (``category_extra``: Wikipedia, ABC news, the dev articles, web text), each cut to the
   words the teacher read; never MMLU (the category evaluation set) or boilerplate; labels
   whose margin over the second category is under ``MIN_MARGIN`` dropped; at most
   ``per_label`` per category (``balance``); plus the taxonomy's descriptions and exemplars.

It takes about 6 minutes on two shared cores with the real data (the teacher's encoding of ~3,000
texts dominates; benchmarks/RESULTS.md)
and under a minute on the sample.
"""

from __future__ import annotations

import collections
import os
import sys
import time

from classifiers import fasttext_model, models
from classifiers.training_data import (
    CODE,
    MATH,
    OTHER_PROSE,
    REFERENCE,
    WEB,
    Doc,
    sample_docs,
    shared_docs,
    shared_present,
    stable_hash,
    take,
)

QUALITY_POS = REFERENCE + ("multilingual",)
QUALITY_NEG = WEB
PROSE = ("article", "wiki", "webtext", "mmlu", "multilingual", "cc") + OTHER_PROSE
#: Sources the category student never learns from: MMLU is the category evaluation set, and
#: boilerplate is navigation, not a topic.
CATEGORY_EXCLUDE = ("mmlu", "boilerplate")
#: Sources cut into extra ``CATEGORY_WORDS``-word pieces for the category teacher (topical prose).
CATEGORY_EXTRA = ("wiki", "abc", "article", "cc", "genesis", "webtext")
#: Words of a text the category teacher and student see: about the 128 tokens the teacher reads.
CATEGORY_WORDS = 100
#: Category pieces per ``CATEGORY_EXTRA`` source, the teacher's least margin for a category label
#: to be learnt, and the most texts per category (0: no cap; see ``category_rows``). Chosen on a
#: held-out fifth of the teacher's labels (by group; 325 texts, agreement with the teacher):
#: no cap 0.27, at most 150 a category 0.23, at most 40 0.21; a margin of 0.02 0.22, 0.05 0.19;
#: fastText's dim 100, lr 1.0 or 0.2, unigrams or character n-grams did not beat the defaults.
CATEGORY_PER_SOURCE = 200
MIN_MARGIN = 0.0
PER_LABEL = 0


def split_refs(docs: list[Doc], share: int = 4) -> tuple[list[Doc], list[Doc]]:
    """(references, pool): one group in ``share`` goes to the references."""
    refs = [d for d in docs if stable_hash("ref " + d.group) % share == 0]
    pool = [d for d in docs if stable_hash("ref " + d.group) % share != 0]
    return refs, pool


def cap(docs: list[Doc], per_source: int, salt: str = "") -> list[Doc]:
    by = collections.defaultdict(list)
    for d in docs:
        by[d.source].append(d)
    return [d for src in sorted(by) for d in take(by[src], per_source, salt + src)]


def source_labels(pool: list[Doc]) -> dict[str, list]:
    """Labels from the documents' sources (no teacher): None where a model has no label for the source."""
    return {
        "quality": [1 if d.source in QUALITY_POS else 0 if d.source in QUALITY_NEG else None for d in pool],
        "code": [int(d.source in CODE) for d in pool],
        "math": [int(d.source in MATH or d.source == "math") for d in pool],
    }


def head(text: str, words: int = CATEGORY_WORDS) -> str:
    return " ".join(text.split()[:words])


def category_extra(docs: list[Doc], per_source: int, words: int = CATEGORY_WORDS) -> list[Doc]:
    """More topical text for the category teacher: the ``CATEGORY_EXTRA`` documents of ``docs``
    cut into ``words``-word pieces (each piece a document the teacher reads whole), at most
    ``per_source`` pieces per source, chosen by hash."""
    pieces = []
    for d in docs:
        if d.source in CATEGORY_EXTRA:
            w = d.text.split()
            pieces += [Doc(" ".join(w[i:i + words]), d.source, d.group) for i in range(0, len(w), words)
                       if len(w[i:i + words]) >= words // 2]
    return cap(pieces, per_source, "category ")


def teacher_labels(pool: list[Doc], refs: list[Doc], encoder=None, k: int = 5, max_length: int = 128,
                   log=None, extra: list[Doc] = ()) -> dict[str, list]:
    """Labels of the MiniLM teacher for ``pool`` against reference sets drawn from ``refs``.

    ``max_length``: tokens of each text the teacher reads (128: the start of a page says what it
    is, and encoding cost grows with length).
    """
    from classifiers import teacher

    enc = encoder or teacher.Encoder(max_length=max_length)
    t0 = time.time()
    pool_emb = enc.encode([d.text for d in pool])
    ref_emb = enc.encode([d.text for d in refs])
    extra_emb = enc.encode([d.text for d in extra]) if extra else pool_emb[:0]
    if log:
        log(f"teacher: embedded {len(pool)} pool, {len(extra)} category and {len(refs)} reference texts "
            f"in {time.time() - t0:.0f} s")

    def rows(sources):
        idx = [i for i, d in enumerate(refs) if d.source in sources]
        if not idx:
            raise ValueError(f"no reference texts from {sources}; sources present: {sorted({d.source for d in refs})}")
        return ref_emb[idx]

    out = {}
    for name, pos, neg in (("quality", QUALITY_POS, QUALITY_NEG), ("code", CODE, PROSE + MATH),
                           ("math", MATH, PROSE + CODE)):
        scores = teacher.reference_scores(pool_emb, rows(pos), rows(neg), k)
        out[name] = [int(s > 0) for s in scores]
    import numpy as np

    from classifiers.categories import texts_for_teacher

    cats, cat_texts = texts_for_teacher()
    names, sim = teacher.category_scores(np.concatenate([pool_emb, extra_emb]), enc.encode(cat_texts), cats)
    top2 = np.sort(sim, axis=1)[:, -2:]
    out["category"] = [names[i] for i in sim.argmax(axis=1)]  # pool, then extra
    out["category_margin"] = (top2[:, 1] - top2[:, 0]).tolist()
    return out


def interleaved(rows: list[tuple[Doc, int]], pool: list[Doc], seed: int = 0) -> list[tuple[Doc, int]]:
    """One page per positive: prose paragraph, the positive text, prose paragraph; labelled positive.

    Llama 3's code and math pages are "interleaved with natural language", and a bag-of-n-grams
    student averages over the whole page: taught on pure code alone, it scores a tutorial page
    that is half prose low. The prose comes from the pool's articles and Wikipedia text.
    """
    import random

    prose = [p for d in pool if d.source in ("article", "wiki", "multilingual", "abc")
             for p in d.text.split("\n") if len(p) > 200]
    if not prose:
        return []
    rng = random.Random(seed)
    return [(Doc(f"{rng.choice(prose)}\n{d.text}\n{rng.choice(prose)}", d.source, d.group), 1)
            for d, y in rows if y == 1]


def category_rows(docs: list[Doc], labels: dict[str, list], per_label: int = 0,
                  min_margin: float = 0.0) -> list[tuple[Doc, str]]:
    """The category student's rows: the first ``CATEGORY_WORDS`` words of each document (what the
    teacher read), labelled with the teacher's category where its margin over the second-best
    category is at least ``min_margin``; ``CATEGORY_EXCLUDE`` sources left out; at most
    ``per_label`` per category (``balance``; 0: no cap)."""
    margins = labels.get("category_margin") or [float("inf")] * len(docs)
    rows = [(Doc(head(d.text), d.source, d.group), y) for d, y, m in zip(docs, labels["category"], margins)
            if y is not None and d.source not in CATEGORY_EXCLUDE and m >= min_margin]
    return balance(rows, per_label) if per_label else rows


def balance(rows: list[tuple[Doc, str]], per_label: int) -> list[tuple[Doc, str]]:
    """At most ``per_label`` documents of each label (deterministic): a student of many labels
    trained on a skewed pool (math and code sources) otherwise answers the majority label."""
    by = collections.defaultdict(list)
    for d, y in rows:
        by[y].append((d, y))
    return [r for y in sorted(by) for r in sorted(by[y], key=lambda r: stable_hash(r[0].group + r[0].text[:100]))[:per_label]]


def teacher_sets(docs: list[Doc], per_source: int = 120, category_per_source: int = CATEGORY_PER_SOURCE
                 ) -> tuple[list[Doc], list[Doc], list[Doc]]:
    """(references, pool, category extra) drawn from ``docs``: the extra pieces come from the pool's
    side of the split only, never from a reference document."""
    refs, rest = split_refs(docs)
    pool = cap(rest, per_source, "pool ")
    refs = cap(refs, max(20, per_source // 3), "refs ")
    extra = category_extra(rest, category_per_source) if category_per_source else []
    return refs, pool, extra


def build_defaults(out_dir: str | None = None, shared: str | None = None, teacher: bool = True,
                   per_source: int = 120, per_label: int = PER_LABEL, params: fasttext_model.TrainParams | None = None,
                   log=None, category_per_source: int = CATEGORY_PER_SOURCE) -> dict:
    """Train the four default students into ``out_dir`` (default: the model cache); returns their eval.json."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out_dir = out_dir or models.cache_dir()
    real = shared_present(shared)
    docs = shared_docs(shared) if real else sample_docs()
    origin = f"{shared}/data" if real else "curate/sample pages"
    refs, pool, extra = teacher_sets(docs, per_source, category_per_source if teacher else 0)
    log(f"text: {origin}: pool {len(pool)} ({dict(collections.Counter(d.source for d in pool))}), "
        f"category pieces {len(extra)}, references {len(refs)}")
    labels = teacher_labels(pool, refs, log=log, extra=extra) if teacher else source_labels(pool)
    how = "all-MiniLM-L6-v2 teacher (reference sets)" if teacher else "document sources"
    return train_students(pool, labels, out_dir, params=params, per_label=per_label, log=log, extra=extra,
                          about={"labels_from": how, "text_from": origin})


def train_students(pool: list[Doc], labels: dict[str, list], out_dir: str, holdout: float = 0.1,
                   params: fasttext_model.TrainParams | None = None, per_label: int = PER_LABEL,
                   about: dict | None = None, log=None, extra: list[Doc] = (), min_margin: float = MIN_MARGIN,
                   category_params: fasttext_model.TrainParams | None = None) -> dict:
    """The quality, code and math students (binary), and the category student, into ``out_dir/<name>``.

    ``labels``: per model, one label per pool document (None: not used); without ``category``
    labels the category student learns the taxonomy's texts only. ``extra``: documents labelled
    for the category only (``labels["category"]`` covers ``pool + extra``). Returns the eval.json of each.
    """
    from classifiers.categories import texts_for_teacher

    about = about or {}
    results = {}
    for name in ("quality", "code", "math"):
        rows = [(d, y) for d, y in zip(pool, labels[name]) if y is not None]
        if name in ("code", "math"):
            rows += interleaved(rows, pool)
        counts = collections.Counter(y for _, y in rows)
        if len(counts) < 2:
            raise ValueError(f"{name}: the labels of the pool hold one class only ({dict(counts)}); more text is needed")
        results[name] = fasttext_model.train(
            [d.text for d, _ in rows], [y for _, y in rows], os.path.join(out_dir, name), positive=1,
            holdout=holdout, groups=[d.group for d, _ in rows], params=params,
            about={"name": name, **about, "about": models.DEFAULTS[name]})
        if log:
            log(f"{name}: {_summary(results[name])}")
    cats, cat_texts = texts_for_teacher()
    balanced = (category_rows(pool + list(extra), labels, per_label, min_margin) if "category" in labels else [])
    if log and balanced:
        log(f"category: {len(balanced)} teacher-labelled texts, "
            f"{dict(collections.Counter(y for _, y in balanced).most_common())}")
    results["category"] = fasttext_model.train(
        [d.text for d, _ in balanced] + cat_texts * 3, [y for _, y in balanced] + cats * 3,
        os.path.join(out_dir, "category"), holdout=holdout, params=category_params or params,
        groups=[d.group for d, _ in balanced] + [f"taxonomy:{i}" for i in range(len(cats))] * 3,
        about={"name": "category", **about, "about": models.DEFAULTS["category"]}
        | ({} if balanced else {"labels_from": "the taxonomy's texts"}))
    if log:
        log(f"category: {_summary(results['category'])}")
    return results


def _summary(ev: dict) -> str:
    if "auc" in ev:
        def f(v):
            return "n/a" if v is None else f"{v:.3f}"

        return (f"held-out AUC {f(ev['auc'])}, precision {f(ev['precision'])}, recall {f(ev['recall'])} "
                f"at {ev['threshold']} ({ev['positives']}+/{ev['negatives']}-; {ev['train_rows']} trained)")
    acc = ev.get("accuracy")
    return f"held-out accuracy {'n/a' if acc is None else f'{acc:.3f}'} ({ev.get('n', 0)} rows; {ev['train_rows']} trained)"
