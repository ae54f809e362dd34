"""Formulas in HTML → LaTeX placeholders (step 1 "Extract" of DESIGN.md).

``replace_math`` rewrites an lxml tree in place: every formula it recognizes is replaced by a
``Protected`` token whose snippet is ``$latex$`` (inline) or ``$$latex$$`` (display; the token
then sits alone in a new ``<p>``). The source is always preferred over the rendering:

- MathML ``<math>`` (also ``m:math``): a TeX ``<annotation>``, else a TeX-looking ``alttext``,
  else the MathML converted by ``mathml_to_latex``. Wikipedia's ``mwe-math-element`` (hidden
  MathML + fallback ``<img alt="{\\displaystyle …}">``) gives one formula, wrapper stripped.
- KaTeX (``.katex`` / ``.katex-display``): the ``application/x-tex`` annotation; the
  ``.katex-html`` glyphs go away with the element.
- MathJax v2: ``<script type="math/tex[; mode=display]">`` (and ``math/mml``,
  ``math/asciimath``); the rendered frame (``.MathJax``, ``.MathJax_Display``,
  ``.MathJax_Preview``, ``.MathJax_CHTML``, ``.MathJax_SVG`` …) in front of it is removed.
  A frame left without its script falls back to its ``data-mathml`` / assistive MathML.
- MathJax v3: ``mjx-container`` (its ``mjx-assistive-mml`` MathML, or raw TeX text inside).
- TeX in text: ``\\(…\\)``, ``\\[…\\]``, ``$$…$$`` and, only on pages that load a TeX
  renderer (MathJax / KaTeX script, config or stylesheet) or inside math containers
  (``.math-container``, ``.math-tex`` …), ``$…$`` with pandoc's rules (no space inside the
  delimiters, no digit after the closer: "$5 and $10" stays text). Delimiters declared in
  the page's MathJax / KaTeX config (``inlineMath``, ``displayMath``, auto-render
  ``delimiters``: ``##…##``, ``[tex]…[/tex]`` …) are honoured, and so are ``\\begin{align}…``
  environments on renderer pages; display math broken over ``<br>`` lines is joined.
  ``pre``, ``code``, ``kbd``, ``samp``, ``script``, ``style``, ``textarea``, ``noscript``,
  ``head`` and ``tex2jax_ignore`` subtrees are never scanned. Raw TeX containers
  (``div.math`` on a KaTeX page, ``mjx-container`` holding TeX) and ``katex.render("…", el)``
  calls are read too.
- AsciiMath: ``<script type="math/asciimath">`` and backtick-delimited text on pages that
  load ASCIIMathML (or MathJax with AsciiMath input); converted to LaTeX (best effort).
- Formula images: the alt text (else the URL-decoded query) of ``latex.codecogs.com``,
  ``mimetex.cgi`` / ``mathtex.cgi``, WordPress ``latex.php`` / ``class="latex"``,
  ``img.tex``, Wikimedia ``/math/render/`` images; an image standing alone in its
  paragraph (or centered) is display math. A ``<noscript>`` copy of the same formula
  (lazy-loading plugins) is dropped.

Formulas that are only macro definitions (``\\newcommand`` preambles) or layout
(``\\begingroup``, spaces) are removed without a token. A display ``<p>`` that would land
inside a ``<p>`` splits that paragraph (extractors lose text after nested paragraphs).

Pages without any of these markers cost one C-level pass over the ``math``, ``script``,
``img``, ``link`` and ``mjx-container`` tags (``has_math``) and nothing else. TeX typed
into the text of a page that loads no renderer and has no other math marker is left as
typed (it still reaches the output as text).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

import lxml.html
from lxml import etree

from curate.html.protect import Protected

__all__ = ["replace_math", "mathml_to_latex", "asciimath_to_latex", "has_math"]

# --------------------------------------------------------------------------------------------
# XPath (compiled once). Every scan is relative to the given root (".//"), except the
# page-level renderer detection, which looks at the whole document's scripts.

_CLS = "concat(' ', normalize-space(@class), ' ')"


def _has_class(name: str) -> str:
    return f"contains({_CLS}, ' {name} ')"


_SKIP_TAGS = ("script", "style", "pre", "code", "textarea", "noscript", "kbd", "samp", "head",
              "title")
_IGNORE_CLASSES = ("tex2jax_ignore", "mathjax_ignore", "no-mathjax")
_X_IGNORED = etree.XPath(
    ".//*[@class][contains(@class, 'ignore') or contains(@class, 'no-mathjax')]["
    + " or ".join(_has_class(c) for c in _IGNORE_CLASSES) + "]"
)
_X_WIKI = etree.XPath(f".//span[contains(@class, 'mwe-math-element')][{_has_class('mwe-math-element')}]")
_X_KATEX = etree.XPath(
    f".//*[@class][contains(@class, 'katex')][{_has_class('katex-display')} or ({_has_class('katex')}"
    f" and not(ancestor::*[{_has_class('katex-display')}]))]"
)
_X_MJ2_SCRIPTS = etree.XPath(
    ".//script[starts-with(normalize-space(@type), 'math/')]"
)
_X_MJ2_FRAMES = etree.XPath(
    ".//*[@class][contains(@class, 'MathJax') or contains(@class, 'mjx-chtml')]"
    f"[not(self::mjx-container)][{_has_class('MathJax')} or {_has_class('MathJax_CHTML')}"
    f" or {_has_class('MathJax_SVG')} or {_has_class('mjx-chtml')} or {_has_class('MathJax_MathML')}]"
)
_X_MJX = etree.XPath(".//mjx-container[not(ancestor::mjx-container)]")
_MATH_TAGS = ("math", "m:math", "mml:math", "mathml:math")
_CONTAINER_CLASSES = ("math-container", "math-tex", "arithmatex", "math", "tex", "latex",
                      "mathjax", "katex-src", "tex2jax_process", "mathjax_process")
_X_CONTAINERS = etree.XPath(
    ".//*[@class][contains(@class, 'math') or contains(@class, 'tex') or contains(@class, 'katex')]"
    "[not(self::img)][" + " or ".join(_has_class(c) for c in _CONTAINER_CLASSES) + "]"
)


def _skipped(root):
    """Elements whose text is never scanned for TeX (code, scripts, ignore classes)."""
    skip = set(root.iter(*_SKIP_TAGS))
    skip.update(_X_IGNORED(root))
    return skip


def _in_skipped(el, root, skip) -> bool:
    if not skip:
        return False
    while el is not None:
        if el in skip:
            return True
        if el is root:
            return False
        el = el.getparent()
    return False


_BLOCK_TAGS = frozenset(
    "p div center dd dt li td th blockquote figure section article body main header footer"
    " h1 h2 h3 h4 h5 h6 form".split()
)

# --------------------------------------------------------------------------------------------
# Page configuration: which renderer, which delimiters.

_JS_STR = r"(?:\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)')"
_PAIR_RE = re.compile(r"\[\s*" + _JS_STR + r"\s*,\s*" + _JS_STR + r"\s*\]")
_DELIM_CFG_RE = re.compile(
    r"(inlineMath|displayMath)[\"']?\s*:\s*\[((?:\s*\[\s*" + _JS_STR + r"\s*,\s*" + _JS_STR
    + r"\s*\]\s*,?)*)\s*\]"
)
_KATEX_DELIM_RE = re.compile(
    r"left[\"']?\s*:\s*" + _JS_STR + r"\s*,\s*[\"']?right[\"']?\s*:\s*" + _JS_STR
    + r"\s*,\s*[\"']?display[\"']?\s*:\s*(true|false|!0|!1)"
)


_KATEX_RENDER_RE = re.compile(
    r"katex\.render\(\s*" + _JS_STR + r"\s*,\s*(?:document\.getElementById\(\s*" + _JS_STR
    + r"\s*\)|([A-Za-z_$][\w$]*))\s*(?:,\s*\{([^}]*)\})?"
)


def _js_unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


_RENDERER_SRC = ("mathjax", "katex", "tex-mml", "tex-chtml", "tex-svg", "mml-chtml",
                 "texmath", "temml")
_ASCII_SRC = ("asciimath", "am_chtml", "am_html", "am_svg", "mml-am")
_GATE_TAGS = ("math", "m:math", "mml:math", "mathml:math", "mjx-container", "script", "img", "link")


class _Page:
    """Page-level facts, collected in one pass over the few tags that can announce math:
    a TeX renderer (MathJax / KaTeX script, config or stylesheet), AsciiMath, the
    delimiters configured, and which kinds of math markup are present."""

    __slots__ = ("tex", "ascii", "mathml", "katex", "wiki", "mjx", "scripts", "img", "inline",
                 "display", "rendered", "_configured_inline")

    def __init__(self) -> None:
        self.tex = self.ascii = self.mathml = self.mjx = self.scripts = self.img = False
        self.katex = self.wiki = False
        self.inline: list[tuple[str, str]] = []
        self.display: list[tuple[str, str]] = []
        self.rendered: list[tuple[str, str, bool]] = []
        self._configured_inline = False

    @property
    def any(self) -> bool:
        return self.tex or self.ascii or self.mathml or self.mjx or self.scripts or self.img \
            or bool(self.rendered)

    def add_script(self, script) -> None:
        typ = script.get("type")
        if typ:
            typ = typ.lower()
            if typ.startswith("math/"):
                self.scripts = True
                return
            if "json" in typ or "template" in typ or "html" in typ or "css" in typ:
                return  # data, not code: never a renderer (and often large)
        src = script.get("src")
        if src:
            src = src.lower()
            if "tex" in src or "math" in src or "katex" in src or "temml" in src:
                if any(k in src for k in _RENDERER_SRC):
                    self.tex = True
                if any(k in src for k in _ASCII_SRC):
                    self.ascii = True
            return
        body = script.text
        if not body:
            return
        if "MathJax" in body or "katex" in body or (typ and "mathjax" in typ):
            self.tex = True
        else:
            return
        if "asciimath2jax" in body or "AsciiMath" in body:
            self.ascii = True
        for m in _DELIM_CFG_RE.finditer(body):
            pairs = [(_js_unescape(a or b), _js_unescape(c or d))
                     for a, b, c, d in _PAIR_RE.findall(m.group(2))]
            if m.group(1) == "inlineMath":
                self._configured_inline = True
                self.inline.extend(pairs)
            else:
                self.display.extend(pairs)
        for a, b, c, d, disp in _KATEX_DELIM_RE.findall(body):
            pair = (_js_unescape(a or b), _js_unescape(c or d))
            if disp in ("true", "!0"):
                self.display.append(pair)
            else:
                self.inline.append(pair)
                self._configured_inline = True
        if "katex.render(" in body:
            for a, b, c, d, var, opts in _KATEX_RENDER_RE.findall(body):
                target = c or d or var
                if target:
                    display = bool(re.search(r"displayMode\s*:\s*(?:true|!0)", opts or ""))
                    self.rendered.append((_js_unescape(a or b), target, display))

    def finish(self) -> _Page:
        inline, display = list(self.inline), list(self.display)
        if self.tex and not self._configured_inline:
            inline.append(("$", "$"))
        inline.append(("\\(", "\\)"))
        display += [("$$", "$$"), ("\\[", "\\]")]
        # A JS string escaped once too often (``"\\\\("``) still means ``\(``.
        self.inline = _dedupe([(o.replace("\\\\", "\\"), c.replace("\\\\", "\\"))
                               for o, c in inline if o and c])
        self.display = _dedupe([(o.replace("\\\\", "\\"), c.replace("\\\\", "\\"))
                                for o, c in display if o and c])
        return self


def _scan(root) -> _Page:
    """One C-level pass over ``math``, ``mjx-container``, ``script``, ``img``, ``link``."""
    page = _Page()
    doc = root.getroottree().getroot() if root.getparent() is not None else root
    for el in doc.iter(*_GATE_TAGS):
        tag = el.tag
        if tag == "script":
            page.add_script(el)
        elif tag == "img":
            if not page.img and _img_candidate(el):
                page.img = True
        elif tag.endswith("math"):
            page.mathml = True
            parent = el.getparent()
            cls = parent.get("class") if parent is not None else None
            if cls:
                if "katex" in cls:
                    page.katex = True
                elif "mwe-math" in cls:
                    page.wiki = True
        elif tag == "mjx-container":
            page.mjx = True
        elif tag == "link":
            href = (el.get("href") or "").lower()
            if "katex" in href or "mathjax" in href:
                page.tex = True
    return page.finish()


def _dedupe(pairs):
    seen, out = set(), []
    for p in pairs:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


# --------------------------------------------------------------------------------------------
# Tree surgery.


def _attached(el, root) -> bool:
    """``el`` is still in the tree under ``root`` (not inside something replaced before)."""
    for anc in el.iterancestors():
        if anc is root:
            return True
    return False


def _remove_keep_tail(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _snippet(latex: str, display: bool) -> str:
    return f"$${latex}$$" if display else f"${latex}$"


def _new_p(token: str):
    p = lxml.html.Element("p")
    p.text = token
    return p


def _unnest(block) -> None:
    """A display ``<p>`` that landed inside a ``<p>``: split the outer paragraph around it.

    ``<p>a<p>TOKEN</p>b</p>`` becomes ``<p>a</p><p>TOKEN</p><p>b</p>``; extractors handle
    nested paragraphs badly (the text after the inner one may be lost)."""
    parent = block.getparent()
    if parent is None or parent.tag != "p":
        return
    grand = parent.getparent()
    if grand is None:
        return
    idx = grand.index(parent)
    rest = list(block.itersiblings())
    after = None
    if (block.tail and block.tail.strip()) or rest:
        after = lxml.html.Element("p")
        after.text = block.tail
        for sib in rest:
            after.append(sib)
    block.tail = None
    parent.remove(block)
    grand.insert(idx + 1, block)
    last = block
    if after is not None:
        grand.insert(idx + 2, after)
        last = after
    last.tail, parent.tail = parent.tail, None
    if not (parent.text or "").strip() and not len(parent):
        grand.remove(parent)


def _replace(el, latex: str, display: bool, protect: Protected) -> int:
    """Put the formula's token where ``el`` was (keeping ``el.tail``). Returns 1 or 0."""
    parent = el.getparent()
    if parent is None:
        return 0
    latex = _clean_latex(latex, display)
    if latex is None:  # nothing to say (empty, or macro definitions only)
        _remove_keep_tail(el)
        return 0
    token = protect.add(_snippet(latex, display))
    if display:
        p = _new_p(token)
        p.tail = el.tail
        parent.replace(el, p)
        _unnest(p)
    else:
        text = token + (el.tail or "")
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(el)
    return 1


