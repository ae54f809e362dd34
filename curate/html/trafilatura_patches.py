"""Faster stand-ins for some of trafilatura's (2.3.1) helpers, with the same results.

``patched()`` swaps them into trafilatura's modules for the duration of a call and puts the
originals back; trafilatura called from elsewhere (plain ``trafilatura.extract``, the
benchmark's baseline) is untouched, and since the results are equal a call from another
thread during the swap gets the same answers.

- ``prune_unwanted_nodes(with_backup=True)`` finds the outermost matches with a memo instead
  of walking every match's ancestors;
- ``basic_cleaning`` skips its per-element regex callbacks (EXSLT ``re:test``, one call into
  Python per element) when no ``class``/``id`` in the tree can match them;
- ``try_justext`` is ``curate.html.fast_justext``'s (jusText's paragraphs without SAX);
- ``fast_xpath`` rewrites trafilatura's expressions in five ways. (1) ``re:test(@class, 'P')``
  calls into Python for every element it is evaluated on, with an empty string where the
  attribute is absent; ``(@class and re:test(@class, 'P'))`` skips that call, and selects the
  same nodes where ``P`` cannot match the empty string. (2) libxml2 evaluates
  ``.//*[self::div or self::p][P]`` by testing every element against the list of names,
  ``.//div[P] | .//p[P]`` through its name tests; the two select the same nodes, in document
  order, when ``P`` does not use positions (also inside ``(…)[1]``, and per top-level union
  branch). Together about 30% less time in the 22 expressions this changes. (3) A regex test
  whose pattern spells at most ``LITERAL_LIMIT`` strings becomes ``contains``/``starts-with``
  tests (``curate.html.xpath_literals``), evaluated in C: about 20% less time again in these
  expressions on 461 dev pages (the long class alternation of OVERALL_DISCARD_XPATH stays a regex).
  (4) The other regex tests call a precompiled ``re.search`` (``cur:reN(string(@a))``), where
  lxml's ``re:test`` decodes and looks up the pattern and wraps the attribute as a node-set on
  every call: about 20% less time again in these expressions. (5) ``.//x[P]`` becomes
  ``descendant::x[P]`` where ``P`` does not use positions (the same nodes: positions are the only
  thing that differs, counted per parent in the first): libxml2 rewrites ``.//x`` into its
  descendant axis only for a step without predicates, and otherwise collects every node below the
  context, text nodes included, before the child step. About 12% less time in these 18
  expressions on 700 dev pages' raw and cleaned trees (19.2 s against 21.9 s, interleaved).
- ``OVERALL_DISCARD_XPATH`` (the main extractor's prune, evaluated on every candidate subtree and
  again by the recovery) becomes two ``Selector`` walks in Python, one per expression, that test
  each element's attributes with the same regexes and string tests: about 2.5 times faster than
  the rewritten XPaths (libxml2 builds a node-set per attribute test, about 20 per element, and
  the long id and class alternations call back into Python anyway). The same nodes in the same
  order as trafilatura's expressions on the raw tree, its body and the cleaned tree of 1,414 dev
  and math/code pages (8,464 evaluations, 263,595 nodes). ``selectors`` does the same for the
  raw-tree prunes that ``curate.html.cascade`` runs (RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_XPATH
  and REMOVE_COMMENTS_AND_LISTS_XPATH): 2-3 times faster on the dev pages' raw trees, the same
  nodes on the same 1,414 pages' trees. COMMENTS_XPATH's walks yield their nodes lazily:
  ``extract_comments`` reads only the first, so a match ends the walk. So do BODY_XPATH's, which
  ``_extract`` reads the same way (``[1]`` per parent in the first, ``(…)[1]`` in the others;
  ``(.//article)[1]`` stays an XPath): the first node of each in 4.4 s instead of 16.5 s over the
  raw, body and cleaned trees of the 1,414 pages, every node-set the same. Each list is recognized
  by a sha1 of its sources.
- ``tree_cleaning`` is trafilatura's, but its deletion loop runs only for the tags of its cleaning
  list (51) that one multi-tag walk finds in the tree, instead of one walk per tag: the same
  cleaned trees on the 1,414 pages (3,189 cleanings over the focus and table settings).
- ``prune_unwanted_sections`` is trafilatura's, but its six link-density passes (div, list, p,
  twice) keep each element's links, trimmed text length and link text lengths from one pass to
  the next, forgetting the ancestors of what a pass deletes (the only elements whose text changes);
  the tests that read neighbours (``getnext``, the parent) stay live. The same trees after the
  prune as trafilatura's on the cleaned trees of the 1,414 pages and 3 link-bearing divs of each
  (balanced; recall and precision on a third of them: 9,069 prunes).
- ``remove_control_characters`` as ``html2txt`` calls it returns a string whose only non-printable
  characters are whitespace without a call per character (the same strings for the 146,173
  texts and tails of block elements of 300 dev pages; 0.025 s against 0.14 s for them).

tests/test_cascade.py checks each against the original on sample pages; on 461 dev pages
(from the root and from the body) the rewritten expressions selected the same nodes, and with
(3) and (4) on all 1,414 dev and math/code pages (the raw tree and the cleaned one), and with
(5) on these and their bodies (all 21 rewritten expressions, 88,872 evaluations).
"""

