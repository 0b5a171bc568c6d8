"""The publish wizard: a Qt view over `publish.workflow.decide` for one journal job.

Pages only collect input; every action is a PublishRunner step run by the PublishSession off the GUI
thread. The page shown is always the one `decide()` names, so after a restart the wizard opens where the
job stopped.
"""

from __future__ import annotations

import asyncio
import threading

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import format_soma
from soma_desktop.core.storage import atomic_write_text
from soma_desktop.engine.weights_check import SUPPORTED_ARCHITECTURE, precheck_weights
from soma_desktop.network.messages import describe_error
from soma_desktop.publish.embedding import load_embedding_json
from soma_desktop.publish.journal import JobKind, JobState
from soma_desktop.publish.reminders import ics_text
from soma_desktop.publish.workflow import Action, Step
from soma_desktop.services.corpus_embedding import corpus_embedding
from soma_desktop.services.wallet import WalletService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.panels.common import Banner
from soma_desktop.ui.publish import pages
from soma_desktop.ui.publish.session import JobView, PublishSession
from soma_desktop.ui.wallet.merge_offer import MergeOffer
from soma_desktop.ui.wallet_session import WalletSession

STEP_TITLES = (
    (Step.WEIGHTS, "1 Weights"), (Step.EMBEDDING, "2 Embedding"), (Step.ENCRYPT, "3 Encrypt"),
    (Step.HOST, "4 Host"), (Step.VERIFY, "5 Verify"), (Step.CREATE, "6 Create"), (Step.COMMIT, "7 Commit"),
    (Step.WAIT, "8 Wait for epoch"), (Step.REVEAL, "9 Reveal"), (Step.ACTIVE, "10 Active"),
)
_ORDER = [s for s, _ in STEP_TITLES]
# Where a failed job stopped, for the step list's ✘.
_FAILED_AT = {JobState.MISSED_REVEAL: Step.REVEAL, JobState.UPDATE_DROPPED: Step.REVEAL,
              JobState.COMMIT_WINDOW_MISSED: Step.COMMIT, JobState.COMMIT_NOT_EXECUTED: Step.COMMIT}
_BACKABLE = {JobState.WEIGHTS_OK, JobState.EMBEDDING_OK, JobState.PREPARED, JobState.HOSTED, JobState.UPLOAD_VERIFIED}


