"""MinHash document dedup: connected components by star rounds, and the jobs through a run."""

from __future__ import annotations

import io
import random
import re

import pyarrow as pa
import pytest
from conftest import WORDS, Rec, phase_tables, write_recipe

from curate.dedup.components import components_local, star, symmetric
from curate.runner import run


def edges_table(es, prio):
    return pa.table({"u": pa.array([a for a, _ in es], pa.int64()), "pu": pa.array([prio[a] for a, _ in es], pa.int64()),
                     "v": pa.array([b for _, b in es], pa.int64()), "pv": pa.array([prio[b] for _, b in es], pa.int64())})


def rounds_until_settled(edges: pa.Table, partitions: int = 3) -> tuple[dict[int, int], int]:
    """The star rounds as the jobs run them: every reduce sees one hash partition of the nodes."""
    from curate.job import partition_of

    g, rnd = edges, 0
    while True:
        rnd += 1
        adj = symmetric(g)
        part = partition_of(adj.column("node"), partitions)
        outs = [star(adj.filter(pa.array(part == p)), large=rnd % 2 == 1) for p in range(partitions)]
        out = pa.concat_tables(outs)
        settled = all(o.num_rows == 0 or o.column("settled")[0].as_py() for o in outs)
        g = out.drop_columns(["settled"])
        if settled:
            break
        assert rnd < 100
    got = {r["u"]: r["v"] for r in g.to_pylist()}
    for r in g.to_pylist():
        got.setdefault(r["v"], r["v"])
    return got, rnd


@pytest.mark.parametrize("seed", range(40))
def test_star_rounds_find_the_components_of_random_graphs(seed):
    rng = random.Random(seed)
    n = rng.randint(2, 80)
    prio = {i: rng.randint(0, 4) for i in range(n)}
    if seed % 4 == 0:  # a long path: the worst case for label propagation
        es = [(i, i + 1) for i in range(n - 1)]
        rng.shuffle(es)
    else:
        es = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(1, 2 * n))]
    t = edges_table(es, prio)
    expected = {k: v for k, v in components_local(t).items() if any(k in e and e[0] != e[1] for e in es)}
    got, rounds = rounds_until_settled(t)
    assert got == expected
    # every centre is the smallest (prio, node) of its component
    for node, centre in got.items():
        assert (prio[centre], centre) <= (prio[node], node)


def test_star_on_empty_and_self_loops():
    assert star(symmetric(edges_table([], {})), True).num_rows == 0
    assert star(symmetric(edges_table([(1, 1)], {1: 0})), False).num_rows == 0


# --------------------------------------------------------------------------- through a run

RECIPE = '''
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stages.extract import Extract
from curate.stages.language import Language
from curate.stages.minhash_dedup import MinhashDedupFilter, MinhashLsh

def build(params):
    return [Phase("extract", reader=WarcReader(), stages=[Extract(), Language()]),
            Phase("dedup", jobs=[MinhashLsh(partitions=3, **params.get("minhash", {}))],
                  stages=[MinhashDedupFilter()])]
'''


def story(seed: int, n: int = 400) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(WORDS) for _ in range(n)]


def page(words: list[str]) -> str:
    paras = [" ".join(words[i:i + 50]) + "." for i in range(0, len(words), 50)]
    return "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paras) + "</article></body></html>"


def edited(words: list[str], k: int, seed: int) -> list[str]:
    """``k`` single-word substitutions: Jaccard of 5-shingles about (1 - 5k/n) / (1 + 5k/n)."""
    rng = random.Random(seed)
    w = list(words)
    for _ in range(k):
        w[rng.randrange(len(w))] = "zzz" + str(rng.randrange(10**6))
    return w


