"""The Llama 3 architecture: a dense decoder with document-masked attention.

"The Llama 3 Herd of Models", section 3.2 and table 3: RMSNorm before attention and feed-forward,
SwiGLU feed-forward, rotary position embeddings with theta = 500,000, grouped-query attention
with 8 key-value heads, a 128,256-token vocabulary, and "an attention mask that prevents
self-attention between different documents within the same sequence".

Attention backends (``ModelConfig.attention``):

- ``flex``: ``torch.nn.attention.flex_attention`` with a block mask built from document ids
  (causal and same document); blocks that cross documents are skipped, so the masked FLOPs are
  not spent. The GPU default.
- ``sdpa``: ``scaled_dot_product_attention`` with an explicit boolean (T x T) mask from the same
  rule; exact on any device, memory quadratic in the sequence. The CPU default.
- ``causal``: plain causal attention across documents (SDPA, ``is_causal``): the baseline.

Not modelled: Llama 3.1's RoPE frequency scaling for 128K contexts (section 3.4.2), which
matters only when extending the context after pretraining.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ModelConfig:
    dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    ffn_dim: int
    vocab_size: int = 128_256
    rope_theta: float = 500_000.0
    norm_eps: float = 1e-5
    max_seq_len: int = 8192
    tie_embeddings: bool = False
    attention: str = "auto"  # auto | flex | sdpa | causal

    def __post_init__(self) -> None:
        if self.dim % self.n_heads or self.n_heads % self.n_kv_heads:
            raise ValueError(f"dim {self.dim} must divide by n_heads {self.n_heads}, "
                             f"and n_heads by n_kv_heads {self.n_kv_heads}")
        if self.attention not in ("auto", "flex", "sdpa", "causal"):
            raise ValueError(f"attention must be auto, flex, sdpa or causal, got {self.attention!r}")

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads


#: Shapes: ``1b`` is Llama 3.2 1B (tied embeddings), ``8b`` is Llama 3 8B (table 3); ``tiny``
#: keeps the real vocabulary and runs on a CPU in tests.
PRESETS = {
    "tiny": ModelConfig(dim=64, n_layers=2, n_heads=4, n_kv_heads=2, ffn_dim=192, max_seq_len=256,
                        tie_embeddings=True),
    "1b": ModelConfig(dim=2048, n_layers=16, n_heads=32, n_kv_heads=8, ffn_dim=8192, tie_embeddings=True),
    "8b": ModelConfig(dim=4096, n_layers=32, n_heads=32, n_kv_heads=8, ffn_dim=14336),
}


def preset(name: str, **overrides) -> ModelConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown model config {name!r}; presets are {sorted(PRESETS)}")
    return dataclasses.replace(PRESETS[name], **overrides)


def rope_tables(cfg: ModelConfig, seq_len: int, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin (seq_len x head_dim) of RoPE with base ``rope_theta``, halves layout."""
    half = cfg.head_dim // 2
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, half, device=device, dtype=torch.float64) / half))
    ang = torch.outer(torch.arange(seq_len, device=device, dtype=torch.float64), inv)
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos().float(), ang.sin().float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    rotated = torch.cat([-x2, x1], dim=-1)
    return (x.float() * cos + rotated.float() * sin).to(x.dtype)


def document_mask(doc_ids: torch.Tensor) -> torch.Tensor:
    """Boolean (B, 1, T, T) mask: query i sees key j when j <= i and both are in the same document."""
    t = doc_ids.shape[-1]
    causal = torch.ones(t, t, dtype=torch.bool, device=doc_ids.device).tril()
    return (doc_ids[:, :, None] == doc_ids[:, None, :]).logical_and(causal)[:, None]


_flex_compiled = None


def _flex():
    global _flex_compiled
    if _flex_compiled is None:
        from torch.nn.attention.flex_attention import flex_attention

        _flex_compiled = torch.compile(flex_attention, dynamic=False)
    return _flex_compiled


