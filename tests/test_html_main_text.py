"""curate.html.main_text: plain main text, no markdown markers, placeholders restored."""

from __future__ import annotations

import pytest

from curate.html.main_text import extract_text, parse
from curate.html.protect import Protected

PAGE = """<html><head><title>T</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/contact">Contact</a></nav>
<article><h1>Rivers of the north</h1>
<p>The <b>northern</b> rivers freeze early in the winter months, and the towns along their banks
have learned to live with the ice for several months of every year.</p>
<ul><li>Ice roads open in January after the first long frost</li><li>Ferries stop running in December</li></ul>
<table><tr><td>town</td><td>population</td></tr><tr><td>Alder</td><td>1200</td></tr></table>
<p>Spring brings floods, and the old stone bridges were built high for that reason, with wide arches
that let the melting ice pass underneath without harm.</p></article>
<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""


@pytest.mark.parametrize("backend", ["trafilatura", "resiliparse"])
def test_plain_text_without_markdown_markers(backend):
    text = extract_text(PAGE, "https://example.org/a", backend=backend, keep_math=False, keep_code=False).text
    assert "northern rivers freeze early" in text
    assert "let the melting ice pass underneath" in text
    lines = text.splitlines()
    assert not any(line.startswith(("- ", "* ", "# ", "| ")) or "**" in line for line in lines), lines
    if backend == "trafilatura":  # resiliparse's main-content rules drop short list items here
        assert "Alder\t1200" in lines
        assert "Ice roads open in January after the first long frost" in lines
    assert "Copyright 2024" not in text


def test_tokens_are_restored_after_extraction():
    protect = Protected()
    tok = protect.add("def f(x):\n    return x + 1")
    html = PAGE.replace("<p>Spring", f"<pre>{tok}</pre><p>Spring")
    root = parse(html)
    assert root is not None
    text = extract_text(html, keep_math=False, keep_code=False).text
    assert tok in text  # no restore without the same store
    assert protect.restore(text).count("    return x + 1") == 1
    assert protect.missing(text) == []


def test_empty_and_declared_xml_pages():
    assert extract_text("   ").text is None
    assert parse('<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>') is not None


def test_unknown_backend_is_an_error():
    with pytest.raises(ValueError, match="backend"):
        extract_text(PAGE, backend="nope", keep_math=False, keep_code=False)


def test_block_snippets_are_restored_on_their_own_lines():
    protect = Protected()
    code = protect.add("int main() {\n    return 0;\n}", block=True)
    formula = protect.add("$x^2$")
    glued = f"Program 1: {code} Output follows and {formula} is inline"
    restored = protect.restore(glued)
    assert restored == "Program 1: \nint main() {\n    return 0;\n}\n Output follows and $x^2$ is inline"
    assert protect.restore(f"a\n{code}\nb") == "a\nint main() {\n    return 0;\n}\nb"


def test_recall_rescue_takes_a_superset_only():
    from curate.html.main_text import _superset

    protect = Protected()
    question = "How do I read the proximity sensor value without a listener in a service?"
    thread = f"{question}\nAnswer one: call the sensor manager once and cache the last event value.\n" * 3
    assert _superset(question, thread, protect) == thread
    unrelated = "A completely different page about gardening and tomatoes, long enough to be longer." * 3
    assert _superset(question, unrelated, protect) == question  # does not hold trafilatura's lines
    assert _superset(question, question + " more", protect) == question  # not much more


def test_lost_code_needs_two_blocks_and_half_the_code():
    from curate.html.main_text import _lost_code

    protect = Protected()
    small = protect.add("x = 1", block=True)
    big = [protect.add("for i in range(10):\n    print(i)\n" * 3, block=True) for _ in range(2)]
    protect.add("x^2")  # a formula: never counts as code
    assert _lost_code(f"text {small}", protect)  # both big blocks lost
    assert not _lost_code(f"{small} {big[0]}", protect)  # one block lost
    assert not _lost_code(f"{big[0]} {big[1]}", protect)  # only the small one lost
    assert not _lost_code("", Protected())


def test_code_rescue_takes_resiliparse_superset_when_code_is_lost(monkeypatch):
    import curate.html.main_text as mt

    calls = []
    monkeypatch.setattr(mt, "_lost_code", lambda text, protect: True)
    monkeypatch.setattr(mt, "_superset", lambda text, other, protect: calls.append(other) or text + "\nRESCUED")
    assert extract_text(PAGE, "https://example.org/a").text.endswith("RESCUED")
    assert calls and "northern rivers freeze early" in calls[0]
    calls.clear()
    assert not extract_text(PAGE, "https://example.org/a", code_rescue=False).text.endswith("RESCUED")
    assert not calls


def test_text_directly_in_the_body_is_kept():
    # readability (trafilatura's fallback) can return a bare element holding only text
    html = "<!DOCTYPE html>\n<html><head></head><body>\n    Test\n</body></html>"
    assert extract_text(html, None).text == "Test"
    from lxml import etree

    from curate.html.main_text import render_bodies

    span = etree.Element("span")
    span.text = "\n  Just   text \n"
    assert render_bodies(span, None) == "Just text"


def test_output_is_nfc_but_code_stays_verbatim():
    decomposed = "fa\u0308llend"  # 'fällend' with a combining diaeresis
    html = PAGE.replace("The <b>northern</b>", f"The {decomposed} <b>northern</b>").replace(
        "<p>Spring", "<pre><code>s = 'a\u0308'\nprint(s)</code></pre><p>Spring")
    text = extract_text(html, "https://example.org/a").text
    assert "f\u00e4llend" in text and decomposed not in text
    assert "s = 'a\u0308'" in text


def test_html_tables_from_the_fallbacks_are_rendered():
    from lxml import etree

    from curate.html.main_text import render_bodies

    body = etree.fromstring("<body><table><tbody><tr><th>Nr</th><th>Motiv</th></tr>"
                            "<tr><td>6</td><td>Plastik eines Akt-J\u00fcnglings</td></tr></tbody></table></body>")
    assert render_bodies(body, None) == "Nr\tMotiv\n6\tPlastik eines Akt-J\u00fcnglings"


def test_trafilatura_backend_keeps_buttons_and_json_ld_for_its_fallbacks():
    # the main text sits in a <button> (an expander); plain trafilatura finds it through
    # readability, which reads the raw tree
    body = " ".join(f"Sentence number {i} of the story that the expander hides from view." for i in range(30))
    html = f"<html><body><div><button class='more'><div><p>{body}</p></div></button></div></body></html>"
    assert "Sentence number 29" in (extract_text(html, None, keep_math=False, keep_code=False).text or "")
    ld = '{"@type": "Article", "articleBody": "' + body + '"}'
    html = (f'<html><head><script type="application/ld+json">{ld}</script><script>var x = 1;</script></head>'
            "<body><div><p>Short.</p></div></body></html>")
    text = extract_text(html, None, keep_math=False, keep_code=False).text or ""
    assert "Sentence number 29" in text and "var x" not in text


@pytest.mark.parametrize("html", [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    "<html><body><p>Doctype with a slash</p></body></html>",
    "<!DOCTYPE html>\n<html/>\n<body><p>Self-closing html</p></body>",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>Encoding declaration \u00e9</p></body></html>',
    "<html><body><p>Control\x01 char\x1f and \ufffe nonchar</p></body></html>",
    "plain text, no markup at all",
    # parsed from UTF-8 bytes: a declared charset other than UTF-8, characters beyond Latin-1 and the BMP
    '<html><head><meta charset="windows-1252"></head><body><p>\u00e9 \u00fc \u4e2d\u6587 \U0001f600</p></body></html>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x/y"><html><body><p>one line, slashed doctype</p></body></html>',
    "<html><body><p>lone surrogate \ud800 here</p></body></html>",
])
def test_parse_equals_trafilatura_load_html(html):
    from lxml import etree
    from trafilatura.utils import load_html

    ours, theirs = parse(html), load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)
        assert type(ours) is type(theirs)


def test_visible_chars_is_the_whitespace_normalized_text_length():
    from curate.html.main_text import _visible_chars

    root = parse("<html><body><p>a\u00a0\u00a0b \u3000 c</p>\n\n<div>  d\te  </div></body></html>")
    assert _visible_chars(root) == len(" ".join(root.text_content().split())) == len("a b c d e")
    root = parse("<html><body><p> a \n\t b </p><p>c</p></body></html>")
    assert _visible_chars(root) == len("a b c")


def test_control_characters_listed_are_those_the_regex_removes():
    from curate.html.main_text import _CONTROL, _CONTROL_CHARS

    assert set(_CONTROL_CHARS) == {chr(c) for c in range(0x110000) if _CONTROL.fullmatch(chr(c))}
