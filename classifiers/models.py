"""Where trained and published classifier models live: a local cache, paths, and hub ids.

A stage names its model by one string, resolved by ``resolve``:

- a path to a model folder (``train`` writes ``model.bin``, ``meta.json``, ``eval.json``) or to a
  bare fastText ``.bin`` (a published model downloaded by hand);
- a name in the cache ``$CURATE_MODELS_DIR`` (default ``~/.cache/curate/models``): the
  recipe's defaults are ``quality``, ``code``, ``math`` and ``category``, which
  ``curate classifiers build`` (``make models``) trains, and ``curate classifiers train
  fasttext ... -o NAME`` writes any other;
- ``hf:OWNER/REPO/FILE`` (or ``hf:OWNER/REPO`` for a repository holding one ``.bin``): a
  published fastText model on the Hugging Face hub, fetched with ``huggingface_hub`` into its
  own cache. ``DCLM_FASTTEXT`` is DCLM's OH-2.5+ELI5 quality classifier (Li et al. 2024,
  "DataComp-LM", section 4.3; labels ``hq`` and ``cc``). Offline, a hub id fails with a message
  that says to download the file elsewhere and give its path.

A missing model raises ``ModelMissing`` naming the command that makes it; the run's preflight
turns that into exit 3 before any shard starts. On a Ray cluster, point ``CURATE_MODELS_DIR`` at
a shared filesystem (or run ``curate classifiers build`` on each node).
"""

from __future__ import annotations

import json
import os

from classifiers.fasttext_model import EVAL_FILE, META_FILE, MODEL_FILE

#: The recipe's default models and what each scores (``curate classifiers build`` makes them).
DEFAULTS = {
    "quality": "fastText student of the MiniLM teacher: reference-quality text (Wikipedia-like) vs web text",
    "code": "fastText student of the MiniLM teacher: code pages vs other pages",
    "math": "fastText student of the MiniLM teacher: math and reasoning pages vs other pages",
    "category": "fastText student of the MiniLM teacher: knowledge category (classifiers/categories.py)",
}
#: DCLM's published fastText classifier (OpenHermes-2.5 + ELI5 vs RefinedWeb), positive label ``hq``.
DCLM_FASTTEXT = "hf:mlfoundations/fasttext-oh-eli5/openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train.bin"
HUB_PREFIX = "hf:"
BUILD_COMMAND = "curate classifiers build"


class ModelMissing(FileNotFoundError):
    """A model is not where its name points; the message says how to make or get it."""


def cache_dir() -> str:
    return os.environ.get("CURATE_MODELS_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "curate", "models")


def _is_model(path: str) -> bool:
    return os.path.isfile(path) or os.path.isfile(os.path.join(path, MODEL_FILE))


def resolve(name: str) -> str:
    """Local path of the model ``name`` (a path, a cache name or an ``hf:`` hub id); raises ModelMissing."""
    if not name:
        raise ModelMissing("no model given")
    if name.startswith(HUB_PREFIX):
        return _from_hub(name[len(HUB_PREFIX):])
    if os.sep in name or name.endswith(".bin") or os.path.exists(name):
        if _is_model(name):
            return name
        raise ModelMissing(f"model path {name!r} holds no fastText model (a .bin file or a folder with {MODEL_FILE})")
    path = os.path.join(cache_dir(), name)
    if _is_model(path):
        return path
    how = (f"build the recipe's default models with `{BUILD_COMMAND}` (make models)" if name in DEFAULTS else
           f"train it with `curate classifiers train fasttext --input FILE --positive LABEL -o {name}`")
    raise ModelMissing(f"model {name!r} is not in the model cache {cache_dir()}: {how}, or give a model path "
                       f"(set CURATE_MODELS_DIR to use another cache)")


def _from_hub(ref: str) -> str:
    parts = ref.split("/")
    if len(parts) < 2:
        raise ModelMissing(f"hub id {HUB_PREFIX}{ref!r}: expected {HUB_PREFIX}OWNER/REPO[/FILE]")
    repo, filename = "/".join(parts[:2]), "/".join(parts[2:]) or None
    try:
        import huggingface_hub as hub
    except ImportError as e:
        raise ModelMissing(f"hub id {HUB_PREFIX}{ref}: huggingface_hub is not installed ({e}); "
                           "download the model elsewhere and give its path") from None
    try:
        if filename is None:
            bins = [f for f in hub.list_repo_files(repo) if f.endswith(".bin")]
            if len(bins) != 1:
                raise ModelMissing(f"hub repository {repo} holds {len(bins)} .bin files {bins[:5]}: "
                                   f"name one, {HUB_PREFIX}{repo}/FILE")
            filename = bins[0]
        return hub.hf_hub_download(repo, filename)
    except ModelMissing:
        raise
    except Exception as e:  # offline, unknown repository, no such file
        raise ModelMissing(f"cannot fetch {HUB_PREFIX}{ref} from the Hugging Face hub ({type(e).__name__}: "
                           f"{str(e).splitlines()[0] if str(e) else ''}); offline, download the file on a "
                           "machine with access and give its local path instead") from None


def listing() -> list[dict]:
    """One row per model folder in the cache (and each default, present or not): name, labels, eval."""
    root = cache_dir()
    names = set(DEFAULTS)
    if os.path.isdir(root):
        names |= {n for n in os.listdir(root) if not n.startswith(".") and _is_model(os.path.join(root, n))}
    rows = []
    for name in sorted(names):
        path = os.path.join(root, name)
        row = {"name": name, "present": _is_model(path), "path": path, "about": DEFAULTS.get(name, "")}
        for key, file in (("meta", META_FILE), ("eval", EVAL_FILE)):
            try:
                with open(os.path.join(path, file), encoding="utf-8") as f:
                    row[key] = json.load(f)
            except (OSError, ValueError):
                row[key] = {}
        rows.append(row)
    return rows
