"""curate.stats and curate.inspect (and their CLI commands): counts from the written files, samples."""

from __future__ import annotations

import collections
import glob
import io
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BOILERPLATE_HTML, Rec, article_html, articles, write_recipe

from curate import inspect, stats
from curate.cli import main
from curate.io import shards
from curate.runner import run

RECIPE = """
import dataclasses
from typing import ClassVar
import pyarrow as pa
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stage import Resources, Stage, reject, set_column
from curate.stages.extract import Extract

@dataclasses.dataclass
class Words(Stage):
    '''Counts words; rejects texts under ``min_words``.'''
    min_words: int = 0
    name: ClassVar[str] = "words"
    columns: ClassVar[dict] = {"n_words": pa.int64()}
    resources: Resources = dataclasses.field(default_factory=Resources)
    def process(self, batch):
        n = [len(t.split()) for t in batch.column("text").to_pylist()]
        batch = set_column(batch, "n_words", n, pa.int64())
        return reject(batch, [f"too_few_words:<{self.min_words}" if k < self.min_words else None for k in n])

def build(params):
    return [Phase("extract", reader=WarcReader(), stages=[Extract(), Words(**params.get("words", {}))])]
"""


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """An output root of two shards with rejections at three stages (read, extract, words)."""
    from conftest import write_warc

    tmp = tmp_path_factory.mktemp("stats")
    path = write_recipe(tmp / "words_recipe.py", RECIPE)
    long_pages = [Rec(f"https://long.example/p/{i}", article_html(i, paragraphs=4 + i)) for i in range(6)]
    short_pages = articles(4, "https://short.example/p", paragraphs=1, start=10)
    a = write_warc(tmp / "in" / "a.warc.gz", long_pages[:3] + short_pages[:2] + [
        Rec("https://long.example/gone", "x", status=404),
        Rec("https://long.example/empty", BOILERPLATE_HTML)])
    b = write_warc(tmp / "in" / "b.warc.gz", long_pages[3:] + short_pages[2:] + [
        Rec("https://long.example/gone2", "x", status=404),
        Rec("https://long.example/api", "{}", content_type="application/json"),
        Rec("https://long.example/p/0", b"", type="revisit", record_id="<urn:uuid:rv>")])
    out = tmp / "out"
    result = run([str(a), str(b)], str(out), recipe=str(path), params={"words": {"min_words": 150}},
                 runner="local", log=io.StringIO())
    assert result.ok, result.failed
    return out


def from_files(out) -> tuple[int, int, collections.Counter]:
    """Counts straight from the Parquet files, independent of curate.stats."""
    kept = sum(pq.read_metadata(p).num_rows for p in glob.glob(f"{out}/extract/part-*.parquet"))
    reasons = collections.Counter()
    rejected = 0
    for p in glob.glob(f"{out}/extract/rejected/part-*.parquet"):
        t = pq.read_table(p, columns=["drop_stage", "drop_reason"])
        rejected += t.num_rows
        reasons.update(zip(t.column("drop_stage").to_pylist(), t.column("drop_reason").to_pylist()))
    return kept, rejected, reasons


def test_counts_come_from_the_files(output):
    kept, rejected, reasons = from_files(output)
    st = stats.compute(str(output))["phases"]["extract"]
    assert (st["kept"], st["rejected"], st["docs_in"]) == (kept, rejected, kept + rejected)
    assert {(r["stage"], r["reason"]): r["count"] for r in st["rejected_by"]} == dict(reasons)
    assert sum(r["count"] for r in st["rejected_by"]) == st["rejected"]
    # what the test input holds: 6 long pages kept; short ones, 404s, json, revisit, boilerplate rejected
    assert kept == 6
    assert set(reasons) == {("words", "too_few_words:<150"), ("read", "http_status:404"),
                            ("read", "not_html:application/json"), ("read", "revisit"), ("extract", "no_text")}
    assert reasons[("words", "too_few_words:<150")] == 4 and reasons[("read", "http_status:404")] == 2
    assert st["shards_committed"] == 2 and st["shards_failed"] == 0
    assert st["records"]["response"] == 14 and st["records"]["revisit"] == 1
    assert set(st["stage_seconds"]) == {"extract", "words"}


