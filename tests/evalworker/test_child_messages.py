"""The worker loop in this process (fake pipes): out-of-memory and torch allocation failures become a message."""

from __future__ import annotations

import pytest

from soma_desktop.evalworker.child import Worker
from soma_desktop.evalworker.messages import EvalRequest
from soma_desktop.evalworker.wire import decode


class Pipe:
    def __init__(self):
        self.sent = []

    def send_bytes(self, data: bytes) -> None:
        self.sent.append(decode(data))

    def poll(self, _timeout) -> bool:
        return False


@pytest.mark.parametrize("error", [MemoryError(), RuntimeError("[enforce fail at alloc_cpu.cpp:117] "
                                                                "DefaultCPUAllocator: can't allocate memory")])
def test_running_out_of_memory_is_a_plain_message(monkeypatch, error):
    outbox = Pipe()
    worker = Worker(Pipe(), outbox, budget=3 * 2**30)

    def explode(*_args):
        raise error
    monkeypatch.setattr(worker, "_evaluate", explode)
    worker._handle(7, EvalRequest(files=(b"x",), weights=("w",)))
    end = outbox.sent[-1]
    assert end.kind == "end" and end.request_id == 7
    assert end.payload == ("failed", "the evaluation ran out of memory (budget 3.0 GiB); try fewer or smaller "
                                     "models, or a larger budget")
