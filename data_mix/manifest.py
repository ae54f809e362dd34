"""The mix manifest (``mix/manifest.json``) and the tokenizer identity it pins.

The manifest records what a pretraining run needs to trust the shards: the tokenizer's
identity (name, sha256 of ``tokenizer.model``, vocabulary size, EOS id), the plan and seed,
the input shards with sizes and sha256, and every packed part with its token count and sha256.
It holds no timestamps and no absolute paths, so the same inputs and seed give the same bytes.
``curate.train.data.check_tokenizer`` refuses a manifest whose tokenizer differs from the
run's.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from curate.io import fs as cfs

MANIFEST_FILE = "manifest.json"
FORMAT = "curate-mix/1"


@functools.lru_cache(maxsize=2)
def _sha256_file(path: str) -> str:
    from curate.assets import sha256_file

    return sha256_file(path)


def tokenizer_identity() -> dict[str, Any]:
    """Name, sha256 of the ``tokenizer.model`` file, vocabulary size and special ids of the Llama 3 tokenizer."""
    from curate import tokenizer

    return {"name": "llama3", "sha256": _sha256_file(tokenizer.model_path()), "vocab_size": tokenizer.VOCAB_SIZE,
            "bos_id": tokenizer.BOS_ID, "eos_id": tokenizer.EOS_ID}


def write_manifest(mix_root: str, manifest: dict[str, Any]) -> str:
    path = cfs.join(mix_root, MANIFEST_FILE)
    cfs.write_text_atomic(path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return path


def read_manifest(mix_root: str) -> dict[str, Any]:
    path = cfs.join(mix_root, MANIFEST_FILE)
    if not cfs.exists(path):
        raise FileNotFoundError(f"{path} not found: run `curate mix build OUTPUT_ROOT` first")
    return json.loads(cfs.read_text(path))
