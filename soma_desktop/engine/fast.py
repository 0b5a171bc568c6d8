"""Fast (bf16) forward pass of a V1 model: weights packed once, bf16 where the accuracy budget allows.

Built once per model from the exact module (LoadedModel.fast_module):
- every matrix is packed once into bf16: on CPU into oneDNN's blocked layout (the prepacked linear that
  torch.compile's CPU passes use, GELU fused into the FFN's first product), elsewhere — or where this torch
  lacks those ops — into the contiguous [out, in] layout F.linear reads directly;
- query/key/value are one fused product; each head's query/key columns are permuted from RoPE's half-split
  pairs (j, j + d/2) to adjacent pairs, so RoPE is one complex multiply (q·k is unchanged, both permuted
  alike), and the query weights carry the 1/√d softmax scale;
- causal attention on CPU, for heads of ≥ 64 dimensions, runs as bf16 batched products over 128-query
  blocks that skip the masked keys (softmax statistics in f32 inside torch's bf16 softmax): the CPU flash
  kernel is no faster in bf16 on CPUs without AMX, and on 64-dim heads the blocked form takes ~40% less
  time than its f32 form; narrower heads keep the f32 flash kernel (there the softmax, not the products,
  dominates);
- the residual stream, LayerNorm statistics, RoPE, the final LayerNorm and the logits stay f32.

Not network-exact: against exact, the demo models' losses move by ≤ 2.1e-4 and a random 50M-parameter
model's by < 1e-3 (tests/engine/test_fast.py, benchmarks/bench_engine_throughput.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import torch
import torch.nn.functional as F

from soma_desktop.engine.architecture import LAYER_NORM_EPS
from soma_desktop.engine.model import Layer, V1Model, rope_tables

BF16 = torch.bfloat16
QUERY_BLOCK = 128      # measured: 128 beats 64 (more calls) and 256 (more masked work) on the 1024-token chunk
BLOCKED_MIN_HEAD_DIM = 64   # narrower heads: the softmax dominates and the fused f32 flash kernel is as fast or faster

LinearOps = tuple[Callable[..., torch.Tensor], Callable[..., torch.Tensor]]


def mkldnn_linear_ops() -> LinearOps | None:
    """oneDNN's weight prepack and fused linear, where this torch build has them."""
    namespace = getattr(torch.ops, "mkldnn", None)
    reorder = getattr(namespace, "_reorder_linear_weight", None)
    linear = getattr(namespace, "_linear_pointwise", None)
    if reorder is None or linear is None or not torch.backends.mkldnn.is_available():  # type: ignore[no-untyped-call]
        return None
    return reorder, linear


def _probe(ops: LinearOps) -> bool:
    """Run a tiny packed bf16 linear (with the fused GELU) and compare it with F.linear: a build or CPU that
    lacks bf16 oneDNN support raises or disagrees, and fast mode then uses F.linear."""
    reorder, linear = ops
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(4, 16, generator=generator).to(BF16)
    weight = torch.randn(8, 16, generator=generator).to(BF16)
    bias = torch.randn(8, generator=generator)
    try:
        packed = reorder(weight, 4)
        plain = linear(x, packed, bias, "none", [], "")
        fused = linear(x, packed, bias, "gelu", [], "none")
    except (RuntimeError, TypeError):     # RuntimeError covers a missing kernel (NotImplementedError)
        return False
    expected = F.linear(x.float(), weight.float(), bias)
    return (plain.dtype == BF16 and torch.allclose(plain.float(), expected, atol=0.05, rtol=0.02)
            and torch.allclose(fused.float(), F.gelu(expected), atol=0.05, rtol=0.02))


def packed_linear_ops(device: torch.device) -> LinearOps | None:
    """The oneDNN ops to use on `device`, or None for the F.linear fallback (non-CPU, missing or failing ops)."""
    if device.type != "cpu":
        return None
    ops = mkldnn_linear_ops()
    return ops if ops is not None and _probe(ops) else None


