"""curate.pipeline, curate.stage and curate.schema: recipes, parameters, stages, column contracts."""

from __future__ import annotations

import dataclasses
import pickle
from typing import ClassVar

import pyarrow as pa
import pytest
from conftest import REPO, write_recipe

from curate import schema
from curate.io.warc import WarcReader
from curate.pipeline import Phase, build_phases, load_params, load_recipe, make_stage, recipe_path
from curate.stage import Resources, Stage, reject, set_column
from curate.stages.extract import Extract

# --------------------------------------------------------------------------- parameters


def test_default_params_come_from_the_recipe_toml():
    import tomllib

    with open(REPO / "pipelines" / "llama3.toml", "rb") as f:
        expected = tomllib.load(f)
    assert load_params("llama3") == expected
    assert "extract" in expected and "read" in expected


def test_config_file_merges_and_overrides_win(tmp_path):
    cfg = tmp_path / "my.toml"
    cfg.write_text("[extract]\ntimeout_s = 9.5\n[extract.resources]\nbatch_size = 7\n[newtable]\nx = 1\n")
    base = load_params("llama3")
    params = load_params("llama3", str(cfg), ["extract.min_chars=40", "read.dump=CC-MAIN-2099-01",
                                                 "extract.favor_precision=true", "deep.a.b=[1, 2]",
                                                 "plain=some words"])
    assert params["extract"]["timeout_s"] == 9.5
    assert params["extract"]["resources"]["batch_size"] == 7
    # keys the config does not name keep their defaults (a merge, not a replace)
    for k, v in base["extract"].items():
        if k not in ("timeout_s", "min_chars", "favor_precision", "resources"):
            assert params["extract"][k] == v
    assert params["extract"]["min_chars"] == 40 and isinstance(params["extract"]["min_chars"], int)
    assert params["extract"]["favor_precision"] is True
    assert params["read"]["dump"] == "CC-MAIN-2099-01"
    assert params["deep"] == {"a": {"b": [1, 2]}}
    assert params["plain"] == "some words"
    assert params["newtable"] == {"x": 1}
    # the defaults themselves are not modified by a merge
    assert load_params("llama3") == base


def test_bad_override():
    with pytest.raises(ValueError, match="KEY=VALUE"):
        load_params("llama3", None, ["extract.timeout_s"])


# --------------------------------------------------------------------------- stages from params


def test_make_stage_from_params():
    s = make_stage(Extract, {"timeout_s": 1.5, "min_chars": 3, "resources": {"cpus": 2, "concurrency": 4}})
    assert isinstance(s, Extract)
    assert (s.timeout_s, s.min_chars) == (1.5, 3)
    assert s.resources.cpus == 2 and s.resources.concurrency == 4
    assert s.resources.batch_size == Extract().resources.batch_size  # untouched fields keep defaults
    assert s.resources.pooled
    assert make_stage(Extract, None) == Extract()


def test_make_stage_unknown_parameter_names_stage_and_parameter():
    with pytest.raises(ValueError) as e:
        make_stage(Extract, {"timeout": 3})
    assert "extract" in str(e.value) and "timeout" in str(e.value) and "timeout_s" in str(e.value)


def test_resources_pooled():
    assert not Resources().pooled
    assert Resources(gpus=1).pooled
    assert Resources(concurrency=1).pooled


# --------------------------------------------------------------------------- recipes


def test_llama3_recipe_builds_from_params():
    params = load_params("llama3", None, ["extract.timeout_s=2.5", "read.max_html_bytes=12345"])
    phases = build_phases("llama3", params)
    assert phases[0].name == "extract"
    assert isinstance(phases[0].reader, WarcReader)
    assert phases[0].reader.max_html_bytes == 12345
    ext = [s for s in phases[0].stages if s.name == "extract"][0]
    assert ext.timeout_s == 2.5
    assert len({p.name for p in phases}) == len(phases)


RECIPE_HEAD = """
import dataclasses
from typing import ClassVar
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stage import Resources, Stage

@dataclasses.dataclass
class Noop(Stage):
    name: ClassVar[str] = "noop"
    resources: Resources = dataclasses.field(default_factory=Resources)
    def process(self, batch):
        return batch
"""


