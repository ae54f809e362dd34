"""Spam pages: keyword stuffing, doorway pages, link farms and parked domains (nothing explicit)."""
from __future__ import annotations

from html import escape

from .model import Page

CITIES = ("Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Oakdale", "Maplewood", "Brookfield",
          "Clearwater", "Hillcrest", "Cedar Falls", "Pinehurst", "Milford", "Ashford", "Kingsport", "Westbury")


def _doc(title: str, body: str, keywords: str) -> str:
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n<title>{escape(title)}</title>\n"
        f'<meta name="keywords" content="{escape(keywords)}">\n'
        f'<meta name="description" content="{escape(keywords)}">\n</head>\n<body>\n{body}\n</body>\n</html>\n'
    )


def _stuffed(phrases: tuple[str, ...], rounds: int, step: int) -> str:
    words = []
    n = len(phrases)
    for i in range(rounds):
        words.append(phrases[(i * step) % n])
    return " ".join(words)


def _links(anchors: tuple[str, ...], host: str) -> str:
    return " | ".join(f'<a href="https://{host}/{a.replace(" ", "-")}">{escape(a)}</a>' for a in anchors)


def casino(host: str) -> str:
    phrases = ("best online casino", "casino bonus", "free spins no deposit", "win real money", "jackpot slots",
               "top casino 2024", "instant withdrawal casino", "claim your bonus now", "100% welcome bonus",
               "play slots online", "big wins today", "casino bonus codes")
    body = (
        f"<h1>BEST ONLINE CASINO BONUS 2024 - FREE SPINS NO DEPOSIT - WIN REAL MONEY!!!</h1>\n"
        f"<p>{_stuffed(phrases, 90, 5)}.</p>\n"
        "<p>Looking for the best online casino? Our best online casino list has the best online casino bonus. "
        "Casino bonus, casino bonus, casino bonus: claim the casino bonus today and get free spins. Free spins no "
        "deposit free spins no deposit free spins. Win real money now! Win real money now! Win real money now!</p>\n"
        f'<div style="display:none">{_stuffed(phrases, 150, 7)}</div>\n'
        f"<p>{_links(phrases, host)}</p>\n"
        '<p><a href="/go/bonus"><b>&gt;&gt;&gt; CLAIM BONUS &lt;&lt;&lt;</b></a></p>'
    )
    return _doc("Best Online Casino Bonus 2024 | Free Spins | Casino Bonus | Win Real Money", body, ", ".join(phrases))


def pills(host: str) -> str:
    products = ("vitamin D", "weight loss pills", "sleep aid", "energy booster", "joint support", "hair growth pills",
                "diet capsules", "immune booster", "memory pills", "detox tea")
    rows = "".join(
        f"<tr><td>{escape(p)}</td><td>${9 + 3 * i}.99</td><td>-{20 + 5 * (i % 6)}%</td><td>"
        f'<a href="/order?item={i}">BUY NOW</a></td></tr>' for i, p in enumerate(products)
    )
    phrases = tuple(f"buy cheap {p} online" for p in products) + (
        "no prescription needed", "discount pharmacy", "fast worldwide shipping", "best price guaranteed")
    body = (
        "<h1>Cheap Pills Online - Discount Pharmacy - No Prescription Needed</h1>\n"
        f"<p>{_stuffed(phrases, 80, 3)}.</p>\n"
        f'<table border="1"><tr><th>Product</th><th>Price</th><th>Save</th><th></th></tr>{rows}</table>\n'
        "<p>Cheap pills cheap pills cheap pills. Discount pharmacy discount pharmacy. Order now order now order now. "
        "100% satisfaction. 100% discreet. 100% cheap.</p>\n"
        f"<p>{_links(phrases, host)}</p>"
    )
    return _doc("Cheap Pills Online | Discount Pharmacy | Buy Cheap", body, ", ".join(phrases))


def loans(host: str) -> str:
    phrases = ("fast cash loans", "same day approval", "bad credit ok", "payday loans online", "instant cash",
               "no credit check loans", "get money today", "apply in 2 minutes")
    body = (
        "<h1>FAST CASH LOANS - SAME DAY APPROVAL - BAD CREDIT OK</h1>\n"
        + "".join(f"<h2>{escape(p.title())}</h2><p>{_stuffed(phrases, 40, i + 1)}.</p>\n" for i, p in enumerate(phrases))
        + '<form action="/apply"><input name="amount" value="$1000"><button>GET CASH NOW</button></form>'
    )
    return _doc("Fast Cash Loans Online - Same Day - No Credit Check", body, ", ".join(phrases))


def replicas(host: str) -> str:
    brands = ("luxury watch", "designer handbag", "premium sunglasses", "sports watch", "leather wallet",
              "diamond style ring", "chronograph", "travel bag")
    items = "".join(
        f'<div class="product"><img src="/img/p{i}.jpg" alt="replica {escape(b)} cheap"><p>Replica {escape(b)} '
        f"AAA quality - cheap replica {escape(b)} - best replica {escape(b)} sale - only ${29 + i * 10}</p></div>\n"
        for i, b in enumerate(brands * 3)
    )
    return _doc("Replica Watches Cheap | Luxury Replica | Best Replica Store", f"<h1>Best Replica Store Online</h1>\n{items}",
                "replica, cheap replica, luxury replica, replica watches, replica bags")


