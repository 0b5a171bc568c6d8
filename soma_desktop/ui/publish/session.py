"""The Qt side of publishing: owns the journal, the built-in blob server and the PublishRunner for the
unlocked account, runs every runner step through the bridge and reports back with queued signals.

The journal's secrets are sealed with `WalletSession.journal_key()`, so the session opens only while the
wallet is unlocked. At open, every unfinished job is reconciled with the chain (security.md §4.3).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from soma_desktop.network.messages import describe_error
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import Job, JournalError
from soma_desktop.publish.runner import MergeFirst, PublishError, PublishRunner
from soma_desktop.services.publish import JobView, OpenedPublishing, PublishOpener, PublishService, StepResult
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.wallet_session import WalletSession

log = logging.getLogger(__name__)

LONG_TIMEOUT_S = 12 * 3600.0      # encrypting / uploading / verifying a 4.84 GB file on a slow disk or link

__all__ = ["JobView", "PublishSession", "describe"]


def describe(exc: BaseException) -> str:
    if isinstance(exc, (PublishError, JournalError)):
        return str(exc)
    text = describe_error(exc)
    if text.startswith("Unexpected error") and str(exc):
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    return text


class PublishSession(QObject):
    """One per Publish panel; `open()` once the wallet is unlocked and a network is connected."""

    # ---- Signals -----------------------------------------------------------------------------
    sig_opened = Signal(object, object)
    """(unfinished: list[Job], every job: list[Job]) after start-up reconciliation."""
    sig_job_updated = Signal(object)
    """JobView: a job changed or was re-read from the chain."""
    sig_progress_changed = Signal(str, object, object)
    """(stage text, done: int, total: int) from a worker thread; delivered queued to GUI slots."""
    sig_failed = Signal(str)
    """A step failed; the text is fit for the user."""
    sig_merge_first = Signal(str)
    """A create was refused before sending until the coins are merged; the reason in plain words."""
    sig_busy_changed = Signal(bool)
    """True while a step runs."""

    def __init__(self, *, opener: PublishOpener, chain: ChainStatus, wallet: WalletSession, bridge: AsyncBridge,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.opener, self.chain, self.wallet, self.bridge = opener, chain, wallet, bridge
        self.runner: PublishRunner | None = None
        self.service: PublishService | None = None
        self._opened: OpenedPublishing | None = None
        self._cancel = threading.Event()
        self._busy = False
        self._opening = False
        self._stage = ""
        self.job_list: list[Job] = []
        self._holds: list[Callable[[], None]] = []
        # If the session dies with a step in flight its callbacks never run: release the wallet holds anyway.
        self.destroyed.connect(functools.partial(_release_all, self._holds))

    # ---- Public API --------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.runner is not None

    @property
    def busy(self) -> bool:
        return self._busy

    def open(self) -> None:
        """Open the journal for the current account and reconcile every unfinished job with the chain."""
        wallet = self.wallet
        if not wallet.is_unlocked() or not self.chain.is_open or self.runner is not None or self._opening:
            return
        signer = wallet.current_account()
        if signer is None:
            return
        self._opening = True
        self._set_busy(True)
        self.bridge.call(self.opener.open(signer, wallet.journal_key()), on_result=self._on_open_done,
                         on_error=self._on_open_failed, timeout=120.0, owner=self,
                         label="opening the publish journal")

    @property
    def blob_server(self) -> BlobServer | None:
        """The built-in server of a loopback chain (None elsewhere or while closed)."""
        return self._opened.server if self._opened is not None else None

    @property
    def address(self) -> str | None:
        return self.runner.address if self.runner is not None else None

    def close(self) -> None:
        """Stop the blob server and close the journal (app exit or account switch)."""
        opened, self._opened, self.runner, self.service = self._opened, None, None, None
        self.job_list = []
        _release_all(self._holds)
        if opened is not None:
            try:
                self.bridge.run_blocking(self.opener.close(opened), timeout=5.0)
            except Exception as exc:  # noqa: BLE001 - closing must never block exit
                log.warning("journal close failed: %s", type(exc).__name__)

    def jobs(self) -> list[Job]:
        """The account's jobs as last read off the GUI thread (open, or the latest view)."""
        return list(self.job_list) if self.runner is not None else []

    def new_publish(self, on_done: Callable[[Job], None]) -> None:
        self._run(lambda s: _async(s.runner.start_publish), "starting a new model", on_done)

    def new_update(self, model_id: str, on_done: Callable[[Job], None]) -> None:
        self._run(lambda s: _async(s.runner.start_update, model_id), "starting a weights update", on_done)

    def view(self, job_id: int) -> None:
        """Re-read the job and the chain (reconciled at most once); emits sig_job_updated."""
        if self.service is None:
            return
        self.bridge.call(self.service.view(job_id), on_result=self._on_view_done,
                         on_error=self._on_view_failed, owner=self, label="publish status")

    def step(self, job_id: int, make: Callable[[PublishRunner], Awaitable[Any]], stage: str,
             on_done: Callable[[Any], None] | None = None) -> None:
        """Run one runner step for `job_id`; the view comes from the job the runner returned (no re-read)."""
        def done(result: StepResult) -> None:
            if on_done is not None:
                on_done(result.value)
            self._on_view_done(result.view)
        self._run(lambda s: s.step(job_id, make), stage, done, job_id=job_id)

    def cancel_running(self) -> None:
        """Cooperative: encryption, uploads and checks stop before their next chunk."""
        self._cancel.set()

    def progress_callback(self) -> Callable[[int, int], None]:
        """A thread-safe progress callback for the running step."""
        def report(done: int, total: int) -> None:
            self.sig_progress_changed.emit(self._stage, done, total)
        return report

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    # ---- Private -----------------------------------------------------------------------------
    def _run(self, make: Callable[[PublishService], Awaitable[Any]], stage: str, on_done: Callable[[Any], None],
             *, job_id: int | None = None) -> None:
        if self.service is None:
            self.sig_failed.emit("Unlock the wallet first.")
            return
        if self._busy:
            self.sig_failed.emit("Another step is still running.")
            return
        self._cancel.clear()
        self._stage = stage
        self._set_busy(True)
        held = self.wallet.hold()   # no auto-lock mid-step
        self._holds.append(held)

        def release() -> None:
            if held in self._holds:
                self._holds.remove(held)
                held()

        def finished(result: Any) -> None:
            release()
            self._set_busy(False)
            on_done(result)

        def failed(exc: BaseException) -> None:
            release()
            self._on_step_failed(exc)
            if job_id is not None:
                self.view(job_id)

        self.bridge.call(make(self.service), on_result=finished, on_error=failed, timeout=LONG_TIMEOUT_S,
                         owner=self, label=stage)

    def _on_open_done(self, opened: OpenedPublishing) -> None:
        self._opening = False
        if not self.wallet.is_unlocked() or not self.opener.is_current(opened):
            # Locked or switched network while opening: do not keep a journal open for a stale signer.
            self.bridge.call(self.opener.close(opened), owner=None, label="closing the journal")
            self._set_busy(False)
            return
        self._opened, self.runner, self.service = opened, opened.runner, opened.service
        self.job_list = list(opened.jobs)
        self._set_busy(False)
        self.sig_opened.emit(opened.unfinished, opened.jobs)

    def _on_open_failed(self, exc: BaseException) -> None:
        self._opening = False
        self._on_step_failed(exc)

    def _on_step_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, InterruptedError) or type(exc).__name__ == "UploadCancelled":
            self.sig_failed.emit("Cancelled. Nothing was sent to the chain.")
            return
        if isinstance(exc, MergeFirst):
            self.sig_merge_first.emit(str(exc))
            return
        self.sig_failed.emit(describe(exc))

    def _on_view_done(self, view: JobView) -> None:
        if self.runner is None:
            return
        self.job_list = list(view.jobs)
        self.sig_job_updated.emit(view)

    def _on_view_failed(self, exc: BaseException) -> None:
        self.sig_failed.emit(describe(exc))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.sig_busy_changed.emit(busy)


def _release_all(holds: list[Callable[[], None]], *_args: Any) -> None:
    while holds:
        holds.pop()()


async def _async(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)
