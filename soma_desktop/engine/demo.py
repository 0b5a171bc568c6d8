"""Bundled demo models (package data soma_desktop.resources/models/demo_models.json), listed with json only —
no torch import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soma_desktop.core.paths import resources_dir
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
    """models/ in the installed soma_desktop.resources package (the repository's resources/models)."""
    return resources_dir() / "models"


def load_index(directory: Path | None = None) -> dict[str, Any]:
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


DEMO_PREFIX = "demo:"


def is_demo_ref(weights: str) -> bool:
    return weights.startswith(DEMO_PREFIX)


def resolve_weights(weights: str, directory: Path | None = None) -> Path:
    """`demo:NAME` → the bundled weights file; anything else is a path, returned as given."""
    if not is_demo_ref(weights):
        return Path(weights)
    name = weights.removeprefix(DEMO_PREFIX)
    demos = list_demo_models(directory)
    for demo in demos:
        if demo.name == name:
            if not demo.weights_path.is_file():
                raise EngineError(f"{weights}: the bundled weights file {demo.weights_path} is missing; "
                                  "reinstall SOMA Desktop")
            return demo.weights_path
    known = ", ".join(DEMO_PREFIX + d.name for d in demos)
    raise EngineError(f"unknown demo model {weights!r}; the demo models are {known} (soma-desktop eval --list-demos)")


def describe_demos(directory: Path | None = None) -> list[str]:
    """One line per demo model, for `soma-desktop eval --list-demos`."""
    demos = list_demo_models(directory)
    width = max((len(DEMO_PREFIX + d.name) for d in demos), default=0)
    return [f"{DEMO_PREFIX + d.name:<{width}}  {d.title}: a small V1 model trained on {_corpus_kind(d.corpus)}"
            for d in demos]


def _corpus_kind(corpus: str) -> str:
    """The corpus provenance up to its byte count ('Python 3.11.7 standard library *.py sources')."""
    return corpus.split(";")[0].strip()
