"""What one evaluation run is made of: the files, the models to score them with, and where weights come from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from soma_desktop.network.types import Manifest
from soma_desktop.services.evaluate.results import ModelRef


@dataclass(frozen=True)
class RegistryWeights:
    """How to obtain a registry model's plaintext weights (downloaded, verified, decrypted, cached)."""

    manifest: Manifest
    key: bytes
    cache_dir: Path
    allow_loopback: bool = False


@dataclass(frozen=True)
class ModelChoice:
    """A model the user may tick: its reference, and for a downloadable registry model where its weights are."""

    ref: ModelRef
    registry: RegistryWeights | None = None


@dataclass(frozen=True)
class EvalJob:
    job_id: int
    files: tuple[tuple[Path, bytes], ...]
    models: tuple[ModelRef, ...]
    device: str = "auto"
    precision: str = "exact"
    threads: int = 0                       # 0: all cores but one (the GUI keeps a core)
    seed: int = 0
    registry: dict[int, RegistryWeights] = field(default_factory=dict)   # model index → source
    memory_budget: int = 0                 # bytes (Preferences); 0: automatic (engine/budget.py)
