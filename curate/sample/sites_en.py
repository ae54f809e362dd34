"""The English news sites and blogs, plus the sites that copy or syndicate their articles."""
from __future__ import annotations

from .layout import Chrome, Site

RIVERBEND = Site("www.riverbend-gazette.example", "The Riverbend Gazette", style="modern",
                 tagline="News for Riverbend and the Alder valley since 1871")
NORTHFIELD = Site("www.northfield-ledger.example", "Northfield Daily Ledger", style="divs",
                  chrome=Chrome(nav=("Home", "News", "Business", "Farm", "Schools", "Obituaries", "e-Edition"),
                                cookie="This site uses cookies. By continuing to browse you agree to our use of cookies.",
                                accept="OK", manage="Learn more", most_read="Trending now",
                                newsletter="Breaking news alerts, delivered to your inbox."))
NORTHFIELD_MIRROR = Site("mirror.northfield-ledger.example", NORTHFIELD.name, style="divs", chrome=NORTHFIELD.chrome)
COASTAL = Site("coastaltimes.example", "Coastal Times Online", style="table", tagline="Harbour, town and sea",
               chrome=Chrome(nav=("Home", "Harbour", "Town", "Business", "Culture", "Sport", "Tides", "Contact"),
                             cookie="", most_read="Latest"))
GARDEN = Site("slowgarden.example", "Slow Garden Notes", style="blog", tagline="A small garden, patiently",
              chrome=Chrome(nav=("Home", "Seeds", "Soil", "Planting", "About me"), cookie="", most_read="Recent posts"))
WORKSHOP = Site("bytesized-workshop.example", "Byte-Sized Workshop", style="blog",
                tagline="Notes from a working programmer",
                chrome=Chrome(nav=("Home", "Python", "Tools", "Practice", "About"), most_read="Recent posts",
                              cookie="This blog uses a privacy-friendly analytics cookie. No ads, no tracking.",
                              accept="Fine", manage="No thanks"))
REPOST = Site("medley-reads.example", "Medley Reads", style="modern",
              chrome=Chrome(nav=("Home", "Technology", "Culture", "Self", "Write"), most_read="Recommended for you",
                            newsletter="Get the best stories of the week."))
WIRE = Site("valleywire.example", "Valley Wire", style="modern",
            chrome=Chrome(nav=("Top stories", "Region", "Business", "Outdoors"), most_read="Around the valley"))