def link_directory(host: str) -> str:
    topics = ("cheap hotels", "car insurance", "web hosting", "seo services", "online degree", "home loans",
              "dating tips", "weight loss", "forex trading", "cheap flights", "casino games", "phone deals")
    blocks = []
    for t in topics:
        links = " ".join(f'<a href="https://{t.replace(" ", "-")}-{j}.example/">{escape(t)} {j}</a>' for j in range(1, 16))
        blocks.append(f"<h3>{escape(t.title())}</h3><p>{links}</p>")
    body = "<h1>Free SEO Link Directory - Submit Your Site</h1>\n" + "\n".join(blocks) + \
        '\n<p>Submit your link! Reciprocal links only. <a href="/submit">Submit URL</a></p>'
    return _doc("SEO Link Directory | Free Backlinks | Submit Site", body, "seo, backlinks, link directory, free links")


def plumber_doorway(host: str) -> str:
    parts = []
    for city in CITIES:
        parts.append(
            f"<h2>Best Plumber in {city}</h2><p>Looking for the best plumber in {city}? Our {city} plumber is the best "
            f"plumber in {city}. Call the {city} plumbing experts for emergency plumber {city} service. Cheap plumber "
            f"{city}, 24/7 plumber {city}, local plumber {city}. Best plumber {city} near me.</p>"
        )
    return _doc("Best Plumber Near Me | Emergency Plumber | Cheap Plumber 24/7", "\n".join(parts),
                "plumber, best plumber, plumber near me, emergency plumber")


def flights_doorway(host: str) -> str:
    parts = [f'<li><a href="/flights/{c.lower().replace(" ", "-")}">Cheap flights to {c} from $49 - book cheap flights '
             f"to {c} now - last minute flights {c}</a></li>" for c in CITIES * 2]
    body = ("<h1>Cheap Flights Everywhere - Lowest Prices Guaranteed</h1>\n<ul>" + "".join(parts) + "</ul>\n"
            "<p>cheap flights cheap flights cheap flights cheap tickets cheap airline tickets low cost flights</p>")
    return _doc("Cheap Flights | Cheap Tickets | Lowest Price Flights", body, "cheap flights, cheap tickets")


def crypto(host: str) -> str:
    body = (
        "<h1>This ONE Secret Turned $250 Into $18,000 In 30 Days!!!</h1>\n"
        "<p>Banks HATE this trick. Experts are SHOCKED. Everyone can do it, no experience needed! Click the button "
        "below before this page is taken down!!! Only 7 spots left today!!!</p>\n"
        + "<p>GUARANTEED PROFIT. ZERO RISK. START NOW. </p>\n" * 12
        + '<p><a href="/signup"><b>YES! I WANT TO GET RICH &gt;&gt;</b></a></p>'
        "<p>Testimonials: \"I made $5,000 my first week!!!\" - J. D. \"Quit my job after 3 days!!\" - A. B.</p>"
    )
    return _doc("SECRET Crypto Profit System - Make $1000/Day", body, "crypto profit, get rich, make money online")


def review_farm(host: str) -> str:
    items = ("Blender", "Air Fryer", "Coffee Maker", "Toaster", "Rice Cooker", "Stand Mixer", "Kettle",
             "Juicer", "Slow Cooker", "Food Processor")
    parts = []
    for i, item in enumerate(items, 1):
        parts.append(
            f"<h2>{i}. Best {item} 2024 - Top Rated {item}</h2><p>This is the best {item.lower()} of 2024. "
            f"If you want the best {item.lower()}, this best {item.lower()} is the best choice. Check price on "
            f'the store. <a href="https://store.example/?tag=affiliate-20&amp;item={i}">Check Price</a></p>'
            f"<p>Pros: great, good, best. Cons: none.</p>"
        )
    return _doc("Top 10 Best Kitchen Appliances 2024 - Reviews & Buying Guide", "\n".join(parts),
                "best blender, best air fryer, best coffee maker, reviews")


def parked(host: str) -> str:
    searches = ("Online Degrees", "Car Insurance Quotes", "Cheap Hotels", "Web Hosting", "Credit Cards",
                "Mortgage Rates", "Cloud Storage", "VPN Service")
    links = "".join(f'<li><a href="/search?q={s.replace(" ", "+")}">{escape(s)}</a></li>' for s in searches)
    body = (f"<h1>{escape(host)}</h1><p>This domain may be for sale!</p><h3>Related Searches</h3><ul>{links}</ul>"
            '<p><a href="/inquire">Buy this domain</a></p><p>Copyright 2024. All rights reserved. Privacy Policy</p>')
    return _doc(host, body, "related searches")


BUILDERS = (
    ("www.best-casino-bonus-online.example", "/", casino),
    ("cheap-pills-pharmacy-24.example", "/buy-cheap-pills-online.html", pills),
    ("fastcash-loans-now.example", "/payday-loans-online", loans),
    ("luxury-replica-watches.example", "/replica-watches-cheap.html", replicas),
    ("seo-link-directory.example", "/free-backlinks/page1.html", link_directory),
    ("springfield-plumber-best.example", "/best-plumber-near-me", plumber_doorway),
    ("cheapflights-everywhere.example", "/", flights_doorway),
    ("crypto-profit-secrets.example", "/secret", crypto),
    ("top10-best-reviews.example", "/best-kitchen-appliances-2024", review_farm),
    ("parked-domain-forsale.example", "/", parked),
)


def spam_pages() -> list[Page]:
    """One page per spam builder, plus the casino page copied verbatim onto a second domain."""
    pages = [Page(f"https://{host}{path}", fn(host), kind="spam") for host, path, fn in BUILDERS]
    first = pages[0]
    pages.append(Page("https://casino-bonus-mirror.example/", first.html, kind="spam", dup="exact", dup_of=first.url))
    return pages