from __future__ import annotations

import contextlib
import re
from importlib import import_module

from lxml.etree import Element as _ELEMENT
from lxml.etree import XPath
from trafilatura import core as _core
from trafilatura import external as _external
from trafilatura import htmlprocessing as _hp
from trafilatura import main_extractor as _main
from trafilatura import settings as _settings
from trafilatura import xpaths as _xpaths

from curate.html import fast_justext, xpath_literals

_baseline = import_module("trafilatura.baseline")  # the package's `baseline` attribute is the function
_prune = _hp.prune_unwanted_nodes
_trim = _hp.trim
_basic_cleaning = _baseline.basic_cleaning
_COOKIE = re.compile(_settings._COOKIE_CONSENT_RE, re.I)
#: the same pattern without IGNORECASE, for lowercased ASCII text (it spells only lowercase letters)
_COOKIE_LOWER = re.compile(_settings._COOKIE_CONSENT_RE)
#: BASIC_CLEAN_XPATH without its cookie-banner regex test (the part that calls back into Python).
_BASIC_NO_COOKIE = XPath(".//aside|.//div[contains(@class|@id, 'footer')]|.//fencedframe|.//footer"
                         "|.//script|.//style|.//svg|.//template")
_CLASS_ID = XPath(".//*/@class|.//*/@id", smart_strings=False)  # plain str: no parent link per value
_SELF_OR = re.compile(r"\.//\*\[\s*(self::[\w-]+(?:\s+or\s+self::[\w-]+)*)\s*\]")
_DESCENDANT = re.compile(r"\.//([\w-]+|\*)(?=\s*\[)")
_FIRST = re.compile(r"^\((.*)\)\s*\[\s*1\s*\]$", re.S)
_POSITIONAL = re.compile(r"position\(|last\(|\[\s*\d")
_REGEX_TEST = re.compile(r"re:test\(\s*(@[\w-]+(?:\s*\|\s*@[\w-]+)*)\s*,\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)")
REGEXP_NS = "http://exslt.org/regular-expressions"
CURATE_NS = "urn:curate:xpath"
#: Most strings a regex test may spell to become XPath string tests (``xpath_literals``).
LITERAL_LIMIT = 16


def fast_xpath(xpath: XPath) -> XPath:
    """``xpath`` with guarded regex tests and tag filters as unions (see the module docstring)."""
    source = _REGEX_TEST.sub(_guard, xpath.path)
    branches = _split(source)
    rewritten = [_tag_union(b) for b in branches]
    if rewritten != branches:
        source = " | ".join(rewritten)
    if source == xpath.path:
        return xpath
    used = {name: fn for name, fn in _SEARCHES.values() if f"cur:{name}(" in source}
    return XPath(source, namespaces={"re": REGEXP_NS, "cur": CURATE_NS},
                 extensions={(CURATE_NS, name): fn for name, fn in used.items()})


def _tag_union(branch: str) -> str:
    """``.//*[self::a or self::b][P]`` (or ``(…)[1]`` of it) as ``descendant::a[P] | descendant::b[P]``
    (or ``(…)[1]``), ``.//x[P]`` as ``descendant::x[P]``."""
    text = branch.strip()
    first = _FIRST.match(text)
    inner = first.group(1).strip() if first and _balanced(first.group(1)) else text
    m = _SELF_OR.match(inner) or _DESCENDANT.match(inner)
    if not m:
        return branch
    predicates = inner[m.end():]
    if not _only_predicates(predicates) or _POSITIONAL.search(predicates):
        return branch
    tags = re.findall(r"self::([\w-]+)", m.group(1)) if m.re is _SELF_OR else [m.group(1)]
    union = " | ".join(f"descendant::{tag}{predicates}" for tag in tags)
    return f"({union})[1]" if inner is not text else union