def test_stats_ignore_marker_counters(output, tmp_path):
    """Markers may say anything (a retried task); stats count rows in the files."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    for m in (copy / "extract" / "_markers").glob("*.json"):
        d = json.loads(m.read_text())
        d.update(kept=10_000, rejected=10_000, rows_in=10_000)
        m.write_text(json.dumps(d))
    assert stats.compute(str(copy))["phases"]["extract"]["docs_in"] == sum(from_files(output)[:2])


def test_phases_found_without_run_json(output, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    os.remove(copy / "run.json")
    assert stats.phases_in(str(copy)) == ["extract"]
    assert stats.compute(str(copy))["phases"]["extract"]["kept"] == 6


def test_failed_shards_in_stats(tmp_path):
    out = str(tmp_path)
    shards.write_failure(out, "extract", "s1", {"error": "WarcReadError: boom"})
    shards.write_failure(out, "extract", "s2", {"error": "later fixed"})
    sch = pa.schema([("id", pa.string()), ("drop_reason", pa.string()), ("drop_stage", pa.string())])
    w = shards.ShardWriter(out, "extract", "s2", sch)
    w.commit({})
    shards.write_failure(out, "extract", "s2", {"error": "stale failure file of a committed shard"})
    st = stats.phase_stats(out, "extract")
    assert st["shards_failed"] == 1 and st["failed"] == {"s1": "WarcReadError: boom"}
    assert "FAILED s1: WarcReadError: boom" in stats.format_summary({"out_root": out, "phases": {"extract": st}})


def test_stats_cli_table_and_json(output, capsys):
    kept, rejected, reasons = from_files(output)
    assert main(["stats", str(output), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    p = st["phases"]["extract"]
    assert (p["docs_in"], p["kept"], p["rejected"]) == (kept + rejected, kept, rejected)
    assert {(r["stage"], r["reason"]): r["count"] for r in p["rejected_by"]} == dict(reasons)

    assert main(["stats", str(output)]) == 0
    table = capsys.readouterr().out
    lines = table.splitlines()

    def number(label):
        line = next(ln for ln in lines if ln.strip().startswith(label))
        return int(line[len(label) + line.index(label):].split()[0].replace(",", ""))

    assert number("documents in") == kept + rejected
    assert number("kept") == kept
    assert number("rejected") == rejected
    for (stage, reason), n in reasons.items():
        line = next(ln for ln in lines if ln.strip().startswith(f"{stage}: {reason}"))
        assert int(line.split()[-1].replace(",", "")) == n
    assert "phase extract: 2 shards committed, 0 failed" in table


def test_summary_truncates_many_reasons():
    p = {"shards_committed": 1, "shards_failed": 0, "failed": {}, "docs_in": 30, "kept": 0, "rejected": 30,
         "rejected_by": [{"stage": "s", "reason": f"r{i}", "count": 1} for i in range(30)],
         "records": {}, "stage_seconds": {}, "shard_seconds": 0, "docs_per_core_second": None}
    text = stats.format_summary({"out_root": "x", "phases": {"p": p}})
    assert "5 more reasons" in text
    assert "s: r24" in text and "s: r25" not in text


# --------------------------------------------------------------------------- inspect


def inspect_json(capsys, *args) -> list[dict]:
    rc = main(["inspect", *args, "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_inspect_kept_by_default(output, capsys):
    docs = inspect_json(capsys, str(output), "-n", "100")
    assert len(docs) == 6
    assert all(d["drop_reason"] is None and d["text"] and d["n_words"] >= 150 for d in docs)


def test_inspect_where(output, capsys):
    docs = inspect_json(capsys, str(output), "-n", "100", "--where", "url~long.example/p/2")
    assert [d["url"] for d in docs] == ["https://long.example/p/2"]
    kept, _, _ = from_files(output)
    all_docs = inspect_json(capsys, str(output), "-n", "100")
    threshold = sorted(d["n_words"] for d in all_docs)[2]
    docs = inspect_json(capsys, str(output), "-n", "100", "--where", f"n_words>={threshold}")
    assert sorted(d["n_words"] for d in docs) == sorted(d["n_words"] for d in all_docs if d["n_words"] >= threshold)
    assert len(docs) == 4
    # several filters all hold
    docs = inspect_json(capsys, str(output), "-n", "100", "--where", f"n_words>={threshold}",
                        "--where", "url~p/0")
    assert all(d["url"].endswith("/p/0") for d in docs) and len(docs) <= 1
    docs = inspect_json(capsys, str(output), "-n", "100", "--where", "host=long.example")
    assert len(docs) == kept


def test_inspect_reason_and_rejected(output, capsys):
    docs = inspect_json(capsys, str(output), "-n", "100", "--reason", "too_few_words")
    assert len(docs) == 4
    assert all(d["drop_stage"] == "words" and d["url"].startswith("https://short.example/") for d in docs)
    docs = inspect_json(capsys, str(output), "-n", "100", "--reason", "http_status")
    assert sorted(d["url"] for d in docs) == ["https://long.example/gone", "https://long.example/gone2"]
    docs = inspect_json(capsys, str(output), "-n", "100", "--rejected")
    assert len(docs) == from_files(output)[1]
    docs = inspect_json(capsys, str(output), "-n", "100", "--rejected", "--where", "drop_stage=read")
    assert {d["drop_reason"] for d in docs} == {"http_status:404", "not_html:application/json", "revisit"}


def test_inspect_n_and_columns(output, capsys):
    docs = inspect_json(capsys, str(output), "-n", "2", "--columns", "url,title,nope")
    assert len(docs) == 2 and all(set(d) == {"url", "title"} for d in docs)


def test_inspect_text_output(output, capsys):
    assert main(["inspect", str(output), "-n", "1", "--chars", "40"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- document 1")
    assert "chars]" in out and "url:" in out


def test_inspect_errors(output, tmp_path, capsys):
    assert main(["inspect", str(output), "--where", "n_words >> 3"]) == 2
    assert "--where" in capsys.readouterr().err
    assert main(["inspect", str(output), "--where", "no_such_column=1"]) == 2
    assert "no_such_column" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["inspect", str(tmp_path / "empty")]) == 2
    assert "no committed phase" in capsys.readouterr().err


def test_parse_where():
    assert inspect.parse_where("lang=en") == ("lang", "=", "en")
    assert inspect.parse_where(" token_count >= 100 ") == ("token_count", ">=", "100 ")
    assert inspect.parse_where("text~a = b") == ("text", "~", "a = b")
    with pytest.raises(ValueError):
        inspect.parse_where("=x")


def test_format_docs():
    docs = [{"id": "a", "text": "x" * 50, "html": b"<p>", "url": "u"}]
    text = inspect.format_docs(docs, max_chars=10)
    assert "[50 chars]" in text and "html" not in text and "id: a" in text.replace("  ", " ")
    assert inspect.format_docs([]) == "no matching documents"
    assert json.loads(inspect.format_docs([{"t": "日本"}], as_json=True)) == {"t": "日本"}
