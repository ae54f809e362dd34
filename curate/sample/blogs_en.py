"""English blog posts for a gardening blog and a programming blog, with reader comments."""
from __future__ import annotations

from .article import Article as A
from .highlight import plain_block

GARDEN = (
    A("tomatoes-indoors", "seeds", "Starting tomatoes indoors without a greenhouse", "Wren", (
        "Every February I promise myself I will not start tomatoes too early, and every February I fail. This year "
        "I at least kept notes, so here is what worked on a cold north-facing windowsill and what did not.",
        "The single biggest improvement was a cheap shop light hung about ten centimetres above the seed trays. "
        "Seedlings on the windowsill alone grew long and pale as they stretched toward the glass. Under the light "
        "they stayed short and sturdy, and I raised the light a little every few days as they grew.",
        "Warmth matters for germination but much less afterwards. I started the seeds on top of the fridge, where "
        "it is slightly warm, and moved the trays to the cooler spare room as soon as the first leaves opened.",
        "## Potting on",
        "When the first true leaves appeared I moved each seedling into its own yoghurt pot with drainage holes "
        "punched in the bottom, burying the stem up to the seed leaves. Tomatoes grow roots along a buried stem, so "
        "deep planting gives a stronger plant.",
        "Brushing my hand over the tops of the seedlings a few times a day, which sounds like folklore, really did "
        "seem to make the stems thicker. The movement imitates wind.",
        "By mid-May I had twenty-four plants, which is about twenty more than my garden can hold. If you live nearby "
        "and want a few, leave a comment.",
      ), ("tomatoes", "seed starting")),
    A("failed-compost", "soil", "What a failed compost heap taught me", "Wren", (
        "Last summer my compost heap turned into a slimy, sour-smelling mess, and the neighbours were too polite to "
        "mention it. I read a lot about why, and the answer turned out to be embarrassingly simple.",
        "I had been adding almost nothing but grass clippings and kitchen scraps, which are wet and rich in nitrogen. "
        "A heap needs roughly as much dry, woody material, such as shredded cardboard, straw or autumn leaves, to let "
        "air in and balance the mix.",
        "I forked the whole heap out onto a tarpaulin, mixed in two bags of shredded cardboard and a pile of dry "
        "leaves I had bagged in November, and rebuilt it in layers. Within a week it was warm to the touch and the "
        "smell had gone.",
        "Now I keep a bin of torn-up cardboard beside the heap. Every time a bucket of scraps goes on, a similar "
        "amount of cardboard goes with it. It is not scientific, but it works.",
      ), ("compost",)),
    A("saving-bean-seeds", "seeds", "Saving seeds from beans and peas", "Wren", (
        "Beans and peas are the easiest seeds to save, because their flowers usually pollinate themselves before "
        "they even open. Seeds saved from one plant will grow into plants very much like their parent.",
        "Leave a few of the healthiest plants unpicked at the end of the season and let the pods dry on the vine "
        "until they rattle. If wet weather arrives first, pull the whole plant and hang it upside down in a shed.",
        "Shell the pods, spread the seeds on a plate for another week, then store them in paper envelopes in a cool, "
        "dry place. I label mine with the variety and the year, because I have learned that I will not remember.",
        "A handful of runner bean seeds from a friend six years ago has now supplied my whole street.",
      ), ("seed saving",)),
    A("shade-garden-maple", "planting", "A shade garden under an old maple", "Wren", (
        "The maple in the corner of the garden is older than the house. It casts deep shade from May to October and "
        "its roots drink every drop of rain, which makes the bed underneath one of the hardest spots I have tried to plant.",
        "After several failures I stopped fighting it. Ferns, hellebores, and a low spreading geranium have all "
        "settled in, as long as I water them through their first summer. Spring bulbs also do well, because they "
        "finish flowering before the tree comes into full leaf.",
        "I mulch the bed with the maple's own leaves each autumn. They break down slowly into a dark crumbly layer "
        "that keeps moisture in and looks like a woodland floor.",
        "The bed is not bright, but it is green and calm, and it is the coolest place to sit in August.",
      ), ("shade", "perennials")),
    A("slugs-humanely", "pests", "Living with slugs without poisoning anything", "Wren", (
        "Slugs ate every one of my lettuce seedlings in a single wet night last spring. I did not want to use "
        "pellets, because hedgehogs and birds eat the slugs and I would rather not poison them too.",
        "What has helped most is growing seedlings to a larger size in pots before planting them out. A plant with "
        "six leaves survives a nibble that would finish off a plant with two.",
        "I also go out with a torch after dark on damp evenings and move the slugs I find to the far end of the "
        "garden, near the log pile. My family finds this very funny.",
        "Finally, I stopped watering in the evening. Dry soil overnight means fewer slugs on patrol.",
      ), ("pests", "wildlife")),
    A("herb-spiral", "projects", "Planning a small herb spiral", "Wren", (
        "A herb spiral is a mound of soil held up by a spiralling stone wall, built so that the top is dry and "
        "sunny and the bottom is damper and shadier. It fits a range of herbs into a space about two metres across.",
        "I am building mine from bricks left over from an old path. Rosemary and thyme will go at the top, where the "
        "soil drains fastest; parsley and chives in the middle; and mint at the base, in a sunken pot so it cannot "
        "take over everything else.",
        "The core will be filled with rubble for drainage and topped with a mix of garden soil and grit. I will post "
        "photos once it is finished, assuming the bricks hold out.",
      ), ("herbs", "projects")),
)

