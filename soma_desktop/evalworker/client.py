"""The caller's side of the evaluation worker process (Qt-free: the GUI and the CLI both use it).

`WorkerClient.submit` queues a request and calls `on_reply(Reply)` on the client's reader thread for every
message the worker sends about it; 'end' is always the last. No public method blocks on the worker: a
sender thread writes requests, a reader thread reads replies, so the GUI thread may call any of them.

- Cancel: the worker stops between two chunks; if it has not answered within `cancel_grace_s` it is
  terminated (then killed), and the next request starts a fresh one.
- Crash: a worker that dies (segfault, the kernel's OOM killer, RLIMIT) ends every pending request with a
  plain message; the caller's process is never affected.
- Replies arrive as JSON plus raw arrays (wire.py), never pickles: a compromised worker cannot run code here.
- Reuse: one process serves request after request and keeps loaded models warm (LRU within the budget).
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from soma_desktop.engine.budget import default_budget, format_bytes
from soma_desktop.engine.errors import EngineError, EvalCancelled
from soma_desktop.evalworker.messages import Cancel, InboxMessage, Reply, Request
from soma_desktop.evalworker.wire import MAX_FRAME, decode

CANCEL_GRACE_S = 0.7
ReplyHandler = Callable[[Reply], None]


def crash_message(exitcode: int | None, budget: int) -> str:
    """What to tell the user about a worker that died without answering."""
    if exitcode == -signal.SIGKILL:
        return ("the evaluation worker was killed by the system, most likely for running out of memory "
                f"(evaluation memory budget {format_bytes(budget)}); try fewer or smaller models")
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the evaluation worker crashed ({name}); the app is fine, run again to restart it"
    return f"the evaluation worker stopped unexpectedly (exit status {exitcode}); run again to restart it"


class _Process:
    """One spawned worker: its pipes and its sender and reader threads."""

    def __init__(self, client: WorkerClient):
        from soma_desktop.evalworker import child

        ctx = multiprocessing.get_context("spawn")   # never fork the GUI: a fresh interpreter, no inherited keys
        inbox_read, self.inbox = ctx.Pipe(duplex=False)
        self.outbox, outbox_write = ctx.Pipe(duplex=False)
        self.budget = client.budget     # its RLIMITs come from this; a new budget needs a new process
        self.process = ctx.Process(target=child.main, name="soma-eval-worker", daemon=True,
                                   args=(inbox_read, outbox_write, self.budget, client.background))
        self.started_at = time.monotonic()
        self.ready = threading.Event()
        self.ready_after_s: float | None = None
        self.retired = False            # killed or closed on purpose: its end is not a crash
        self.retire_when_idle = False   # replaced (another budget) while busy: stop after its last request
        self.sendq: queue.Queue[InboxMessage | None] = queue.Queue()   # None ends the sender thread
        self.process.start()
        inbox_read.close()              # keep only our ends, so a dead worker reads as EOF
        outbox_write.close()
        threading.Thread(target=self._send_loop, name="soma-eval-send", daemon=True).start()
        threading.Thread(target=client._read_loop, args=(self,), name="soma-eval-read", daemon=True).start()

    def _send_loop(self) -> None:
        while (message := self.sendq.get()) is not None:
            try:
                self.inbox.send(message)
            except (OSError, ValueError):   # the worker is gone; the reader reports it
                return

    def stop(self, grace_s: float) -> None:
        """Ask politely (close the inbox), then terminate, then kill."""
        self.retired = True
        self.sendq.put((0, None))
        self.sendq.put(None)
        self.process.join(grace_s)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(0.3)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)


def _retire_quietly(proc: _Process) -> None:
    """Stop a replaced worker off the caller's thread (stop() waits for it); its end is not a crash."""
    proc.retired = True
    threading.Thread(target=proc.stop, args=(1.0,), name="soma-eval-retire", daemon=True).start()


