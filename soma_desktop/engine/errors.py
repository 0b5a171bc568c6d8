"""Typed engine errors; each message is one line meant for the user (no tracebacks needed)."""

from __future__ import annotations


class EngineError(Exception):
    """Base class: anything the engine refuses or cannot do, with a one-line reason."""


class WeightsError(EngineError):
    """A weights file is missing, malformed, or does not describe a V1 model."""


class DataError(EngineError):
    """The data to score is empty, too large or unreadable."""


class EvalCancelled(EngineError):
    """The caller's cancel flag was set; the evaluation stopped between two chunks."""