class _Linear:
    """y = x @ W + b with W packed once in bf16; optionally GELU(y) (erf form, as exact mode)."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, ops: LinearOps | None, rows: int) -> None:
        matrix = weight.detach().t().contiguous().to(BF16)          # canonical [in, out] → [out, in]
        self.ops = ops
        if ops is None:
            self.weight, self.bias = matrix, bias.detach().to(BF16)
        else:
            self.weight, self.bias = ops[0](matrix, rows), bias.detach().float().contiguous()

    def __call__(self, x: torch.Tensor, gelu: bool = False) -> torch.Tensor:
        if self.ops is not None:
            return self.ops[1](x, self.weight, self.bias, "gelu" if gelu else "none", [], "none" if gelu else "")
        y = F.linear(x, self.weight, self.bias)
        return F.gelu(y, approximate="none") if gelu else y


def _pairs_adjacent(weight: torch.Tensor, bias: torch.Tensor, heads: int,
                    scale: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Reorder each head's output columns (j, j + d/2) → (2j, 2j + 1), scaled."""
    fan_in, dim = weight.shape
    half = dim // heads // 2
    weight = weight.detach().reshape(fan_in, heads, 2, half).transpose(2, 3).reshape(fan_in, dim)
    bias = bias.detach().reshape(heads, 2, half).transpose(1, 2).reshape(dim)
    return weight * scale, bias * scale


def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, block: int = QUERY_BLOCK) -> torch.Tensor:
    """Causal softmax(q·kᵀ)·v for [N, T, d] bf16 (q already scaled), block by block of queries: each block
    sees only the keys up to its last query, and only its diagonal tile needs the mask."""
    seq = q.shape[1]
    mask = torch.full((block, block), float("-inf"), dtype=q.dtype, device=q.device).triu(1)
    out = []
    for start in range(0, seq, block):
        stop = min(start + block, seq)
        scores = torch.bmm(q[:, start:stop], k[:, :stop].transpose(1, 2))
        scores[:, :, start:stop] += mask[:stop - start, :stop - start]
        out.append(torch.bmm(torch.softmax(scores, dim=-1), v[:, :stop]))
    return torch.cat(out, dim=1)


def _head_major(x: torch.Tensor, heads: int) -> torch.Tensor:
    """[B, T, heads, d] → contiguous bf16 [heads·B, T, d] (head-major, so a slice of heads stays contiguous)."""
    batch, seq, _, head_dim = x.shape
    out = torch.empty((heads, batch, seq, head_dim), dtype=BF16, device=x.device)
    out.copy_(x.permute(2, 0, 1, 3))
    return out.reshape(heads * batch, seq, head_dim)