def flex_block_mask(doc_ids: torch.Tensor):
    """A flex_attention BlockMask for causal attention within documents (doc_ids: B x T)."""
    from torch.nn.attention.flex_attention import create_block_mask

    def same_doc_causal(b, h, q, kv):
        return (q >= kv) & (doc_ids[b, q] == doc_ids[b, kv])

    b, t = doc_ids.shape
    return create_block_mask(same_doc_causal, B=b, H=None, Q_LEN=t, KV_LEN=t, device=doc_ids.device,
                             _compile=doc_ids.is_cuda)


def attention_mode(cfg: ModelConfig, device: torch.device) -> str:
    if cfg.attention != "auto":
        return cfg.attention
    return "flex" if device.type == "cuda" else "sdpa"


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        hd = cfg.head_dim
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * hd, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.n_kv_heads * hd, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.n_kv_heads * hd, bias=False)
        self.wo = nn.Linear(cfg.n_heads * hd, cfg.dim, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mode: str, mask) -> torch.Tensor:
        b, t, _ = x.shape
        hd = self.cfg.head_dim
        q = apply_rope(self.wq(x).view(b, t, -1, hd).transpose(1, 2), cos, sin)
        k = apply_rope(self.wk(x).view(b, t, -1, hd).transpose(1, 2), cos, sin)
        v = self.wv(x).view(b, t, -1, hd).transpose(1, 2)
        if mode == "flex":
            y = _flex()(q, k, v, block_mask=mask, enable_gqa=True)
        elif mode == "sdpa":
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        return self.wo(y.transpose(1, 2).reshape(b, t, -1))


class FeedForward(nn.Module):
    """SwiGLU (Shazeer 2020): w2(silu(w1 x) * w3 x)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w2 = nn.Linear(cfg.ffn_dim, cfg.dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.attention_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attention = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.feed_forward = FeedForward(cfg)

    def forward(self, x, cos, sin, mode, mask):
        x = x + self.attention(self.attention_norm(x), cos, sin, mode, mask)
        return x + self.feed_forward(self.ffn_norm(x))


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.output.weight = self.tok_embeddings.weight
        self._rope: dict = {}
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        """Normal(0, 0.02); residual output projections scaled by 1/sqrt(2 n_layers) (GPT-2)."""
        for name, p in self.named_parameters():
            if p.dim() == 1:
                p.fill_(1.0)
            else:
                std = 0.02 / math.sqrt(2 * self.cfg.n_layers) if name.endswith(("wo.weight", "w2.weight")) else 0.02
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, tokens: torch.Tensor, doc_ids: torch.Tensor | None = None,
                targets: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (B, T, V), or the mean cross-entropy when ``targets`` is given.

        ``doc_ids`` (B, T) gives each token's document; attention never crosses a change of id.
        Without it every row is one document.
        """
        b, t = tokens.shape
        mode = attention_mode(self.cfg, tokens.device)
        mask = None
        if mode != "causal":
            if doc_ids is None:
                doc_ids = torch.zeros_like(tokens)
            mask = flex_block_mask(doc_ids) if mode == "flex" else document_mask(doc_ids)
        key = (t, str(tokens.device))
        if key not in self._rope:
            self._rope = {key: rope_tables(self.cfg, t, tokens.device)}
        cos, sin = self._rope[key]
        h = self.tok_embeddings(tokens)
        for layer in self.layers:
            h = layer(h, cos, sin, mode, mask)
        logits = self.output(self.norm(h))
        if targets is None:
            return logits
        return F.cross_entropy(logits.float().view(-1, logits.shape[-1]), targets.reshape(-1))


def param_counts(model: Transformer) -> dict[str, int]:
    """Total (shared weights once), embedding lookup, and the rest."""
    total = sum(p.numel() for p in model.parameters())
    emb = model.tok_embeddings.weight.numel()
    return {"total": total, "embedding": emb, "non_embedding": total - emb}
