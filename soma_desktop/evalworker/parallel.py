"""Several models scored in parallel worker processes (`soma-desktop eval --jobs N`).

Each model's score is independent of the others (the winner is picked afterwards), so the models are dealt
round-robin to N workers that split the CPU threads; the results are merged back in the caller's order.
It helps when there are several models and more cores than one model's matrices keep busy.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

from soma_desktop.engine.errors import EngineError
from soma_desktop.engine.results import EvalResult, ModelScore, select_winner
from soma_desktop.evalworker.client import WorkerClient
from soma_desktop.evalworker.messages import EvalRequest, Reply


def score_parallel(files: Sequence[bytes], weights: Sequence[str], *, jobs: int, budget: int,
                   threads: int | None = None, **options: Any) -> list[EvalResult]:
    """One EvalResult per file, identical to scoring every model in one process. Options as EvalRequest."""
    jobs = max(1, min(jobs, len(weights)))
    share = max(1, (threads or os.cpu_count() or 1) // jobs)
    groups = [list(range(i, len(weights), jobs)) for i in range(jobs)]
    clients = [WorkerClient(budget // jobs, background=False) for _ in groups]
    found: dict[tuple[int, int], ModelScore] = {}
    errors: list[str] = []
    done = threading.Semaphore(0)
    try:
        for client, group in zip(clients, groups):
            request = EvalRequest(files=tuple(files), weights=tuple(weights[i] for i in group),
                                  threads=share, **options)

            def on_reply(reply: Reply, group: list[int] = group) -> None:
                if reply.kind == "file":
                    file_index, result = reply.payload
                    for position, score in enumerate(result.models):
                        found[(file_index, group[position])] = score
                elif reply.kind == "end":
                    if reply.payload[0] != "done":
                        errors.append(reply.payload[1])
                    done.release()
            client.submit(request, on_reply)
        for _ in groups:
            done.acquire()
    finally:
        for client in clients:
            client.close()
    if errors:
        raise EngineError(errors[0])
    results = []
    for file_index, data in enumerate(files):
        scores = [found[(file_index, m)] for m in range(len(weights))]
        results.append(EvalResult(len(data), scores, select_winner([s.loss for s in scores])))
    return results
