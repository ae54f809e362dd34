"""An EXSLT ``re:test`` whose pattern is a short list of literals, as XPath's own string tests.

``re:test(@class, 'P')`` calls into Python (lxml's EXSLT regexp functions) for every element
it is evaluated on. Most of trafilatura's patterns are a few words: ``^reply-|akismet``,
``comment-?list``, ``(?:entry|article)-content``. Such a pattern matches somewhere in a string
exactly when one of the finitely many strings it spells is a substring (at the start, for a
branch that begins with ``^``): ``starts-with(@class, 'reply-') or contains(@class, 'akismet')``,
which libxml2 evaluates in C. Both read the first node of the argument's node-set, so
``@id|@class`` works the same. Patterns with anything else (quantifiers but a single ``?``,
``.``, escapes, look-arounds, ``$``, flags) or with more than ``limit`` strings stay regular
expressions: a long alternation costs more as XPath tests than as one Python regex.
"""

from __future__ import annotations

_SPECIAL = set(".$\\*+{}")
_ANCHOR = "\x00"


class _NotLiteral(Exception):
    pass


def literals(pattern: str, limit: int = 16) -> list[tuple[bool, str]] | None:
    """(anchored at the start, string) pairs such that ``re.search(pattern, s)`` holds exactly when
    ``s`` starts with (anchored) or contains one of them; None when ``pattern`` is not of that kind."""
    pos = 0

    def alternation() -> list[str]:
        nonlocal pos
        out = sequence()
        while pos < len(pattern) and pattern[pos] == "|":
            pos += 1
            out = out + sequence()
        if len(out) > limit:
            raise _NotLiteral
        return out

    def sequence() -> list[str]:
        nonlocal pos
        spelled = [""]
        while pos < len(pattern) and pattern[pos] not in "|)":
            choices = atom()
            if pos < len(pattern) and pattern[pos] == "?":
                pos += 1
                choices = [*choices, ""]
            if pos < len(pattern) and pattern[pos] in "*+{?":
                raise _NotLiteral
            spelled = [s + c for s in spelled for c in choices]
            if len(spelled) > limit:
                raise _NotLiteral
        return spelled

    def atom() -> list[str]:
        nonlocal pos
        c = pattern[pos]
        if c == "(":
            if not pattern.startswith("(?:", pos):
                raise _NotLiteral  # a capture group is fine for search, a look-around is not: stay safe
            pos += 3
            inner = alternation()
            if pos >= len(pattern) or pattern[pos] != ")":
                raise _NotLiteral
            pos += 1
            return inner
        if c == "[":
            end = pattern.find("]", pos + 2)
            body = pattern[pos + 1:end]
            if end < 0 or body[:1] == "^" or "\\" in body or "[" in body or "-" in body[1:-1]:
                raise _NotLiteral
            pos = end + 1
            return list(dict.fromkeys(body))
        if c == "^":
            pos += 1
            return [_ANCHOR]
        if c in _SPECIAL or c == "?":
            raise _NotLiteral
        pos += 1
        return [c]

    try:
        spelled = alternation()
    except (_NotLiteral, IndexError):
        return None
    if pos != len(pattern):
        return None
    out = []
    for s in spelled:
        anchored = s.startswith(_ANCHOR)
        s = s[1:] if anchored else s
        if _ANCHOR in s:
            return None  # ``^`` after the start
        out.append((anchored, s))
    return out


def as_xpath(attrs: str, pattern: str, limit: int = 16) -> str | None:
    """``re:test(attrs, 'pattern')`` as ``contains``/``starts-with`` tests, or None (see ``literals``)."""
    spelled = literals(pattern, limit)
    if spelled is None or any("'" in s for _, s in spelled):
        return None
    tests = dict.fromkeys(f"{'starts-with' if anchored else 'contains'}({attrs}, '{s}')" for anchored, s in spelled)
    return "(" + " or ".join(tests) + ")"
