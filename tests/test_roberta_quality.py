"""curate.stages.roberta_quality: the score stage in-process and through Ray, its filter, the missing model."""

from __future__ import annotations

import io
import pickle

import pyarrow as pa
import pytest
from conftest import articles, phase_tables, write_recipe
from test_transformer import GOOD, SPAM, build_tiny_roberta

from curate import schema
from curate.cli import main
from curate.pipeline import build_phases, load_params, make_stage
from curate.runner import run
from curate.stage import StageSetupError
from curate.stages.roberta_quality import ROBERTA_QUALITY, RobertaQuality, RobertaQualityFilter

pytest.importorskip("torch")

RECIPE = """
from curate.io.warc import WarcReader
from curate.pipeline import Phase, make_stage
from curate.stages.extract import Extract
from curate.stages.roberta_quality import RobertaQuality, RobertaQualityFilter

def build(params):
    return [Phase("extract", reader=WarcReader(batch_size=4), stages=[
        Extract(),
        make_stage(RobertaQuality, params["roberta_quality"]),
        make_stage(RobertaQualityFilter, params.get("roberta_quality_filter")),
    ])]
"""


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return build_tiny_roberta(tmp_path_factory.mktemp("rq") / "model", num_labels=2)


def text_batch(texts):
    return pa.table({"id": [f"d{i}" for i in range(len(texts))], "text": pa.array(texts, pa.string())})


def test_stage_scores_every_row_in_order(model):
    texts = [" ".join(GOOD[: i + 1]) if i % 2 else " ".join(SPAM[: 20 - i]) for i in range(11)]
    stage = RobertaQuality(model=str(model), model_batch=3)
    stage.setup()
    out = stage.process(text_batch(texts))
    assert out.column("id").to_pylist() == [f"d{i}" for i in range(11)]
    assert out.schema.field(ROBERTA_QUALITY).type == pa.float32()
    from classifiers.transformer import Scorer

    want = Scorer(str(model), device="cpu").score(texts)
    assert out.column(ROBERTA_QUALITY).to_pylist() == pytest.approx(want.tolist(), abs=1e-5)
    assert schema.DROP_REASON not in out.column_names  # the score stage never rejects


def test_default_resources_are_one_cpu_actor_and_gpus_come_from_the_config():
    stage = RobertaQuality()
    assert stage.resources.pooled and stage.resources.concurrency == 1 and stage.resources.gpus == 0
    gpu = make_stage(RobertaQuality, {"resources": {"gpus": 1}})
    assert gpu.resources.gpus == 1 and gpu.resources.pooled
    pickle.loads(pickle.dumps(gpu))


def test_filter_threshold_reason_and_off_by_default():
    batch = pa.table({"id": ["a", "b", "c"], ROBERTA_QUALITY: pa.array([0.9, 0.2, None], pa.float32())})
    assert RobertaQualityFilter().process(batch) is batch
    out = RobertaQualityFilter(threshold=0.5).process(batch)
    assert out.column(schema.DROP_REASON).to_pylist() == [None, "roberta_quality<0.5", None]


def test_missing_model_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_MODELS_DIR", str(tmp_path / "models"))
    with pytest.raises(StageSetupError, match=r"curate classifiers train transformer .*models/roberta-quality"):
        RobertaQuality().setup()
    with pytest.raises(StageSetupError, match="no transformer model at"):
        RobertaQuality(model=str(tmp_path / "elsewhere")).setup()


def test_recipe_quality_phase_is_off_by_default_and_a_missing_model_exits_3(small_warc, tmp_path, monkeypatch,
                                                                           capsys):
    names = [s.name for s in build_phases("llama3", load_params("llama3"))[-1].stages]
    assert "fasttext_quality" in names and "roberta_quality" not in names and "roberta_quality_filter" not in names
    on = load_params("llama3", overrides=["roberta_quality.enabled=true", "roberta_quality_filter.threshold=0.3"])
    phase = build_phases("llama3", on)[-1]
    names = [s.name for s in phase.stages]
    assert phase.name == "quality" and names[names.index("fasttext_quality") + 1:][:2] == [
        "roberta_quality", "roberta_quality_filter"]
    missing = tmp_path / "models" / "roberta-quality"
    rc = main(["run", str(small_warc), "-o", str(tmp_path / "out"), "--runner", "local",
               "--set", "roberta_quality.enabled=true", "--set", f"roberta_quality.model='{missing}'"])
    assert rc == 3
    assert "curate classifiers train transformer" in capsys.readouterr().err


def test_stage_through_the_local_runner(model, make_warc, tmp_path):
    warc = make_warc("in/a.warc.gz", articles(6, "https://a.example/p"))
    path = write_recipe(tmp_path / "rq_recipe.py", RECIPE)
    params = {"roberta_quality": {"model": str(model)}}
    result = run([str(warc)], str(tmp_path / "none"), recipe=str(path), params=params, runner="local",
                 log=io.StringIO())
    assert result.ok, result.failed
    kept, rejected = phase_tables(tmp_path / "none")
    scores = kept.column(ROBERTA_QUALITY).to_pylist()
    assert kept.num_rows == 6 and rejected.num_rows == 0 and all(0 <= s <= 1 for s in scores)
    # a threshold between the scores rejects the lower ones, with the reason, without retraining
    cut = sorted(scores)[3]
    params["roberta_quality_filter"] = {"threshold": cut}
    run([str(warc)], str(tmp_path / "cut"), recipe=str(path), params=params, runner="local", log=io.StringIO())
    kept, rejected = phase_tables(tmp_path / "cut")
    assert kept.num_rows == 3 and rejected.num_rows == 3
    assert set(rejected.column("drop_reason").to_pylist()) == {f"roberta_quality<{cut:g}"}
    assert set(rejected.column("drop_stage").to_pylist()) == {"roberta_quality_filter"}


@pytest.mark.ray
def test_stage_through_ray_actor_pool(ray_session, model, make_warc, tmp_path):
    warc = make_warc("in/a.warc.gz", articles(6, "https://a.example/p"))
    path = write_recipe(tmp_path / "rq_recipe.py", RECIPE)
    params = {"roberta_quality": {"model": str(model)}}
    assert build_phases(str(path), params)[0].stages[1].resources.pooled
    local = run([str(warc)], str(tmp_path / "local"), recipe=str(path), params=params, runner="local",
                log=io.StringIO())
    result = run([str(warc)], str(tmp_path / "ray"), recipe=str(path), params=params, runner="ray",
                 log=io.StringIO())
    assert result.ok and local.ok, result.failed
    by_ray = {r["id"]: r[ROBERTA_QUALITY] for r in phase_tables(tmp_path / "ray")[0].to_pylist()}
    by_local = {r["id"]: r[ROBERTA_QUALITY] for r in phase_tables(tmp_path / "local")[0].to_pylist()}
    assert len(by_ray) == 6 and by_ray.keys() == by_local.keys()
    assert all(abs(by_ray[k] - by_local[k]) < 1e-5 for k in by_ray)
