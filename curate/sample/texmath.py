"""A small TeX subset rendered the ways real pages carry math: MathML, KaTeX and MathJax CHTML.

Covers what the sample's formulas use: letters, numbers, operators, ``^``/``_``, ``\\frac``,
``\\sqrt``, ``\\binom``, Greek letters, big operators, spacing, ``\\text`` and ``\\left``/``\\right``.
"""
from __future__ import annotations

import re
from html import escape

Node = tuple

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|[A-Za-z]|\s+|.", re.S)
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "theta": "θ", "lambda": "λ",
    "mu": "μ", "pi": "π", "sigma": "σ", "phi": "φ", "omega": "ω", "varepsilon": "ε",
    "epsilon": "ϵ", "Delta": "Δ", "Sigma": "Σ", "Omega": "Ω", "infty": "∞", "partial": "∂",
}
_OPS = {
    "cdot": "⋅", "times": "×", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "neq": "≠", "ne": "≠", "dots": "…", "approx": "≈", "to": "→", "equiv": "≡", "in": "∈", "cdots": "⋯", "ldots": "…",
    "Rightarrow": "⇒", "mid": "∣", "sum": "∑", "int": "∫", "prod": "∏", "{": "{", "}": "}",
}
_FUNCS = {"sin", "cos", "tan", "log", "ln", "exp", "lim", "max", "min", "det", "gcd"}
_SPACES = {",", ";", ":", "quad", "qquad", "!", " "}
_BIN = set("+−-×⋅±/")
_REL = set("=<>≤≥≠≈→≡∈⇒∣")
_LARGE = set("∑∫∏")


def parse(tex: str) -> Node:
    """Parse ``tex`` into a node tree (``("row", [...])`` at the top)."""
    tokens = [t for t in _TOKEN.findall(tex) if not t.isspace()]
    node, rest = _row(tokens, 0)
    if rest != len(tokens):
        raise ValueError(f"unbalanced braces in {tex!r}")
    return node


def _row(tokens: list[str], i: int) -> tuple[Node, int]:
    items: list[Node] = []
    while i < len(tokens) and tokens[i] != "}":
        atom, i = _atom(tokens, i)
        if atom is None:
            continue
        sub = sup = None
        while i < len(tokens) and tokens[i] in ("^", "_"):
            mark = tokens[i]
            arg, i = _atom(tokens, i + 1)
            if mark == "^":
                sup = arg
            else:
                sub = arg
        if sub is not None and sup is not None:
            atom = ("subsup", atom, sub, sup)
        elif sup is not None:
            atom = ("sup", atom, sup)
        elif sub is not None:
            atom = ("sub", atom, sub)
        items.append(atom)
    return ("row", items), i


def _group(tokens: list[str], i: int) -> tuple[Node, int]:
    if tokens[i] == "{":
        node, i = _row(tokens, i + 1)
        return node, i + 1
    atom, i = _atom(tokens, i)
    return atom, i


def _atom(tokens: list[str], i: int) -> tuple[Node | None, int]:
    tok = tokens[i]
    if tok == "{":
        return _group(tokens, i)
    if tok.startswith("\\"):
        name = tok[1:]
        if name in ("frac", "dfrac", "binom"):
            num, i = _group(tokens, i + 1)
            den, i = _group(tokens, i)
            return ("binom" if name == "binom" else "frac", num, den), i
        if name == "sqrt":
            arg, i = _group(tokens, i + 1)
            return ("sqrt", arg), i
        if name in ("text", "mathrm", "operatorname"):
            j = i + 2
            depth, words = 1, []
            while depth:
                depth += {"{": 1, "}": -1}.get(tokens[j], 0)
                if depth:
                    words.append(tokens[j])
                j += 1
            return ("mtext" if name == "text" else "mi", "".join(words)), j
        if name in ("left", "right", "displaystyle"):
            return None, i + 1
        if name in _SPACES:
            return ("space",), i + 1
        if name in _GREEK:
            return ("mi", _GREEK[name]), i + 1
        if name in _OPS:
            return ("mo", _OPS[name]), i + 1
        if name in _FUNCS:
            return ("mi", name), i + 1
        raise ValueError(f"unsupported TeX command {tok}")
    if tok[0].isdigit():
        return ("mn", tok), i + 1
    if tok.isalpha():
        return ("mi", tok), i + 1
    return ("mo", "−" if tok == "-" else tok), i + 1


