"""Line-level dedup (issue 5): curate.dedup.lines, the line_dedup job and stage, through a two-phase recipe."""

from __future__ import annotations

import hashlib
import io
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import Rec, phase_tables, write_recipe

from curate.dedup.lines import CODE_RE, keys_of, shard_groups, split_lines
from curate.job import partition_of
from curate.runner import jobs, run
from curate.stages.line_dedup import (
    LineCounts,
    LineDedup,
    bucket_counts,
    bucket_hashes,
    partition_keys,
    rebuild,
)

# The page body is the text, line for line (a stand-in for extraction); the language is the
# first label of the host (en.example -> en). The second phase counts lines and removes them.
RECIPE = '''
import dataclasses
from typing import ClassVar
import pyarrow as pa
import pyarrow.compute as pc
from curate.io.warc import WarcReader
from curate.pipeline import Phase
from curate.stage import Resources, Stage, set_column
from curate.stages.line_dedup import LineCounts, LineDedup


@dataclasses.dataclass
class BodyText(Stage):
    name: ClassVar[str] = "body_text"
    columns: ClassVar[dict] = {"text": pa.string(), "lang": pa.string()}
    consumes: ClassVar[tuple] = ("html", "charset")
    resources: Resources = dataclasses.field(default_factory=Resources)

    def process(self, batch):
        text = [h.decode("utf-8") for h in batch.column("html").to_pylist()]
        lang = [h.split(".")[0] for h in batch.column("host").to_pylist()]
        batch = set_column(batch, "text", text, pa.string())
        return set_column(batch, "lang", lang, pa.string())


def build(params):
    p = params.get("line_dedup", {})
    rules = {k: p[k] for k in ("min_letters", "exempt_code") if k in p}
    job = LineCounts(**{k: v for k, v in p.items() if k != "min_chars"})
    stage = LineDedup(**rules, **({"min_chars": p["min_chars"]} if "min_chars" in p else {}))
    return [Phase("extract", reader=WarcReader(), stages=[BodyText()]),
            Phase("lines", jobs=[job], stages=[stage])]
'''

NAV = "Home | About us | Contact | Privacy policy"
SIX = "Subscribe to our newsletter for weekly updates"


WORDS = "amber birch cedar delta ember fjord grove heath inlet juniper kestrel lagoon meadow".split()


def body(i: int, extra: list[str]) -> str:
    """The first extra line, one to three lines of the document's own, then the other extra lines."""
    w = WORDS[i % len(WORDS)]
    own = [f"Story of the {w} {kind}, told by the {w} keeper in {len(WORDS) * (k + 1) + i} words."
           for k, kind in enumerate(("river", "garden", "harbor")[: 1 + i % 3])]
    return "\n".join(extra[:1] + own + extra[1:])


def page(lang: str, i: int, extra: list[str]) -> Rec:
    return Rec(f"https://{lang}.example/page/{i}", body(i, extra), content_type="text/html; charset=utf-8")


@pytest.fixture
def recipe(tmp_path):
    return write_recipe(tmp_path / "lines_recipe.py", RECIPE)


def run_local(inputs, out, recipe, params=None, runner="local", log=None):
    return run([str(i) for i in inputs], str(out), recipe=str(recipe), params=params or {}, runner=runner,
               log=log or io.StringIO())


def by_url(table: pa.Table) -> dict[str, dict]:
    return {r["url"]: r for r in table.to_pylist()}


# --------------------------------------------------------------------------- lines


def test_keys_normalize_case_space_digits_and_punctuation():
    keys = keys_of("Home |  About · CONTACT  \n\nPosted 3 days ago, © 2024\nPosted 12 days ago, © 2019\n"
                   "Straße\u00a0Café\u200b")
    assert keys == ["home about contact", None, "posted 0 days ago 0000", "posted 00 days ago 0000", "straße café"]