_MACRO_ONLY_RE = re.compile(
    r"^(?:\s*(?:\\(?:re)?newcommand\*?|\\providecommand\*?|\\def|\\let|\\DeclareMathOperator\*?"
    r"|\\require|\\newenvironment|\\renewenvironment)\b.*)$",
    re.S,
)
_STYLE_WRAP_RE = re.compile(r"^\{\s*\\(?:displaystyle|textstyle|scriptstyle)\b\s*")


_BRACE_RE = re.compile(r"\\.|[{}]", re.S)


def _strip_style_wrapper(tex: str) -> str:
    """``{\\displaystyle x^2}`` (Wikipedia) → ``x^2``, only when the braces wrap everything."""
    tex = tex.strip()
    m = _STYLE_WRAP_RE.match(tex)
    if not m or not tex.endswith("}"):
        return tex
    depth = 0
    last = len(tex) - 1
    for b in _BRACE_RE.finditer(tex):
        ch = b.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and b.start() != last:
                return tex  # the first brace closes before the end: not a wrapper
    if depth != 0:
        return tex
    return tex[m.end():-1].strip()


_LAYOUT_ONLY_RE = re.compile(
    r"(?:\\[ ,;:!>]|\\quad|\\qquad|\\(?:begin|end)group|\\displaystyle|~|\s)*\\?")


def _clean_latex(latex: str, display: bool) -> str | None:
    latex = latex.strip()
    if not latex or _MACRO_ONLY_RE.match(latex) or latex in ("null", "undefined"):
        return None  # empty, macro preamble, or a template's JS null
    latex = _strip_style_wrapper(latex)
    if _LAYOUT_ONLY_RE.fullmatch(latex):  # spacing, \begingroup (StackExchange) …
        return None
    if re.search(r"(?<!\\)(?:\\\\)*\\$", latex):  # a lone trailing backslash would eat "$"
        latex += " "
    # Collapse layout whitespace; keep line breaks only where a TeX comment needs them.
    if "\n" in latex or "\r" in latex or "\t" in latex:
        if re.search(r"(?<!\\)%", latex):
            latex = re.sub(r"[ \t]*\r?\n\s*", "\n", latex)
        else:
            latex = re.sub(r"\s+", " ", latex)
    return latex


def _materialize(node_text, pieces, protect: Protected) -> int:
    """Write ``pieces`` (str | (latex, display)) back in place of a text node.

    ``node_text`` is an lxml smart string (``.getparent()``, ``.is_text``, ``.is_tail``)."""
    owner = node_text.getparent()
    # Turn pieces into: leading text, then [(display_p, following_text)], inline tokens merged.
    lead: list[str] = []
    blocks: list[list] = []  # [p_element, [text parts]]
    count = 0
    for piece in pieces:
        if isinstance(piece, str):
            (blocks[-1][1] if blocks else lead).append(piece)
            continue
        latex, display = piece
        latex = _clean_latex(latex, display)
        if latex is None:
            continue
        token = protect.add(_snippet(latex, display))
        count += 1
        if display:
            blocks.append([_new_p(token), []])
        else:
            (blocks[-1][1] if blocks else lead).append(token)
    lead_text = "".join(lead)
    if node_text.is_tail:
        owner.tail = lead_text
        parent = owner.getparent()
        idx = parent.index(owner) + 1
        for p, parts in blocks:
            p.tail = "".join(parts)
            parent.insert(idx, p)
            idx += 1
    else:
        owner.text = lead_text
        for i, (p, parts) in enumerate(blocks):
            p.tail = "".join(parts)
            owner.insert(i, p)
    for p, _ in blocks:
        _unnest(p)
    return count


# --------------------------------------------------------------------------------------------
# TeX delimiters in text.

_MATH_ENVS = (
    "equation align alignat gather multline eqnarray flalign split displaymath math"
    " aligned gathered cases matrix pmatrix bmatrix vmatrix Vmatrix array subequations"
).split()
_TEXISH_RE = re.compile(r"\\[A-Za-z]|[\^_{}=<>+]|\d")


@lru_cache(maxsize=64)
def _opener_re(openers: tuple[str, ...], envs: bool) -> re.Pattern:
    alts = [re.escape(o) for o in sorted(set(openers), key=len, reverse=True)]
    if envs:
        alts.append(r"\\begin\{(" + "|".join(_MATH_ENVS) + r")\*?\}")
    return re.compile("|".join(alts))