def _mml(node: Node) -> str:
    kind = node[0]
    if kind == "row":
        inner = "".join(_mml(n) for n in node[1])
        return inner if len(node[1]) == 1 else f"<mrow>{inner}</mrow>"
    if kind in ("mi", "mn", "mo", "mtext"):
        return f"<{kind}>{escape(node[1], quote=False)}</{kind}>"
    if kind == "space":
        return '<mspace width="0.167em"></mspace>'
    if kind == "sup":
        return f"<msup>{_mml(node[1])}{_mml(node[2])}</msup>"
    if kind == "sub":
        return f"<msub>{_mml(node[1])}{_mml(node[2])}</msub>"
    if kind == "subsup":
        return f"<msubsup>{_mml(node[1])}{_mml(node[2])}{_mml(node[3])}</msubsup>"
    if kind == "frac":
        return f"<mfrac>{_mml(node[1])}{_mml(node[2])}</mfrac>"
    if kind == "binom":
        frac = f'<mfrac linethickness="0">{_mml(node[1])}{_mml(node[2])}</mfrac>'
        return f"<mrow><mo>(</mo>{frac}<mo>)</mo></mrow>"
    if kind == "sqrt":
        return f"<msqrt>{_mml(node[1])}</msqrt>"
    raise ValueError(kind)


def mathml(tex: str, display: bool = False, annotate: bool = True) -> str:
    """``<math>`` for ``tex``; with ``annotate`` the TeX rides along in an annotation."""
    body = _mml(parse(tex))
    if not body.startswith("<mrow>"):
        body = f"<mrow>{body}</mrow>"
    mode = "block" if display else "inline"
    head = f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{mode}"'
    if not annotate:
        return f"{head}>{body}</math>"
    alt = escape(r"{\displaystyle " + tex + "}")
    note = f'<annotation encoding="application/x-tex">{escape(tex, quote=False)}</annotation>'
    return f'{head} alttext="{alt}"><semantics>{body}{note}</semantics></math>'


_ZWSP = "\u200b"


def _vlist(rows: list[tuple[str, str]], depth: str) -> str:
    spans = "".join(
        f'<span style="top:{top};"><span class="pstrut" style="height:2.7em;"></span>{inner}</span>'
        for top, inner in rows
    )
    return (
        f'<span class="vlist-t vlist-t2"><span class="vlist-r"><span class="vlist" style="height:0.86em;">'
        f'{spans}</span><span class="vlist-s">{_ZWSP}</span></span><span class="vlist-r">'
        f'<span class="vlist" style="height:{depth};"><span></span></span></span></span>'
    )


