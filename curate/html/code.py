"""Code blocks, verbatim: each one is put behind a ``Protected`` token before main-text extraction.

Llama 3 (section 3.1.1) keeps code "with its structure": every line, with its indentation.
Main-text extractors collapse whitespace and drop what looks like navigation (line-number
gutters, table cells), so ``replace_code`` reads each code block off the tree first, stores
its text with ``protect.add`` and leaves a ``<pre>TOKEN</pre>`` in its place.

A code block is

* a ``<pre>`` (with or without ``<code>`` inside), a ``<textarea>`` whose class names code,
  and a ``<code>`` not inside a ``<pre>`` whose text spans lines (``<br>`` or a newline
  between its words; a one-line ``<code>`` is inline prose and stays);
* a table-based highlighter, replaced whole: a table with a code column (Pygments
  ``highlighttable``, SyntaxHighlighter, GitHub ``blob-code``, Gitea ``lines-code``,
  googlesource ``FileContents``/``Blame``, highlight.js line numbers, …), of which only the
  code cells are read, one row per line;
* a div-based highlighter root (``syntaxhighlighter``, Telerik ``tFormatCodeBlock`` and
  ``reCodeBlock``, Discuz ``blockcode``, CodeMirror; a generic ``codeblock``/``code-box``
  only when most of its words sit in code elements, since ad and embed slots are named so
  too) with its line rows, unless it merely wraps one of the blocks above (then that block
  is the one).

Only the outermost of nested blocks becomes a token, and a wrapper holding nothing but the
block and its chrome (Prism's ``div.code-toolbar`` with its Copy button) goes with it, since
extractors drop such wrappers by class name. Tables and lists around a block stay: only the
block itself is replaced, its tail kept. The text is what a browser shows:
``<br>`` and block elements (a ``<div class="line">`` row, an ``<li>`` of an ``<ol>``
listing) end lines, the spans of a highlighter join back into their line, entities are
decoded, ``&nbsp;`` is a space, and gutters (line numbers, toolbars, copy buttons) are
left out. Trailing whitespace is trimmed from every line, blank lines from both ends, and
indentation shared by every line (the HTML source's, not the code's) from the left.
"""

from __future__ import annotations

import os
import re

from lxml import etree

from curate.html.protect import Protected

__all__ = ["replace_code", "code_text"]

# Finding candidates: ``iter`` over tag names runs in C and is the cheapest pass over a tree
# (a few microseconds on a typical page), so pages without <pre>, <code>, <textarea>, <td>
# or <ol> (most of Common Crawl) cost just that. Class tests are XPath substrings refined in
# Python, and run only where they can match: table cells on pages with tables, highlighter
# <div>s on pages that hold code elements, tables or an <ol> (what those highlighters are
# made of); testing the class of every <div> costs more than all the rest.
_CELLS = etree.XPath(
    "descendant-or-self::td[@data-line-number or contains(@class, 'ode') or contains(@class, 'ontent')"
    " or contains(@class, 'de1')]"
)
_DIVS = etree.XPath("descendant-or-self::div[contains(@class, 'ode')]")

# Class tokens (lowercased) of highlighter roots, divs (or tables) whose rows carry the code.
_ROOT_CLASS = re.compile(
    r"^(?:syntaxhighlighter|dp-highlighter|tformatcodeblock|recodeblock|blockcode|codemirror|"
    r"crayon-syntax|codecolorer|wp_syntax|hljs-ln|rouge-table|highlighttable)$"
)
# Generic names ("code-block", "codebox", "sourcecode") also name ad slots and embed widgets
# (WordPress Ad Inserter's ``code-block-3``, Squarespace's ``sqs-block-code``): such a root
# counts only when most of its text sits in <code>/<pre>/<tt>/<samp>/<kbd> elements.
_GENERIC_ROOT_CLASS = re.compile(
    r"^(?:sourcecode|source-code|[a-z]*[-_]?code[-_]?(?:block|box|container|listing|snippet|sample|view))$"
)
_NOT_PROGRAM_CODE = re.compile(
    r"(?:bb|qr|bar|promo|coupon|discount|voucher|gift|zip|postal|post|country|area|phone|verif\w*|"
    r"invite|referral|access|embed|colou?r|currency|error|status|dress)[-_]?code"
)
# Code-classed text areas that are share boxes, not code shown on the page.
_NOT_CODE_TEXTAREA = re.compile(r"clipboard|copy|share|embed|link|url")
_CODE_TAGS = ("code", "pre", "tt", "samp", "kbd")