@pytest.fixture
def corpus(make_warc):
    base, other = story(1), story(2)
    recs_a = [
        Rec("https://a.example/original", page(base), date="2024-01-10T00:00:00Z", record_id="<urn:uuid:orig>"),
        Rec("https://b.example/copy", page(edited(base, 2, 1)), date="2024-03-01T00:00:00Z", record_id="<urn:uuid:copy1>"),
        Rec("https://u.example/unrelated", page(other), record_id="<urn:uuid:other>"),
    ]
    recs_b = [
        Rec("https://c.example/copy", page(edited(base, 3, 2)), date="2024-06-01T00:00:00Z",
            record_id="<urn:uuid:copy2>"),  # newest of the cluster: kept
        Rec("https://d.example/far", page(edited(base, 60, 3)), date="2024-07-01T00:00:00Z",
            record_id="<urn:uuid:far>"),    # too different: its own document
        Rec("https://e.example/exact", page(other), date="2023-01-01T00:00:00Z", record_id="<urn:uuid:other-old>"),
    ]
    return make_warc("in/a.warc.gz", recs_a), make_warc("in/b.warc.gz", recs_b)


@pytest.mark.parametrize("runner", ["local", pytest.param("ray", marks=pytest.mark.ray)])
def test_near_duplicates_keep_the_newest(corpus, tmp_path, runner, request):
    if runner == "ray":
        request.getfixturevalue("ray_session")
    recipe = write_recipe(tmp_path / "r.py", RECIPE)
    out = tmp_path / "out"
    log = io.StringIO()
    result = run([str(c) for c in corpus], str(out), recipe=str(recipe), params={}, runner=runner, log=log)
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "dedup")
    assert sorted(kept.column("id").to_pylist()) == ["<urn:uuid:copy2>", "<urn:uuid:far>", "<urn:uuid:other>"]
    assert sorted(rejected.column("id").to_pylist()) == ["<urn:uuid:copy1>", "<urn:uuid:orig>",
                                                         "<urn:uuid:other-old>"]
    assert set(rejected.column("drop_reason").to_pylist()) == {"minhash_dup"}
    by_id = {r["id"]: r for r in pa.concat_tables([kept, rejected]).to_pylist()}
    assert by_id["<urn:uuid:copy2>"]["minhash_cluster_size"] == 3
    assert by_id["<urn:uuid:orig>"]["minhash_cluster"] == by_id["<urn:uuid:copy2>"]["minhash_cluster"]
    assert by_id["<urn:uuid:far>"]["minhash_cluster_size"] == 1 and by_id["<urn:uuid:far>"]["minhash_cluster"] is None
    assert by_id["<urn:uuid:other>"]["minhash_cluster_size"] == 2
    assert "candidate pair(s)" in log.getvalue() and "star round" in log.getvalue()
    for job in ("minhash_candidates", "minhash_shingles", "minhash_verify_u", "minhash_verify_v"):
        assert f"job {job}:" in log.getvalue()
    assert "false positive(s) removed" in log.getvalue()


@pytest.mark.parametrize("langs,pairs", [(["en", "en"], 1), (["en", "de"], 0), ([None, "und"], 1)])
def test_buckets_are_per_language(langs, pairs):
    from curate.stages.minhash_dedup import MinhashLsh

    job = MinhashLsh()
    text = " ".join(story(9))
    batch = pa.table({"text": [text, text], "lang": langs,
                      "fetch_time": pa.array([None, None], pa.timestamp("us", tz="UTC")),
                      "_shard_index": pa.array([0, 1], pa.int64()), "_row": pa.array([0, 0], pa.int64())})
    assert job.reduce(job.map(batch)).num_rows == pairs


def test_empty_texts_are_never_duplicates():
    from curate.stages.minhash_dedup import MinhashLsh

    job = MinhashLsh()
    batch = pa.table({"text": ["", None, "   "], "lang": ["en"] * 3,
                      "fetch_time": pa.array([None] * 3, pa.timestamp("us", tz="UTC")),
                      "_shard_index": pa.array([0, 0, 0], pa.int64()), "_row": pa.array([0, 1, 2], pa.int64())})
    assert job.reduce(job.map(batch)).num_rows == 0