def test_short_blank_and_code_lines_do_not_count():
    code = ["}", "});", "return 0;", "import numpy as np", "from os import path", "x = 1", "print(x)",
            "#include <stdio.h>", r"\begin{align}", "$$", "where $x > 0$ holds", "end", "fi", "else:", '<div class="nav">',
            "    indented line of code", "\tdef f(self):", "class Foo(Bar):", "if (a == b) {"]
    short = ["", "   ", "1.", "---", "* * *", "x", "3.14 2.72 1.41"]
    prose = [NAV, "Home > News > World", "Leave a Reply Cancel reply", "© 2024 Example Inc. All rights reserved.",
             "Share this:", "Comments (0)", "Read more »", "登录", "Ingredients", "Skip to content",
             "Free shipping on orders over $50"]
    ls = split_lines(pa.array(["\n".join(code), "\n".join(short), "\n".join(prose)]))
    got = dict(zip(ls.lines.to_pylist(), ls.countable.tolist()))
    assert not any(got[c] for c in code)
    assert not any(got[s] for s in short)
    assert all(got[p] for p in prose)
    assert (ls.hashes[~ls.countable] == 0).all() and len(set(ls.hashes[ls.countable].tolist())) == len(prose)
    # without the exemption, code lines with letters count; indented lines too
    ls = split_lines(pa.array(["return 0;\n    indented line"]), exempt_code=False)
    assert ls.countable.tolist() == [True, True]
    assert split_lines(pa.array(["ab\nabc"]), min_letters=3).countable.tolist() == [False, True]


def test_code_re_is_the_same_in_python():
    import re

    for line in ("x = 1", "Home | About", "return 0;", "Price: $9.99", "$x^2$", "class Foo:", "Continue reading"):
        arrow = split_lines(pa.array([line]), min_letters=0).countable[0]
        assert (not arrow) == bool(re.search(CODE_RE, line)), line


def test_split_lines_nulls_and_hashes_are_stable():
    ls = split_lines(pa.chunked_array([pa.array([None, "Same line here", "same LINE here!"], pa.string())]))
    assert ls.doc.tolist() == [0, 1, 2] and ls.countable.tolist() == [False, True, True]
    assert ls.hashes[1] == ls.hashes[2] == split_lines(pa.array(["Same line here"])).hashes[0]
    # BLAKE2b-64 of the key, little-endian: the same on every machine
    expect = int.from_bytes(hashlib.blake2b(b"same line here", digest_size=8).digest(), "little")
    assert int(ls.hashes[1]) == expect


def test_shard_groups_follow_the_input_file():
    g = shard_groups(pa.array(["/d/a.warc.gz@0", "/d/a.warc.gz@4096", "/d/b.warc.gz@0", None, "x@y@12"]))
    assert g.dtype == np.uint32 and g[0] == g[1] != g[2]
    assert g[3] == shard_groups(pa.array([""]))[0] and g[4] == shard_groups(pa.array(["x@y"]))[0]


def test_rebuild_keeps_newlines_and_drops_blank_lines_left_doubled():
    assert rebuild(["a", "NAV", "b"], [False, True, False]) == "a\nb"
    assert rebuild(["a", "", "NAV", "", "b"], [False, False, True, False, False]) == "a\n\nb"
    assert rebuild(["NAV", "", "a", "", "NAV"], [True, False, False, False, True]) == "a\n"
    assert rebuild(["a", "NAV", ""], [False, True, False]) == "a\n"  # the text's own final newline stays
    assert rebuild(["a", "", "", "b"], [False] * 4) == "a\n\n\nb"  # untouched blank runs stay


def test_partition_keys_reach_every_partition():
    for p in (1, 4, 16, 33):
        keys = partition_keys(p)
        assert partition_of(pa.array(keys), p).tolist() == list(range(p))


# --------------------------------------------------------------------------- job and stage on tables


def _map_reduce(tmp_path, rows, **kw):
    job = LineCounts(partitions=4, **kw)
    out = str(tmp_path / "out")
    for n, part in enumerate(rows):
        src = tmp_path / f"in{n}.parquet"
        pq.write_table(pa.Table.from_pylist(part), src)
        jobs.run_map(job, out, f"s{n}", str(src))
    for p in range(job.partitions):
        jobs.run_reduce(job, out, p, [f"s{n}" for n in range(len(rows))])
    return jobs.job_dir(out, "line_dedup")


def test_counts_documents_not_occurrences(tmp_path):
    rows = [{"text": f"{NAV}\n{NAV}\n{NAV}\nBody {i} text", "lang": "en", "source": "/a.warc.gz@0"} for i in range(6)]
    rows.append({"text": "\n".join(["Log line repeated"] * 50), "lang": "en", "source": "/a.warc.gz@1"})
    folder = _map_reduce(tmp_path, [rows])
    assert len(bucket_hashes(folder, "en", 0)) == 0  # NAV: 6 documents (18 times); the log line: 1 document
    assert bucket_counts(folder) == {"en": (7, 1)}


