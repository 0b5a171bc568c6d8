"""A model's registration embedding computed on a corpus folder, in the evaluation worker process.

Qt-free and torch-free here: the worker (soma_desktop.evalworker) alone imports torch. Blocking: the wizard
runs it on a worker thread through the bridge.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def corpus_embedding(weights: Path | str, folder: Path | str, dim: int,
                     cancel: threading.Event | None = None,
                     progress: Callable[[int, int], None] | None = None) -> list[float]:
    """The engine's normalised mean data embedding of the model on `folder`; `progress(files done, files total)`
    after each file."""
    from soma_desktop.evalworker import EmbedRequest, shared_client

    def on_reply(reply: Any) -> None:
        if reply.kind == "progress" and progress is not None:
            progress(reply.payload[0], reply.payload[1])
    values: list[float] = shared_client().call(EmbedRequest(str(weights), str(folder), dim), on_reply=on_reply,
                                               cancel=cancel)
    return values