def _find_dollar_close(text: str, start: int) -> int:
    """Index of the ``$`` closing an inline ``$…$`` whose content starts at ``start``, or -1.

    Pandoc's rule: no space after the opener; the closer is the next unescaped ``$`` (TeX
    allows no other inside), which must follow a non-space and not precede a digit; no blank
    line inside. So "$5 and $10" is no formula (the second ``$`` follows a space)."""
    if start >= len(text) or text[start].isspace() or text[start] == "$":
        return -1
    j = start
    n = len(text)
    while True:
        j = text.find("$", j)
        if j < 0:
            return -1
        if text[j - 1] == "\\":
            j += 1
            continue
        if text[j - 1].isspace() or (j + 1 < n and text[j + 1].isdigit()):
            return -1
        if "\n" in text[start:j] and re.search(r"\n\s*\n", text[start:j]):
            return -1
        return j


def _split_tex(text: str, page: _Page, dollar_ok: bool, envs: bool, strict: bool):
    """Split ``text`` on TeX delimiters: a list of str and (latex, display), or None if none.

    ``strict`` (no renderer on the page): ``$$`` and ``\\[`` need TeX-looking content."""
    closers: dict[str, tuple[str, bool]] = {}
    for o, c in page.display:
        closers.setdefault(o, (c, True))
    for o, c in page.inline:
        if o == "$" and not dollar_ok:
            continue
        closers.setdefault(o, (c, False))
    if dollar_ok and "$" not in closers:
        closers["$"] = ("$", False)
    rx = _opener_re(tuple(closers), envs)
    pieces: list = []
    pos = 0  # start of text not yet emitted
    search = 0
    found = False
    n = len(text)
    while search < n:
        m = rx.search(text, search)
        if not m:
            break
        o = m.group(0)
        start = m.start()
        if start > 0 and text[start - 1] == "\\" and not o.startswith("\\"):
            search = m.end()  # escaped \$ or similar
            continue
        if o.startswith("\\begin"):
            env = m.group(m.lastindex) if m.lastindex else ""
            end_tag = "\\end{" + env
            j = text.find(end_tag, m.end())
            if j < 0:
                search = m.end()
                continue
            close_end = text.find("}", j) + 1
            latex = text[start:close_end]
            display = True
            end = close_end
        elif o == "$" and closers["$"][0] == "$":
            j = _find_dollar_close(text, m.end())
            if j < 0:
                search = m.end()
                continue
            latex = text[m.end():j]
            display = closers["$"][1]
            end = j + 1
        else:
            c, display = closers[o]
            j = text.find(c, m.end())
            while j > 0 and c[0] == "$" and text[j - 1] == "\\":
                j = text.find(c, j + 1)
            if j < 0:
                search = m.end()
                continue
            latex = text[m.end():j]
            end = j + len(c)
            if not latex.strip() or (strict and o != "\\(" and not _TEXISH_RE.search(latex)):
                search = m.end()
                continue
        if not latex.strip():
            search = m.end()
            continue
        if start > pos:
            pieces.append(text[pos:start])
        pieces.append((latex, display))
        found = True
        pos = search = end
    if not found:
        return None
    if pos < n:
        pieces.append(text[pos:])
    return pieces


# --------------------------------------------------------------------------------------------
# Sources.


_ANNOTATION_TAGS = ("annotation", "m:annotation", "mml:annotation", "mathml:annotation")


def _tex_annotation(math_el) -> str | None:
    for ann in math_el.iter(*_ANNOTATION_TAGS):
        if "tex" in (ann.get("encoding") or "").lower():
            text = "".join(ann.itertext()).strip()
            if text:
                return text
    return None


_TEXSIGNAL_RE = re.compile(r"\\[A-Za-z]|[\^_{}]")


def _math_source(math_el) -> str:
    """LaTeX of a MathML element: TeX annotation > TeX-looking alttext > conversion."""
    tex = _tex_annotation(math_el)
    if tex:
        return tex
    alt = (math_el.get("alttext") or "").strip()
    if alt and _TEXSIGNAL_RE.search(alt):
        return alt
    latex = mathml_to_latex(math_el)
    return latex or alt


def _is_display_math(math_el) -> bool:
    return (math_el.get("display") or "").lower() == "block" or \
        (math_el.get("mode") or "").lower() == "display"


def _maths_in(el) -> list:
    return list(el.iter(*_MATH_TAGS))


def _do_wikipedia(root, protect: Protected) -> int:
    count = 0
    for span in _X_WIKI(root):
        if not _attached(span, root):
            continue
        tex = None
        display = False
        for child in span:
            cls = child.get("class") or ""
            if "mwe-math-mathml-display" in cls or "mwe-math-fallback-image-display" in cls:
                display = True
        maths = _maths_in(span)
        if maths:
            display = display or _is_display_math(maths[0])
            tex = _math_source(maths[0])
        if not tex:
            for img in span.iter("img"):
                if img.get("alt"):
                    tex = img.get("alt")
                    break
        if tex:
            count += _replace(span, tex, display, protect)
    return count


def _do_katex(root, protect: Protected) -> int:
    count = 0
    for el in _X_KATEX(root):
        if not _attached(el, root):
            continue
        cls = " " + (el.get("class") or "") + " "
        display = " katex-display " in cls
        tex = None
        maths = _maths_in(el)
        if maths:
            tex = _tex_annotation(maths[0]) or mathml_to_latex(maths[0])
            display = display or _is_display_math(maths[0])
        if tex:
            count += _replace(el, tex, display, protect)
    return count


_MJ_FRAME_RE = re.compile(r"^(?:MathJax|MJX|mjx-chtml|MJXc|MathJax_SVG|MathJax_CHTML)")


def _is_mj_rendering(el) -> bool:
    if not isinstance(el.tag, str):
        return False
    cls = el.get("class") or ""
    if any(_MJ_FRAME_RE.match(c) for c in cls.split()):
        return True
    ident = el.get("id") or ""
    return ident.startswith("MathJax-Element-") and ident.endswith("-Frame")


def _do_mathjax_scripts(root, protect: Protected, page: _Page) -> int:
    count = 0
    for script in _X_MJ2_SCRIPTS(root):
        if not _attached(script, root):
            continue
        typ = (script.get("type") or "").lower()
        display = "mode=display" in typ.replace(" ", "")
        body = script.text or ""
        if typ.startswith("math/tex") or typ.startswith("math/latex"):
            tex = body
        elif typ.startswith("math/mml"):
            try:
                frag = lxml.html.fragment_fromstring(body.strip(), create_parent="div")
                maths = [e for e in frag.iter() if _local(e.tag) == "math"]
                if not maths:
                    continue
                tex = _math_source(maths[0])
                display = display or _is_display_math(maths[0])
            except (etree.ParserError, ValueError):
                continue
        elif typ.startswith("math/asciimath"):
            tex = asciimath_to_latex(body)
        else:
            continue
        # The rendering (preview, frame, display wrapper) sits right in front of the script.
        prev = script.getprevious()
        while prev is not None:
            between = prev.tail or ""
            if between.strip() or not _is_mj_rendering(prev):
                break
            nxt = prev.getprevious()
            if "Display" in (prev.get("class") or "") or prev.tag == "div":
                display = True
            _remove_keep_tail(prev)
            prev = nxt
        count += _replace(script, tex, display, protect)
    return count


def _do_mathjax_frames(root, protect: Protected) -> int:
    """MathJax v2 renderings whose source script is gone: use ``data-mathml`` / assistive MathML."""
    count = 0
    for frame in _X_MJ2_FRAMES(root):
        if not _attached(frame, root):
            continue
        tex = None
        display = False
        target = frame
        parent = frame.getparent()
        if parent is not None and "Display" in (parent.get("class") or "") \
                and len(parent) == 1:
            target, display = parent, True
        mml = frame.get("data-mathml")
        maths = []
        if mml:
            try:
                frag = lxml.html.fragment_fromstring(mml, create_parent="div")
                maths = [e for e in frag.iter() if _local(e.tag) == "math"]
            except (etree.ParserError, ValueError):
                maths = []
        if not maths:
            maths = _maths_in(frame)
        if maths:
            tex = _math_source(maths[0])
            display = display or _is_display_math(maths[0])
        if tex:
            count += _replace(target, tex, display, protect)
    return count


def _do_mjx(root, protect: Protected, page: _Page) -> int:
    count = 0
    for el in _X_MJX(root):
        if not _attached(el, root):
            continue
        display = (el.get("display") or "").lower() == "true" or \
            (el.get("display") or "").lower() == "block"
        maths = _maths_in(el)
        tex = None
        if maths:
            tex = _math_source(maths[0])
            display = display or _is_display_math(maths[0])
        elif not any(isinstance(e.tag, str) and e.tag.startswith("mjx-") for e in el.iterdescendants()):
            raw = "".join(el.itertext()).strip()
            if raw:
                pieces = _split_tex(raw, page, True, False, False)
                if pieces and len([p for p in pieces if not (isinstance(p, str) and not p.strip())]) == 1:
                    tex, disp = next(p for p in pieces if not isinstance(p, str))
                    display = display or disp
                elif not pieces:
                    tex = raw
        if tex:
            count += _replace(el, tex, display, protect)
    return count


def _do_mathml(root, protect: Protected) -> int:
    count = 0
    for el in list(root.iter(*_MATH_TAGS)):
        if not _attached(el, root):
            continue
        tex = _math_source(el)
        target = el
        parent = el.getparent()
        # Hidden accessibility wrappers (Wikipedia-like) go with the formula.
        if parent is not None and parent.tag == "span" and len(parent) == 1 \
                and not (parent.text or "").strip() and "math" in (parent.get("class") or ""):
            target = parent
        if tex:
            count += _replace(target, tex, _is_display_math(el), protect)
    return count


# Images -------------------------------------------------------------------------------------

