"""Pages carrying personal data of obviously fake people, in many formats.

Includes reserved or test values (555-01xx phone numbers, Ofcom drama numbers, payment test
cards, example IBANs, advertising SSNs) plus a few invalid look-alikes that a checksum must reject.
"""
from __future__ import annotations

from html import escape

from .layout import Chrome, Site, page
from .model import Page

DIRECTORY = Site("www.people-directory.example", "PeopleFinder Directory", style="divs",
                 chrome=Chrome(nav=("Search people", "Browse by city", "Opt out", "Help"), most_read="Popular searches",
                               newsletter="Get alerts when new records are added."))
PLUMBING = Site("riverside-plumbing.example", "Riverside Plumbing & Heating", style="plain")
LISTS = Site("lists.tinkerbench.example", "Tinkerbench mailing lists", style="plain")
PAYDOCS = Site("docs.paysandbox.example", "PaySandbox Developer Docs", style="modern",
               chrome=Chrome(nav=("Guides", "API reference", "Testing", "Changelog"), cookie="",
                             most_read="Testing guides", newsletter="Developer newsletter: API changes first."))
IMPRESSUM = Site("www.musterfirma.example", "Musterfirma GmbH", lang="de", style="plain",
                 chrome=Chrome(footer=("Impressum", "Datenschutz", "Kontakt"), rights="Alle Rechte vorbehalten."))
CV = Site("johndoe-portfolio.example", "John Doe — Portfolio", style="plain")
CLASSIFIEDS = Site("classifieds.riverbend-gazette.example", "Riverbend Classifieds", style="divs",
                   chrome=Chrome(nav=("For sale", "Wanted", "Jobs", "Property", "Place an ad"), most_read="Categories"))

PEOPLE = (
    ("Jane Doe", "jane.doe@example.com", "(555) 010-2233", "Accounts"),
    ("John Doe", "john.doe@example.com", "555-010-4477", "Sales"),
    ("Richard Roe", "r.roe@example.net", "+1 555 010 9876", "Support"),
    ("Mary Major", "mary.major@example.org", "555.010.3321", "Legal"),
    ("John Q. Public", "jq.public@example.com", "+1 (555) 010-7788", "Facilities"),
    ("Erika Mustermann", "erika.mustermann@example.de", "+49 30 1234567", "Berlin office"),
    ("Max Mustermann", "max.mustermann@example.de", "030/7654321", "Berlin office"),
    ("Jean Dupont", "jean.dupont@example.fr", "+33 1 23 45 67 89", "Paris office"),
    ("Marie Durand", "marie.durand@example.fr", "06 12 34 56 78", "Paris office"),
    ("Jan Kowalski", "jan.kowalski@example.pl", "+48 22 123 45 67", "Warsaw office"),
    ("Joe Bloggs", "joe.bloggs@example.co.uk", "+44 20 7946 0958", "London office"),
    ("Fred Nurk", "fred.nurk@example.com.au", "020 7946 0321", "London office"),
)
CARDS = (
    ("Visa (test)", "4111 1111 1111 1111"),
    ("Visa (test)", "4242-4242-4242-4242"),
    ("Mastercard (test)", "5500 0000 0000 0004"),
    ("Amex (test)", "378282246310005"),
    ("fails Luhn", "4111 1111 1111 1112"),
)
IBANS = (
    ("valid example", "DE89 3704 0044 0532 0130 00"),
    ("valid example", "GB82WEST12345698765432"),
    ("valid example", "FR14 2004 1010 0505 0001 3M02 606"),
    ("bad checksum", "DE00 3704 0044 0532 0130 00"),
)
SSNS = ("078-05-1120", "219-09-9999")
IPS = ("8.8.8.8", "1.1.1.1", "9.9.9.9", "2001:4860:4860::8888", "2606:4700:4700::1111",
       "192.168.1.20", "10.0.0.5", "127.0.0.1", "::1", "203.0.113.45", "2001:db8::42")


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="records"><tr>{head}</tr>{body}</table>'


def directory_pages() -> list[Page]:
    """Three people-search pages: one site with a very high volume of personal data."""
    pages = []
    for n, chunk in enumerate((PEOPLE[:4], PEOPLE[4:8], PEOPLE[8:])):
        rows = [(name, email, phone, f"{12 + 7 * i} Example Street, Springfield", f"19{60 + 3 * i + n}")
                for i, (name, email, phone, _) in enumerate(chunk)]
        main = (
            f"<h1>People search results: page {n + 1}</h1><p>We found {len(rows)} records. Information is compiled "
            "from public sources. Opt out at any time.</p>"
            + _table(("Name", "Email", "Phone", "Address", "Born"), rows)
            + "<p>Unlock full background reports including relatives, past addresses and court records.</p>"
        )
        pages.append(Page(DIRECTORY.url(f"/search/results?page={n + 1}"), page(DIRECTORY, "People search", main),
                          kind="pii"))
    rows = [(name, email, card, iban, ssn, ip) for (name, email, _, _), (_, card), (_, iban), ssn, ip in
            zip(PEOPLE, CARDS * 3, IBANS * 3, SSNS * 6, IPS)]
    main = (
        "<h1>customer_export_2024-03.csv</h1><p>Index of /exports. Last modified 2024-03-02 11:04.</p>"
        + _table(("name", "email", "card", "iban", "ssn", "last_login_ip"), rows)
    )
    pages.append(Page(DIRECTORY.url("/exports/customer_export_2024-03.html"), page(DIRECTORY, "Index of /exports", main),
                      kind="pii"))
    return pages


