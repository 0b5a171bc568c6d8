"""Evaluate-panel fixtures: tiny canonical V1 weight files (8 heads, D = 128 like the sandbox targets)."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_DIM = 128


def write_tiny_model(path: Path, seed: int) -> Path:
    """A 1-layer V1 model in the canonical layout, written with the engine tests' writer (torch loads here)."""
    from soma_desktop.engine.architecture import Architecture
    from tests.engine.conftest import write_model

    return write_model(path, Architecture(embedding_dim=TINY_DIM, num_layers=1, num_heads=8, ffn_dim=128), seed)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("eval-weights")
    return write_tiny_model(root / "alpha.safetensors", 1), write_tiny_model(root / "beta.safetensors", 2)


@pytest.fixture
def text_file(tmp_path) -> Path:
    path = tmp_path / "sample.txt"
    lines = [f"line {i}: the quick brown fox\tjumps over the lazy dog {i * i}\n" for i in range(60)]
    path.write_bytes("".join(lines).encode() + "naïve café ☕\r\n".encode())
    return path


@pytest.fixture
def panel(qtbot, ctx):
    """An Evaluate panel on the real sandbox; closed (thread stopped) before the context shuts down."""
    from tests.ui.evaluate.evaluate_helpers import make_panel

    widget = make_panel(qtbot, ctx)
    yield widget
    # Let target/model listings land before the network closes under them.
    qtbot.waitUntil(widget.background_idle, timeout=20_000)
    widget.shutdown()
    widget.close()
    assert widget.controller.thread_finished()
