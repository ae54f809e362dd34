"""The pretraining loop: AdamW, warmup then cosine, clipping, bf16, DDP or FSDP2, checkpoints.

Llama 3 (section 3.4.1) trains with AdamW, a linear warmup then a cosine decay of the learning
rate; the defaults here (betas 0.9/0.95, weight decay 0.1, clip 1.0, decay to 10% of the peak)
are the usual Llama settings. On a GPU the matmuls run in bf16 (autocast, or FSDP2's
mixed-precision policy: bf16 parameters, fp32 gradient reduction); on a CPU in fp32.

A checkpoint (``OUT/ckpt/step-NNNNNNN.pt``, written by rank 0, atomically) holds the model and
optimizer state, the model and training configs, the step, the loader position and the
tokenizer identity of the mix. A run whose ``OUT`` holds checkpoints resumes from the newest,
reads the batches an uninterrupted run would have read, and so continues on the same loss
curve. Metrics go to stdout and ``OUT/metrics.jsonl`` (loss, lr, grad norm, tokens/s, MFU,
evaluation loss on the held-out split).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from curate.train import flops
from curate.train.data import Loader, PackedSplit, check_tokenizer, read_manifest
from curate.train.model import ModelConfig, Transformer, preset

CKPT_DIR = "ckpt"
KEEP_CHECKPOINTS = 2


@dataclass
class TrainConfig:
    mix: str  # a built mix folder: manifest.json, train/, val/
    out: str  # checkpoints and metrics.jsonl
    model: str = "tiny"  # tiny | 1b | 8b
    steps: int = 1000
    batch_size: int = 8  # sequences per rank per micro-batch
    grad_accum: int = 1
    seq_len: int = 256
    lr: float = 3e-4
    min_lr_ratio: float = 0.1
    warmup_steps: int = 100
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    eval_every: int = 100
    eval_batches: int = 4
    ckpt_every: int = 100
    log_every: int = 10
    seed: int = 0
    attention: str = "auto"  # auto | flex | sdpa | causal
    parallel: str = "ddp"  # ddp | fsdp (used when WORLD_SIZE > 1)
    compile: bool = False  # torch.compile each block
    peak_tflops: float | None = None  # MFU denominator per device; default from the device name
    tokenizer_sha256: str | None = None  # refuse a mix tokenized otherwise
    trim_vocab: bool = False  # CPU tests only: embed just the ids the train split uses (see trimmed_vocab)


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warmup to ``lr`` over ``warmup_steps``, then cosine decay to ``min_lr_ratio * lr``."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    frac = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * frac)))


def trimmed_vocab(split: PackedSplit, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The ids a split uses, and a map from every tokenizer id to 1..n (0 for ids the split lacks).

    With the real 128,256-entry vocabulary, the output layer and softmax are nearly all of a tiny
    model's cost; on a busy CPU a few hundred steps then take minutes. ``--trim-vocab`` embeds
    only the ids the training split uses (a few thousand for a test mix) and maps the rest to one
    shared row, so tests of loss and resumption run in seconds. The tokenizer check still compares
    the manifest's full tokenizer. Not for real runs.
    """
    used = np.unique(np.concatenate([np.unique(np.asarray(p.tokens)) for p in split.parts])).astype(np.int64)
    id_map = np.zeros(vocab_size, dtype=np.int64)
    id_map[used] = np.arange(1, len(used) + 1)
    return used, id_map


def _dist() -> tuple[int, int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank() if world > 1 else 0), world, int(os.environ.get("LOCAL_RANK", "0"))


def _latest_checkpoint(out: str) -> str | None:
    folder = os.path.join(out, CKPT_DIR)
    if not os.path.isdir(folder):
        return None
    names = sorted(f for f in os.listdir(folder) if f.startswith("step-") and f.endswith(".pt"))
    return os.path.join(folder, names[-1]) if names else None


