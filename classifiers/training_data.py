"""Text to train and evaluate the classifiers on, each document tagged with its source and group.

Two origins, read in place and never copied:

- ``shared_docs(root)``: real text under ``$CURATE_SHARED/data`` (``corpora/``, the dev WARC's
  ground truth) and the Python standard library on the machine.
  Reference-quality text: ``wiki`` (WikiText-2 articles, detokenized), ``gsm8k`` (problem and
  worked answer), ``math`` (MATH problems with full solutions), ``mmlu`` (questions with their
  choices), ``article`` (the dev pages' ground-truth main text, 260 pages). Web text:
  ``boilerplate`` (the lines of a dev page's whole visible text that are not in its main text),
  ``spam`` (the whole text of the real Common Crawl excerpt's pages, mostly spam), ``webtext``
  (NLTK's informal web text: forum posts, overheard quotes, personal ads, wine reviews, a
  film script), ``cc`` (Dolma's Common Crawl samples). Code: ``code`` (60-line blocks of the
  standard-library modules and of Python's C headers), ``webcode`` (the code blocks of the dev
  WARC's pages, with the prose around them). Other edited prose: ``abc`` (NLTK's ABC rural and
  science news), ``genesis`` (the King James Genesis).
- ``sample_docs()``: the pages of the project's own sample WARC (``curate/sample``), with the
  kind each page was written as (article, forum, code, math, spam, boilerplate, ...):
  ``article`` and ``forum`` main text, ``code`` and ``math`` pages, ``spam``, and ``boilerplate``
  (the whole visible text of listing pages and of spam). Used when the real data is absent.

``group`` is the source document (a page's record id, an article's title, a file): a
held-out split by group never puts chunks of one document on both sides.
"""

from __future__ import annotations

import csv
import dataclasses
import glob
import gzip
import hashlib
import json
import os
import re
import sysconfig
import zipfile

REFERENCE = ("wiki", "gsm8k", "math", "mmlu", "article")
WEB = ("boilerplate", "spam", "webtext", "cc")
CODE = ("code", "webcode")
MATH = ("gsm8k", "math")
#: Edited prose that is neither reference nor web text for the quality teacher: it widens the
#: code and math negatives and the category pool (news, science, scripture).
OTHER_PROSE = ("abc", "genesis")


@dataclasses.dataclass(frozen=True)
class Doc:
    text: str
    source: str
    group: str
    meta: str = ""  # e.g. an MMLU subject


def stable_hash(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:12], 16)


def take(docs: list[Doc], n: int | None, salt: str = "") -> list[Doc]:
    """A deterministic sample of ``n`` documents (by a hash of group and text), in hash order."""
    docs = sorted(docs, key=lambda d: stable_hash(f"{salt}{d.group}\0{d.text[:200]}"))
    return docs if n is None else docs[:n]


def chunks(text: str, max_chars: int = 2000) -> list[str]:
    """``text`` cut at line breaks into pieces of at most about ``max_chars``."""
    out, cur, size = [], [], 0
    for line in text.splitlines():
        if cur and size + len(line) > max_chars:
            out.append("\n".join(cur))
            cur, size = [], 0
        cur.append(line)
        size += len(line) + 1
    if cur:
        out.append("\n".join(cur))
    return [c for c in out if c.strip()]


# --------------------------------------------------------------------------- real data

_WIKI_TOKENS = ((" @-@ ", "-"), (" @,@ ", ","), (" @.@ ", "."), (" , ", ", "), (" . ", ". "), (" ; ", "; "),
                (" : ", ": "), (" 's", "'s"), ("( ", "("), (" )", ")"), ("<unk>", ""))