def test_empty_shard_null_text_and_lang(tmp_path):
    empty = pa.schema([("text", pa.string()), ("lang", pa.string()), ("source", pa.string())]).empty_table()
    pq.write_table(empty, tmp_path / "e.parquet")
    rows = [{"text": NAV if i else None, "lang": None, "source": None} for i in range(9)]
    job = LineCounts(partitions=3)
    out = str(tmp_path / "out")
    assert jobs.run_map(job, out, "e", str(tmp_path / "e.parquet")) == 0
    pq.write_table(pa.Table.from_pylist(rows, schema=empty.schema), tmp_path / "n.parquet")
    jobs.run_map(job, out, "n", str(tmp_path / "n.parquet"))
    assert sum(jobs.run_reduce(job, out, p, ["e", "n"]) for p in range(3)) == 3 + 1  # 3 headers + NAV
    folder = jobs.job_dir(out, "line_dedup")
    assert bucket_counts(folder) == {"": (9, 1)} and len(bucket_hashes(folder, "", 0)) == 1


def test_stage_needs_its_artifact_and_passes_languages_without_frequent_lines(tmp_path):
    stage = LineDedup()
    stage.setup()  # the preflight: no artifact yet
    with pytest.raises(RuntimeError, match="line_dedup artifact"):
        stage.process(pa.table({"text": ["a"], "lang": ["en"], "source": ["s@0"]}))
    rows = [{"text": f"{NAV}\nBody of the {WORDS[i]} story, long enough to stay after the cut.", "lang": "en", "source": "/a@0"}
            for i in range(7)]
    folder = _map_reduce(tmp_path, [rows])
    stage = LineDedup(artifacts={"line_dedup": folder})
    stage.setup()
    out = stage.process(pa.Table.from_pylist(rows + [{"text": NAV, "lang": "fr", "source": "/a@0"}]))
    assert out.column("line_dedup_removed").to_pylist() == [1] * 7 + [0]
    assert out.column("text").to_pylist()[7] == NAV
    assert out.column("text").to_pylist()[0] == "Body of the amber story, long enough to stay after the cut."
    assert "drop_reason" not in out.column_names
    empty = stage.process(pa.Table.from_pylist(rows[:0], schema=pa.Table.from_pylist(rows).schema))
    assert empty.num_rows == 0 and "line_dedup_removed" in empty.column_names


# --------------------------------------------------------------------------- the recipe


def _names_in_buckets(folder, n: int, same: bool) -> tuple[str, str]:
    """Two WARC file names whose groups fall in the same (or different) bucket of ``n``."""
    cand = [os.path.join(folder, f"shard-{k}.warc.gz") for k in range(64)]
    g = shard_groups(pa.array([f"{c}@0" for c in cand])) % n
    first = cand[0]
    for c, b in zip(cand[1:], g[1:]):
        if (b == g[0]) == same:
            return first, c
    raise AssertionError("no pair of names")


def test_nav_line_in_eight_docs_goes_a_line_in_six_stays(recipe, make_warc, tmp_path):
    a = make_warc("in/a.warc.gz", [page("en", i, [NAV] + ([SIX] if i < 6 else [])) for i in range(5)])
    b = make_warc("in/b.warc.gz", [page("en", i, [NAV] + ([SIX] if i < 6 else [])) for i in range(5, 8)]
                  + [page("de", i, [NAV, SIX]) for i in range(4)])
    out = tmp_path / "out"
    log = io.StringIO()
    result = run_local([a, b], out, recipe, log=log)
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "lines")
    assert rejected.num_rows == 0 and kept.num_rows == 12
    for url, r in by_url(kept).items():
        lines = r["text"].split("\n")
        if url.startswith("https://en."):  # NAV in 8 English documents: removed; SIX in 6: kept
            assert NAV not in lines and r["line_dedup_removed"] == 1
            assert (SIX in lines) == (int(url.rsplit("/", 1)[1]) < 6)
        else:  # German: NAV and SIX in 4 documents each, counted apart from English
            assert lines[0] == NAV and SIX in lines and r["line_dedup_removed"] == 0
    info = json.loads((out / "jobs" / "line_dedup" / "_SUCCESS.json").read_text())
    assert len(info["shards"]) == 2
    assert bucket_counts(jobs.job_dir(str(out), "line_dedup")) == {"de": (4, 1), "en": (8, 1)}
    assert "job line_dedup:" in log.getvalue()


