"""The data-mix planner, manifest, tokenization and packing (issue 8)."""
