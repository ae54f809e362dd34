"""A cheap detector of code blocks and LaTeX math in extracted text (scores only).

Our extractor writes math as LaTeX between ``$…$`` (inline) or ``$$…$$`` (display) and code
verbatim, indentation kept (DESIGN.md, step 1). Two counts per document:

- ``math_spans``: ``$…$`` / ``$$…$$`` spans holding TeX: a control word (``\\frac``,
  ``\\alpha``), a superscript ``^`` or a subscript ``_``. Prices (``$5 and $10``) hold
  none of them and do not count. Spans longer than 1,000 characters are not looked at.
- ``code_lines``: lines that look like program text, any of
  (a) ending with ``;``, ``{`` or ``}`` (C, Java, JS, CSS, PHP …) or ``):``/``else:``
  (Python blocks), or consisting of closing brackets only;
  (b) starting (after indentation) with a keyword of a common language (``def``,
  ``import``, ``#include``, ``public``, ``function``, ``const``, ``fn``, ``Dim`` …) *and*
  holding a bracket, ``=``, ``:`` or ``;`` (so "public transport is…" is not code);
  (c) holding an operator that prose does not use: ``==``, ``!=``, ``=>``, ``->``
  between identifiers, ``::``, ``&&``, ``||``, ``+=``, ``++``, or a call ending
  a statement (``name(...);``).

The filter stage calls a document *math/code* when ``code_lines >= min_code_lines`` (3) or
``math_spans >= min_math_spans`` (2): one stray ``;`` line or one formula-like price does
not exempt a page, a short snippet or two formulas do. Known limits: leftover CSS/JS in a
badly extracted page counts as code (such pages still face the length, repetition and
dirty-word rules); code pasted without line breaks (minified) is missed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.heuristics import batch as hb

MATH_SPAN = r"\$\$?[^$]{0,1000}?(?:\\[A-Za-z]+|[\^_])[^$]{0,1000}?\$\$?"

_KEYWORDS = ("def|class|import|from|#include|#define|#import|package|using|namespace|public|private|protected"
             "|static|return|function|var|let|const|fn|func|pub|impl|struct|enum|interface|elif|else|try|except"
             "|catch|finally|raise|throw|yield|async|await|void|int|char|float|double|bool|boolean|String|auto"
             "|if|for|while|switch|case|Dim|Sub|End|Private|Public|Function|SELECT|INSERT|UPDATE|CREATE|echo"
             "|print|printf|console|System|std|require|module|export|begin|end|local|my|sub|val|object|trait")
CODE_LINE = "|".join([
    r"[;{}]\s*$",
    r"(?:\)|\belse|\btry|\bfinally)\s*:\s*$",
    r"^\s*[}\])]+[;,)]*\s*$",
    r"^\s*(?:" + _KEYWORDS + r")\b.*[(){}\[\]=:;<>]",
    r"[=!]=|=>|\w\s*->\s*\w|\w::\w|&&|\|\||\+=|-=|\w\+\+|\w\([^()]*\)\s*;",
])


def scores(values: pa.Array) -> dict[str, np.ndarray]:
    ln = hb.lines(values)
    code = ln.count(pc.match_substring_regex(ln.values, CODE_LINE))
    math = hb.as_int(pc.count_substring_regex(values, MATH_SPAN))
    return {"code_lines": code.astype(np.int32), "math_spans": math.astype(np.int32)}


def prose_only(values: pa.Array) -> pa.Array:
    """The texts without their code and math: LaTeX spans blanked, code-like and indented lines dropped.

    Repetition rules are about repeated prose; code repeats its structure and LaTeX its commands by
    nature, so ``gopher_rep`` scores what is left (the extractor indents only code and preformatted
    text). A text with no code or math comes back unchanged.
    """
    values = pc.replace_substring_regex(values, MATH_SPAN, " ")
    parts = pc.split_pattern(values, "\n")
    flat = pc.list_flatten(parts)
    drop = pc.or_(pc.match_substring_regex(flat, CODE_LINE), pc.match_substring_regex(flat, r"^[ \t]+\S"))
    keep = pc.invert(pc.fill_null(drop, False)).to_numpy(zero_copy_only=False)
    counts = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    doc = np.repeat(np.arange(len(counts)), counts)
    kept_per_doc = np.bincount(doc[keep], minlength=len(counts)) if len(doc) else np.zeros(len(counts), np.int64)
    offsets = np.concatenate([[0], np.cumsum(kept_per_doc)]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), flat.filter(pa.array(keep)))
    return pc.fill_null(pc.binary_join(lists, "\n"), "")