def _scan(source: str):
    """(index, character, bracket depth) outside string literals."""
    depth, quote = 0, None
    for i, ch in enumerate(source):
        if quote:
            quote = None if ch == quote else quote
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        yield i, ch, depth


def _split(source: str) -> list[str]:
    """``source``'s top-level union branches."""
    parts, start = [], 0
    for i, ch, depth in _scan(source):
        if ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
    return [*parts, source[start:]]


def _balanced(source: str) -> bool:
    depths = [d for _, _, d in _scan(source)]
    return not depths or (min(depths) >= 0 and depths[-1] == 0)


def _only_predicates(source: str) -> bool:
    """Whether ``source`` is one or more ``[…]`` and nothing else."""
    source = source.strip()
    if not source or not _balanced(source):
        return False
    for _, ch, depth in _scan(source):
        if (depth == 1 and ch == "(") or (depth == 0 and ch != "]" and not ch.isspace()):
            return False
    return True


def _guard(m: re.Match) -> str:
    """``re:test(@a|@b, 'P')`` as ``((@a or @b) and T)`` when ``P`` cannot match ``''``, where ``T`` is
    the test as ``contains``/``starts-with`` where ``P`` is a few literals, else the ``re:test``."""
    attrs, pattern, flags = m.group(1), m.group(2), m.group(3) or ""
    test = (not flags and xpath_literals.as_xpath(attrs, pattern, LITERAL_LIMIT)) or _search(attrs, pattern, flags)
    if re.search(pattern, "", re.I if "i" in flags else 0):
        return test
    return f"(({' or '.join(a.strip() for a in attrs.split('|'))}) and {test})"


#: (pattern, flags) -> (XPath function name, function): a compiled regex's search, for ``_search``
_SEARCHES: dict[tuple[str, str], tuple] = {}


def _search(attrs: str, pattern: str, flags: str) -> str:
    """``re:test(attrs, 'pattern', 'flags')`` as ``cur:reN(string(attrs))``: the same test (EXSLT's
    ``re:test`` is ``re.search`` on the string of the first node, ``re.I`` with ``i``), without
    lxml decoding and looking up the pattern on every call and wrapping the attribute as a node-set."""
    key = (pattern, flags)
    if key not in _SEARCHES:
        search = re.compile(pattern, re.I if "i" in flags else 0).search

        def test(_context, value: str) -> bool:
            return search(value) is not None

        _SEARCHES[key] = (f"re{len(_SEARCHES)}", test)
    return f"cur:{_SEARCHES[key][0]}(string({attrs}))"


class Selector:
    """An XPath's stand-in: ``selector(tree)`` is the list of nodes ``xpath(tree)`` selects, in the
    same (document) order, found by a Python walk; ``path`` is the XPath's source."""

    def __init__(self, xpath: XPath, select):
        self.path, self._select = xpath.path, select

    def __call__(self, tree):
        return self._select(tree)

    def __repr__(self) -> str:
        return f"Selector({self.path!r})"


def _first(attrib, a: str, b: str) -> str:
    """XPath's ``string(@a|@b)`` where both attributes are present: the first in source order."""
    for key in attrib:
        if key == a or key == b:
            return attrib[key]
    raise KeyError(a)


_DISCARD_TAGS = ("div", "item", "list", "p", "section", "span")
def _memo(pattern: str, limit: int = 1 << 16):
    """``bool(re.search(pattern, value))``, remembered per value (at most ``limit``, then forgotten):
    class and id values repeat across a page's elements and across the prunes of its subtrees, and
    a search for a long alternation tries every branch at every position."""
    search, seen = re.compile(pattern).search, {}

    def test(value: str) -> bool:
        found = seen.get(value)
        if found is None:
            if len(seen) >= limit:
                seen.clear()
            found = seen[value] = search(value) is not None
        return found

    return test


