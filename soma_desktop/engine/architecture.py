"""V1 architecture: fixed hyper-parameters, canonical tensor names/shapes (scoring.md §10), inference from a header."""

from __future__ import annotations

import re
from dataclasses import dataclass

from soma_desktop.engine.contract import VOCAB_SIZE
from soma_desktop.engine.errors import WeightsError
from soma_desktop.engine.header import Header

DEFAULT_NUM_HEADS = 8
ROPE_MAX_WAVELENGTH = 10_000.0
LAYER_NORM_EPS = 1e-5
MAX_LAYERS = 1024

_LAYER_KEY = re.compile(r"encoder\.layers\.(0|[1-9][0-9]*)\.")


@dataclass(frozen=True)
class Architecture:
    embedding_dim: int
    num_layers: int
    num_heads: int
    ffn_dim: int
    vocab_size: int = VOCAB_SIZE

    @property
    def head_dim(self) -> int:
        return self.embedding_dim // self.num_heads

    @property
    def num_parameters(self) -> int:
        return sum(_numel(shape) for shape in expected_shapes(self).values())

    def as_dict(self) -> dict[str, int]:
        return {"embedding_dim": self.embedding_dim, "num_layers": self.num_layers,
                "num_heads": self.num_heads, "ffn_dim": self.ffn_dim, "vocab_size": self.vocab_size}


def _numel(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count


def layer_shapes(index: int, d: int, f: int) -> dict[str, tuple[int, ...]]:
    """Canonical tensors of encoder layer `index`; Linear weights are [in, out]."""
    p = f"encoder.layers.{index}."
    shapes: dict[str, tuple[int, ...]] = {}
    for norm in ("norm_1", "norm_2"):
        shapes[f"{p}{norm}.gamma"] = (d,)
        shapes[f"{p}{norm}.beta"] = (d,)
    for proj in ("query", "key", "value", "output"):
        shapes[f"{p}attention.{proj}.weight"] = (d, d)
        shapes[f"{p}attention.{proj}.bias"] = (d,)
    shapes[f"{p}pwff.linear_inner.weight"] = (d, f)
    shapes[f"{p}pwff.linear_inner.bias"] = (f,)
    shapes[f"{p}pwff.linear_outer.weight"] = (f, d)
    shapes[f"{p}pwff.linear_outer.bias"] = (d,)
    return shapes


def expected_shapes(arch: Architecture) -> dict[str, tuple[int, ...]]:
    """All canonical tensor names and shapes, in the canonical (sorted-by-module) order."""
    d, f, v = arch.embedding_dim, arch.ffn_dim, arch.vocab_size
    shapes: dict[str, tuple[int, ...]] = {"embedding.weight": (v, d)}
    for index in range(arch.num_layers):
        shapes.update(layer_shapes(index, d, f))
    shapes.update({"final_norm.gamma": (d,), "final_norm.beta": (d,),
                   "predictor.weight": (d, v), "predictor.bias": (v,)})
    return shapes


def _shape_of(header: Header, name: str, ndim: int) -> tuple[int, ...]:
    info = header.tensors.get(name)
    if info is None:
        raise WeightsError(f"weights: missing tensor '{name}'")
    if len(info.shape) != ndim:
        raise WeightsError(f"weights: tensor '{name}' has shape {list(info.shape)}, expected {ndim} dimensions")
    return info.shape


def infer_architecture(header: Header, num_heads: int | None = None) -> Architecture:
    """Infer D, layers and FFN width from the shapes; heads are V1's 8 unless overridden (small test models)."""
    vocab, d = _shape_of(header, "embedding.weight", 2)
    if vocab != VOCAB_SIZE:
        raise WeightsError(f"weights: tensor 'embedding.weight' has shape [{vocab}, {d}], "
                           f"expected [{VOCAB_SIZE}, D] (V1 vocabulary)")
    layers = {int(m.group(1)) for name in header.tensors if (m := _LAYER_KEY.match(name))}
    num_layers = len(layers)
    if num_layers == 0:
        raise WeightsError("weights: missing tensor 'encoder.layers.0.norm_1.gamma' (no encoder layers)")
    if num_layers > MAX_LAYERS:
        raise WeightsError(f"weights: {num_layers} encoder layers exceed the limit of {MAX_LAYERS}")
    if layers != set(range(num_layers)):
        missing = min(set(range(max(layers) + 1)) - layers)
        raise WeightsError(f"weights: missing tensor 'encoder.layers.{missing}.norm_1.gamma' (layers not contiguous)")
    _, ffn = _shape_of(header, "encoder.layers.0.pwff.linear_inner.weight", 2)
    heads = DEFAULT_NUM_HEADS if num_heads is None else num_heads
    if heads <= 0 or d % heads or (d // heads) % 2:
        raise WeightsError(f"weights: embedding dim {d} cannot be split into {heads} heads of even size"
                           + ("" if num_heads is not None else " (use --num-heads for small models)"))
    arch = Architecture(embedding_dim=d, num_layers=num_layers, num_heads=heads, ffn_dim=ffn, vocab_size=vocab)
    validate(header, arch)
    return arch


def validate(header: Header, arch: Architecture) -> None:
    """Every canonical tensor present, F32, with its exact shape. Extra keys are ignored like the network does."""
    for name, shape in expected_shapes(arch).items():
        info = header.tensors.get(name)
        if info is None:
            raise WeightsError(f"weights: missing tensor '{name}'")
        if info.shape != shape:
            raise WeightsError(f"weights: tensor '{name}' has shape {list(info.shape)}, expected {list(shape)}")
        if info.dtype != "F32":
            raise WeightsError(f"weights: tensor '{name}' has dtype {info.dtype}; SOMA V1 weights must be F32")


def unused_keys(header: Header, arch: Architecture) -> list[str]:
    expected = expected_shapes(arch)
    return sorted(name for name in header.tensors if name not in expected)
