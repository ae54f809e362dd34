"""curate.html.cascade: trafilatura's cascade in one pass, and its faster helpers' equivalence."""

from __future__ import annotations

import re
from copy import deepcopy
from importlib import import_module

import pytest
import trafilatura
from lxml import etree
from trafilatura import xpaths
from trafilatura.settings import DEFAULT_CONFIG, Extractor
from trafilatura.xpaths import OVERALL_DISCARD_XPATH

from curate.html import cascade
from curate.html import trafilatura_patches as patches
from curate.html.main_text import parse, render, render_bodies

_baseline = import_module("trafilatura.baseline")
_hp = import_module("trafilatura.htmlprocessing")
_main = import_module("trafilatura.main_extractor")

PARA = ("<p>The northern rivers freeze early in the winter months, and the towns along their banks have "
        "learned to live with the ice for several months of every year, {n}.</p>")
ARTICLE = "<article><h1>Rivers</h1>" + "".join(PARA.format(n=i) for i in range(6)) + "</article>"
NESTED = """<html><body><div class="content">
<div class="sidebar"><div class="social"><p>Share this on every network you know</p></div>
<span class="newsletter">Subscribe</span></div>{article}
<div class="tags"><div class="banner">Ad</div></div></div>
<div id="cookie-banner">We use cookies to improve your experience on this site, accept them.</div>
<aside>Related stories you may like</aside><footer>Copyright 2024</footer></body></html>"""
FORUM = """<html><body><div class="thread"><h1>How do I winterize a boat?</h1>
<div class="post"><p>I keep my boat on the river and wonder what to do before the first frost comes.</p></div>
<div class="comments">{posts}</div></div></body></html>"""
POST = ('<div class="comment"><p>Reply {n}: drain the engine, add antifreeze to the cooling system, '
        'and cover the hull with a tarp that breathes so no mould grows under it.</p></div>')
PAGES = [NESTED.format(article=ARTICLE), NESTED.replace("cookie-banner", "main-banner").format(article=ARTICLE),
         FORUM.format(posts="".join(POST.format(n=i) for i in range(5))),
         "<html><body><div><p>Short page.</p></div></body></html>"]


def _serial(tree) -> bytes:
    return etree.tostring(tree)


@pytest.mark.parametrize("page", PAGES)
def test_prune_unwanted_nodes_with_backup_equals_trafilatura(page):
    ours, theirs = parse(page), parse(page)
    patches.prune_unwanted_nodes(ours, OVERALL_DISCARD_XPATH, with_backup=True)
    _hp.prune_unwanted_nodes(theirs, OVERALL_DISCARD_XPATH, with_backup=True)
    assert _serial(ours) == _serial(theirs)


def test_prune_unwanted_nodes_removes_only_outermost_matches():
    tree = parse(PAGES[0])
    assert tree.find(".//div[@class='social']") is not None
    patches.prune_unwanted_nodes(tree, OVERALL_DISCARD_XPATH, with_backup=True)
    assert tree.find(".//div[@class='sidebar']") is None and "northern rivers" in tree.text_content()


@pytest.mark.parametrize("page", PAGES)
def test_basic_cleaning_equals_trafilatura(page):
    ours, theirs = parse(page), parse(page)
    assert _serial(patches.basic_cleaning(ours)) == _serial(_baseline.basic_cleaning(theirs))
    if "cookie-banner" in page:
        assert "We use cookies" not in ours.text_content()


def test_cookie_names_found_as_by_the_case_insensitive_regex():
    import random

    rnd = random.Random(0)
    pieces = ["cookie", "Cookie-Banner", "NOTICE__COOKIE", "consent_sdk", "CmPlZ", "moove-GDPR", "x", "-", "_",
              " ", "\n", "borLabs", "kookie", "\u212aookie", "ONETRUST", "\u00e9"]
    for _ in range(5000):
        names = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        assert patches._cookie_named(names) == bool(patches._COOKIE.search(names)), names