_DISCARD_ID = _memo(_xpaths._alt(_xpaths._OVERALL_DISCARD_BOTH_TOKENS + _xpaths._OVERALL_DISCARD_ID_TOKENS))
_DISCARD_CLASS = _memo(_xpaths._alt(_xpaths._OVERALL_DISCARD_BOTH_TOKENS + _xpaths._OVERALL_DISCARD_CLASS_TOKENS))
_HIDDEN_ID = re.compile("reader-comments|akismet").search
_HIDDEN_CLASS = _memo("^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print"
                      "| hidden| hide|noprint|notloaded")


def _overall_discard_boilerplate(tree) -> list:
    """OVERALL_DISCARD_XPATH[0]: div, item, list, p, section and span elements below ``tree`` whose
    role says nav, whose id or class names boilerplate (share, sidebar, footer, …), … ."""
    out = []
    for el in tree.iterdescendants(_DISCARD_TAGS):
        a = el.attrib
        if not a:
            continue
        if "data-lp-replacement-content" in a:
            out.append(el)
            continue
        i, c, role, component = a.get("id"), a.get("class"), a.get("role"), a.get("data-component")
        if ((role is not None and "nav" in role.replace("N", "n"))
                or (component is not None and "MostPopularStories" in component)
                or (i is not None and _DISCARD_ID(i)) or (c is not None and _DISCARD_CLASS(c))):
            out.append(el)
        elif (i is not None and "cookie" in i) or (c is not None and "cookie" in c):
            if "cookie" in (i if c is None else c if i is None else _first(a, "id", "class")):
                out.append(el)
    return out


def _overall_discard_hidden(tree) -> list:
    """OVERALL_DISCARD_XPATH[1]: elements below ``tree`` that are hidden, comment titles or replies."""
    out = []
    for el in tree.iterdescendants(_ELEMENT):
        a = el.attrib
        if not a:
            continue
        i, c, style = a.get("id"), a.get("class"), a.get("style")
        if (c == "comments-title" or a.get("aria-hidden") == "true"
                or ((i is not None or c is not None)
                    and (i if c is None else c if i is None else _first(a, "id", "class")).startswith("reply-"))
                or ((i is not None or style is not None)
                    and "hidden" in (i if style is None else style if i is None else _first(a, "id", "style")))
                or (style is not None and ("display:none" in style or "display: none" in style))
                or (i is not None and _HIDDEN_ID(i)) or (c is not None and _HIDDEN_CLASS(c))):
            out.append(el)
    return out


def _tagged_walk(tags: tuple[str, ...], id_search, class_search, also=None):
    """A walk selecting the elements below a tree named in ``tags`` whose id passes ``id_search`` or
    whose class passes ``class_search`` (each only where the attribute is present), and ``also(el,
    id, class)`` where given: ``.//*[self::a or …][re:test(@id, 'P') or re:test(@class, 'Q')][…]``."""

    def select(tree) -> list:
        out = []
        for el in tree.iterdescendants(tags):
            i, c = el.get("id"), el.get("class")
            if (((i is not None and id_search(i)) or (c is not None and class_search(c)))
                    and (also is None or also(el, i, c))):
                out.append(el)
        return out

    return select


def _never(_value: str) -> bool:
    return False


_SCROLL = re.compile("mvp-post-add-(?:box|wrap)|infinite-?scroll").search
_ADD_BOX = re.compile("mvp-post-add-(?:box|wrap)").search
_COMMENTS_ID = re.compile("^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)").search
_COMMENTS_CLASS = re.compile("^[Cc]omment(?!ary)|(?:article|post)-comments").search
_COMMENTS_ID_LISTS = re.compile("^(?:[Cc]omment(?!ary)|comol)").search
_COMMENT_TAGS = ("div", "list", "section", "details")
#: COMMENTS_XPATH's tests
_COMMENT_LIST = re.compile("comment-?list").search
_COMMENT_PAGE = re.compile("comment-page|comments-content|post-comments").search
_COMMENT_START = re.compile("^comment[s-]").search
_COMMENTS_START = re.compile("^Comments|article-comments").search
_COMMENT_THREAD = re.compile("^(?:comol|disqus_thread|dsq-comments)").search
_COMMENT_CONTAINERS = ("div", "list", "section")


def _id_or_class(el) -> str:
    """XPath's ``string(@id|@class)``: the first of the two in source order, "" where neither is."""
    i, c = el.get("id"), el.get("class")
    if i is None or c is None:
        return (c if i is None else i) or ""
    return _first(el.attrib, "id", "class")


