"""Deduplication: URL keep-newest, MinHash near-duplicate documents, repeated lines (Llama 3, section 3.1.1)."""
