"""Training and inference of the fastText, transformer, language and category classifiers (issue 7)."""