_IMG_SRC_RE = re.compile(
    r"(?:codecogs\.com|/mimetex\.cgi|/mathtex\.cgi|/mimetex\.exe|/cgi-bin/mathtex|latex\.php"
    r"|\.latex\?|/math/render/|chart\.apis\.google\.com/chart"
    r"|/tex2img|/latex2png|/texrender|/forkosh\.com|/eqn\.|/equation\?|quicklatex)",
    re.I,
)
_GENERIC_ALT_RE = re.compile(
    r"^(?:|image|img|equation|formula|math|latex|tex|png|gif|svg|\[?math\]?|"
    r"latex formula|mathematical formula|rendered by quicklatex\.com)$",
    re.I,
)


def _img_tex_from_src(src: str) -> str | None:
    if not src or src.startswith("data:"):
        return None
    low = src.lower()
    parts = urlsplit(src)
    query = parts.query
    if "latex.php" in low or "chart.apis.google.com" in low or "quicklatex" in low:
        qs = parse_qs(query, keep_blank_values=True)
        for key in ("latex", "chl", "formula", "tex"):
            if qs.get(key):
                return qs[key][0]
        return None
    if "/math/render/" in low:
        return None  # a hash: the TeX is only in alt
    if not query and "?" in src:
        query = src.split("?", 1)[1]
    if not query:
        return None
    # Raw (unencoded) queries keep "+" as plus; form-encoded ones use "+" for a space.
    tex = unquote_plus(query) if "%" in query and "%2B" in query.upper() else unquote(query)
    tex = tex.replace("&space;", " ").replace("&plus;", "+").replace("&amp;", "&")
    tex = re.sub(r"^(?:\s*\\(?:dpi\{\d+\}|bg_\w+|bg\{\w+\}|fg_\w+|inline|large|Large|LARGE|huge"
                 r"|small|tiny|normalsize|fn_\w+|150dpi|300dpi|png|gif|svg|mathrm\{\}))+\s*", "", tex)
    return tex or None


def _alone_in_block(el) -> bool:
    parent = el.getparent()
    if parent is None:
        return False
    if parent.tag == "noscript":
        return False
    if (parent.get("align") or "").lower() == "center" or parent.tag == "center" or \
            "text-align:center" in (parent.get("style") or "").replace(" ", "").lower():
        pass
    elif parent.tag not in _BLOCK_TAGS:
        return False
    if (parent.text or "").strip():
        return False
    for child in parent:
        if child is not el and child.tag not in ("br", "noscript") and isinstance(child.tag, str):
            return False
        if (child.tail or "").strip():
            return False
    return True


_IMG_CLASSES = (" latex ", " tex ", " mwe-math-fallback", " math ", " wp-latex ",
                " ql-img-inline-formula ", " ql-img-displayed-equation ", " mathtex ", " equation ")


def _img_src(img) -> str:
    src = img.get("src") or ""
    if src.startswith("data:") or not src:
        src = img.get("data-src") or img.get("data-lazy-src") or img.get("data-original") or src
    return src


def _img_candidate(img) -> bool:
    cls = img.get("class")
    if cls and ("tex" in cls or "math" in cls or "equation" in cls or "formula" in cls):
        if any(c in " " + cls + " " for c in _IMG_CLASSES):
            return True
    src = img.get("src")
    if not src or src.startswith("data:"):
        src = _img_src(img)
        if not src:
            return False
    low = src.lower()
    if "tex" in low or "math" in low or "codecogs" in low or "chart" in low or "eq" in low:
        return bool(_IMG_SRC_RE.search(src))
    return False


def _looks_tex(alt: str) -> bool:
    """An alt text that can be a formula: TeX markup, a short expression with an operator, or
    a symbol or two ("Math help" is not)."""
    if _TEXSIGNAL_RE.search(alt) or len(alt) <= 2:
        return True
    return bool(re.search(r"[=+\-*/<>|]", alt)) and len(alt.split()) <= 12


def _img_formula(img) -> tuple[str, bool] | None:
    src = _img_src(img)
    cls = " " + (img.get("class") or "") + " "
    tex_class = any(c in cls for c in _IMG_CLASSES)
    known_src = bool(_IMG_SRC_RE.search(src))
    src_tex = _img_tex_from_src(src) if known_src else None
    alt = (img.get("alt") or img.get("title") or "").strip()
    if _GENERIC_ALT_RE.match(alt):
        alt = ""
    if src_tex:
        # The URL is the source; a TeX-looking alt (often nicer: spaces kept) may stand in.
        if alt and (_TEXSIGNAL_RE.search(alt) or re.sub(r"\s+", "", alt) == re.sub(r"\s+", "", src_tex)):
            tex = alt
        else:
            tex = src_tex
    elif alt and (known_src and "/math/render/" in src or _looks_tex(alt)) \
            and (tex_class or known_src):
        tex = alt
    else:
        return None
    display = "display" in cls or "displayed" in cls or (
        "inline" not in cls and _alone_in_block(img))
    return tex, display


def _do_images(root, protect: Protected) -> int:
    count = 0
    last_tex = None
    for img in [i for i in root.iter("img") if _img_candidate(i)]:
        if not _attached(img, root):
            continue
        found = _img_formula(img)
        if not found:
            continue
        tex, display = found
        parent = img.getparent()
        if parent is not None and parent.tag == "noscript":
            # Lazy-loading plugins repeat the image inside <noscript>: keep one copy.
            if tex == last_tex:
                _remove_keep_tail(parent) if len(parent) == 1 else _remove_keep_tail(img)
                continue
        # If the next sibling is a <noscript> duplicate, drop it now.
        nxt = img.getnext()
        if nxt is not None and nxt.tag == "noscript" and not (img.tail or "").strip():
            dup = [i for i in nxt.iter("img")]
            if len(dup) == 1 and (_img_formula(dup[0]) or (None,))[0] == tex:
                _remove_keep_tail(nxt)
        last_tex = tex
        count += _replace(img, tex, display, protect)
    return count


# Containers and text --------------------------------------------------------------------------


def _do_katex_render(root, protect: Protected, page: _Page) -> int:
    """``katex.render("TeX", element)`` in an inline script: the element gets the formula."""
    count = 0
    for tex, target, display in page.rendered:
        found = root.xpath(".//*[@id=$i]", i=target)
        if not found or found[0].tag in ("script", "style"):
            continue
        el = found[0]
        latex = _clean_latex(tex, display)
        if latex is None:
            continue
        for child in list(el):
            el.remove(child)
        token = protect.add(_snippet(latex, display))
        if display:
            el.text = None
            el.append(_new_p(token))
        else:
            el.text = token
        count += 1
    return count


def _do_containers(root, protect: Protected, page: _Page, skip) -> int:
    count = 0
    for el in _X_CONTAINERS(root):
        if not _attached(el, root) or _in_skipped(el, root, skip):
            continue
        classes = set((el.get("class") or "").split())
        explicit = bool(classes & {"math-container", "math-tex", "arithmatex", "katex-src"})
        if not explicit and not page.tex:
            continue
        if any(isinstance(c.tag, str) and c.tag not in ("br", "span", "i", "em", "b", "sub", "sup")
               for c in el.iterdescendants()):
            continue
        raw = el.text_content()
        if not raw.strip():
            continue
        pieces = _split_tex(raw, page, True, False, False)
        display_el = el.tag in _BLOCK_TAGS or bool(classes & {"display", "math-display", "block"})
        if pieces is None:
            if len(el):  # markup inside and no delimiters: rendered HTML math, leave it
                continue
            if not explicit and not _TEXSIGNAL_RE.search(raw):
                continue  # "x" or a "LaTeX" logo: nothing to gain
            count += _replace(el, raw, display_el, protect)
            continue
        formulas = [p for p in pieces if not isinstance(p, str)]
        rest = "".join(p for p in pieces if isinstance(p, str))
        if len(formulas) == 1 and not rest.strip():
            latex, display = formulas[0]
            count += _replace(el, latex, display, protect)
            continue
        # Mixed text and formulas: rewrite the container's content.
        for child in list(el):
            el.remove(child)
        el.text = raw
        node = el.xpath("text()")[0]
        count += _materialize(node, pieces, protect)
    return count


def _text_owner(node):
    """The element whose content a text node is (a tail belongs to the parent's content)."""
    owner = node.getparent()
    return owner.getparent() if node.is_tail else owner


def _do_text(root, protect: Protected, page: _Page, dollar_ok: bool, skip) -> int:
    openers = {o for o, _ in page.display} | {o for o, _ in page.inline if o != "$" or dollar_ok}
    conds = [f"contains(., '{o}')" for o in openers if "'" not in o]
    if page.tex:
        conds.append("contains(., '\\begin{')")
    if not conds:
        return 0
    xp = etree.XPath(f".//text()[{' or '.join(conds)}]")
    count = 0
    unclosed = False
    span_openers = [o for o, _ in page.display if o != "$"]
    for node in xp(root):
        owner = node.getparent()
        if owner is None or (node.is_tail and owner.getparent() is None) \
                or _in_skipped(_text_owner(node), root, skip):
            continue
        text = str(node)
        pieces = _split_tex(text, page, dollar_ok, page.tex, not page.tex)
        if pieces:
            count += _materialize(node, pieces, protect)
            text = pieces[-1] if isinstance(pieces[-1], str) else ""
        if not unclosed and any(o in text for o in span_openers):
            unclosed = True
    if unclosed:  # maybe display math broken over <br> lines
        count += _do_br_spanning(root, protect, page, skip)
    return count


