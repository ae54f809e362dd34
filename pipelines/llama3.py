"""The main recipe: Common Crawl to pretraining data in the order of Llama 3, section 3.1.

Paper order (section 3.1.1 "Web Data Curation"), and where each step stands:

1. PII and safety filtering ........ issue 4
2. Text extraction and cleaning .... ``extract`` (this recipe; math and code: issue 3)
3. De-duplication (URL, document, line) ... issue 5
4. Heuristic filtering ............. issue 6
5. Model-based quality filtering ... issue 7
6. Code and reasoning data, multilingual data, knowledge categories ... issue 7
7. Data mix ........................ issue 8 (``curate mix``)

Extraction runs first in practice: the safety filters need the URL only, but the PII
and dirty-word steps read the extracted text. Parameters live in ``llama3.toml``.
"""

from __future__ import annotations

from typing import Any

from curate.io.warc import WarcReader
from curate.pipeline import Phase, make_stage
from curate.stages.extract import Extract


def build(params: dict[str, Any]) -> list[Phase]:
    reader = WarcReader(**params.get("read", {}))
    return [
        Phase("extract", reader=reader, keep_html=params.get("keep_html", False), stages=[
            make_stage(Extract, params.get("extract")),
        ]),
    ]
