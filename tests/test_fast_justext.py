"""curate.html.fast_justext gives trafilatura's try_justext's output, paragraph for paragraph."""

from __future__ import annotations

import pytest
from lxml import etree
from trafilatura.external import try_justext

from curate.html import fast_justext
from curate.html.main_text import parse

PROSE = ("The northern rivers freeze early in the winter months, and the towns along their banks have "
         "learned to live with the ice for several months of every year.")
PAGES = [
    f"<html><body><div><p>{PROSE}</p><p>{PROSE} Again.</p></div><footer>Copyright 2024</footer></body></html>",
    # <br><br> separates paragraphs; a <br> alone is a space; links count against a paragraph
    f"<html><body><div>{PROSE}<br>{PROSE}<br><br>{PROSE}<br><br><br></div>"
    f"<ul><li><a href='/a'>Home</a></li><li><a href='/b'>News and more news</a></li></ul></body></html>",
    # whitespace-only and NBSP-only paragraphs (jusText drops a paragraph whose text is empty)
    f"<html><body><div> <br> </div><div>\u00a0</div><p>{PROSE}</p><select><option>{PROSE}</option></select>"
    f"<h2>Heading</h2><p>&copy; {PROSE}</p><table><tr><td>{PROSE}</td></tr></table></body></html>",
    "<html><body><p>Short.</p></body></html>",
    "<html><body></body></html>",
]


@pytest.mark.parametrize("page", PAGES)
def test_try_justext_equals_trafilatura(page):
    ours, theirs = parse(page), parse(page)
    expected = etree.tostring(try_justext(theirs, None, None))
    assert etree.tostring(fast_justext.try_justext(ours, None, None)) == expected
    assert etree.tostring(fast_justext.try_justext(ours, None, "de")) == etree.tostring(try_justext(theirs, None, "de"))


def test_paragraphs_equal_justexts():
    from justext.core import ParagraphMaker

    tree = parse(PAGES[1] + PAGES[2])
    theirs = ParagraphMaker.make_paragraphs(tree)
    ours = fast_justext.make_paragraphs(tree)
    assert [(p.text, p.dom_path, p.chars_count_in_links) for p in ours] == \
        [(p.text, p.dom_path, p.chars_count_in_links) for p in theirs]
    assert len(ours) >= 4 and any(p.chars_count_in_links for p in ours)


def test_keeps_good_paragraphs_only():
    body = fast_justext.try_justext(parse(PAGES[0]), None, None)
    texts = [p.text for p in body]
    assert texts and all(PROSE in t for t in texts) and not any("Copyright" in t for t in texts)


def test_a_tree_with_entities_goes_to_the_original():
    tree = parse(PAGES[0])
    tree.find(".//p").append(etree.Entity("nbsp"))
    assert etree.tostring(fast_justext.try_justext(tree, None, None)) == etree.tostring(try_justext(tree, None, None))
