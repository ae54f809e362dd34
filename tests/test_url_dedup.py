"""curate.dedup.url and the url_dedup job and filter: the newest fetch of each URL survives."""

from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa
import pytest
from conftest import Rec, article_html, phase_tables, write_recipe

from curate.dedup.url import normalize_url
from curate.job import SHARD
from curate.runner import jobs, run
from curate.stages.url_dedup import UrlDedup, UrlDedupFilter


@pytest.mark.parametrize("a,b", [
    ("HTTPS://Example.COM:443/a/b/", "http://example.com/a/b"),
    ("http://example.com/a?utm_source=x&b=2&a=1#top", "http://example.com/a?a=1&b=2"),
    ("http://example.com/a?fbclid=XYZ", "http://example.com/a"),
    ("http://user:pw@example.com/", "http://example.com"),
    ("http://example.com/%7Euser/./x/../y", "http://example.com/~user/y"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("http://[2001:DB8:0::1]:80/x", "http://[2001:db8::1]/x"),
    ("http://example.com./", "http://example.com/"),
])
def test_same_page(a, b):
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize("a,b", [
    ("http://example.com/a", "http://www.example.com/a"),     # another host
    ("http://example.com:8080/a", "http://example.com/a"),    # another port
    ("http://example.com/A", "http://example.com/a"),         # paths are case-sensitive
    ("http://example.com/a?id=1", "http://example.com/a?id=2"),
    ("http://example.com/a%2Fb", "http://example.com/a/b"),   # an escaped slash is not a slash
    ("ftp://example.com/a", "http://example.com/a"),
])
def test_different_pages(a, b):
    assert normalize_url(a) != normalize_url(b)


@pytest.mark.parametrize("url", [None, "", "mailto:x@example.com", "not a url", "http://[::1", "http://"])
def test_odd_urls_do_not_crash(url):
    assert isinstance(normalize_url(url), str)


def t(day: int | None):
    return None if day is None else dt.datetime(2024, 1, day, tzinfo=dt.timezone.utc)


def test_reduce_keeps_the_newest_with_a_deterministic_tie_break():
    job = UrlDedup()
    rows = pa.table({
        "url_key": ["http://a/x", "http://a/x", "http://a/x", "http://b/y", "http://b/y", "http://c/z", "http://d/w",
                    "http://d/w"],
        "id": ["1", "2", "3", "5", "4", "6", "8", "7"],
        "fetch_time": pa.array([t(1), t(9), t(5), t(3), t(3), t(2), None, t(1)], pa.timestamp("us", tz="UTC")),
        SHARD: ["s1", "s2", "s1", "s2", "s1", "s1", "s2", "s2"],
    })
    out = job.reduce(rows)
    got = {r["id"]: r["kept_id"] for r in out.to_pylist()}
    assert got == {"1": "2", "3": "2", "5": "4", "8": "7"}  # newest; same time: smallest id; null loses
    # the order of the input does not matter
    assert job.reduce(rows.take(pa.array([7, 6, 5, 4, 3, 2, 1, 0]))).to_pylist() == out.to_pylist()


RECIPE = '''
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stages.extract import Extract
from curate.stages.url_dedup import UrlDedup, UrlDedupFilter

def build(params):
    return [Phase("extract", reader=WarcReader(), stages=[Extract()]),
            Phase("url_dedup", jobs=[UrlDedup(partitions=4)], stages=[UrlDedupFilter()])]
'''


def fetch(url, day, n, rid):
    return Rec(url, article_html(n), date=f"2024-{day}T10:00:00Z", record_id=f"<urn:uuid:{rid}>")


@pytest.fixture
def dumps(make_warc):
    """Two 'dumps' that fetched overlapping URLs at different times."""
    a = make_warc("CC-MAIN-2024-10/a.warc.gz", [
        fetch("http://news.example/story", "03-01", 1, "a1"),
        fetch("https://news.example/other/", "03-01", 2, "a2"),
        fetch("https://solo.example/", "03-01", 3, "a3"),
    ])
    b = make_warc("CC-MAIN-2024-22/b.warc.gz", [
        fetch("https://NEWS.example/story?utm_campaign=x", "05-20", 4, "b1"),  # newer: wins
        fetch("http://news.example/other", "02-01", 5, "b2"),                   # older: loses
        fetch("http://news.example/other", "02-01", 6, "b3"),
    ])
    return a, b


@pytest.mark.parametrize("runner", ["local", pytest.param("ray", marks=pytest.mark.ray)])
def test_newest_fetch_survives_across_shards_and_dumps(dumps, tmp_path, runner, request):
    if runner == "ray":
        request.getfixturevalue("ray_session")
    recipe = write_recipe(tmp_path / "r.py", RECIPE)
    out = tmp_path / "out"
    result = run([str(d) for d in dumps], str(out), recipe=str(recipe), params={}, runner=runner, log=io.StringIO())
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "url_dedup")
    assert sorted(kept.column("id").to_pylist()) == ["<urn:uuid:a2>", "<urn:uuid:a3>", "<urn:uuid:b1>"]
    assert sorted(rejected.column("id").to_pylist()) == ["<urn:uuid:a1>", "<urn:uuid:b2>", "<urn:uuid:b3>"]
    assert set(rejected.column("drop_reason").to_pylist()) == {"url_dup"}
    assert set(kept.column("dump").to_pylist()) == {"CC-MAIN-2024-10", "CC-MAIN-2024-22"}
    # the artifact is routed: a shard reads its own rows only
    folder = jobs.job_dir(str(out), "url_dedup")
    shard_ids = [p.stem.removeprefix("part-") for p in (out / "extract").glob("part-*.parquet")]
    per_shard = {s: jobs.read_routed(folder, SHARD, s).column("id").to_pylist() for s in shard_ids}
    assert sorted(sum(per_shard.values(), [])) == sorted(rejected.column("id").to_pylist())
    assert all(len(v) in (1, 2) for v in per_shard.values())


def test_filter_needs_its_artifact():
    f = UrlDedupFilter()
    f.setup()
    f.begin_shard("s")
    with pytest.raises(RuntimeError, match="url_dedup artifact"):
        f.process(pa.table({"id": ["x"]}))


def test_read_routed_skips_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "ROUTED_ROW_GROUP", 10)
    job = UrlDedup(partitions=1)
    src = tmp_path / "in.parquet"
    import pyarrow.parquet as pq

    n = 100
    pq.write_table(pa.table({"url": [f"http://h{i % 50}.example/" for i in range(n)],
                             "id": [f"{i:03d}" for i in range(n)],
                             "fetch_time": pa.array([t(1 + i % 20) for i in range(n)], pa.timestamp("us", tz="UTC"))}),
                   src)
    out = str(tmp_path / "out")
    jobs.run_map(job, out, "only", str(src))
    assert jobs.run_reduce(job, out, 0, ["only"]) == 50
    got = jobs.read_routed(jobs.job_dir(out, "url_dedup"), SHARD, "only")
    assert got.num_rows == 50
    assert jobs.read_routed(jobs.job_dir(out, "url_dedup"), SHARD, "other").num_rows == 0
    assert jobs.read_routed(str(tmp_path / "none"), SHARD, "only") is None
