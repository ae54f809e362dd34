"""trafilatura's extraction cascade in one pass, with its fallbacks only where a page needs them.

``trafilatura.bare_extraction`` runs, per page: cleaning, comment capture, its main extractor
(stage 1), then (unless ``fast``) a comparison with readability and jusText (stage 2), a
baseline rescue (3) and a recall escalation (4, with a jusText candidate unless ``fast``).
Running the fast pass and then, on short results, the whole full pass again repeats stages
0-1. ``sequence`` is ``trafilatura.core.trafilatura_sequence`` (2.3.1) with one change: after
stage 1, ``wants_fallbacks(text, comments)`` decides whether the rest runs as trafilatura's full mode
(stage 2 and the jusText candidate) or its fast mode. Everything else is trafilatura's code,
including private names: setup.cfg pins trafilatura==2.3.1, and tests/test_cascade.py
compares the outputs with ``bare_extraction``'s.

It runs inside ``trafilatura_patches.patched()`` (faster helpers with the same results).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from copy import copy

from lxml.etree import Element
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH, REMOVE_COMMENTS_XPATH

from curate.html.trafilatura_patches import _baseline, _core, _external, _hp, _main, selectors

_prune = _hp.prune_unwanted_nodes
RAW_TREE_PRUNE_XPATH = selectors(RAW_TREE_PRUNE_XPATH)
REMOVE_COMMENTS_AND_LISTS_XPATH = selectors(REMOVE_COMMENTS_AND_LISTS_XPATH)
REMOVE_COMMENTS_XPATH = selectors(REMOVE_COMMENTS_XPATH)


def page_chars_bound(tree, visible: int) -> int:
    """An upper bound of ``len(trafilatura.html2txt(tree))`` when ``tree``'s whitespace-normalized
    text is ``visible`` characters long (or longer): html2txt removes elements and puts a space
    before the text and the tail of every block element, so at most two more per block."""
    return visible + 2 * sum(1 for _ in tree.iter(*_baseline._BLOCK_ELEMS))


def sequence(tree, options, url: str | None, wants_fallbacks: Callable[[str, str], bool], is_forum: bool = False,
             keep: Callable[[str, str], bool] = lambda fast, full: True, visible: int | None = None):
    """(body, comments body) of ``tree`` (modified); trafilatura's cascade, see the module docstring.

    ``options`` must be a fast-mode ``trafilatura.settings.Extractor`` (it is switched to full
    mode when ``wants_fallbacks`` says so). ``keep(fast_text, full_text)`` may veto stage 2's
    choice (e.g. when it loses protected snippets). ``is_forum``: trafilatura's forum-thread test,
    taken before the caller stripped the page's scripts. ``visible``: the length of ``tree``'s
    whitespace-normalized text without its scripts, if known; the recall escalation then
    computes ``trafilatura.html2txt`` only where ``page_chars_bound`` cannot rule it out.
    """
    tree = _prune(tree, RAW_TREE_PRUNE_XPATH)
    if not options.comments and (options.focus == "precision" or not is_forum):
        tree = _prune(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    cleaned = _hp.tree_cleaning(copy(tree), options)

    def backup():  # what trafilatura keeps as cleaned_tree_backup (tree_cleaning is deterministic)
        return _hp.tree_cleaning(copy(tree), options)

    cleaned = _hp.convert_tags(cleaned, options, url)
    commentsbody, temp_comments = Element("body"), ""
    forum_posts = None
    if options.comments:
        commentsbody, temp_comments, cleaned = _main.extract_comments(cleaned, options)
        if temp_comments and is_forum:
            forum_posts = commentsbody
            commentsbody, temp_comments = Element("body"), ""
            cleaned = _hp.convert_tags(backup(), options, url)
    if options.focus == "precision" and not is_forum:
        cleaned = _prune(cleaned, REMOVE_COMMENTS_XPATH)

    postbody, temp_text = _main.extract_content(cleaned, options)
    if wants_fallbacks(temp_text, temp_comments):
        options.fast = False
        body2, text2 = _external.compare_extraction(backup(), copy(tree), postbody, temp_text, options)
        if keep(temp_text, text2):
            postbody, temp_text = body2, text2

    if len(temp_text) < options.min_extracted_size and options.focus != "precision":
        b_body, b_text, b_len = _baseline.baseline(tree)
        if b_len > len(temp_text):
            postbody, temp_text = b_body, b_text
            forum_posts = None

    if (options.focus == "balanced" and 0 < len(temp_text) < _core.ESCALATION_MAX_LENGTH
            and (visible is None or len(temp_text) < _core.ESCALATION_PAGE_SHARE * page_chars_bound(tree, visible))
            and len(temp_text) < _core.ESCALATION_PAGE_SHARE * len(_baseline.html2txt(tree))):
        r_options = copy(options)
        r_options.focus = "recall"
        esc_tree = (tree if is_forum or not options.comments
                    else _prune(copy(tree), REMOVE_COMMENTS_AND_LISTS_XPATH if temp_comments else REMOVE_COMMENTS_XPATH))
        r_body, r_text = None, ""
        with contextlib.suppress(Exception):
            r_body, r_text = _core._recall_retry(esc_tree, r_options, url)
        j_body, j_text = None, ""
        if not options.fast:
            with contextlib.suppress(Exception):
                j_body, j_text = _external.justext_rescue(copy(esc_tree), options)
        len_text, r_len, j_len = len(temp_text), len(r_text), len(j_text)
        if j_len > r_len and j_len > _core.ESCALATION_JUSTEXT_RATIO * len_text:
            postbody, temp_text, forum_posts = j_body, j_text, None
        elif r_len >= options.min_extracted_size and r_len > _core.ESCALATION_ACCEPT_RATIO * len_text:
            postbody, temp_text, forum_posts = r_body, r_text, None

    if forum_posts is not None:
        existing = "\n".join(filter(None, (_main._elem_text(el) for el in postbody)))
        salvaged = [el for el in forum_posts if (t := _main._elem_text(el)) and t not in existing]
        postbody.extend(salvaged)
    return postbody, commentsbody
