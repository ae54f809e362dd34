"""The unit the sample is made of: one HTTP fetch of one URL, with what it is meant to test."""
from __future__ import annotations

from dataclasses import dataclass, replace

DECLARATIONS = ("both", "header", "meta", "http-equiv", "none")


@dataclass(frozen=True)
class Page:
    """One fetch: an HTML document (``html``) or any other HTTP response (``raw``).

    ``declared`` says where the charset is declared: in the HTTP header, in a
    ``<meta charset>``, in a ``<meta http-equiv>``, in header and meta (``both``) or nowhere.
    ``dup``/``dup_of`` label deliberate duplicates: ``exact`` (same bytes, other URL),
    ``near`` (same article, edited or re-templated), ``refetch`` (same URL, other date),
    ``tracking`` (same page behind tracking or session parameters).
    ``kind`` is one of article, forum, code, math, boilerplate, spam, pii, large (HTML over
    4 MiB), error (404), redirect (301/302), image, script.
    """

    url: str
    html: str = ""
    kind: str = "article"
    lang: str = "en"
    encoding: str = "utf-8"
    declared: str = "both"
    status: int = 200
    content_type: str = "text/html"
    raw: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    date: str = ""
    dup: str | None = None
    dup_of: str | None = None
    title: str = ""

    @property
    def is_html(self) -> bool:
        return self.raw is None

    def body(self) -> bytes:
        """The payload bytes as the server sent them (characters outside a legacy charset become ``&#N;``)."""
        if self.raw is not None:
            return self.raw
        html = _with_charset_tag(self.html, self.encoding, self.declared)
        return html.encode(self.encoding, errors="xmlcharrefreplace")

    def http_content_type(self) -> str:
        """The value of the HTTP Content-Type header."""
        if self.raw is None and self.declared in ("header", "both"):
            return f"{self.content_type}; charset={self.encoding}"
        return self.content_type

    def at(self, date: str) -> Page:
        return replace(self, date=date)


def _with_charset_tag(html: str, encoding: str, declared: str) -> str:
    if declared in ("meta", "both"):
        tag = f'<meta charset="{encoding}">'
    elif declared == "http-equiv":
        tag = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    else:
        return html
    head = html.find("<head>")
    if head < 0:
        return html
    cut = head + len("<head>")
    return f"{html[:cut]}\n{tag}{html[cut:]}"