_GLOBALS_BEFORE = '''count = 0

def add_line(line):
    global count
    count += 1
    print(count, line)
'''
_GLOBALS_AFTER = '''def number_lines(lines):
    """Yield each line with its 1-based number."""
    for count, line in enumerate(lines, start=1):
        yield count, line


for number, line in number_lines(open("notes.txt")):
    print(number, line.rstrip())
'''
_BISECT = '''git bisect start
git bisect bad                 # the current commit is broken
git bisect good v2.3.0         # this release was fine
# git checks out a commit halfway between; test it, then answer:
git bisect good                # or: git bisect bad
git bisect run ./run-tests.sh  # or let a script answer for you
git bisect reset
'''
_TIMEIT = '''import timeit

setup = "data = list(range(10_000))"
print(timeit.timeit("sum(data)", setup=setup, number=1000))
print(timeit.timeit("total = 0\\nfor x in data:\\n    total += x", setup=setup, number=1000))
'''

WORKSHOP = (
    A("stop-using-globals", "python", "Why I stopped using global variables in small scripts", "Jonas Ferrante", (
        "Small scripts have a way of becoming big scripts. Most of mine started with a couple of module-level "
        "variables that several functions updated, and that was fine until I needed to call one of those functions "
        "twice in the same run.",
        "Here is a condensed version of the pattern I used to write:",
        plain_block(_GLOBALS_BEFORE, "python"),
        "It works, but the function cannot be tested on its own, and if two parts of the program number lines the "
        "counter is shared between them. The fix is to let the function receive what it needs and return what it "
        "produces. A generator is a natural fit here:",
        plain_block(_GLOBALS_AFTER, "python"),
        "The new version is barely longer, but now I can test it with a list of strings instead of a file, and "
        "nothing outside the function changes when it runs.",
      ), ("python", "style")),
    A("reading-other-peoples-code", "practice", "Notes on reading other people's code", "Jonas Ferrante", (
        "I spend far more time reading code than writing it, yet nobody ever taught me how. These are the habits "
        "that have helped me most when I open an unfamiliar repository.",
        "- Start from the entry point and follow one request or one command all the way through.\n"
        "- Read the tests before the implementation; they show what the authors cared about.\n"
        "- Keep a scratch file of questions and answer them one by one.\n"
        "- Run the code under a debugger and step through the parts you do not understand.",
        "The last point is underrated. Reading tells you what the code says; stepping through tells you what it "
        "does, which is not always the same thing.",
        "Finally, resist the urge to rewrite everything on day one. Code that looks strange often handles a case "
        "you have not met yet.",
      ), ("reading code",)),
    A("git-bisect-intro", "tools", "A gentle introduction to git bisect", "Jonas Ferrante", (
        "When a bug appears and you know it was not there a month ago, git bisect can find the commit that "
        "introduced it by binary search. Even across a thousand commits it needs only about ten steps.",
        "The whole session looks like this:",
        plain_block(_BISECT, "bash"),
        "The script form is the real time saver. The script must exit with status zero when the commit is good and "
        "a non-zero status when it is bad; git does the rest and prints the first bad commit.",
        "Remember to run the reset command at the end, otherwise you stay on a detached commit in the middle of history.",
      ), ("git", "debugging")),
    A("developer-journal", "practice", "Keeping a developer journal", "Jonas Ferrante", (
        "For three years I have kept a plain text file where I write down what I worked on each day, what went "
        "wrong, and what I would try next. It takes five minutes and has saved me hours.",
        "The most useful entries are the ones about dead ends. When the same problem comes back six months later, "
        "I can search the file and see which approaches I already ruled out and why.",
        "It also makes status meetings painless, and it is oddly encouraging to scroll back and see how much got "
        "done in a week that felt unproductive.",
      ), ("productivity",)),
    A("measure-before-optimizing", "python", "Measure before you optimize", "Jonas Ferrante", (
        "I once spent an afternoon rewriting a loop to make it faster, only to discover that the program spent "
        "almost all of its time waiting for the network. The loop had never mattered.",
        "Python ships with a simple tool for timing small pieces of code. This compares the built-in sum with a "
        "hand-written loop:",
        plain_block(_TIMEIT, "python"),
        "On my laptop the built-in is several times faster, which is not surprising. The habit is what matters: "
        "time the thing, change it, and time it again. For whole programs, a profiler will tell you where the time "
        "actually goes before you guess.",
      ), ("performance", "python")),
    A("actionable-error-messages", "practice", "Writing error messages people can act on", "Jonas Ferrante", (
        "A good error message answers three questions: what went wrong, where, and what the reader can do about it. "
        "Most messages answer the first question and stop.",
        "Compare \"invalid config\" with \"config.toml line 12: batch_size must be a positive integer, got -4\". The "
        "second one names the file, the line, the rule and the bad value, so the fix is obvious.",
        "When the program cannot know the fix, it can still point to the place where the reader should look, such as "
        "a log file or a documentation page.",
        "Error messages are part of the interface. They deserve the same care as the happy path.",
      ), ("usability",)),
)

COMMENTS = (
    ("Bramble_Kate", "Thanks for this, the tip about burying the stem made a real difference for me."),
    ("dave-in-the-shed", "Great post. Could you share which light you used?"),
    ("Wren", "Just a basic LED shop light from the hardware store, nothing special!"),
    ("curious_coder", "Nice write-up. I have been bitten by exactly this."),
    ("m.ostrander", "Bookmarked. Would love a follow-up post on this topic."),
)

POSTS = GARDEN + WORKSHOP
