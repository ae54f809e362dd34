"""curate.cli: the ``curate`` command end to end (run, stats, inspect, sample), exit codes, real archives."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from conftest import REPO, Rec, articles, phase_tables

from curate import __version__
from curate.cli import main
from curate.io import shards
from curate.io.inputs import shard_id

# --------------------------------------------------------------------------- real archives

#: Every WARC-like file of the real data set except the 48 MB dev-pages file (benchmarks read it).
REAL_FOLDERS = ("real-cc", "wget", "pywb", "edge-cases")
KANA = re.compile(r"[\u3040-\u30ff]")


@pytest.mark.shared
def test_every_real_archive_in_one_run(shared, tmp_path, capsys):
    warc_dir = shared / "data" / "warc"
    files = sorted(p for d in REAL_FOLDERS for p in (warc_dir / d).iterdir() if p.is_file())
    names = {p.name for p in files}
    for expected in ("warcio-example.arc.gz", "warcio-example-trunc.warc", "warcio-example-bad.warc.gz.bad",
                     "warcio-example-wrong-chunks.warc.gz", "clueweb09-ja-quirks.warc.gz",
                     "warcio-example-resource.warc.gz", "warcio-post-test.warc.gz"):
        assert expected in names, f"{expected} missing from {warc_dir}"
    assert not any(n.startswith("dev-pages") for n in names)
    arc = warc_dir / "edge-cases" / "warcio-example.arc.gz"
    out = tmp_path / "out"

    rc = main(["run", *map(str, files), "-o", str(out), "--runner", "local"])
    captured = capsys.readouterr()
    assert rc == 1, captured.err  # one shard failed: the ARC file

    # the ARC file fails only its own shard, with a clear error
    failed = shards.failures(str(out), "extract")
    assert list(failed) == [shard_id(str(arc))]
    assert "ARC" in failed[shard_id(str(arc))]["error"]
    assert "ARC" in captured.err and "1 shard(s) failed" in captured.err
    committed = shards.committed(str(out), "extract")
    assert set(committed) == {shard_id(str(p)) for p in files if p != arc}

    # stats show the others
    st = json.loads((out / "stats.json").read_text())["phases"]["extract"]
    assert st["shards_committed"] == len(files) - 1 and st["shards_failed"] == 1
    kept, rejected = phase_tables(out)
    assert st["kept"] == kept.num_rows > 0 and st["rejected"] == rejected.num_rows > 0
    assert st["docs_in"] == kept.num_rows + rejected.num_rows
    assert "FAILED" in captured.out and "documents in" in captured.out

    # every row names its file and offset; bad records are read rejections with a reason
    inputs = {str(p) for p in files}
    for row in kept.select(["source"]).to_pylist() + rejected.select(["source", "drop_stage", "drop_reason"]).to_pylist():
        path, _, offset = row["source"].rpartition("@")
        assert path in inputs and offset.isdigit(), row
    reasons = rejected.select(["source", "drop_stage", "drop_reason"]).to_pylist()
    assert all(r["drop_reason"] and r["drop_stage"] for r in reasons)
    corrupt = [r for r in reasons if r["drop_reason"].startswith("corrupt_record")]
    assert corrupt and all(r["drop_stage"] == "read" for r in corrupt)
    assert any(r["source"].startswith(str(warc_dir / "edge-cases" / "warcio-example-trunc.warc") + "@") for r in corrupt)
    got = {r["drop_reason"] for r in reasons}
    assert "record_type:resource" in got and "revisit" in got and "not_html:application/json" in got
    # markers count rows per shard; every row of the shard is either kept or rejected
    for sid, marker in committed.items():
        assert marker["rows_in"] == marker["kept"] + marker["rejected"], sid

    # ClueWeb09 (WARC/0.18, EUC-JP, bare \n headers) decodes to real Japanese
    clue = shard_id(str(warc_dir / "edge-cases" / "clueweb09-ja-quirks.warc.gz"))
    ja = pq.read_table(shards.kept_path(str(out), "extract", clue))
    assert ja.num_rows == committed[clue]["records"]["response"] > 0
    for row in ja.to_pylist():
        assert len(KANA.findall(row["text"])) >= 20, row["url"]
        assert KANA.search(row["title"]), row["url"]
        assert "\ufffd" not in row["text"]

    # the non-chunked gzip file (.warc.gz.bad) and the wrongly chunked one still give documents
    for name in ("warcio-example-bad.warc.gz.bad", "warcio-example-wrong-chunks.warc.gz"):
        sid = shard_id(str(warc_dir / "edge-cases" / name))
        texts = pq.read_table(shards.kept_path(str(out), "extract", sid)).column("text").to_pylist()
        assert any("Example Domain" in t or "illustrative examples" in t for t in texts), name


# --------------------------------------------------------------------------- run


def test_run_then_stats_and_inspect(small_warc, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(small_warc), "-o", str(out), "--runner", "local"]) == 0
    cap = capsys.readouterr()
    assert "curate run: 1 input file(s)" in cap.err
    assert ("extract [url_filter, extract, pii, language, dirty_words] -> safety [pii_site_filter] -> url_dedup [url_dedup_filter] "
            "-> doc_dedup [minhash_dedup] -> line_dedup [line_dedup] -> heuristics [ngram_lines, gopher_rep, gopher_quality, c4, "
            "fineweb, code_math, token_kl, heuristic_filter, token_kl_filter]") in cap.err
    assert "documents in" in cap.out and f"curate inspect {out}" in cap.out
    assert main(["stats", str(out), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)["phases"]["extract"]
    assert (st["kept"], st["rejected"]) == (8, 5)
    assert main(["inspect", str(out), "--phase", "extract", "--reason", "not_html", "--json", "-n", "10"]) == 0
    docs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert sorted(d["drop_reason"] for d in docs) == ["not_html:application/json", "not_html:image/png"]


def test_set_overrides_reach_the_stages(small_warc, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(small_warc), "-o", str(out), "--runner", "local", "--set", "extract.min_chars=1000000",
                 "--set", "read.dump=TEST-DUMP"]) == 0
    kept, rejected = phase_tables(out)
    assert kept.num_rows == 0
    assert sum(r == "no_text" for r in rejected.column("drop_reason").to_pylist()) == 9
    assert set(rejected.column("dump").to_pylist()) == {"TEST-DUMP"}
    params = json.loads((out / "run.json").read_text())["params"]
    assert params["extract"]["min_chars"] == 1000000


def test_config_file(small_warc, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[read]\nmax_html_bytes = 100\n")
    out = tmp_path / "out"
    assert main(["run", str(small_warc), "-o", str(out), "--runner", "local", "--config", str(cfg)]) == 0
    _, rejected = phase_tables(out)
    assert sum(r == "html_too_large" for r in rejected.column("drop_reason").to_pylist()) == 9


def test_dry_run_with_listing_and_limit(make_warc, tmp_path, capsys):
    mirror = tmp_path / "mirror"
    rel = [f"crawl-data/CC-MAIN-2024-22/segments/1/warc/part-{i}.warc.gz" for i in range(4)]
    for i, r in enumerate(rel):
        make_warc(f"mirror/{r}", articles(1, f"https://s{i}.example/p"))
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress(("\n".join(rel) + "\n").encode()))
    out = tmp_path / "out"
    rc = main(["run", str(listing), "--limit", "2", "--cc-base", str(mirror), "-o", str(out), "--dry-run"])
    plan = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert plan["inputs"] == [f"{mirror}/{r}" for r in rel[:2]]
    assert not out.exists()
    # and the same listing runs for real, taking the dump id from the path
    assert main(["run", str(listing), "--limit", "2", "--cc-base", str(mirror), "-o", str(out),
                 "--runner", "local"]) == 0
    kept, _ = phase_tables(out)
    assert sorted(kept.column("url").to_pylist()) == ["https://s0.example/p/0", "https://s1.example/p/0"]
    assert set(kept.column("dump").to_pylist()) == {"CC-MAIN-2024-22"}


@pytest.mark.parametrize("args,message", [
    (["run", "/nonexistent/x.warc.gz", "-o", "OUT"], "does not exist"),
    (["run", "IN", "-o", "OUT", "--set", "extract.timeout_s"], "KEY=VALUE"),
    (["run", "IN", "-o", "OUT", "--set", "extract.bogus=1"], "bogus"),
    (["run", "IN", "-o", "OUT", "--recipe", "no_such_recipe"], "no recipe"),
    (["run", "IN", "-o", "OUT", "--recipe", "/no/such/recipe.py"], "no recipe"),
])
def test_usage_errors_exit_2(small_warc, tmp_path, capsys, args, message):
    args = [str(small_warc) if a == "IN" else str(tmp_path / "out") if a == "OUT" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"curate {args[0]}: error:") and message in err
    assert not (tmp_path / "out" / "extract").exists()


def test_argparse_errors(capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "x.warc.gz", "-o", "o", "--runner", "spark"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and __version__ in capsys.readouterr().out


def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "curate", "run", "--help"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0
    assert "--runner" in done.stdout and "warc.paths.gz" in done.stdout


def test_failed_shard_exit_code_and_retry(make_warc, tmp_path, capsys):
    good = make_warc("in/good.warc.gz", articles(2))
    bad = tmp_path / "in" / "bad.warc"
    bad.write_text("not a warc\n" * 20)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "in"), "-o", str(out), "--runner", "local"]) == 1
    assert "rerun the same command" in capsys.readouterr().err
    make_warc("in/bad.warc", [Rec("https://fixed.example/", articles(1)[0].body)], gz=False)
    assert main(["run", str(tmp_path / "in"), "-o", str(out), "--runner", "local"]) == 0
    assert set(shards.committed(str(out), "extract")) == {shard_id(str(good)), shard_id(str(bad))}


# --------------------------------------------------------------------------- the embedded sample


def test_sample_command_and_run(tmp_path, capsys):
    sample = pytest.importorskip("curate.sample")
    if not hasattr(sample, "build_sample"):
        pytest.skip("curate.sample.build_sample is not there yet")
    path = tmp_path / "sample.warc.gz"
    assert main(["sample", str(path)]) == 0
    assert path.exists() and str(path) in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["run", str(path), "-o", str(out), "--runner", "local"]) == 0
    kept, _ = phase_tables(out)
    assert kept.num_rows > 0 and all(kept.column("text").to_pylist())


def test_a_run_without_assets_names_them_and_the_command(small_warc, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CURATE_ASSETS_DIR", str(tmp_path / "empty-cache"))
    out = tmp_path / "out"
    assert main(["run", str(small_warc), "-o", str(out), "--runner", "local"]) == 3
    err = capsys.readouterr().err
    assert "stage 'url_filter' cannot set up" in err and "curate assets fetch" in err
    assert "curate assets import" in err
    assert not (out / "extract").exists()  # nothing ran