def wikitext(root: str) -> list[Doc]:
    docs = []
    for name in ("valid.txt", "test.txt"):
        path = os.path.join(root, "data", "corpora", "wikitext-2-tokenized", name)
        if not os.path.exists(path):
            continue
        articles: list[tuple[str, list[str]]] = []
        with open(path, encoding="utf-8") as f:
            for raw in f:
                line = raw.strip()
                m = re.fullmatch(r"= ([^=].*) =", line)
                if m:
                    articles.append((m.group(1), []))
                elif line and not line.startswith("=") and articles:
                    articles[-1][1].append(line)
        for title, lines in articles:
            text = "\n".join(lines)
            for t, s in _WIKI_TOKENS:
                text = text.replace(t, s)
            docs.extend(Doc(c, "wiki", f"wiki:{title}") for c in chunks(text))
    return docs


def gsm8k(root: str) -> list[Doc]:
    docs = []
    for split in ("train", "test"):
        path = os.path.join(root, "data", "corpora", "gsm8k", f"{split}.jsonl")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for i, line in enumerate(f):
                    d = json.loads(line)
                    answer = re.sub(r"<<[^>]*>>", "", d["answer"])
                    docs.append(Doc(f"{d['question']}\n{answer}", "gsm8k", f"gsm8k:{split}:{i}"))
    return docs


def math_solutions(root: str) -> list[Doc]:
    path = os.path.join(root, "data", "corpora", "MATH", "with_solutions.1200.jsonl")
    docs = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                d = json.loads(line)
                docs.append(Doc(f"{d['question']}\n{d['answer']}", "math", f"math:{i}"))
    return docs


def mmlu(root: str, splits: tuple[str, ...] = ("dev", "val")) -> list[Doc]:
    """MMLU questions with their four choices; ``meta`` is the subject."""
    docs = []
    for split in splits:
        for path in sorted(glob.glob(os.path.join(root, "data", "corpora", "mmlu", split, "*.csv"))):
            subject = os.path.basename(path).rsplit("_", 1)[0]
            with open(path, encoding="utf-8", newline="") as f:
                for i, row in enumerate(csv.reader(f)):
                    if len(row) >= 5:
                        docs.append(Doc("\n".join(row[:5]), "mmlu", f"mmlu:{split}:{subject}:{i}", subject))
    return docs


def webtext(root: str, lines_per_doc: int = 15) -> list[Doc]:
    path = os.path.join(root, "data", "corpora", "nltk", "webtext.zip")
    docs = []
    if os.path.exists(path):
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                if not name.endswith(".txt"):
                    continue
                lines = [x.strip() for x in z.read(name).decode("utf-8", "replace").splitlines() if x.strip()]
                for i in range(0, len(lines), lines_per_doc):
                    docs.append(Doc("\n".join(lines[i:i + lines_per_doc]), "webtext", f"webtext:{name}"))
    return docs


def dolma_cc(root: str) -> list[Doc]:
    docs = []
    for path in sorted(glob.glob(os.path.join(root, "data", "corpora", "dolma-cc-samples", "*.json*.gz"))):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    docs.append(Doc(d["text"], "cc", f"cc:{d.get('id')}"))
    return docs


def stdlib_code(limit_files: int = 300, lines_per_doc: int = 60) -> list[Doc]:
    """60-line blocks of the Python installation's own source: standard-library modules (Python)
    and its C headers (``Python.h`` and the rest), so that code means more than one language."""
    paths = sysconfig.get_paths()
    files = sorted(glob.glob(os.path.join(paths["stdlib"], "*.py")))[:limit_files]
    files += sorted(glob.glob(os.path.join(paths["include"], "**", "*.h"), recursive=True))[:limit_files]
    docs = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (OSError, UnicodeError):
            continue
        for i in range(0, len(lines), lines_per_doc):
            block = "\n".join(lines[i:i + lines_per_doc])
            if len(block.strip()) > 200:
                docs.append(Doc(block, "code", f"code:{os.path.relpath(path, os.path.dirname(paths['stdlib']))}"))
    return docs