def test_patched_swaps_and_restores():
    before = (_main.prune_unwanted_nodes, _baseline.basic_cleaning)
    with patches.patched():
        assert _main.prune_unwanted_nodes is patches.prune_unwanted_nodes
        assert _baseline.basic_cleaning is patches.basic_cleaning
    assert (_main.prune_unwanted_nodes, _baseline.basic_cleaning) == before


def _ours(page: str, full: bool, fallbacks_seen: list | None = None) -> str:
    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True, comments=True, tables=True)

    def wants(body, comments):
        if fallbacks_seen is not None:
            fallbacks_seen.append(len(body))
        return full

    with patches.patched():
        return render_bodies(*cascade.sequence(parse(page), options, None, wants))


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("page", PAGES)
def test_sequence_equals_trafilatura_fast_or_full(page, full):
    doc = trafilatura.bare_extraction(parse(page), fast=not full, with_metadata=False, deduplicate=False)
    assert _ours(page, full) == render(doc)


def test_sequence_asks_once_after_the_main_extractor():
    seen: list = []
    _ours(PAGES[0], False, seen)
    assert len(seen) == 1 and seen[0] > 500


def test_keep_can_veto_the_fallbacks():
    page = PAGES[3]
    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True, comments=True, tables=True)
    vetoed = []
    with patches.patched():
        cascade.sequence(parse(page), options, None, lambda b, c: True, keep=lambda fast, full: vetoed.append(1) or False)
    assert vetoed == [1] and options.fast is False


def test_sequence_leaves_the_callers_options_fast_when_no_fallbacks():
    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True, comments=True, tables=True)
    with patches.patched():
        cascade.sequence(deepcopy(parse(PAGES[0])), options, None, lambda b, c: False)
    assert options.fast is True


@pytest.mark.parametrize("full", [False, True])
def test_fallbacks_run_only_when_asked(monkeypatch, full):
    calls = []
    real = cascade._external.compare_extraction
    monkeypatch.setattr(cascade._external, "compare_extraction", lambda *a: calls.append(1) or real(*a))
    _ours(PAGES[0], full)
    assert calls == ([1] if full else [])


LD_FORUM = FORUM.replace("<body>", '<head><script type="application/ld+json">{{"@type": "DiscussionForumPosting"}}'
                         "</script></head><body>")


@pytest.mark.parametrize("full", [False, True])
def test_forum_thread_page_equals_trafilatura(full):
    page = LD_FORUM.format(posts="".join(POST.format(n=i) for i in range(5)))
    is_forum = trafilatura.core._forum_thread_page(parse(page))
    assert is_forum
    doc = trafilatura.bare_extraction(parse(page), fast=not full, with_metadata=False, deduplicate=False)
    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True, comments=True, tables=True)
    with patches.patched():
        ours = render_bodies(*cascade.sequence(parse(page), options, None, lambda b, c: full, is_forum))
    assert ours == render(doc)
    assert "Reply 4: drain the engine" in ours


@pytest.mark.parametrize("page", PAGES + ["<html><body><div>a<div>b</div>c<br>d</div><p>e</p>f</body></html>"])
def test_page_chars_bound_is_an_upper_bound_of_html2txt(page):
    from curate.html.main_text import _visible_chars

    tree = parse(page)
    bound = cascade.page_chars_bound(tree, _visible_chars(tree))
    assert len(_baseline.html2txt(tree)) <= bound <= _visible_chars(tree) + 2 * len(tree.xpath("//*"))


def test_escalation_skips_html2txt_only_where_the_bound_rules_it_out(monkeypatch):
    from curate.html.main_text import _visible_chars

    calls = []
    real = _baseline.html2txt
    monkeypatch.setattr(_baseline, "html2txt", lambda tree, *a: calls.append(1) or real(tree, *a))
    short = PAGES[3]  # "Short page.": 11 chars, under ESCALATION_MAX_LENGTH
    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True, comments=True, tables=True)
    cascade.sequence(parse(short), options, None, lambda b, c: False, visible=_visible_chars(parse(short)))
    assert calls == []  # the text is the whole page: escalation impossible
    cascade.sequence(parse(short), options, None, lambda b, c: False, visible=10_000)
    assert calls == [1]
    cascade.sequence(parse(short), options, None, lambda b, c: False)
    assert calls == [1, 1]


