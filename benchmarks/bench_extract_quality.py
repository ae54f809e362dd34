r"""Main-text extraction quality and speed on real pages: curate's extractor next to its peers.

    python benchmarks/bench_extract_quality.py                       # all 1,381 dev pages + math/code pages
    python benchmarks/bench_extract_quality.py --limit 100           # quick check
    python benchmarks/bench_extract_quality.py --only trafilatura,curate-trafilatura --json OUT.json

Extractors (rows; ``--only`` picks some by name):

- ``trafilatura``: plain trafilatura 2.x, ``trafilatura.extract(html, output_format="txt")``, its defaults;
- ``trafilatura-fineweb``: the same with FineWeb's switches, ``favor_precision=True, include_comments=False``;
- ``resiliparse``: ``extract_plain_text(HTMLTree.parse(html), main_content=True)``, its defaults;
- ``curate-trafilatura``: ``curate.html.main_text.extract_text(html, url, backend="trafilatura")``;
- ``curate-resiliparse``: ``extract_text(html, url, backend="resiliparse")``;
- ``curate-trafilatura-rescue-all`` (only when named in ``--only``): an ablation,
  ``extract_text(…, backend="trafilatura", rescue_chars=∞)``: trafilatura's cascade runs in
  its full mode (readability and jusText fallbacks) on every page.

curate's two rows keep math and code (``keep_math``/``keep_code``) when ``curate.html.math`` and
``curate.html.code`` exist, and run with both off otherwise; the output says which.

Measures (columns):

1. **Prose P / R / F1** per page against the full ground-truth text, averaged over pages
   (macro), on the dev WARC pages whose sidecar has it: ``magic-html-article`` and
   ``magic-html-forum`` (``text``), and, reported apart, ``readability`` (the text of
   ``expected_html``: lxml ``text_content()`` after a newline is put after every block element).
   Tokens: Unicode NFKC, case kept; every punctuation or symbol character (Unicode categories
   P*, S*) is its own token; every CJK character (Han, kana, Hangul, CJK punctuation is P*) is
   its own token, so CJK text is scored per character; the rest is split on whitespace.
   P = |pred ∩ truth| / |pred|, R = |pred ∩ truth| / |truth| over token multisets (bags);
   an empty output scores P = R = F1 = 0.
2. **trafilatura-eval snippets** (990 pages): the fraction of ``with`` snippets found in the
   output and of ``without`` snippets absent from it, pooled over snippets; a snippet counts as
   found when its whitespace-normalized text (runs of whitespace → one space) is a substring of
   the whitespace-normalized output. Also trafilatura's own evaluation score over the same
   snippets (TP = with found, FN = with missing, FP = without found): P, R, F1.
3. **Math**: ``$CURATE_SHARED/data/mathcode/math``: ``NAME.html`` is the page, ``NAME_1.html``
   its display formulas and ``NAME_inline_1.html`` its inline formulas, one formula per
   non-blank line; a formula is found when, all whitespace removed on both sides, it is a
   substring of the output. Pooled fraction of formulas found (goal ≥ 0.90). One leniency,
   shown apart ("strict" leaves it out): Wikipedia's expected formulas keep the annotation's
   ``{\displaystyle …}`` wrapper; an output that drops the wrapper and writes the inner
   formula between ``$`` delimiters counts as found (the delimiters are required there, since a
   bare inner formula as short as ``X`` matches any page).
4. **Code**: ``$CURATE_SHARED/data/mathcode/code``: ``NAME.html`` is the page and
   ``NAME-K.<ext>`` (any extension, or none) its K-th code block (``NAME.<ext>`` without K, as
   ``cprograming.c``, is its one block; ``mathworks.md``/``.txt`` are whole-page renderings, not
   code blocks, and are not used). Every non-blank expected line, right-stripped and with its
   leading whitespace, must appear as a whole output line (right-stripped); each output line
   matches at most one expected line (multiset). Pooled fraction of lines found (goal ≥ 0.95).
5. **Markdown lines**: over the dev pages, the fraction of non-blank output lines that start
   with ``# ``, ``- ``, ``* `` or ``| ``, or contain ``**`` (lower is better; curate's output is
   plain text).
6. **Speed**: docs/s/core on the dev WARC, in this one process pinned to one core
   (``os.sched_setaffinity``). The pages are read with curate's ``WarcReader`` and decoded once,
   with its detected charset, before any timer: **extract docs/s/core** = pages / the summed wall
   seconds of the extractor calls. **read+decode+extract docs/s/core** adds the time of one pass
   of ``WarcReader.read`` over the file (pro rata under ``--limit``) plus decoding the pages
   (both timed apart, before extraction).
   The pages run in blocks of ``--block`` (50); inside a block every extractor runs over the
   block's pages, in an order that rotates from block to block, so slow minutes of this
   drifting VM fall on every extractor alike. The ratio to plain trafilatura is given over the
   whole run and as the median of the per-block ratios.

The outputs scored in 1, 2 and 5 are the ones timed in 6 (one run). Math and code pages are
not timed. Everything is read in place from ``$CURATE_SHARED`` (default ``../shared`` beside
the repository); without the dev WARC the script prints ``SKIP: …`` and exits 0; without
``data/mathcode`` it skips measures 3 and 4 and says so.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import importlib.util
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

GROUNDTRUTH = os.path.join("data", "warc", "dev-pages.groundtruth.jsonl.gz")
MATHCODE = os.path.join("data", "mathcode")
EXTRACTORS = ("trafilatura", "trafilatura-fineweb", "resiliparse", "curate-trafilatura", "curate-resiliparse")
#: Ablations, only with ``--only``: curate's trafilatura backend with its fallbacks on every
#: page (``rescue_chars`` = ∞); and the same backend with ``recall_rescue=True``.
EXTRA = ("curate-trafilatura-rescue-all", "curate-trafilatura-recall")
LABELS = {
    "trafilatura": "A. plain trafilatura 2.x (defaults, txt)",
    "trafilatura-fineweb": "A'. plain trafilatura, FineWeb switches",
    "resiliparse": "B. resiliparse main_content=True",
    "curate-trafilatura": "C. curate extract_text, trafilatura backend",
    "curate-resiliparse": "D. curate extract_text, resiliparse backend",
    "curate-trafilatura-rescue-all": "C'. curate, trafilatura backend, fallbacks on every page",
    "curate-trafilatura-recall": "C''. curate, trafilatura backend, recall_rescue=True",
}
BASELINE = "trafilatura"
PROSE_GROUPS = ("magic-html-article", "magic-html-forum", "magic-html", "readability")
MARKDOWN_PREFIXES = ("# ", "- ", "* ", "| ")


# ----------------------------------------------------------------------------- extractors

def curate_keeps() -> dict[str, bool]:
    """keep_math / keep_code: on when the math and code modules exist."""
    return {"keep_math": importlib.util.find_spec("curate.html.math") is not None,
            "keep_code": importlib.util.find_spec("curate.html.code") is not None}


def make_extractors(names: list[str]) -> dict[str, Callable[[str, str | None], str | None]]:
    """name → ``fn(html_str, url) -> text or None``, each exactly as the module docstring says."""
    out: dict[str, Callable] = {}
    if {"trafilatura", "trafilatura-fineweb"} & set(names):
        import trafilatura

        out["trafilatura"] = lambda html, url: trafilatura.extract(html, output_format="txt")
        out["trafilatura-fineweb"] = lambda html, url: trafilatura.extract(
            html, output_format="txt", favor_precision=True, include_comments=False)
    if "resiliparse" in names:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        out["resiliparse"] = lambda html, url: extract_plain_text(HTMLTree.parse(html), main_content=True)
    if {"curate-trafilatura", "curate-resiliparse", *EXTRA} & set(names):
        from curate.html.main_text import extract_text

        keeps = curate_keeps()
        out["curate-trafilatura"] = lambda html, url: extract_text(html, url, backend="trafilatura", **keeps).text
        out["curate-resiliparse"] = lambda html, url: extract_text(html, url, backend="resiliparse", **keeps).text
        out["curate-trafilatura-rescue-all"] = lambda html, url: extract_text(
            html, url, backend="trafilatura", rescue_chars=1 << 62, **keeps).text
        out["curate-trafilatura-recall"] = lambda html, url: extract_text(
            html, url, backend="trafilatura", recall_rescue=True, **keeps).text
    return {n: out[n] for n in names}


def safe_call(fn, html: str, url: str | None, errors: collections.Counter, name: str) -> str | None:
    try:
        return fn(html, url)
    except Exception as e:  # noqa: BLE001 - a benchmark counts failures, it does not stop on them
        errors[f"{name}: {type(e).__name__}: {str(e)[:80]}"] += 1
        return None


# ----------------------------------------------------------------------------- tokens and scores

def _char_class(pred) -> str:
    """A regex character class body with every code point for which ``pred(ch)`` holds."""
    ranges, start, prev = [], None, None
    for cp in range(sys.maxunicode + 1):
        if pred(cp):
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            ranges.append((start, prev))
            start = None
    if start is not None:
        ranges.append((start, prev))
    esc = lambda c: re.escape(chr(c))  # noqa: E731
    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


_CJK_RANGES = ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3040, 0x30FF), (0x3100, 0x312F), (0x3130, 0x318F),
               (0x31A0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
               (0xF900, 0xFAFF), (0xFF66, 0xFFDC), (0x20000, 0x3FFFF))
_TOKEN_RE: re.Pattern | None = None


def _token_re() -> re.Pattern:
    global _TOKEN_RE
    if _TOKEN_RE is None:
        punct = _char_class(lambda cp: unicodedata.category(chr(cp))[0] in "PS")
        cjk = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in _CJK_RANGES)
        _TOKEN_RE = re.compile(f"[{punct}]|[{cjk}]|[^\\s{punct}{cjk}]+")
    return _TOKEN_RE


def tokens(text: str | None) -> list[str]:
    """NFKC; each punctuation/symbol character and each CJK character a token; else whitespace-split."""
    if not text:
        return []
    return _token_re().findall(unicodedata.normalize("NFKC", text))


def prf(pred: list[str], truth: list[str]) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall and F1."""
    if not pred or not truth:
        return 0.0, 0.0, 0.0
    overlap = sum((collections.Counter(pred) & collections.Counter(truth)).values())
    p, r = overlap / len(pred), overlap / len(truth)
    return p, r, (2 * p * r / (p + r) if overlap else 0.0)


