"""Phase ``quality``: fastText score stages, category, mix_bucket and the threshold stages."""

from __future__ import annotations

import io
import random
import shutil

import pyarrow as pa
import pytest

from classifiers import fasttext_model as fm
from classifiers import models
from curate.stage import StageSetupError
from curate.stages.category import Category
from curate.stages.fasttext_scores import CodeScore, FastTextQuality, MathScore
from curate.stages.mix_bucket import MixBucket
from curate.stages.quality_filter import CategoryFilter, QualityFilter, keep_fraction

GOOD = "the committee published its report on the history of the river basin and the regional economy".split()
BAD = "click here buy now cheap free win casino bonus offer login subscribe today".split()


@pytest.fixture(scope="module")
def published_bin(tmp_path_factory) -> str:
    """A bare fastText .bin with labels hq / cc, as DCLM publishes its classifier (no meta.json)."""
    rng = random.Random(0)
    texts = [" ".join(rng.choice(GOOD if i % 2 else BAD) for _ in range(15)) for i in range(200)]
    labels = ["hq" if i % 2 else "cc" for i in range(200)]
    folder = tmp_path_factory.mktemp("pub") / "m"
    fm.train(texts, labels, str(folder), positive="hq", holdout=0, normalize=False,
             params=fm.TrainParams(dim=32, bucket=50_000, epoch=10))
    path = folder.parent / "dclm-like.bin"
    shutil.copy(folder / "model.bin", path)
    return str(path)


def batch(texts, **cols) -> pa.Table:
    data = {"id": [f"d{i}" for i in range(len(texts))], "text": texts}
    data.update(cols)
    return pa.table(data)


def test_published_model_by_path_with_its_label(published_bin):
    stage = FastTextQuality(model=published_bin, label="hq")
    stage.setup()
    out = stage.process(batch(["Click here: cheap casino bonus, buy now", "The committee report on the river basin", ""]))
    scores = out.column("fasttext_quality").to_pylist()
    assert out.schema.field("fasttext_quality").type == pa.float32()
    assert scores[0] < 0.3 < 0.7 < scores[1] and scores[2] == 0


def test_bare_model_needs_its_positive_label(published_bin):
    with pytest.raises(StageSetupError, match="hq"):
        FastTextQuality(model=published_bin).setup()


