"""Main text of an HTML page as plain text, keeping math as LaTeX and code verbatim.

Llama 3 (section 3.1.1) uses a custom parser that keeps the structure of math and code
pages, keeps image ``alt`` text (math is often an image with its LaTeX in ``alt``), and
removes markdown markers, because plain text trained better than markdown. The steps:

1. parse once with lxml;
2. ``math.replace_math`` and ``code.replace_code`` put every formula and code block behind
   a placeholder token (``protect.Protected``), so the extractor can neither collapse the
   indentation nor lose the symbols;
3. strip elements that never hold main text (scripts but JSON-LD, styles; for resiliparse
   also svg, iframes, buttons, …) in C, with lxml;
4. trafilatura finds the main content, its cascade run once (``curate.html.cascade``): the
   readability and jusText fallbacks run only where its main extractor finds little (under
   ``rescue_chars`` characters or ``rescue_ratio`` of the visible text); where the text lost
   most of the page's code blocks, resiliparse's text replaces it if it is a superset;
5. the extracted tree is rendered as plain text here, not by trafilatura's txt/markdown
   writer: no ``-`` bullets, no ``|`` table pipes, no ``#`` or ``**``; list items and table
   rows become lines, table cells are separated by a tab;
6. the tokens are replaced by their snippets: ``$…$``, ``$$…$$``, code blocks.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

from lxml import etree

from curate.html.protect import Protected

#: Removed with their content before trafilatura: its cleaning removes far more, but its
#: fallbacks (readability, jusText, the baseline) read the raw tree, where plain trafilatura
#: leaves buttons, selects and the like (they hold real text on some pages). JSON-LD stays.
TRAFILATURA_JUNK_TAGS = ("script", "style")
#: Elements that never hold main text; removed with their content before resiliparse.
JUNK_TAGS = ("script", "style", "svg", "template", "iframe", "object", "embed",
             "canvas", "select", "button", "input", "map", "audio", "video", "source", "track")
_SPACES = re.compile(r"[ \t\u00a0]+")
#: Control characters, and what trafilatura's loader also removes as invalid in XML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
#: The characters ``_CONTROL`` matches: a substring test each (memchr) is faster than the regex's
#: scan, and few pages hold any.
_CONTROL_CHARS = tuple(chr(c) for c in (*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f, 0xfffe, 0xffff))
_SOFT_HYPHEN = "\u00ad"
_NORMALIZED_TEXT = etree.XPath("normalize-space()")


@dataclasses.dataclass
class MainText:
    """What ``extract_text`` found: the text, and how many formulas and code blocks it kept."""

    text: str | None
    formulas: int = 0
    code_blocks: int = 0


def parse(html: str):
    """An lxml HTML tree for ``html``, or None when it holds no markup.

    Control characters are removed first (libxml2 stops at some of them and drops the rest
    of the page); then the steps of trafilatura's ``load_html`` (it repairs broken doctypes
    and encoding declarations), with a parser whose element classes are chosen in C: lxml.html's
    own parser calls back into Python for every element object it hands out. ``load_html``
    parses the str and, where that fails, its UTF-8 bytes; here the bytes come first: the parser
    is told UTF-8, so both give the same tree (all dev and sample WARC pages), and libxml2 reads
    UTF-8 without converting it from the str's UCS-2/UCS-4 (a third less time).
    """
    from trafilatura.utils import is_dubious_html

    if any(c in html for c in _CONTROL_CHARS):
        html = _CONTROL.sub("", html)
    if not html or html.isspace():
        return None
    beginning = html[:50].lower()
    html = _repair_faulty_html(html, beginning)
    try:
        tree = _fromstring(html.encode("utf8"))
    except UnicodeEncodeError:  # lone surrogates
        tree = _fromstring(html)  # None for a str with an encoding declaration, among others
        if tree is None or len(tree) < 1:
            tree = _fromstring(html.encode("utf8", "surrogatepass"))
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _repair_faulty_html(html: str, beginning: str) -> str:
    """trafilatura's ``repair_faulty_html`` without its pass over the characters (``_CONTROL``
    removes those), and without copying the page when the doctype needs no repair (a
    trailing newline is added where the page is one line, as there)."""
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML

    if "doctype" in beginning:  # the doctype on the first line, without copying the page to look
        end = html.find("\n")
        end = len(html) if end < 0 else end
        if m := DOCTYPE_TAG.match(html, 0, end):
            html = html[m.end():end] + "\n" + html[end + 1:]
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", html, count=1)
    return html


def _fromstring(markup: str | bytes):
    from lxml.html import fromstring

    try:
        return fromstring(markup, parser=_parser())
    except Exception:  # noqa: BLE001 - as trafilatura's load_html: any parser failure means no tree
        return None


@functools.cache
def _parser():
    from lxml import html as lxml_html

    parser = etree.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                              remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity))
    return parser


def extract_text(html: str, url: str | None = None, *, include_tables: bool = True,
                 include_comments: bool = True, favor_precision: bool = False,
                 keep_math: bool = True, keep_code: bool = True, rescue_chars: int = 250,
                 rescue_ratio: float = 0.3, recall_rescue: bool = False, code_rescue: bool = True,
                 backend: str = "trafilatura") -> MainText:
    """The main text of ``html``; ``text`` is None when the page has none.

    ``backend`` picks the main-content finder: ``trafilatura`` (default) or ``resiliparse``
    (its ``extract_plain_text(main_content=True)``, C++, several times faster).
    """
    root = parse(html)
    if root is None:
        return MainText(None)
    protect = Protected()
    formulas = code_blocks = 0
    if keep_math:
        from curate.html.math import replace_math

        formulas = replace_math(root, protect)
    if keep_code:
        from curate.html.code import replace_code

        code_blocks = replace_code(root, protect)
    is_forum = backend == "trafilatura" and _forum_thread_page(root)
    json_ld = root.xpath('//script[@type="application/ld+json"]') if backend == "trafilatura" else []
    for script in json_ld:  # trafilatura's baseline reads articleBody from it
        script.tag = "curate-json-ld"
    etree.strip_elements(root, *(TRAFILATURA_JUNK_TAGS if backend == "trafilatura" else JUNK_TAGS), with_tail=False)
    for script in json_ld:
        script.tag = "script"
    etree.strip_tags(root, etree.Comment)
    if backend == "resiliparse":
        text = _resiliparse(root, include_comments)
    elif backend == "trafilatura":
        text = _trafilatura(root, url, include_tables, include_comments, favor_precision, rescue_chars,
                            rescue_ratio, recall_rescue, protect, is_forum, code_rescue)
    else:
        raise ValueError(f"unknown extraction backend {backend!r}: use 'trafilatura' or 'resiliparse'")
    # NFC as trafilatura's own output (decomposed umlauts and Bengali nuktas match no query);
    # the snippets go back afterwards, verbatim
    text = protect.restore(unicodedata.normalize("NFC", text)).replace(_SOFT_HYPHEN, "").strip()
    return MainText(text or None, formulas, code_blocks)


def _visible_chars(root) -> int:
    """``len(" ".join(root.text_content().split()))``, mostly in C: XPath's ``normalize-space``
    collapses the ASCII whitespace, Python's ``split`` also NBSP and the other Unicode spaces."""
    text = _NORMALIZED_TEXT(root)
    return len(text) if text.isascii() else len(" ".join(text.split()))


