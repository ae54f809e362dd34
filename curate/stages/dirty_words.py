"""Dirty-word counting in the document's language (LDNOOBW lists), scores only.

Llama 3 (section 3.1.1, "Heuristic filtering") uses "dirty word counting (Raffel et al.,
2020) to filter out adult websites that are not covered by domain block lists". C4 (Raffel
et al.) drops every page that contains any word of the "List of Dirty, Naughty, Obscene or
Otherwise Bad Words" (LDNOOBW); mC4 and datatrove's ``C4BadWordsFilter`` apply the list of
the page's language. This stage only measures; a heuristics stage applies a threshold
later. It writes

- ``dirty_word_count`` (int32): occurrences of list entries (non-overlapping, longest first);
- ``dirty_word_ratio`` (float32): the share of the document's word units that those
  occurrences cover, in [0, 1].

Word units, per script. Scripts written with spaces between words: a unit is a word (a run
of letters, digits, underscores and combining marks, so Devanagari vowel signs stay inside
their word). Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
Myanmar, Tibetan): a unit is one letter. A mixed Japanese page with some English words
counts both. An entry's coverage is counted the same way: ``two girls one cup`` covers
four units, ``做爱`` two.

Matching is case-insensitive (both sides lower-cased) with one Aho-Corasick automaton per
list (pyahocorasick), built in ``setup()``. An entry that begins (ends) with a letter of a
space-separated script must have no such letter, digit or mark just before (after) it, so
``anal`` does not count inside ``analysis`` and multi-word entries match as phrases;
entries in scripts without spaces match as substrings, as C4 and datatrove do for ``zh``,
``ja`` and ``th`` (there is no reliable boundary to check). This per-entry rule also keeps
the Latin entries of the Japanese and Chinese lists (``sm``, ``xx``) from matching inside
English words on those pages. Following C4 (``_BADWORDS_ALLOWLIST`` in tfds ``c4_utils``, copied
by datatrove), ``sm``, ``グロ`` and ``女の子`` (ja) and ``性`` (zh) are not counted: each
would flag over 10% of the documents of its language.

Languages. The list is chosen by the ``lang`` column of the language stage (lid.176 codes).
``aliases`` maps lid.176 labels to list names (``tl`` → LDNOOBW's ``fil``); a list whose name
carries a region or variant (``fr-CA-u-sd-caqc``) is merged into its language's list
(``fr``). A language without a list gets count and ratio 0. ``und`` (and a null ``lang``)
uses the ``fallback`` list, English by default: undetermined pages are mostly short or
mixed-language, and the English vocabulary of adult spam is what appears on them in every
language; ``fallback = ""`` turns that off. Known limit: agglutinative languages (ko, tr,
fi, hu) attach suffixes to the entry, which whole-word matching misses unless the list
holds the inflected form (C4 behaves the same).

Word lists come from the asset registry (``curate assets fetch ldnoobw``), or, with
``words_dir`` set, from ``<words_dir>/<lang>`` files (one entry a line).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import unicodedata
from typing import ClassVar

import pyarrow as pa

from curate import schema
from curate.stage import Resources, Stage, StageSetupError, set_column

DIRTY_WORD_COUNT = "dirty_word_count"
DIRTY_WORD_RATIO = "dirty_word_ratio"
LANG = "lang"
UNDETERMINED = "und"
ASSET = "ldnoobw"

#: Scripts written without spaces between words (their letters are units, matched as substrings).
_NOSPACE = ("\u0e00-\u0e7f"  # Thai
            "\u0e80-\u0eff"  # Lao
            "\u0f00-\u0fff"  # Tibetan
            "\u1000-\u109f"  # Myanmar
            "\u1780-\u17ff"  # Khmer
            "\u3040-\u30ff"  # Hiragana, Katakana
            "\u31f0-\u31ff"  # Katakana extensions
            "\u3400-\u4dbf"  # CJK extension A
            "\u4e00-\u9fff"  # CJK unified ideographs
            "\uf900-\ufaff"  # CJK compatibility ideographs
            "\uff66-\uff9f"  # half-width Katakana
            "\U00020000-\U0003134f")  # CJK extensions B-G

#: C4's allowlist (tfds c4_utils ``_BADWORDS_ALLOWLIST``): common subwords in languages without spaces.
C4_ALLOWLIST: dict[str, list[str]] = {"ja": ["sm", "グロ", "女の子"], "zh": ["性"]}


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    """(spaced word, no-space script char, no-space letter, spaced-script word char), built once."""
    marks = []
    start = None
    for cp in range(0x10000):  # combining marks of the BMP (the other planes hold few)
        is_mark = unicodedata.category(chr(cp))[0] == "M"
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            marks.append((start, cp - 1))
            start = None
    m = "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in marks)
    word = re.compile(f"[\\w{m}]+")
    nospace = re.compile(f"[{_NOSPACE}]")
    nospace_letter = re.compile(f"(?=\\w)[{_NOSPACE}]")
    spaced_char = re.compile(f"(?![{_NOSPACE}])[\\w{m}]")
    return word, nospace, nospace_letter, spaced_char


def count_units(text: str) -> int:
    """Word units of ``text``: words of space-separated scripts plus letters of the others."""
    word, nospace, nospace_letter, _ = _patterns()
    if nospace.search(text) is None:
        return len(word.findall(text))
    return len(word.findall(nospace.sub(" ", text))) + len(nospace_letter.findall(text))


class Matcher:
    """One word list: an Aho-Corasick automaton over lower-cased entries, boundary-aware per entry."""

    def __init__(self, entries: list[str]):
        import ahocorasick

        spaced = _patterns()[3]
        self._spaced = spaced
        self._auto = ahocorasick.Automaton()
        n = 0
        for e in entries:
            key = unicodedata.normalize("NFC", " ".join(e.split())).lower()
            if not key:
                continue
            left, right = bool(spaced.match(key[0])), bool(spaced.match(key[-1]))
            self._auto.add_word(key, (len(key), left, right))
            n += 1
        self.size = n
        if n:
            self._auto.make_automaton()

    def matches(self, low: str) -> list[tuple[int, int]]:
        """Non-overlapping ``(start, end)`` spans of entries in ``low`` (lower-cased text), longest first."""
        if not self.size:
            return []
        spaced = self._spaced.match
        n = len(low)
        found = []
        for last, (length, left, right) in self._auto.iter(low):
            start, end = last - length + 1, last + 1
            if left and start > 0 and spaced(low[start - 1]):
                continue
            if right and end < n and spaced(low[end]):
                continue
            found.append((start, end))
        if len(found) > 1:
            found.sort(key=lambda se: (se[0], -se[1]))
            kept, reach = [], -1
            for s, e in found:
                if s >= reach:
                    kept.append((s, e))
                    reach = e
            found = kept
        return found

    def score(self, text: str | None) -> tuple[int, float]:
        """(occurrences, covered units / units) of ``text``."""
        if not text:
            return 0, 0.0
        low = " ".join(text.lower().split())  # multi-word entries match across any whitespace
        spans = self.matches(low)
        if not spans:
            return 0, 0.0
        total = count_units(low)
        covered = sum(count_units(low[s:e]) for s, e in spans)
        return len(spans), (min(covered / total, 1.0) if total else 0.0)


def read_list(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.strip() for line in f if line.strip()]


def _base(name: str) -> str:
    return name.split("-", 1)[0].lower()


@dataclasses.dataclass
class DirtyWords(Stage):
    """LDNOOBW entries in the document's language → ``dirty_word_count``, ``dirty_word_ratio``.

    ``words_dir``: read ``<words_dir>/<lang>`` files instead of the asset registry.
    ``fallback``: the list used for ``und`` or a null ``lang`` (``""``: none).
    ``aliases``: lid.176 label → list name, for the labels that differ.
    ``allow``: entries not counted, per list (default: C4's allowlist).
    """

    words_dir: str = ""
    fallback: str = "en"
    aliases: dict[str, str] = dataclasses.field(default_factory=lambda: {"tl": "fil"})
    allow: dict[str, list[str]] = dataclasses.field(default_factory=lambda: dict(C4_ALLOWLIST))
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=1024))

    name: ClassVar[str] = "dirty_words"
    columns: ClassVar[dict[str, pa.DataType]] = {DIRTY_WORD_COUNT: pa.int32(), DIRTY_WORD_RATIO: pa.float32()}

    def setup(self) -> None:
        lists: dict[str, list[str]] = {}
        for member, path in self._sources():
            lists.setdefault(_base(member), []).extend(read_list(path))
        matchers: dict[str, Matcher] = {}
        for lang, entries in lists.items():
            deny = {unicodedata.normalize("NFC", a).lower() for a in self.allow.get(lang, ())}
            matchers[lang] = Matcher([e for e in entries if unicodedata.normalize("NFC", e).lower() not in deny])
        if self.fallback and self.fallback not in matchers:
            raise StageSetupError(f"dirty_words: fallback list {self.fallback!r} not found among {sorted(matchers)}")
        _patterns()
        self._matchers = matchers

    def _sources(self) -> list[tuple[str, str]]:
        if self.words_dir:
            if not os.path.isdir(self.words_dir):
                raise StageSetupError(f"dirty_words: words_dir {self.words_dir!r} is not a folder")
            names = sorted(n for n in os.listdir(self.words_dir)
                           if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9-]+)?", n)
                           and os.path.isfile(os.path.join(self.words_dir, n)))
            return [(n, os.path.join(self.words_dir, n)) for n in names]
        from curate import assets

        try:
            return [(m, assets.path(ASSET, m)) for m in assets.members(ASSET)]
        except assets.AssetMissing as e:
            raise StageSetupError(f"dirty_words: {e}") from e

    def _matcher(self, lang: str | None) -> Matcher | None:
        if lang is None or lang == UNDETERMINED:
            lang = self.fallback
        if not lang:
            return None
        lang = self.aliases.get(lang, lang)
        return self._matchers.get(lang) or self._matchers.get(_base(lang))

    def process(self, batch: pa.Table) -> pa.Table:
        if not hasattr(self, "_matchers"):
            self.setup()
        if LANG not in batch.column_names:
            raise ValueError("dirty_words needs the 'lang' column: run the language stage before it")
        counts: list[int] = []
        ratios: list[float] = []
        for text, lang in zip(batch.column(schema.TEXT).to_pylist(), batch.column(LANG).to_pylist()):
            m = self._matcher(lang)
            c, r = m.score(text) if m is not None else (0, 0.0)
            counts.append(c)
            ratios.append(r)
        batch = set_column(batch, DIRTY_WORD_COUNT, pa.array(counts, pa.int32()), pa.int32())
        return set_column(batch, DIRTY_WORD_RATIO, pa.array(ratios, pa.float32()), pa.float32())