def nltk_paragraphs(root: str, corpus: str, source: str, files: tuple[str, ...] | None = None,
                    max_chars: int = 800) -> list[Doc]:
    """Paragraph groups of an NLTK corpus zip (``abc``: ABC rural and science news; ``genesis``:
    the King James Genesis), at most ``max_chars`` each (a news item or two); group = ten
    consecutive pieces of a file."""
    path = os.path.join(root, "data", "corpora", "nltk", f"{corpus}.zip")
    docs = []
    if os.path.exists(path):
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                if not name.endswith(".txt") or (files and os.path.basename(name) not in files):
                    continue
                text = z.read(name).decode("utf-8", "replace")
                lines = "\n".join(" ".join(x.split()) for x in text.splitlines() if x.strip())
                docs.extend(Doc(c, source, f"{source}:{name}:{k // 10}")  # groups of ten pieces
                            for k, c in enumerate(chunks(lines, max_chars)))
    return docs


_CODE_CHARS = re.compile(r"[{}();=<>\[\]#$/\\]")
_CODE_WORDS = re.compile(r"^\s*(?:(?:def|class|import|from|return|if|for|while|var|let|const|function|public|"
                         r"private|#include|package|SELECT|FROM|docker|RUN|sudo|pip|npm|<\w+)\b|\$ |>>> )", re.M)


def looks_like_code(block: str) -> bool:
    """A ``<pre>`` block that holds code or a shell session rather than preformatted prose: at least
    three lines, and code punctuation (4% of the characters) or code-like line starts (a third)."""
    lines = [x for x in block.splitlines() if x.strip()]
    if len(lines) < 3 or len(block) < 80:
        return False
    ascii_share = sum(c.isascii() for c in block) / len(block)
    if ascii_share < 0.9:
        return False
    punct = len(_CODE_CHARS.findall(block)) / len(block)
    starts = len(_CODE_WORDS.findall(block)) / len(lines)
    return punct >= 0.04 or starts >= 0.33


def dev_code_blocks(root: str, max_lines: int = 60, context: int = 2) -> list[Doc]:
    """Real code from the dev WARC's pages (``webcode``): every ``<pre>`` block that looks like code
    (``looks_like_code``), in any language (Python, JavaScript, PHP, shell, Dockerfiles, CSS,
    configuration), at most ``max_lines`` lines, embedded between up to ``context`` prose
    paragraphs of its own page on each side, as the page has them. Group = the page's record id.
    The mathcode pages are a different set of pages (evaluation only) and are never read here."""
    warc = os.path.join(root, "data", "warc", "dev-pages.warc.gz")
    if not os.path.exists(warc):
        return []
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    docs = []
    for rid, (_url, payload) in sorted(_warc_pages(warc).items()):
        if b"<pre" not in payload and b"<PRE" not in payload:
            continue
        html = bytes_to_str(payload, detect_encoding(payload))
        tree = HTMLTree.parse(html)
        if tree.body is None:
            continue
        blocks = [el.text for el in tree.body.query_selector_all("pre")]
        blocks = [b for b in blocks if looks_like_code(b)]
        if not blocks:
            continue
        lines = [x.strip() for x in page_text(html).splitlines()]
        prose = [i for i, x in enumerate(lines) if len(x) > 80 and not looks_like_code(x + "\n.\n.")]
        for block in blocks:
            code = "\n".join(block.splitlines()[:max_lines]).strip("\n")
            first = next((x.strip() for x in block.splitlines() if x.strip()), "")
            at = next((i for i, x in enumerate(lines) if first and x == first), None)
            before = [lines[i] for i in prose if at is not None and i < at][-context:]
            after = [lines[i] for i in prose if at is not None and i > at][:context]
            docs.append(Doc("\n".join(before + [code] + after), "webcode", rid))
    return docs


