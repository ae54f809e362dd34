"""Classifiers (issue 7): quality AUC, code and math accuracy, MMLU category accuracy, fastText speed.

Everything is trained here, on a training split, and measured on text held out by source
document (a page's record id, a Wikipedia article, a web-text file, a standard-library
module, a GSM8K or MATH problem): per source, a fifth of the groups (at least one) are
held out, chosen by a hash of the group.

Models compared (fastText, ``classifiers/fasttext_model.py`` defaults):

- **direct**: trained on the true sources of the training split (labels from where the text
  comes from);
- **teacher → student**: the all-MiniLM-L6-v2 teacher labels a pool of the training split
  against reference sets taken from other documents of the training split
  (``classifiers/build.py``: exactly what ``curate classifiers build`` does), and a fastText
  student learns those labels;
- **teacher**: the MiniLM scores themselves (the upper bound of the student), where cheap.

1. Quality AUC. Positives: reference-quality text (dev ground-truth articles, WikiText-2,
   GSM8K, MATH, MMLU dev/val questions). Negatives: whole-page boilerplate (the dev pages'
   visible text outside their main text), spam (the real CC excerpt's pages), informal web
   text (NLTK webtext). AUC, precision and recall at 0.5 on the held-out documents.
2. Code and math accuracy on the mathcode pages (``data/mathcode/{code,math}/*.html``,
   extracted with ``curate.html.main_text.extract_text``) against ordinary pages (the dev
   pages without ground-truth text, extracted by the ``Extract`` stage, less the pages whose
   code blocks are training text (``webcode``), so never trained on):
   code pages should score ``code_score >= 0.5``, math pages ``math_score >= 0.5``, ordinary
   pages neither.
3. Category accuracy: MMLU *test* questions (``--mmlu-per-subject`` per subject) with the
   subject -> category mapping below (printed); subjects without one clear category
   (``global_facts``, ``miscellaneous``) are left out.
4. Speed: the ``fasttext_quality`` stage over Arrow batches of 1,024 held-out texts on one
   pinned core, best of ``--repeat``, model load apart.

    python benchmarks/bench_classifiers.py --json benchmarks/results/classifiers.json
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

#: MMLU subject -> category of classifiers/categories.py.
MMLU_CATEGORY = {
    "abstract_algebra": "mathematics", "anatomy": "health_and_medicine", "astronomy": "physics_and_astronomy",
    "business_ethics": "business_and_industry", "clinical_knowledge": "health_and_medicine",
    "college_biology": "biology", "college_chemistry": "chemistry",
    "college_computer_science": "computer_science_and_software", "college_mathematics": "mathematics",
    "college_medicine": "health_and_medicine", "college_physics": "physics_and_astronomy",
    "computer_security": "computer_science_and_software", "conceptual_physics": "physics_and_astronomy",
    "econometrics": "finance_and_economics", "electrical_engineering": "engineering_and_technology",
    "elementary_mathematics": "mathematics", "formal_logic": "philosophy_and_religion",
    "high_school_biology": "biology", "high_school_chemistry": "chemistry",
    "high_school_computer_science": "computer_science_and_software", "high_school_european_history": "history",
    "high_school_geography": "earth_and_environment",
    "high_school_government_and_politics": "politics_and_international_affairs",
    "high_school_macroeconomics": "finance_and_economics", "high_school_mathematics": "mathematics",
    "high_school_microeconomics": "finance_and_economics", "high_school_physics": "physics_and_astronomy",
    "high_school_psychology": "psychology_and_society", "high_school_statistics": "mathematics",
    "high_school_us_history": "history", "high_school_world_history": "history",
    "human_aging": "health_and_medicine", "human_sexuality": "health_and_medicine",
    "international_law": "law_and_government", "jurisprudence": "law_and_government",
    "logical_fallacies": "philosophy_and_religion", "machine_learning": "computer_science_and_software",
    "management": "business_and_industry", "marketing": "business_and_industry",
    "medical_genetics": "biology", "moral_disputes": "philosophy_and_religion",
    "moral_scenarios": "philosophy_and_religion", "nutrition": "health_and_medicine",
    "philosophy": "philosophy_and_religion", "prehistory": "history",
    "professional_accounting": "finance_and_economics", "professional_law": "law_and_government",
    "professional_medicine": "health_and_medicine", "professional_psychology": "psychology_and_society",
    "public_relations": "business_and_industry", "security_studies": "politics_and_international_affairs",
    "sociology": "psychology_and_society", "us_foreign_policy": "politics_and_international_affairs",
    "virology": "health_and_medicine", "world_religions": "philosophy_and_religion",
}

POSITIVE = ("article", "wiki", "gsm8k", "math", "mmlu")
NEGATIVE = ("boilerplate", "spam", "webtext")


def split_by_group(docs, share: float = 0.2):
    """(train, test): per source, the first ``share`` of the groups in hash order (at least one) are held out."""
    from classifiers.training_data import stable_hash

    by = collections.defaultdict(set)
    for d in docs:
        by[d.source].add(d.group)
    test_groups = set()
    for groups in by.values():
        ordered = sorted(groups, key=lambda g: stable_hash("bench " + g))
        test_groups |= set(ordered[:max(1, round(share * len(ordered)))])
    return [d for d in docs if d.group not in test_groups], [d for d in docs if d.group in test_groups]


def mathcode_pages(root: str) -> list[tuple[str, str, str]]:
    """(kind, name, extracted text) of the mathcode pages: ``code`` and ``math`` pages, not their answer files."""
    from curate.html.main_text import extract_text

    out = []
    for kind in ("code", "math"):
        for path in sorted(glob.glob(os.path.join(root, "data", "mathcode", kind, "*.html"))):
            name = os.path.basename(path)
            if kind == "math" and re.search(r"_(inline_)?\d+\.html$", name):
                continue
            with open(path, "rb") as f:
                html = f.read().decode("utf-8", "replace")
            text = extract_text(html).text or ""
            if text.strip():
                out.append((kind, name, text))
    return out


def students(pool, labels, out: str, extra=()) -> dict:
    """The four students of ``classifiers/build.py`` trained on all of ``pool`` (nothing held out), loaded."""
    from classifiers import build
    from classifiers.fasttext_model import FastTextModel

    build.train_students(pool, labels, out, holdout=0, extra=extra)
    return {name: FastTextModel(os.path.join(out, name)) for name in ("quality", "code", "math", "category")}


def quality_rows(test, scorers: dict) -> tuple[list[list], dict]:
    from classifiers.fasttext_model import binary_eval

    rows, out = [], {}
    held = [d for d in test if d.source in POSITIVE + NEGATIVE]
    truth = [d.source in POSITIVE for d in held]
    for name, score in scorers.items():
        s = score(held)
        ev = binary_eval(s, truth, 0.5)
        per_neg = {}
        for neg in NEGATIVE:
            idx = [i for i, d in enumerate(held) if d.source in POSITIVE or d.source == neg]
            per_neg[neg] = binary_eval([s[i] for i in idx], [truth[i] for i in idx], 0.5)["auc"]
        out[name] = ev | {"auc_vs": per_neg}
        rows.append([name, f"{ev['auc']:.3f}", f"{ev['precision']:.3f}", f"{ev['recall']:.3f}",
                     " / ".join(f"{per_neg[n]:.3f}" for n in NEGATIVE), f"{ev['positives']} / {ev['negatives']}"])
    return rows, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-source", type=int, default=150, help="teacher pool: documents per source (default 150)")
    ap.add_argument("--test-per-source", type=int, default=100,
                    help="teacher's own scores: held-out documents per source it encodes (default 100)")
    ap.add_argument("--mmlu-per-subject", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="torch threads for the teacher")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

    import numpy as np
    import torch

    from classifiers import build, teacher
    from classifiers.training_data import mmlu, shared_docs, shared_present, take

    root = common.shared_dir()
    dev = common.dev_pages_or_exit()
    if not shared_present(root):
        print(f"SKIP: {root}/data/corpora not found (set CURATE_SHARED)", file=sys.stderr)
        return 0
    torch.set_num_threads(args.threads)
    t0 = time.time()
    docs = [d for d in shared_docs(root) if d.source != "cc"]
    train, test = split_by_group(docs)
    print(f"documents: {len(docs)}; train {len(train)}, held out {len(test)} "
          f"({dict(collections.Counter(d.source for d in test))})", file=sys.stderr)
    tmp = tempfile.mkdtemp(prefix="bench-classifiers-")
    result = {"machine": common.machine_info(), "args": vars(args),
              "held_out": dict(collections.Counter(d.source for d in test))}

    # direct students: the true sources of the training split
    direct = students(train, build.source_labels(train), os.path.join(tmp, "direct"))
    # teacher -> student: what `curate classifiers build` does, on the training split only
    refs, pool, extra = build.teacher_sets(train, args.per_source)
    enc = teacher.Encoder(max_length=128)
    t1 = time.time()
    labels = build.teacher_labels(pool, refs, encoder=enc, extra=extra, log=lambda m: print(m, file=sys.stderr))
    teach_s = time.time() - t1
    student = students(pool, labels, os.path.join(tmp, "student"), extra=extra)
    agree = {}
    for name in ("quality", "code", "math"):
        agree[name] = float(np.mean(np.array(labels[name]) == 1))
    result["teacher"] = {"pool": len(pool), "category_pieces": len(extra), "references": len(refs),
                         "seconds": round(teach_s, 1),
                         "positive_share": agree}

    # 1. quality AUC

    held = [d for d in test if d.source in POSITIVE + NEGATIVE]
    sub = build.cap(held, args.test_per_source, "test ")
    ref_emb = enc.encode([d.text for d in refs])
    pos_e = ref_emb[[i for i, d in enumerate(refs) if d.source in build.QUALITY_POS]]
    neg_e = ref_emb[[i for i, d in enumerate(refs) if d.source in build.QUALITY_NEG]]
    sub_scores = teacher.reference_scores(enc.encode([d.text for d in sub]), pos_e, neg_e)
    rows, q = quality_rows(held, {
        "fastText, direct (true sources)": lambda ds: direct["quality"].proba([d.text for d in ds]),
        "fastText student of the MiniLM teacher": lambda ds: student["quality"].proba([d.text for d in ds]),
    })
    trow, tq = quality_rows(sub, {"MiniLM teacher itself (subset)": lambda ds: list(sub_scores + 0.5)})
    result["quality"] = q | tq
    print("\n## 1. Quality AUC, held out by source document\n")
    print(common.markdown_table(["model", "AUC", "P@0.5", "R@0.5", "AUC vs boilerplate / spam / webtext",
                                 "held-out + / -"], rows + trow))

    # 2. code and math accuracy on the mathcode pages vs ordinary dev pages

    pages = mathcode_pages(root)
    import gzip
    import json

    gt_ids = set()
    with gzip.open(os.path.join(root, "data", "warc", "dev-pages.groundtruth.jsonl.gz"), "rt") as f:
        for line in f:
            d = json.loads(line)
            if d.get("text"):
                gt_ids.add(d["warc_record_id"])
    ext = common.extracted(dev)
    # dev pages without ground truth whose record id no training document comes from (the code
    # blocks of the dev pages are training text: their pages are left out here)
    seen = {d.group for d in train}
    ordinary = [t for i, t in zip(ext.column("id").to_pylist(), ext.column("text").to_pylist())
                if i not in gt_ids and i not in seen]
    sets = {"code pages": [t for k, _, t in pages if k == "code"], "math pages": [t for k, _, t in pages if k == "math"],
            "ordinary dev pages": ordinary}
    rows, mc = [], {}
    for tag, models in (("direct", direct), ("student", student)):
        for set_name, texts in sets.items():
            code = models["code"].proba(texts) >= 0.5
            math = models["math"].proba(texts) >= 0.5
            want = {"code pages": code, "math pages": math, "ordinary dev pages": ~code & ~math}[set_name]
            mc[f"{tag}:{set_name}"] = {"n": len(texts), "accuracy": float(want.mean()),
                                       "code_share": float(code.mean()), "math_share": float(math.mean())}
            rows.append([tag, set_name, len(texts), f"{want.mean():.3f}", f"{code.mean():.3f}", f"{math.mean():.3f}"])
    result["code_math"] = mc
    print("\n## 2. Code and math classifiers on the mathcode pages and ordinary dev pages\n")
    print(common.markdown_table(["model", "pages", "n", "accuracy", "code_score >= 0.5", "math_score >= 0.5"], rows))

    # 3. MMLU category accuracy
    questions = [d for d in mmlu(root, ("test",)) if d.meta in MMLU_CATEGORY]
    by_subject = collections.defaultdict(list)
    for d in questions:
        by_subject[d.meta].append(d)
    questions = [d for s in sorted(by_subject) for d in take(by_subject[s], args.mmlu_per_subject, "mmlu ")]
    truth = [MMLU_CATEGORY[d.meta] for d in questions]
    texts = [d.text for d in questions]
    t_labels, _ = teacher.label_categories(enc, texts)
    s_labels, _ = student["category"].top(texts)
    acc_t = float(np.mean([a == b for a, b in zip(t_labels, truth)]))
    acc_s = float(np.mean([a == b for a, b in zip(s_labels, truth)]))
    per_cat = {}
    for cat in sorted(set(truth)):
        idx = [i for i, c in enumerate(truth) if c == cat]
        per_cat[cat] = {"n": len(idx), "teacher": float(np.mean([t_labels[i] == cat for i in idx])),
                        "student": float(np.mean([s_labels[i] == cat for i in idx]))}
    result["mmlu"] = {"n": len(questions), "teacher_accuracy": acc_t, "student_accuracy": acc_s,
                      "per_category": per_cat, "mapping": MMLU_CATEGORY}
    print(f"\n## 3. MMLU test questions -> category ({len(questions)} questions, {len(by_subject)} subjects)\n")
    print(common.markdown_table(["category", "questions", "MiniLM teacher", "fastText student"],
                                [[c, v["n"], f"{v['teacher']:.3f}", f"{v['student']:.3f}"] for c, v in per_cat.items()]
                                + [["**all**", len(questions), f"**{acc_t:.3f}**", f"**{acc_s:.3f}**"]]))
    print("\nmapping (subject -> category): " + "; ".join(f"{s} -> {c}" for s, c in sorted(MMLU_CATEGORY.items())))

    # 4. speed of the fasttext_quality stage, one core
    import pyarrow as pa

    from curate.stages.fasttext_scores import FastTextQuality

    texts = [d.text for d in test] + ordinary
    chars = sum(len(t) for t in texts)
    stage = FastTextQuality(model=os.path.join(tmp, "student", "quality"))
    core = common.pin_one_core()
    with common.timed() as load:
        stage.setup()
    batches = [pa.table({"text": texts[i:i + 1024]}) for i in range(0, len(texts), 1024)]
    best = None
    for _ in range(args.repeat):
        with common.timed() as t:
            for b in batches:
                stage.process(b)
        best = t if best is None or t.cpu < best.cpu else best
    result["speed"] = {"docs": len(texts), "mean_chars": chars / len(texts), "cpu_s": best.cpu, "wall_s": best.wall,
                       "docs_per_s_core": len(texts) / best.cpu, "load_s": load.wall, "core": core}
    print(f"\n## 4. fasttext_quality stage, one pinned core, {len(texts)} held-out texts "
          f"(mean {chars / len(texts):,.0f} chars)\n")
    print(common.markdown_table(["docs", f"CPU s (best of {args.repeat})", "docs/s/core", "model load s"],
                                [[len(texts), best.cpu, len(texts) / best.cpu, load.wall]]))
    result["seconds"] = round(time.time() - t0, 1)
    print(f"\n(total {result['seconds']:.0f} s; teacher labelling {teach_s:.0f} s)", file=sys.stderr)
    common.write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
