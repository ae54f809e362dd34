"""Math pages: the same ``$…$``/``$$…$$`` source rendered in each notation real sites use."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from .layout import Chrome, Site, page
from .texmath import katex, mathjax_chtml, mathml

MATHCORNER = Site("mathcorner.example", "Math Corner", style="blog", tagline="Algebra and calculus, one idea at a time",
                  chrome=Chrome(nav=("Algebra", "Calculus", "Geometry", "About"), cookie="", most_read="Recent posts"))
NUMBERWIKI = Site("numberwiki.example", "NumberWiki", style="plain",
                  chrome=Chrome(footer=("About NumberWiki", "Disclaimers", "Privacy policy", "Contact"),
                                rights="Text is available under an open licence; additional terms may apply."))
MATHML_NOTES = Site("mathml-notes.example", "Plain MathML Notes", style="plain")
KATEXNOTES = Site("katexnotes.example", "Calculus Notes", style="modern",
                  chrome=Chrome(nav=("Limits", "Derivatives", "Integrals", "Series"), most_read="More notes",
                                newsletter="New worked examples every Friday."))
MATHQA = Site("math.askdev.example", "Mathematics Q&A", style="plain",
              chrome=Chrome(footer=("Tour", "Help", "Chat", "Contact"), rights="User contributions licensed under CC BY-SA."))
OLDMATH = Site("oldmath.example", "Grandpa's Math Pages", style="table", tagline="since 1998",
               chrome=Chrome(nav=("Home", "Algebra", "Puzzles", "Links", "Guestbook"), most_read="Other pages"))
LECTURES = Site("lecturenotes.example", "Lecture Notes in Number Theory", style="plain")
STUDYHALL = Site("studyhall.example", "Study Hall", style="modern",
                 chrome=Chrome(nav=("Maths", "Physics", "Exam tips", "Tutors"), most_read="Popular guides",
                               newsletter="Revision reminders before every exam season."))

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


def _img(tex: str, display: bool) -> str:
    cls = "math-display" if display else "math-inline"
    return (f'<img class="{cls}" src="https://latex.codecogs.com/svg.image?{quote(tex, safe="")}" '
            f'alt="{escape(tex)}" title="{escape(tex)}">')


def _wiki(tex: str, display: bool) -> str:
    mode = "display" if display else "inline"
    digest = format(sum((i + 1) * ord(c) for i, c in enumerate(tex)) % 16**8, "08x")
    return (
        f'<span class="mwe-math-element"><span class="mwe-math-mathml-{mode} mwe-math-mathml-a11y" style="display: none;">'
        f'{mathml(tex, display)}</span><img src="https://numberwiki.example/api/math/render/svg/{digest}" '
        f'class="mwe-math-fallback-image-{mode}" aria-hidden="true" alt="{escape(chr(123) + chr(92) + "displaystyle " + tex + chr(125))}"></span>'
    )


def render(tex: str, display: bool, style: str) -> str:
    """One formula in ``style``: script, raw, raw-dollar, mathml, mathml-bare, katex, chtml, img, container, wiki."""
    if style == "script":
        mode = "; mode=display" if display else ""
        return f'<script type="math/tex{mode}">{tex}</script>'
    if style == "raw":
        return escape(f"$${tex}$$" if display else f"\\({tex}\\)", quote=False)
    if style == "raw-dollar":
        return escape(f"\\[{tex}\\]" if display else f"${tex}$", quote=False)
    if style == "container":
        return f'<span class="math-container">{escape(f"$${tex}$$" if display else f"${tex}$", quote=False)}</span>'
    if style in ("mathml", "mathml-bare"):
        return mathml(tex, display, annotate=style == "mathml")
    if style == "katex":
        return katex(tex, display)
    if style == "chtml":
        return mathjax_chtml(tex, display)
    if style == "img":
        return _img(tex, display)
    if style == "wiki":
        return _wiki(tex, display)
    raise ValueError(style)


def math_html(text: str, style: str) -> str:
    """A paragraph with ``$…$``/``$$…$$`` formulas rendered in ``style``; display-only paragraphs become blocks."""
    m = _MATH.fullmatch(text.strip())
    if m and m.group(1):
        return f'<div class="math-block">{render(m.group(1), True, style)}</div>'
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out.append(escape(text[pos:m.start()], quote=False))
        tex = m.group(1) or m.group(2)
        out.append(render(tex, m.group(1) is not None, style))
        pos = m.end()
    out.append(escape(text[pos:], quote=False))
    tag = "h2" if text.startswith("## ") else "p"
    html = "".join(out)
    return f"<{tag}>{html[3:] if tag == 'h2' else html}</{tag}>"


@dataclass(frozen=True)
class MathPage:
    """A math page: paragraphs with TeX in dollars, shown on ``site`` in ``style``."""

    site: Site
    path: str
    title: str
    style: str
    paragraphs: tuple[str, ...]

    @property
    def url(self) -> str:
        return self.site.url(self.path)


M = MathPage
PAGES = (
    M(MATHCORNER, "/algebra/quadratic-formula/", "Where the quadratic formula comes from", "script", (
        "Every quadratic equation $ax^2 + bx + c = 0$ with $a \\ne 0$ can be solved with one formula. Instead of "
        "memorising it, it is worth seeing where it comes from, because the derivation uses a trick that appears "
        "again and again: completing the square.",
        "Divide both sides by $a$ and move the constant term to the right:",
        "$$x^2 + \\frac{b}{a}x = -\\frac{c}{a}$$",
        "Now add $\\frac{b^2}{4a^2}$ to both sides. The left side becomes a perfect square:",
        "$$\\left(x + \\frac{b}{2a}\\right)^2 = \\frac{b^2 - 4ac}{4a^2}$$",
        "Taking the square root of both sides and subtracting $\\frac{b}{2a}$ gives the familiar result:",
        "$$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$$",
        "The expression under the root, $b^2 - 4ac$, is called the discriminant. When it is positive there are two "
        "real solutions, when it is zero there is exactly one, and when it is negative the solutions are complex. "
        "For example, $x^2 - 5x + 6 = 0$ has discriminant $25 - 24 = 1$, so its solutions are $x = 2$ and $x = 3$.",
    )),
    M(STUDYHALL, "/maths/geometric-series", "Geometric series: the sum formula and when it converges", "raw", (
        "A geometric series adds terms that are each a fixed multiple of the one before: $a + ar + ar^2 + \\cdots$. "
        "The number $r$ is called the common ratio.",
        "To find the sum of the first $n$ terms, write the sum $S_n$, multiply it by $r$, and subtract. Almost all "
        "the terms cancel, leaving",
        "$$S_n = a \\frac{1 - r^n}{1 - r}$$",
        "valid whenever $r \\ne 1$. If $|r| < 1$, the term $r^n$ shrinks towards zero as $n$ grows, so the infinite "
        "series has a finite sum:",
        "$$\\sum_{k=0}^{\\infty} ar^k = \\frac{a}{1 - r}$$",
        "For example, $\\frac{1}{2} + \\frac{1}{4} + \\frac{1}{8} + \\cdots = 1$, because here $a = \\frac{1}{2}$ and "
        "$r = \\frac{1}{2}$. If $|r| \\ge 1$ the terms do not shrink and the series diverges.",
        "Exam tip: always check the size of the ratio before using the infinite sum formula.",
    )),
    M(NUMBERWIKI, "/wiki/Pythagorean_theorem", "Pythagorean theorem", "wiki", (
        "In Euclidean geometry, the Pythagorean theorem relates the three sides of a right triangle. If the legs "
        "have lengths $a$ and $b$ and the hypotenuse has length $c$, then",
        "$$a^2 + b^2 = c^2$$",
        "## Proof by rearrangement",
        "Place four copies of the triangle inside a square of side $a + b$, so that their hypotenuses enclose a "
        "smaller tilted square of side $c$. The large square has area $(a + b)^2$, which equals the four triangles "
        "plus the small square: $4 \\cdot \\frac{ab}{2} + c^2$. Expanding and cancelling $2ab$ leaves $a^2 + b^2 = c^2$.",
        "## Pythagorean triples",
        "Positive integers satisfying the equation are called Pythagorean triples. The smallest is $(3, 4, 5)$, since "
        "$9 + 16 = 25$. For any integers $m > n > 0$, the numbers $m^2 - n^2$, $2mn$ and $m^2 + n^2$ form a triple.",
        "## Distance formula",
        "In coordinates, the distance between two points follows directly from the theorem: "
        "$d = \\sqrt{(x_2 - x_1)^2 + (y_2 - y_1)^2}$.",
    )),
    M(MATHML_NOTES, "/complex/euler.xhtml", "Euler's formula and Euler's identity", "mathml-bare", (
        "Euler's formula connects the exponential function with trigonometry. For any real number $\\theta$,",
        "$$e^{i\\theta} = \\cos\\theta + i\\sin\\theta$$",
        "Geometrically, $e^{i\\theta}$ is the point on the unit circle at angle $\\theta$ from the positive real axis.",
        "Setting $\\theta = \\pi$ gives $\\cos\\pi = -1$ and $\\sin\\pi = 0$, so",
        "$$e^{i\\pi} + 1 = 0$$",
        "This identity links five important constants in one short equation. It also shows why multiplying by "
        "$e^{i\\theta}$ rotates a complex number by the angle $\\theta$ without changing its length.",
    )),
    M(KATEXNOTES, "/derivatives/power-rule", "The power rule for derivatives", "katex", (
        "The power rule is the first differentiation rule most students learn. For any real exponent $n$,",
        "$$\\frac{d}{dx} x^n = n x^{n-1}$$",
        "For a positive integer $n$ it follows from the binomial theorem: expanding $(x + h)^n$ gives "
        "$x^n + n x^{n-1} h$ plus terms containing $h^2$ or higher powers, which vanish in the limit.",
        "## Examples",
        "The derivative of $x^3$ is $3x^2$. Since $\\sqrt{x} = x^{1/2}$, its derivative is $\\frac{1}{2} x^{-1/2}$, or "
        "$\\frac{1}{2\\sqrt{x}}$. For $\\frac{1}{x^2} = x^{-2}$ the rule gives $-2x^{-3}$.",
        "Combined with the sum rule, the power rule differentiates any polynomial term by term, for instance "
        "$\\frac{d}{dx}(4x^3 - 2x + 7) = 12x^2 - 2$.",
    )),
    M(KATEXNOTES, "/integrals/integration-by-parts", "Integration by parts with a worked example", "katex", (
        "Integration by parts turns the product rule for derivatives into a rule for integrals:",
        "$$\\int u \\, dv = uv - \\int v \\, du$$",
        "The art lies in choosing $u$. A good choice becomes simpler when differentiated, while $dv$ should be easy "
        "to integrate.",
        "## Example",
        "To find $\\int x e^x \\, dx$, take $u = x$ and $dv = e^x \\, dx$. Then $du = dx$ and $v = e^x$, so",
        "$$\\int x e^x \\, dx = x e^x - \\int e^x \\, dx = x e^x - e^x + C$$",
        "Differentiating the answer gives back $x e^x$, which is a quick way to check the work.",
    )),
    M(MATHQA, "/questions/5521/why-is-a-positive-test-result-still-unlikely-to-mean-disease",
      "Why is a positive test result still unlikely to mean I have the disease?", "container", (
        "A disease affects $1\\%$ of people. A test detects it $99\\%$ of the time and gives a false positive "
        "$5\\%$ of the time. If I test positive, my textbook says the chance that I have the disease is only about "
        "$17\\%$. How can that be, when the test is so accurate?",
        "## Answer (score 58)",
        "Use Bayes' theorem. Let $D$ be the event of having the disease and $T$ a positive test:",
        "$$P(D \\mid T) = \\frac{P(T \\mid D) P(D)}{P(T)}$$",
        "The denominator counts every way to test positive: $P(T) = 0.99 \\cdot 0.01 + 0.05 \\cdot 0.99 = 0.0594$. "
        "So $P(D \\mid T) = \\frac{0.0099}{0.0594} \\approx 0.167$.",
        "Intuitively: out of 10000 people, 100 are sick and 99 of them test positive, but 495 of the 9900 healthy "
        "people also test positive. Most positives come from the much larger healthy group.",
    )),
    M(OLDMATH, "/algebra/binomial.html", "The Binomial Theorem", "img", (
        "Welcome back! This page explains how to expand powers of a sum without multiplying everything out by hand.",
        "For any whole number $n$ the binomial theorem says",
        "$$(a + b)^n = \\sum_{k=0}^{n} \\binom{n}{k} a^{n-k} b^k$$",
        "The numbers $\\binom{n}{k}$ are the binomial coefficients. They are the entries of Pascal's triangle, and "
        "can be computed as $\\frac{n!}{k!(n-k)!}$.",
        "Example: $(x + 1)^3 = x^3 + 3x^2 + 3x + 1$. The coefficients 1, 3, 3, 1 are row three of the triangle.",
        "Setting $a = b = 1$ shows that the coefficients in row $n$ add up to $2^n$.",
    )),
    M(LECTURES, "/lecture-07-fermat.html", "Lecture 7: Fermat's little theorem", "chtml", (
        "Theorem. Let $p$ be a prime and $a$ an integer. Then",
        "$$a^p \\equiv a \\; (\\text{mod}\\; p)$$",
        "If $p$ does not divide $a$, we may cancel one factor of $a$ and obtain $a^{p-1} \\equiv 1$ modulo $p$.",
        "Proof sketch. The numbers $a, 2a, \\dots, (p-1)a$ are distinct and non-zero modulo $p$, so they are a "
        "rearrangement of $1, 2, \\dots, p-1$. Multiplying them all together and cancelling $(p-1)!$ gives the result.",
        "Example. With $p = 7$ and $a = 3$ we get $3^6 = 729 = 104 \\cdot 7 + 1$, so $3^6 \\equiv 1$ as expected.",
        "The theorem is the basis of a quick primality test: if $a^{n-1}$ is not congruent to $1$ modulo $n$ for some "
        "$a$, then $n$ is certainly composite.",
    )),
    M(STUDYHALL, "/maths/matrix-multiplication", "How to multiply two matrices", "raw", (
        "To multiply matrices, take the dot product of each row of the first matrix with each column of the second. "
        "The product $AB$ is only defined when $A$ has as many columns as $B$ has rows.",
        "$$\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix} \\begin{pmatrix} 5 & 6 \\\\ 7 & 8 \\end{pmatrix} = "
        "\\begin{pmatrix} 19 & 22 \\\\ 43 & 50 \\end{pmatrix}$$",
        "For instance, the top-left entry is $1 \\cdot 5 + 2 \\cdot 7 = 19$. In general the entry in row $i$ and "
        "column $j$ is $c_{ij} = \\sum_k a_{ik} b_{kj}$.",
        "Matrix multiplication is associative but not commutative: in general $AB \\ne BA$. Try swapping the two "
        "matrices above and compare the results.",
    )),
    M(MATHCORNER, "/calculus/sin-x-over-x/", "Why sin(x)/x tends to 1", "script", (
        "One of the first limits in any calculus course is",
        "$$\\lim_{x \\to 0} \\frac{\\sin x}{x} = 1$$",
        "The classic argument compares three areas in the unit circle. For a small positive angle $x$, the triangle "
        "inside the sector, the sector itself and the larger triangle outside it give",
        "$$\\sin x \\le x \\le \\tan x$$",
        "Dividing by $\\sin x$ and taking reciprocals gives $\\cos x \\le \\frac{\\sin x}{x} \\le 1$. As $x$ tends to "
        "zero, $\\cos x$ tends to $1$, so the ratio is squeezed to $1$ as well.",
        "This limit is exactly what makes the derivative of $\\sin x$ equal to $\\cos x$.",
    )),
    M(STUDYHALL, "/maths/mean-and-variance", "Mean and variance of a small data set", "raw-dollar", (
        "The mean of numbers $x_1, \\dots, x_n$ is their sum divided by how many there are:",
        "$$\\bar{x} = \\frac{1}{n} \\sum_{i=1}^{n} x_i$$",
        "The variance measures how far the values spread around the mean:",
        "$$s^2 = \\frac{1}{n-1} \\sum_{i=1}^{n} (x_i - \\bar{x})^2$$",
        "Take the data 4, 8, 6, 5, 7. The mean is $30 / 5 = 6$. The squared deviations are 4, 4, 0, 1 and 1, which "
        "add up to 10, so $s^2 = 10 / 4 = 2.5$ and the standard deviation is $s = \\sqrt{2.5} \\approx 1.58$.",
        "Dividing by $n - 1$ rather than $n$ corrects the tendency of a sample to underestimate the spread of the "
        "whole population.",
    )),
    M(STUDYHALL, "/maths/word-problems-worked", "Five word problems, worked step by step", "raw", (
        "Word problems test whether you can turn a story into arithmetic. Here are five with full working.",
        "1. A bakery sells muffins in boxes of 6. A school orders 75 muffins. How many boxes must it buy? 75 divided "
        "by 6 is 12 with 3 left over, so 12 boxes are not enough. The school needs 13 boxes.",
        "2. A train leaves at 9:40 and arrives at 13:15. How long is the journey? From 9:40 to 13:40 is 4 hours, and "
        "13:15 is 25 minutes earlier, so the journey takes 3 hours and 35 minutes.",
        "3. A jacket costs 80 pounds and is reduced by 25 percent, then by a further 10 percent. What is the final "
        "price? After the first reduction it costs 60 pounds. Ten percent of 60 is 6, so the final price is 54 pounds, "
        "not 52, because the second discount applies to the reduced price.",
        "4. Maya is three times as old as her brother. In five years she will be twice as old as him. Let the brother "
        "be b years old. Then 3b + 5 = 2(b + 5), so b = 5. The brother is 5 and Maya is 15.",
        "5. A tank holds 240 litres. One pipe fills it in 6 hours and another in 4 hours. Together they fill 40 + 60 = "
        "100 litres per hour, so the tank is full after 2.4 hours, which is 2 hours and 24 minutes.",
    )),
)


def math_page(m: MathPage) -> str:
    """The page in its site's chrome; MathJax pages load the MathJax script."""
    body = "\n".join(math_html(p, m.style) for p in m.paragraphs)
    main = f"<h1>{escape(m.title)}</h1>\n{body}"
    extra = ""
    if m.style in ("script", "raw", "raw-dollar", "container"):
        extra = ('<script>window.MathJax={tex:{inlineMath:[["$","$"],["\\\\(","\\\\)"]]}};</script>'
                 '<script async src="https://cdn.example/mathjax/3/tex-chtml.js"></script>')
    elif m.style == "katex":
        extra = '<link rel="stylesheet" href="https://cdn.example/katex/katex.min.css">'
    if m.site is NUMBERWIKI:
        main = (f'<div id="siteSub">From NumberWiki, the free mathematics encyclopedia</div>{main}'
                '<div id="catlinks">Categories: Euclidean geometry · Theorems in geometry</div>'
                '<div class="printfooter">Retrieved from "https://numberwiki.example/wiki/Pythagorean_theorem"</div>')
    sidebar = [(p.title, p.url) for p in PAGES if p.site is m.site and p is not m]
    return page(m.site, m.title, main, sidebar=sidebar, extra_head=extra)
