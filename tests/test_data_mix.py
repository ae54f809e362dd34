"""The mix planner and builder: proportions, repetition caps, shortfall, determinism, fallbacks."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_mix.build import build
from data_mix.columns import buckets_of, describe
from data_mix.plan import MixConfig, make_plan, write_plan

WORDS = ("the of and to in is was for on that with as by at from his her it an were are which this be "
         "theorem proof integral def return import class lambda matrix Haus und der die el la le et").split()


def write_run(root: Path, shards: list[pa.Table], phase: str = "quality") -> Path:
    """A fake `curate run` output: one committed phase holding ``shards``."""
    (root / phase / "_markers").mkdir(parents=True)
    for i, t in enumerate(shards):
        pq.write_table(t, root / phase / f"part-{i:05d}.parquet")
        (root / phase / "_markers" / f"{i:05d}.json").write_text("{}")
    (root / "run.json").write_text(json.dumps({"phases": ["extract", phase]}))
    return root


def corpus(n_docs: int, seed: int = 0, with_quality: bool = True) -> list[pa.Table]:
    """Documents of 20-200 words in four buckets (general-heavy, math- and multilingual-light)."""
    from curate.tokenizer import count_tokens

    rng = random.Random(seed)
    buckets = rng.choices(["general", "math", "code", "multilingual"], weights=[60, 8, 20, 12], k=n_docs)
    rows = []
    for i, b in enumerate(buckets):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 200)))
        rows.append({"id": f"<urn:uuid:{seed}-{i}>", "text": text, "lang": "de" if b == "multilingual" else "en",
                     "mix_bucket": b, "category": rng.choice(["science", "arts_and_entertainment", "sports"]),
                     "fasttext_quality": rng.random(), "code_score": rng.random(), "math_score": rng.random()})
    table = pa.Table.from_pylist(rows)
    table = table.append_column("token_count", pa.array(count_tokens(table.column("text").to_pylist()), pa.int32()))
    if not with_quality:
        table = table.drop_columns(["mix_bucket", "fasttext_quality", "code_score", "math_score", "category"])
    half = n_docs // 2
    return [table.slice(0, half), table.slice(half)]


@pytest.fixture(scope="module")
def run_root(tmp_path_factory) -> Path:
    return write_run(tmp_path_factory.mktemp("run"), corpus(1200))


def shares(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {b: t / total for b, t in counts.items()}


@pytest.mark.parametrize("selection", ["quality", "random"])
def test_built_mix_within_one_percent_of_target(run_root, selection, tmp_path):
    root = write_run(tmp_path, [pq.read_table(p) for p in sorted((run_root / "quality").glob("part-*.parquet"))])
    cfg = MixConfig(budget_tokens=150_000, selection=selection, seed=3, val_fraction=0.02)
    plan = make_plan(str(root), cfg)
    assert plan["shortfall_tokens"] == 0
    assert plan["buckets"]["math"]["epochs"] > 1  # math is scarce: repeated, under the cap
    assert plan["buckets"]["general"]["epochs"] < 1  # general is plentiful: downsampled
    write_plan(str(root), plan)
    m = build(str(root))
    got = shares(m["splits"]["train"]["doc_tokens_by_bucket"])
    print(selection, {b: f"{v:.4f}" for b, v in got.items()}, m["splits"]["train"]["doc_tokens_by_bucket"])
    for b, want in cfg.targets.items():
        assert abs(got[b] - want) < 0.01, (b, got[b], want)
    assert abs(sum(m["splits"]["train"]["doc_tokens_by_bucket"].values()) - 150_000) / 150_000 < 0.01
    assert m["splits"]["val"]["docs"] > 0


def test_quality_ordered_selection_takes_the_best_first(run_root):
    plan = make_plan(str(run_root), MixConfig(budget_tokens=40_000, val_fraction=0.0))
    general = plan["buckets"]["general"]
    assert general["epochs"] < 0.5
    # the cutoff in quality order: only documents scoring above about 1 - share of tokens are in
    cutoff_score = 1.0 - general["rates"]["cutoff_bin"] / 65536
    assert 0.5 < cutoff_score < 1.0


def test_repetition_cap_and_shortfall(run_root):
    cfg = MixConfig(budget_tokens=2_000_000, max_epochs=2, val_fraction=0.0)
    plan = make_plan(str(run_root), cfg)
    math = plan["buckets"]["math"]
    assert math["epochs"] == pytest.approx(2.0, rel=1e-3)  # capped
    assert plan["shortfall_tokens"] > 0 and math["shortfall_tokens"] > 0
    planned = {b: v["planned_tokens"] for b, v in plan["buckets"].items()}
    for b, s in shares(planned).items():  # shrink keeps the proportions
        assert abs(s - cfg.targets[b]) < 1e-3
    fill = make_plan(str(run_root), MixConfig(budget_tokens=120_000, max_epochs=1, val_fraction=0.0,
                                              shortfall="fill"))
    assert fill["planned_tokens"] == pytest.approx(120_000, abs=2)
    assert fill["buckets"]["math"]["shortfall_tokens"] > 0


def test_category_down_weight(run_root):
    base = make_plan(str(run_root), MixConfig(budget_tokens=10_000, val_fraction=0.0))
    down = make_plan(str(run_root), MixConfig(budget_tokens=10_000, val_fraction=0.0,
                                              category_weights={"arts_and_entertainment": 0.25}))
    arts = [s["tokens"] for s in base["strata"] if s["category"] == "arts_and_entertainment" and s["bucket"] == "general"]
    eligible = base["buckets"]["general"]["eligible_tokens"] - 0.75 * sum(arts)
    assert down["buckets"]["general"]["eligible_tokens"] == pytest.approx(eligible, abs=1)


def test_build_is_byte_for_byte_deterministic(run_root, tmp_path):
    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root / "mix")): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "mix").rglob("*")) if p.is_file()}

    tables = [pq.read_table(p) for p in sorted((run_root / "quality").glob("part-*.parquet"))]
    digests = []
    for name in ("a", "b"):
        root = write_run(tmp_path / name, tables)
        write_plan(str(root), make_plan(str(root), MixConfig(budget_tokens=60_000, seed=7, anneal_tokens=5_000,
                                                             val_fraction=0.02)))
        build(str(root), shard_tokens=20_000)
        digests.append(digest(root))
    assert len(digests[0]) >= 8  # plan, manifest, several train parts, val, anneal
    assert digests[0] == digests[1]
    other = write_run(tmp_path / "c", tables)
    write_plan(str(other), make_plan(str(other), MixConfig(budget_tokens=60_000, seed=8, val_fraction=0.02)))
    build(str(other), shard_tokens=20_000)
    assert digest(other)["train/part-00000.bin"] != digests[0]["train/part-00000.bin"]


def test_packed_shards_hold_documents_with_eos(run_root, tmp_path):
    from curate.tokenizer import EOS_ID, decode

    root = write_run(tmp_path, corpus(40, seed=1))
    write_plan(str(root), make_plan(str(root), MixConfig(budget_tokens=3_000, val_fraction=0.0)))
    m = build(str(root))
    part = m["splits"]["train"]["parts"][0]
    ids = np.fromfile(root / "mix" / "train" / part["bin"], dtype="<u4")
    idx = np.fromfile(root / "mix" / "train" / part["idx"], dtype="<u8")
    assert idx[0] == 0 and idx[-1] == len(ids) == part["tokens"]
    assert (ids[idx[1:] - 1] == EOS_ID).all() and (ids == EOS_ID).sum() == len(idx) - 1
    texts = set(pa.concat_tables([pq.read_table(p) for p in (root / "quality").glob("*.parquet")])
                .column("text").to_pylist())
    assert decode(ids[idx[0]:idx[1] - 1].tolist()) in texts
    assert m["tokenizer"]["vocab_size"] == 128_256 and len(m["tokenizer"]["sha256"]) == 64


def test_without_quality_columns_lang_decides_the_bucket(tmp_path):
    t = corpus(200, seed=2, with_quality=False)[0]
    b = buckets_of(t)
    langs = t.column("lang").to_pylist()
    assert all((x == 3) == (lg != "en") for x, lg in zip(b, langs))
    d = describe(t, seed=0)
    assert np.isnan(d.score).all() and set(d.category) == {"none"}
    root = write_run(tmp_path, corpus(300, seed=2, with_quality=False))
    plan = make_plan(str(root), MixConfig(budget_tokens=5_000, val_fraction=0.0))
    assert plan["buckets"]["math"]["available_tokens"] == 0 and plan["buckets"]["general"]["available_tokens"] > 0
    assert {s["band"] for s in plan["strata"]} == {"none"}


def test_token_count_absent_is_counted():
    t = corpus(30, seed=4)[0]
    assert describe(t.drop_columns(["token_count"]), 0).tokens.tolist() == t.column("token_count").to_pylist()


def test_bad_config_and_changed_inputs_are_refused(run_root, tmp_path):
    with pytest.raises(ValueError, match="unknown mix bucket"):
        MixConfig(budget_tokens=10, targets={"poetry": 1.0})
    root = write_run(tmp_path, corpus(40, seed=5))
    write_plan(str(root), make_plan(str(root), MixConfig(budget_tokens=1_000)))
    pq.write_table(corpus(40, seed=6)[0], root / "quality" / "part-00000.parquet")
    with pytest.raises(ValueError, match="changed since the plan"):
        build(str(root))


def test_cli_plan_dry_run_then_build(tmp_path, capsys):
    from curate.cli import main

    root = write_run(tmp_path, corpus(300, seed=9))
    assert main(["mix", "plan", str(root), "--budget-tokens", "500k", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "SHORTFALL" in out and "general" in out
    assert not (root / "mix" / "plan.json").exists()
    assert main(["mix", "build", str(root)]) == 2  # no plan yet: a clear error
    assert "curate mix plan" in capsys.readouterr().err
    assert main(["mix", "plan", str(root), "--budget-tokens", "10k", "--category-weight",
                 "sports=0.5", "--anneal-tokens", "1k"]) == 0
    assert main(["mix", "build", str(root)]) == 0
    m = json.loads((root / "mix" / "manifest.json").read_text())
    assert m["config"]["category_weights"] == {"sports": 0.5} and set(m["splits"]) == {"train", "val", "anneal"}


def test_an_empty_bucket_hands_its_share_to_the_others(tmp_path):
    root = write_run(tmp_path, corpus(300, seed=2, with_quality=False))
    plan = make_plan(str(root), MixConfig(budget_tokens=5_000, val_fraction=0.0))
    b = plan["buckets"]
    assert b["math"]["planned_tokens"] == 0 and b["math"]["shortfall_tokens"] == 1_250
    assert plan["planned_tokens"] == 5_000
    assert b["general"]["planned_tokens"] == pytest.approx(5_000 * 50 / 58, abs=1)
