"""Small real inputs for the publish tests: a canonical V1 safetensors file and an embedding JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file

from soma_desktop.engine.architecture import Architecture, expected_shapes
from soma_desktop.network.types import ModelState
from soma_desktop.ui.context import AppContext

SMALL_ARCH = Architecture(embedding_dim=16, num_layers=1, num_heads=8, ffn_dim=32)


def write_weights(path: Path, seed: int = 0) -> Path:
    """A valid (tiny) SOMA V1 model: every canonical tensor, F32, seeded values."""
    rng = np.random.default_rng(seed)
    tensors = {name: (rng.standard_normal(shape) * 0.05).astype(np.float32)
               for name, shape in expected_shapes(SMALL_ARCH).items()}
    save_file(tensors, str(path))
    return path


def write_embedding(path: Path, dim: int, seed: int = 1) -> Path:
    values = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    path.write_text(json.dumps([float(v) for v in values]))
    return path


def step_of(panel) -> str:
    view = panel.wizard.view
    return view.decision.step.value if view is not None else ""


def model_state(ctx: AppContext, run, model_id: str) -> ModelState:
    return run(ctx, ctx.network.get_model(model_id)).state


def run(ctx: AppContext, coro, timeout: float = 30.0):
    return ctx.bridge.run_blocking(coro, timeout)


def advance(qtbot, ctx: AppContext, epochs: int = 1) -> None:
    """End `epochs` epochs on the sandbox and let the app see the new epoch."""
    for _ in range(epochs):
        run(ctx, ctx.network.advance_epoch())
    with qtbot.waitSignal(ctx.epoch_changed, timeout=10_000):
        ctx.refresh()


def wait_step(qtbot, panel, step: str, timeout: int = 20_000) -> None:
    def ready() -> None:
        assert step_of(panel) == step and not panel.session.busy, (step_of(panel), panel.wizard.banner.text())
    qtbot.waitUntil(ready, timeout=timeout)


def drive_to_host(qtbot, ctx: AppContext, panel, tmp_path: Path, on_embedding: Callable[[Any], None] | None = None):
    """New model → weights → imported embedding → encrypt, stopping at the hosting step; returns the wizard.
    `on_embedding(wizard)` runs on the embedding page, before the import (a test's own checks there)."""
    from PySide6.QtCore import Qt

    qtbot.waitUntil(lambda: panel.session.is_open and panel.new.isEnabled(), timeout=20_000)
    qtbot.mouseClick(panel.new, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "weights")
    w = panel.wizard
    w.weights_page.path.setText(str(write_weights(tmp_path / "model.safetensors")))
    qtbot.mouseClick(w.weights_page.use, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "embedding")
    if on_embedding is not None:
        on_embedding(w)
    w.embedding_page.json_path.setText(str(write_embedding(tmp_path / "e.json", ctx.state.target_embedding_dim)))
    qtbot.mouseClick(w.embedding_page.import_, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "encrypt")
    qtbot.mouseClick(w.encrypt_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "host")
    return w


def host_and_verify(qtbot, panel, w) -> None:
    """From the hosting step: the selected host, then verify, stopping at the create step."""
    from PySide6.QtCore import Qt

    qtbot.mouseClick(w.host_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "verify")
    qtbot.mouseClick(w.verify_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "create")


def drive_to_commit(qtbot, ctx: AppContext, panel, tmp_path: Path) -> None:
    """New model → weights → imported embedding → encrypt → built-in server → verify → create."""
    from PySide6.QtCore import Qt

    def shows_weights_dim(w) -> None:
        assert "D=16" in w.banner.text()

    w = drive_to_host(qtbot, ctx, panel, tmp_path, on_embedding=shows_weights_dim)
    assert w.host_page.local.isChecked()
    host_and_verify(qtbot, panel, w)
    w.create_page.stake.setText("2")
    w.create_page.local_name.setText("Wizard model")
    assert "Fee (estimate)" in w.create_page.summary.text()
    qtbot.mouseClick(w.create_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "commit")


def panel_window(ctx: AppContext):
    """The main window's panel contract (`show_panel(key)` returns the panel, and the Navigator), holding
    Publish and Models."""
    from PySide6.QtWidgets import QStackedWidget

    from tests.ui.panels import models_panel, publish_panel

    class PanelWindow(QStackedWidget):
        def __init__(self):
            super().__init__()
            self.panels = {"publish": publish_panel(ctx, self, navigator=self),
                           "models": models_panel(ctx, self, navigator=self)}
            for panel in self.panels.values():
                self.addWidget(panel)
            self.resize(1200, 800)

        def show_panel(self, key):
            self.setCurrentWidget(self.panels[key])
            return self.panels[key]

        def evaluate_model(self, model):
            raise AssertionError("no Evaluate panel here")

        def update_model(self, model_id):
            self.show_panel("publish").start_update(model_id)

        def show_model(self, model_id):
            self.show_panel("models").find_model(model_id)

    return PanelWindow()
