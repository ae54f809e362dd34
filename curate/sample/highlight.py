"""Syntax highlighting the way documentation sites emit it (Pygments-style spans and gutters)."""
from __future__ import annotations

import re
from html import escape

_STR = r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
_NUM = r"\b\d+(?:\.\d+)?\b"
_RULES: dict[str, list[tuple[str, str]]] = {
    "python": [
        ("sd", r'"""[\s\S]*?"""'),
        ("c1", r"#[^\n]*"),
        ("s2", _STR),
        ("k", r"\b(?:def|class|return|if|elif|else|for|while|in|import|from|as|with|try|except|"
              r"finally|raise|yield|lambda|not|and|or|is|pass|break|continue|async|await)\b"),
        ("kc", r"\b(?:None|True|False)\b"),
        ("nb", r"\b(?:print|len|range|open|sum|min|max|sorted|enumerate|zip|dict|list|set|int|"
               r"str|float|isinstance|super)\b"),
        ("mi", _NUM),
    ],
    "javascript": [
        ("cm", r"/\*[\s\S]*?\*/"),
        ("c1", r"//[^\n]*"),
        ("s2", _STR + r"|`(?:\\.|[^`\\])*`"),
        ("kd", r"\b(?:const|let|var|function|class|async|await|return|if|else|for|of|in|while|"
               r"new|try|catch|throw|export|import|from|default)\b"),
        ("kc", r"\b(?:null|undefined|true|false|this)\b"),
        ("mi", _NUM),
    ],
    "c": [
        ("cp", r"#[^\n]*"),
        ("cm", r"/\*[\s\S]*?\*/"),
        ("c1", r"//[^\n]*"),
        ("s2", _STR),
        ("kt", r"\b(?:int|char|void|long|unsigned|size_t|double|float|struct|const|static|"
               r"FILE|uint32_t|uint8_t|bool)\b"),
        ("k", r"\b(?:return|if|else|for|while|do|break|continue|sizeof|switch|case|typedef)\b"),
        ("mi", r"\b0x[0-9a-fA-F]+\b|" + _NUM),
    ],
    "bash": [
        ("c1", r"#[^\n]*"),
        ("s2", _STR),
        ("nv", r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$[0-9@#?]"),
        ("k", r"\b(?:if|then|else|fi|for|in|do|done|while|case|esac|function|set|local|export)\b"),
        ("nb", r"\b(?:echo|cd|printf|test|read|exit)\b"),
    ],
}
_COMPILED = {
    lang: re.compile("|".join(f"(?P<{cls}>{pat})" for cls, pat in rules), re.M)
    for lang, rules in _RULES.items()
}


def highlight(code: str, lang: str) -> str:
    """``code`` as escaped HTML with ``<span class="…">`` tokens; text content is unchanged."""
    pattern = _COMPILED.get(lang)
    if pattern is None:
        return escape(code, quote=False)
    out, pos = [], 0
    for m in pattern.finditer(code):
        out.append(escape(code[pos:m.start()], quote=False))
        out.append(f'<span class="{m.lastgroup}">{escape(m.group(), quote=False)}</span>')
        pos = m.end()
    out.append(escape(code[pos:], quote=False))
    return "".join(out)


def plain_block(code: str, lang: str) -> str:
    """``<pre><code class="language-…">`` without highlighting (Markdown renderers)."""
    return f'<pre><code class="language-{lang}">{escape(code, quote=False)}</code></pre>'


def pygments_block(code: str, lang: str) -> str:
    """A Sphinx/Pygments ``div.highlight`` block."""
    return f'<div class="highlight-{lang} notranslate"><div class="highlight"><pre><span></span>{highlight(code, lang)}</pre></div></div>'


def gutter_table(code: str, lang: str) -> str:
    """Pygments ``linenos="table"``: a numbers column beside the code column."""
    n = code.count("\n") + (0 if code.endswith("\n") else 1)
    nums = "\n".join(f'<span class="normal">{i}</span>' for i in range(1, n + 1))
    return (
        '<div class="highlight"><table class="highlighttable"><tr>'
        f'<td class="linenos"><div class="linenodiv"><pre>{nums}</pre></div></td>'
        f'<td class="code"><div><pre><span></span>{highlight(code, lang)}</pre></div></td>'
        "</tr></table></div>"
    )


def inline_numbers(code: str, lang: str) -> str:
    """Pygments ``linenos="inline"``: a number span at the start of every line inside ``<pre>``."""
    lines = highlight(code, lang).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    numbered = "\n".join(
        f'<span class="linenos">{i:>2}</span>{line}' for i, line in enumerate(lines, 1)
    )
    return f'<div class="highlight"><pre><code>{numbered}\n</code></pre></div>'


def line_table(code: str, lang: str) -> str:
    """A code viewer table with one ``<tr>`` per line and empty number cells (data attributes)."""
    rows = []
    for i, line in enumerate(code.rstrip("\n").split("\n"), 1):
        rows.append(
            f'<tr><td id="L{i}" class="blob-num js-line-number" data-line-number="{i}"></td>'
            f'<td id="LC{i}" class="blob-code blob-code-inner js-file-line">{highlight(line, lang)}</td></tr>'
        )
    return f'<div class="blob-wrapper"><table class="highlight tab-size" data-tab-size="8">{"".join(rows)}</table></div>'
