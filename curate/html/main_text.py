"""Main text of an HTML page as plain text, keeping math as LaTeX and code verbatim.

Llama 3 (section 3.1.1) uses a custom parser that keeps the structure of math and code
pages, keeps image ``alt`` text (math is often an image with its LaTeX in ``alt``), and
removes markdown markers, because plain text trained better than markdown. The steps:

1. parse once with lxml;
2. ``math.replace_math`` and ``code.replace_code`` put every formula and code block behind
   a placeholder token (``protect.Protected``), so the extractor can neither collapse the
   indentation nor lose the symbols;
3. strip elements that never hold main text (script, style, svg, …) in C, with lxml;
4. trafilatura finds the main content (``fast=True``: no comparison with readability and
   jusText on every page; those fallbacks run only when the fast pass finds under
   ``rescue_chars`` characters);
5. the extracted tree is rendered as plain text here, not by trafilatura's txt/markdown
   writer: no ``-`` bullets, no ``|`` table pipes, no ``#`` or ``**``; list items and table
   rows become lines, table cells are separated by a tab;
6. the tokens are replaced by their snippets: ``$…$``, ``$$…$$``, code blocks.
"""

from __future__ import annotations

import dataclasses
import re

from lxml import etree

from curate.html.protect import Protected

#: Elements that never hold main text; removed with their content before extraction.
JUNK_TAGS = ("script", "style", "svg", "template", "iframe", "object", "embed",
             "canvas", "select", "button", "input", "map", "audio", "video", "source", "track")
_SPACES = re.compile(r"[ \t\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SOFT_HYPHEN = "\u00ad"


@dataclasses.dataclass
class MainText:
    """What ``extract_text`` found: the text, and how many formulas and code blocks it kept."""

    text: str | None
    formulas: int = 0
    code_blocks: int = 0


def parse(html: str):
    """An lxml HTML tree for ``html``, or None when it holds no markup.

    Control characters are removed first (libxml2 stops at some of them and drops the rest
    of the page); trafilatura's loader then repairs broken doctypes and encoding declarations.
    """
    from trafilatura.utils import load_html

    html = _CONTROL.sub("", html)
    if not html.strip():
        return None
    try:
        return load_html(html)
    except (etree.ParserError, ValueError, TypeError):
        return None


def extract_text(html: str, url: str | None = None, *, include_tables: bool = True,
                 include_comments: bool = True, favor_precision: bool = False,
                 keep_math: bool = True, keep_code: bool = True, rescue_chars: int = 250,
                 rescue_ratio: float = 0.3, recall_rescue: bool = False,
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
    etree.strip_elements(root, *JUNK_TAGS, with_tail=False)
    etree.strip_tags(root, etree.Comment)
    if backend == "resiliparse":
        text = _resiliparse(root, include_comments)
    elif backend == "trafilatura":
        text = _trafilatura(root, url, include_tables, include_comments, favor_precision, rescue_chars,
                            rescue_ratio, recall_rescue, protect)
    else:
        raise ValueError(f"unknown extraction backend {backend!r}: use 'trafilatura' or 'resiliparse'")
    text = protect.restore(text).replace(_SOFT_HYPHEN, "").strip()
    return MainText(text or None, formulas, code_blocks)


def _trafilatura(root, url, include_tables, include_comments, favor_precision, rescue_chars,
                 rescue_ratio, recall_rescue, protect: Protected) -> str:
    """trafilatura's fast pass; its fallbacks only when that finds little.

    "Little" is under ``rescue_chars`` characters, or under ``rescue_ratio`` of the page's
    visible text: the fast pass often keeps one post of a forum thread. On the dev WARC,
    0.3 brings article F1 back to plain trafilatura's (benchmarks/RESULTS.md).

    The fallbacks drop one-word paragraphs, so their text is taken only if it is longer
    and loses no more formulas or code blocks than the fast pass did.

    ``recall_rescue``: where even the fallbacks keep under half that share (a Q&A page whose
    answers trafilatura drops), take resiliparse's text when it holds most of trafilatura's
    lines and much more. On the dev pages this lifts code lines found from 0.94 to 0.997 and
    costs about 0.015 article F1 (benchmarks/RESULTS.md), hence off by default.
    """
    import trafilatura

    kwargs = dict(url=url, include_tables=include_tables, include_comments=include_comments,
                  favor_precision=favor_precision, with_metadata=False, deduplicate=False)
    visible = len(" ".join(root.text_content().split())) if rescue_ratio > 0 else 0
    text = render(trafilatura.bare_extraction(root, fast=True, **kwargs))
    if len(text) < rescue_chars or len(text) < rescue_ratio * visible:
        rescued = render(trafilatura.bare_extraction(root, fast=False, **kwargs))
        if len(rescued) > len(text) and len(protect.missing(rescued)) <= len(protect.missing(text)):
            text = rescued
        if recall_rescue and len(text) < rescue_ratio / 2 * visible:
            text = _superset(text, _resiliparse(root, include_comments), protect)
    return text


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
    parts = []
    for body in (doc.body, getattr(doc, "commentsbody", None)):
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
        if child.tail and child.tail.strip() and el.tag not in ("list", "table", "row"):
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
    """One line per table row, cells separated by a tab."""
    lines = []
    for row in table.iter("row"):
        cells = [_inline(c) for c in row if c.tag == "cell"]
        line = "\t".join(c for c in cells if c)
        if line:
            lines.append(line)
    return lines


def _clean(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
