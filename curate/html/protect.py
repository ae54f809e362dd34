"""Placeholders that carry verbatim snippets (LaTeX, code) through main-text extraction.

A token is one ASCII word (``qzph7f3a0012zq``): extractors keep it as ordinary text, never
escape or split it, and it cannot occur in real pages by accident (the middle part is a
per-document random salt).
"""

from __future__ import annotations

import re
import secrets


class Protected:
    """Verbatim snippets stored behind tokens; ``restore`` puts them back into extracted text."""

    def __init__(self) -> None:
        self.salt = secrets.token_hex(3)
        self.snippets: list[str] = []
        self.blocks: set[int] = set()

    @property
    def _pattern(self) -> re.Pattern:
        return re.compile(rf"qzph{self.salt}(\d{{4,}})zq")  # re caches compiled patterns

    def add(self, text: str, block: bool = False) -> str:
        """Store ``text`` and return the token that stands for it.

        A ``block`` snippet (a code block) is restored on lines of its own, even where the
        extractor glued its token to the text around it.
        """
        if block:
            self.blocks.add(len(self.snippets))
        self.snippets.append(text)
        return f"qzph{self.salt}{len(self.snippets) - 1:04d}zq"

    def __len__(self) -> int:
        return len(self.snippets)

    def restore(self, text: str) -> str:
        """Replace every token in ``text`` by its snippet."""
        if not self.snippets:
            return text
        def put(m: re.Match) -> str:
            i = int(m.group(1))
            snippet = self.snippets[i]
            if i in self.blocks:
                if m.start() > 0 and text[m.start() - 1] != "\n":
                    snippet = "\n" + snippet
                if m.end() < len(text) and text[m.end()] != "\n":
                    snippet += "\n"
            return snippet

        return self._pattern.sub(put, text)

    def missing(self, text: str) -> list[int]:
        """Indices of snippets whose token does not appear in ``text`` (lost by the extractor)."""
        seen = {int(m.group(1)) for m in self._pattern.finditer(text)}
        return [i for i in range(len(self.snippets)) if i not in seen]
