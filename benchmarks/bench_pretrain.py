"""Training throughput and MFU of a Llama 3 config, with the document mask and with plain causal attention.

    python benchmarks/bench_pretrain.py --model 1b --seq-len 8192 --batch-size 1 --compile \\
        --mix OUT/mix --modes doc,causal
    python benchmarks/bench_pretrain.py --model tiny --seq-len 256 --device cpu --modes sdpa-doc,causal

Modes: ``doc`` (flex_attention, block mask from document ids: the training default on GPU),
``flex-causal`` (flex_attention with a causal-only mask: the kernel without the document
sparsity), ``causal`` (SDPA ``is_causal``, the flash kernel; no document mask), ``sdpa-doc``
(SDPA with an explicit mask; CPU). Each mode trains the same model from the same seed on the
same batches (real packed documents from ``--mix``, or random ids cut into documents of
``--mean-doc`` tokens on average): AdamW, bf16 autocast on GPU, ``--warmup`` steps, then
``--steps`` timed steps. MFU: ``curate.train.flops`` (PaLM appendix B, 6N + 12LHQT), against the
device's peak dense bf16. Needs torch and numpy only (no Ray, no tokenizer). Prints one JSON
line per mode and writes them to ``--json`` when given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from curate.train import flops  # noqa: E402
from curate.train.model import Transformer, preset  # noqa: E402

ATTENTION = {"doc": "flex", "flex-causal": "flex", "causal": "causal", "sdpa-doc": "sdpa"}


def batches(args, vocab: int, n: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``n`` batches of (tokens B x T+1, doc_ids B x T+1), from a packed split or random documents."""
    rng = np.random.default_rng(0)
    need = args.batch_size * (args.seq_len + 1)
    if args.mix:
        from curate.train.data import PackedSplit

        part = PackedSplit(os.path.join(args.mix, "train")).parts[0]
        toks = np.asarray(part.tokens, dtype=np.int64)
        docs = np.searchsorted(np.asarray(part.offsets), np.arange(len(toks)), side="right")
    else:
        lengths = rng.exponential(args.mean_doc, size=need * n // args.mean_doc + 16).astype(np.int64) + 1
        docs = np.repeat(np.arange(len(lengths)), lengths)
        toks = rng.integers(0, vocab, size=len(docs))
    out = []
    for i in range(n):
        start = (i * need) % max(1, len(toks) - need)
        t = torch.from_numpy(toks[start:start + need].reshape(args.batch_size, -1) % vocab)
        d = torch.from_numpy(docs[start:start + need].reshape(args.batch_size, -1).astype(np.int64))
        out.append((t, d - d[:, :1]))
    return out


def run_mode(mode: str, args, device: torch.device) -> dict:
    cfg = preset(args.model, attention=ATTENTION[mode])
    torch.manual_seed(0)
    model = Transformer(cfg).to(device)
    if args.compile:
        for block in model.layers:
            block.compile()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=device.type == "cuda")
    bf16 = device.type == "cuda"
    data = batches(args, cfg.vocab_size, args.warmup + args.steps)
    docs_per_seq = float(np.mean([int(d[0].max()) + 1 for _, d in data]))

    def step(tokens, doc_ids):
        x, y = tokens[:, :-1].to(device), tokens[:, 1:].to(device)
        d = doc_ids[:, :-1].to(device)
        if mode == "flex-causal":
            d = torch.zeros_like(d)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = model(x, d, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.detach()

    t_compile = time.perf_counter()
    for tokens, doc_ids in data[:args.warmup]:
        loss = step(tokens, doc_ids)
    float(loss)
    warm_s = time.perf_counter() - t_compile
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for tokens, doc_ids in data[args.warmup:]:
        loss = step(tokens, doc_ids)
    final_loss = float(loss)
    if device.type == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    tps = args.steps * args.batch_size * args.seq_len / dt
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    peak = args.peak_tflops * 1e12 if args.peak_tflops else flops.peak_flops(name)
    m = flops.mfu(tps, cfg, args.seq_len, peak)
    res = {"mode": mode, "attention": cfg.attention, "model": args.model, "params": sum(p.numel() for p in model.parameters()),
           "seq_len": args.seq_len, "batch_size": args.batch_size, "docs_per_seq": round(docs_per_seq, 1),
           "steps": args.steps, "step_s": dt / args.steps, "tokens_per_s": tps, "mfu": m,
           "flops_per_token": flops.flops_per_token(cfg, args.seq_len), "warmup_s": warm_s, "loss": final_loss,
           "peak_mem_gib": torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None,
           "device": name, "torch": torch.__version__, "compile": args.compile}
    return res


def check_mask(device: torch.device) -> dict:
    """flex_attention's document mask against the explicit SDPA mask, on one small batch."""
    torch.manual_seed(0)
    ref = Transformer(preset("tiny", attention="sdpa", vocab_size=1024)).to(device).eval()
    flex = Transformer(preset("tiny", attention="flex", vocab_size=1024)).to(device).eval()
    flex.load_state_dict(ref.state_dict())
    doc_ids = torch.repeat_interleave(torch.arange(5), torch.tensor([100, 60, 300, 40, 12]))[None].to(device)
    tokens = torch.randint(0, 1024, (1, 512), device=device)
    with torch.no_grad():
        diff = (flex(tokens, doc_ids) - ref(tokens, doc_ids)).abs().max().item()
    return {"check": "flex document mask vs SDPA explicit mask (fp32 logits)", "max_abs_diff": diff}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="1b")
    p.add_argument("--seq-len", type=int, default=8192)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--modes", default="doc,causal", help=f"comma-separated, of {sorted(ATTENTION)}")
    p.add_argument("--mix", help="a built mix folder: real documents from train/part-00000")
    p.add_argument("--mean-doc", type=int, default=1000, help="mean document length of random documents")
    p.add_argument("--compile", action="store_true", help="torch.compile each block")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--peak-tflops", type=float, help="peak dense bf16 TFLOP/s (default: from the device name)")
    p.add_argument("--check", action="store_true", help="first compare flex's document mask with SDPA's")
    p.add_argument("--json", help="append the result lines to this file")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    results = [check_mask(device)] if args.check else []
    if results:
        print(json.dumps(results[0]), flush=True)
    for mode in args.modes.split(","):
        res = run_mode(mode, args, device)
        if device.type == "cuda":
            torch.cuda.empty_cache()  # the mode's model and optimizer went with its frame
        print(json.dumps(res), flush=True)
        results.append(res)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as f:
                f.write(json.dumps(res) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
