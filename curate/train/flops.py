"""Model FLOPs per token and model FLOPs utilization (MFU).

PaLM (Chowdhery et al. 2022), appendix B: a decoder does ``6N + 12 L H Q T`` matmul FLOPs
per trained token (forward and backward), with ``N`` the parameters that take part in matmuls,
``L`` layers, ``H`` heads, ``Q`` head dimension and ``T`` the sequence length; the second term
is attention's QK^T and AV. As torchtitan does, ``N`` leaves out the embedding lookup (no
matmul) but counts the output projection, tied or not. The attention term is the nominal one
for full attention; causal or document masking skip some of it, which MFU does not credit,
so a masked run and a plain causal run of the same model are compared on the same FLOPs.

MFU = tokens/s x FLOPs per token / (devices x peak dense bf16 FLOP/s).
"""

from __future__ import annotations

from curate.train.model import ModelConfig

#: Peak dense bf16 tensor-core FLOP/s (vendor data sheets; no sparsity).
PEAK_BF16 = {"H200": 989e12, "H100 PCIe": 756e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12,
             "A10": 125e12, "L4": 121e12}


def matmul_params(cfg: ModelConfig) -> int:
    hd = cfg.head_dim
    attn = cfg.dim * hd * (cfg.n_heads * 2 + cfg.n_kv_heads * 2)
    ffn = 3 * cfg.dim * cfg.ffn_dim
    return cfg.n_layers * (attn + ffn) + cfg.dim * cfg.vocab_size


def flops_per_token(cfg: ModelConfig, seq_len: int) -> float:
    """``6N + 12 L H Q T`` (PaLM appendix B)."""
    return 6.0 * matmul_params(cfg) + 12.0 * cfg.n_layers * cfg.n_heads * cfg.head_dim * seq_len


def peak_flops(device_name: str) -> float | None:
    """Peak bf16 FLOP/s of a CUDA device by name (``torch.cuda.get_device_name``); None when unknown."""
    for key, peak in PEAK_BF16.items():
        if key.lower() in device_name.lower():
            return peak
    return None


def mfu(tokens_per_s: float, cfg: ModelConfig, seq_len: int, peak: float | None, devices: int = 1) -> float | None:
    if not peak:
        return None
    return tokens_per_s * flops_per_token(cfg, seq_len) / (devices * peak)