def test_fast_xpath_rewrites_only_position_free_tag_filters():
    x = etree.XPath(".//*[self::div or self::p][contains(@class, 'a')]")
    assert patches.fast_xpath(x).path == ("descendant::div[contains(@class, 'a')]"
                                          " | descendant::p[contains(@class, 'a')]")
    for same in (".//*[self::div or self::p][1]", ".//*[self::div][position() < 3]",
                 ".//div[@id][last()]", ".//div"):
        x = etree.XPath(same)
        assert patches.fast_xpath(x) is x
    assert patches.fast_xpath(etree.XPath(".//div[@id]")).path == "descendant::div[@id]"


@pytest.mark.parametrize("page", PAGES + [LD_FORUM.format(posts=POST.format(n=1))])
def test_patched_xpaths_select_the_same_nodes(page):
    tree = parse(page)
    rewritten = [(mod, name, new) for mod, name, new in patches._PATCHES if name.isupper()]
    assert len(rewritten) >= 10
    for mod, name, new in rewritten:
        old = getattr(mod, name)
        pairs = zip(old, new, strict=True) if isinstance(old, list) else [(old, new)]
        for old_x, new_x in pairs:
            assert old_x(tree) == list(new_x(tree)), name


def test_regex_tests_are_guarded_only_where_the_empty_string_cannot_match():
    x = etree.XPath(".//div[re:test(@id|@class, 'a|b') or re:test(@id, '^x?$')]",
                    namespaces={"re": patches.REGEXP_NS})
    assert re.fullmatch(
        r"descendant::div\[\(\(@id or @class\) and \(contains\(@id\|@class, 'a'\) or contains\(@id\|@class, 'b'\)\)\)"
        r" or cur:re\d+\(string\(@id\)\)\]", patches.fast_xpath(x).path)
    tree = parse("<html><body><div id=''>empty id</div><div>no id</div><div class='a'>a</div></body></html>")
    assert x(tree) == patches.fast_xpath(x)(tree) and len(x(tree)) == 3


@pytest.mark.parametrize(("pattern", "literal"), [
    ("^reply-|akismet", True), ("comment-?list", True), ("(?:entry|art)-content|article(?:-|__)?body", True),
    ("^comment[s-]", True), ("post[-_]?text", True), ("", True), ("(?:^| )ad-", True),
    ("a(b", False), ("[Cc]omment(?!ary)", False), ("x{0,2}y", False), ("(^|\\s)link", False), ("ab$", False),
    ("a.c", False), ("[^a]", False), ("a??", False), ("(a)", False), ("a^b", False)])
