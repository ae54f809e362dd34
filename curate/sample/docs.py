"""Documentation, tutorial and Q&A pages with code in every markup real sites use."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from . import code_snippets as src
from .article import body_html
from .highlight import gutter_table, inline_numbers, line_table, plain_block, pygments_block
from .layout import Chrome, Site, page

SPHINX = Site("docs.pyrecipes.example", "Python Recipes 2.1 documentation", style="plain",
              chrome=Chrome(footer=("Index", "Search", "Show source"), rights="Built with Sphinx."))
DEVNOTES = Site("devnotes.example", "DevNotes", style="modern",
                chrome=Chrome(nav=("Articles", "JavaScript", "CSS", "Tools", "About"), cookie="",
                              most_read="Popular notes", newsletter="One short note a week. No spam."))
CODEHOST = Site("code.gitbucket.example", "GitBucket", style="plain",
                chrome=Chrome(footer=("Terms", "Privacy", "Security", "Status", "Docs"), rights="GitBucket, Inc."))
LEARNC = Site("learn-c.example", "Learn C the Patient Way", style="divs",
              chrome=Chrome(nav=("Tutorials", "Exercises", "Reference", "Forum"), most_read="Next lessons"))
SHELLCRAFT = Site("shellcraft.example", "Shellcraft", style="blog", tagline="Small sharp tools, explained",
                  chrome=Chrome(nav=("Posts", "Cheat sheets", "About"), cookie="", most_read="Recent posts"))
ASKDEV = Site("askdev.example", "AskDev", style="plain",
              chrome=Chrome(footer=("About", "Help", "Privacy", "Terms", "Contact"),
                            rights="User contributions licensed under CC BY-SA."))


@dataclass(frozen=True)
class DocPage:
    """A page of prose blocks and ``(code, lang, style)`` blocks at ``path`` on ``site``."""

    site: Site
    path: str
    title: str
    blocks: tuple

    @property
    def url(self) -> str:
        return self.site.url(self.path)


_STYLES = {"plain": plain_block, "pygments": pygments_block, "gutter": gutter_table,
           "inline": inline_numbers, "lines": line_table}


def _blocks(blocks: tuple) -> str:
    out = []
    for b in blocks:
        if isinstance(b, tuple):
            code, lang, style = b
            out.append(_STYLES[style](code, lang))
        else:
            out.append(body_html([b]))
    return "\n".join(out)


D = DocPage
PAGES = (
    D(SPHINX, "/en/latest/recipes/csv-totals.html", "Summing a CSV column per group", (
        "The csv module turns each line of a file into a dictionary when you use DictReader, with the header row as "
        "keys. This recipe adds up an amount column for every region in a sales export.",
        (src.CSV_READ, "python", "pygments"),
        "Always open CSV files with newline=\"\" so that the module can handle line endings inside quoted fields "
        "itself. The try block skips rows whose amount cannot be parsed as a number, instead of stopping the whole run.",
        "## Notes",
        "For very large files this approach still reads one row at a time, so memory use stays flat. If you need "
        "exact decimal arithmetic for money, replace float with decimal.Decimal.",
    )),
    D(SPHINX, "/en/latest/recipes/context-managers.html", "Writing your own context managers", (
        "A context manager runs setup code when a with block starts and cleanup code when it ends, even if the "
        "block raises an exception. There are two ways to write one.",
        "## As a class",
        "Implement __enter__ and __exit__. Returning False from __exit__ lets exceptions propagate normally.",
        (src.CONTEXT_CLASS, "python", "gutter"),
        "## With contextlib",
        "For simple cases, a generator decorated with contextmanager is shorter. Everything before yield is the "
        "setup, everything after it is the cleanup, and the finally clause guarantees that the cleanup runs.",
        (src.CONTEXT_DECORATOR, "python", "pygments"),
    )),
    D(SPHINX, "/en/latest/recipes/dataclass-ordering.html", "Sorting dataclass instances", (
        "With order=True, a dataclass compares instances field by field in the order the fields are declared. "
        "Fields marked with compare=False are ignored, which lets you sort by priority alone.",
        (src.DATACLASS_ORDER, "python", "pygments"),
        "Mutable defaults such as lists must use default_factory; otherwise every instance would share the same list.",
    )),
    D(SPHINX, "/en/latest/recipes/generator-pipelines.html", "Lazy pipelines with generators", (
        "Generators produce values one at a time, only when asked. Chaining them builds a pipeline in which each "
        "line of a log file flows through every step before the next line is read.",
        (src.GEN_PIPELINE, "python", "inline"),
        "Because first_n stops asking for values after five errors, the rest of the file is never read. The "
        "pipeline works the same on a ten-line file and a ten-gigabyte one.",
    )),
    D(SPHINX, "/en/latest/recipes/binary-search.html", "Binary search, step by step", (
        "Binary search finds an item in a sorted list by repeatedly halving the range that could contain it. "
        "Each comparison discards half of the remaining candidates, so a list of a million items needs at most "
        "twenty comparisons.",
        (src.BINARY_SEARCH, "python", "gutter"),
        "The loop condition lo <= hi matters: with a strict inequality the search would miss a target that sits "
        "in the last remaining position. In practice, the bisect module in the standard library does this for you.",
    )),
    D(DEVNOTES, "/notes/debounce-input-events", "Debouncing input events", (
        "Typing into a search box fires an input event on every keystroke. If each one triggers a network request, "
        "the server gets hammered and results arrive out of order. A debounce wrapper waits until the user has "
        "paused for a moment.",
        (src.DEBOUNCE, "javascript", "plain"),
        "Every call clears the previous timer, so the wrapped function only runs once the events stop for waitMs "
        "milliseconds. Three hundred milliseconds feels responsive without firing too often.",
    )),
    D(DEVNOTES, "/notes/fetch-json-async-await", "Fetching JSON with async and await", (
        "The fetch API returns a promise that resolves as soon as the response headers arrive, even for error "
        "statuses such as 404 or 500. Check response.ok yourself before reading the body.",
        (src.FETCH_JSON, "javascript", "pygments"),
        "Throwing inside the async function turns into a rejected promise, which the catch handler at the bottom receives.",
    )),
    D(DEVNOTES, "/notes/array-reduce-patterns", "Two useful reduce patterns", (
        "Array.prototype.reduce folds a list into a single value. Two patterns cover most of my uses: grouping "
        "into an object and picking the best element.",
        (src.REDUCE, "javascript", "plain"),
        "When no initial value is given, reduce starts from the first element, which is exactly what the second "
        "pattern needs. On an empty array it throws, so guard against that if the input can be empty.",
    )),
    D(CODEHOST, "/ada-lovelace-fan/linecount/blob/main/src/linecount.c", "linecount/src/linecount.c at main", (
        "<div class=\"file-header\"><span class=\"file-info\">25 lines (24 loc) · 512 Bytes</span> "
        "<a class=\"btn\" href=\"#raw\">Raw</a> <a class=\"btn\" href=\"#blame\">Blame</a></div>",
        (src.READ_LINES_C, "c", "lines"),
    )),
    D(LEARNC, "/tutorials/linked-lists.html", "Lesson 14: a tiny linked list", (
        "A linked list stores each value in its own node, and each node points to the next one. Inserting at the "
        "front takes constant time because nothing has to move.",
        (src.LINKED_LIST_C, "c", "gutter"),
        "Notice that free_list saves the next pointer before freeing the current node. Reading head->next after "
        "free(head) would be undefined behaviour, one of the most common bugs in beginner C code.",
        "## Exercise",
        "Write a function that reverses the list in place and returns the new head, without allocating any memory.",
    )),
    D(LEARNC, "/tutorials/bit-tricks.html", "Lesson 21: bit manipulation tricks", (
        "Three small functions show how much can be done with the expression x & (x - 1), which clears the lowest "
        "set bit of x.",
        (src.BITS_C, "c", "pygments"),
        "A power of two has exactly one bit set, so clearing it leaves zero. Counting how many times the lowest bit "
        "can be cleared gives the population count. Finally, x & -x, written here with unsigned arithmetic, keeps "
        "only the lowest set bit.",
    )),
    D(SHELLCRAFT, "/2024/finding-large-files/", "Finding what fills your disk", (
        "When a disk is nearly full, two commands answer most questions: find for files above a size, and du "
        "piped through sort for the biggest directories.",
        (src.FIND_LARGE, "bash", "plain"),
        "The -h flag of sort understands human-readable sizes like 1.2G, which is why it pairs so well with du -h.",
    )),
    D(SHELLCRAFT, "/2024/rsync-snapshot-backups/", "Snapshot backups with rsync and hard links", (
        "This script makes a dated snapshot of a folder every time it runs. Files that did not change are hard "
        "links to the previous snapshot, so each new snapshot costs only the space of what changed.",
        (src.BACKUP_SH, "bash", "pygments"),
        "set -euo pipefail stops the script at the first failing command, on unset variables and on failures "
        "inside pipelines. Quoting every variable protects paths that contain spaces.",
    )),
    D(SHELLCRAFT, "/2024/makefile-basics/", "Makefile basics: why tabs matter", (
        "make decides what to rebuild by comparing file timestamps. Each rule names a target, its prerequisites and "
        "a recipe. Recipe lines must start with a tab character, not spaces; this is the error everyone meets once.",
        (src.MAKEFILE, "makefile", "plain"),
        "The automatic variables $@, $< and $^ stand for the target, the first prerequisite and all prerequisites.",
    )),
)


@dataclass(frozen=True)
class Question:
    """A Q&A page: question prose and code, then (votes, prose, code) answers."""

    qid: int
    title: str
    question: tuple
    answers: tuple
    tags: tuple[str, ...]

    @property
    def url(self) -> str:
        slug = "-".join("".join(c for c in w if c.isalnum()) for w in self.title.lower().split())
        return ASKDEV.url(f"/questions/{self.qid}/{slug}")


QUESTIONS = (
    Question(77012, "How do I remove duplicates from a list while keeping the order?", (
        "I have a list like [3, 1, 3, 2, 1] and want [3, 1, 2]. Using set() loses the order. What is the idiomatic "
        "way in modern Python?",
    ), (
        (41, ("Since Python 3.7 dictionaries keep insertion order, so the shortest way is:",
              (src.DEDUP_DICT, "python", "plain"),
              "This works for any hashable items.")),
        (12, ("If you want something explicit that also works for very old versions, keep a set of seen items:",
              (src.DEDUP_LIST, "python", "plain"))),
    ), ("python", "list", "duplicates")),
    Question(77345, "Why does my C program print garbage or crash after strcpy?", (
        "This small program sometimes prints the name and sometimes crashes with a stack smashing message. What "
        "am I doing wrong?",
        (src.STRCPY_BAD, "c", "plain"),
    ), (
        (27, ("The array has room for five bytes, but \"Josephine\" needs ten including the terminating zero. "
              "strcpy does not know the size of the destination and writes past the end, overwriting whatever "
              "follows on the stack. Make the buffer large enough and use a function that takes the size:",
              (src.STRCPY_GOOD, "c", "plain"),
              "snprintf always terminates the string and truncates instead of overflowing.")),
    ), ("c", "strings", "buffer-overflow")),
)


def _qa_post(votes: int, blocks: tuple, user: str, kind: str) -> str:
    return (
        f'<div class="{kind}"><div class="votecell"><button aria-label="Up vote">▲</button>'
        f'<div class="js-vote-count">{votes}</div><button aria-label="Down vote">▼</button></div>'
        f'<div class="postcell"><div class="s-prose js-post-body">{_blocks(blocks)}</div>'
        f'<div class="post-signature"><div class="user-details"><a href="/users/{len(user) * 131}">{escape(user)}</a>'
        f'<span class="reputation-score">{len(user) * 377}</span></div></div>'
        '<div class="comments"><ul><li>Add a comment</li></ul></div></div></div>'
    )


def question_page(q: Question) -> str:
    """A Stack-Exchange-like question with its answers."""
    tags = "".join(f'<a class="post-tag" href="/questions/tagged/{t}">{t}</a>' for t in q.tags)
    users = ("curly_brace_carl", "ada_fanclub", "null_pointer_nell")
    answers = "".join(_qa_post(v, b, users[(i + 1) % 3], "answer") for i, (v, b) in enumerate(q.answers))
    main = (
        '<div id="left-sidebar"><ul><li>Home</li><li>Questions</li><li>Tags</li><li>Users</li></ul></div>'
        f'<div id="question-header"><h1><a href="{q.url}" class="question-hyperlink">{escape(q.title)}</a></h1>'
        '<a class="ask" href="/questions/ask">Ask Question</a></div>'
        f'{_qa_post(len(q.title) % 9 + 3, q.question, users[0], "question")}<div class="post-taglist">{tags}</div>'
        f'<h2 class="answers-header">{len(q.answers)} Answers</h2>{answers}'
        '<div class="bottom-notice">Not the answer you\'re looking for? Browse other questions or ask your own.</div>'
        '<div id="hot-network-questions"><h4>Hot Network Questions</h4><ul><li>Why is the sky dark at night?</li>'
        "<li>Is it rude to reply-all?</li><li>How do I cite a talk?</li></ul></div>"
    )
    return page(ASKDEV, q.title, main, description=q.question[0][:120])


def doc_page(d: DocPage) -> str:
    """A documentation page; Sphinx pages get a toctree, prev/next links and a source link."""
    body = f'<h1>{escape(d.title)}</h1>\n{_blocks(d.blocks)}'
    if d.site is SPHINX:
        toc = "".join(f'<li class="toctree-l1"><a href="{p.path}">{escape(p.title)}</a></li>'
                      for p in PAGES if p.site is SPHINX)
        body = (
            f'<div class="sphinxsidebar" role="navigation"><h3>Table of Contents</h3><ul>{toc}</ul>'
            '<div id="searchbox"><form class="search" action="../search.html"><input type="text" name="q">'
            '<input type="submit" value="Go"></form></div></div>'
            '<div class="related" role="navigation"><a href="../genindex.html">index</a> | '
            '<a href="../py-modindex.html">modules</a> | <a href="#">next</a> | <a href="#">previous</a></div>'
            f'<div class="document"><div class="body" role="main"><section id="main">{body}</section></div></div>'
            '<div class="rst-footer-buttons"><a class="btn" href="#">Previous</a> <a class="btn" href="#">Next</a></div>'
            '<a class="headerlink" href="#">Edit on GitHub</a>'
        )
    elif d.site is CODEHOST:
        body = (
            '<div class="repo-header"><a href="/ada-lovelace-fan">ada-lovelace-fan</a> / <strong>linecount</strong>'
            ' <span class="label">Public</span> <a href="#">Watch 2</a> <a href="#">Fork 0</a> <a href="#">Star 5</a></div>'
            '<nav class="reponav"><a>Code</a> <a>Issues 1</a> <a>Pull requests</a> <a>Actions</a> <a>Wiki</a></nav>'
            f'<div class="breadcrumb">linecount / src / linecount.c</div>{_blocks(d.blocks)}'
        )
    return page(d.site, d.title, body, sidebar=[(p.title, p.url) for p in PAGES if p.site is d.site][:5])

