"""Batch-level text splitting shared by the heuristic scores (pyarrow compute, no per-row Python).

A batch's texts are split once into a flat array of lines (or words) plus, for each piece,
the index of its document (``parent``); per-document sums are ``np.bincount`` over
``parent``. Null text counts as ``""``.

Words are whitespace-separated tokens (``str.split``), not NLTK tokens as in datatrove:
punctuation stays attached to its word (``word,`` is one token). Where a rule needs
"words that are not symbols" the token is stripped of ``PUNCTUATION`` at both ends first.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate import schema

#: datatrove's ``PUNCTUATION`` (``datatrove/utils/text.py``), printable characters only.
PUNCTUATION = ("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\xab\xb4\xbb\u2013\u2014\u2019\u201c\u201d\u201e\u2026"
               "\u2236\u2501\u25ba\u3001\u3002\u3008\u3009\u300a\u300b\u300c\u300d\u3010\u3011\uff01\uff05"
               "\uff08\uff09\uff0c\uff0e\uff1a\uff1b\uff1f\uff5e")

#: datatrove's ``TERMINAL_PUNCTUATION`` (sentence-final marks of many scripts), used by FineWeb.
TERMINAL_PUNCTUATION = ("!.?\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964"
                        "\u0965\u104a\u104b\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u17d6\u17d9\u17da"
                        "\u1803\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b5a\u1b5b\u1b5e\u1b5f\u1b7d\u1b7e"
                        "\u1c3b\u1c3c\u1c7e\u1c7f\u203c\u203d\u2047\u2048\u2049\u2e2e\u2e3c\u2e53\u2e54\u3002"
                        "\ua4ff\ua60e\ua60f\ua6f3\ua6f7\ua876\ua877\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e"
                        "\uaa5f\uaaf0\uaaf1\uabeb\ufe52\ufe56\ufe57\uff01\uff0e\uff1f\uff61\U00010a56\U00010a57"
                        "\U00010f55\U00010f56\U00010f57\U00010f58\U00010f59\U00010f86\U00010f87\U00010f88"
                        "\U00010f89\U00011047\U00011048\U000110be\U000110bf\U000110c0\U000110c1\U00011141"
                        "\U00011142\U00011143\U000111c5\U000111c6\U000111cd\U000111de\U000111df\U00011238"
                        "\U00011239\U0001123b\U0001123c\U000112a9\U0001144b\U0001144c\U000115c2\U000115c3"
                        "\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd\U000115ce\U000115cf\U000115d0"
                        "\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7\U00011641"
                        "\U00011642\U0001173c\U0001173d\U0001173e\U00011944\U00011946\U00011a42\U00011a43"
                        "\U00011a9b\U00011a9c\U00011c41\U00011c42\U00011ef7\U00011ef8\U00011f43\U00011f44"
                        "\U00016a6e\U00016a6f\U00016af5\U00016b37\U00016b38\U00016b44\U00016e98\U0001bc9f"
                        "\U0001da88")


def texts(batch: pa.Table) -> pa.Array:
    """The ``text`` column as one string array, nulls as ``""``."""
    col = batch.column(schema.TEXT)
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_large_string(col.type):
        col = col.cast(pa.string())
    return pc.fill_null(col, "")


@dataclasses.dataclass
class Pieces:
    """Pieces (lines, paragraphs or words) of a batch's texts, flat, with their document."""

    values: pa.Array  # string
    parent: np.ndarray  # int64, document index of each piece
    offsets: np.ndarray  # int64, pieces of doc i are values[offsets[i]:offsets[i+1]]
    n_docs: int

    def count(self, mask: np.ndarray | pa.Array | None = None) -> np.ndarray:
        """Per document: number of pieces (where ``mask``)."""
        if mask is None:
            return np.diff(self.offsets)
        m = _np_bool(mask)
        return np.bincount(self.parent[m], minlength=self.n_docs)

    def total(self, values: np.ndarray, mask: np.ndarray | pa.Array | None = None) -> np.ndarray:
        """Per document: sum of ``values`` (where ``mask``)."""
        if mask is None:
            return np.bincount(self.parent, weights=values, minlength=self.n_docs)
        m = _np_bool(mask)
        return np.bincount(self.parent[m], weights=np.asarray(values)[m], minlength=self.n_docs)

    def lengths(self) -> np.ndarray:
        return _np_int(pc.utf8_length(self.values))

    def duplicates(self, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per document: (pieces equal to an earlier piece of the same document, their characters).

        As datatrove's ``find_duplicates``: every occurrence after the first counts.
        """
        idx = np.arange(len(self.values)) if mask is None else np.flatnonzero(_np_bool(mask))
        if not len(idx):
            z = np.zeros(self.n_docs)
            return z, z.copy()
        t = pa.table({"d": pa.array(self.parent[idx]), "v": self.values.take(pa.array(idx))})
        g = t.group_by(["d", "v"]).aggregate([("v", "count")])
        extra = _np_int(g.column("v_count")) - 1
        d = _np_int(g.column("d"))
        chars = extra * _np_int(pc.utf8_length(g.column("v")))
        return (np.bincount(d, weights=extra, minlength=self.n_docs),
                np.bincount(d, weights=chars, minlength=self.n_docs))


def split(values: pa.Array, pattern: str | None = None, regex: bool = False) -> Pieces:
    """Split each text: on ``pattern`` (a literal, or a regex), or on whitespace (``None``)."""
    if pattern is None:
        lists = pc.utf8_split_whitespace(values)
    elif regex:
        lists = pc.split_pattern_regex(values, pattern)
    else:
        lists = pc.split_pattern(values, pattern)
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    flat = lists.flatten()
    offsets = np.asarray(lists.offsets, dtype=np.int64)
    offsets = offsets - offsets[0]
    parent = np.repeat(np.arange(len(values), dtype=np.int64), np.diff(offsets))
    return Pieces(flat, parent, offsets, len(values))


def lines(values: pa.Array) -> Pieces:
    return split(values, "\n")


def words(values: pa.Array) -> Pieces:
    return split(values, None)


def _np_bool(mask) -> np.ndarray:
    if isinstance(mask, (pa.Array, pa.ChunkedArray)):
        return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(mask, dtype=bool)


def _np_int(arr) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def as_bool(mask) -> np.ndarray:
    return _np_bool(mask)


def as_int(arr) -> np.ndarray:
    return _np_int(arr)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` as float32, 0 where ``den`` is 0."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out.astype(np.float32)
