"""curate.stages.extract: HTML to main text and title, no_text rejections, the per-document timeout."""

from __future__ import annotations

import pickle
import signal
import threading
import time

import pyarrow as pa
import pytest
from conftest import BOILERPLATE_HTML, WORDS, article_html

from curate import schema
from curate.stages.extract import Extract


def html_batch(pages: list[bytes | str | None], charsets: list[str | None] | None = None) -> pa.Table:
    raw = [p.encode("utf-8") if isinstance(p, str) else p for p in pages]
    n = len(raw)
    return pa.table({
        "id": [f"doc-{i}" for i in range(n)],
        "url": [f"https://example.org/{i}" for i in range(n)],
        "html": pa.array(raw, pa.binary()),
        "charset": charsets or ["utf-8"] * n,
    })


@pytest.fixture(scope="module")
def stage():
    s = Extract()
    s.setup()
    return s


def test_text_and_title(stage):
    pages = [article_html(i, paragraphs=5) for i in range(3)]
    out = stage.process(html_batch(pages))
    assert out.num_rows == 3
    assert out.column("id").to_pylist() == ["doc-0", "doc-1", "doc-2"]
    assert out.column(schema.DROP_REASON).to_pylist() == [None, None, None]
    for i, row in enumerate(out.to_pylist()):
        title = row["title"]
        assert title.startswith(f"Article {i}:")
        # every paragraph's first words show up in the text, the navigation does not
        first_par = pages[i].split("<p>")[1].split(".")[0]
        assert first_par in row["text"]
        assert "Contact" not in row["text"]
        assert "<p>" not in row["text"]
        assert sum(row["text"].count(w) for w in WORDS) > 100


def test_boilerplate_and_empty_pages_are_no_text(stage):
    good = article_html(7)
    out = stage.process(html_batch([BOILERPLATE_HTML, good, "", None, "<html><body>   </body></html>"]))
    reasons = out.column(schema.DROP_REASON).to_pylist()
    assert reasons == ["no_text", None, "no_text", "no_text", "no_text"]
    assert out.column("text").to_pylist()[0] is None
    assert out.column("title").to_pylist()[0] == "Nothing here"  # the title is kept for inspection


def test_min_chars(stage):
    short = "<html><head><title>x</title></head><body><article><p>Just a short line of words here.</p></article></body></html>"
    out = Extract(min_chars=10_000).process(html_batch([short, article_html(1, paragraphs=2)]))
    assert out.column(schema.DROP_REASON).to_pylist() == ["no_text", "no_text"]
    out = Extract(min_chars=1).process(html_batch([article_html(1, paragraphs=2)]))
    assert out.column(schema.DROP_REASON).to_pylist() == [None]


def test_charset_column_is_used(stage):
    text = "Широкая электрификация южных губерний даст мощный толчок подъёму сельского хозяйства. " * 6
    html = (f"<html><head><title>Новости дня</title></head><body><article><h1>Новости</h1><p>{text}</p>"
            f"<p>{text}</p></article></body></html>")
    out = stage.process(html_batch([html.encode("cp1251")], ["cp1251"]))
    row = out.to_pylist()[0]
    assert row["drop_reason"] is None
    assert "электрификация" in row["text"]
    assert row["title"] == "Новости дня"


def test_title_unescaped_and_collapsed(stage):
    html = "<html><head><title>\n  Fish &amp; Chips\n\t&lt;3  </title></head><body></body></html>"
    assert stage.process(html_batch([html])).column("title").to_pylist() == ["Fish & Chips <3"]


def test_timeout_rejects_only_the_slow_document(monkeypatch):
    stage = Extract(timeout_s=0.2)
    stage.setup()
    real = stage._extract
    calls = []

    def slow_on_marker(doc, **kw):
        calls.append(kw.get("url"))
        if "SLOW-PAGE" in doc:
            time.sleep(3)
        return real(doc, **kw)

    monkeypatch.setattr(stage, "_extract", slow_on_marker)
    pages = [article_html(0), article_html(1).replace("<main>", "<main>SLOW-PAGE"), article_html(2)]
    before = signal.getsignal(signal.SIGALRM)
    out = stage.process(html_batch(pages))
    reasons = out.column(schema.DROP_REASON).to_pylist()
    assert reasons == [None, "extract_timeout", None]
    texts = out.column("text").to_pylist()
    assert texts[1] is None and texts[0] and texts[2]
    assert calls == ["https://example.org/0", "https://example.org/1", "https://example.org/2"]
    # the handler is restored and no timer is left armed
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_extractor_error_is_a_reason(monkeypatch, stage):
    s = Extract()
    s.setup()

    def boom(doc, **kw):
        if "BOOM" in doc:
            raise ValueError("broken markup")
        return stage._extract(doc, **kw)

    monkeypatch.setattr(s, "_extract", boom)
    out = s.process(html_batch(["<html>BOOM</html>", article_html(3)]))
    assert out.column(schema.DROP_REASON).to_pylist() == ["extract_error:ValueError", None]


def test_off_main_thread_runs_without_timer(monkeypatch):
    """Off the main thread there is no SIGALRM: the stage still works (no timeout applied)."""
    stage = Extract(timeout_s=0.05)
    stage.setup()
    real = stage._extract

    def slowish(doc, **kw):
        time.sleep(0.2)
        return real(doc, **kw)

    monkeypatch.setattr(stage, "_extract", slowish)
    result = {}
    t = threading.Thread(target=lambda: result.update(out=stage.process(html_batch([article_html(4)]))))
    t.start()
    t.join()
    assert result["out"].column(schema.DROP_REASON).to_pylist() == [None]


def test_process_without_setup_sets_up():
    out = Extract().process(html_batch([article_html(5)]))
    assert out.column(schema.DROP_REASON).to_pylist() == [None]


def test_stage_declarations_and_pickle():
    s = Extract(timeout_s=2.0)
    assert s.name == "extract"
    assert s.columns == {"text": pa.string(), "title": pa.string()}
    assert set(s.consumes) == {"html", "charset"}
    clone = pickle.loads(pickle.dumps(s))
    assert clone == s and clone.fingerprint() == s.fingerprint()
    assert Extract(timeout_s=3.0).fingerprint() != s.fingerprint()