class WorkerClient:
    def __init__(self, budget: int | None = None, *, background: bool = True,
                 cancel_grace_s: float = CANCEL_GRACE_S):
        self.budget = budget if budget is not None else default_budget()
        self.background = background
        self.cancel_grace_s = cancel_grace_s
        self._lock = threading.Lock()
        self._proc: _Process | None = None
        self._handlers: dict[int, tuple[_Process, ReplyHandler]] = {}
        self._ids = itertools.count(1)
        self._closed = False

    # ---- public API --------------------------------------------------------------------------------
    def start(self) -> None:
        """Spawn the worker now (it imports torch in the background) unless it is running."""
        with self._lock:
            self._ensure_process()

    def submit(self, request: Request, on_reply: ReplyHandler) -> int:
        with self._lock:
            if self._closed:
                raise EngineError("the evaluation worker is shut down")
            proc = self._ensure_process()
            request_id = next(self._ids)
            self._handlers[request_id] = (proc, on_reply)
            proc.sendq.put((request_id, request))
        return request_id

    def set_budget(self, budget: int) -> None:
        """The memory budget from the next request on: a worker's OS limits cannot change, so the next request
        starts a fresh worker, and one started under another budget stops once its requests have ended."""
        with self._lock:
            self.budget = budget

    def cancel(self, request_id: int) -> None:
        """Stop a request: cooperatively between chunks, by force after `cancel_grace_s`."""
        with self._lock:
            entry = self._handlers.get(request_id)
            if entry is None:
                return
            entry[0].sendq.put(Cancel(request_id))
        timer = threading.Timer(self.cancel_grace_s, self._force_cancel, args=(entry[0], request_id))
        timer.daemon = True
        timer.start()

    def call(self, request: Request, *, timeout: float | None = None, on_reply: ReplyHandler | None = None,
             cancel: threading.Event | None = None) -> Any:
        """Blocking form for worker threads and the CLI: the 'result' payload, or EngineError /
        EvalCancelled. `on_reply` sees every reply (progress) as it arrives."""
        done = threading.Event()
        box: dict[str, Any] = {}   # decoded replies: "result" the payload, "end" (outcome, message)

        def collect(reply: Reply) -> None:
            if reply.kind == "result":
                box["result"] = reply.payload[0]
            elif reply.kind == "end":
                box["end"] = reply.payload
                done.set()
            if on_reply is not None:
                on_reply(reply)

        request_id = self.submit(request, collect)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done.wait(0.05):
            if cancel is not None and cancel.is_set():
                self.cancel(request_id)
                cancel = None
            if deadline is not None and time.monotonic() > deadline:
                self.cancel(request_id)
                done.wait(self.cancel_grace_s + 2.0)
                raise EngineError("the evaluation worker did not answer in time")
        outcome, message = box["end"]
        if outcome == "cancelled":
            raise EvalCancelled(message)
        if outcome == "failed":
            raise EngineError(message)
        return box.get("result")

    def wait_ready(self, timeout: float) -> float | None:
        """Seconds the running worker took from spawn to ready (torch imported, limits set); None if not yet."""
        with self._lock:
            proc = self._ensure_process()
        return proc.ready_after_s if proc.ready.wait(timeout) else None

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.process.pid if proc is not None else None

    def busy(self) -> bool:
        with self._lock:
            return bool(self._handlers)

    def close(self, grace_s: float = 1.0) -> None:
        """End the worker; pending requests end 'cancelled'."""
        with self._lock:
            self._closed = True
            proc, self._proc = self._proc, None
            pending = self._take_handlers(proc) if proc is not None else []
        if proc is not None:
            proc.stop(grace_s)
        for request_id, handler in pending:
            _deliver(handler, Reply("end", request_id, ("cancelled", "the evaluation worker was shut down")))

    # ---- private -----------------------------------------------------------------------------------
    def _ensure_process(self) -> _Process:
        proc = self._proc
        if proc is not None and proc.budget != self.budget:
            # Another budget: new requests go to a fresh worker (its OS limits cannot change). The old one
            # is stopped now if idle, else after its last request ends (a probe or a cancelled run): never
            # killed mid-request.
            self._proc = None
            if self._take_handlers(proc, peek=True):
                proc.retire_when_idle = True
            else:
                _retire_quietly(proc)
        if self._proc is None or not self._proc.process.is_alive() and self._proc.process.exitcode is not None:
            self._proc = _Process(self)
        return self._proc

    def _take_handlers(self, proc: _Process, *, peek: bool = False) -> list[tuple[int, ReplyHandler]]:
        taken = [(rid, h) for rid, (p, h) in self._handlers.items() if p is proc]
        for rid, _h in [] if peek else taken:
            del self._handlers[rid]
        return taken

    def _read_loop(self, proc: _Process) -> None:
        while True:
            try:
                reply = decode(proc.outbox.recv_bytes(MAX_FRAME))   # JSON + arrays: never unpickled here
            except (EOFError, OSError):
                break
            except Exception as exc:  # noqa: BLE001 - an unreadable reply: the worker is not trustworthy any more
                self._retire(proc, f"the evaluation worker sent an unreadable reply ({type(exc).__name__})")
                return
            if not isinstance(reply, Reply):
                self._retire(proc, "the evaluation worker sent an unexpected reply")
                return
            if reply.kind == "ready":
                proc.ready_after_s = time.monotonic() - proc.started_at
                proc.ready.set()
                continue
            with self._lock:
                entry = self._handlers.get(reply.request_id)
                if reply.kind == "end" and entry is not None:
                    del self._handlers[reply.request_id]
                    if proc.retire_when_idle and not self._take_handlers(proc, peek=True):
                        _retire_quietly(proc)
            if entry is not None:
                _deliver(entry[1], reply)
        proc.process.join(2.0)
        if not proc.retired:
            self._retire(proc, crash_message(proc.process.exitcode, proc.budget))

    def _retire(self, proc: _Process, message: str) -> None:
        with self._lock:
            if self._proc is proc:
                self._proc = None
            pending = self._take_handlers(proc)
        if not proc.retired:
            proc.stop(0.0)
        for request_id, handler in pending:
            _deliver(handler, Reply("end", request_id, ("failed", message)))

    def _force_cancel(self, proc: _Process, request_id: int) -> None:
        with self._lock:
            if request_id not in self._handlers:
                return   # it stopped by itself in time
            if self._proc is proc:
                self._proc = None
            pending = self._take_handlers(proc)
        proc.stop(0.0)
        for rid, handler in pending:
            outcome = ("cancelled", "cancelled") if rid == request_id else \
                ("failed", "the evaluation worker was restarted to cancel another run")
            _deliver(handler, Reply("end", rid, outcome))


def _deliver(handler: ReplyHandler, reply: Reply) -> None:
    try:
        handler(reply)
    except Exception:   # a receiver's bug must not kill the reader thread (and with it every later reply)
        import logging

        logging.getLogger(__name__).exception("evaluation reply handler failed")


_shared: WorkerClient | None = None
_shared_lock = threading.Lock()


def shared_client() -> WorkerClient:
    """The app's one worker (created on first use, closed at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared._closed:
            _shared = WorkerClient()
            atexit.register(_shared.close)
        return _shared
