"""Every fetch in the sample, dated and labelled, in file order.

Dates and order come from hashes of URLs, never from a random generator, so the list is the
same on every run and every Python version.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta

from . import blogs_en, boilerplate, docs, forums, intl_texts, mathpages, news_en, pii, spam, special
from .article import Article
from .intl_sites import SITES as INTL_SITES
from .layout import Site
from .model import Page
from .render import article_page, article_url, listing_page, print_page
from .sites_en import COASTAL, GARDEN, NORTHFIELD, NORTHFIELD_MIRROR, REPOST, RIVERBEND, WIRE, WORKSHOP

YEAR = date(2024, 1, 1)


def _h(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16)


def day(key: str, lo: int = 0, hi: int = 350) -> date:
    """A day of 2024 chosen by hashing ``key``, between ``lo`` and ``hi`` days after 1 January."""
    return YEAR + timedelta(days=lo + _h(key) % (hi - lo))


def stamp(d: date, key: str) -> str:
    """``d`` with a time of day from ``key``, as a WARC date (``2024-03-05T10:11:12Z``)."""
    s = _h("time " + key) % 86400
    return f"{d.isoformat()}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"


def fetched(page: Page, key: str = "", after: date | None = None) -> Page:
    """``page`` dated by its URL (or ``key``), no earlier than ``after``."""
    key = key or page.url
    d = day("fetch " + key) if after is None else after + timedelta(days=1 + _h("gap " + key) % 20)
    return page.at(stamp(min(d, date(2024, 12, 28)), key))


@dataclass(frozen=True)
class Placed:
    """An article placed on a site: its publication day and URL."""

    site: Site
    article: Article
    published: date
    url: str


def _place(site: Site, art: Article) -> Placed:
    pub = day(f"pub {site.host} {art.slug}", 0, 320)
    return Placed(site, art, pub, article_url(site, art, pub.isoformat()))


def _render(p: Placed, siblings: list[Placed], comments=(), art: Article | None = None,
            site: Site | None = None) -> str:
    related = [(s.article.title, s.url) for s in siblings if s.url != p.url][:5]
    return article_page(site or p.site, art or p.article, p.published.isoformat(), related, comments, canonical=p.url)


def _english() -> tuple[list[Page], dict[str, Placed], dict[str, list[Placed]]]:
    groups = [
        (RIVERBEND, news_en.RIVERBEND), (NORTHFIELD, news_en.NORTHFIELD), (COASTAL, news_en.COASTAL),
        (GARDEN, blogs_en.GARDEN), (WORKSHOP, blogs_en.WORKSHOP),
    ]
    pages, placed, by_host = [], {}, {}
    for site, arts in groups:
        siblings = by_host[site.host] = [_place(site, a) for a in arts]
        for i, p in enumerate(siblings):
            comments = ()
            if site.style == "blog" and i % 2 == 0:
                comments = tuple(blogs_en.COMMENTS[j % len(blogs_en.COMMENTS)] for j in range(i, i + 2 + i % 3))
            html = _render(p, siblings, comments)
            placed[p.article.slug] = p
            pages.append(fetched(Page(p.url, html, kind="article", title=p.article.title), after=p.published))
        teasers = [(p.article.title, p.url, p.article.paragraphs[0].split(". ")[0] + ".") for p in siblings]
        section = siblings[0].article.section
        index = Page(site.url(f"/{section}/" if site.style != "blog" else f"/category/{section}/"),
                     listing_page(site, section.title(), teasers), kind="boilerplate")
        pages.append(fetched(index))
    return pages, placed, by_host


def _reword(art: Article, old: str, new: str) -> Article:
    """``art`` with one phrase changed: a near duplicate, as wire copy gets lightly edited."""
    for i, p in enumerate(art.paragraphs):
        if old in p:
            return art.edited(i, p.replace(old, new))
    raise ValueError(f"{old!r} not in {art.slug}")


def _duplicates(placed: dict[str, Placed], by_host: dict[str, list[Placed]], by_url: dict[str, Page]) -> list[Page]:
    def original(slug: str) -> Page:
        return by_url[placed[slug].url]

    out = []
    for slug, url in (("alder-footbridge-reopens", RIVERBEND.url("/story/10452")),
                      ("soil-moisture-sensors", placed["soil-moisture-sensors"].url.replace(NORTHFIELD.host, NORTHFIELD_MIRROR.host))):
        src = original(slug)
        out.append(fetched(replace(src, url=url, dup="exact", dup_of=src.url), after=placed[slug].published))
    for slug, query in (("orchestra-train-shed", "?utm_source=newsletter&utm_medium=email&utm_campaign=weekend"),
                        ("clinic-evening-hours", "?fbclid=IwAR0xSampleClickId_9f8e7d6c5b4a")):
        src = original(slug)
        out.append(fetched(replace(src, url=src.url + query, dup="tracking", dup_of=src.url), after=placed[slug].published))

    def syndicated(slug: str, site: Site, path: str, art: Article, kind: str = "near") -> Page:
        p = placed[slug]
        target = replace(p, site=site, url=site.url(path))
        html = _render(target, [], art=art, site=site)
        return fetched(Page(target.url, html, kind="article", dup=kind, dup_of=p.url, title=art.title), after=p.published)

    broadband = placed["broadband-expansion"].article
    out.append(syndicated("broadband-expansion", WIRE, "/region/county-broadband-reaches-3000-homes", broadband))
    beach = _reword(placed["beach-cleanup-plastic"].article, "The next clean-up is planned for September, after the "
                    "holiday season.", "Organisers plan another clean-up in September, once the summer visitors have gone.")
    out.append(syndicated("beach-cleanup-plastic", WIRE, "/outdoors/beach-clean-up-400kg", beach))
    errors = placed["actionable-error-messages"].article
    errors = errors.edited(len(errors.paragraphs), "This post originally appeared on Byte-Sized Workshop.")
    out.append(syndicated("actionable-error-messages", REPOST, "/@jferrante/writing-error-messages-people-can-act-on-4f2a9c", errors))
    fish = _reword(placed["fish-market-prices"].article, "while prices for flatfish dipped slightly",
                   "and flatfish prices held up better than expected")
    out.append(syndicated("fish-market-prices", COASTAL, "/news/business/fish-market-prices-latest.html", fish))
    lib = placed["library-weekend-hours"]
    out.append(fetched(Page(RIVERBEND.url(f"/print{lib.url.split(RIVERBEND.host)[1]}"),
                            print_page(RIVERBEND, lib.article, lib.published.isoformat()), kind="article",
                            dup="near", dup_of=lib.url, title=lib.article.title), after=lib.published))

    for slug, update in (
        ("night-bus-pilot", "Update: after this article was published, the council confirmed that the trial will "
                            "also run on the eve of public holidays."),
        ("rail-terminal-approved", "Update: two residents of Depot Road have lodged an appeal against the decision. "
                                   "A hearing is expected within two months."),
    ):
        p = placed[slug]
        art = p.article.edited(len(p.article.paragraphs), update)
        html = _render(p, by_host[p.site.host], art=art)
        first = by_url[p.url]
        later = date.fromisoformat(first.date[:10]) + timedelta(days=60 + _h(slug) % 60)
        out.append(Page(p.url, html, kind="article", dup="refetch", dup_of=p.url, title=art.title,
                        date=stamp(min(later, date(2024, 12, 28)), "refetch " + slug)))
    return out


def _forum_pages() -> list[Page]:
    pages = []
    for t in forums.THREADS:
        first = day(f"thread {t.topic_id}", 0, 300).isoformat()
        settled = date.fromisoformat(first) + timedelta(days=7)
        url = forums.thread_url(t)
        page = fetched(Page(url, forums.thread_page(t, t.posts, first), kind="forum", title=t.title), after=settled)
        pages.append(page)
        if t.topic_id in forums.CONTINUATIONS:
            more = forums.CONTINUATIONS[t.topic_id]
            nxt = forums.thread_url(t, start=15)
            pages.append(fetched(Page(nxt, forums.thread_page(t, more, first, start=15), kind="forum", title=t.title),
                                 after=settled))
        if t.topic_id == 5102:
            sid = url + "&sid=5f2c9a0d1e7b4c3a9f8e6d5c4b3a2910"
            pages.append(fetched(replace(page, url=sid, dup="tracking", dup_of=url), after=settled))
        if t.topic_id == 7866:
            extra = ("ferrous_fiona", "Late reply: a humidity meter is cheap and tells you whether the fan is keeping up. "
                     "Aim for below sixty percent an hour after showering.", "")
            later = date.fromisoformat(page.date[:10]) + timedelta(days=75)
            pages.append(Page(url, forums.thread_page(t, t.posts + (extra,), first), kind="forum", dup="refetch",
                              dup_of=url, title=t.title, date=stamp(min(later, date(2024, 12, 28)), "refetch 7866")))
    return pages


def _docs_pages() -> list[Page]:
    pages = []
    for d in docs.PAGES:
        pages.append(fetched(Page(d.url, docs.doc_page(d), kind="code", title=d.title)))
        if d.path.endswith(("csv-totals.html", "binary-search.html")):
            stable = d.url.replace("/en/latest/", "/en/stable/")
            pages.append(fetched(Page(stable, pages[-1].html, kind="code", dup="exact", dup_of=d.url, title=d.title)))
    pages += [fetched(Page(q.url, docs.question_page(q), kind="code", title=q.title)) for q in docs.QUESTIONS]
    return pages


def _intl_pages() -> list[Page]:
    pages = []
    by_site: dict[str, list[Placed]] = {}
    for f in intl_texts.FOREIGN:
        by_site.setdefault(f.site, []).append(_place(INTL_SITES[f.site], f.article))
    for f in intl_texts.FOREIGN:
        siblings = by_site[f.site]
        p = next(s for s in siblings if s.article is f.article)
        html = _render(p, siblings)
        pages.append(fetched(Page(p.url, html, kind="article", lang=INTL_SITES[f.site].lang,
                                  encoding=f.encoding, declared=f.declared, title=f.article.title), after=p.published))
        if f.article.slug == "shequ-tushuguan-yuedu":
            mobile = p.url.replace("www.", "m.", 1)
            pages.append(fetched(replace(pages[-1], url=mobile, dup="exact", dup_of=p.url), after=p.published))
        if f.article.slug == "bicicletas-publicas":
            tracked = p.url + "?utm_source=twitter&utm_medium=social"
            pages.append(fetched(replace(pages[-1], url=tracked, dup="tracking", dup_of=p.url), after=p.published))
    return pages


@dataclass(frozen=True)
class Sample:
    """The fetches in file order, and the one revisit (a later identical fetch of ``revisit_of``)."""

    pages: list[Page]
    revisit: Page
    revisit_of: Page


def sample() -> Sample:
    """All fetches of the sample, dated, labelled and in file order."""
    english, placed, by_host = _english()
    by_url = {p.url: p for p in english}
    redirect_to = placed["broadband-expansion"].url
    pages = (
        english
        + _duplicates(placed, by_host, by_url)
        + _forum_pages()
        + _docs_pages()
        + [fetched(Page(m.url, mathpages.math_page(m), kind="math", title=m.title)) for m in mathpages.PAGES]
        + _intl_pages()
        + [fetched(p) for p in boilerplate.boilerplate_pages()]
        + [fetched(p) for p in spam.spam_pages()]
        + [fetched(p) for p in pii.pii_pages()]
        + [fetched(p) for p in special.special_pages(redirect_to)]
    )
    pages.sort(key=lambda p: _h(f"order {p.url} {p.date}"))
    for i, p in enumerate(pages):
        if p.dup == "refetch":
            j = next(k for k, q in enumerate(pages) if q.url == p.url and q.dup is None)
            if j < i:
                pages[i], pages[j] = pages[j], pages[i]
    original = by_url[placed["tomatoes-indoors"].url]
    later = date.fromisoformat(original.date[:10]) + timedelta(days=30)
    revisit = original.at(stamp(min(later, date(2024, 12, 28)), "revisit"))
    return Sample(pages, revisit, original)