def _do_br_spanning(root, protect: Protected, page: _Page, skip) -> int:
    """Display math broken over ``<br>`` lines (forums): ``\\[ a <br> = b \\]``."""
    count = 0
    opens = [(o, c) for o, c in page.display if o != "$"]
    conds = [f"contains(., '{o}')" for o, _ in opens if "'" not in o]
    if not conds:
        return 0
    xp = etree.XPath(f".//text()[{' or '.join(conds)}][following-sibling::*[1][self::br]]")
    for node in xp(root):
        text = str(node)
        owner = node.getparent()
        if owner is None or _in_skipped(_text_owner(node), root, skip):
            continue
        for o, c in opens:
            i = text.rfind(o)
            if i < 0 or text.find(c, i + len(o)) >= 0:
                continue
            # Unclosed opener: follow <br> siblings until the closer.
            nxt = owner.getnext() if node.is_tail else (owner[0] if len(owner) else None)
            brs = []
            collected = text[i + len(o):]
            while nxt is not None and nxt.tag == "br" and len(brs) < 30:
                brs.append(nxt)
                tail = nxt.tail or ""
                j = tail.find(c)
                if j >= 0:
                    latex = collected + "\n" + tail[:j]
                    if o == "$$" and not _TEXISH_RE.search(latex) and not page.tex:
                        break
                    before = text[:i]
                    after = tail[j + len(c):]
                    for br in brs[:-1]:
                        br.getparent().remove(br)
                    last = brs[-1]
                    last.tail = None
                    if node.is_tail:
                        owner.tail = before
                    else:
                        owner.text = before
                    latex_c = _clean_latex(latex, True)
                    if latex_c is None:
                        last.getparent().remove(last)
                        break
                    p = _new_p(protect.add(_snippet(latex_c, True)))
                    p.tail = after
                    last.getparent().replace(last, p)
                    _unnest(p)
                    count += 1
                    break
                collected += "\n" + tail
                nxt = nxt.getnext()
            break
    return count


_ASCII_TEXT = etree.XPath(".//text()[contains(., '`')]")
_BACKTICK_RE = re.compile(r"(?<!\\)`([^`]+?)(?<!\\)`")


def _do_asciimath_text(root, protect: Protected, skip) -> int:
    count = 0
    for node in _ASCII_TEXT(root):
        owner = node.getparent()
        if owner is None or (node.is_tail and owner.getparent() is None) \
                or _in_skipped(_text_owner(node), root, skip):
            continue
        text = str(node)
        pieces: list = []
        pos = 0
        for m in _BACKTICK_RE.finditer(text):
            inner = m.group(1)
            if not inner.strip():
                continue
            pieces.append(text[pos:m.start()])
            pieces.append((asciimath_to_latex(inner), False))
            pos = m.end()
        if not pieces:
            continue
        pieces.append(text[pos:])
        pieces = [p.replace("\\`", "`") if isinstance(p, str) else p for p in pieces]
        count += _materialize(node, pieces, protect)
    return count


# --------------------------------------------------------------------------------------------
# Entry points.


def has_math(root) -> bool:
    """Cheap test (one C-level pass over a few tags): could the page hold a formula?

    True when there is MathML, a MathJax v3 container, a ``math/*`` script, a TeX or
    AsciiMath renderer (script, config or stylesheet) or a formula image. TeX typed in the
    text of a page that loads no renderer is left alone (it stays in the text as typed)."""
    return _scan(root).any


def replace_math(root: lxml.html.HtmlElement, protect: Protected) -> int:
    """Replace every formula under root, in place, by a placeholder token; returns how many."""
    page = _scan(root)
    if not page.any:
        return 0
    n = 0
    if page.wiki:
        n += _do_wikipedia(root, protect)
    if page.katex:
        n += _do_katex(root, protect)
    if page.scripts:
        n += _do_mathjax_scripts(root, protect, page)
    if page.mathml or page.tex:
        n += _do_mathjax_frames(root, protect)
    if page.mjx:
        n += _do_mjx(root, protect, page)
    if page.mathml:
        n += _do_mathml(root, protect)
    if page.img:
        n += _do_images(root, protect)
    if page.rendered:
        n += _do_katex_render(root, protect, page)
    skip = _skipped(root)
    n += _do_containers(root, protect, page, skip)
    n += _do_text(root, protect, page, page.tex, skip)
    if page.ascii:
        n += _do_asciimath_text(root, protect, skip)
    return n


# --------------------------------------------------------------------------------------------
# MathML → LaTeX.

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ϖ": "varpi", "ρ": "rho",
    "ϱ": "varrho", "σ": "sigma", "ς": "varsigma", "τ": "tau", "υ": "upsilon", "φ": "varphi",
    "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta",
    "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon",
    "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega", "ϝ": "digamma", "ο": "o",
}
_SYMBOLS = {
    "≤": r"\le", "≦": r"\leqq", "≥": r"\ge", "≧": r"\geqq", "≠": r"\ne", "≈": r"\approx",
    "≡": r"\equiv", "∼": r"\sim", "≃": r"\simeq", "≅": r"\cong", "∝": r"\propto",
    "±": r"\pm", "∓": r"\mp", "×": r"\times", "÷": r"\div", "·": r"\cdot", "⋅": r"\cdot",
    "∗": r"\ast", "∘": r"\circ", "∙": r"\bullet", "•": r"\bullet", "∑": r"\sum",
    "∏": r"\prod", "∐": r"\coprod", "∫": r"\int", "∬": r"\iint", "∭": r"\iiint",
    "∮": r"\oint", "∂": r"\partial", "∇": r"\nabla", "∞": r"\infty", "√": r"\surd",
    "∀": r"\forall", "∃": r"\exists", "∄": r"\nexists", "¬": r"\neg", "∧": r"\wedge",
    "∨": r"\vee", "∩": r"\cap", "∪": r"\cup", "⋂": r"\bigcap", "⋃": r"\bigcup",
    "⋀": r"\bigwedge", "⋁": r"\bigvee", "⨁": r"\bigoplus", "⨂": r"\bigotimes",
    "∈": r"\in", "∉": r"\notin", "∋": r"\ni", "⊂": r"\subset", "⊃": r"\supset",
    "⊆": r"\subseteq", "⊇": r"\supseteq", "⊊": r"\subsetneq", "⊄": r"\not\subset",
    "∅": r"\emptyset", "→": r"\to", "←": r"\leftarrow", "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow", "⇐": r"\Leftarrow", "⇔": r"\Leftrightarrow", "↦": r"\mapsto",
    "⟶": r"\longrightarrow", "⟵": r"\longleftarrow", "⟹": r"\Longrightarrow",
    "⟸": r"\Longleftarrow", "⟺": r"\Longleftrightarrow", "↑": r"\uparrow",
    "↓": r"\downarrow", "⇑": r"\Uparrow", "⇓": r"\Downarrow", "↗": r"\nearrow",
    "↘": r"\searrow", "⇌": r"\rightleftharpoons", "↪": r"\hookrightarrow",
    "⟨": r"\langle", "⟩": r"\rangle", "〈": r"\langle", "〉": r"\rangle",
    "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor", "‖": r"\|",
    "∥": r"\parallel", "∦": r"\nparallel", "…": r"\ldots", "⋯": r"\cdots", "⋮": r"\vdots",
    "⋱": r"\ddots", "ℏ": r"\hbar", "ℓ": r"\ell", "ℜ": r"\Re", "ℑ": r"\Im", "ℵ": r"\aleph",
    "℘": r"\wp", "°": r"^\circ", "′": "'", "″": "''", "‴": "'''", "⊕": r"\oplus",
    "⊖": r"\ominus", "⊗": r"\otimes", "⊙": r"\odot", "⊥": r"\perp", "⊤": r"\top",
    "∠": r"\angle", "△": r"\triangle", "□": r"\square", "◻": r"\square", "⋄": r"\diamond",
    "≪": r"\ll", "≫": r"\gg", "≺": r"\prec", "≻": r"\succ", "⪯": r"\preceq", "⪰": r"\succeq",
    "⊢": r"\vdash", "⊨": r"\models", "∖": r"\setminus", "∣": r"\mid", "∤": r"\nmid",
    "≔": r":=", "≜": r"\triangleq", "∴": r"\therefore", "∵": r"\because", "†": r"\dagger",
    "‡": r"\ddagger", "⋆": r"\star", "★": r"\star", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}", "ℝ": r"\mathbb{R}", "ℂ": r"\mathbb{C}", "ℙ": r"\mathbb{P}",
    "−": "-", "‐": "-", "‑": "-", "–": "-", "—": "-", "∕": "/", "⁄": "/", "∶": ":",
    "≲": r"\lesssim", "≳": r"\gtrsim", "⊲": r"\lhd", "⊳": r"\rhd",
    "⋉": r"\ltimes", "⋊": r"\rtimes", "⊎": r"\uplus", "⊓": r"\sqcap", "⊔": r"\sqcup",
    "⊑": r"\sqsubseteq", "⊒": r"\sqsupseteq", "≐": r"\doteq", "∔": r"\dotplus",
    "ð": r"\eth", "ı": r"\imath", "ȷ": r"\jmath", "∡": r"\measuredangle", "♯": r"\sharp",
    "♭": r"\flat", "♮": r"\natural", "✓": r"\checkmark", "⌣": r"\smile", "⌢": r"\frown",
    "\u2061": "", "\u2062": "", "\u2063": ",", "\u2064": "+", "\u200b": "", "\u00a0": " ",
    "\u2009": r"\,", "\u200a": "", "\u2005": r"\:", "\u2003": r"\quad", "\u2002": r"\ ",
    "{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$", "_": r"\_",
    "\\": r"\backslash", "~": r"\sim", "^": r"\hat{}",
}
_FUNCS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth log ln lg exp det dim"
    " ker deg gcd hom inf sup lim liminf limsup max min arg Pr".split()
)
_BIG_OPS = frozenset(r"\sum \prod \coprod \int \iint \iiint \oint \bigcap \bigcup \bigwedge"
                     r" \bigvee \bigoplus \bigotimes \lim \max \min \sup \inf \limsup \liminf"
                     r" \det \gcd \Pr".split())