def test_keep_longest(make_warc, tmp_path):
    base = story(5)
    longer = base + story(6, 20)
    warc = make_warc("in/c.warc.gz", [
        Rec("https://a.example/1", page(base), record_id="<urn:uuid:short>"),
        Rec("https://a.example/2", page(longer), record_id="<urn:uuid:long>"),
    ])
    recipe = write_recipe(tmp_path / "r.py", RECIPE)
    out = tmp_path / "out"
    result = run([str(warc)], str(out), recipe=str(recipe), params={"minhash": {"keep": "longest"}}, runner="local",
                 log=io.StringIO())
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "dedup")
    assert kept.column("id").to_pylist() == ["<urn:uuid:long>"]
    assert rejected.column("id").to_pylist() == ["<urn:uuid:short>"]


def test_bad_keep_rule():
    from curate.stages.minhash_dedup import MinhashLsh

    with pytest.raises(ValueError, match="keep"):
        MinhashLsh(keep="random")


# --------------------------------------------------------------------------- exact verification

@pytest.fixture
def planted(make_warc):
    """A source, a near copy (Jaccard ~0.95) and a far copy (~0.6) that tiny signatures make a candidate."""
    base = story(11)
    return make_warc("in/p.warc.gz", [
        Rec("https://a.example/src", page(base), date="2024-01-01T00:00:00Z", record_id="<urn:uuid:src>"),
        Rec("https://b.example/near", page(edited(base, 2, 4)), date="2024-02-01T00:00:00Z", record_id="<urn:uuid:near>"),
        Rec("https://c.example/mid", page(edited(base, 20, 5)), date="2024-03-01T00:00:00Z", record_id="<urn:uuid:mid>"),
    ])


def _jaccards(out):
    from curate.dedup.minhash import jaccard

    kept, rejected = phase_tables(out, "extract")
    text = {r["id"]: r["text"] for r in pa.concat_tables([kept, rejected]).to_pylist()}
    return text, jaccard(text["<urn:uuid:src>"], text["<urn:uuid:mid>"]), jaccard(text["<urn:uuid:src>"],
                                                                                  text["<urn:uuid:near>"])


@pytest.mark.parametrize("runner", ["local", pytest.param("ray", marks=pytest.mark.ray)])
def test_verification_removes_a_planted_false_positive(planted, tmp_path, runner, request):
    if runner == "ray":
        request.getfixturevalue("ray_session")
    recipe = write_recipe(tmp_path / "r.py", RECIPE)
    ids = {}
    for verify in ("none", "exact"):
        out = tmp_path / verify
        log = io.StringIO()
        # 4 permutations, 3 bands of 1 row: a pair of Jaccard 0.6 is a candidate with probability 0.94
        params = {"minhash": {"num_perm": 4, "fn_weight": 0.99, "verify": verify}}
        result = run([str(planted)], str(out), recipe=str(recipe), params=params, runner=runner, log=log)
        assert result.ok, result.failed
        kept, rejected = phase_tables(out, "dedup")
        ids[verify] = (sorted(kept.column("id").to_pylist()), sorted(rejected.column("id").to_pylist()))
        if verify == "exact":
            assert re.search(r"[1-9]\d* false positive\(s\) removed", log.getvalue()), log.getvalue()
    _, j_mid, j_near = _jaccards(tmp_path / "exact")
    assert 0.5 < j_mid < 0.7 and j_near > 0.9
    # without verification the far copy joins the cluster (and is dropped): the test plants a real candidate
    assert ids["none"] == (["<urn:uuid:mid>"], ["<urn:uuid:near>", "<urn:uuid:src>"])
    # with it, the far copy stays and the near pair is still one cluster (the newer kept)
    assert ids["exact"] == (["<urn:uuid:mid>", "<urn:uuid:near>"], ["<urn:uuid:src>"])


