"""Which models can be evaluated: bundled demo models, local safetensors files and registry models.

Listing never imports torch: demo models come from the JSON index, local files are checked by reading their
safetensors header, registry models from their chain record. Registry weights are downloaded (verified,
decrypted and cached) when a run starts.
"""

from __future__ import annotations

from pathlib import Path

from soma_desktop.engine.errors import EngineError
from soma_desktop.network.types import ModelInfo, ModelState
from soma_desktop.services.evaluate.jobs import ModelChoice, RegistryWeights
from soma_desktop.services.evaluate.results import ModelRef

WEIGHTS_CACHE = "weights-cache"
RESOURCE_PREFIX = "resource://models/"


def demo_choices() -> tuple[list[ModelChoice], str]:
    """The installed demo models, and a note about missing ones ("" when all are there). Blocks (file I/O)."""
    from soma_desktop.engine.demo import list_demo_models

    try:
        demos = list_demo_models()
    except EngineError as exc:
        return [], f"not installed ({exc})"
    out = [ModelChoice(ModelRef(d.title, str(d.weights_path), "demo", embedding=d.embedding))
           for d in demos if d.weights_path.is_file()]
    missing = len(demos) - len(out)
    return out, (f"{missing} demo model file(s) missing" if missing else "")


def describe_local(path: Path) -> str:
    """'D 128 · 4 layers · 8 heads' from the header alone (raises EngineError for non-V1 files)."""
    from soma_desktop.engine.architecture import infer_architecture
    from soma_desktop.engine.header import read_header

    arch = infer_architecture(read_header(path))
    return f"D {arch.embedding_dim} · {arch.num_layers} layers · {arch.num_heads} heads"


def describe_all(paths: list[Path]) -> list[tuple[Path, str, str]]:
    """(path, description, problem) per file, in order; problem is "" for a usable V1 file. Blocks."""
    out = []
    for path in paths:
        try:
            out.append((path, describe_local(path), ""))
        except EngineError as exc:
            out.append((path, "", str(exc)))
        except OSError as exc:
            out.append((path, "", f"cannot be read ({exc.strerror or type(exc).__name__})"))
    return out


def registry_choice(info: ModelInfo, data_dir: Path, allow_loopback: bool) -> tuple[ModelChoice | None, str]:
    """A registry model we can evaluate, or None with the reason."""
    title = info.title or f"model {info.id[:10]}…"
    if info.state != ModelState.ACTIVE or info.manifest is None or info.decryption_key is None:
        return None, "not revealed yet: its weights cannot be decrypted"
    label = f"{title} (registry)"
    url = info.manifest.url
    if url.startswith(RESOURCE_PREFIX):
        from soma_desktop.engine.demo import demo_models_dir

        path = demo_models_dir() / url.removeprefix(RESOURCE_PREFIX)
        if not path.is_file():
            return None, "bundled demo weights are not installed"
        return ModelChoice(ModelRef(label, str(path), "registry", info.id, info.embedding)), ""
    if not url.startswith(("http://", "https://")):
        return None, "no downloadable weights (sandbox demo entry: embedding only)"
    source = RegistryWeights(info.manifest, bytes(info.decryption_key), data_dir / WEIGHTS_CACHE, allow_loopback)
    return ModelChoice(ModelRef(label, "", "registry", info.id, info.embedding), source), ""
