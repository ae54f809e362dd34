"""Pages that are almost all chrome: logins, paywalls, consent walls, listings, sitemaps, stubs."""
from __future__ import annotations

from html import escape

from .layout import Site, page
from .model import Page
from .sites_en import COASTAL, GARDEN, NORTHFIELD, RIVERBEND, WORKSHOP

HOMEPAGE_STUB = Site("homepages.example", "Kevin's Homepage", style="plain")


def _p(site: Site, path: str, title: str, main: str, cookie: bool = True) -> Page:
    return Page(site.url(path), page(site, title, main, cookie=cookie), kind="boilerplate")


def boilerplate_pages() -> list[Page]:
    """About ten pages with little or no main text."""
    months = "".join(f'<li><a href="/archive/2024/{m:02d}/">{m:02d}/2024</a> ({20 + (m * 7) % 13})</li>' for m in range(1, 13))
    sitemap = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in
                      ("local", "business", "science", "sports", "weather", "opinion", "culture", "archive",
                       "contact", "advertise", "subscribe", "privacy", "terms", "careers", "corrections"))
    events = "".join(f"<tr><td>2024-05-{d:02d}</td><td>{escape(e)}</td><td>Town hall</td></tr>" for d, e in
                     ((3, "Council meeting"), (9, "Farmers market"), (14, "Blood drive"), (21, "Quiz night"),
                      (28, "Library book sale")))
    return [
        _p(RIVERBEND, "/account/login", "Sign in",
           '<h1>Sign in</h1><form action="/account/login" method="post"><label>Email <input name="email"></label>'
           '<label>Password <input type="password" name="password"></label><label><input type="checkbox"> Remember me'
           '</label><button>Sign in</button></form><p><a href="/account/reset">Forgot your password?</a></p>'
           '<p>New here? <a href="/subscribe">Create an account</a></p>'),
        _p(NORTHFIELD, "/news/2024/subscriber-only/county-budget-analysis", "Subscribe to continue reading",
           "<h1>County budget: where the money goes</h1><p>The county's draft budget for next year runs to 412 pages.</p>"
           '<div class="paywall"><h2>You have reached your limit of free articles</h2><p>Subscribe for unlimited '
           'access for just $1 for the first month.</p><a class="btn" href="/subscribe">Subscribe now</a> '
           '<a href="/login">Already a subscriber? Log in</a></div>'),
        _p(RIVERBEND, "/consent?return=%2Flocal%2F", "Before you continue",
           "<h1>Before you continue</h1><p>We and our 143 partners store and access information on your device.</p>"
           "<ul><li>Store and/or access information on a device</li><li>Personalised advertising and content</li>"
           "<li>Audience measurement</li></ul><button>Accept all</button> <button>Reject all</button> "
           "<button>More options</button>", cookie=False),
        _p(NORTHFIELD, "/search?q=library+hours", "Search results",
           '<h1>Search results for "library hours"</h1><p>No results found. Try different keywords or browse our '
           'sections.</p><form action="/search"><input name="q" value="library hours"><button>Search</button></form>'),
        _p(COASTAL, "/contact.html", "Contact",
           '<h1>Contact us</h1><form action="/contact" method="post"><input name="name" placeholder="Name">'
           '<input name="email" placeholder="Email"><textarea name="message"></textarea><button>Send</button></form>'),
        _p(HOMEPAGE_STUB, "/~kevin/", "Under construction",
           "<h1>Welcome to my homepage!</h1><p>This page is under construction. Come back soon!</p>"
           '<p>You are visitor number 004211.</p><p><a href="/~kevin/links.html">My links</a> | '
           '<a href="/~kevin/guestbook.html">Sign my guestbook</a></p>'),
        _p(RIVERBEND, "/sitemap/", "Sitemap", f"<h1>Sitemap</h1><ul>{sitemap}</ul>"),
        _p(GARDEN, "/archive/", "Archives", f"<h1>Archives</h1><ul>{months}</ul>"),
        _p(COASTAL, "/events.html", "Events this month",
           f'<h1>Events</h1><table><tr><th>Date</th><th>Event</th><th>Where</th></tr>{events}</table>'),
        _p(WORKSHOP, "/tag/python/page/2/", "Tag: python (page 2)",
           '<h1>Posts tagged "python"</h1><p>Nothing more to show.</p><a href="/tag/python/">« Newer posts</a>'),
    ]
