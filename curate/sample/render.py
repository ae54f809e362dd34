"""Main-content markup for articles, print versions and section listings."""
from __future__ import annotations

from html import escape

from .article import Article, body_html
from .layout import Site, page


def article_url(site: Site, art: Article, published: str) -> str:
    """Where ``art`` lives on ``site``: dated paths for news, ``/blog/slug/`` for blogs."""
    if site.style == "blog":
        return site.url(f"/{published[:4]}/{published[5:7]}/{art.slug}/")
    if site.style == "table":
        return site.url(f"/news/{art.section}/{art.slug}.html")
    return site.url(f"/{art.section}/{published[:4]}/{published[5:7]}/{art.slug}")


def _comments(site: Site, comments: tuple[tuple[str, str], ...]) -> str:
    if not comments:
        return ""
    items = "".join(
        f'<li class="comment"><div class="comment-author"><b>{escape(who)}</b> <span class="says">says:</span></div>'
        f'<div class="comment-content"><p>{escape(text)}</p></div><a class="reply" href="#respond">Reply</a></li>'
        for who, text in comments
    )
    return (f'<section id="comments" class="comments-area"><h2 class="comments-title">{escape(site.chrome.comments)} '
            f'({len(comments)})</h2><ol class="comment-list">{items}</ol></section>')


def article_main(site: Site, art: Article, published: str, related: list[tuple[str, str]],
                 comments: tuple[tuple[str, str], ...] = ()) -> str:
    """Headline, byline, body, share bar, tags, related links and comments."""
    c = site.chrome
    crumbs = (f'<nav class="breadcrumb"><a href="/">{escape(c.home)}</a> › '
              f'<a href="/{art.section}/">{escape(art.section.title())}</a></nav>')
    byline = (f'<div class="byline">{escape(c.by)} <a rel="author" href="/authors/{art.author.lower().replace(" ", "-")}">'
              f'{escape(art.author)}</a> · <time datetime="{published}">{escape(c.date(published))}</time></div>')
    share = (f'<div class="share-bar"><span>{escape(c.share)}:</span> <a href="#">Facebook</a> <a href="#">X</a> '
             f'<a href="#">LinkedIn</a> <a href="#">Email</a></div>')
    tags = "".join(f'<a rel="tag" href="/tag/{escape(t.replace(" ", "-"))}/">{escape(t)}</a> ' for t in art.tags)
    rel = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in related[:4])
    return "\n".join([
        crumbs,
        f'<h1 class="headline">{escape(art.title)}</h1>',
        byline,
        f'<div class="article-body">\n{body_html(art.paragraphs)}\n</div>',
        share,
        f'<div class="tags">{tags}</div>' if tags else "",
        f'<section class="related"><h3>{escape(c.related)}</h3><ul>{rel}</ul></section>' if rel else "",
        _comments(site, comments),
    ])


def article_page(site: Site, art: Article, published: str, related: list[tuple[str, str]],
                 comments: tuple[tuple[str, str], ...] = (), canonical: str = "") -> str:
    """A full article page in the site's chrome, with JSON-LD metadata."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle" if site.style != "blog" else "BlogPosting",
          "headline": art.title, "author": {"@type": "Person", "name": art.author},
          "datePublished": published, "publisher": {"@type": "Organization", "name": site.name}}
    extra = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    first = next((p for p in art.paragraphs if not p.startswith(("<", "#", "-", ">"))), "")
    return page(site, art.title, article_main(site, art, published, related, comments),
                sidebar=related, description=first[:150], ld=ld, extra_head=extra)


def print_page(site: Site, art: Article, published: str) -> str:
    """The printer-friendly version: same words, almost no chrome."""
    return "\n".join([
        f'<!DOCTYPE html>\n<html lang="{site.lang}">',
        f"<head>\n<title>{escape(art.title)} (print)</title>\n<meta name=\"robots\" content=\"noindex\">\n</head>",
        f'<body class="print" onload="window.print()"><p class="masthead">{escape(site.name)}</p>',
        f"<h1>{escape(art.title)}</h1><p>{escape(site.chrome.by)} {escape(art.author)}, {escape(site.chrome.date(published))}</p>",
        body_html(art.paragraphs),
        f"<hr><p>© 2024 {escape(site.name)}</p>",
        "</body>\n</html>\n",
    ])


def listing_page(site: Site, title: str, items: list[tuple[str, str, str]]) -> str:
    """A section front or tag page: headlines with one-line teasers and pagination, no article."""
    cards = "".join(
        f'<div class="card"><h3><a href="{escape(h)}">{escape(t)}</a></h3><p class="teaser">{escape(teaser)}</p></div>'
        for t, h, teaser in items
    )
    pager = '<nav class="pagination"><a href="?page=1">1</a> <a href="?page=2">2</a> <a href="?page=3">3</a> <a href="?page=2">Next »</a></nav>'
    main = f'<h1 class="section-title">{escape(title)}</h1><div class="cards">{cards}</div>{pager}'
    return page(site, title, main, sidebar=[(t, h) for t, h, _ in items[:5]])
