"""Rule-based heuristic filters (Llama 3, section 3.1.1 "Heuristic filtering"), scores first.

Modules: ``batch`` (vectorized splitting), ``repetition`` (Gopher repetition, the
"duplicated n-gram coverage ratio" Llama 3 names), ``quality`` (Gopher quality, C4, FineWeb),
``mathcode`` (code / LaTeX detector), ``rules`` (thresholds → drop reasons). The stages are
in ``curate/stages/heuristics.py``; see its docstring for which rules apply to which documents.
"""
