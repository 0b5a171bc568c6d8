"""Fast (bf16) forward pass of a V1 model: weights packed once, bf16 where the accuracy budget allows.

Built once per model from the exact module (LoadedModel.fast_module):
- the query/key/value matrices fused into one [3D, D] bf16 matrix, and every other matrix transposed once
  into the contiguous [out, in] bf16 layout the bf16 GEMM reads directly (no per-call cast or transposed view);
- the matrix products take bf16 inputs (one cast per LayerNorm output), the residual stream, LayerNorms,
  rotary embedding, attention softmax (f32 scaled_dot_product_attention) and the logits stay f32.

Not network-exact: measured against exact, a demo model's loss moves by < 1e-3 (tests/engine/test_scorer.py)
and a random D=512, 4-layer model's by 8.6e-4 (benchmarks/bench_engine_throughput.py).
"""

from __future__ import annotations

from typing import cast

import torch
import torch.nn.functional as F

from soma_desktop.engine.architecture import LAYER_NORM_EPS
from soma_desktop.engine.model import Layer, V1Model, apply_rope, rope_tables

BF16 = torch.bfloat16
ATTENTION_DTYPE = torch.float32     # CPU flash attention is no faster in bf16, and f32 keeps the softmax inputs exact


def _packed(weight: torch.Tensor) -> torch.Tensor:
    """Canonical [in, out] f32 → contiguous [out, in] bf16 (F.linear's native layout)."""
    return weight.detach().t().contiguous().to(BF16)


class _FastLayer:
    def __init__(self, layer: Layer) -> None:
        attention, ffn = layer.attention, layer.pwff
        self.heads = attention.num_heads
        self.norm_1 = (layer.norm_1.gamma.detach(), layer.norm_1.beta.detach())
        self.norm_2 = (layer.norm_2.gamma.detach(), layer.norm_2.beta.detach())
        projections = (attention.query, attention.key, attention.value)
        self.qkv = _packed(torch.cat([p.weight for p in projections], dim=1))
        self.qkv_bias = torch.cat([p.bias.detach() for p in projections]).to(BF16)
        self.output, self.output_bias = _packed(attention.output.weight), attention.output.bias.detach().to(BF16)
        self.inner, self.inner_bias = _packed(ffn.linear_inner.weight), ffn.linear_inner.bias.detach().to(BF16)
        self.outer, self.outer_bias = _packed(ffn.linear_outer.weight), ffn.linear_outer.bias.detach().to(BF16)

    def __call__(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        batch, seq, dim = x.shape
        shape = (batch, seq, self.heads, dim // self.heads)
        h = F.layer_norm(x, (dim,), *self.norm_1, LAYER_NORM_EPS).to(BF16)
        q, k, v = F.linear(h, self.qkv, self.qkv_bias).to(ATTENTION_DTYPE).split(dim, dim=-1)  # type: ignore[no-untyped-call]
        q = apply_rope(q.reshape(shape), cos, sin).to(ATTENTION_DTYPE)
        k = apply_rope(k.reshape(shape), cos, sin).to(ATTENTION_DTYPE)
        ctx = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.reshape(shape).transpose(1, 2),
                                             is_causal=True)
        ctx = ctx.transpose(1, 2).reshape(batch, seq, dim).to(BF16)
        x = x + F.linear(ctx, self.output, self.output_bias)          # bf16 + f32 → f32 residual
        h = F.layer_norm(x, (dim,), *self.norm_2, LAYER_NORM_EPS).to(BF16)
        hidden = F.gelu(F.linear(h, self.inner, self.inner_bias), approximate="none")
        return x + F.linear(hidden, self.outer, self.outer_bias)


class FastV1:
    """Same `encode` / `predict` interface as V1Model."""

    def __init__(self, module: V1Model):
        self.arch = module.arch
        self.embedding = module.embedding.weight.detach()
        self.layers = [_FastLayer(cast(Layer, layer)) for layer in module.encoder.layers]
        self.final_norm = (module.final_norm.gamma.detach(), module.final_norm.beta.detach())
        self.predictor = module.predictor.weight.detach().t().contiguous()          # f32: tiny, keeps logits exact-ish
        self.predictor_bias = module.predictor.bias.detach()

    def encode(self, tokens: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        x = F.embedding(tokens, self.embedding)
        cos, sin = rope_tables(positions, self.arch.head_dim)
        for layer in self.layers:
            x = layer(x, cos, sin)
        return F.layer_norm(x, (x.shape[-1],), *self.final_norm, LAYER_NORM_EPS)

    def predict(self, representations: torch.Tensor) -> torch.Tensor:
        return F.linear(representations, self.predictor, self.predictor_bias)
