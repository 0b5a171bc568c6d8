"""Fast (bf16) precision: its pieces against exact math, its accuracy budget on the demo models with and
without oneDNN's packed linear, the fallback when those ops are missing or fail, and exact mode untouched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from soma_desktop.engine import fast
from soma_desktop.engine.architecture import Architecture
from soma_desktop.engine.demo import list_demo_models
from soma_desktop.engine.model import V1Model, apply_rope, rope_tables
from soma_desktop.engine.scorer import score_bytes
from soma_desktop.engine.weights import load_model

DEMO_PATHS = [d.weights_path for d in list_demo_models() if d.weights_path.is_file()]
BUDGET = 1e-3            # the loss difference fast mode promises (cli --precision help, scoring docs)


def _text(size: int = 8192) -> bytes:
    return (Path(__file__).read_bytes() * 64)[:size]


@pytest.mark.parametrize("seq", [1024, 300])
def test_blocked_causal_attention_matches_f32_sdpa(seq):
    generator = torch.Generator().manual_seed(3)
    q, k, v = (torch.randn(8, seq, 64, generator=generator) for _ in range(3))
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    got = fast.causal_attention((q * 64 ** -0.5).to(fast.BF16), k.to(fast.BF16), v.to(fast.BF16))
    assert got.shape == expected.shape and got.dtype == fast.BF16
    assert float((got.float() - expected).abs().max()) < 0.03
    # the first query sees only itself: its output is its own value row (to bf16)
    assert torch.equal(got[:, 0], v[:, 0].to(fast.BF16))


def test_adjacent_pairs_turn_rope_into_one_complex_multiply():
    heads, head_dim, seq = 4, 16, 10
    generator = torch.Generator().manual_seed(5)
    weight, bias = torch.randn(8, heads * head_dim, generator=generator), torch.randn(heads * head_dim)
    x = torch.randn(1, seq, 8, generator=generator)
    cos, sin = rope_tables(torch.arange(seq).unsqueeze(0), head_dim)
    exact = apply_rope((x @ weight + bias).reshape(1, seq, heads, head_dim), cos, sin)
    w2, b2 = fast._pairs_adjacent(weight, bias, heads)
    pairs = torch.view_as_complex((x @ w2 + b2).reshape(1, seq, heads, head_dim // 2, 2))
    rotated = torch.view_as_real(pairs * torch.complex(cos, sin)).reshape(1, seq, heads, head_dim)
    # same values, each head's columns in the order (0, d/2, 1, d/2 + 1, ...)
    order = torch.arange(head_dim).reshape(2, head_dim // 2).t().reshape(-1)
    assert torch.allclose(rotated, exact[..., order], atol=1e-5)


def test_packed_ops_are_used_on_this_cpu_when_they_work():
    ops = fast.packed_linear_ops(torch.device("cpu"))
    if fast.mkldnn_linear_ops() is None:
        pytest.skip("this torch build has no oneDNN linear ops")
    assert ops is not None


def test_missing_mkldnn_ops_fall_back_to_f_linear(monkeypatch):
    monkeypatch.setattr(fast, "mkldnn_linear_ops", lambda: None)
    module = V1Model(Architecture(32, 1, 4, 64)).init_random(torch.Generator().manual_seed(0))
    twin = fast.FastV1(module)
    assert twin.ops is None
    assert twin.layers[0].qkv.weight.dtype == fast.BF16 and twin.layers[0].qkv.weight.layout == torch.strided


def test_failing_mkldnn_ops_fall_back_to_f_linear(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("mkldnn bf16 path is not supported on this CPU")

    monkeypatch.setattr(fast, "mkldnn_linear_ops", lambda: (broken, broken))
    assert fast.packed_linear_ops(torch.device("cpu")) is None
    assert fast.packed_linear_ops(torch.device("meta")) is None     # only CPU tensors use oneDNN here


def test_wrong_mkldnn_results_fall_back_to_f_linear(monkeypatch):
    reorder = lambda weight, rows: weight                         # noqa: E731
    zeros = lambda x, weight, bias, *rest: torch.zeros(x.shape[0], weight.shape[0], dtype=fast.BF16)  # noqa: E731
    monkeypatch.setattr(fast, "mkldnn_linear_ops", lambda: (reorder, zeros))
    assert fast.packed_linear_ops(torch.device("cpu")) is None


@pytest.mark.skipif(not DEMO_PATHS, reason="no demo model weights in resources/")
@pytest.mark.parametrize("path", DEMO_PATHS, ids=lambda p: p.stem)
def test_fast_loss_within_budget_of_exact_on_demo_models(path, monkeypatch):
    """Every fast variant the engine can pick: oneDNN or F.linear products, blocked or flash attention."""
    data = _text()
    exact = score_bytes([load_model(path, device="cpu")], data).models[0]
    variants = {"default": {}, "f_linear": {"mkldnn_linear_ops": lambda: None}, "blocked": {"BLOCKED_MIN_HEAD_DIM": 1},
                "f_linear+blocked": {"mkldnn_linear_ops": lambda: None, "BLOCKED_MIN_HEAD_DIM": 1}}
    for name, patches in variants.items():
        with monkeypatch.context() as patch:
            for attribute, value in patches.items():
                patch.setattr(fast, attribute, value)
            model = load_model(path, device="cpu")
            result = score_bytes([model], data, precision="fast").models[0]
            twin = model.fast_module()
        assert (twin.ops is None) == ("f_linear" in name or fast.mkldnn_linear_ops() is None), name
        assert twin.layers[0].blocked == ("blocked" in name), name
        assert result.loss != exact.loss, name                                 # really the bf16 path
        assert abs(result.loss - exact.loss) <= BUDGET, name
        assert float(np.nanmax(np.abs(result.per_byte_nll - exact.per_byte_nll))) < 0.2, name
        assert float(np.max(np.abs(result.embedding - exact.embedding))) < 1e-2, name


def test_wide_heads_use_blocked_attention_on_cpu_and_narrow_heads_flash():
    wide = V1Model(Architecture(128, 1, 2, 64)).init_random(torch.Generator().manual_seed(0))
    narrow = V1Model(Architecture(128, 1, 8, 64)).init_random(torch.Generator().manual_seed(0))
    assert fast.FastV1(wide).layers[0].blocked and not fast.FastV1(narrow).layers[0].blocked
    assert not fast.FastV1(wide, attention="sdpa").layers[0].blocked
    with pytest.raises(ValueError):
        fast.FastV1(wide, attention="math")


@pytest.mark.skipif(not DEMO_PATHS, reason="no demo model weights in resources/")
def test_exact_mode_is_bit_identical_before_and_after_fast_mode():
    """Building and running the bf16 twin neither touches the f32 parameters nor changes an exact result."""
    model = load_model(DEMO_PATHS[0], device="cpu")
    data = _text(5000)
    before = {name: tensor.clone() for name, tensor in model.module.state_dict().items()}
    exact = score_bytes([model], data).models[0]
    score_bytes([model], data, precision="fast")
    again = score_bytes([model], data).models[0]
    assert all(torch.equal(before[name], tensor) for name, tensor in model.module.state_dict().items())
    assert np.float32(again.loss).tobytes() == np.float32(exact.loss).tobytes()
    assert again.per_byte_nll.tobytes() == exact.per_byte_nll.tobytes()
    assert again.embedding.tobytes() == exact.embedding.tobytes()