# Class tokens of a table cell that holds one line (or the whole column) of code.
_CODE_CELL_CLASS = re.compile(
    r"^(?:code|blob-code|blob-code-inner|lines-code|line-code|code-line|line-content|"
    r"line-contents|linecontent|linecontents|[\w-]+-linecontents?|hljs-ln-code|"
    r"crayon-code|rouge-code|de1|de2|source-code|sourcecode|codecell|code-cell)$"
)
# Class tokens of a code cell specific enough to mark a table as code on their own
# (``td.code`` alone is not: a table of country codes has one).
_SPECIFIC_CELL_CLASS = re.compile(
    r"^(?:blob-code|blob-code-inner|lines-code|line-code|[\w-]+-linecontents?|linecontents?|"
    r"hljs-ln-code|crayon-code|rouge-code)$"
)
# Class tokens of line-number gutters and other chrome inside a code block.
_GUTTER_CLASS = re.compile(
    r"^(?:gutter|gutters|linenos|lineno|linenodiv|line-?numbers?|line-numbers-rows|"
    r"linenumbers?|line-num|lines-num|line-nums|ln-num|ln|lnt|lnum|blob-num|"
    r"(?!no-)[\w-]*gutter[\w-]*|[\w-]+-linenums?|[\w-]+-line-?numbers?|[\w-]+-linenumber|"
    r"hljs-ln-numbers|hljs-ln-n|crayon-nums|crayon-num|rouge-gutter|codemirror-measure|"
    r"codemirror-cursors|codemirror-scrollbar-filler|toolbar|code-toolbar|copy-button|"
    r"copy-code-button|codecopy|btn-copy|sr-only|visually-hidden)$"
)
# Class tokens of one line of a highlighter (an empty one still is a line).
_ROW_CLASS = re.compile(r"^(?:line|cm-line|code-line|view-line|ace_line|codemirror-line|crayon-line)$")
_ROW_TAGS = frozenset(("li", "tr"))
# Tags of the wrappers a code widget may be made of (never a cell, an item or a paragraph).
_WRAPPER_TAGS = frozenset(("div", "span", "figure"))

_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p "
    "pre section summary table tbody td tfoot th thead tr ul".split()
)
# Content that is never part of the code text.
_SKIP_TAGS = frozenset("script style noscript template button select option svg head title".split())
# Elements whose newlines are line breaks; the first four also keep every space as is.
_STRICT_TAGS = frozenset("pre textarea xmp listing plaintext".split())
_PRE_TAGS = _STRICT_TAGS | {"code"}

_NL_RUN = re.compile(r"[ \t]*\n[ \t]*")
# A run of spaces mixing &nbsp; and plain spaces was written for a browser that collapses
# the plain ones ("&nbsp; &nbsp; " for four spaces): collapse them as it would.
_MIXED_SPACES = re.compile(r"[ \xa0]*\xa0[ \xa0]*")
_SPACES = re.compile(r" {2,}")


def _classes(el) -> list[str]:
    cls = el.get("class")
    return cls.lower().split() if cls else []


def _is_gutter(el) -> bool:
    if el.get("data-line-number") is not None:
        return True
    if el.tag in ("pre", "code"):  # Prism puts ``line-numbers`` on the block itself
        return False
    return any(_GUTTER_CLASS.match(c) for c in _classes(el))


