"""Sites and their chrome: the navigation, banners, sidebars and footers around the main text."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Chrome:
    """Localized boilerplate strings of a site."""

    nav: tuple[str, ...] = ("Home", "News", "Local", "Business", "Science", "Sport", "Opinion", "Weather")
    cookie: str = ("We use cookies and similar technologies to personalise content, measure traffic and show "
                   "relevant offers. You can change your choice at any time in the privacy settings.")
    accept: str = "Accept all"
    manage: str = "Manage preferences"
    most_read: str = "Most read"
    newsletter: str = "Get the morning briefing in your inbox. Sign up for our free newsletter."
    subscribe: str = "Subscribe"
    footer: tuple[str, ...] = ("About us", "Contact", "Advertise", "Privacy policy", "Terms of use", "Cookie settings")
    rights: str = "All rights reserved."
    share: str = "Share this article"
    related: str = "Related stories"
    by: str = "By"
    search: str = "Search"
    skip: str = "Skip to main content"
    comments: str = "Comments"
    home: str = "Home"
    published: str = "Published"
    months: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                               "September", "October", "November", "December")
    date_format: str = "{month} {day}, {year}"

    def date(self, iso: str) -> str:
        """``2024-03-05`` in the site's own words."""
        year, month, day = (int(x) for x in iso[:10].split("-"))
        return self.date_format.format(year=year, month=self.months[month - 1], day=day, mm=month)


@dataclass(frozen=True)
class Site:
    """A website: its host, name, language, chrome strings and page layout style.

    Styles: ``modern`` (HTML5 landmarks), ``divs`` (div soup with ad slots), ``table``
    (1990s table layout), ``blog`` (WordPress-like), ``plain`` (hardly any chrome).
    """

    host: str
    name: str
    lang: str = "en"
    style: str = "modern"
    chrome: Chrome = field(default_factory=Chrome)
    tagline: str = ""

    def url(self, path: str) -> str:
        return f"https://{self.host}{path}"


_ANALYTICS = (
    "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
    "gtag('js',new Date());gtag('config','G-SAMPLE0000');</script>"
)