def test_emptied_and_too_short_documents_are_rejected(recipe, make_warc, tmp_path):
    recs = [page("en", i, [NAV]) for i in range(7)]
    recs.append(Rec("https://en.example/only-nav", f"{NAV}\n\n{NAV.upper()}\n"))
    recs.append(Rec("https://en.example/short", f"{NAV}\nThanks!"))
    a = make_warc("in/a.warc.gz", recs)
    out = tmp_path / "out"
    assert run_local([a], out, recipe).ok
    kept, rejected = phase_tables(out, "lines")
    dropped = by_url(rejected)
    assert {u: (r["drop_stage"], r["drop_reason"]) for u, r in dropped.items()} == {
        "https://en.example/only-nav": ("line_dedup", "line_dedup:empty"),
        "https://en.example/short": ("line_dedup", "line_dedup:too_short")}
    assert kept.num_rows == 7
    # with min_chars 0 the short page stays, with its one sentence
    out2 = tmp_path / "out2"
    assert run_local([a], out2, recipe, params={"line_dedup": {"min_chars": 0}}).ok
    kept2, rejected2 = phase_tables(out2, "lines")
    assert by_url(kept2)["https://en.example/short"]["text"] == "Thanks!"
    assert set(by_url(rejected2)) == {"https://en.example/only-nav"}


@pytest.mark.parametrize("same", [False, True])
def test_buckets_are_counted_apart(recipe, make_warc, tmp_path, same):
    # 8 English documents, 4 per file; bucket_docs 4 makes 2 buckets. NAV is in all 8:
    # removed when both files share a bucket, kept when each bucket holds only 4.
    first, second = _names_in_buckets(str(tmp_path / "in"), 2, same)
    a = make_warc(os.path.relpath(first, tmp_path), [page("en", i, [NAV]) for i in range(4)])
    b = make_warc(os.path.relpath(second, tmp_path), [page("en", i, [NAV]) for i in range(4, 8)])
    out = tmp_path / "out"
    assert run_local([a, b], out, recipe, params={"line_dedup": {"bucket_docs": 4}}).ok
    kept, _ = phase_tables(out, "lines")
    g = shard_groups(kept.column("source")) % 2
    assert (len(set(g.tolist())) == 1) == same  # the files landed where the test meant them to
    removed = kept.column("line_dedup_removed").to_pylist()
    assert removed == ([1] * 8 if same else [0] * 8)
    assert bucket_counts(jobs.job_dir(str(out), "line_dedup")) == {"en": (8, 2)}
    # one bucket for the whole corpus: NAV goes either way
    out2 = tmp_path / "out2"
    assert run_local([a, b], out2, recipe, params={"line_dedup": {"bucket_docs": 8}}).ok
    assert phase_tables(out2, "lines")[0].column("line_dedup_removed").to_pylist() == [1] * 8


def test_code_lines_stay_even_when_repeated(recipe, make_warc, tmp_path):
    code = ["#include <stdio.h>", "int main(void) {", "    return 0;", "}"]
    a = make_warc("in/a.warc.gz", [page("en", i, [NAV, *code]) for i in range(8)])
    out = tmp_path / "out"
    assert run_local([a], out, recipe).ok
    for r in phase_tables(out, "lines")[0].to_pylist():
        assert r["text"].split("\n")[-4:] == code and NAV not in r["text"] and r["line_dedup_removed"] == 1
    out2 = tmp_path / "out2"
    assert run_local([a], out2, recipe, params={"line_dedup": {"exempt_code": False, "min_letters": 1}}).ok
    for r in phase_tables(out2, "lines")[0].to_pylist():
        # NAV and the three code lines with letters go; "}" has none, so it never counts
        assert r["text"].split("\n")[-1] == "}" and "#include" not in r["text"] and r["line_dedup_removed"] == 4


@pytest.mark.ray
def test_line_dedup_on_ray(ray_session, recipe, make_warc, tmp_path):
    a = make_warc("in/a.warc.gz", [page("en", i, [NAV]) for i in range(4)] + [page("de", 0, [NAV])])
    b = make_warc("in/b.warc.gz", [page("en", i, [NAV]) for i in range(4, 8)])
    out = tmp_path / "out"
    result = run_local([a, b], out, recipe, runner="ray")
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "lines")
    assert rejected.num_rows == 0
    assert {r["url"]: r["line_dedup_removed"] for r in kept.to_pylist()} == {
        **{f"https://en.example/page/{i}": 1 for i in range(8)}, "https://de.example/page/0": 0}
