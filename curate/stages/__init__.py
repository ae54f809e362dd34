"""Per-document stages, one idea per module, named in the paper's words."""
