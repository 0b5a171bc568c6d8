"""Memory budget of an evaluation, decided from the safetensors header and the input size alone.

`estimate_peak` bounds the bytes one model needs to score `data_size` bytes: its weights (plus the bf16
copies of fast mode), one chunk's activations (the engine scores one 1024-token chunk at a time) and the
per-byte outputs. `check_budget` refuses a model whose estimate exceeds the budget before any tensor byte
is read, so a crafted file (tiny width, a huge FFN, many layers) cannot take the machine's memory.
Torch-free: the GUI, the CLI and the worker process all call it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from soma_desktop.core.settings import MIN_EVAL_MEMORY_BUDGET
from soma_desktop.engine.architecture import Architecture
from soma_desktop.engine.contract import SEQ_LEN
from soma_desktop.engine.errors import WeightsError

F32 = 4
BF16 = 2
RAM_SHARE = 0.5                      # default budget: half the machine's physical memory
FALLBACK_BUDGET = 4 * 2**30          # when the OS does not say how much memory it has
BUDGET_ENV = "SOMA_EVAL_MEMORY_BUDGET"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PeakEstimate:
    weights: int
    activations: int
    outputs: int

    @property
    def total(self) -> int:
        return self.weights + self.activations + self.outputs


def weight_bytes(arch: Architecture, precision: str = "exact") -> int:
    """f32 parameters (memory-mapped, resident once touched); fast mode adds bf16 copies of the matrices."""
    total = arch.num_parameters * F32
    if precision == "fast":
        d, f, v = arch.embedding_dim, arch.ffn_dim, arch.vocab_size
        total += (arch.num_layers * (4 * d * d + 2 * d * f) + d * v) * BF16
    return total


def activation_bytes(arch: Architecture) -> int:
    """One chunk's forward pass, generously: the residual stream and its norms, q/k/v/context, the full
    attention score matrix of every head (a math SDPA kernel may build it), the FFN hidden layer with its
    GELU twin, and the logits with their log-softmax temporaries."""
    t, d, f, v, h = SEQ_LEN, arch.embedding_dim, arch.ffn_dim, arch.vocab_size, arch.num_heads
    residual = 8 * t * d * F32
    attention = 2 * h * t * t * F32
    ffn = 2 * t * f * F32
    logits = 4 * t * v * F32
    return residual + max(attention, ffn) + logits


def output_bytes(data_size: int, dim: int) -> int:
    """The data, the per-byte NLL array and its final copy, embeddings."""
    return data_size + 2 * (data_size + 1) * F32 + 4 * dim * F32


def estimate_peak(arch: Architecture, data_size: int, precision: str = "exact") -> PeakEstimate:
    return PeakEstimate(weight_bytes(arch, precision), activation_bytes(arch),
                        output_bytes(data_size, arch.embedding_dim))


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def parse_size(text: str) -> int:
    """'8G', '512 MiB', '1073741824' → bytes (binary units). Raises ValueError."""
    match = _SIZE.match(text or "")
    if not match:
        raise ValueError(f"not a memory size: {text!r} (use e.g. 8G or 512M)")
    scale = 1024 ** " kmgt".index(match.group(2).lower() or " ")
    value = int(float(match.group(1)) * scale)
    if value <= 0:
        raise ValueError(f"a memory budget must be positive: {text!r}")
    return value


def default_budget() -> int:
    """$SOMA_EVAL_MEMORY_BUDGET when set (e.g. 6G), else half of the physical memory."""
    override = os.environ.get(BUDGET_ENV)
    if override:
        try:
            return parse_size(override)
        except ValueError:
            pass   # a bad override must not disable the guard: fall back to the RAM-derived budget
    ram = physical_memory()
    return int(ram * RAM_SHARE) if ram else FALLBACK_BUDGET


def resolve_budget(setting: int) -> int:
    """The budget a run gets from the Preferences value (bytes; 0 = automatic, `default_budget()`)."""
    return setting if setting > 0 else default_budget()


def budget_problem(budget: int, ram: int | None) -> str:
    """Why `budget` bytes (0 = automatic) cannot be the evaluation memory budget on a machine with `ram`
    bytes of memory, or '' when it can."""
    if budget == 0:
        return ""
    if budget < MIN_EVAL_MEMORY_BUDGET:
        return (f"The evaluation memory budget must be at least {format_bytes(MIN_EVAL_MEMORY_BUDGET)} "
                "(or Automatic): less cannot hold even a small model's chunk.")
    if ram is not None and budget > ram:
        return (f"The evaluation memory budget cannot exceed this machine's memory ({format_bytes(ram)}): "
                "the system would swap or kill the evaluation.")
    return ""


def format_bytes(count: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def check_budget(arch: Architecture, data_size: int, budget: int, *, precision: str = "exact",
                 name: str = "the model") -> PeakEstimate:
    """Raise WeightsError naming the estimate and the budget when one model would not fit."""
    estimate = estimate_peak(arch, data_size, precision)
    if estimate.total > budget:
        raise WeightsError(
            f"{name} needs about {format_bytes(estimate.total)} of memory to score {format_bytes(data_size)} "
            f"(weights {format_bytes(estimate.weights)}, activations {format_bytes(estimate.activations)}); "
            f"the evaluation memory budget is {format_bytes(budget)}. Refused before loading "
            f"(the budget is half the RAM unless Preferences → Evaluation, ${BUDGET_ENV} or --memory-budget "
            "sets it).")
    return estimate


def check_weights_file(path: str | os.PathLike[str], data_size: int, budget: int, *, precision: str = "exact",
                       num_heads: int | None = None) -> PeakEstimate:
    """Header-only check of a weights file against the budget (reads no tensor byte)."""
    from pathlib import Path

    from soma_desktop.engine.architecture import infer_architecture
    from soma_desktop.engine.header import read_header

    arch = infer_architecture(read_header(path), num_heads)
    return check_budget(arch, data_size, budget, precision=precision, name=Path(path).name)


def chunk_flops(arch: Architecture) -> int:
    """Multiply-adds × 2 of one 1024-token chunk: the projections, the FFN, causal attention, the logits."""
    t, d, f, v = SEQ_LEN, arch.embedding_dim, arch.ffn_dim, arch.vocab_size
    per_layer = 2 * t * (4 * d * d + 2 * d * f) + 2 * t * t * d   # causal: half of QKᵀ and of PV
    return arch.num_layers * per_layer + 2 * t * d * v