def head(site: Site, title: str, description: str = "", extra: str = "", ld: dict | None = None) -> str:
    """The ``<head>`` with title, meta, stylesheet, analytics and optional JSON-LD."""
    parts = [
        "<head>",
        f"<title>{escape(title)} | {escape(site.name)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if description:
        parts.append(f'<meta name="description" content="{escape(description)}">')
        parts.append(f'<meta property="og:title" content="{escape(title)}">')
    parts.append(f'<link rel="stylesheet" href="/static/{site.style}.css?v=3">')
    if ld:
        parts.append(f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
    if extra:
        parts.append(extra)
    if site.style != "plain":
        parts.append(_ANALYTICS)
    parts.append("<style>.cookie-banner{position:fixed;bottom:0}.ad-slot{min-height:90px}</style>")
    parts.append("</head>")
    return "\n".join(parts)


def _nav(site: Site) -> str:
    links = "".join(f'<li><a href="/{_slug(n)}/">{escape(n)}</a></li>' for n in site.chrome.nav)
    return f'<nav class="main-nav" aria-label="Main"><ul>{links}</ul></nav>'


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "x"


def _cookie(site: Site) -> str:
    c = site.chrome
    return (
        f'<div class="cookie-banner" id="cookie-consent" role="dialog"><p>{escape(c.cookie)}</p>'
        f'<button class="accept">{escape(c.accept)}</button> <button class="manage">{escape(c.manage)}</button></div>'
    )


def _sidebar(site: Site, links: list[tuple[str, str]]) -> str:
    c = site.chrome
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in links)
    return (
        f'<aside class="sidebar"><section class="most-read"><h3>{escape(c.most_read)}</h3><ol>{items}</ol></section>'
        f'<section class="newsletter"><p>{escape(c.newsletter)}</p><form action="/newsletter" method="post">'
        f'<input type="email" name="email" placeholder="you@example.com"><button>{escape(c.subscribe)}</button>'
        f"</form></section></aside>"
    )


def _footer(site: Site, year: int = 2024) -> str:
    c = site.chrome
    links = " · ".join(f'<a href="/{_slug(x)}">{escape(x)}</a>' for x in c.footer)
    return f'<footer class="site-footer"><p>{links}</p><p>© {year} {escape(site.name)}. {escape(c.rights)}</p></footer>'


def _masthead(site: Site) -> str:
    tag = f'<p class="tagline">{escape(site.tagline)}</p>' if site.tagline else ""
    search = (f'<form class="search" action="/search"><input name="q" aria-label="{escape(site.chrome.search)}">'
              f"<button>{escape(site.chrome.search)}</button></form>")
    return f'<a class="logo" href="/"><img src="/static/logo.png" alt="{escape(site.name)}"></a>{tag}{search}'


def page(site: Site, title: str, main: str, *, sidebar: list[tuple[str, str]] | None = None,
         description: str = "", ld: dict | None = None, extra_head: str = "", cookie: bool = True) -> str:
    """A complete HTML document: ``main`` wrapped in the site's chrome."""
    sidebar = sidebar or []
    parts = [f'<!DOCTYPE html>\n<html lang="{site.lang}">', head(site, title, description, extra_head, ld), "<body>"]
    banner = _cookie(site) if cookie and site.chrome.cookie else ""
    if site.style == "modern":
        parts += [
            f'<a class="skip-link" href="#main">{escape(site.chrome.skip)}</a>',
            f'<header class="site-header">{_masthead(site)}{_nav(site)}</header>',
            banner,
            f'<main id="main"><article>{main}</article>{_sidebar(site, sidebar)}</main>',
            _footer(site),
        ]
    elif site.style == "divs":
        parts += [
            f'<div id="wrapper"><div class="top-bar">{_masthead(site)}</div><div class="menu">{_nav(site)}</div>',
            '<div class="ad-slot ad-leaderboard">Advertisement</div>',
            f'<div class="content-area"><div class="story-body">{main}</div>',
            '<div class="ad-slot ad-inline">Advertisement</div>',
            f'<div class="right-rail">{_sidebar(site, sidebar)}<div class="ad-slot">Advertisement</div></div></div>',
            f'<div class="bottom">{_footer(site)}</div></div>',
            banner,
        ]
    elif site.style == "table":
        nav = "<br>".join(f'<a href="/{_slug(n)}.html">{escape(n)}</a>' for n in site.chrome.nav)
        rows = "".join(f'<a href="{escape(h)}">{escape(t)}</a><br>' for t, h in sidebar)
        parts += [
            '<table width="100%" border="0" cellpadding="4" cellspacing="0">',
            f'<tr><td colspan="3" bgcolor="#003366"><font color="#ffffff" size="5"><b>{escape(site.name)}</b></font>'
            f' <font color="#cccccc">{escape(site.tagline)}</font></td></tr>',
            f'<tr><td width="150" valign="top" class="leftnav">{nav}</td>',
            f'<td valign="top" class="content">{main}</td>',
            f'<td width="180" valign="top" class="rightcol"><b>{escape(site.chrome.most_read)}</b><br>{rows}</td></tr>',
            f'<tr><td colspan="3" align="center"><font size="1">{_footer(site)}</font></td></tr></table>',
        ]
    elif site.style == "blog":
        widgets = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in sidebar)
        parts += [
            f'<div id="page" class="site"><header id="masthead" class="site-header">'
            f'<p class="site-title"><a href="/">{escape(site.name)}</a></p>'
            f'<p class="site-description">{escape(site.tagline)}</p>{_nav(site)}</header>',
            f'<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">{main}</main></div>',
            f'<div id="secondary" class="widget-area"><section class="widget widget_recent_entries">'
            f'<h2 class="widget-title">{escape(site.chrome.most_read)}</h2><ul>{widgets}</ul></section>'
            f'<section class="widget widget_search"><form action="/"><input name="s"></form></section></div></div>',
            f'<footer id="colophon" class="site-footer">{_footer(site)}<p class="powered">Proudly powered by a blogging engine</p></footer></div>',
            banner,
        ]
    else:
        parts += [main, _footer(site)]
    parts += ["</body>", "</html>", ""]
    return "\n".join(p for p in parts if p)