def page_text(html: str | bytes) -> str:
    """The whole visible text of a page (boilerplate included), one line per block."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    if isinstance(html, bytes):
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding

        html = bytes_to_str(html, detect_encoding(html))
    return extract_plain_text(HTMLTree.parse(html), main_content=False, preserve_formatting=True)


def _warc_pages(path: str) -> dict[str, tuple[str, bytes]]:
    """record id -> (url, HTTP payload) of the response records of a WARC."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    out = {}
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
            out[rec.record_id] = (rec.headers.get("WARC-Target-URI", ""), rec.reader.read())
    return out


def dev_articles_and_boilerplate(root: str, min_chars: int = 200) -> list[Doc]:
    """The dev pages' ground-truth main text (``article``) and the rest of their visible text (``boilerplate``)."""
    gt_path = os.path.join(root, "data", "warc", "dev-pages.groundtruth.jsonl.gz")
    warc = os.path.join(root, "data", "warc", "dev-pages.warc.gz")
    if not (os.path.exists(gt_path) and os.path.exists(warc)):
        return []
    truth = {}
    with gzip.open(gt_path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("text"):
                truth[d["warc_record_id"]] = d["text"]
    pages = _warc_pages(warc)
    docs = []
    for rid, text in sorted(truth.items()):
        docs.append(Doc(text, "article", rid))
        if rid in pages:
            main = {" ".join(x.split()) for x in text.splitlines()}
            rest = [x.strip() for x in page_text(pages[rid][1]).splitlines()
                    if x.strip() and " ".join(x.split()) not in main]
            if sum(map(len, rest)) >= min_chars:
                docs.append(Doc("\n".join(rest), "boilerplate", rid))
    return docs


def real_cc_spam(root: str) -> list[Doc]:
    path = os.path.join(root, "data", "warc", "real-cc", "cc-main-2020-34-excerpt.warc.gz")
    if not os.path.exists(path):
        return []
    docs = []
    for rid, (_url, payload) in sorted(_warc_pages(path).items()):
        text = page_text(payload).strip()
        if len(text) >= 100:
            docs.append(Doc(text, "spam", rid))
    return docs


def shared_docs(root: str) -> list[Doc]:
    """Every source above that is present under ``root`` (``$CURATE_SHARED``), plus standard-library code."""
    return (wikitext(root) + gsm8k(root) + math_solutions(root) + mmlu(root) + dev_articles_and_boilerplate(root)
            + real_cc_spam(root) + webtext(root) + dolma_cc(root) + stdlib_code() + dev_code_blocks(root)
            + nltk_paragraphs(root, "abc", "abc") + nltk_paragraphs(root, "genesis", "genesis", ("english-kjv.txt",)))


def shared_present(root: str | None) -> bool:
    return bool(root) and os.path.isdir(os.path.join(root, "data", "corpora"))


# --------------------------------------------------------------------------- the project's own sample

_SAMPLE_SOURCES = {"article": "article", "forum": "article", "code": "code", "math": "math", "spam": "spam",
                   "boilerplate": "boilerplate"}


def sample_docs() -> list[Doc]:
    """Text of the sample WARC's pages (``curate/sample``), by the kind each page was written as."""
    from curate.html.main_text import extract_text
    from curate.sample.catalog import sample

    docs = []
    for page in sample().pages:
        source = _SAMPLE_SOURCES.get(page.kind)
        if source is None or not page.is_html or page.dup:
            continue
        if page.lang != "en" and source == "article":
            source = "multilingual"
        if source in ("spam", "boilerplate"):
            text = page_text(page.html)
        else:
            text = extract_text(page.html, page.url).text or ""
        if len(text.strip()) >= 50:
            docs.append(Doc(text, source, page.url))
        if source == "article":  # the page's navigation, footer and listings: boilerplate
            main = {" ".join(x.split()) for x in text.splitlines()}
            rest = [x for x in page_text(page.html).splitlines() if x.strip() and " ".join(x.split()) not in main]
            if sum(map(len, rest)) >= 100:
                docs.append(Doc("\n".join(rest), "boilerplate", page.url))
    return docs


__all__ = ["Doc", "chunks", "sample_docs", "shared_docs", "shared_present", "take"]
