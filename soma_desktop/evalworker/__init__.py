"""The evaluation worker process: torch, untrusted weights and the scoring loop live in a spawned child.

    from soma_desktop.evalworker import EvalRequest, shared_client
    client = shared_client()
    request_id = client.submit(EvalRequest(files=(data,), weights=(path,)), on_reply)   # Reply messages
    client.cancel(request_id)

Qt-free and torch-free on the caller's side (see client.py, messages.py); child.py runs in the worker.
"""

from soma_desktop.evalworker.client import WorkerClient, crash_message, shared_client
from soma_desktop.evalworker.messages import (
    Cancel,
    EmbedRequest,
    EvalRequest,
    MatmulSpeed,
    ProbeRequest,
    Reply,
    SpeedRequest,
)

__all__ = ["Cancel", "EmbedRequest", "EvalRequest", "MatmulSpeed", "ProbeRequest", "Reply", "SpeedRequest",
           "WorkerClient", "crash_message", "shared_client"]
