"""curate.io.inputs: files, folders, globs, listings and object-store URLs into WARC URLs; shard ids."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import uuid

import fsspec
import pytest
from conftest import REPO

from curate.io.inputs import read_listing, resolve_inputs, shard_id


@pytest.fixture
def tree(tmp_path):
    """a/{x.warc.gz, y.warc, z.arc.gz, q.warc.gz.bad, notes.txt, page.html}, b/x.warc.gz"""
    for rel in ("a/x.warc.gz", "a/y.warc", "a/z.arc.gz", "a/q.warc.gz.bad", "a/notes.md", "a/page.html",
                "a/w.warc.wet.gz", "b/x.warc.gz"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    return tmp_path


def test_single_file_is_absolute(tree, monkeypatch):
    monkeypatch.chdir(tree)
    assert resolve_inputs(["a/x.warc.gz"]) == [str(tree / "a/x.warc.gz")]
    assert resolve_inputs([f"file://{tree}/a/y.warc"]) == [str(tree / "a/y.warc")]


def test_folder_takes_warc_files_only(tree):
    got = resolve_inputs([str(tree / "a")])
    assert got == sorted(str(tree / "a" / n) for n in ("x.warc.gz", "y.warc", "z.arc.gz", "q.warc.gz.bad"))


def test_glob(tree):
    assert resolve_inputs([str(tree / "*" / "x.warc.gz")]) == [str(tree / "a/x.warc.gz"), str(tree / "b/x.warc.gz")]
    assert resolve_inputs([str(tree / "**" / "*.warc.gz")]) == [str(tree / "a/x.warc.gz"), str(tree / "b/x.warc.gz")]


def test_order_kept_duplicates_dropped_and_limit(tree):
    specs = [str(tree / "b"), str(tree / "a/x.warc.gz"), str(tree / "a"), str(tree / "b/x.warc.gz")]
    got = resolve_inputs(specs)
    assert got[0] == str(tree / "b/x.warc.gz") and got[1] == str(tree / "a/x.warc.gz")
    assert len(got) == len(set(got)) == 5
    assert resolve_inputs(specs, limit=2) == got[:2]


def test_missing_inputs_raise(tree):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        resolve_inputs([str(tree / "nope.warc.gz")])
    with pytest.raises(FileNotFoundError, match="matches no file"):
        resolve_inputs([str(tree / "*.nothing")])
    with pytest.raises(FileNotFoundError, match="matches no file"):
        resolve_inputs([str(tree / "a" / "empty_dir_does_not_matter" / "*.warc")])


def write_listing(path, lines: list[str], gz: bool = True):
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


LISTING = [
    "crawl-data/CC-MAIN-2024-22/segments/1/warc/CC-MAIN-1-00000.warc.gz",
    "# a comment",
    "",
    "crawl-data/CC-MAIN-2024-22/segments/1/warc/CC-MAIN-1-00001.warc.gz",
    "crawl-data/CC-MAIN-2024-22/segments/2/warc/CC-MAIN-2-00000.warc.gz",
    "s3://other-bucket/abs.warc.gz",
]


def test_listing_joins_relative_paths_to_cc_base(tmp_path):
    listing = write_listing(tmp_path / "warc.paths.gz", LISTING)
    got = resolve_inputs([str(listing)])
    assert got == ["https://data.commoncrawl.org/" + LISTING[0], "https://data.commoncrawl.org/" + LISTING[3],
                   "https://data.commoncrawl.org/" + LISTING[4], "s3://other-bucket/abs.warc.gz"]
    got = resolve_inputs([str(listing)], cc_base="s3://commoncrawl/", limit=2)
    assert got == ["s3://commoncrawl/" + LISTING[0], "s3://commoncrawl/" + LISTING[3]]
    assert read_listing(str(listing), cc_base="/mirror", limit=1) == ["/mirror/" + LISTING[0]]


def test_plain_listing(tmp_path):
    listing = write_listing(tmp_path / "warc.paths", LISTING[:2], gz=False)
    assert resolve_inputs([str(listing)], cc_base="https://mirror.example/") == [
        "https://mirror.example/" + LISTING[0]]


def test_object_store_urls_and_globs():
    root = f"memory://inputs-{uuid.uuid4().hex[:8]}"
    fs = fsspec.filesystem("memory")
    for name in ("a.warc.gz", "b.warc.gz", "c.json"):
        with fs.open(f"{root}/d/{name}", "wb") as f:
            f.write(b"x")
    got = resolve_inputs([f"{root}/d/*.warc.gz"])
    assert [g.rsplit("/", 1)[-1] for g in got] == ["a.warc.gz", "b.warc.gz"]
    assert all(g.startswith("memory://") and fs.exists(g) for g in got)
    # plain URLs pass through unchanged (not listed: https servers need not list)
    assert resolve_inputs(["https://data.commoncrawl.org/x.warc.gz"]) == ["https://data.commoncrawl.org/x.warc.gz"]


def test_shard_id_readable_deterministic_distinct():
    a = "/data/one/sample-0000.warc.gz"
    b = "/data/two/sample-0000.warc.gz"
    assert shard_id(a) == shard_id(a)
    assert shard_id(a) != shard_id(b)
    assert shard_id(a).startswith("sample-0000-") and shard_id(b).startswith("sample-0000-")
    for url in (a, "s3://b/CC-MAIN-2024-22/x y&z.warc.gz", "https://h/p/q.arc.gz", "/d/f.warc.gz.bad",
                "/d/" + "n" * 300 + ".warc"):
        sid = shard_id(url)
        assert all(c.isalnum() or c in "._-" for c in sid), sid
        assert len(sid) <= 100
        assert ".warc" not in sid and ".arc" not in sid
    assert shard_id("/d/a.warc.gz") != shard_id("/d/a.warc")


def test_shard_id_stable_across_processes():
    """The id must not depend on the process (no salted hash()), or reruns would not resume."""
    code = "from curate.io.inputs import shard_id; print(shard_id('/data/one/sample-0000.warc.gz'))"
    env = dict(os.environ, PYTHONHASHSEED="123")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                         cwd=REPO).stdout.strip()
    assert out == shard_id("/data/one/sample-0000.warc.gz")
