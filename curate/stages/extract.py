"""Main-text extraction from HTML, keeping math and code, under a per-document time limit.

Llama 3 (section 3.1.1) extracts main text with a custom parser that removes boilerplate,
keeps math and code with their structure, keeps image alt text and removes markdown
markers. This stage runs ``curate.html.main_text.extract_text`` on the decoded HTML and
writes plain ``text`` (math as ``$…$``/``$$…$$`` LaTeX, code verbatim) and ``title``; a
page that yields no text is rejected as ``no_text``.

trafilatura can run for minutes on some pathological pages. Each document gets
``timeout_s`` of wall time (a ``SIGALRM`` timer, available when the stage runs on a
process's main thread, as Ray tasks and the in-process runner do); a page over it is
rejected as ``extract_timeout``. The timer interrupts Python code, not a single long call
into C, so ``max_html_bytes`` upstream still matters.
"""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
import signal
import threading
from typing import ClassVar

import pyarrow as pa

from curate import schema
from curate.stage import Resources, Stage, reject, set_column

_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)


class ExtractTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise ExtractTimeout()


@dataclasses.dataclass
class Extract(Stage):
    """HTML → plain main text that keeps math and code.

    ``backend``: the main-content finder, ``trafilatura`` or ``resiliparse`` (faster).
    ``keep_math``/``keep_code``: rewrite formulas as LaTeX and code blocks verbatim.
    ``min_chars``: texts shorter than this (after stripping) are rejected as ``no_text``.
    ``include_tables``/``include_comments`` are trafilatura's switches (comments are
    forum replies and blog comments: often main content on forums). ``rescue_chars`` /
    ``rescue_ratio``: when trafilatura's main extractor finds fewer characters, or less than
    that share of the page's visible text, the page goes on in trafilatura's full mode
    (readability and jusText fallbacks), else in its fast mode (``curate.html.cascade``). ``code_rescue``: when
    the text lost most of the page's code blocks (two or more), take resiliparse's text if it
    holds trafilatura's and more (``main_text._lost_code``, ``_superset``).
    """

    timeout_s: float = 5.0
    min_chars: int = 1
    backend: str = "trafilatura"
    keep_math: bool = True
    keep_code: bool = True
    include_tables: bool = True
    include_comments: bool = True
    favor_precision: bool = False
    rescue_chars: int = 250
    rescue_ratio: float = 0.3
    recall_rescue: bool = False
    code_rescue: bool = True
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=64))

    name: ClassVar[str] = "extract"
    columns: ClassVar[dict[str, pa.DataType]] = {schema.TEXT: pa.string(), schema.TITLE: pa.string()}
    consumes: ClassVar[tuple[str, ...]] = (schema.HTML, schema.CHARSET)

    def setup(self) -> None:
        import functools

        from curate.html.main_text import extract_text

        if self.backend not in ("trafilatura", "resiliparse"):
            raise ValueError(f"extract.backend must be 'trafilatura' or 'resiliparse', not {self.backend!r}")
        run = functools.partial(
            extract_text, backend=self.backend, keep_math=self.keep_math, keep_code=self.keep_code,
            include_tables=self.include_tables, include_comments=self.include_comments,
            favor_precision=self.favor_precision, rescue_chars=self.rescue_chars,
            rescue_ratio=self.rescue_ratio, recall_rescue=self.recall_rescue,
            code_rescue=self.code_rescue)
        self._extract = lambda doc, url=None: run(doc, url).text

    def process(self, batch: pa.Table) -> pa.Table:
        if not hasattr(self, "_extract"):
            self.setup()
        htmls = batch.column(schema.HTML).to_pylist()
        charsets = batch.column(schema.CHARSET).to_pylist()
        urls = batch.column(schema.URL).to_pylist()
        texts: list[str | None] = []
        titles: list[str | None] = []
        reasons: list[str | None] = []
        timed = self.timeout_s > 0 and threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGALRM, _on_alarm) if timed else None
        try:
            for raw, charset, url in zip(htmls, charsets, urls):
                doc = raw.decode(charset or "utf-8", errors="replace") if raw else ""
                try:
                    text, reason = self._one(doc, url, timed)
                except ExtractTimeout:  # the timer fired between the call's end and its reset
                    text, reason = None, "extract_timeout"
                texts.append(text)
                reasons.append(reason)
                titles.append(_title(doc))
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
        batch = set_column(batch, schema.TEXT, texts, pa.string())
        batch = set_column(batch, schema.TITLE, titles, pa.string())
        return reject(batch, reasons)

    def _one(self, doc: str, url: str | None, timed: bool) -> tuple[str | None, str | None]:
        if not doc.strip():
            return None, "no_text"
        try:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
            text = self._extract(doc, url=url)
        except ExtractTimeout:
            return None, "extract_timeout"
        except Exception as e:  # trafilatura raises many types on broken markup
            return None, f"extract_error:{type(e).__name__}"
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if not text or len(text.strip()) < self.min_chars:
            return None, "no_text"
        return text, None


def _title(doc: str) -> str | None:
    m = _TITLE.search(doc, 0, 200_000)
    if not m:
        return None
    title = " ".join(htmllib.unescape(m.group(1)).split())
    return title[:1000] or None