def test_missing_default_model_names_the_build_command(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_MODELS_DIR", str(tmp_path / "empty"))
    with pytest.raises(StageSetupError, match="curate classifiers build") as e:
        CodeScore().setup()
    assert "code_score" in str(e.value) and str(tmp_path / "empty") in str(e.value)
    with pytest.raises(models.ModelMissing, match="curate classifiers train fasttext"):
        models.resolve("my-own-model")
    with pytest.raises(models.ModelMissing, match="holds no fastText model"):
        models.resolve(str(tmp_path))


def test_hub_id_offline_fails_with_a_clear_message(monkeypatch):
    import huggingface_hub

    def offline(*a, **k):
        raise OSError("We couldn't connect to 'https://huggingface.co'")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", offline)
    with pytest.raises(StageSetupError, match="give its local path"):
        FastTextQuality(model=models.DCLM_FASTTEXT, label="hq").setup()


def test_default_models_score_the_sample_kinds(model_cache):
    texts = ["def parse(path):\n    with open(path) as f:\n        return [line.split(',') for line in f]\n" * 3,
             "The council approved the new footbridge over the river after a public consultation in March."]
    b = batch(texts)
    for cls in (FastTextQuality, CodeScore, MathScore):
        stage = cls()
        stage.setup()
        b = stage.process(b)
    code = b.column("code_score").to_pylist()
    assert code[0] > code[1]
    assert all(0 <= x <= 1 for c in ("fasttext_quality", "math_score") for x in b.column(c).to_pylist())


def test_category_writes_a_taxonomy_id(model_cache):
    from classifiers.categories import CATEGORIES

    stage = Category()
    stage.setup()
    out = stage.process(batch(["The striker scored twice in the cup final as the team won the match.", ""]))
    cats = out.column("category").to_pylist()
    assert cats[0] in CATEGORIES and cats[1] is None
    assert out.column("category_score").to_pylist()[1] == 0


def test_mix_bucket_rules_in_order():
    b = batch(["a"] * 6, code_score=[0.9, 0.9, 0.1, 0.1, 0.1, None], math_score=[0.9, 0.1, 0.8, 0.1, 0.1, 0.1],
              lang=["en", "de", "zh", "de", "und", "en"])
    out = MixBucket().process(b)
    assert out.column("mix_bucket").to_pylist() == ["code", "code", "math", "multilingual", "general", "general"]
    out = MixBucket(code_threshold=0.95, general_languages=["en", "de"]).process(b)
    assert out.column("mix_bucket").to_pylist() == ["math", "general", "math", "general", "general", "general"]
    assert MixBucket().process(batch(["x"])).column("mix_bucket").to_pylist() == ["general"]  # no scores: general


def test_quality_filter_threshold_languages_and_exempt_buckets():
    b = batch(["a"] * 5, fasttext_quality=pa.array([0.01, 0.5, 0.01, None, 0.01], pa.float32()),
              mix_bucket=["general", "general", "code", "general", "multilingual"], lang=["en", "en", "en", "en", "de"])
    out = QualityFilter(min_fasttext_quality=0.1).process(b)
    assert out.column("drop_reason").to_pylist() == ["quality_filter:fasttext_quality", None, None, None, None]
    out = QualityFilter(min_fasttext_quality=0.6, exempt_buckets=[], languages=[]).process(b)
    assert out.column("drop_reason").to_pylist() == ["quality_filter:fasttext_quality"] * 3 + [None] + [
        "quality_filter:fasttext_quality"]


def test_category_filter_downsamples_by_id_hash():
    ids = [f"<urn:uuid:{i}>" for i in range(2000)]
    b = pa.table({"id": ids, "text": ["t"] * 2000, "category": ["arts_and_entertainment", "history"] * 1000})
    stage = CategoryFilter(keep={"arts_and_entertainment": 0.3})
    stage.setup()
    reasons = stage.process(b).column("drop_reason").to_pylist()
    arts = [r for r, c in zip(reasons, b.column("category").to_pylist()) if c == "arts_and_entertainment"]
    assert all(r is None for r, c in zip(reasons, b.column("category").to_pylist()) if c == "history")
    assert 0.25 < arts.count(None) / len(arts) < 0.35
    assert set(arts) == {None, "category_filter:arts_and_entertainment"}
    assert stage.process(b).column("drop_reason").to_pylist() == reasons  # the same documents on a rerun
    assert 0 <= keep_fraction("x") < 1
    with pytest.raises(ValueError, match="within"):
        CategoryFilter(keep={"history": 2}).setup()


def test_main_recipe_fills_the_quality_phase(small_warc, tmp_path):
    from curate.pipeline import load_params
    from curate.runner import run
    from tests.conftest import phase_tables

    result = run([str(small_warc)], str(tmp_path / "out"), params=load_params("llama3"), runner="local",
                 log=io.StringIO())
    assert result.ok
    kept, rejected = phase_tables(tmp_path / "out", "quality")
    assert kept.num_rows > 0
    for col in ("fasttext_quality", "code_score", "math_score", "category", "category_score", "mix_bucket"):
        assert kept.column(col).null_count == 0, col
    assert set(kept.column("mix_bucket").to_pylist()) <= {"general", "math", "code", "multilingual"}


def test_run_stops_with_exit_3_naming_the_command_when_a_model_is_missing(small_warc, tmp_path, monkeypatch, capsys):
    from curate.cli import main

    monkeypatch.setenv("CURATE_MODELS_DIR", str(tmp_path / "no-models"))
    code = main(["run", str(small_warc), "-o", str(tmp_path / "out"), "--runner", "local"])
    assert code == 3
    err = capsys.readouterr().err
    assert "curate classifiers build" in err and "fasttext_quality" in err
    assert not (tmp_path / "out" / "extract").exists()  # stopped before the first shard


def test_mix_bucket_heuristic_counts_are_a_second_signal():
    b = batch(["a"] * 5, code_score=[0.1, 0.1, 0.1, 0.9, 0.1], math_score=[0.1, 0.1, 0.1, 0.1, None],
              lang=["en", "en", "de", "en", "en"],
              code_math_code_lines=pa.array([10, 9, 0, 0, None], pa.int32()),
              code_math_math_spans=pa.array([0, 3, 2, 5, 7], pa.int32()))
    out = MixBucket().process(b)
    # 10 code lines -> code; 9 lines but 3 TeX spans -> math; too few of either -> by language;
    # the code score still wins first; a null count reads 0
    assert out.column("mix_bucket").to_pylist() == ["code", "math", "multilingual", "code", "math"]
    off = MixBucket(min_code_lines=None, min_math_spans=None).process(b)
    assert off.column("mix_bucket").to_pylist() == ["general", "general", "multilingual", "code", "general"]
    # without the heuristics columns the scores alone decide (the earlier rule)
    plain = batch(["a"], code_score=[0.1], math_score=[0.1], lang=["en"])
    assert MixBucket().process(plain).column("mix_bucket").to_pylist() == ["general"]
