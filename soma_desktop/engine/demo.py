"""Bundled demo models (resources/models/demo_models.json), listed with json only — no torch import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from soma_desktop.engine.errors import EngineError

INDEX_NAME = "demo_models.json"


@dataclass(frozen=True)
class DemoModel:
    name: str
    title: str
    weights_path: Path
    embedding: tuple[float, ...]  # L2-normalised mean data embedding over the model's domain corpus
    corpus: str  # provenance of the training corpus
    blake2b256_hex: str = ""  # Blake2b-256 of the plaintext weights file


def demo_models_dir() -> Path:
    """resources/models at the repository (or installed bundle) root."""
    return Path(__file__).resolve().parents[2] / "resources" / "models"


def load_index(directory: Path | None = None) -> dict:
    path = (directory or demo_models_dir()) / INDEX_NAME
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EngineError(f"demo model index not found: {path}") from None
    except (OSError, ValueError) as exc:
        raise EngineError(f"demo model index {path} is unreadable: {exc}") from None
    if not isinstance(index, dict) or index.get("version") != 1 or not isinstance(index.get("models"), list):
        raise EngineError(f"demo model index {path} has an unsupported format")
    return index


def list_demo_models(directory: Path | None = None) -> list[DemoModel]:
    """The demo models in index order; weights paths are absolute."""
    directory = directory or demo_models_dir()
    models = []
    for entry in load_index(directory)["models"]:
        try:
            models.append(DemoModel(name=str(entry["name"]), title=str(entry["title"]),
                                    weights_path=directory / str(entry["weights"]),
                                    embedding=tuple(float(v) for v in entry["embedding"]),
                                    corpus=str(entry["corpus"]), blake2b256_hex=str(entry.get("blake2b256_hex", ""))))
        except (KeyError, TypeError, ValueError) as exc:
            raise EngineError(f"demo model index entry is malformed: {exc}") from None
    return models
