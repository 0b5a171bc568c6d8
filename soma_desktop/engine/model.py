"""SOMA V1 byte-level transformer in torch (scoring.md §3), with parameters in the canonical layout.

Parameter names equal the canonical safetensors keys and Linear weights keep the canonical [in, out]
layout, so a state_dict *is* a canonical file and loading needs neither renames nor transposed copies:
F.linear receives the transposed view `weight.t()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn as nn
import torch.nn.functional as F

from soma_desktop.engine.architecture import LAYER_NORM_EPS, ROPE_MAX_WAVELENGTH, Architecture


class Linear(nn.Module):
    """y = x @ W + b with W stored [in, out] (burn LinearLayout::Row)."""

    def __init__(self, fan_in: int, fan_out: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(fan_in, fan_out))
        self.bias = nn.Parameter(torch.empty(fan_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight.t(), self.bias)

    if TYPE_CHECKING:   # nn.Module.__call__ is typed Any; calling the module runs forward()
        def __call__(self, x: torch.Tensor) -> torch.Tensor: ...


class LayerNorm(nn.Module):
    """Biased-variance LayerNorm, eps 1e-5, parameters named gamma/beta like burn."""

    def __init__(self, dim: int):
        super().__init__()
        self.gamma = nn.Parameter(torch.empty(dim))
        self.beta = nn.Parameter(torch.empty(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.gamma, self.beta, LAYER_NORM_EPS)

    if TYPE_CHECKING:   # nn.Module.__call__ is typed Any; calling the module runs forward()
        def __call__(self, x: torch.Tensor) -> torch.Tensor: ...


def rope_tables(positions: torch.Tensor, head_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin [B, T, 1, head_dim/2] with angle = f32(pos) / powf(10000, 2j/head_dim) (division, like burn)."""
    fraction = 2 * torch.arange(0, head_dim // 2, dtype=torch.float32, device=positions.device) / head_dim
    timescale = torch.pow(torch.tensor(ROPE_MAX_WAVELENGTH, dtype=torch.float32, device=positions.device), fraction)
    angle = positions.to(torch.float32).unsqueeze(-1) / timescale
    angle = angle.unsqueeze(-2)
    return torch.cos(angle), torch.sin(angle)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Half-split (rotate-half) RoPE on [B, T, H, head_dim]."""
    first, second = x.chunk(2, dim=-1)
    return torch.cat((first * cos - second * sin, second * cos + first * sin), dim=-1)


class Attention(nn.Module):
    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.query = Linear(dim, dim)
        self.key = Linear(dim, dim)
        self.value = Linear(dim, dim)
        self.output = Linear(dim, dim)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        batch, seq, dim = x.shape
        shape = (batch, seq, self.num_heads, dim // self.num_heads)
        q = apply_rope(self.query(x).reshape(shape), *rope)
        k = apply_rope(self.key(x).reshape(shape), *rope)
        v = self.value(x).reshape(shape)
        if q.dtype != v.dtype:  # bf16 projections meet f32 rotary tables under autocast
            q, k = q.to(v.dtype), k.to(v.dtype)
        # The network replaces masked scores by -1e4 and soma-models by finfo.min; after the softmax both
        # give exactly 0 in f32 unless every visible score is below ~-1e4, so a causal SDPA is equivalent.
        ctx = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.output(ctx.transpose(1, 2).reshape(batch, seq, dim))

    if TYPE_CHECKING:   # nn.Module.__call__ is typed Any; calling the module runs forward()
        def __call__(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor: ...


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.linear_inner = Linear(dim, hidden)
        self.linear_outer = Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_outer(F.gelu(self.linear_inner(x), approximate="none"))

    if TYPE_CHECKING:   # nn.Module.__call__ is typed Any; calling the module runs forward()
        def __call__(self, x: torch.Tensor) -> torch.Tensor: ...


class Layer(nn.Module):
    def __init__(self, arch: Architecture):
        super().__init__()
        self.norm_1 = LayerNorm(arch.embedding_dim)
        self.attention = Attention(arch.embedding_dim, arch.num_heads)
        self.norm_2 = LayerNorm(arch.embedding_dim)
        self.pwff = FeedForward(arch.embedding_dim, arch.ffn_dim)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        x = x + self.attention(self.norm_1(x), rope)
        return x + self.pwff(self.norm_2(x))

    if TYPE_CHECKING:   # nn.Module.__call__ is typed Any; calling the module runs forward()
        def __call__(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor: ...


class Encoder(nn.Module):
    def __init__(self, arch: Architecture):
        super().__init__()
        self.layers = nn.ModuleList(Layer(arch) for _ in range(arch.num_layers))


class Embedding(nn.Module):
    def __init__(self, vocab: int, dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(vocab, dim))


class V1Model(nn.Module):
    """Pre-norm V1 transformer; `encode` returns the final-LayerNorm representations R, `predict` the logits."""

    def __init__(self, arch: Architecture):
        super().__init__()
        self.arch = arch
        self.embedding = Embedding(arch.vocab_size, arch.embedding_dim)
        self.encoder = Encoder(arch)
        self.final_norm = LayerNorm(arch.embedding_dim)
        self.predictor = Linear(arch.embedding_dim, arch.vocab_size)

    def encode(self, tokens: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        x = F.embedding(tokens, self.embedding.weight)
        rope = rope_tables(positions, self.arch.head_dim)
        for layer in self.encoder.layers:
            x = layer(x, rope)
        return self.final_norm(x)

    def predict(self, representations: torch.Tensor) -> torch.Tensor:
        return self.predictor(representations)

    def forward(self, tokens: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        return self.predict(self.encode(tokens, positions))

    def init_random(self, generator: torch.Generator | None = None, std: float = 0.02) -> V1Model:
        """Fresh weights for training or tests: LayerNorm gamma 1, beta 0, biases 0, matrices N(0, std)."""
        with torch.no_grad():
            for name, param in self.named_parameters():
                if name.endswith("gamma"):
                    param.fill_(1.0)
                elif name.endswith(("beta", "bias")):
                    param.zero_()
                else:
                    param.normal_(0.0, std, generator=generator)
        return self
