"""HTML to plain text that keeps math (as LaTeX) and code (verbatim): the pieces of ``extract``.

``math`` and ``code`` rewrite an lxml tree before main-text extraction, putting each formula
and code block behind a placeholder token (``protect``) so that the extractor can neither
collapse its whitespace nor drop its symbols; ``main_text`` runs the extractor and restores
the tokens.
"""
