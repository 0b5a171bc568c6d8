"""Typed cross-panel jumps: a panel asks the Navigator, never the window, to show another panel."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from soma_desktop.network.types import ModelInfo


class Navigator(Protocol):
    def evaluate_model(self, model: ModelInfo) -> None:
        """Show the Evaluate panel with `model` among the models to run."""

    def update_model(self, model_id: str) -> None:
        """Show the Publish panel on a new weights-update job for `model_id`."""

    def show_model(self, model_id: str) -> None:
        """Show the Models panel's registry with `model_id` found and selected."""


@runtime_checkable
class AcceptsRegistryModel(Protocol):
    """A panel that can take a registry model to evaluate (the Evaluate panel, once it offers it)."""

    def add_registry_model(self, model: ModelInfo) -> None: ...