def test_recipe_from_file(tmp_path):
    path = write_recipe(tmp_path / "mine.py", RECIPE_HEAD + """
def build(params):
    return [Phase("one", reader=WarcReader(batch_size=params.get("n", 5)), stages=[Noop()]),
            Phase("two", stages=[Noop()])]
""")
    assert recipe_path(str(path)) == str(path)
    phases = build_phases(str(path), {"n": 3})
    assert [p.name for p in phases] == ["one", "two"]
    assert phases[0].reader.batch_size == 3 and phases[1].reader is None
    assert load_params(str(path)) == {}  # no TOML beside it
    (tmp_path / "mine.toml").write_text("n = 4\n")
    assert load_params(str(path)) == {"n": 4}


@pytest.mark.parametrize("body,error,match", [
    ("def build(params):\n    return [Phase('a', reader=WarcReader(), stages=[]), Phase('a', stages=[])]\n",
     ValueError, "repeat"),
    ("def build(params):\n    return [Phase('a', stages=[Noop()])]\n", ValueError, "first phase must read WARC"),
    ("def build(params):\n    return []\n", ValueError, "first phase"),
    ("x = 1\n", AttributeError, "no build"),
])
def test_bad_recipes(tmp_path, body, error, match):
    path = write_recipe(tmp_path / "bad.py", RECIPE_HEAD + body)
    with pytest.raises(error, match=match):
        build_phases(str(path), {})


def test_missing_recipe():
    with pytest.raises(FileNotFoundError, match="no recipe"):
        recipe_path("no_such_recipe_here")
    with pytest.raises(FileNotFoundError):
        load_recipe("/nonexistent/recipe.py")
    with pytest.raises(FileNotFoundError):
        recipe_path("some.dotted.name")


# --------------------------------------------------------------------------- schema


@dataclasses.dataclass
class Scorer(Stage):
    name: ClassVar[str] = "scorer"
    columns: ClassVar[dict] = {"score": pa.float32(), "text": pa.large_string()}
    resources: Resources = dataclasses.field(default_factory=Resources)

    def process(self, batch):
        return batch


def test_phase_output_schema_drops_consumed_columns():
    read = WarcReader().schema
    out = Phase("p", reader=WarcReader(), stages=[Extract(), Scorer()]).output_schema(read)
    assert "html" not in out.names and "charset" not in out.names
    assert out.names[-2:] == ["drop_reason", "drop_stage"]
    assert out.field("score").type == pa.float32()
    assert out.field("text").type == pa.large_string()  # the later stage's type wins
    assert out.names.index("text") < out.names.index("score")  # a rewritten column keeps its place
    for f in schema.READ_FIELDS:
        if f.name not in ("html", "charset"):
            assert out.field(f.name).type == f.type
    kept = Phase("p", reader=WarcReader(), stages=[Extract()], keep_html=True).output_schema(read)
    assert "html" in kept.names and "charset" in kept.names


def test_conform():
    sch = pa.schema([("id", pa.string()), ("n", pa.int64()), ("drop_reason", pa.string())])
    t = pa.table({"extra": [1, 2], "n": pa.array([1, 2], pa.int32()), "id": ["a", "b"]})
    out = schema.conform(t, sch)
    assert out.schema == sch
    assert out.to_pydict() == {"id": ["a", "b"], "n": [1, 2], "drop_reason": [None, None]}


# --------------------------------------------------------------------------- stage helpers


def test_set_column_adds_and_replaces():
    t = pa.table({"a": [1, 2]})
    t = set_column(t, "b", ["x", "y"], pa.string())
    assert t.column_names == ["a", "b"]
    t = set_column(t, "a", [3, 4], pa.int8())
    assert t.column_names == ["a", "b"] and t.column("a").type == pa.int8() and t.column("a").to_pylist() == [3, 4]


def test_reject_keeps_earlier_reasons():
    t = pa.table({"id": ["a", "b", "c"]})
    t = reject(t, [None, "first", None])
    t = reject(t, ["second", "second", None])
    assert t.column("drop_reason").to_pylist() == ["second", "first", None]
    with pytest.raises(ValueError):
        reject(t, [None])


def test_stage_base_and_pickle():
    s = Scorer()
    with pytest.raises(NotImplementedError):
        Stage.process(s, pa.table({}))
    assert pickle.loads(pickle.dumps(s)) == s
    assert s.fingerprint().startswith("scorer:")