def test_regex_literals_match_as_the_regex(pattern, literal):
    import random

    from curate.html.xpath_literals import literals

    spelled = literals(pattern)
    assert (spelled is not None) == literal
    if spelled is None:
        return
    alphabet = sorted(set("".join(s for _, s in spelled) + " -_xX"))
    rnd = random.Random(0)
    for _ in range(3000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
        if spelled and rnd.random() < 0.5:
            anchored, lit = rnd.choice(spelled)
            s = lit + s if anchored or rnd.random() < 0.5 else s[:2] + lit + s[2:]
        assert any(s.startswith(x) if a else x in s for a, x in spelled) == bool(re.search(pattern, s)), (pattern, s)


def test_regex_literals_give_up_on_long_alternations_and_flags():
    from curate.html.xpath_literals import as_xpath, literals

    assert literals("|".join(f"w{i}" for i in range(17)), limit=16) is None
    assert as_xpath("@class", "^a|b") == "(starts-with(@class, 'a') or contains(@class, 'b'))"
    x = etree.XPath(".//div[re:test(@class, 'fulltext', 'i')]", namespaces={"re": patches.REGEXP_NS})
    fast = patches.fast_xpath(x)
    assert "contains" not in fast.path and "cur:re" in fast.path
    tree = parse("<html><body><div class='a FullText'>x</div><div class='full'>y</div><div>z</div></body></html>")
    assert fast(tree) == x(tree) and len(x(tree)) == 1


def test_patched_swaps_xpaths_and_restores():
    before = _main.OVERALL_DISCARD_XPATH
    with patches.patched():
        assert _main.OVERALL_DISCARD_XPATH is not before
        assert all(isinstance(s, patches.Selector) for s in _main.OVERALL_DISCARD_XPATH)
    assert _main.OVERALL_DISCARD_XPATH is before


SELECTOR_PAGE = """<html><body><div class="content" id="main">
<div class="x" id="cookie-note">a</div><div id="x" class="cookie-note">b</div><div class="cookie-note" id="x">c</div>
<p role="Navigation">d</p><span data-lp-replacement-content="">e</span><section data-component="MostPopularStories">f</section>
<div class="a ad-b">g</div><div id="ad-x">h</div><div class="side"><p class="byline">i</p></div>
<h2 class="comments-title">j</h2><h3 id="reply-1" class="x">k</h3><h3 class="reply-1" id="x">l</h3>
<b style="display: none">m</b><b id="x" style="hidden">n</b><b style="hidden" id="x">o</b><b aria-hidden="true">p</b>
<em class="post hide">q</em><em id="akismet-x">r</em><em class="hide-print">s</em><table class="menu"><tr><td>t</td></tr></table>
</div></body></html>"""


PRUNE_PAGE = """<html><body><div id="infinite-scroll"><h1>a</h1><p>x</p></div><div id="infinitescroll">b</div>
<section class="mvp-post-add-box"><h1>c</h1></section><aside class="elementor-share-buttons">d</aside>
<div id="comments">e</div><div id="commentary">f</div><div class="post-comments">g</div><ol class="comment-list">h</ol>
<ul id="comol">i</ul><ul id="disqus_thread">j</ul><details id="Comment-3">k</details><list class="x">l</list></body></html>"""
WALKED = [(xpaths.OVERALL_DISCARD_XPATH, [["c", "d", "e", "f", "g", "h", "i"], ["j", "k", "l", "m", "o", "p", "q", "r", "s"]]),
          (xpaths.RAW_TREE_PRUNE_XPATH, [["b", None], ["d"]]),  # "a" holds an h1
          (xpaths.REMOVE_COMMENTS_XPATH, [["e", "g", "k"]]),
          (xpaths.REMOVE_COMMENTS_AND_LISTS_XPATH, [["e", "g", "h", "i", "k"]]),
          (xpaths.COMMENTS_XPATH, [["g"], ["e"], [], ["g"]])]  # raw tree: ol and ul are not lists yet


@pytest.mark.parametrize(("page", "which"), [(p, w) for p in [*PAGES, SELECTOR_PAGE, PRUNE_PAGE] for w in range(len(WALKED))])
def test_selectors_select_as_the_xpaths(page, which):
    xpath_list, texts = WALKED[which]
    tree = parse(page)
    walks = patches.selectors(xpath_list)
    assert all(isinstance(s, patches.Selector) for s in walks)
    for xpath, walk in zip(xpath_list, walks, strict=True):
        assert list(walk(tree)) == xpath(tree)
        assert list(walk(tree[0])) == xpath(tree[0])
    if page is (SELECTOR_PAGE if which == 0 else PRUNE_PAGE):
        assert [[e.text for e in walk(tree)] for walk in walks] == texts


def test_selectors_fall_back_to_the_xpaths_for_other_sources():
    other = [etree.XPath(".//div[@class='x']"), xpaths.OVERALL_DISCARD_XPATH[1]]
    assert not any(isinstance(s, patches.Selector) for s in patches.selectors(other))


@pytest.mark.parametrize(("source", "expected"), [
    (".//*[self::a][@x]|.//b[@y]", "descendant::a[@x] | descendant::b[@y]"),
    ("(.//*[self::a or self::b][@x])[1]|(.//main)[1]", "(descendant::a[@x] | descendant::b[@x])[1] | (.//main)[1]"),
    (".//*[self::a or self::b][@x][1]", None),  # [1] counts per parent: not a union
    (".//*[self::a or self::b][contains(@x, '|]')]",
     "descendant::a[contains(@x, '|]')] | descendant::b[contains(@x, '|]')]"),
    (".//*[self::a or self::b]/p", None),
    (".//*[@x]", "descendant::*[@x]"),
    (".//b[@x][2]", None),
    (".//b[@x]/p", None),
])
def test_tag_filter_unions(source, expected):
    x = etree.XPath(source)
    assert patches.fast_xpath(x).path == (expected or source)
    tree = parse("<html><body><a x='1|]'><p>1</p></a><div><b x='2'><p>2</p></b><a x='3'/></div>"
                 "<main><b y='4'>4</b></main></body></html>")
    assert x(tree) == patches.fast_xpath(x)(tree)


LINKY = """<html><body><div class="main"><div><p>{para}</p><p><a href="/1">one link of many words in a row here</a>
and text</p></div><div><a href="/a">A</a> <a href="/b">B</a> <a href="/c">C</a><div><a href="/d">D</a>
<a href="/e">E</a></div></div><ul><li><a href="/x">X</a></li><li><a href="/y">Y</a></li></ul>
<div><p>{para}</p><div><a href="/f">{para}</a></div></div></div></body></html>"""


@pytest.mark.parametrize("page", [*PAGES, LINKY.format(para=PARA.format(n=0))])
@pytest.mark.parametrize("focus", ["balanced", "recall", "precision"])
def test_prune_unwanted_sections_equals_trafilatura(page, focus):
    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=False, comments=True, tables=True,
                        precision=focus == "precision", recall=focus == "recall")
    tree = _hp.convert_tags(_hp.tree_cleaning(parse(page), options), options)
    tags = {"p", "head", "list", "item", "table", "td", "th", "tr", "div"}
    theirs = _main.prune_unwanted_sections(deepcopy(tree), set(tags), options)
    with patches.patched():
        assert _main.prune_unwanted_sections is patches.prune_unwanted_sections
        ours = patches.prune_unwanted_sections(deepcopy(tree), set(tags), options)
    assert _serial(ours) == _serial(theirs)
    if "href" in page:
        assert len(theirs.findall(".//ref")) < len(tree.findall(".//ref"))  # the passes deleted links