def test_jaccard_pairs_matches_the_sets():
    import numpy as np

    from curate.dedup.minhash import jaccard, shingle_hashes
    from curate.stages.minhash_dedup import SHINGLES_TYPE, jaccard_pairs

    base = story(3)
    texts = [" ".join(base), " ".join(edited(base, 10, 1)), " ".join(story(4)), "", "", " ".join(edited(base, 40, 2))]
    sets = [np.unique(h) for h in shingle_hashes(texts, bits=32)]
    pairs = [(0, 1), (0, 2), (3, 4), (0, 3), (1, 5), (5, 5)]
    a = pa.array([sets[i] for i, _ in pairs], SHINGLES_TYPE)
    b = pa.array([sets[j] for _, j in pairs], SHINGLES_TYPE)
    got = jaccard_pairs(a, b)
    want = [jaccard(texts[i], texts[j]) for i, j in pairs]
    assert np.allclose(got, want)
    # a missing set (null) counts as empty
    assert jaccard_pairs(pa.array([None], SHINGLES_TYPE), pa.array([sets[0]], SHINGLES_TYPE)).tolist() == [0.0]


def test_small_buckets_link_all_pairs_when_verifying():
    from curate.stages.minhash_dedup import MinhashLsh

    # one bucket of 3 (head 1; 2 and 3 may be duplicates of each other only), one of 10
    t = pa.table({"bucket": pa.array([7, 7, 7] + [9] * 10, pa.uint64()),
                  "node": pa.array([1, 2, 3] + list(range(100, 110)), pa.int64()),
                  "prio": pa.array([0] * 13, pa.int64())})
    pairs = lambda job: {(r["u"], r["v"]) for r in job.reduce(t).to_pylist()}  # noqa: E731
    star = {(2, 1), (3, 1)} | {(n, 100) for n in range(101, 110)}
    assert pairs(MinhashLsh(verify="none")) == star
    assert pairs(MinhashLsh(verify="exact")) == star | {(3, 2)} | {(b, a) for a in range(100, 110)
                                                                   for b in range(a + 1, 110)}
    # above pair_limit: the star plus each member's `window` predecessors in hashed order
    got = pairs(MinhashLsh(verify="exact", pair_limit=4, window=2))
    big = {e for e in got if e[0] >= 100}
    assert star <= got and {(3, 2)} <= got and all(u > v for u, v in got)
    assert 9 < len(big) <= 9 + 9 + 8
    assert all(sum(n in e for e in big) >= 2 for n in range(101, 110))


def test_bad_verify_and_band_choice():
    from curate.dedup.minhash import bands_rows
    from curate.stages.minhash_dedup import MinhashLsh

    with pytest.raises(ValueError, match="verify"):
        MinhashLsh(verify="signature")
    with pytest.raises(ValueError, match="kept_rounds"):
        MinhashLsh(kept_rounds=0)
    assert (MinhashLsh(verify="none").bands, MinhashLsh(verify="none").rows) == bands_rows(0.8, 128)
    job = MinhashLsh()
    assert (job.bands, job.rows) == bands_rows(0.8, 128, 0.1, 0.9)


# --------------------------------------------------------------------------- check against the kept

@pytest.fixture
def chain(make_warc):
    """A ~ B ~ C with J(A, C) < 0.8: B is the page, A and C edit disjoint words of it; C is the newest.
    D, the oldest, is A with 3 more edits: a near duplicate of A, not of C."""
    base = story(21)
    a, c = list(base), list(base)
    for i in range(0, 175, 25):  # 7 substitutions each, A in the first half, C in the second
        a[i] = f"zzza{i}"
        c[i + 200] = f"zzzc{i}"
    d = list(a)
    for i in (10, 60, 110):
        d[i] = f"zzzd{i}"
    return make_warc("in/chain.warc.gz", [
        Rec("https://a.example/a", page(a), date="2024-01-01T00:00:00Z", record_id="<urn:uuid:a>"),
        Rec("https://b.example/b", page(base), date="2024-02-01T00:00:00Z", record_id="<urn:uuid:b>"),
        Rec("https://c.example/c", page(c), date="2024-03-01T00:00:00Z", record_id="<urn:uuid:c>"),
        Rec("https://d.example/d", page(d), date="2023-01-01T00:00:00Z", record_id="<urn:uuid:d>"),
    ])