def contact_page() -> Page:
    main = (
        "<h1>Contact Riverside Plumbing &amp; Heating</h1><p>We are a family business serving Riverbend and the "
        "surrounding villages since 1987. Boiler servicing, leaks, bathroom fitting and emergency call-outs.</p>"
        "<p>Office: 4 Quay Lane, Riverbend. Phone: (555) 010-2288. Emergencies (24h): 555-010-9111. "
        "Email: office@riverside-plumbing.example</p><p>Opening hours: Monday to Friday 8:00 to 17:30, Saturday "
        "9:00 to 12:00.</p>"
    )
    return Page(PLUMBING.url("/contact"), page(PLUMBING, "Contact us", main), kind="pii")


def mailing_list_page() -> Page:
    headers = (
        "From: John Q. Public <jq.public@example.com>\n"
        "To: help@lists.tinkerbench.example\n"
        "Date: Tue, 12 Mar 2024 09:14:55 +0000\n"
        "Received: from mail.example.com ([203.0.113.45]) by lists.tinkerbench.example\n"
        "Subject: Re: home server unreachable over IPv6"
    )
    body = (
        "<p>Richard Roe &lt;r.roe@example.net&gt; wrote:</p><blockquote>Can you ping it from outside? What address "
        "does the router hand out?</blockquote>"
        "<p>From inside the house the server answers on 192.168.1.20 and on its global address "
        "2001:db8:4a2f:1::20, but from my phone on mobile data I only get timeouts. The router itself is reachable at "
        "fe80::1 locally. Pinging 8.8.8.8 and 2001:4860:4860::8888 from the server works fine, so outbound traffic is OK.</p>"
        "<p>I think the router firewall drops inbound IPv6 by default. Will check tonight. If anyone wants to test, "
        "email me off-list at jq.public@example.com or call 555-010-7788 after six.</p><p>-- John</p>"
    )
    main = f"<h1>[Tinkerbench-help] Re: home server unreachable over IPv6</h1><pre>{escape(headers)}</pre>{body}" \
           '<hr><p>Previous message | Next message | Messages sorted by: date, thread, subject, author</p>'
    return Page(LISTS.url("/pipermail/help/2024-March/001873.html"), page(LISTS, "Re: home server unreachable", main),
                kind="pii")


def payment_docs_page() -> Page:
    rows = [(label, number, "any future date", "any 3 digits") for label, number in CARDS[:4]]
    main = (
        "<h1>Testing payments in the sandbox</h1><p>Use these card numbers in test mode. They pass the Luhn check "
        "but are never charged. Real card numbers are rejected in test mode.</p>"
        + _table(("Brand", "Number", "Expiry", "CVC"), rows)
        + "<p>To simulate a declined payment, use 4000 0000 0000 0002. For bank transfers, use the example IBAN "
        "DE89 3704 0044 0532 0130 00 or GB82 WEST 1234 5698 7654 32. Webhooks are sent from 198.51.100.7.</p>"
    )
    return Page(PAYDOCS.url("/testing/cards"), page(PAYDOCS, "Test card numbers", main), kind="pii")


def impressum_page() -> Page:
    main = (
        "<h1>Impressum</h1><p>Angaben gemäß § 5 TMG</p><p>Musterfirma GmbH<br>Musterstraße 1<br>12345 Musterstadt</p>"
        "<p>Vertreten durch: Erika Mustermann (Geschäftsführerin)</p><p>Telefon: +49 30 1234567<br>Telefax: "
        "030/1234568<br>E-Mail: info@musterfirma.example</p><p>Registereintrag: Amtsgericht Musterstadt, HRB 12345. "
        "Umsatzsteuer-Identifikationsnummer: DE123456789.</p><p>Bankverbindung: IBAN DE89 3704 0044 0532 0130 00, "
        "BIC COBADEFFXXX</p><p>Verantwortlich für den Inhalt: Max Mustermann, Anschrift wie oben.</p>"
    )
    return Page(IMPRESSUM.url("/impressum"), page(IMPRESSUM, "Impressum", main), kind="pii", lang="de")


def cv_page() -> Page:
    main = (
        "<h1>John Doe</h1><p>Data analyst · Springfield</p><p>Email: john.doe@example.com · Phone: +1 555 010 4477 · "
        "Date of birth: 01/02/1985 · SSN: 078-05-1120 (required by one employer's form; please do not copy)</p>"
        "<h2>Experience</h2><ul><li>2019 to now: Analyst at Example Corp. Built weekly sales dashboards and automated "
        "the monthly reporting pipeline.</li><li>2015 to 2019: Junior analyst at Sample &amp; Co. Cleaned survey data "
        "and wrote summary reports.</li></ul><h2>Skills</h2><p>SQL, Python, spreadsheets, statistics, clear writing.</p>"
    )
    return Page(CV.url("/"), page(CV, "John Doe, data analyst", main), kind="pii")


def classifieds_page() -> Page:
    ads = (
        ("Bicycle, 21 gears, good condition", "Call Jane on (555) 010-2233 after 5pm."),
        ("Piano lessons for beginners", "Text 555.010.3321 or email mary.major@example.org"),
        ("Garage to rent near station", "Phone +1 555 010 9876, ask for Richard."),
        ("Lost cat, grey tabby, answers to Biscuit", "Please ring 555-010-4477. Reward!"),
        ("Firewood, seasoned oak", "Delivery in town. Tel. +44 20 7946 0958"),
    )
    main = "<h1>Classifieds: this week</h1>" + "".join(
        f'<div class="ad"><h3>{escape(t)}</h3><p>{escape(c)}</p></div>' for t, c in ads
    )
    return Page(CLASSIFIEDS.url("/this-week"), page(CLASSIFIEDS, "Classifieds", main), kind="pii")


def pii_pages() -> list[Page]:
    """All pages with personal data."""
    return directory_pages() + [contact_page(), mailing_list_page(), payment_docs_page(), impressum_page(),
                                cv_page(), classifieds_page()]