class _Lines:
    """Lines of text built the way a browser lays them out (see ``_render``)."""

    __slots__ = ("lines", "cur")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur: list[str] = []

    def flush(self) -> None:
        self.lines.append("".join(self.cur))
        self.cur = []

    def edge(self) -> None:
        """A block starts or ends: the line in progress, if any, ends."""
        if any(self.cur):
            self.flush()

    def text(self, s: str, pre: bool, strict: bool) -> None:
        if "\r" in s:
            s = s.replace("\r\n", "\n").replace("\r", "\n")
        if not strict and "\xa0" in s:
            s = _MIXED_SPACES.sub(lambda m: _SPACES.sub(" ", m.group()), s)
        s = s.replace("\xa0", " ")
        if "\u200b" in s or "\ufeff" in s:  # highlighters fill empty lines with zero-width spaces
            s = s.replace("\u200b", "").replace("\ufeff", "")
        if not pre:
            if "\n" in s:
                s = _NL_RUN.sub(" ", s)
            self.cur.append(s)
            return
        parts = s.split("\n")
        for part in parts[:-1]:
            self.cur.append(part)
            self.flush()
        self.cur.append(parts[-1])


def _is_block(el) -> bool:
    return isinstance(el.tag, str) and el.tag in _BLOCK_TAGS


def _render(el, out: _Lines, pre: bool, strict: bool) -> None:
    """Append the rendered text of ``el`` (not its tail) to ``out``."""
    tag = el.tag
    if not isinstance(tag, str):  # comment or processing instruction
        return
    if tag in _SKIP_TAGS or _is_gutter(el):
        return
    if tag == "br":
        out.flush()
        return
    if tag == "textarea" and "code" not in (el.get("class") or "").lower():
        return  # a form field (an answer editor), not code shown on the page
    if tag in _PRE_TAGS:
        pre = True
        strict = strict or tag in _STRICT_TAGS
    elif "white-space" in (el.get("style") or "") and re.search(r"white-space\s*:\s*pre", el.get("style")):
        pre = strict = True
    block = tag in _BLOCK_TAGS
    if block:
        out.edge()
        start = len(out.lines)
    children = list(el)
    if el.text:
        _emit(el.text, out, pre, strict, block, children[0] if children else None, block)
    for i, child in enumerate(children):
        _render(child, out, pre, strict)
        tail = child.tail
        if tail:
            if child.tag == "br" and tail[0] in "\r\n":
                # a newline right after <br> is source formatting: the <br> already broke the line
                tail = tail[2:] if tail.startswith("\r\n") else tail[1:]
                if not tail:
                    continue
            nxt = children[i + 1] if i + 1 < len(children) else None
            _emit(tail, out, pre, strict, _is_block(child), nxt, block)
    if block:
        if len(out.lines) == start and not any(out.cur) and (
                tag in _ROW_TAGS or any(_ROW_CLASS.match(c) for c in _classes(el))):
            out.flush()  # an empty row of a listing is an empty line
        else:
            out.edge()


def _emit(s: str, out: _Lines, pre: bool, strict: bool, after_block: bool, nxt, parent_block: bool) -> None:
    """Text between two nodes; whitespace with a newline next to a block edge is formatting."""
    if "\n" in s and not s.strip(" \t\r\n"):
        before_block = _is_block(nxt) if nxt is not None else parent_block
        if after_block or before_block:
            return
    out.text(s, pre, strict)


def _code_cells(el) -> list:
    """The code column of a table-based highlighter under ``el`` (empty if it is not one)."""
    if el.tag != "table" and el.find(".//table") is None:
        return []
    cells = [td for td in el.iter("td") if any(_CODE_CELL_CLASS.match(c) for c in _classes(td))]
    # keep the outermost code cells only (a code table nested in a code cell is read with it)
    keep = set(cells)
    return [td for td in cells if not any(a in keep for a in td.iterancestors("td"))]