_ACCENTS_OVER = {
    "˙": r"\dot", ".": r"\dot", "¨": r"\ddot", "..": r"\ddot", "^": r"\hat", "ˆ": r"\hat",
    "\u0302": r"\hat", "~": r"\tilde", "˜": r"\tilde", "\u0303": r"\tilde", "¯": r"\bar",
    "‾": r"\overline", "\u0305": r"\overline", "_": r"\overline", "→": r"\vec",
    "\u20d7": r"\vec", "←": r"\overleftarrow", "↔": r"\overleftrightarrow",
    "⏞": r"\overbrace", "︷": r"\overbrace", "ˇ": r"\check", "˘": r"\breve", "´": r"\acute",
    "`": r"\grave", "°": r"\mathring", "˚": r"\mathring",
}
_ACCENTS_UNDER = {
    "_": r"\underline", "‾": r"\underline", "¯": r"\underline", "̲": r"\underline",
    "⏟": r"\underbrace", "︸": r"\underbrace", "→": r"\underrightarrow",
}
_VARIANTS = {
    "bold": r"\mathbf", "double-struck": r"\mathbb", "script": r"\mathcal",
    "bold-script": r"\mathcal", "fraktur": r"\mathfrak", "bold-fraktur": r"\mathfrak",
    "sans-serif": r"\mathsf", "monospace": r"\mathtt", "italic": r"\mathit",
    "bold-italic": r"\boldsymbol", "normal": r"\mathrm",
}
_OPEN_FENCES = {"(", "[", "{", "|", "‖", "⟨", "〈", "⌈", "⌊", r"\{", r"\langle", r"\lceil",
                r"\lfloor", r"\|"}
_CLOSE_FENCES = {")", "]", "}", "|", "‖", "⟩", "〉", "⌉", "⌋", r"\}", r"\rangle", r"\rceil",
                 r"\rfloor", r"\|"}


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1]
    if ":" in tag:
        tag = tag.rsplit(":", 1)[1]
    return tag.lower()


def _chars_to_latex(text: str) -> str:
    out = []
    for ch in text:
        if ch in _GREEK:
            out.append("\\" + _GREEK[ch])
        elif ch in _SYMBOLS:
            out.append(_SYMBOLS[ch])
        elif 0x1D400 <= ord(ch) <= 0x1D7FF:
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return _join(out)