def _forum_thread_page(root) -> bool:
    """trafilatura's forum-thread test (schema.org DiscussionForumPosting), before the scripts go."""
    from trafilatura.core import _forum_thread_page

    return _forum_thread_page(root)


def _trafilatura(root, url, include_tables, include_comments, favor_precision, rescue_chars,
                 rescue_ratio, recall_rescue, protect: Protected, is_forum: bool = False,
                 code_rescue: bool = False) -> str:
    """trafilatura's cascade in one pass, its fallbacks only where its main extractor finds little.

    "Little" is under ``rescue_chars`` characters, or under ``rescue_ratio`` of the page's
    visible text: the main extractor often keeps one post of a forum thread. Such pages get
    trafilatura's full mode (readability and jusText); the others its fast mode
    (``curate.html.cascade``). The fallbacks' choice is vetoed when it loses more formulas or
    code blocks than the main extractor's.

    ``recall_rescue``: where even the fallbacks keep under half that share (a Q&A page whose
    answers trafilatura drops), take resiliparse's text when it holds most of trafilatura's
    lines and much more. On the dev pages this lifts code lines found from 0.94 to 0.997 and
    costs about 0.015 article F1 (benchmarks/RESULTS.md), hence off by default.
    """
    from trafilatura.settings import DEFAULT_CONFIG, Extractor

    from curate.html import cascade
    from curate.html import trafilatura_patches as patches

    visible = 0
    if rescue_ratio > 0:
        visible = _visible_chars(root)
        visible -= sum(len(" ".join(s.text.split())) for s in root.iter("script") if s.text)  # JSON-LD

    def wants_fallbacks(body: str, comments: str) -> bool:
        n = len(body) + len(comments)
        return n < rescue_chars or n < rescue_ratio * visible

    def keep(fast: str, full: str) -> bool:
        return len(protect.missing(full)) <= len(protect.missing(fast))

    options = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True, precision=favor_precision,
                        comments=include_comments, tables=include_tables, url=url)
    with patches.patched():
        body, comments = cascade.sequence(root, options, url, wants_fallbacks, is_forum, keep,
                                          visible if rescue_ratio > 0 else None)
    text = render_bodies(body, comments)
    if (recall_rescue and len(text) < rescue_ratio / 2 * visible) or (code_rescue and _lost_code(text, protect)):
        text = _superset(text, _resiliparse(root, include_comments), protect)
    return text