def _finish(lines: list[str]) -> str:
    lines = [line.rstrip() for line in lines]
    # indentation shared by every line comes from the page (the HTML source's nesting), not the code
    indents = {line[: len(line) - len(line.lstrip())] for line in lines if line}
    if indents and all(indents):
        common = os.path.commonprefix(list(indents))
        if common:
            lines = [line[len(common):] for line in lines]
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return "\n".join(lines[start:end])


def code_text(el) -> str:
    """The verbatim text of one code block element."""
    tag = el.tag
    pre = tag in _PRE_TAGS
    strict = tag in _STRICT_TAGS
    cells = _code_cells(el)
    out = _Lines()
    try:
        if cells:
            for td in cells:
                cell = _Lines()
                _render(td, cell, pre, strict)
                cell.edge()
                out.lines.extend(cell.lines or [""])
        else:
            if tag == "textarea":  # its content is raw text; the element itself is skipped below
                out.text(el.text or "", True, True)
            else:
                _render(el, out, pre, strict)
    except RecursionError:  # pathological nesting: fall back to the plain text
        return _finish((el.text_content() if hasattr(el, "text_content") else "".join(el.itertext())).split("\n"))
    out.edge()
    return _finish(out.lines)


def _is_code_table(table) -> bool:
    """A table whose cells are a highlighter's code column (not a table of data with a code field)."""
    if any(_ROOT_CLASS.match(c) for c in _classes(table)):
        return True
    cells = [td for td in table.iter("td") if any(_CODE_CELL_CLASS.match(c) for c in _classes(td))]
    if not cells:
        return False
    for td in cells:
        if any(_SPECIFIC_CELL_CLASS.match(c) for c in _classes(td)):
            return True
        if td.find(".//pre") is not None or td.xpath("boolean(.//div[contains(@class, 'line')])"):
            return True  # Pygments / SyntaxHighlighter: the whole column in one cell
    return any(_is_gutter(td) or td.find("*[@data-line-number]") is not None for td in table.iter("td"))


def _multiline_code(code) -> bool:
    """A ``<code>`` outside ``<pre>`` that is a block: its text spans lines, and it does not
    sit inside a sentence (a long inline snippet wrapped by the page's source formatting)."""
    has_br = code.find(".//br") is not None
    text = code.xpath("string()")
    if not has_br and "\n" not in text.strip():
        return False
    if has_br:
        return True
    prev, parent = code.getprevious(), code.getparent()
    before = (prev.tail if prev is not None else parent.text if parent is not None else "") or ""
    after = code.tail or ""
    # words on both sides, on the same lines: a sentence runs through it
    inline = before.rsplit("\n", 1)[-1].strip() and after.split("\n", 1)[0].strip()
    return not (inline and text.strip().count("\n") <= 2)


def _words(el) -> int:
    return len("".join(el.itertext()).split())


def _under(el, stop, tags) -> bool:
    """An ancestor of ``el`` below ``stop`` has one of ``tags``."""
    for a in el.iterancestors():
        if a is stop:
            return False
        if a.tag in tags:
            return True
    return False


def _mostly_code(el) -> bool:
    """Most of the words under ``el`` sit inside <code>, <pre>, <tt>, <samp> or <kbd>."""
    total = _words(el)
    inside = sum(_words(c) for c in el.iter(*_CODE_TAGS) if c is not el and not _under(c, el, _CODE_TAGS))
    return total > 0 and 2 * inside >= total


def _root_kind(el) -> bool:
    """``el`` is a div-based highlighter root."""
    classes = _classes(el)
    if any(_ROOT_CLASS.match(c) for c in classes):
        return True
    return any(_GENERIC_ROOT_CLASS.match(c) and not _NOT_PROGRAM_CODE.match(c) for c in classes) and _mostly_code(el)


def _doc_order(el) -> list[int]:
    path = []
    parent = el.getparent()
    while parent is not None:
        path.append(parent.index(el))
        el, parent = parent, parent.getparent()
    return path[::-1]