def _lazy_walk(tags: tuple[str, ...], test):
    """A walk yielding, lazily, the elements below a tree named in ``tags`` that pass ``test``: for
    expressions of which trafilatura reads only the first node (``next(… expr(tree) …)``)."""

    def select(tree):
        return (el for el in tree.iterdescendants(tags) if test(el))

    return select


_BODY_TAGS = ("article", "div", "main", "section")
_BODY_ID_1 = re.compile("(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text").search
_BODY_CLASS_1 = re.compile(
    "post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|article-?text|articleText"
    "|(?:entry|page|text|article|art)-content|article__content|article(?:-|__)?body|articleBody|ArticleContent"
    "|body-text|article__container").search
_BODY_ID_3 = re.compile("^primary|story-body").search
_BODY_FULLTEXT = re.compile("fulltext", re.I).search
_BODY_CLASS_3 = re.compile("^article |post-bodycopy|story-?content|(?:theme|blog|section|single)-content|single-post"
                           "|main-column|wpb_text_column|story-body|field-body").search
_BODY_ID_4 = re.compile("content-main|content-body|contentBody").search
_BODY_CLASS_4 = re.compile("content[-_]main|content(?:-|__)body").search


def _body_1(el) -> bool:
    i, c = el.get("id"), el.get("class")
    return (c in ("post", "entry") or el.get("itemprop") == "articleBody" or i == "articleContent"
            or (i is not None and _BODY_ID_1(i) is not None) or (c is not None and _BODY_CLASS_1(c) is not None))


def _body_3(el) -> bool:
    i, c = el.get("id"), el.get("class")
    return (el.get("role") == "article" or i in ("article", "story")
            or c in ("postarea", "art-postcontent", "text", "cell", "story")
            or (i is not None and _BODY_ID_3(i) is not None)
            or (c is not None and (_BODY_FULLTEXT(c) is not None or _BODY_CLASS_3(c) is not None)))


def _body_4(el) -> bool:
    i, c = el.get("id"), el.get("class")
    return (i == "content" or c == "content" or (i is not None and _BODY_ID_4(i) is not None)
            or (c is not None and _BODY_CLASS_4(c) is not None)
            or (i is not None and "main-content" in i.replace("C", "c").replace("M", "m"))
            or (c is not None and ("main-content" in c.replace("C", "c").replace("M", "m")
                                   or "page-content" in c.replace("C", "c").replace("P", "p"))))


def _first_per_parent(tree):
    """BODY_XPATH[0], ``.//*[…][P][1]``: the elements passing ``P`` that no earlier sibling of theirs
    passes (``[1]`` counts per parent), lazily."""
    parents = set()
    for el in tree.iterdescendants(_BODY_TAGS):
        if _body_1(el):
            parent = el.getparent()
            if parent not in parents:
                parents.add(parent)
                yield el


def _first_only(test):
    """``(.//*[…][P])[1]``: the first element passing ``test``, if any."""

    def select(tree):
        for el in tree.iterdescendants(_BODY_TAGS):
            if test(el):
                return [el]
        return []

    return select


def _main_starts(tree):
    """BODY_XPATH[4]: ``(.//*[self::article or self::div or self::section][starts-with(…, 'main')])[1]``
    and ``(.//main)[1]``, in document order, lazily."""
    found_starts = found_main = False
    for el in tree.iterdescendants(_BODY_TAGS):
        if el.tag == "main":
            if not found_main:
                found_main = True
                yield el
        elif not found_starts and any((v := el.get(a)) is not None and v.startswith("main") for a in ("class", "id", "role")):
            found_starts = True
            yield el
        if found_main and found_starts:
            return


