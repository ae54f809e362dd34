"""Lines of repeated content removed by duplicated n-gram coverage, inside each document.

Llama 3 (section 3.1.1, "Heuristic filtering") uses "'duplicated n-gram coverage ratio'
(Rae et al., 2021) to remove lines that consist of repeated content such as logging or
error messages. Those lines could be very long and unique, hence cannot be filtered by
line-dedup." Gopher computes the ratio per document; here it is applied per line, as the
paper describes: reading a document top to bottom, a line is removed when at least
``max_coverage`` of its characters are covered by word ``n``-grams that already occurred
earlier in the same document. The first of a run of similar lines stays (the first log
line, the first "Warning: ... on line 12"); the repeats that differ only in ids, times or
numbers go. Digits are folded to 0 before comparing, so counters and timestamps do not make
a repeated line unique.

Only lines of at least ``min_words`` words are candidates (shorter repeats are line dedup's
and Gopher's business), and lines that look like code or math (``curate.dedup.lines.CODE_RE``:
indentation, braces, operators, LaTeX) are never removed: repeated structure is normal in code.
The rule never empties a document (the first occurrence of repeated content stays), so the
stage never rejects. Writes ``ngram_lines_removed`` (lines removed).
"""

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar

import pyarrow as pa

from curate import schema
from curate.dedup.lines import CODE_RE
from curate.stage import Resources, Stage, set_column

REMOVED = "ngram_lines_removed"
_CODE = re.compile(CODE_RE)
_DIGITS = re.compile(r"\d")


def clean(text: str, n: int = 5, min_words: int = 8, max_coverage: float = 0.8) -> tuple[str, int]:
    """``text`` without its lines of repeated n-grams, and how many lines were removed."""
    lines = text.split("\n")
    seen: set[int] = set()
    out: list[str] = []
    removed = 0
    for line in lines:
        words = _DIGITS.sub("0", line.lower()).split()
        if len(words) < n:
            out.append(line)
            continue
        grams = [hash(tuple(words[i:i + n])) for i in range(len(words) - n + 1)]
        if len(words) >= min_words and not _CODE.search(line):
            covered = [False] * len(words)
            for i, g in enumerate(grams):
                if g in seen:
                    covered[i:i + n] = [True] * n
            chars = sum(len(w) for w in words)
            hit = sum(len(w) for w, c in zip(words, covered) if c)
            if chars and hit / chars >= max_coverage:
                removed += 1
                seen.update(grams)
                continue
        seen.update(grams)
        out.append(line)
    return ("\n".join(out) if removed else text), removed


@dataclasses.dataclass
class NgramLines(Stage):
    """Removes lines mostly covered by word n-grams seen earlier in the document (Llama 3's n-gram coverage)."""

    n: int = 5
    min_words: int = 8
    max_coverage: float = 0.8
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=512))

    name: ClassVar[str] = "ngram_lines"
    columns: ClassVar[dict[str, pa.DataType]] = {schema.TEXT: pa.string(), REMOVED: pa.int32()}

    def process(self, batch: pa.Table) -> pa.Table:
        texts, counts = [], []
        for t in batch.column(schema.TEXT).to_pylist():
            new, k = clean(t, self.n, self.min_words, self.max_coverage) if t else (t, 0)
            texts.append(new)
            counts.append(k)
        batch = set_column(batch, schema.TEXT, pa.array(texts, pa.string()), pa.string())
        return set_column(batch, REMOVED, pa.array(counts, pa.int32()), pa.int32())