def _kx(node: Node) -> str:
    kind = node[0]
    if kind == "row":
        return "".join(_kx(n) for n in node[1])
    if kind == "mi":
        if len(node[1]) > 1:
            return f'<span class="mop">{escape(node[1])}</span>'
        return f'<span class="mord mathnormal">{escape(node[1])}</span>'
    if kind == "mn":
        return f'<span class="mord">{node[1]}</span>'
    if kind == "mtext":
        return f'<span class="mord text"><span class="mord">{escape(node[1])}</span></span>'
    if kind == "space":
        return '<span class="mspace" style="margin-right:0.1667em;"></span>'
    if kind == "mo":
        op = escape(node[1])
        if node[1] in _LARGE:
            return f'<span class="mop op-symbol large-op" style="position:relative;top:0em;">{op}</span>'
        if node[1] in _BIN or node[1] in _REL:
            cls = "mbin" if node[1] in _BIN else "mrel"
            gap = "0.2222em" if cls == "mbin" else "0.2778em"
            pad = f'<span class="mspace" style="margin-right:{gap};"></span>'
            return f'{pad}<span class="{cls}">{op}</span>{pad}'
        cls = {"(": "mopen", "[": "mopen", ")": "mclose", "]": "mclose"}.get(node[1], "mord")
        return f'<span class="{cls}">{op}</span>'
    if kind in ("sup", "sub", "subsup"):
        parts = []
        if kind in ("sub", "subsup"):
            parts.append(("-2.55em", f'<span class="sizing reset-size6 size3 mtight">{_kx(node[2])}</span>'))
        if kind in ("sup", "subsup"):
            parts.append(("-3.063em", f'<span class="sizing reset-size6 size3 mtight">{_kx(node[-1])}</span>'))
        return f'<span class="mord">{_kx(node[1])}<span class="msupsub">{_vlist(parts, "0.15em")}</span></span>'
    if kind in ("frac", "binom"):
        line = "" if kind == "binom" else '<span class="frac-line" style="border-bottom-width:0.04em;"></span>'
        rows = [("-2.314em", f'<span class="mord">{_kx(node[2])}</span>'), ("-3.23em", line),
                ("-3.677em", f'<span class="mord">{_kx(node[1])}</span>')]
        left, right = ("(", ")") if kind == "binom" else ("", "")
        return (
            f'<span class="mord"><span class="mopen nulldelimiter">{left}</span><span class="mfrac">'
            f'{_vlist(rows, "0.686em")}</span><span class="mclose nulldelimiter">{right}</span></span>'
        )
    if kind == "sqrt":
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="400em" height="1.08em" '
            'viewBox="0 0 400000 1080" preserveAspectRatio="xMinYMin slice">'
            '<path d="M95 702 L263 960 L400000 40 L400000 80 L270 1000 L90 740z"></path></svg>'
        )
        rows = [("-3em", f'<span class="mord" style="padding-left:0.833em;">{_kx(node[1])}</span>'),
                ("-2.86em", f'<span class="hide-tail" style="min-width:0.853em;height:1.08em;">{svg}</span>')]
        return f'<span class="mord sqrt">{_vlist(rows, "0.14em")}</span>'
    raise ValueError(kind)


def katex(tex: str, display: bool = False) -> str:
    """Markup as KaTeX renders it: hidden MathML with the TeX, then positioned glyph spans."""
    html = (
        f'<span class="katex"><span class="katex-mathml">{mathml(tex, display)}</span>'
        f'<span class="katex-html" aria-hidden="true"><span class="base">'
        f'<span class="strut" style="height:1.04em;vertical-align:-0.25em;"></span>'
        f"{_kx(parse(tex))}</span></span></span>"
    )
    return f'<span class="katex-display">{html}</span>' if display else html


def _chtml(node: Node) -> str:
    kind = node[0]
    if kind in ("mi", "mn", "mo", "mtext"):
        cls = " class=\"mjx-i\"" if kind == "mi" and len(node[1]) == 1 else ""
        glyphs = "".join(f'<mjx-c class="mjx-c{ord(c):X}"></mjx-c>' for c in node[1])
        return f"<mjx-{kind}{cls}>{glyphs}</mjx-{kind}>"
    if kind == "space":
        return '<mjx-mspace style="width:0.167em;"></mjx-mspace>'
    if kind == "row":
        return "<mjx-mrow>" + "".join(_chtml(n) for n in node[1]) + "</mjx-mrow>"
    tag = {"sup": "msup", "sub": "msub", "subsup": "msubsup", "frac": "mfrac",
           "binom": "mfrac", "sqrt": "msqrt"}[kind]
    return f"<mjx-{tag}>" + "".join(_chtml(n) for n in node[1:]) + f"</mjx-{tag}>"


def mathjax_chtml(tex: str, display: bool = False) -> str:
    """MathJax 3 CHTML output: empty glyph elements plus assistive MathML (no TeX)."""
    mode = ' display="true"' if display else ""
    mml = mathml(tex, display, annotate=False)
    return (
        f'<mjx-container class="MathJax" jax="CHTML"{mode}><mjx-math class="MJX-TEX" aria-hidden="true">'
        f"{_chtml(parse(tex))}</mjx-math><mjx-assistive-mml unselectable=\"on\""
        f' display="{"block" if display else "inline"}">{mml}</mjx-assistive-mml></mjx-container>'
    )