def _lost_code(text: str, protect: Protected, blocks: int = 2, share: float = 0.5) -> bool:
    """Whether ``text`` lost at least ``blocks`` code blocks holding ``share`` of the page's code.

    trafilatura drops the answers of a Q&A page: mostly code blocks, which look like near-empty
    paragraphs to it once they are placeholders.
    """
    if len(protect.blocks) < blocks:
        return False
    lost = [i for i in protect.missing(text) if i in protect.blocks]
    size = sum(len(protect.snippets[i]) for i in protect.blocks)
    return len(lost) >= blocks and sum(len(protect.snippets[i]) for i in lost) >= share * size


def _superset(text: str, other: str, protect: Protected, share: float = 0.8, growth: float = 1.5) -> str:
    """``other`` when it holds most of ``text``'s lines and much more (a thread's other posts)."""
    lines = [ln for ln in text.split("\n") if len(ln) > 20]
    if len(other) < growth * len(text) or len(protect.missing(other)) > len(protect.missing(text)):
        return text
    if lines and sum(ln in other for ln in lines) < share * len(lines):
        return text
    return other


def _resiliparse(root, include_comments: bool) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    markup = etree.tostring(root, encoding="unicode", method="html")
    text = extract_plain_text(markup, main_content=True, preserve_formatting=True, list_bullets=False,
                              alt_texts=False, comments=include_comments)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def render(doc) -> str:
    """Plain text of a trafilatura document: its main body, then its comments."""
    if doc is None:
        return ""
    return render_bodies(doc.body, getattr(doc, "commentsbody", None))


def render_bodies(*bodies) -> str:
    """Plain text of trafilatura's output trees (main body, comments), one after the other."""
    parts = []
    for body in bodies:
        if body is not None and body.text and body.text.strip():  # readability's bare <span>
            parts.append(_clean(body.text))
        if body is not None and len(body):
            parts.extend(_blocks(body))
    return "\n".join(p for p in parts if p)


def _blocks(el) -> list[str]:
    out: list[str] = []
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "list":
            out.extend(_blocks(child))
        elif tag == "table":
            out.extend(_table_lines(child))
        elif tag == "item":
            nested = [c for c in child if c.tag == "list"]
            head = _inline(child, skip=nested)
            if head:
                out.append(head)
            for n in nested:
                out.extend(_blocks(n))
        elif tag == "code":
            out.append("".join(child.itertext()).strip("\n"))
        elif tag:
            text = _inline(child)
            if text:
                out.append(text)
        if child.tail and child.tail.strip() and el.tag not in ("list", "table", "row", "tr"):
            out.append(_clean(child.tail))
    return out


def _inline(el, skip=()) -> str:
    """Text of an element, ``<lb/>`` as a newline, spaces collapsed per line."""
    pieces: list[str] = []

    def walk(node) -> None:
        if node.text:
            pieces.append(node.text)
        for c in node:
            if c in skip:
                continue
            if c.tag == "lb":
                pieces.append("\n")
            elif c.tag in ("list", "table"):
                pieces.append("\n" + "\n".join(_blocks(c) if c.tag == "list" else _table_lines(c)) + "\n")
            else:
                walk(c)
            if c.tail:
                pieces.append(c.tail)

    walk(el)
    return _clean("".join(pieces))


def _table_lines(table) -> list[str]:
    """One line per table row, cells separated by a tab.

    trafilatura writes ``row``/``cell``; a table that its fallbacks (readability) return
    keeps HTML's ``tr``/``td``/``th``.
    """
    lines = []
    for row in table.iter("row", "tr"):
        cells = [_inline(c) for c in row if c.tag in ("cell", "td", "th")]
        line = "\t".join(c for c in cells if c)
        if line:
            lines.append(line)
    return lines


def _clean(text: str) -> str:
    lines = (line.strip() for line in _SPACES.sub(" ", text).split("\n"))  # _SPACES holds no newline
    return "\n".join(line for line in lines if line)