def _full_state(model, optim, fsdp: bool) -> tuple[dict, dict]:
    if fsdp:
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_state_dict

        return get_state_dict(model, optim, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
    return model.state_dict(), optim.state_dict()


def _load_state(model, optim, ckpt: dict, fsdp: bool) -> None:
    if fsdp:
        from torch.distributed.checkpoint.state_dict import StateDictOptions, set_state_dict

        set_state_dict(model, optim, model_state_dict=ckpt["model"], optim_state_dict=ckpt["optim"],
                       options=StateDictOptions(full_state_dict=True))
    else:
        model.load_state_dict(ckpt["model"])
        optim.load_state_dict(ckpt["optim"])


def save_checkpoint(out: str, payload: dict) -> str:
    folder = os.path.join(out, CKPT_DIR)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"step-{payload['step']:07d}.pt")
    torch.save(payload, path + ".tmp")
    os.replace(path + ".tmp", path)
    for old in sorted(f for f in os.listdir(folder) if f.endswith(".pt"))[:-KEEP_CHECKPOINTS]:
        os.remove(os.path.join(folder, old))
    return path


def _truncate_metrics(path: str, step: int) -> None:
    """Drop the lines a killed run logged after its last checkpoint: the resumed run logs those steps again."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            keep = [line for line in f if line.strip() and json.loads(line)["step"] <= step]
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.writelines(keep)
        os.replace(path + ".tmp", path)


def train(cfg: TrainConfig, log=print) -> list[dict]:
    """Train (or resume) as ``cfg`` says; returns the metrics of the steps this call ran."""
    rank, world, local_rank = _dist()
    device = torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    resume_path = _latest_checkpoint(cfg.out)
    ckpt = torch.load(resume_path, map_location="cpu", weights_only=False) if resume_path else None
    mcfg = ModelConfig(**ckpt["model_config"]) if ckpt else preset(cfg.model, attention=cfg.attention)
    manifest = read_manifest(cfg.mix)
    expected = dict(ckpt["tokenizer"]) if ckpt else ({"sha256": cfg.tokenizer_sha256} if cfg.tokenizer_sha256 else {})
    check_tokenizer(manifest, preset(cfg.model).vocab_size, expected)
    train_split = PackedSplit(os.path.join(cfg.mix, "train"), manifest["splits"]["train"]["parts"])
    id_map = None
    if cfg.trim_vocab:
        used, id_map = trimmed_vocab(train_split, preset(cfg.model).vocab_size)
        if ckpt is None:
            mcfg = dataclasses.replace(mcfg, vocab_size=len(used) + 1)
    if cfg.seq_len > mcfg.max_seq_len:
        raise ValueError(f"seq_len {cfg.seq_len} exceeds the {cfg.model} config's max_seq_len {mcfg.max_seq_len}")

    torch.manual_seed(cfg.seed)
    model = Transformer(mcfg).to(device)
    bf16 = device.type == "cuda"
    fsdp = world > 1 and cfg.parallel == "fsdp"
    if cfg.compile:
        for block in model.layers:
            block.compile()
    if fsdp:
        from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

        mp = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32) if bf16 else None
        kw = {"mp_policy": mp} if mp else {}
        for block in model.layers:
            fully_shard(block, **kw)
        fully_shard(model, **kw)
        net = model
    elif world > 1:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank] if bf16 else None)
    else:
        net = model
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optim = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                               {"params": no_decay, "weight_decay": 0.0}],
                              lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), fused=device.type == "cuda")
    loader = Loader(train_split, cfg.seq_len, cfg.batch_size, seed=cfg.seed, rank=rank, world=world, id_map=id_map)
    val = None
    if manifest["splits"].get("val", {}).get("parts"):
        vsplit = PackedSplit(os.path.join(cfg.mix, "val"), manifest["splits"]["val"]["parts"])
        if vsplit.windows(cfg.seq_len).sum() >= cfg.batch_size * world:
            val = vsplit
    step = 0
    if ckpt:
        _load_state(net if fsdp else model, optim, ckpt, fsdp)
        loader.load_state(ckpt["loader"])
        step = ckpt["step"]
        if rank == 0:
            log(f"resumed from {resume_path} at step {step}")
            _truncate_metrics(os.path.join(cfg.out, "metrics.jsonl"), step)
        del ckpt
    peak = cfg.peak_tflops * 1e12 if cfg.peak_tflops else (
        flops.peak_flops(torch.cuda.get_device_name(device)) if device.type == "cuda" else None)
    tokens_per_step = cfg.batch_size * cfg.seq_len * cfg.grad_accum * world
    if rank == 0:
        os.makedirs(cfg.out, exist_ok=True)
        n = sum(p.numel() for p in model.parameters())
        log(f"model {cfg.model}: {n / 1e6:.1f}M parameters, attention {cfg.attention}, device {device}, "
            f"world {world}, {tokens_per_step:,} tokens/step, train split {train_split.tokens:,} tokens")

    def autocast():
        return torch.autocast("cuda", dtype=torch.bfloat16) if bf16 and not fsdp else torch.autocast("cpu", enabled=False)

    def evaluate() -> float:
        vl = Loader(val, cfg.seq_len, cfg.batch_size, rank=rank, world=world, shuffle=False, id_map=id_map)
        n = min(cfg.eval_batches, vl.n_windows // (cfg.batch_size * world))
        total = torch.zeros((), device=device)
        net.eval()
        with torch.no_grad():
            for _ in range(n):
                x, y, d = (t.to(device) for t in vl.next_batch())
                with autocast():
                    total += net(x, d, y).float()
        net.train()
        if world > 1:
            dist.all_reduce(total)
        return float(total) / (n * world)

    history = []
    t0, tok0 = time.perf_counter(), 0
    metrics_path = os.path.join(cfg.out, "metrics.jsonl")
    while step < cfg.steps:
        lr = lr_at(step, cfg)
        for g in optim.param_groups:
            g["lr"] = lr
        loss_sum = torch.zeros((), device=device)
        for micro in range(cfg.grad_accum):
            x, y, d = (t.to(device, non_blocking=True) for t in loader.next_batch())
            sync = micro == cfg.grad_accum - 1
            if world > 1 and not fsdp:
                net.require_backward_grad_sync = sync
            elif fsdp:
                net.set_requires_gradient_sync(sync)
            with autocast():
                loss = net(x, d, y) / cfg.grad_accum
            loss.backward()
            loss_sum += loss.detach()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optim.step()
        optim.zero_grad(set_to_none=True)
        step += 1
        tok0 += tokens_per_step
        if world > 1:
            dist.all_reduce(loss_sum, op=dist.ReduceOp.AVG)
        rec = {"step": step, "loss": float(loss_sum), "lr": lr, "grad_norm": float(grad_norm)}
        if step % cfg.log_every == 0 or step == cfg.steps:
            if device.type == "cuda":
                torch.cuda.synchronize()
            dt = time.perf_counter() - t0
            rec["tokens_per_s"] = tok0 / dt
            m = flops.mfu(rec["tokens_per_s"], mcfg, cfg.seq_len, peak, world)
            if m is not None:
                rec["mfu"] = m
            t0, tok0 = time.perf_counter(), 0
        if val is not None and (step % cfg.eval_every == 0 or step == cfg.steps):
            rec["eval_loss"] = evaluate()
        if step % cfg.ckpt_every == 0 or step == cfg.steps:
            model_sd, optim_sd = _full_state(net if fsdp else model, optim, fsdp)
            if rank == 0:
                save_checkpoint(cfg.out, {"model": model_sd, "optim": optim_sd, "step": step,
                                          "model_config": dataclasses.asdict(mcfg),
                                          "train_config": dataclasses.asdict(cfg), "loader": loader.state(),
                                          "tokenizer": manifest["tokenizer"]})
        history.append(rec)
        if rank == 0:
            with open(metrics_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
            if "tokens_per_s" in rec or "eval_loss" in rec:
                log(" ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in rec.items()))
    return history
