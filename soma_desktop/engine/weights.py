"""Fast, safe loading of canonical SOMA V1 safetensors.

1. `read_header` validates the header (size cap, JSON, duplicates, offsets tiling the file) and
   `infer_architecture` checks every name, dtype and shape — before a single tensor byte is read.
2. The model is built on the meta device (no random init, no allocation) and its parameters are
   assigned zero-copy views of a private (copy-on-write) memory map of the data region. The model keeps
   the canonical [in, out] layout, so nothing is transposed or copied; pages load lazily on first use.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from soma_desktop.engine.architecture import Architecture, expected_shapes, infer_architecture, unused_keys
from soma_desktop.engine.errors import EngineError, WeightsError
from soma_desktop.engine.header import Header, read_header
from soma_desktop.engine.model import V1Model

if TYPE_CHECKING:
    from soma_desktop.engine.fast import FastV1


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """'auto' → CUDA when available, else CPU; 'cpu' / 'cuda' / 'cuda:N' as given."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise EngineError(f"unknown device '{device}' (use auto, cpu or cuda)") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise EngineError("device 'cuda' requested but no CUDA GPU is available to torch")
    if resolved.type not in ("cpu", "cuda"):
        raise EngineError(f"unsupported device '{device}' (use auto, cpu or cuda)")
    return resolved


def set_threads(count: int) -> None:
    """Intra-op CPU threads for every later forward pass (process-wide torch setting)."""
    if count < 1:
        raise EngineError("thread count must be at least 1")
    torch.set_num_threads(count)


@dataclass
class LoadedModel:
    """A V1 model ready to score. `module` parameters are memory-mapped on CPU or resident on the GPU."""

    path: Path
    architecture: Architecture
    module: V1Model
    device: torch.device
    unused_keys: list[str] = field(default_factory=list)
    _fast: FastV1 | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def fast_module(self) -> FastV1:
        """The packed bf16 forward pass (engine/fast.py), built once for `fast` precision."""
        from soma_desktop.engine.fast import FastV1

        with self._lock:
            if self._fast is None:
                self._fast = FastV1(self.module)
            return self._fast


def _mapped_tensors(header: Header, names: list[str]) -> dict[str, torch.Tensor]:
    """Zero-copy f32 tensors over a MAP_PRIVATE mapping of the data region (writes would never reach the file)."""
    data_len = header.file_size - header.data_start
    if data_len == 0:
        region = np.zeros(0, dtype=np.uint8)
    else:
        region = np.memmap(header.path, dtype=np.uint8, mode="c", offset=header.data_start, shape=(data_len,))
    tensors = {}
    for name in names:
        info = header.tensors[name]
        raw = region[info.begin:info.end]
        if (header.data_start + info.begin) % 4:
            raw = np.array(raw)  # misaligned f32 data (non-standard writer): copy this tensor only
        tensors[name] = torch.from_numpy(raw.view(np.float32).reshape(info.shape))
    return tensors


def load_model(path: str | os.PathLike[str], *, num_heads: int | None = None,
               device: str | torch.device = "auto") -> LoadedModel:
    """Validate and load a canonical V1 safetensors file. Raises WeightsError / EngineError (one-line messages)."""
    path = Path(path)
    header = read_header(path)
    arch = infer_architecture(header, num_heads)
    target = resolve_device(device)
    names = list(expected_shapes(arch))
    try:
        tensors = _mapped_tensors(header, names)
    except (OSError, ValueError) as exc:
        raise WeightsError(f"cannot map weights file {path.name}: {exc}") from None
    with torch.device("meta"):
        module = V1Model(arch)
    module.load_state_dict(tensors, assign=True, strict=True)
    module.requires_grad_(False).eval()
    if target.type != "cpu":
        module = module.to(target)
    return LoadedModel(path, arch, module, target, unused_keys(header, arch))


def save_model(module: V1Model, path: str | os.PathLike[str], metadata: dict[str, str] | None = None) -> None:
    """Write `module` as a canonical F32 safetensors file (names and [in, out] layout already canonical)."""
    from safetensors.torch import save_file

    state = {name: tensor.detach().to("cpu", torch.float32).contiguous()
             for name, tensor in module.state_dict().items()}
    save_file(dict(sorted(state.items())), str(path), metadata=metadata)
