"""classifiers/fasttext_model.py: training with a held-out evaluation, batch prediction, metrics."""

from __future__ import annotations

import json
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from classifiers import fasttext_model as fm

SMALL = fm.TrainParams(dim=32, bucket=50_000, epoch=10)
GOOD = "the committee published its report on the history of the river basin and the regional economy".split()
BAD = "click here buy now cheap free win casino bonus offer login subscribe today".split()


def corpus(n: int = 300, seed: int = 0) -> tuple[list[str], list[int], list[str]]:
    rng = random.Random(seed)
    texts, labels, groups = [], [], []
    for i in range(n):
        pos = i % 2 == 0
        words = GOOD if pos else BAD
        texts.append("\n".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(3)))
        labels.append(int(pos))
        groups.append(f"doc{i // 3}")
    return texts, labels, groups


def test_prepare_makes_one_line():
    assert fm.prepare("Line one\n\nLine\ttwo  ", normalize=True) == "line one line two"
    assert fm.prepare("Butter.\n(See: x)", normalize=True) == "butter . ( see : x )"
    assert fm.prepare("A\nB.", normalize=False) == "A B."
    assert fm.prepare("x" * 50, max_chars=10) == "x" * 10
    assert fm.prepare(None) == ""


def test_auc_counts_ties_half_and_needs_both_classes():
    assert fm.auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert fm.auc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    assert fm.auc([0.2, 0.9], [1, 1]) is None


def test_binary_eval_precision_recall_at_threshold():
    ev = fm.binary_eval([0.9, 0.6, 0.4, 0.2], [1, 0, 1, 0], threshold=0.5)
    assert (ev["tp"], ev["fp"], ev["fn"], ev["tn"]) == (1, 1, 1, 1)
    assert ev["precision"] == 0.5 and ev["recall"] == 0.5 and ev["auc"] == pytest.approx(0.75)


def test_holdout_keeps_each_group_on_one_side():
    groups = [f"g{i // 4}" for i in range(200)]
    test = fm.split_holdout(200, 0.2, groups)
    sides = {}
    for g, t in zip(groups, test):
        sides.setdefault(g, set()).add(bool(t))
    assert all(len(s) == 1 for s in sides.values())
    assert 0.1 < test.mean() < 0.3


def test_train_writes_model_meta_and_eval(tmp_path):
    texts, labels, groups = corpus()
    ev = fm.train(texts, labels, str(tmp_path / "q"), positive=1, groups=groups, params=SMALL)
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == ["eval.json", "meta.json", "model.bin"]
    written = json.loads((tmp_path / "q" / "eval.json").read_text())
    assert written == json.loads(json.dumps(ev))
    assert ev["holdout_by"] == "group" and ev["holdout_rows"] + ev["train_rows"] == len(texts)
    assert ev["auc"] > 0.95 and ev["precision"] > 0.9 and ev["recall"] > 0.9
    assert ev["positives"] + ev["negatives"] == ev["holdout_rows"]
    meta = json.loads((tmp_path / "q" / "meta.json").read_text())
    assert meta["positive"] == "1" and meta["labels"] == ["0", "1"]
    model = fm.FastTextModel(str(tmp_path / "q"))
    scores = model.proba(["cheap casino bonus\nclick here", "the report on the river economy", "", None])
    assert scores[0] < 0.2 and scores[1] > 0.8 and scores[2] == 0 and scores[3] == 0
    assert scores.dtype == np.float32


def test_several_labels_and_top(tmp_path):
    texts, labels, groups = corpus()
    rng = random.Random(1)
    words = "integral derivative equation theorem proof matrix vector".split()
    texts += [" ".join(rng.choice(words) for _ in range(12)) for _ in range(150)]
    labels = ["good" if y else "bad" for y in labels] + ["math"] * 150
    ev = fm.train(texts, labels, str(tmp_path / "c"), params=SMALL)
    assert ev["accuracy"] > 0.9 and set(ev["labels"]) == {"bad", "good", "math"}
    best, score = fm.FastTextModel(str(tmp_path / "c")).top(["theorem proof of the integral", "", "casino bonus"])
    assert best == ["math", None, "bad"] and score[1] == 0 and score[0] > 0.5


def test_lone_surrogates_do_not_fail_a_batch(tmp_path):
    texts, labels, _ = corpus(100)
    fm.train(texts, labels, str(tmp_path / "q"), positive=1, holdout=0, params=SMALL)
    scores = fm.FastTextModel(str(tmp_path / "q")).proba(["casino \ud800 bonus", "river report"])
    assert len(scores) == 2


def test_one_label_or_unknown_positive_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="two labels"):
        fm.train(["a b", "c d"], [1, 1], str(tmp_path / "x"), positive=1)
    with pytest.raises(ValueError, match="positive label"):
        fm.train(["a b", "c d"], [1, 0], str(tmp_path / "x"), positive="hq")


def test_read_labelled_jsonl_and_parquet(tmp_path):
    rows = [{"text": "alpha beta", "label": True, "doc": "a"}, {"text": None, "label": 1},
            {"text": "gamma", "label": 0.0, "doc": "b"}, {"text": "two words", "label": "high quality", "doc": "c"}]
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    texts, labels, groups = fm.read_labelled(str(jsonl), group_column="doc")
    assert texts == ["alpha beta", "gamma", "two words"] and labels == ["1", "0", "high_quality"]
    assert groups == ["a", "b", "c"]
    pq.write_table(pa.table({"body": ["x y", "z"], "y": [1, 0]}), tmp_path / "x.parquet")
    assert fm.read_labelled(str(tmp_path / "x.parquet"), "body", "y")[:2] == (["x y", "z"], ["1", "0"])
    (tmp_path / "bad.jsonl").write_text('{"text": "a", "label": 1}\nnot json\n')
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        fm.read_labelled(str(tmp_path / "bad.jsonl"))
