"""Articles (news and blog posts) and how their main content is marked up."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import escape

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Article:
    """A written article: paragraphs may start with ``## `` (subhead), ``> `` (quote) or ``- `` (list)."""

    slug: str
    section: str
    title: str
    author: str
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...] = ()

    def edited(self, index: int, paragraph: str) -> Article:
        """A copy with paragraph ``index`` replaced (``index == len`` appends)."""
        paras = list(self.paragraphs)
        if index == len(paras):
            paras.append(paragraph)
        else:
            paras[index] = paragraph
        return replace(self, paragraphs=tuple(paras))


def inline(text: str) -> str:
    """Escape ``text`` and turn ``[label](href)`` into links."""
    out, pos = [], 0
    for m in _LINK.finditer(text):
        out.append(escape(text[pos:m.start()], quote=False))
        out.append(f'<a href="{escape(m.group(2))}">{escape(m.group(1), quote=False)}</a>')
        pos = m.end()
    out.append(escape(text[pos:], quote=False))
    return "".join(out)


def body_html(paragraphs: tuple[str, ...] | list[str]) -> str:
    """Paragraph strings as HTML blocks; raw HTML blocks (starting with ``<``) pass through."""
    out = []
    for p in paragraphs:
        if p.startswith("<"):
            out.append(p)
        elif p.startswith("## "):
            out.append(f"<h2>{inline(p[3:])}</h2>")
        elif p.startswith("> "):
            out.append(f"<blockquote><p>{inline(p[2:])}</p></blockquote>")
        elif p.startswith("- "):
            items = "".join(f"<li>{inline(x[2:])}</li>" for x in p.split("\n"))
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{inline(p)}</p>")
    return "\n".join(out)


def plain_text(article: Article) -> str:
    """The article's own words, for tests that check extraction."""
    text = "\n".join(p.lstrip("#>- ") for p in article.paragraphs if not p.startswith("<"))
    return _LINK.sub(r"\1", text)
