"""SOMA V1 model engine: load canonical weights, score data exactly like the network, per-byte losses.

Importing this package does not import torch: the names below are resolved lazily on first use
(PEP 562), so the app starts fast and only the Evaluate/publish paths pay for torch.

    from soma_desktop.engine import load_model, score_bytes
    model = load_model("weights.safetensors")               # header pre-check, mmap, meta-device build
    result = score_bytes([model], data, seed=0, precision="exact", cancel=event, on_chunk=callback)
    result.winner, result.models[0].loss, result.models[0].per_byte_nll

Torch-free helpers: `soma_desktop.engine.demo` (bundled demo models), `.contract` (data contract),
`.header` / `.architecture` (weights pre-check), `.budget` (memory budget), `.results`, `.errors`.
"""

from __future__ import annotations

import importlib

from soma_desktop.engine.errors import DataError, EngineError, EvalCancelled, WeightsError

_LAZY = {
    "load_model": "soma_desktop.engine.weights",
    "save_model": "soma_desktop.engine.weights",
    "set_threads": "soma_desktop.engine.weights",
    "resolve_device": "soma_desktop.engine.weights",
    "LoadedModel": "soma_desktop.engine.weights",
    "V1Model": "soma_desktop.engine.model",
    "score_bytes": "soma_desktop.engine.scorer",
    "iter_score": "soma_desktop.engine.scorer",
    "Evaluation": "soma_desktop.engine.scorer",
    "EvalResult": "soma_desktop.engine.results",
    "ModelScore": "soma_desktop.engine.results",
    "ChunkProgress": "soma_desktop.engine.results",
    "BytePrediction": "soma_desktop.engine.results",
    "top_predictions": "soma_desktop.engine.scorer",
    "cosine_distance": "soma_desktop.engine.results",
    "select_winner": "soma_desktop.engine.results",
    "suggest_model_embedding": "soma_desktop.engine.scorer",
    "PRECISIONS": "soma_desktop.engine.scorer",
    "Architecture": "soma_desktop.engine.architecture",
    "read_header": "soma_desktop.engine.header",
    "DemoModel": "soma_desktop.engine.demo",
    "list_demo_models": "soma_desktop.engine.demo",
    "demo_models_dir": "soma_desktop.engine.demo",
}

__all__ = ["DataError", "EngineError", "EvalCancelled", "WeightsError", *_LAZY]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'soma_desktop.engine' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