BODY_PAGE = """<html><body><div><section class="x"><div class="post">a</div><div class="entry">b</div></section>
<div><div id="Main-Content">c</div><div class="fullText">d</div><main>e</main><div role="main-x">f</div>
<div class="page-Content">g</div><article id="articleContent">h</article></div></div></body></html>"""


@pytest.mark.parametrize("page", [*PAGES, BODY_PAGE, PRUNE_PAGE, SELECTOR_PAGE])
def test_body_selectors_select_as_the_xpaths(page):
    tree = parse(page)
    walks = patches.selectors(xpaths.BODY_XPATH)
    assert [isinstance(s, patches.Selector) for s in walks] == [True, False, True, True, True]
    for root in (tree, tree[0]):
        for xpath, walk in zip(xpaths.BODY_XPATH, walks, strict=True):
            assert list(walk(root)) == xpath(root)
    if page is BODY_PAGE:
        assert [[e.text for e in walk(tree)] for walk in walks] == [["a", "h"], ["h"], ["d"], ["c"], ["e", "f"]]


CLEANED_PAGE = """<html><body><nav><nav>a</nav>b</nav><div>c<aside>d</aside>e<form>f</form>
<table role="presentation"><tr><td>g</td></tr></table><figure><table><tr><td>h</td></tr></table></figure>
<p>text <button>i</button> more <select><option>j</option></select></p><footer>k</footer></div></body></html>"""


@pytest.mark.parametrize("page", [*PAGES, CLEANED_PAGE])
@pytest.mark.parametrize(("focus", "tables"), [("balanced", True), ("recall", True), ("precision", False)])
def test_tree_cleaning_equals_trafilatura(page, focus, tables):
    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True, comments=True, tables=tables,
                        precision=focus == "precision", recall=focus == "recall")
    theirs = _hp.tree_cleaning(parse(page), options)
    assert _serial(patches.tree_cleaning(parse(page), options)) == _serial(theirs)