class _FastLayer:
    def __init__(self, layer: Layer, ops: LinearOps | None, rows: int, blocked: bool) -> None:
        attention, ffn = layer.attention, layer.pwff
        self.blocked = blocked
        self.heads = heads = attention.num_heads
        dim = attention.query.weight.shape[0]
        self.norm_1 = (layer.norm_1.gamma.detach(), layer.norm_1.beta.detach())
        self.norm_2 = (layer.norm_2.gamma.detach(), layer.norm_2.beta.detach())
        query = _pairs_adjacent(attention.query.weight, attention.query.bias, heads, (dim // heads) ** -0.5)
        key = _pairs_adjacent(attention.key.weight, attention.key.bias, heads)
        value = attention.value.weight.detach(), attention.value.bias.detach()
        self.qkv = _Linear(torch.cat([query[0], key[0], value[0]], dim=1),
                           torch.cat([query[1], key[1], value[1]]), ops, rows)
        self.output = _Linear(attention.output.weight, attention.output.bias, ops, rows)
        self.inner = _Linear(ffn.linear_inner.weight, ffn.linear_inner.bias, ops, rows)
        self.outer = _Linear(ffn.linear_outer.weight, ffn.linear_outer.bias, ops, rows)

    def __call__(self, x: torch.Tensor, rope: torch.Tensor) -> torch.Tensor:
        batch, seq, dim = x.shape
        h = F.layer_norm(x, (dim,), *self.norm_1, LAYER_NORM_EPS).to(BF16)
        ctx = self._attention(self.qkv(h), rope)
        x = x + self.output(ctx)                                          # f32 residual stream
        h = F.layer_norm(x, (dim,), *self.norm_2, LAYER_NORM_EPS).to(BF16)
        return x.add_(self.outer(self.inner(h, gelu=True)))

    def _attention(self, qkv: torch.Tensor, rope: torch.Tensor) -> torch.Tensor:
        """[B, T, 3D] bf16 → context [B, T, D] bf16."""
        batch, seq, three_dim = qkv.shape
        dim, heads = three_dim // 3, self.heads
        head_dim = dim // heads
        pairs = torch.view_as_complex(qkv[..., :2 * dim].float().reshape(batch, seq, 2 * heads, head_dim // 2, 2))
        rotated = torch.view_as_real(pairs * rope).reshape(batch, seq, 2 * heads, head_dim)
        # head-major and contiguous in one pass each (bmm would otherwise copy strided operands per block)
        qk = _head_major(rotated, 2 * heads)
        q, k = qk[:heads * batch], qk[heads * batch:]
        v = _head_major(qkv[..., 2 * dim:].reshape(batch, seq, heads, head_dim), heads)
        if self.blocked:
            ctx = causal_attention(q, k, v)
        elif qkv.device.type == "cpu":      # the CPU flash kernel, f32 (it is no faster in bf16 without AMX)
            ctx = F.scaled_dot_product_attention(q[None].float(), k[None].float(), v[None].float(),
                                                 is_causal=True, scale=1.0)[0].to(BF16)
        else:
            ctx = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True, scale=1.0)[0]
        return ctx.reshape(heads, batch, seq, head_dim).permute(1, 2, 0, 3).reshape(batch, seq, dim)


class FastV1:
    """Same `encode` / `predict` interface as V1Model."""

    def __init__(self, module: V1Model, ops: LinearOps | None | str = "auto", rows: int = 1024,
                 attention: str = "auto"):
        """`ops`: "auto" picks oneDNN's packed linear on CPU when it works; None forces F.linear.
        `rows`: the expected rows per product (one 1024-token chunk), oneDNN's packing hint.
        `attention`: "blocked" (causal_attention), "sdpa" (torch's fused kernel), or "auto": blocked on CPU
        for heads of at least BLOCKED_MIN_HEAD_DIM, else sdpa."""
        if attention not in ("auto", "blocked", "sdpa"):
            raise ValueError(f"unknown attention '{attention}'")
        self.arch = module.arch
        device = module.embedding.weight.device
        self.ops = packed_linear_ops(device) if ops == "auto" else cast(LinearOps | None, ops)
        blocked = attention == "blocked" or (attention == "auto" and device.type == "cpu"
                                             and self.arch.head_dim >= BLOCKED_MIN_HEAD_DIM)
        self.embedding = module.embedding.weight.detach()
        self.layers = [_FastLayer(cast(Layer, layer), self.ops, rows, blocked) for layer in module.encoder.layers]
        self.final_norm = (module.final_norm.gamma.detach(), module.final_norm.beta.detach())
        self.predictor = module.predictor.weight.detach().t().contiguous()          # f32: tiny, keeps logits exact-ish
        self.predictor_bias = module.predictor.bias.detach()

    def encode(self, tokens: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        x = F.embedding(tokens, self.embedding)
        cos, sin = rope_tables(positions, self.arch.head_dim)            # [B, T, 1, d/2], exact mode's tables
        rope = torch.complex(cos, sin)
        for layer in self.layers:
            x = layer(x, rope)
        return F.layer_norm(x, (x.shape[-1],), *self.final_norm, LAYER_NORM_EPS)

    def predict(self, representations: torch.Tensor) -> torch.Tensor:
        return F.linear(representations, self.predictor, self.predictor_bias)
