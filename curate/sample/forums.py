"""Forum threads (several posts each, with quotes and signatures) and their two forum layouts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from .layout import Chrome, Site, page

BENCH = Site("forum.tinkerbench.example", "Tinkerers' Bench", style="plain",
             chrome=Chrome(footer=("Board index", "The team", "Delete cookies", "All times are UTC"),
                           rights="Powered by BenchBoard."))
HEARTH = Site("community.hearthandhome.example", "Hearth & Home Community", style="plain",
              chrome=Chrome(footer=("Guidelines", "FAQ", "Terms of Service", "Privacy"),
                            rights="Community content is shared by members."))

SIGNATURES = {
    "solder_sam": "Measure twice, cut once, solder three times.",
    "OldRadioHank": "Restoring valve radios since before it was cool. Mind the capacitors.",
    "ferrous_fiona": "Workshop log: slowly turning scrap into slightly better scrap.",
    "pi_tinker": "",
    "woodchuck77": "If it doesn't fit, get a bigger hammer (kidding).",
    "LayerLine": "Printing in PLA and patience.",
    "crumbandcrust": "Baking bread badly, but with enthusiasm.",
    "Marnie_K": "",
    "frugal_fred": "A penny saved is a penny you can spend on tools.",
    "DampProofDee": "Ventilation is the answer. What was the question?",
}


@dataclass(frozen=True)
class Thread:
    """A forum topic: its board, numeric id, title and (user, text, quoted-user) posts."""

    site: Site
    board: str
    topic_id: int
    title: str
    posts: tuple[tuple[str, str, str], ...]


T = Thread
THREADS = (
    T(BENCH, "Electronics", 4817, "Soldering iron tip keeps turning black", (
        ("pi_tinker", "My cheap temperature-controlled iron worked fine for a month, but now the tip goes black "
         "within minutes and solder just balls up and rolls off. I clean it on a wet sponge after every joint. "
         "Is the tip finished or am I doing something wrong?", ""),
        ("solder_sam", "Black means oxidised. Two usual causes: the temperature is too high, or the tip sits hot "
         "without solder on it. Try 330 °C for ordinary leaded solder and always leave a blob of solder on the tip "
         "when you put the iron back in the stand.", ""),
        ("ferrous_fiona", "Also, swap the wet sponge for brass wool. The sponge cools the tip sharply every time "
         "and that speeds up oxidation. A tin of tip tinner costs very little and can bring a tip back if the "
         "plating is not already worn through.", ""),
        ("pi_tinker", "Set it to 330 and bought brass wool and tip tinner. After rubbing the tip in the tinner it is "
         "shiny again. Thanks both!", "solder_sam"),
        ("solder_sam", "Good to hear. If it goes black again within a day, the plating is damaged and a new tip "
         "is the only fix. They are cheap.", ""),
    )),
    T(BENCH, "Woodworking", 5102, "Best way to flatten a warped cutting board?", (
        ("woodchuck77", "I made an end-grain cutting board from maple and walnut last year. After a winter by the "
         "radiator it has a noticeable cup, about two millimetres across the width. I do not own a planer wide "
         "enough. Any ideas?", ""),
        ("ferrous_fiona", "A router sled is the classic answer. Build two rails either side of the board, a carriage "
         "that rides on them, and take light passes with a wide bit. It is slow but very accurate.", ""),
        ("OldRadioHank", "For two millimetres I would use a hand plane with a sharp blade set very fine, working "
         "diagonally across the grain. End grain tears out if you go straight across, so wet the surface slightly first.", ""),
        ("woodchuck77", "Went with the router sled because I wanted an excuse to build one. Board is flat again. "
         "It now lives far away from the radiator.", "ferrous_fiona"),
    )),
    T(BENCH, "Single-board computers", 5230, "Raspberry Pi keeps rebooting under load", (
        ("LayerLine", "My Pi 4 runs a small home server. Whenever I start a big compile or copy files to the USB "
         "drive, it reboots with no error in the logs. Temperatures look fine, around 60 degrees.", ""),
        ("pi_tinker", "Classic undervoltage. Run vcgencmd get_throttled after a reboot; a non-zero value means the "
         "supply sagged. Phone chargers often claim three amps but drop voltage under load.", ""),
        ("LayerLine", "It says throttled=0x50005. So yes, undervoltage.", "pi_tinker"),
        ("solder_sam", "Get the official supply or one rated 5.1 V, and power the USB drive from a powered hub. "
         "Spinning drives draw a surge when they spin up that the Pi's ports cannot always provide.", ""),
        ("LayerLine", "Powered hub installed, three days without a reboot. Marking as solved.", ""),
    )),
    T(BENCH, "Woodworking", 5344, "Sharpening chisels: waterstones or sandpaper?", (
        ("Marnie_K", "I am starting out with hand tools and bought a set of old chisels at a car boot sale. "
         "Should I invest in waterstones, or is the sandpaper-on-glass method good enough?", ""),
        ("woodchuck77", "Sandpaper on glass is completely good enough to start with, and cheap. Use wet-and-dry "
         "paper from 240 up to 2000 grit, stuck to a piece of float glass with a little water.", ""),
        ("ferrous_fiona", "Agree. The key is flattening the back of each chisel first, which takes longer than the "
         "bevel. Once the backs are flat you only touch them lightly again. Stones are nicer later but not necessary.", ""),
        ("Marnie_K", "Flattened the backs of all six last night. My arms hurt, but they shave hair now!", ""),
    )),
    T(BENCH, "Vintage electronics", 5401, "Hum in the speaker of an old valve radio", (
        ("woodchuck77", "I was given my grandfather's valve radio. It works, but there is a loud hum even with the "
         "volume at zero. Where should I start? I have a multimeter and some soldering experience.", ""),
        ("OldRadioHank", "Before anything else: those sets hold dangerous voltages, and some capacitors stay charged "
         "after unplugging. Please read up on safe discharge and work with one hand when the set is powered. "
         "A constant hum regardless of volume is almost always the smoothing capacitors in the power supply drying out.", ""),
        ("solder_sam", "Hank is right. Replace the electrolytic smoothing capacitors with modern ones of the same "
         "capacitance and an equal or higher voltage rating. Many restorers hide the new parts inside the old cans "
         "to keep the look.", ""),
        ("woodchuck77", "Replaced the two big electrolytics using a variac to bring it up slowly. The hum is gone and "
         "it picks up the local stations beautifully.", "OldRadioHank"),
    )),
    T(BENCH, "3D printing", 5512, "First layer not sticking to the bed", (
        ("Marnie_K", "New printer, and the first layer either drags around or peels at the corners. The bed is "
         "levelled with a sheet of paper. Printing PLA at 205 and the bed at 60.", ""),
        ("LayerLine", "Paper levelling is a start, but the nozzle is usually still too far away. Print a single "
         "layer square and adjust the Z offset live until the lines squish together with no gaps.", ""),
        ("ferrous_fiona", "Also wash the bed with warm water and dish soap. Fingerprints leave oil that PLA hates. "
         "Isopropyl alcohol alone tends to smear the grease around.", ""),
        ("Marnie_K", "Lowered the Z offset by 0.08 mm and washed the plate. The test square looks like one solid "
         "sheet now.", "LayerLine"),
        ("LayerLine", "Perfect. Save that offset and write it on a sticky note inside the printer door.", ""),
    )),
    T(HEARTH, "Baking", 7731, "Sourdough starter smells like nail polish remover", (
        ("crumbandcrust", "My starter is three weeks old and smelled lovely and yeasty until a few days ago. Now it "
         "smells sharply of acetone. Has it gone bad? Should I throw it away?", ""),
        ("Marnie_K", "Don't throw it out! That smell usually means it is hungry. The yeast and bacteria have eaten "
         "all the flour and produce those compounds when starved. Feed it more often or use a higher ratio of "
         "fresh flour.", ""),
        ("frugal_fred", "I keep mine in the fridge between bakes and feed it once a week. It gets a bit of that smell "
         "before feeding day, then it is fine again after two feeds at room temperature.", ""),
        ("crumbandcrust", "Fed it twice a day at one part starter to five parts flour and water. Smells like yoghurt "
         "again. Thank you!", "Marnie_K"),
    )),
    T(HEARTH, "Kitchen", 7802, "How do you stop a cast iron pan from rusting?", (
        ("DampProofDee", "I inherited a cast iron skillet and it gets orange spots of rust every time I wash it. "
         "What is the trick?", ""),
        ("frugal_fred", "Dry it immediately, then put it on the hob for a minute until all the water has evaporated. "
         "Wipe a very thin film of oil over it while it is warm. Very thin: it should look almost dry.", ""),
        ("crumbandcrust", "And if the rust is already there, scrub it off with steel wool, rinse, dry, then oil it and "
         "bake it upside down in a hot oven for an hour to rebuild the seasoning.", ""),
        ("DampProofDee", "The drying-on-the-hob trick made all the difference. No rust for two weeks.", ""),
    )),
    T(HEARTH, "Around the house", 7815, "Drafty windows: cheap fixes for winter?", (
        ("frugal_fred", "Our rented flat has old sash windows and you can feel the wind across the room. Landlord "
         "won't replace them. What can we do that is cheap and can be removed when we move out?", ""),
        ("DampProofDee", "Self-adhesive foam strip along the frames where the sashes meet, and a heavy curtain that "
         "reaches the floor. Those two things halved the draught in our place.", ""),
        ("Marnie_K", "Clear shrink film kits work surprisingly well. You stick tape around the frame, stretch the film "
         "over it and tighten it with a hairdryer. It peels off in spring.", ""),
        ("frugal_fred", "Tried the shrink film on the worst window. The difference is noticeable already.", "Marnie_K"),
    )),
    T(HEARTH, "Baking", 7840, "Bread machine or kneading by hand?", (
        ("Marnie_K", "Thinking about buying a bread machine because I never have time to knead. Are the loaves any "
         "good, or should I learn a no-knead method instead?", ""),
        ("crumbandcrust", "No-knead bread is wonderful if you plan ahead: mix flour, water, salt and a pinch of yeast "
         "in the evening, and bake in a lidded pot the next day. Almost no work and a great crust.", ""),
        ("frugal_fred", "I use the machine only for the dough cycle and shape and bake the loaf in the oven. Best of "
         "both worlds.", ""),
    )),
    T(HEARTH, "Around the house", 7866, "Mould on the bathroom ceiling keeps coming back", (
        ("crumbandcrust", "I clean the black spots off the bathroom ceiling every month, and they are back a few "
         "weeks later. The bathroom has no window, just a small extractor fan.", ""),
        ("DampProofDee", "The mould is a symptom; the moisture is the cause. Check the fan actually pulls air: hold a "
         "sheet of toilet paper to it and see if it sticks. Many are clogged or too weak.", ""),
        ("frugal_fred", "Leave the fan running for twenty minutes after a shower and keep the door ajar. Anti-mould "
         "paint helps, but only once the damp is under control.", ""),
        ("crumbandcrust", "The paper test was humbling: the fan barely moved it. Cleaned the grille and the duct and now "
         "it pulls hard.", "DampProofDee"),
    )),
    T(HEARTH, "Kitchen", 7903, "Meal planning for a family of five on a budget", (
        ("frugal_fred", "Food prices keep climbing and we are five at home, including two teenagers who eat like "
         "horses. How do you plan meals without spending every evening on it?", ""),
        ("Marnie_K", "We rotate a two-week menu. Once it is written, the shopping list is the same every fortnight, "
         "so planning takes five minutes. Swap a meal or two when something is on offer.", ""),
        ("crumbandcrust", "Cook a big pot of beans or lentils on Sunday. They go into chilli, soup and wraps during the "
         "week and cost very little per portion.", ""),
        ("DampProofDee", "And get the teenagers cooking one night a week each. It saves your time and they learn.", ""),
        ("frugal_fred", "Love the teenager idea. They have been told. There was grumbling.", "DampProofDee"),
    )),
)

CONTINUATIONS = {
    5230: (
        ("ferrous_fiona", "Late to this, but for anyone finding the thread later: a short, thick USB-C cable also "
         "matters. Long thin cables drop enough voltage to trigger the warning on their own.", ""),
        ("pi_tinker", "Good point. I measured a two-metre cable losing almost 0.3 V at two amps.", "ferrous_fiona"),
        ("LayerLine", "Update after a month: still rock solid. Thanks again everyone.", ""),
    ),
    7731: (
        ("Marnie_K", "How is the starter doing now? Any bread yet?", ""),
        ("crumbandcrust", "First loaf yesterday! A bit dense in the middle, but the crust was great and it tasted "
         "properly sour. Next time I will let the dough rise longer.", ""),
    ),
}


def thread_url(thread: Thread, start: int = 0) -> str:
    """phpBB-style ``viewtopic.php`` for the bench, Discourse-style ``/t/slug/id`` for hearth."""
    slug = "-".join("".join(c for c in w if c.isalnum()) for w in thread.title.lower().split())
    if thread.site is BENCH:
        tail = f"&start={start}" if start else ""
        return thread.site.url(f"/viewtopic.php?f={10 + thread.topic_id % 7}&t={thread.topic_id}{tail}")
    return thread.site.url(f"/t/{slug}/{thread.topic_id}" + (f"?page={start // 15 + 1}" if start else ""))


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _phpbb_date(iso: str) -> str:
    """``2024-01-22T08:10:00Z`` as phpBB prints it: ``Mon Jan 22, 2024 8:10 am``."""
    d = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    hour = d.hour % 12 or 12
    return f"{_DAYS[d.weekday()]} {_MONTHS[d.month - 1]} {d.day:02d}, {d.year} {hour}:{d.minute:02d} {'am' if d.hour < 12 else 'pm'}"


def _joined(user: str) -> str:
    n = sum(map(ord, user))
    return f"{_MONTHS[n % 12]} {2009 + n % 13}"


def _post_bench(i: int, user: str, text: str, quoted: str, date: str, posts: int) -> str:
    quote = ""
    if quoted:
        quote = f'<blockquote><div><cite>{escape(quoted)} wrote:</cite>…</div></blockquote>'
    sig = SIGNATURES.get(user, "")
    sig_html = f'<div class="signature">{escape(sig)}</div>' if sig else ""
    return (
        f'<div id="p{i}" class="post bg{1 + i % 2}"><div class="postprofile"><dl><dt><a class="username" '
        f'href="./memberlist.php?mode=viewprofile&amp;u={sum(map(ord, user))}">{escape(user)}</a></dt>'
        f'<dd class="profile-rank">Regular member</dd><dd><strong>Posts:</strong> {posts}</dd>'
        f"<dd><strong>Joined:</strong> {_joined(user)}</dd></dl></div>"
        f'<div class="postbody"><p class="author">by <strong>{escape(user)}</strong> » {_phpbb_date(date)}</p>'
        f'<div class="content">{quote}{escape(text)}</div>{sig_html}'
        f'<ul class="post-buttons"><li>Quote</li><li>Report</li></ul></div></div>'
    )


def _post_hearth(i: int, user: str, text: str, quoted: str, date: str, posts: int) -> str:
    reply = f'<span class="reply-to">in reply to {escape(quoted)}</span>' if quoted else ""
    return (
        f'<div class="topic-body crawler-post" itemprop="comment" id="post_{i}"><div class="crawler-post-meta">'
        f'<span class="creator" itemprop="author"><a href="/u/{escape(user)}"><span itemprop="name">{escape(user)}'
        f'</span></a></span> {reply}<time itemprop="datePublished" datetime="{date}" class="post-time">{date[:10]}</time>'
        f'</div><div class="post" itemprop="text"><p>{escape(text)}</p></div>'
        f'<div class="crawler-linkback-list"><span class="post-likes">{(i * 7) % 13} Likes</span></div></div>'
    )


def thread_page(thread: Thread, posts: tuple[tuple[str, str, str], ...], first_date: str, start: int = 0) -> str:
    """One page of a thread in its forum's layout."""
    site = thread.site
    post_fn = _post_bench if site is BENCH else _post_hearth
    day = int(first_date[8:10])
    rendered = "\n".join(
        post_fn(start + i, user, text, quoted, f"{first_date[:8]}{min(28, day + i + start // 3):02d}T{8 + i:02d}:1{i}:00Z",
                120 + 37 * len(user) + i)
        for i, (user, text, quoted) in enumerate(posts)
    )
    if site is BENCH:
        crumbs = (f'<div class="navbar"><a href="./index.php">Board index</a> ‹ <a href="./viewforum.php">'
                  f"{escape(thread.board)}</a></div>"
                  '<div class="header-links"><a href="./ucp.php?mode=login">Login</a> · '
                  '<a href="./ucp.php?mode=register">Register</a> · <a href="./faq.php">FAQ</a></div>')
        actions = ('<div class="action-bar"><a class="button" href="./posting.php?mode=reply">Post Reply</a>'
                   f' <span class="pagination">{len(posts)} posts · Page {start // 15 + 1}</span></div>')
        main = f'{crumbs}<h2 class="topic-title"><a href="#">{escape(thread.title)}</a></h2>{actions}\n{rendered}\n{actions}'
        main += '<div class="jumpbox">Jump to: Electronics · Woodworking · 3D printing · Vintage electronics</div>'
    else:
        crumbs = (f'<div id="breadcrumbs"><a href="/">Hearth &amp; Home</a> › <a href="/c/{escape(thread.board.lower())}">'
                  f"{escape(thread.board)}</a></div>")
        main = (f'{crumbs}<h1><a href="#">{escape(thread.title)}</a></h1>\n{rendered}\n'
                '<div class="suggested-topics"><h3>Suggested topics</h3><ul><li>Welcome to the community</li>'
                "<li>How to use the forum</li><li>Weekly show and tell</li></ul></div>"
                '<p class="powered-by">Powered by community software, best viewed with JavaScript enabled</p>')
    return page(site, thread.title, main, description=posts[0][1][:120])