def _join(parts) -> str:
    """Concatenate LaTeX pieces, adding a space where a command would swallow a letter."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and re.search(r"\\[A-Za-z]+$", out) and part[0].isalpha():
            out += " "
        out += part
    return out


def _text(el) -> str:
    return "".join(el.itertext()).strip()


def _kids(el):
    return [c for c in el if isinstance(c.tag, str)]


_ATOM_RE = re.compile(r"\\[A-Za-z]+|\d+|\\.|\\[A-Za-z]+\{[^{}]*\}|\{.*\}")


def _group(latex: str) -> str:
    """``latex`` as a single TeX argument (for a base of a script)."""
    if len(latex) == 1 or _ATOM_RE.fullmatch(latex) and _balanced_atom(latex):
        return latex
    return "{" + latex + "}"


def _balanced_atom(latex: str) -> bool:
    """A ``{…}`` group must be one group (``{a}+{b}`` is not)."""
    if not latex.startswith("{"):
        return True
    depth = 0
    for i, ch in enumerate(latex):
        if ch == "{" and (i == 0 or latex[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and latex[i - 1] != "\\":
            depth -= 1
            if depth == 0 and i != len(latex) - 1:
                return False
    return depth == 0


def _row(nodes) -> str:
    """Convert a sequence of MathML nodes; pairs ``(`` … ``)`` around a row stretch."""
    parts = [_conv(n) for n in nodes]
    for k in range(1, len(nodes) - 1):
        if parts[k].startswith(r"\genfrac{}{}{0pt}{}") and parts[k - 1] == "(" and parts[k + 1] == ")":
            parts[k - 1:k + 2] = ["", r"\binom" + parts[k][len(r"\genfrac{}{}{0pt}{}"):], ""]
    if len(nodes) >= 2 and parts[0] and parts[-1]:
        first, last = nodes[0], nodes[-1]
        if _local(first.tag) == "mo" and _local(last.tag) == "mo" \
                and (first.get("stretchy") or "").lower() != "false" \
                and (last.get("stretchy") or "").lower() != "false" \
                and parts[0] in _OPEN_FENCES and parts[-1] in _CLOSE_FENCES \
                and _is_fence_pair(parts[0], parts[-1]) \
                and any(_local(n.tag) in ("mfrac", "munderover", "msubsup", "mtable", "mover",
                                          "munder", "msqrt", "mroot") or
                        any(_local(d.tag) in ("mfrac", "mtable", "munderover") for d in n.iter())
                        for n in nodes[1:-1]):
            left = parts[0] if parts[0] not in "{}" else "\\" + parts[0]
            right = parts[-1] if parts[-1] not in "{}" else "\\" + parts[-1]
            return _join(["\\left" + left] + parts[1:-1] + ["\\right" + right])
    return _join(parts)


def _is_fence_pair(o: str, c: str) -> bool:
    pairs = {"(": ")", "[": "]", r"\{": r"\}", "{": "}", "|": "|", r"\|": r"\|", "‖": "‖",
             r"\langle": r"\rangle", r"\lceil": r"\rceil", r"\lfloor": r"\rfloor"}
    return pairs.get(o) == c


def _is_big_op(el) -> bool:
    while _local(el.tag) in ("mrow", "mstyle") and len(_kids(el)) == 1:
        el = _kids(el)[0]
    if _local(el.tag) != "mo" and not (_local(el.tag) == "mi" and _text(el) in _FUNCS):
        return False
    return _conv(el) in _BIG_OPS


def _token(el, name: str) -> str:
    text = "".join(el.itertext())
    text = text.strip() if name != "mtext" else text
    variant = (el.get("mathvariant") or "").lower()
    if name == "mi":
        if not text:
            return ""
        if len(text) > 1 and text in _FUNCS:
            return "\\" + text
        latex = _chars_to_latex(text)
        if len(text) > 1 and not variant and re.fullmatch(r"[A-Za-z]+", text):
            return r"\mathrm{" + text + "}"
        if variant and variant != "italic" and variant in _VARIANTS:
            if variant == "normal" and not re.fullmatch(r"[A-Za-z]+", text):
                return latex
            return _VARIANTS[variant] + "{" + latex + "}"
        return latex
    if name == "mn":
        latex = _chars_to_latex(text)
        if variant in _VARIANTS and variant not in ("normal", "italic"):
            return _VARIANTS[variant] + "{" + latex + "}"
        return latex
    if name == "mo":
        if text in _FUNCS:
            return "\\" + text
        return _chars_to_latex(text)
    if name == "ms":
        return r"\text{``" + _escape_text(text) + "''}"
    # mtext
    if not text.strip():
        return r"\ " if text else ""
    return r"\text{" + _escape_text(text) + "}"


_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}
_TEXT_SPECIAL_RE = re.compile(r"[\\^~{}%#&$_]")


def _escape_text(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    return _TEXT_SPECIAL_RE.sub(lambda m: _TEXT_ESCAPES.get(m.group(), "\\" + m.group()), text)


def _space(el) -> str:
    if (el.get("linebreak") or "") == "newline":
        return r"\\"
    width = (el.get("width") or "").strip().lower()
    named = {"negativeveryverythinmathspace": r"\!", "negativeverythinmathspace": r"\!",
             "negativethinmathspace": r"\!", "negativemediummathspace": r"\!",
             "negativethickmathspace": r"\!", "veryverythinmathspace": r"\,",
             "verythinmathspace": r"\,", "thinmathspace": r"\,", "mediummathspace": r"\:",
             "thickmathspace": r"\;", "verythickmathspace": r"\quad",
             "veryverythickmathspace": r"\qquad"}
    if width in named:
        return named[width]
    m = re.match(r"(-?[\d.]+)\s*(em|ex|pt|px|mu)?", width)
    if not m:
        return r"\ "
    try:
        val = float(m.group(1))
    except ValueError:
        return r"\ "
    unit = m.group(2) or "em"
    em = val / {"em": 1, "ex": 2, "pt": 10, "px": 16, "mu": 18}[unit]
    if em < 0:
        return r"\!"
    if em == 0:
        return ""
    if em < 0.2:
        return r"\,"
    if em < 0.25:
        return r"\:"
    if em < 0.5:
        return r"\;"
    if em < 1.5:
        return r"\quad"
    return r"\qquad"


def _table(el) -> str:
    rows = []
    ncols = 0
    for tr in _kids(el):
        name = _local(tr.tag)
        if name not in ("mtr", "mlabeledtr"):
            rows.append(_conv(tr))
            continue
        cells = _kids(tr)
        if name == "mlabeledtr" and cells:
            cells = cells[1:]
        conv = [_row(_kids(td)) if _local(td.tag) == "mtd" else _conv(td) for td in cells]
        ncols = max(ncols, len(conv))
        rows.append(" & ".join(conv))
    body = r" \\ ".join(rows)
    align = (el.get("columnalign") or "").split()
    if align and any(a in ("left", "right") for a in align):
        spec = "".join({"left": "l", "right": "r"}.get(a, "c") for a in
                       (align + [align[-1]] * ncols)[:max(ncols, 1)])
        return r"\begin{array}{" + spec + "}" + body + r"\end{array}"
    return r"\begin{matrix}" + body + r"\end{matrix}"


def _conv(el) -> str:
    name = _local(el.tag)
    if not name:
        return ""
    if name in ("mi", "mn", "mo", "mtext", "ms"):
        return _token(el, name)
    kids = _kids(el)
    if name == "semantics":
        for k in kids:
            if _local(k.tag) not in ("annotation", "annotation-xml"):
                return _conv(k)
        return ""
    if name in ("annotation", "annotation-xml", "none", "mprescripts", "malignmark",
                "maligngroup", "mglyph"):
        return ""
    if name == "mspace":
        return _space(el)
    if name == "mfrac":
        if len(kids) < 2:
            return _row(kids)
        num, den = _conv(kids[0]), _conv(kids[1])
        lt = (el.get("linethickness") or "").strip()
        if lt in ("0", "0pt", "0px", "0em", "0.0pt"):
            return r"\genfrac{}{}{0pt}{}{" + num + "}{" + den + "}"
        if (el.get("bevelled") or "") == "true":
            return _group(num) + "/" + _group(den)
        return r"\frac{" + num + "}{" + den + "}"
    if name == "msqrt":
        return r"\sqrt{" + _row(kids) + "}"
    if name == "mroot":
        if len(kids) < 2:
            return r"\sqrt{" + _row(kids) + "}"
        return r"\sqrt[" + _conv(kids[1]) + "]{" + _conv(kids[0]) + "}"
    if name in ("msup", "msub", "msubsup"):
        if not kids:
            return ""
        base = _group(_conv(kids[0])) if kids else ""
        if not base:
            base = "{}"
        out = base
        if name == "msub" and len(kids) > 1:
            out += "_{" + _conv(kids[1]) + "}"
        elif name == "msup" and len(kids) > 1:
            out += "^{" + _conv(kids[1]) + "}"
        elif name == "msubsup" and len(kids) > 2:
            out += "_{" + _conv(kids[1]) + "}^{" + _conv(kids[2]) + "}"
        return out
    if name in ("mover", "munder", "munderover"):
        if not kids:
            return ""
        base_el = kids[0]
        base = _conv(base_el)
        if name == "munderover" and len(kids) > 2:
            under, over = _conv(kids[1]), _conv(kids[2])
            if _is_big_op(base_el):
                return base + "_{" + under + "}^{" + over + "}"
            return r"\overset{" + over + r"}{\underset{" + under + "}{" + base + "}}"
        if len(kids) < 2:
            return base
        script_el = kids[1]
        script_text = _text(script_el) if _local(script_el.tag) == "mo" else None
        if name == "mover":
            if script_text in _ACCENTS_OVER:
                return _ACCENTS_OVER[script_text] + "{" + base + "}"
            if _is_big_op(base_el):
                return base + "^{" + _conv(script_el) + "}"
            return r"\overset{" + _conv(script_el) + "}{" + base + "}"
        if script_text in _ACCENTS_UNDER:
            return _ACCENTS_UNDER[script_text] + "{" + base + "}"
        if _is_big_op(base_el):
            return base + "_{" + _conv(script_el) + "}"
        return r"\underset{" + _conv(script_el) + "}{" + base + "}"
    if name == "mmultiscripts":
        if not kids:
            return ""
        base = _group(_conv(kids[0]))
        post, pre, cur = [], [], None
        cur = post
        for k in kids[1:]:
            if _local(k.tag) == "mprescripts":
                cur = pre
                continue
            cur.append(_conv(k))
        def scripts(lst):
            s = ""
            for i in range(0, len(lst) - 1, 2):
                if lst[i]:
                    s += "_{" + lst[i] + "}"
                if lst[i + 1]:
                    s += "^{" + lst[i + 1] + "}"
            return s
        pre_s = scripts(pre)
        return ("{}" + pre_s if pre_s else "") + base + scripts(post)
    if name == "mfenced":
        open_ = el.get("open", "(")
        close = el.get("close", ")")
        seps = (el.get("separators", ",") or "").replace(" ", "")
        items = []
        for i, k in enumerate(kids):
            if i:
                items.append(seps[min(i - 1, len(seps) - 1)] if seps else "")
            items.append(_conv(k))
        def fence(f):
            f = _chars_to_latex(f) if f else "."
            return f if f not in ("{", "}") else "\\" + f
        return _join([r"\left" + fence(open_)] + items + [r"\right" + fence(close)])
    if name == "mtable":
        return _table(el)
    if name in ("mtr", "mlabeledtr"):
        return " & ".join(_conv(k) for k in kids)
    if name == "mtd":
        return _row(kids)
    if name == "menclose":
        notation = el.get("notation", "")
        inner = _row(kids)
        if "radical" in notation:
            return r"\sqrt{" + inner + "}"
        if "box" in notation or "roundedbox" in notation:
            return r"\boxed{" + inner + "}"
        if "strike" in notation:
            return r"\cancel{" + inner + "}"
        return inner
    if name == "mphantom":
        return r"\phantom{" + _row(kids) + "}"
    if name == "maction":
        return _conv(kids[0]) if kids else ""
    if name == "mstyle" or name == "mpadded" or name == "merror" or name == "mrow" \
            or name == "math":
        variant = (el.get("mathvariant") or "").lower()
        inner = _row(kids)
        if name == "mstyle" and variant in ("bold",) and inner:
            return r"\mathbf{" + inner + "}"
        return inner
    # Unknown element (HTML inside MathML, mjx-* wrappers): its children, or its text.
    if kids:
        return _row(kids)
    return _chars_to_latex(_text(el))


def mathml_to_latex(math_el) -> str:
    """LaTeX for a MathML element (``<math>`` or any node inside one); annotations ignored.

    ``math_el`` may also be MathML markup as a string."""
    if isinstance(math_el, (str, bytes)):
        frag = lxml.html.fragment_fromstring(math_el, create_parent="div")
        maths = [e for e in frag.iter() if _local(e.tag) == "math"]
        math_el = maths[0] if maths else frag
    try:
        latex = _conv(math_el)
    except RecursionError:  # absurdly deep markup: no formula rather than a crash
        return ""
    return re.sub(r"\s+", " ", latex).strip()


# --------------------------------------------------------------------------------------------
# AsciiMath → LaTeX (best effort, after ASCIIMathML.js's grammar: E = I E | I/I E,
# I = S_S^S, S = constant | (E) | unary S | binary S S | "text").

_AM_GREEK = (
    "alpha beta gamma Gamma delta Delta epsilon varepsilon zeta eta theta Theta vartheta iota"
    " kappa lambda Lambda mu nu xi Xi pi Pi rho sigma Sigma tau upsilon phi Phi varphi chi psi"
    " Psi omega Omega"
).split()
_AM_SYMBOLS = {
    "+-": r"\pm", "-+": r"\mp", "xx": r"\times", "**": r"\ast", "***": r"\star", "//": "/",
    "\\\\": r"\backslash", "setminus": r"\setminus", "-:": r"\div", "divide": r"\div",
    "@": r"\circ", "o+": r"\oplus", "ox": r"\otimes", "o.": r"\odot", "sum": r"\sum",
    "prod": r"\prod", "^^": r"\wedge", "^^^": r"\bigwedge", "vv": r"\vee", "vvv": r"\bigvee",
    "nn": r"\cap", "nnn": r"\bigcap", "uu": r"\cup", "uuu": r"\bigcup", "*": r"\cdot",
    "cdot": r"\cdot", "!=": r"\ne", "<=": r"\le", "le": r"\le", ">=": r"\ge", "ge": r"\ge",
    "lt": "<", "gt": ">", "-<": r"\prec", ">-": r"\succ", "in": r"\in", "!in": r"\notin",
    "sub": r"\subset", "sup": r"\supset", "sube": r"\subseteq", "supe": r"\supseteq",
    "-=": r"\equiv", "~=": r"\cong", "~~": r"\approx", "prop": r"\propto", "and": r"\text{ and }",
    "or": r"\text{ or }", "not": r"\neg", "=>": r"\Rightarrow", "if": r"\text{ if }",
    "<=>": r"\Leftrightarrow", "AA": r"\forall", "EE": r"\exists", "_|_": r"\bot",
    "TT": r"\top", "|--": r"\vdash", "|==": r"\models", "int": r"\int", "oint": r"\oint",
    "del": r"\partial", "grad": r"\nabla", "O/": r"\emptyset", "oo": r"\infty",
    "aleph": r"\aleph", "...": r"\ldots", "cdots": r"\cdots", "vdots": r"\vdots",
    "ddots": r"\ddots", "|~": r"\lceil", "~|": r"\rceil", "|__": r"\lfloor", "__|": r"\rfloor",
    "CC": r"\mathbb{C}", "NN": r"\mathbb{N}", "QQ": r"\mathbb{Q}", "RR": r"\mathbb{R}",
    "ZZ": r"\mathbb{Z}", ":.": r"\therefore", "/_": r"\angle", "quad": r"\quad",
    "qquad": r"\qquad", "\\ ": r"\ ", "diamond": r"\diamond", "square": r"\square",
    "uarr": r"\uparrow", "darr": r"\downarrow", "rarr": r"\rightarrow", "->": r"\to",
    "|->": r"\mapsto", "larr": r"\leftarrow", "harr": r"\leftrightarrow",
    "rArr": r"\Rightarrow", "lArr": r"\Leftarrow", "hArr": r"\Leftrightarrow",
    ">->": r"\rightarrowtail", "->>": r"\twoheadrightarrow", "~": r"\sim", "deg": r"^\circ",
    "dx": "dx", "dy": "dy", "dt": "dt", "lim": r"\lim", "Lim": r"\lim", "mod": r"\bmod",
    "prime": "'", "hbar": r"\hbar", "ell": r"\ell", "nabla": r"\nabla", "partial": r"\partial",
    "infty": r"\infty", "to": r"\to", "times": r"\times", "pm": r"\pm", "ne": r"\ne",
    "approx": r"\approx", "equiv": r"\equiv", "cong": r"\cong", "forall": r"\forall",
    "exists": r"\exists", "emptyset": r"\emptyset", "leq": r"\le", "geq": r"\ge",
    "ldots": r"\ldots", ",": ",", "'": "'",
}
for _g in _AM_GREEK:
    _AM_SYMBOLS[_g] = "\\" + _g
for _f in ("sin cos tan sec csc cot sinh cosh tanh sech csch coth arcsin arccos arctan exp log"
           " ln det dim gcd lcm min max").split():
    _AM_SYMBOLS[_f] = "\\" + _f if _f not in ("sech", "csch", "lcm") else \
        r"\operatorname{" + _f + "}"
_AM_UNARY = {
    "sqrt": r"\sqrt", "text": r"\text", "hat": r"\hat", "bar": r"\overline",
    "overline": r"\overline", "ul": r"\underline", "underline": r"\underline", "vec": r"\vec",
    "dot": r"\dot", "ddot": r"\ddot", "tilde": r"\tilde", "bb": r"\mathbf", "bbb": r"\mathbb",
    "cc": r"\mathcal", "tt": r"\mathtt", "fr": r"\mathfrak", "sf": r"\mathsf",
    "obrace": r"\overbrace", "ubrace": r"\underbrace", "cancel": r"\cancel", "mbox": r"\text",
    "abs": "abs", "floor": "floor", "ceil": "ceil", "norm": "norm",
}
_AM_BINARY = {"frac": r"\frac", "root": "root", "stackrel": r"\stackrel", "overset": r"\overset",
              "underset": r"\underset", "color": r"\color"}
_AM_LEFT = {"(": "(", "[": "[", "{": r"\{", "(:": r"\langle", "<<": r"\langle", "{:": "",
            "|:": "|"}
_AM_RIGHT = {")": ")", "]": "]", "}": r"\}", ":)": r"\rangle", ">>": r"\rangle", ":}": "",
             ":|": "|"}
_AM_KEYS = sorted(
    set(_AM_SYMBOLS) | set(_AM_UNARY) | set(_AM_BINARY) | set(_AM_LEFT) | set(_AM_RIGHT)
    | {"/", "^", "_"},
    key=len, reverse=True,
)
_AM_TOKEN_RE = re.compile(
    r"\s*(?:(\"[^\"]*\")|(\d+(?:\.\d+)?)|(" + "|".join(re.escape(k) for k in _AM_KEYS)
    + r")|(.))",
    re.S,
)


def _am_tokens(text: str):
    toks = []
    for m in _AM_TOKEN_RE.finditer(text):
        quoted, num, sym, other = m.groups()
        if quoted is not None:
            toks.append(("text", quoted[1:-1]))
        elif num is not None:
            toks.append(("const", num))
        elif sym is not None:
            if sym in _AM_LEFT:
                toks.append(("left", sym))
            elif sym in _AM_RIGHT:
                toks.append(("right", sym))
            elif sym in _AM_UNARY:
                toks.append(("unary", sym))
            elif sym in _AM_BINARY:
                toks.append(("binary", sym))
            elif sym in ("/", "^", "_"):
                toks.append(("infix", sym))
            else:
                toks.append(("const", _AM_SYMBOLS[sym]))
        elif other is not None and not other.isspace():
            if other == "|":
                toks.append(("bar", "|"))
            else:
                toks.append(("const", {"{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#",
                                       "&": r"\&", "$": r"\$", "\\": r"\backslash"}.get(other, other)))
    return toks


class _AMParser:
    """Recursive descent over AsciiMath tokens. Every node is ``(latex, inner, rows)``:
    ``inner`` drops the outer brackets (for fractions, scripts, arguments), ``rows`` is the
    cell matrix when the node is a bracket group of bracketed comma lists (a matrix)."""

    def __init__(self, toks) -> None:
        self.toks = toks
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def simple(self):
        kind, val = self.next()
        if kind is None:
            return "", "", None
        if kind == "left":
            parts = self.expr_parts(stop_right=True)
            rk, rv = self.peek()
            close = ""
            if rk == "right":
                self.next()
                close = _AM_RIGHT[rv]
            elif rk == "bar":
                self.next()
                close = "|"
            open_ = _AM_LEFT[val]
            inner = _join([p[0] for p in parts])
            matrix = self.matrix(parts)
            if matrix is not None:
                env = {"(": "pmatrix", "[": "bmatrix", "|": "vmatrix"}.get(open_)
                if env and (close in (")", "]", "|")):
                    out = r"\begin{" + env + "}" + matrix + r"\end{" + env + "}"
                else:
                    out = _join([r"\left" + (open_ or "."), r"\begin{matrix}" + matrix
                                 + r"\end{matrix}", r"\right" + (close or ".")])
                return out, out, None
            if not open_ and not close:
                return inner, inner, None
            rows = [p[2] for p in parts]
            return _join([open_, inner, close]), inner, (parts, rows)
        if kind == "bar":
            # ``|…|``: absolute value or determinant, when a closing bar follows.
            save = self.i
            parts = self.expr_parts(stop_right=True)
            if parts and self.peek()[0] == "bar":
                self.next()
                matrix = self.matrix(parts)
                if matrix is not None:
                    out = r"\begin{vmatrix}" + matrix + r"\end{vmatrix}"
                    return out, out, None
                inner = _join([p[0] for p in parts])
                return "|" + inner + "|", inner, None
            self.i = save
            return "|", "|", None
        if kind == "unary":
            _, arg_inner, _ = self.simple()
            if val == "abs":
                out = r"\left|" + arg_inner + r"\right|"
            elif val == "floor":
                out = r"\lfloor " + arg_inner + r"\rfloor"
            elif val == "ceil":
                out = r"\lceil " + arg_inner + r"\rceil"
            elif val == "norm":
                out = r"\left\|" + arg_inner + r"\right\|"
            else:
                out = _AM_UNARY[val] + "{" + arg_inner + "}"
            return out, out, None
        if kind == "binary":
            _, a_in, _ = self.simple()
            _, b_in, _ = self.simple()
            if val == "root":
                out = r"\sqrt[" + a_in + "]{" + b_in + "}"
            else:
                out = _AM_BINARY[val] + "{" + a_in + "}{" + b_in + "}"
            return out, out, None
        if kind == "text":
            out = r"\text{" + val + "}"
            return out, out, None
        if kind == "right":
            return _AM_RIGHT[val], _AM_RIGHT[val], None
        return val, val, None

    @staticmethod
    def matrix(parts):
        """``(a,b),(c,d)`` inside a bracket: rows of equal length → ``a & b \\\\ c & d``."""
        if len(parts) < 3 or len(parts) % 2 == 0:
            return None
        rows = []
        for k, p in enumerate(parts):
            if k % 2:
                if p[0] != ",":
                    return None
                continue
            if not p[2]:
                return None
            cells, cur = [], []
            for q in p[2][0]:
                if q[0] == ",":
                    cells.append(_join([c[0] for c in cur]))
                    cur = []
                else:
                    cur.append(q)
            cells.append(_join([c[0] for c in cur]))
            while len(cells) > 1 and not cells[-1]:
                cells.pop()
            rows.append(cells)
        lengths = {len(r) for r in rows}
        if len(lengths) != 1 and min(lengths) < 2:
            return None
        if max(lengths) == 1 and len(rows) < 2:
            return None
        return r" \\ ".join(" & ".join(r) for r in rows)

    def script(self):
        """The argument of ``^`` / ``_`` (a leading minus sign sticks to what follows)."""
        kind, val = self.peek()
        if kind == "const" and val == "-":
            self.next()
            return "-" + self.simple()[1]
        return self.simple()[1]

    def intermediate(self):
        node = self.simple()
        kind, val = self.peek()
        sub = sup = None
        if kind == "infix" and val == "_":
            self.next()
            sub = self.script()
            kind, val = self.peek()
        if kind == "infix" and val == "^":
            self.next()
            sup = self.script()
            if sub is None:
                kind, val = self.peek()
                if kind == "infix" and val == "_":
                    self.next()
                    sub = self.script()
        if sub is None and sup is None:
            return node
        out = _group(node[0]) if node[0] else "{}"
        if sub is not None:
            out += "_{" + sub + "}"
        if sup is not None:
            out += "^{" + sup + "}"
        return out, out, None

    def expr_parts(self, stop_right=False):
        parts = []
        while True:
            kind, val = self.peek()
            if kind is None:
                break
            if stop_right and kind == "right":
                break
            if stop_right and kind == "bar" and parts:
                break
            if kind == "infix" and val == "/" and parts:
                self.next()
                num = parts.pop()
                den = self.intermediate()
                frac = r"\frac{" + num[1] + "}{" + den[1] + "}"
                parts.append((frac, frac, None))
                continue
            if kind == "infix" and val in "^_" and not parts:
                self.next()
                continue
            if kind == "right":  # unbalanced closer at top level
                self.next()
                parts.append((_AM_RIGHT[val], _AM_RIGHT[val], None))
                continue
            parts.append(self.intermediate())
        return parts

    def expr(self):
        return _join([p[0] for p in self.expr_parts()])


def asciimath_to_latex(text: str) -> str:
    """Best-effort AsciiMath → LaTeX (fractions, scripts, roots, greek, operators, matrices)."""
    text = text.replace("\\`", "`")
    if not text.strip():
        return ""
    return _AMParser(_am_tokens(text)).expr().strip()