def ws_norm(text: str) -> str:
    return " ".join(text.split())


def markdown_lines(text: str | None) -> tuple[int, int]:
    """(non-blank lines, lines with a markdown marker) of an output."""
    n = md = 0
    for line in (text or "").split("\n"):
        if not line.strip():
            continue
        n += 1
        if line.startswith(MARKDOWN_PREFIXES) or "**" in line:
            md += 1
    return n, md


_BLOCK_TAGS = ("p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
               "dl", "dt", "dd", "tr", "td", "th", "table", "pre", "blockquote", "br", "figure",
               "figcaption", "header", "footer", "aside", "main", "nav", "hr")


def readability_text(expected_html: str) -> str:
    """Text of readability's ``expected_html``: lxml ``text_content()``, a newline after each block."""
    from lxml import html as lhtml

    root = lhtml.fromstring(expected_html)
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


# ----------------------------------------------------------------------------- data

def load_pages(warc: str, limit: int) -> tuple[list[dict], dict]:
    """Response pages of the WARC as decoded strings, and the read/decode timings.

    The whole file is read (timed: ``read_s``); with ``limit`` N, N pages spread evenly over
    it are kept (the file holds its sources in runs: magic-html articles, forums,
    trafilatura-eval, readability), so that a quick run samples every source. Only the kept
    pages are decoded (timed: ``decode_s``).
    """
    from curate.io.warc import WarcReader

    reader = WarcReader()
    rows: list[dict] = []
    with common.timed() as t_read:
        for batch in reader.read(warc):
            rows.extend(batch.select(["id", "url", "html", "charset", "drop_reason"]).to_pylist())
    total = len(rows)
    if limit and limit < total:
        rows = [rows[(k * total) // limit] for k in range(limit)]
    pages = []
    with common.timed() as t_dec:
        for r in rows:
            raw = r["html"]
            html = raw.decode(r["charset"] or "utf-8", errors="replace") if raw else ""
            pages.append({"id": (r["id"] or "").strip(), "url": r["url"], "html": html,
                          "charset": r["charset"], "drop_reason": r["drop_reason"]})
    timing = {"file_docs": total, "file_read_s": t_read.wall, "docs": len(rows),
              "read_s": t_read.wall * len(rows) / total if total else 0.0, "decode_s": t_dec.wall,
              "dropped_by_reader": sum(1 for r in rows if r["drop_reason"])}
    return pages, timing


def load_groundtruth(shared: str) -> dict[str, dict]:
    path = os.path.join(shared, GROUNDTRUTH)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {(d["warc_record_id"] or "").strip(): d for d in map(json.loads, f)}


def decode_file(path: str) -> str:
    from curate.io.warc import detect_charset

    with open(path, "rb") as f:
        raw = f.read()
    return raw.decode(detect_charset(raw, None), errors="replace")


def math_cases(folder: str) -> list[dict]:
    """One case per page with expectations: {name, page, display: [...], inline: [...]}."""
    cases = []
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".html") or fn.endswith("_1.html"):
            continue
        name = fn[:-5]
        exp = {}
        for kind, suffix in (("display", "_1.html"), ("inline", "_inline_1.html")):
            p = os.path.join(folder, name + suffix)
            exp[kind] = []
            if os.path.exists(p):
                with open(p, encoding="utf-8", errors="replace") as f:
                    exp[kind] = [line.strip() for line in f if line.strip()]
        if exp["display"] or exp["inline"]:
            cases.append({"name": name, "page": os.path.join(folder, fn), **exp})
    return cases


_CODE_BLOCK = re.compile(r"^(?P<name>.+?)(?:-(?P<k>\d+))?(?:\.(?P<ext>[A-Za-z0-9]+))?$")


def code_cases(folder: str) -> list[dict]:
    """One case per page with expected blocks: {name, page, blocks: [(file, text), ...]}."""
    files = sorted(os.listdir(folder))
    pages = {f[:-5] for f in files if f.endswith(".html")}
    blocks: dict[str, list] = collections.defaultdict(list)
    for fn in files:
        m = _CODE_BLOCK.match(fn)
        if not m or m.group("name") not in pages or fn == m.group("name") + ".html":
            continue
        if m.group("k") is None and m.group("ext") in ("md", "txt", "html"):
            continue  # whole-page renderings (mathworks.md / .txt), not code blocks
        with open(os.path.join(folder, fn), encoding="utf-8", errors="replace") as f:
            text = f.read().replace("\r\n", "\n").replace("\r", "\n")
        blocks[m.group("name")].append((fn, text, int(m.group("k") or 0)))
    return [{"name": n, "page": os.path.join(folder, n + ".html"),
             "blocks": [(fn, t) for fn, t, _ in sorted(b, key=lambda x: x[2])]}
            for n, b in sorted(blocks.items())]


# ----------------------------------------------------------------------------- the run

def run_dev(pages: list[dict], extractors: dict, block: int) -> tuple[dict, dict, collections.Counter]:
    """Every extractor over every page, in blocks with a rotating order; outputs and per-block seconds."""
    names = list(extractors)
    outputs = {n: [None] * len(pages) for n in names}
    block_s = {n: [] for n in names}
    page_s = {n: [0.0] * len(pages) for n in names}
    errors: collections.Counter = collections.Counter()
    nblocks = -(-len(pages) // block)
    clock = time.perf_counter
    for b in range(nblocks):
        lo, hi = b * block, min(len(pages), (b + 1) * block)
        order = names[b % len(names):] + names[:b % len(names)]
        for n in order:
            fn, out, ps = extractors[n], outputs[n], page_s[n]
            total = 0.0
            for i in range(lo, hi):
                pg = pages[i]
                t0 = clock()
                out[i] = safe_call(fn, pg["html"], pg["url"], errors, n)
                dt_ = clock() - t0
                ps[i] = dt_
                total += dt_
            block_s[n].append(total)
        done = hi
        if b % 5 == 4 or hi == len(pages):
            print(f"  {done}/{len(pages)} pages", file=sys.stderr, flush=True)
    return outputs, {"block_s": block_s, "page_s": page_s}, errors


def score_dev(pages: list[dict], outputs: dict, gt: dict[str, dict]) -> dict:
    truth_tokens: dict[int, tuple[str, list[str]]] = {}
    snippets: dict[int, dict] = {}
    truth_md = [0, 0]
    for i, pg in enumerate(pages):
        g = gt.get(pg["id"])
        if g is None:
            continue
        src = g["source"]
        if src.startswith("magic-html"):
            truth_tokens[i] = (src, tokens(g.get("text") or ""))
            n, m = markdown_lines(g.get("text"))
            truth_md = [truth_md[0] + n, truth_md[1] + m]
        elif src == "readability":
            truth_tokens[i] = (src, tokens(readability_text(g["expected_html"])))
        elif src == "trafilatura-eval":
            snippets[i] = {"with": [ws_norm(s) for s in g.get("with") or [] if ws_norm(s)],
                           "without": [ws_norm(s) for s in g.get("without") or [] if ws_norm(s)]}
    result = {"_truth_markdown": {"lines": truth_md[0], "marked": truth_md[1],
                                  "fraction": truth_md[1] / truth_md[0] if truth_md[0] else 0.0}}
    for name, outs in outputs.items():
        per_group: dict[str, list] = collections.defaultdict(list)
        per_page = []
        for i, (src, tt) in truth_tokens.items():
            if not tt:
                continue
            p, r, f = prf(tokens(outs[i]), tt)
            groups = [src] + (["magic-html"] if src.startswith("magic-html") else [])
            for grp in groups:
                per_group[grp].append((p, r, f))
            per_page.append({"i": i, "source": src, "p": p, "r": r, "f1": f, "url": pages[i]["url"],
                             "out_chars": len(outs[i] or ""), "empty": not outs[i]})
        prose = {}
        for grp in PROSE_GROUPS:
            vals = per_group.get(grp, [])
            prose[grp] = {"pages": len(vals),
                          "p": statistics.fmean(v[0] for v in vals) if vals else None,
                          "r": statistics.fmean(v[1] for v in vals) if vals else None,
                          "f1": statistics.fmean(v[2] for v in vals) if vals else None,
                          "empty": sum(1 for x in per_page if x["empty"] and (
                              x["source"] == grp or (grp == "magic-html" and x["source"].startswith("magic"))))}
        tp = fn_ = fp = tn = 0
        snippet_pages = []
        for i, sn in snippets.items():
            out = ws_norm(outs[i] or "")
            found_with = sum(s in out for s in sn["with"])
            found_without = sum(s in out for s in sn["without"])
            tp, fn_ = tp + found_with, fn_ + len(sn["with"]) - found_with
            fp, tn = fp + found_without, tn + len(sn["without"]) - found_without
            snippet_pages.append({"i": i, "url": pages[i]["url"], "with": len(sn["with"]), "with_found": found_with,
                                  "without": len(sn["without"]), "without_found": found_without})
        sp = tp / (tp + fp) if tp + fp else 0.0
        sr = tp / (tp + fn_) if tp + fn_ else 0.0
        evals = {"pages": len(snippets), "with": tp + fn_, "without": fp + tn,
                 "with_found": tp / (tp + fn_) if tp + fn_ else None,
                 "without_absent": tn / (fp + tn) if fp + tn else None,
                 "p": sp, "r": sr, "f1": 2 * sp * sr / (sp + sr) if sp + sr else 0.0, "per_page": snippet_pages}
        lines = md = pages_md = 0
        for o in outs:
            n, m = markdown_lines(o)
            lines, md = lines + n, md + m
            pages_md += m > 0
        result[name] = {"prose": prose, "snippets": evals,
                        "markdown": {"lines": lines, "marked": md, "fraction": md / lines if lines else 0.0,
                                     "pages_with_marks": pages_md},
                        "empty_outputs": sum(1 for o in outs if not o),
                        "per_page": per_page}
    return result


_STYLE_WRAPPER = re.compile(r"^\{\\(?:displaystyle|textstyle|scriptstyle)(.*)\}$", re.S)


def formula_found(formula: str, hay: str) -> tuple[bool, bool]:
    r"""(strict, accepted): is the formula, whitespace removed, in ``hay`` (whitespace removed)?

    Strict: the expected text as it is. Accepted also: Wikipedia's TeX annotations are wrapped
    as ``{\displaystyle …}``; an output that drops the wrapper and writes ``$…$`` (or
    ``$$…$$``) around the inner formula counts as found. The ``$`` delimiters are required for
    that form, because a bare inner formula as short as ``X`` occurs in any page.
    """
    f = re.sub(r"\s+", "", formula)
    if f in hay:
        return True, True
    m = _STYLE_WRAPPER.match(f)
    return False, bool(m and m.group(1) and f"${m.group(1)}$" in hay)


def run_math(cases: list[dict], extractors: dict, errors: collections.Counter) -> dict:
    out = {}
    for name, fn in extractors.items():
        found = total = found_strict = 0
        kinds = {"display": [0, 0], "inline": [0, 0]}
        pages = []
        for c in cases:
            text = safe_call(fn, decode_file(c["page"]), None, errors, name) or ""
            hay = re.sub(r"\s+", "", text)
            pf = pt = ps = 0
            for kind in ("display", "inline"):
                for formula in c[kind]:
                    strict, ok = formula_found(formula, hay)
                    kinds[kind][0] += ok
                    kinds[kind][1] += 1
                    pf, pt, ps = pf + ok, pt + 1, ps + strict
            found, total, found_strict = found + pf, total + pt, found_strict + ps
            pages.append({"name": c["name"], "found": pf, "found_strict": ps, "expected": pt})
        out[name] = {"found": found, "expected": total, "fraction": found / total if total else None,
                     "found_strict": found_strict, "fraction_strict": found_strict / total if total else None,
                     "display": kinds["display"], "inline": kinds["inline"], "pages": pages}
    return out


def run_code(cases: list[dict], extractors: dict, errors: collections.Counter) -> dict:
    out = {}
    for name, fn in extractors.items():
        found = total = 0
        pages = []
        for c in cases:
            text = safe_call(fn, decode_file(c["page"]), None, errors, name) or ""
            have = collections.Counter(line.rstrip() for line in text.split("\n"))
            pf = pt = 0
            for _, block in c["blocks"]:
                for line in block.split("\n"):
                    line = line.rstrip()
                    if not line.strip():
                        continue
                    pt += 1
                    if have[line] > 0:
                        have[line] -= 1
                        pf += 1
            found, total = found + pf, total + pt
            pages.append({"name": c["name"], "found": pf, "expected": pt})
        out[name] = {"found": found, "expected": total, "fraction": found / total if total else None,
                     "pages": pages}
    return out


def speed(pages: list[dict], timing: dict, read: dict) -> dict:
    n = len(pages)
    base_blocks = timing["block_s"].get(BASELINE)
    res = {}
    for name, blocks in timing["block_s"].items():
        ext_s = sum(blocks)
        full_s = ext_s + read["read_s"] + read["decode_s"]
        ratios = [b / x for b, x in zip(base_blocks, blocks) if x > 0] if base_blocks else []
        res[name] = {"extract_s": ext_s, "docs_per_s": n / ext_s if ext_s else None,
                     "read_decode_extract_s": full_s, "full_docs_per_s": n / full_s if full_s else None,
                     "max_page_s": max(timing["page_s"][name]) if n else 0.0,
                     "x_baseline": (sum(base_blocks) / ext_s) if base_blocks and ext_s else None,
                     "x_baseline_block_median": statistics.median(ratios) if ratios else None,
                     "x_baseline_block_range": [min(ratios), max(ratios)] if ratios else None}
    return res


# ----------------------------------------------------------------------------- report

def _f(v, digits=3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def tables(names, quality, maths, codes, speeds) -> str:
    head = ["extractor", "prose F1 magic-html (P / R)", "F1 article", "F1 forum", "F1 readability (P / R)",
            "traf-eval with found", "without absent", "math found (strict)", "code lines found", "markdown lines",
            "extract docs/s/core", "× plain traf (block median)", "read+decode+extract docs/s/core"]
    rows = []
    for n in names:
        q, s = quality[n], speeds[n]
        pr = q["prose"]
        rows.append([
            LABELS[n],
            f"{_f(pr['magic-html']['f1'])} ({_f(pr['magic-html']['p'])} / {_f(pr['magic-html']['r'])})",
            _f(pr["magic-html-article"]["f1"]), _f(pr["magic-html-forum"]["f1"]),
            f"{_f(pr['readability']['f1'])} ({_f(pr['readability']['p'])} / {_f(pr['readability']['r'])})",
            _f(q["snippets"]["with_found"]), _f(q["snippets"]["without_absent"]),
            f"{_f(maths[n]['fraction'])} ({_f(maths[n]['fraction_strict'])})" if maths else "-",
            _f(codes[n]["fraction"]) if codes else "-",
            _f(q["markdown"]["fraction"], 4),
            _f(s["docs_per_s"], 1),
            f"{_f(s['x_baseline'], 2)} ({_f(s['x_baseline_block_median'], 2)})",
            _f(s["full_docs_per_s"], 1),
        ])
    return common.markdown_table(head, rows)


def detail_table(names, quality, maths, codes, speeds) -> str:
    head = ["extractor", "empty outputs", "traf-eval snippet P / R / F1", "math display / inline found",
            "code found / expected", "pages with markdown", "extract s", "max s/page", "errors"]
    rows = []
    for n in names:
        q, s = quality[n], speeds[n]
        sn = q["snippets"]
        m = maths.get(n) if maths else None
        c = codes.get(n) if codes else None
        rows.append([
            n, q["empty_outputs"], f"{_f(sn['p'])} / {_f(sn['r'])} / {_f(sn['f1'])}",
            f"{m['display'][0]}/{m['display'][1]}, {m['inline'][0]}/{m['inline'][1]}" if m else "-",
            f"{c['found']}/{c['expected']}" if c else "-",
            q["markdown"]["pages_with_marks"], _f(s["extract_s"], 1), _f(s["max_page_s"], 2),
            q.get("errors", 0),
        ])
    return common.markdown_table(head, rows)


def per_page_table(names, results: dict, what: str) -> str:
    """Found / expected per math or code page, one column per extractor."""
    first = results[names[0]]["pages"]
    def cell(r: dict) -> str:
        strict = r.get("found_strict", r["found"])
        return f"{r['found']}" + (f" (strict {strict})" if strict != r["found"] else "")

    rows = [[f"{what} {pg['name']}", pg["expected"]] + [cell(results[n]["pages"][k]) for n in names]
            for k, pg in enumerate(first)]
    return common.markdown_table([f"{what} page", "expected"] + list(names), rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0,
                    help="N pages spread evenly over the dev WARC (default: all 1,381)")
    ap.add_argument("--json", metavar="OUT", help="write the results (with per-page scores) as JSON to OUT")
    ap.add_argument("--only", default="", help=f"comma-separated extractors, of: {','.join(EXTRACTORS + EXTRA)} "
                    "(default: all but the last)")
    ap.add_argument("--block", type=int, default=50, help="pages per block; the extractor order rotates per block")
    ap.add_argument("--core", type=int, default=None, help="core to pin to (default: the first allowed)")
    ap.add_argument("--no-mathcode", action="store_true", help="skip the math and code pages")
    ap.add_argument("--no-pages", action="store_true", help="do not print the per-page math and code tables")
    args = ap.parse_args(argv)

    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(EXTRACTORS)
    unknown = [n for n in names if n not in EXTRACTORS + EXTRA]
    if unknown:
        ap.error(f"unknown extractor(s) {', '.join(unknown)}; choose from {', '.join(EXTRACTORS + EXTRA)}")
    warc = common.dev_pages_or_exit()
    shared = common.shared_dir()
    if not os.path.exists(os.path.join(shared, GROUNDTRUTH)):
        print(f"SKIP: {os.path.join(shared, GROUNDTRUTH)} not found (the ground truth beside the dev WARC).",
              file=sys.stderr)
        return 0

    core = common.pin_one_core(args.core)
    info = common.machine_info()
    keeps = curate_keeps()
    print(f"pinned to core {core}; curate keep_math={keeps['keep_math']} keep_code={keeps['keep_code']}",
          file=sys.stderr)
    extractors = make_extractors(names)
    # Imports, the token regex and first-call caches before any timer.
    pages, read = load_pages(warc, args.limit)
    _token_re()
    for pg in pages[:3]:
        for n, fn in extractors.items():
            safe_call(fn, pg["html"], pg["url"], collections.Counter(), n)
    print(f"{len(pages)} pages read in {read['file_read_s']:.2f} s, decoded in {read['decode_s']:.2f} s; extracting "
          f"with {', '.join(names)} in blocks of {args.block}", file=sys.stderr)

    outputs, timing, errors = run_dev(pages, extractors, args.block)
    gt = load_groundtruth(shared)
    quality = score_dev(pages, outputs, gt)
    speeds = speed(pages, timing, read)

    maths = codes = {}
    mc = os.path.join(shared, MATHCODE)
    if args.no_mathcode:
        pass
    elif not os.path.isdir(mc):
        print(f"SKIP math/code: {mc} not found", file=sys.stderr)
    else:
        maths = run_math(math_cases(os.path.join(mc, "math")), extractors, errors)
        codes = run_code(code_cases(os.path.join(mc, "code")), extractors, errors)
    for n in names:
        quality[n]["errors"] = sum(v for k, v in errors.items() if k.startswith(n + ":"))

    print()
    print(f"{len(pages)} dev pages (dev-pages.warc.gz), one core; curate keep_math={keeps['keep_math']} "
          f"keep_code={keeps['keep_code']}; {info['date']}")
    print()
    print(tables(names, quality, maths, codes, speeds))
    print()
    print(detail_table(names, quality, maths, codes, speeds))
    print()
    if maths and codes and not args.no_pages:
        print(per_page_table(names, maths, "math"))
        print()
        print(per_page_table(names, codes, "code"))
        print()
    n_groups = quality[names[0]]["prose"]
    print("pages scored: " + ", ".join(f"{g} {n_groups[g]['pages']}" for g in PROSE_GROUPS)
          + f", trafilatura-eval {quality[names[0]]['snippets']['pages']} "
          f"({quality[names[0]]['snippets']['with']} with / {quality[names[0]]['snippets']['without']} without)"
          + (f"; math {maths[names[0]]['expected']} formulas, code {codes[names[0]]['expected']} lines"
             if maths and codes else ""))
    tmd = quality["_truth_markdown"]
    print(f"markdown lines in the magic-html ground truth itself (page text that starts with '- ' etc.): "
          f"{tmd['marked']}/{tmd['lines']} = {tmd['fraction']:.4f}")
    print(f"read {read['file_read_s']:.2f} s for all {read['file_docs']} records of the file "
          f"({read['read_s']:.2f} s pro rata for {len(pages)}), decode {read['decode_s']:.2f} s")
    if errors:
        print("errors: " + "; ".join(f"{k} ×{v}" for k, v in errors.most_common(10)))

    if args.json:
        for n in names:
            for pp in quality[n]["per_page"] + quality[n]["snippets"]["per_page"]:
                pp["id"] = pages[pp.pop("i")]["id"]
        common.write_json(args.json, {
            "machine": info, "core": core, "args": vars(args), "curate": keeps, "pages": len(pages),
            "read": read, "quality": quality, "math": maths, "code": codes, "speed": speeds,
            "block_s": timing["block_s"], "errors": dict(errors)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