def _blocks(root) -> list:
    """The outermost code blocks under ``root`` (``root`` included), in document order."""
    # (iter makes a Python object per element it yields: only the first <td> and <ol> are asked for)
    tags = list(root.iter("pre", "textarea", "code"))
    has_td = next(root.iter("td"), None) is not None
    has_ol = next(root.iter("ol"), None) is not None
    if not tags and not has_td and not has_ol:
        return []
    blocks = set()
    for el in tags:
        tag = el.tag
        if tag == "pre":
            blocks.add(el)
        elif tag == "textarea":
            cls = (el.get("class") or "").lower()
            if "code" in cls and not _NOT_CODE_TEXTAREA.search(cls):
                blocks.add(el)
        elif _multiline_code(el):
            blocks.add(el)
    if has_td:
        seen = set()
        for td in _CELLS(root):
            table = next(td.iterancestors("table"), None)
            if table is not None and table not in seen:
                seen.add(table)
                if _is_code_table(table):
                    blocks.add(table)
    # the div-based highlighters hold an <ol> listing, <code> runs or CodeMirror's <pre> rows
    need_divs = has_ol or any(
        el.tag == "code" and el.getparent() is not None and el.getparent().tag != "pre"
        or el.tag == "pre" and "line" in (el.get("class") or "").lower() for el in tags)
    for el in _DIVS(root) if need_divs else ():
        if not _root_kind(el):
            continue
        # a root that wraps a real block (a <pre> with a copy button, a highlighter table) lets
        # that block stand alone; one made of rows (CodeMirror's <pre> lines, Telerik's <div>s
        # holding stray multi-line <code>s) is the block itself
        inner = [b for b in el.iter("pre", "table", "textarea", "code") if b in blocks and b is not el
                 and not any(_ROW_CLASS.match(c) for c in _classes(b))]
        if not inner or 2 * sum(_words(b) for b in inner) < _words(el):
            blocks.add(el)
    outer = [el for el in blocks if not any(a in blocks for a in el.iterancestors())]
    return sorted(outer, key=_doc_order) if len(outer) > 1 else outer


def _line_numbers(text: str) -> bool:
    """A gutter left standing alone (its table not recognized): consecutive numbers, one a line."""
    lines = text.split()
    return len(lines) > 1 and all(n.isdigit() for n in lines) and all(
        int(b) == int(a) + 1 for a, b in zip(lines, lines[1:]))


def _chrome(el) -> bool:
    """Nothing a reader would miss: a button, a toolbar, a gutter, an empty <div>/<span>."""
    tag = el.tag
    if not isinstance(tag, str) or tag in _SKIP_TAGS or tag == "br" or _is_gutter(el):
        return True
    return tag in ("div", "span") and not "".join(el.itertext()).strip() and el.find(".//img") is None


def _widget(el):
    """The outermost wrapper that holds nothing but ``el`` and chrome (Prism's ``code-toolbar``
    with its Copy button): extractors drop such wrappers by their class names, so the
    placeholder replaces the wrapper rather than sitting inside it."""
    while True:
        parent = el.getparent()
        if parent is None or parent.tag not in _WRAPPER_TAGS or (parent.text or "").strip():
            return el
        for child in parent:
            if (child.tail or "").strip() or (child is not el and not _chrome(child)):
                return el
        el = parent


def replace_code(root, protect: Protected) -> int:
    """Replace every code block under root, in place, by a `<pre>` holding only a placeholder token; returns how many."""
    count = 0
    for el in _blocks(root):
        text = code_text(el)
        if not text.strip() or _line_numbers(text):
            continue
        if el is not root:
            el = _widget(el)
        tail = el.tail
        el.clear()  # also drops attributes and the tail
        el.tag = "pre"
        el.text = protect.add(text, block=True)
        el.tail = tail
        count += 1
    return count
