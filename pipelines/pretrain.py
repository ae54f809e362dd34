"""Pretrain a Llama-3-architecture decoder on a built mix (``curate mix build``).

    # the tiny config on a CPU (tests, a smoke run)
    python pipelines/pretrain.py --mix out/demo/mix --out out/pretrain-tiny --model tiny --steps 300
    # one node of 8 GPUs, data parallel; FSDP2 for models that do not fit a GPU's memory
    torchrun --nproc-per-node 8 pipelines/pretrain.py --mix out/cc/mix --out out/pt-1b --model 1b \\
        --seq-len 8192 --batch-size 1 --grad-accum 8 --lr 3e-4 --warmup-steps 2000 --steps 100000 --compile
    torchrun --nproc-per-node 8 pipelines/pretrain.py ... --model 8b --parallel fsdp
    # killed or preempted: the same command resumes from the newest checkpoint in --out

The run refuses a mix whose manifest's tokenizer does not match the model's vocabulary size,
the checkpoint's tokenizer when resuming, or the tokenizer's sha256: ``--tokenizer-sha256``,
else that of the Llama 3 ``tokenizer.model`` installed here (none on a machine without it). Document masking: the
attention of a token never reaches another document packed in the same sequence (flex_attention
on GPU, an explicit SDPA mask on CPU; ``--attention causal`` turns it off, as a baseline).
The library is ``curate.train``; this file only reads the arguments.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from curate.train.loop import TrainConfig, train  # noqa: E402


def parse(argv: list[str] | None = None) -> TrainConfig:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    helps = {"mix": "a built mix folder (OUTPUT_ROOT/mix: manifest.json, train/, val/)",
             "out": "checkpoints and metrics.jsonl; a folder with checkpoints is resumed",
             "model": "tiny | 1b (Llama 3.2 1B shape) | 8b (Llama 3 8B shape)",
             "batch_size": "sequences per GPU per micro-batch", "parallel": "ddp | fsdp (FSDP2) with several GPUs",
             "attention": "auto (flex on GPU, SDPA mask on CPU) | flex | sdpa | causal (no document mask)",
             "peak_tflops": "peak bf16 TFLOP/s of one device, for MFU (default: from the device name)",
             "tokenizer_sha256": "sha256 of the tokenizer.model the mix must have been tokenized with"}
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.type in ("bool", bool):
            p.add_argument(flag, action="store_true", help=helps.get(f.name))
        else:
            kind = {"int": int, "float": float}.get(str(f.type).split(" ")[0], str)
            p.add_argument(flag, type=kind, default=default, required=default is None and f.name in ("mix", "out"),
                           help=helps.get(f.name, f"default {default}"))
    return TrainConfig(**vars(p.parse_args(argv)))


def local_tokenizer_sha256() -> str | None:
    """sha256 of the Llama 3 ``tokenizer.model`` installed here; None on a machine without curate's deps."""
    try:
        from curate.tokenizer import TokenizerMissing
        from data_mix.manifest import tokenizer_identity

        return tokenizer_identity()["sha256"]
    except (ImportError, TokenizerMissing):
        return None


def main(argv: list[str] | None = None) -> int:
    cfg = parse(argv)
    if cfg.tokenizer_sha256 is None:
        cfg = dataclasses.replace(cfg, tokenizer_sha256=local_tokenizer_sha256())
    train(cfg)
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