#: sha1 of trafilatura 2.3.1's sources of an XPath list -> the walks (one per expression) that
#: select the same nodes in the same order
_WALKS = {
    "a46f4f9d632aba692dbc1788794ffe60357b9222": (  # OVERALL_DISCARD_XPATH
        _overall_discard_boilerplate, _overall_discard_hidden),
    "f8947e28179af2893c73314f3e614af8bec78837": (  # RAW_TREE_PRUNE_XPATH
        _tagged_walk(("div", "section", "aside"), _SCROLL, _SCROLL,
                     lambda el, i, c: (next(el.iterdescendants("h1"), None) is None or (i is not None and _ADD_BOX(i))
                                       or (c is not None and _ADD_BOX(c)))),
        _tagged_walk(("div", "section", "aside"), _never, lambda c: "elementor-share-buttons" in c)),
    "3c4d8e234605b9e599de3e00abe93734ac8fc6be": (  # BODY_XPATH (_extract takes the first node)
        _first_per_parent, None, _first_only(_body_3), _first_only(_body_4), _main_starts),
    "b9566ebe93c11308935658efe405e15b97ad0e43": (  # COMMENTS_XPATH (extract_comments takes the first node)
        _lazy_walk(_COMMENT_CONTAINERS, lambda el: _COMMENT_LIST(_id_or_class(el))
                   or ((c := el.get("class")) is not None and _COMMENT_PAGE(c))),
        _lazy_walk(_COMMENT_CONTAINERS, lambda el: _COMMENT_START(_id_or_class(el))
                   or ((c := el.get("class")) is not None and _COMMENTS_START(c))),
        _lazy_walk(_COMMENT_CONTAINERS, lambda el: (i := el.get("id")) is not None and _COMMENT_THREAD(i)),
        _lazy_walk(("div", "section"), lambda el: ((i := el.get("id")) is not None and i.startswith("social"))
                   or ((c := el.get("class")) is not None and "comment" in c))),
    "97b3a45900e751deb0c5446b7456a1274778d954": (  # REMOVE_COMMENTS_XPATH
        _tagged_walk(_COMMENT_TAGS, _COMMENTS_ID, _COMMENTS_CLASS),),
    "7e7d885e629a511978658d1420f16b1a4ac09d85": (  # REMOVE_COMMENTS_AND_LISTS_XPATH
        _tagged_walk((*_COMMENT_TAGS, "ol", "ul"), _COMMENTS_ID, _COMMENTS_CLASS,
                     lambda el, i, c: (el.tag not in ("ol", "ul") or (i is not None and _COMMENTS_ID_LISTS(i))
                                       or (c is not None and _COMMENTS_CLASS(c)))),),
}


def selectors(xpaths):
    """A list of trafilatura's XPaths as ``Selector`` walks where ``_WALKS`` knows its sources (one
    call into Python per element they test instead of XPath's node-set per attribute test and its
    regex callbacks), else ``fast_xpaths(xpaths)``."""
    if not (isinstance(xpaths, list) and xpaths and all(isinstance(x, XPath) for x in xpaths)):
        return fast_xpaths(xpaths)
    walks = _WALKS.get(_sha1("\x00".join(x.path for x in xpaths)))
    if walks is None:
        return fast_xpaths(xpaths)
    return [Selector(x, walk) if walk else fast_xpath(x) for x, walk in zip(xpaths, walks, strict=True)]