@pytest.mark.parametrize("runner", ["local", pytest.param("ray", marks=pytest.mark.ray)])
def test_a_chain_removes_only_duplicates_of_the_kept_document(chain, tmp_path, runner, request):
    from curate.dedup.minhash import jaccard

    if runner == "ray":
        request.getfixturevalue("ray_session")
    recipe = write_recipe(tmp_path / "r.py", RECIPE)
    got, logs = {}, {}
    for check in (False, True):
        out = tmp_path / f"check-{check}"
        log = io.StringIO()
        result = run([str(chain)], str(out), recipe=str(recipe), params={"minhash": {"check_kept": check}},
                     runner=runner, log=log)
        assert result.ok, result.failed
        kept, rejected = phase_tables(out, "dedup")
        got[check] = {r["id"][10:-1]: (r["drop_reason"], r["minhash_cluster_size"])
                      for r in pa.concat_tables([kept, rejected]).to_pylist()}
        logs[check] = log.getvalue()
    k, _ = phase_tables(tmp_path / "check-True", "extract")
    text = {r["id"][10:-1]: r["text"] for r in k.to_pylist()}
    assert jaccard(text["a"], text["b"]) >= 0.8 and jaccard(text["b"], text["c"]) >= 0.8
    assert jaccard(text["a"], text["c"]) < 0.8 and jaccard(text["d"], text["c"]) < 0.8
    assert jaccard(text["a"], text["d"]) >= 0.8
    # connected components: one cluster of 4, the newest (C) kept, A and D removed though J(., C) < 0.8
    assert got[False] == {"a": ("minhash_dup", 4), "b": ("minhash_dup", 4), "c": (None, 4), "d": ("minhash_dup", 4)}
    assert "job minhash_kept_u" not in logs[False]
    # checked: only B is a near duplicate of C; A and D fail it and form a sub-cluster that keeps A
    # (newer), and round 2 removes D as A's near duplicate
    assert got[True] == {"a": (None, 2), "b": ("minhash_dup", 2), "c": (None, 2), "d": ("minhash_dup", 2)}
    for job in ("minhash_components", "minhash_kept_u01", "minhash_kept_v01", "minhash_kept_c01",
                "minhash_kept_u02", "minhash_kept_c02", "minhash_clusters"):
        assert f"job {job}:" in logs[True]
    assert "minhash_kept_u03" not in logs[True]
    assert "0 of the 4 in connected components stay as their own documents" in logs[True]


def test_kept_round_reduce():
    """Per cluster: members >= threshold removed; the others regrouped around their first by (prio, node)."""
    from curate.stages.minhash_dedup import MinhashKeptC

    k1, k2 = (1 << 32) | 5, 7
    t = pa.table({"member": pa.array([3, (2 << 32) | 1, 8, 9, 10, 11, 12], pa.int64()),
                  "prio": pa.array([0, 0, 0, 5, 2, 2, 9], pa.int64()),
                  "cluster": pa.array([k1, k1, k2, k2, k2, k2, k1], pa.int64()),
                  "ok": [True, True, True, False, False, False, False]})
    rows = sorted(MinhashKeptC().reduce(t).to_pylist(), key=lambda r: (r["shard_index"], r["row"]))
    fin = dict(prio=0, pending=False)
    assert rows == [
        {"shard_index": 0, "row": 3, "cluster": k1, "size": 3, "keep": False, **fin},
        {"shard_index": 0, "row": 7, "cluster": k2, "size": 2, "keep": True, **fin},
        {"shard_index": 0, "row": 8, "cluster": k2, "size": 2, "keep": False, **fin},
        # 9, 10, 11 failed k2: 10 is their first (prio 2, smaller node than 11) and 9, 11 are checked against it
        {"shard_index": 0, "row": 9, "cluster": 10, "size": 0, "keep": False, "prio": 5, "pending": True},
        {"shard_index": 0, "row": 11, "cluster": 10, "size": 0, "keep": False, "prio": 2, "pending": True},
        # 12 failed k1 alone: its own document (no row)
        {"shard_index": 1, "row": 5, "cluster": k1, "size": 3, "keep": True, **fin},
        {"shard_index": 2, "row": 1, "cluster": k1, "size": 3, "keep": False, **fin},
    ]
    assert MinhashKeptC().reduce(t.slice(0, 0)).num_rows == 0
