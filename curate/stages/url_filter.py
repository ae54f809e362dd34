"""Unsafe domains and URLs: UT1 adult blocklists and RefinedWeb/FineWeb URL words.

Llama 3 (section 3.1.1) removes "data from websites that are likely to contain unsafe
content or high volumes of PII, domains that have been ranked as harmful according to a
variety of Meta safety standards, and domains that are known to contain adult content".
Meta's lists are not public; this stage uses the public equivalents that RefinedWeb and
FineWeb use, as datatrove 0.10.1 ships them (``datatrove/pipeline/filters/url_filter.py``,
``URLFilter``): the UT1 adult category (``ut1-adult`` asset) and the banned / banned-subword
/ soft-banned URL word lists (``url-words`` asset).

It reads only ``url`` and ``host`` (run it before extraction: a dropped page is never
parsed). A row is rejected with the first reason that applies:

- ``blocklist:ut1-adult:domain``: the host or a parent domain is on UT1's ``domains``;
- ``blocklist:<name>:domain``: the same for a user blocklist file (``<name>`` is the file's
  stem, lowercased: ``/x/My Sites.txt`` -> ``my-sites``);
- ``blocklist:ut1-adult:url`` / ``blocklist:<name>:url``: the URL, or a path prefix of it,
  is on a URL list (``host/path`` entries, squidGuard's prefix semantics; see
  ``curate.blocklist``);
- ``url_words:banned``: a banned word is a whole token of the URL;
- ``url_words:soft``: at least ``soft_threshold`` distinct soft-banned words are tokens;
- ``url_words:subword``: a banned subword is a substring of the URL with every
  non-alphanumeric character removed (``xn--`` hosts stay in punycode, as in the URL).

The word rules are datatrove's (tokens are the URL split on ``[^a-zA-Z0-9]+``; lists are
normalized the same way, ``#`` lines skipped), with two deliberate differences: the URL
is percent-decoded and lowercased first (datatrove compares case-sensitive tokens with
lowercase words, so ``/PORN/`` and ``%20porn`` pass it), and an empty word (a list line of
punctuation only) is ignored rather than matching every URL with an empty token.

datatrove also looks the raw URL (``https://host/path``) up in UT1's ``urls``, whose
entries are written ``host/path`` without a scheme, so that list never matches there; here
it does (prefix match, ``www.`` stripped).

A host (or a parent) on an ``allowlists`` file exempts the row from every check of this
stage. A URL without a host (``mailto:``, relative, unparsable: ``http://[::1``) skips the
list checks and still goes through the word checks; a null or empty URL passes.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import ClassVar
from urllib.parse import unquote

import numpy as np
import pyarrow as pa

from curate import blocklist as bl
from curate import schema
from curate.stage import Resources, Stage, reject

UT1 = "ut1-adult"
UT1_MEMBER = "adult-blacklists.tar.gz"
WORDS = "url-words"
WORD_FILES = {"banned": "banned_words.txt", "subword": "banned_subwords.txt", "soft": "soft_banned_words.txt"}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def read_words(path: str) -> frozenset[str]:
    """A word list as datatrove normalizes it: each line without its non-alphanumerics, lowercased."""
    with open(path, encoding="utf-8", errors="replace") as f:
        words = {_NON_ALNUM.sub("", line.lower()) for line in f if line[:1] != "#"}
    words.discard("")
    return frozenset(words)


def url_text(url: str) -> str:
    """The URL as the word rules read it: percent-decoded, lowercased."""
    return unquote(url, errors="replace").lower() if "%" in url else url.lower()


@dataclasses.dataclass
class UrlFilter(Stage):
    """Drop documents from adult domains and URLs, and URLs holding banned words.

    ``ut1_domains`` / ``ut1_urls``: use UT1's adult domain / URL list. ``ut1_archive``: a
    UT1-style ``tar.gz`` (members ``domains``, ``urls``) to use instead of the asset;
    ``index_dir``: where its compiled hash file goes (default: beside the archive, else
    the asset cache). ``banned_words`` / ``banned_subwords`` / ``soft_banned_words``: use
    each URL word list; ``words_dir``: a folder holding ``banned_words.txt``,
    ``banned_subwords.txt``, ``soft_banned_words.txt`` instead of the asset.
    ``soft_threshold``: distinct soft words that drop a URL (datatrove's default, 2).
    ``blocklists``: extra files of domains (``example.com``, ``*.example.com``, hosts-file
    lines) or ``host/path`` URL prefixes, one per line; ``allowlists``: files in the same
    format whose domains and URLs are never dropped by this stage.
    """

    ut1_domains: bool = True
    ut1_urls: bool = True
    banned_words: bool = True
    banned_subwords: bool = True
    soft_banned_words: bool = True
    soft_threshold: int = 2
    blocklists: tuple[str, ...] | list[str] = ()
    allowlists: tuple[str, ...] | list[str] = ()
    ut1_archive: str | None = None
    words_dir: str | None = None
    index_dir: str | None = None
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=1024))

    name: ClassVar[str] = "url_filter"
    columns: ClassVar[dict[str, pa.DataType]] = {}

    def setup(self) -> None:
        from curate import assets

        if self.soft_threshold < 1:
            raise ValueError(f"url_filter.soft_threshold must be >= 1, not {self.soft_threshold}")
        self._deny: list[tuple[bl.HashList, bool, bool]] = []  # (list, use domains, use urls)
        if self.ut1_domains or self.ut1_urls:
            archive = self.ut1_archive or assets.path(UT1, UT1_MEMBER)
            self._deny.append((bl.load_archive(archive, UT1, self.index_dir), self.ut1_domains, self.ut1_urls))
        for path in self.blocklists:
            self._deny.append((bl.read_file(path), True, True))
        self._allow = [bl.read_file(p) for p in self.allowlists]

        def words(kind: str, on: bool) -> frozenset[str]:
            if not on:
                return frozenset()
            fname = WORD_FILES[kind]
            return read_words(os.path.join(self.words_dir, fname) if self.words_dir else assets.path(WORDS, fname))

        self._banned = words("banned", self.banned_words)
        self._soft = words("soft", self.soft_banned_words)
        self._subwords = None
        sub = words("subword", self.banned_subwords)
        if sub:
            import ahocorasick

            self._subwords = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for i, w in enumerate(sorted(sub)):
                self._subwords.add_word(w, i)
            self._subwords.make_automaton()

    def process(self, batch: pa.Table) -> pa.Table:
        n = batch.num_rows
        urls = batch.column(schema.URL).to_pylist() if schema.URL in batch.column_names else [None] * n
        hosts = batch.column(schema.HOST).to_pylist() if schema.HOST in batch.column_names else [None] * n
        reasons = self.reasons(urls, hosts)
        return reject(batch, reasons)

    def reasons(self, urls: list, hosts: list) -> list[str | None]:
        """One drop reason (or None) per (url, host) pair."""
        if not hasattr(self, "_allow"):
            self.setup()
        n = len(urls)
        want_d = any(on and len(hl.domains) for hl, on, _ in self._deny) or any(len(a.domains) for a in self._allow)
        want_u = any(on and len(hl.urls) for hl, _, on in self._deny) or any(len(a.urls) for a in self._allow)
        dkeys: list[str] = []
        drow: list[int] = []
        ukeys: list[str] = []
        urow: list[int] = []
        for i, (url, host_col) in enumerate(zip(urls, hosts) if want_d or want_u else ()):
            raw, path = bl.split_url(url) if isinstance(url, str) else (None, "")
            host = bl.normalize_host(raw if raw else host_col if isinstance(host_col, str) else None)
            if host is None:
                continue
            if want_d:
                keys = bl.domain_keys(host)
                dkeys += keys
                drow += [i] * len(keys)
            if want_u and path:
                keys = bl.url_keys(host, path)
                ukeys += keys
                urow += [i] * len(keys)
        dh = bl.hash_keys([k.encode("utf-8", "surrogatepass") for k in dkeys])
        uh = bl.hash_keys([k.encode("utf-8", "surrogatepass") for k in ukeys])
        drow_a = np.asarray(drow, dtype=np.int64)
        urow_a = np.asarray(urow, dtype=np.int64)

        allowed = np.zeros(n, dtype=bool)
        for hl in self._allow:
            allowed |= bl.rows_hit(hl.domains, dh, drow_a, n) | bl.rows_hit(hl.urls, uh, urow_a, n)
        out: list[str | None] = [None] * n
        checks = [(hl, "domain", hl.domains, dh, drow_a) for hl, on, _ in self._deny if on]
        checks += [(hl, "url", hl.urls, uh, urow_a) for hl, _, on in self._deny if on]
        for hl, kind, hashes, queries, rows in checks:
            hit = bl.rows_hit(hashes, queries, rows, n) & ~allowed
            for i in np.flatnonzero(hit).tolist():
                if out[i] is None:
                    out[i] = f"blocklist:{hl.name}:{kind}"
        if self._banned or self._soft or self._subwords is not None:
            for i, url in enumerate(urls):
                if out[i] is None and not allowed[i] and isinstance(url, str) and url:
                    out[i] = self.word_reason(url)
        return out

    def word_reason(self, url: str) -> str | None:
        """datatrove's URL word rules (banned, soft, subword, in its order) on one URL."""
        tokens = _NON_ALNUM.split(url_text(url))
        if self._banned or self._soft:
            unique = set(tokens)
            if not self._banned.isdisjoint(unique):
                return "url_words:banned"
            if self._soft and len(self._soft.intersection(unique)) >= self.soft_threshold:
                return "url_words:soft"
        # the tokens joined are the URL with its non-alphanumerics removed (datatrove's normalize)
        if self._subwords is not None and next(self._subwords.iter("".join(tokens)), None) is not None:
            return "url_words:subword"
        return None
