"""Issue 4's bad input through the whole main recipe: nothing crashes, every document is accounted for.

Empty text, a megabyte on one line, invalid UTF-8 (decoded with replacement), surrogate
character references in HTML (Arrow strings cannot hold a lone surrogate, so none may leave
extraction), IDN and punycode hosts, IPv6 literals and URLs without a host, in one WARC.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pytest
from conftest import Rec, article_html, phase_tables

from curate.pipeline import build_phases, load_params
from curate.runner import run
from curate.runner.local import setup_stages


def records() -> list[Rec]:
    long_line = "<p>" + ("word " * 200_000) + "</p>"
    return [
        Rec("https://bücher.example/katalog", article_html(1)),
        Rec("https://xn--bcher-kva.example/katalog2", article_html(2)),
        Rec("http://[2001:db8::1]:8080/page", article_html(3)),
        Rec("http://192.0.2.7/index.html", article_html(4)),
        Rec("https://one-line.example/", f"<html><body><article>{long_line}</article></body></html>"),
        Rec("https://bad-bytes.example/", b"<html><body><p>caf\xe9 \xff\xfe broken \xed\xa0\x80 bytes "
            + b"and some more words to keep. " * 20 + b"</p></body></html>", content_type="text/html; charset=utf-8"),
        Rec("https://empty.example/", "<html><body></body></html>"),
        Rec("https://entities.example/", "<html><head><title>&#xd800; t&#55296;</title></head><body><article><p>"
            + "Lone surrogate references &#xD800; and &#xdfff; in a paragraph of ordinary words. " * 10
            + "</p><pre>code &#xd834; line</pre></article></body></html>"),
    ]


def test_bad_input_through_the_main_recipe(make_warc, tmp_path):
    warc = make_warc("in/bad.warc.gz", records())
    out = tmp_path / "out"
    result = run([str(warc)], str(out), recipe="llama3", params=load_params("llama3"), runner="local",
                 log=io.StringIO())
    assert result.ok, result.failed
    kept, rejected = phase_tables(out, "extract")
    assert kept.num_rows + rejected.num_rows == len(records())
    by_url = {r["url"]: r for r in kept.to_pylist()}
    assert {"http://[2001:db8::1]:8080/page", "https://one-line.example/", "https://bad-bytes.example/",
            "https://entities.example/"} <= set(by_url)
    assert by_url["https://one-line.example/"]["lang"] == "en"
    assert len(by_url["https://one-line.example/"]["text"]) > 900_000
    for r in kept.to_pylist():
        assert r["lang"] is not None and r["pii_count"] is not None and r["dirty_word_ratio"] is not None
    assert {r["drop_reason"] for r in rejected.to_pylist()} <= {"no_text"}


def test_stages_take_surrogates_nulls_and_empty_text():
    """The stages after extraction, fed text that extraction never writes but a user table may hold."""
    phase = build_phases("llama3", load_params("llama3"))[0]
    stages = dict(setup_stages(phase))
    batch = pa.table({
        "url": ["https://a.example/", None, "", "mailto:x@y.example", "http://[::1", "https://ü.example/"],
        "host": ["a.example", None, "", None, None, "ü.example"],
        "text": ["replacement \ufffd character, mail me@example.com", None, "", "   \n\n  ", "x" * 10, "Grüße aus Köln"],
    })
    for name in ("url_filter", "pii", "language", "dirty_words"):
        out = stages[name](batch)
        assert out.num_rows == batch.num_rows, name
        batch = out.drop_columns([c for c in ("drop_reason",) if c in out.column_names])
    assert batch.column("lang").to_pylist()[1:4] == ["und", "und", "und"]
    assert batch.column("pii_count").to_pylist()[0] == 1


if __name__ == "__main__":
    pytest.main([__file__, "-q"])