class PublishWizard(QWidget):
    """Shows one job; `show_job(job_id)` switches to another."""

    sig_new_requested = Signal()
    sig_open_model_requested = Signal(str)
    """Show a model (id) in the Models panel."""
    """The user wants to start another publish job."""
    sig_view_changed = Signal(object)
    """JobView of the job shown, after every refresh."""

    def __init__(self, *, session: PublishSession, chain: ChainStatus, wallet: WalletSession,
                 wallet_service: WalletService, bridge: AsyncBridge, names: LocalNames,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.chain, self.wallet, self.wallet_service = session, chain, wallet, wallet_service
        self.bridge, self.names = bridge, names
        self.job_id: int | None = None
        self.view: JobView | None = None
        self._compute_cancel: threading.Event | None = None
        self._build()
        session.sig_job_updated.connect(self._on_session_job_updated)
        session.sig_progress_changed.connect(self._on_session_progress_changed)
        session.sig_failed.connect(self._on_session_failed)
        session.sig_merge_first.connect(self._on_session_merge_first)
        session.sig_busy_changed.connect(self._on_session_busy_changed)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._tick.start()

    # ---- Public API --------------------------------------------------------------------------
    def show_job(self, job_id: int) -> None:
        self.job_id = job_id
        self.banner.clear_message()
        self.session.view(job_id)

    def show_empty(self) -> None:
        """No job yet: say how to start instead of showing inputs that belong to no job."""
        self.job_id, self.view = None, None
        self.heading.setText("No publish job yet. Press <b>New model</b> to publish a model: weights → embedding → "
                             "encrypt → host → verify → create → commit → reveal in the next epoch.")
        self.stack.setVisible(False)
        for button in (self.back, self.abandon, self.recheck):
            button.setVisible(False)

    def refresh(self) -> None:
        """Re-read after an epoch change; a past success message no longer describes the present."""
        if self.banner.property("kind") == "ok":
            self.banner.clear_message()
        if self.job_id is not None and self.session.is_open:
            self.session.view(self.job_id)

    # ---- Private: layout -----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        self.steps = QListWidget()
        self.steps.setObjectName("wizardSteps")
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.steps.setFixedWidth(170)
        for _step, title in STEP_TITLES:
            self.steps.addItem(QListWidgetItem(title))
        outer.addWidget(self.steps)
        right = QVBoxLayout()
        self.heading = QLabel()
        self.heading.setObjectName("wizardHeading")
        self.heading.setWordWrap(True)
        right.addWidget(self.heading)
        self.banner = Banner()
        self.banner.setObjectName("wizardBanner")
        right.addWidget(self.banner)
        self.merge_offer = MergeOffer()          # a create refused until the coins are merged
        self.merge_offer.sig_merge_requested.connect(self.open_merge)
        right.addWidget(self.merge_offer)
        self.stack = QStackedWidget()
        chain, hidden = self.chain, self.wallet.amounts_hidden
        self.weights_page = pages.WeightsPage(chain, hidden)
        self.embedding_page = pages.EmbeddingPage(chain, hidden)
        self.encrypt_page = pages.EncryptPage(chain, hidden)
        self.host_page = pages.HostPage(chain, hidden, self.session.opener.loopback)
        self.verify_page = pages.VerifyPage(chain, hidden)
        self.create_page = pages.CreatePage(chain, hidden)
        self.commit_page = pages.CommitPage(chain, hidden)
        self.wait_page = pages.WaitPage(chain, hidden)
        self.reveal_page = pages.RevealPage(chain, hidden)
        self.active_page = pages.ActivePage(chain, hidden)
        self.failed_page = pages.FailedPage(chain, hidden)
        self.pages = {Step.WEIGHTS: self.weights_page, Step.EMBEDDING: self.embedding_page,
                      Step.ENCRYPT: self.encrypt_page, Step.HOST: self.host_page, Step.VERIFY: self.verify_page,
                      Step.CREATE: self.create_page, Step.COMMIT: self.commit_page, Step.WAIT: self.wait_page,
                      Step.REVEAL: self.reveal_page, Step.ACTIVE: self.active_page, Step.FAILED: self.failed_page}
        for page in self.pages.values():
            self.stack.addWidget(page)
        right.addWidget(self.stack, 1)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("wizardProgress")
        self.progress.setVisible(False)
        self.stage = QLabel()
        self.stage.setObjectName("wizardStage")
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelStepButton")
        self.cancel.setVisible(False)
        self.cancel.clicked.connect(self._on_cancel_clicked)
        progress_row.addWidget(self.stage)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel)
        right.addLayout(progress_row)
        nav = QHBoxLayout()
        self.back = QPushButton("Back")
        self.back.setObjectName("backButton")
        self.back.clicked.connect(self._on_back_clicked)
        self.recheck = QPushButton("Check the chain again")
        self.recheck.setObjectName("recheckButton")
        self.recheck.setToolTip("The outcome of the last transaction is unknown: read the chain again. If it shows "
                                "no effect, the same step is offered again; nothing new is sent by this button.")
        self.recheck.clicked.connect(self._on_recheck_clicked)
        self.recheck.setVisible(False)
        nav.addWidget(self.recheck)
        self.abandon = QPushButton("Abandon")
        self.abandon.setObjectName("abandonButton")
        self.abandon.clicked.connect(self._on_abandon_clicked)
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.abandon)
        right.addLayout(nav)
        outer.addLayout(right, 1)
        self.weights_page.sig_weights_chosen.connect(self._on_weights_chosen)
        self.embedding_page.sig_import_requested.connect(self._on_import_requested)
        self.embedding_page.sig_compute_requested.connect(self._on_compute_requested)
        self.encrypt_page.sig_encrypt_requested.connect(self._on_encrypt_requested)
        self.host_page.sig_host_requested.connect(self._on_host_requested)
        self.verify_page.sig_verify_requested.connect(self._on_verify_requested)
        self.verify_page.sig_rehost_requested.connect(self._on_back_clicked)
        self.create_page.sig_create_requested.connect(self._on_create_requested)
        self.commit_page.sig_commit_requested.connect(self._on_commit_requested)
        self.reveal_page.sig_reveal_requested.connect(self._on_reveal_requested)
        self.wait_page.sig_ics_requested.connect(self._on_ics_requested)
        self.active_page.sig_new_requested.connect(self.sig_new_requested)
        self.active_page.sig_open_model_requested.connect(self.sig_open_model_requested)
        self.failed_page.sig_new_requested.connect(self.sig_new_requested)

    # ---- Private: rendering --------------------------------------------------------------------
    def _on_tick_timeout(self) -> None:
        """Countdowns move every second (chain time drives state; this only refreshes the text)."""
        page = self.stack.currentWidget()
        if isinstance(page, pages.Page) and self.isVisible():
            page.tick()

    def _on_session_job_updated(self, view: JobView) -> None:
        if view.job.id != self.job_id:
            return
        self.view = view
        self._render()
        self.sig_view_changed.emit(view)

    def _render(self) -> None:
        view = self.view
        if view is None:
            return
        job, decision = view.job, view.decision
        kind = "Update weights of " + (job.model_id or "")[:10] + "…" if job.kind is JobKind.UPDATE else "New model"
        self.heading.setText(f"<b>{kind}</b> — {decision.message}")
        page = self.pages[decision.step]
        self.stack.setVisible(True)
        self.back.setVisible(True)
        self.abandon.setVisible(True)
        self.stack.setCurrentWidget(page)
        page.show_view(view, self.session.busy)
        failed_at = _FAILED_AT.get(job.state)
        shown = failed_at if failed_at is not None else decision.step
        current = _ORDER.index(shown) if shown in _ORDER else -1
        for index, (step, title) in enumerate(STEP_TITLES):
            item = self.steps.item(index)
            hidden = job.kind is JobKind.UPDATE and step is Step.CREATE
            item.setHidden(hidden)
            done = decision.step is Step.ACTIVE or (current >= 0 and index < current)
            here = "✘ " if failed_at is not None else "▶ "
            mark = "✔ " if done else (here if index == current else "   ")
            item.setText(mark + title)
            font = item.font()
            font.setBold(index == current)
            item.setFont(font)
        if job.last_error and decision.step is not Step.FAILED:
            self.banner.show_message(f"Last attempt failed: {job.last_error}", "warning")
        busy = self.session.busy
        self.recheck.setVisible(decision.action is Action.RECONCILE)
        self.recheck.setEnabled(not busy)
        self.back.setEnabled(job.state in _BACKABLE and not busy)
        self.back.setToolTip("" if job.state in _BACKABLE else "Nothing to go back to once the chain is involved.")
        self.abandon.setEnabled(job.state in _BACKABLE | {JobState.NEW} and not busy)
        self.abandon.setToolTip("" if self.abandon.isEnabled() else
                                "A job that reached the chain cannot be abandoned: finish it or let it expire.")

    def _on_session_busy_changed(self, busy: bool) -> None:
        self.cancel.setVisible(busy)
        self.cancel.setEnabled(True)
        self.cancel.setText("Cancel")
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
        else:
            self.stage.setText("")
        if self.view is not None:
            self._render()

    def _on_session_progress_changed(self, stage: str, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(done * 1000 // max(total, 1)))
            self.stage.setText(f"{stage}: {done / 2**20:.1f} / {total / 2**20:.1f} MiB")
        else:
            self.stage.setText(stage)

    def _on_session_failed(self, text: str) -> None:
        self.banner.show_message(text, "error")

    def _on_session_merge_first(self, reason: str) -> None:
        self.banner.show_message("Not created: the coins must be merged first. Nothing was sent.", "warning")
        self.merge_offer.offer(reason[:1].upper() + reason[1:] + ".")

    def open_merge(self) -> None:
        """The wallet's merge (all but the smallest coin into one), confirmed by a click, then Create again."""
        from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog

        account = self.wallet.current_account() if self.wallet.is_unlocked() else None
        if account is None or not self.chain.is_open:
            self.banner.show_message("Unlock the wallet first.", "error")
            return
        self.merge_dialog = ConfirmDialog(
            "Merge coins", f"Merge the coins of {account.name}: all but the smallest become one coin (as the SOMA "
            "SDK merges), so the stake can come from one coin. The network fee is paid from the merged coin.",
            "Sign and merge", self)
        self.merge_dialog.sig_confirmed.connect(lambda: self._merge(account))
        self.merge_dialog.open()

    def _merge(self, account) -> None:
        self.merge_offer.withdraw()
        self.banner.show_message("Merging coins…", "info")
        release = self.wallet.hold()

        def done(record) -> None:
            release()
            self.banner.show_message(f"Coins merged; fee {format_soma(record.fee or 0)}. Create the model now "
                                     f"(digest {record.digest}).", "ok")

        def failed(exc: BaseException) -> None:
            release()
            self.banner.show_message(f"Not merged: {describe_error(exc)}", "error")
        self.wallet.tracker.run(self.wallet_service.merge(account), done, failed, "merge coins", owner=self)

    # ---- Private: actions ------------------------------------------------------------------------
    def _start(self, make, stage: str, on_done=None) -> None:
        if self.job_id is None:
            return
        self.banner.clear_message()
        self.stage.setText(stage + "…")
        self.session.step(self.job_id, make, stage, on_done)

    def _on_weights_chosen(self, path: str) -> None:
        if not path:
            self.banner.show_message("Choose a weights file first.", "warning")
            return
        state = self.chain.state
        version = state.architecture_version if state else SUPPORTED_ARCHITECTURE
        job_id, progress = self.job_id, self.session.progress_callback()

        async def run(r) -> str:
            check = await asyncio.to_thread(precheck_weights, path, version)
            await r.set_weights(job_id, path, progress=progress)
            return check.summary()
        self._start(run, "Checking the weights", lambda summary: self.banner.show_message(summary, "ok"))

    def _on_import_requested(self, path: str) -> None:
        if not path:
            self.banner.show_message("Choose a JSON file first.", "warning")
            return
        dim = self.chain.state.target_embedding_dim if self.chain.state else 0
        job_id = self.job_id

        async def run(r):
            values = await asyncio.to_thread(load_embedding_json, path, dim)
            return await r.set_embedding(job_id, values, dim)
        self._start(run, "Importing the embedding")

    def _on_compute_requested(self, folder: str) -> None:
        if not folder or self.view is None:
            self.banner.show_message("Choose the corpus folder first.", "warning")
            return
        if not self.view.job.weights_path:
            self.banner.show_message("Choose the weights first.", "warning")
            return
        dim = self.chain.state.target_embedding_dim if self.chain.state else 0
        job_id, weights = self.job_id, self.view.job.weights_path
        cancel = threading.Event()
        self._compute_cancel = cancel
        progress = self.session.progress_callback()

        async def run(r):
            values = await asyncio.to_thread(corpus_embedding, weights, folder, dim, cancel, progress)
            return await r.set_embedding(job_id, values, dim)
        self._start(run, "Computing the embedding with the model")

    def _on_encrypt_requested(self) -> None:
        job_id, progress, cancelled = self.job_id, self.session.progress_callback(), self.session.is_cancelled
        self._start(lambda r: r.encrypt(job_id, progress=progress, cancelled=cancelled), "Encrypting")

    def _on_host_requested(self, mode: str, first: str, second: str) -> None:
        job_id, progress, cancelled = self.job_id, self.session.progress_callback(), self.session.is_cancelled
        if mode == "local":
            self._start(lambda r: r.host_local(job_id), "Publishing on the built-in server")
        elif mode == "presigned":
            if not first or not second:
                self.banner.show_message("Enter the pre-signed PUT URL and the public URL.", "warning")
                return
            self._start(lambda r: r.host_presigned(job_id, first, second, progress=progress, cancelled=cancelled),
                        "Uploading")
        else:
            if not first:
                self.banner.show_message("Enter the URL that serves the encrypted file.", "warning")
                return
            self._start(lambda r: r.host_url(job_id, first), "Saving the URL")

    def _on_verify_requested(self) -> None:
        job_id, progress, cancelled = self.job_id, self.session.progress_callback(), self.session.is_cancelled
        self._start(lambda r: r.verify(job_id, progress=progress, cancelled=cancelled), "Verifying the URL")

    def _on_create_requested(self, stake: int, commission: int) -> None:
        job_id, name = self.job_id, self.create_page.local_name.text()
        announce = self._announce("created")

        def done(job) -> None:
            if job.model_id and name.strip():
                self.names.set_name(job.model_id, name)
            announce(job)
        self._start(lambda r: r.create(job_id, stake, commission), "Creating the model", done)

    def _on_commit_requested(self) -> None:
        job_id = self.job_id
        self._start(lambda r: r.commit(job_id), "Committing", self._announce("committed"))

    def _on_reveal_requested(self) -> None:
        job_id = self.job_id
        self._start(lambda r: r.reveal(job_id), "Revealing", self._announce("revealed"))

    def _announce(self, verb: str):
        def done(job) -> None:
            if job.last_error:
                self.banner.show_message(f"Not {verb}: {job.last_error}", "error")
            else:
                self.banner.show_message(f"Model {verb}. Now in state: {job.state.value.replace('_', ' ')}.", "ok")
        return done

    def _on_ics_requested(self) -> None:
        view = self.view
        text = ics_text(view.job, view.chain) if view is not None else None
        if view is None or text is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Reveal reminder", f"soma-reveal-{view.job.id}.ics",
                                              "Calendar (*.ics)")
        if path:
            self.save_ics(path, text)

    def save_ics(self, path: str, text: str) -> None:
        """Write the reminder off the GUI thread and say where it went."""
        self.bridge.call(asyncio.to_thread(atomic_write_text, path, text),
                             on_result=lambda _r: self.banner.show_message(f"Reminder saved to {path}.", "ok"),
                             on_error=lambda exc: self.banner.show_message(f"Could not save: {exc}", "error"),
                             owner=self, label="saving the reminder")

    def _on_back_clicked(self) -> None:
        job_id = self.job_id
        self._start(lambda r: r.back(job_id), "Going back")

    def _on_recheck_clicked(self) -> None:
        job_id = self.job_id
        self._start(lambda r: r.retry_unknown(job_id), "Reading the chain")

    def _on_abandon_clicked(self) -> None:
        job_id = self.job_id
        self._start(lambda r: r.cancel(job_id), "Abandoning")

    def _on_cancel_clicked(self) -> None:
        self.session.cancel_running()
        if self._compute_cancel is not None:
            self._compute_cancel.set()
        self.cancel.setText("Cancelling…")
        self.cancel.setEnabled(False)


__all__ = ["PublishWizard"]