def _sha1(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()


def fast_xpaths(value):
    """``fast_xpath`` over an XPath or a list of them (a new list); anything else as it is."""
    if isinstance(value, XPath):
        return fast_xpath(value)
    if isinstance(value, list) and value and all(isinstance(x, XPath) for x in value):
        new = [fast_xpath(x) for x in value]
        return new if any(a is not b for a, b in zip(new, value)) else value
    return value


def prune_unwanted_nodes(tree, nodelist, with_backup: bool = False):
    """``trafilatura.htmlprocessing.prune_unwanted_nodes``, same result, linear-time guard."""
    if not with_backup:
        return _prune(tree, nodelist)
    matches = dict.fromkeys(elem for expression in nodelist for elem in expression(tree))
    if not matches:
        return tree
    inside = set(matches)  # matched, or below a match
    clear: set = set()  # neither matched nor below a match
    outer = []
    for elem in matches:
        path = []
        for a in elem.iterancestors():
            if a in inside:
                inside.update(path)
                break
            if a in clear:
                clear.update(path)
                outer.append(elem)
                break
            path.append(a)
        else:
            clear.update(path)
            outer.append(elem)
    old_len = len(tree.text_content())
    if old_len - sum(len(elem.text_content()) for elem in outer) > old_len / 7:
        for elem in outer:
            _hp.delete_element(elem)
    return tree


def _cookie_named(names: str) -> bool:
    """``_COOKIE.search(names)``: on ASCII text, a case-sensitive search of the lowercased text (a
    fifth of the time on the dev pages; IGNORECASE adds only non-ASCII equivalents such as the
    Kelvin sign for k)."""
    if names.isascii() and _COOKIE_LOWER.pattern == _COOKIE_LOWER.pattern.lower():
        return _COOKIE_LOWER.search(names.lower()) is not None
    return _COOKIE.search(names) is not None


def basic_cleaning(tree):
    """``trafilatura.baseline.basic_cleaning``; the regex part only where a class or id can match."""
    if _cookie_named("\n".join(_CLASS_ID(tree))):
        return _basic_cleaning(tree)
    for elem in _BASIC_NO_COOKIE(tree):
        _hp.delete_element(elem)
    return tree


_remove_control_characters = _baseline.remove_control_characters


def remove_control_characters(string: str) -> str:
    """``trafilatura.utils.remove_control_characters`` (keeps printable and whitespace characters),
    returning the string itself where only whitespace is non-printable (a newline makes
    ``isprintable`` false: most texts and tails that ``html2txt`` spaces) without a call per
    character; ``str.split`` splits on exactly the characters ``isspace`` accepts."""
    if string.isprintable() or "".join(string.split()).isprintable():
        return string
    return _remove_control_characters(string)


def tree_cleaning(tree, options):
    """``trafilatura.htmlprocessing.tree_cleaning``, whose deletion loop walks the tree once per tag
    of its cleaning list (51 tags): here only for the tags one walk over them all finds in the
    tree (deletions never add a tag, so the loops skipped would have found nothing); otherwise
    trafilatura's code."""
    _hp.recover_math(tree)
    cleaning_list, stripping_list = _hp.MANUALLY_CLEANED.copy(), _hp.MANUALLY_STRIPPED.copy()
    clean_forms = "form" in cleaning_list
    if clean_forms:
        cleaning_list.remove("form")
    if not options.tables:
        cleaning_list.extend(["table", "td", "th", "tr"])
    else:
        for elem in tree.iter("figure", "table"):
            if elem.find(".//table") is not None if elem.tag == "figure" else elem.get("role") in ("presentation", "none"):
                elem.tag = "div"
    if options.images:
        cleaning_list = [e for e in cleaning_list if e not in _hp.PRESERVE_IMG_CLEANING]
        stripping_list.remove("img")
    _hp.strip_tags(tree, stripping_list)
    tcopy = None
    if (
        options.focus == "recall"
        and tree.find(".//p") is not None
        and ("p" in cleaning_list or not any(next(p.iterancestors(cleaning_list), tree) is tree for p in tree.iter("p")))
    ):
        tcopy = _hp.deepcopy(tree)
    present = {element.tag for element in tree.iter(*cleaning_list)} if cleaning_list else set()
    for expression in cleaning_list:
        if expression in present:
            for element in tree.iter(expression):
                _hp.delete_element(element)
    if tcopy is not None and tree.find(".//p") is None:
        tree = tcopy
    if clean_forms:
        _hp._handle_forms(tree)
    return _hp.prune_html(tree, options.focus)


def prune_unwanted_sections(tree, potential_tags, options, keep_teasers: bool = False):
    """``trafilatura.main_extractor.prune_unwanted_sections``, its six link-density passes sharing
    what they measure (``_delete_by_link_density``); otherwise trafilatura's code."""
    favor_precision = options.focus == "precision"
    tree = _main.prune_unwanted_nodes(tree, _main.OVERALL_DISCARD_XPATH, with_backup=True)
    if "graphic" not in potential_tags:
        tree = _main.prune_unwanted_nodes(tree, _main.DISCARD_IMAGE_ELEMENTS)
    if options.focus != "recall":
        if not keep_teasers:
            tree = _main.prune_unwanted_nodes(tree, _main.TEASER_DISCARD_XPATH)
        if favor_precision:
            tree = _main.prune_unwanted_nodes(tree, _main.PRECISION_DISCARD_XPATH)
    measured: dict = {}
    for _ in range(2):
        tree = _delete_by_link_density(tree, "div", True, favor_precision, measured)
        tree = _delete_by_link_density(tree, "list", False, favor_precision, measured)
        tree = _delete_by_link_density(tree, "p", False, favor_precision, measured)
    if "table" in potential_tags or favor_precision:
        boilerplate_tables = [elem for elem in tree.iter("table") if _hp.link_density_test_tables(elem) is True]
        for elem in boilerplate_tables:
            _hp.delete_element(elem, keep_tail=False)
    if favor_precision:
        while len(tree) > 0 and (tree[-1].tag == "head"):
            _hp.delete_element(tree[-1], keep_tail=False)
        tree = _hp.delete_by_link_density(tree, "head", backtracking=False, favor_precision=True)
        tree = _hp.delete_by_link_density(tree, "quote", backtracking=False, favor_precision=True)
    _main.strip_tags(tree, "span", *(() if "ref" in potential_tags else ("ref",)))
    return tree


def _delete_by_link_density(subtree, tagname: str, backtracking: bool, favor_precision: bool, measured: dict):
    """``trafilatura.htmlprocessing.delete_by_link_density``, where ``measured`` keeps, per element,
    its links, its trimmed text length and its links' text lengths from one pass to the next: these
    change only where something below the element was deleted, so a deletion forgets its ancestors.
    (The tests that read the neighbours, ``getnext`` and the parent, stay live.)"""
    deletions = []
    len_threshold = 200 if favor_precision else 100
    depth_threshold = 1 if favor_precision else 3
    for elem in subtree.iter(tagname):
        result, short_with_links, elemlen = _link_density_test(elem, favor_precision, measured)
        if result or (backtracking and short_with_links and len(elem) >= depth_threshold
                      and elemlen < len_threshold):
            parent = elem.getparent()
            if tagname == "p" and parent is not None and parent.tag in ("item", "td", "th"):
                continue
            deletions.append(elem)
    for elem in dict.fromkeys(deletions):
        for ancestor in elem.iterancestors():
            measured.pop(ancestor, None)
        _hp.delete_element(elem)
    return subtree


def _link_density_test(element, favor_precision: bool, measured: dict) -> tuple[bool, bool, int]:
    """``trafilatura.htmlprocessing.link_density_test`` and the trimmed text length it measured
    (0 where it returned early), with the measures kept in ``measured``."""
    entry = measured.get(element)
    if entry is None:
        links = element.findall(".//ref")
        if not links or element.find(".//graphic") is not None:
            entry = (None, 0, None)
        else:
            entry = (links, len(_trim(element.text_content())), [None, None])
        measured[element] = entry
    links, elemlen, memo = entry
    if links is None:
        return False, False, 0
    if len(links) == 1:
        len_threshold = 10 if favor_precision else 100
        if memo[0] is None:
            memo[0] = len(_trim(links[0].text_content()))
        if memo[0] > len_threshold and memo[0] > elemlen * 0.9:
            return True, False, elemlen
    if element.tag == "p":
        limitlen = 60 if element.getnext() is None else 30
    elif element.getnext() is None:
        limitlen = 300
    else:
        limitlen = 100
    if elemlen < limitlen or len(links) > 4:
        if memo[1] is None:
            memo[1] = _hp.collect_link_info(links)[:3]
        linklen, elemnum, shortelems = memo[1]
        if elemlen < limitlen:
            if elemnum == 0:
                return True, False, elemlen
            return linklen > elemlen * 0.8 or (elemnum > 1 and shortelems / elemnum > 0.8), True, elemlen
        if (linklen > elemlen * _hp.LINK_FARM_RATIO and linklen < 100 * elemnum
                and not _hp.is_paragraph_listing(links)):
            return True, False, elemlen
    return False, False, elemlen


def _xpath_patches() -> list[tuple]:
    out = []
    for mod in (_core, _main, _external, _hp, _baseline):
        for name, value in vars(mod).items():
            if name.isupper() and (new := selectors(value)) is not value:
                out.append((mod, name, new))
    return out


_PATCHES = ((_main, "prune_unwanted_nodes", prune_unwanted_nodes),
            (_hp, "tree_cleaning", tree_cleaning),
            (_core, "tree_cleaning", tree_cleaning),
            (_external, "tree_cleaning", tree_cleaning),
            (_main, "prune_unwanted_sections", prune_unwanted_sections),
            (_baseline, "basic_cleaning", basic_cleaning),
            (_external, "basic_cleaning", basic_cleaning),
            (_baseline, "remove_control_characters", remove_control_characters),
            (_external, "try_justext", fast_justext.try_justext),
            *_xpath_patches())


@contextlib.contextmanager
def patched():
    """trafilatura with the faster equivalent helpers above, restored on exit."""
    saved = [(mod, name, getattr(mod, name)) for mod, name, _ in _PATCHES]
    for mod, name, new in _PATCHES:
        setattr(mod, name, new)
    try:
        yield
    finally:
        for mod, name, old in saved:
            setattr(mod, name, old)


