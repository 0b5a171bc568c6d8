"""Publish panel: the create → commit → reveal wizard over the durable journal, with reveal reminders."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from soma_desktop.protocol.reveal import reveal_epoch
from soma_desktop.publish.journal import Job, JobKind, JobState
from soma_desktop.services.publish import PublishOpener
from soma_desktop.services.wallet import WalletService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.navigator import Navigator
from soma_desktop.ui.panels.common import Banner, PanelHeader
from soma_desktop.ui.publish.reminders import RevealReminder, banner_text
from soma_desktop.ui.publish.session import JobView, PublishSession
from soma_desktop.ui.publish.wizard import PublishWizard
from soma_desktop.ui.wallet.account_picker import AccountPicker
from soma_desktop.ui.wallet.common import wallet_button_text, wallet_missing_text
from soma_desktop.ui.wallet_session import WalletSession


def _job_label(job: Job) -> str:
    what = "Update" if job.kind is JobKind.UPDATE else "Model"
    model = f" {job.model_id[:10]}…" if job.model_id else ""
    return f"#{job.id} {what}{model} — {job.state.value.replace('_', ' ')}"


class PublishPanel(QWidget):
    def __init__(self, *, opener: PublishOpener, chain: ChainStatus, wallet: WalletSession,
                 wallet_service: WalletService, bridge: AsyncBridge, names: LocalNames,
                 navigator: Navigator | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.chain, self.wallet, self.navigator = chain, wallet, navigator
        self.session = PublishSession(opener=opener, chain=chain, wallet=wallet, bridge=bridge, parent=self)
        self.reminder = RevealReminder(self)
        self._pending_update: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Publish", "Create a model, commit encrypted weights, reveal the key in the "
                                                "next epoch. A missed reveal is slashed 50 % of the stake."))
        self.reveal_banner = Banner()
        self.reveal_banner.setObjectName("revealDueBanner")
        self.reveal_banner.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.reveal_banner.linkActivated.connect(self._on_reveal_banner_link_activated)
        layout.addWidget(self.reveal_banner)
        self.locked = QWidget()
        locked_row = QHBoxLayout(self.locked)
        self.locked_text = QLabel("Unlock your wallet to publish and to resume unfinished publish jobs: their keys "
                                  "are sealed with your wallet.")
        self.locked_text.setWordWrap(True)
        self.unlock = QPushButton("Unlock wallet")
        self.unlock.setObjectName("unlockButton")
        self.unlock.clicked.connect(self._on_unlock_clicked)
        locked_row.addWidget(self.locked_text, 1)
        locked_row.addWidget(self.unlock)
        layout.addWidget(self.locked)
        jobs_row = QHBoxLayout()
        jobs_row.addWidget(QLabel("Job:"))
        self.jobs = QComboBox()
        self.jobs.setObjectName("publishJobs")
        self.jobs.setMinimumWidth(360)
        self.jobs.activated.connect(self._on_jobs_activated)
        jobs_row.addWidget(self.jobs, 1)
        self.account_picker = AccountPicker(wallet, prefix="Paid by ")
        jobs_row.addWidget(self.account_picker)
        self.new = QPushButton("New model")
        self.new.setObjectName("newModelButton")
        self.new.clicked.connect(self._on_new_clicked)
        jobs_row.addWidget(self.new)
        layout.addLayout(jobs_row)
        self.wizard = PublishWizard(session=self.session, chain=chain, wallet=wallet, wallet_service=wallet_service,
                                    bridge=bridge, names=names)
        self.wizard.setObjectName("publishWizard")
        layout.addWidget(self.wizard, 1)
        self.session.sig_opened.connect(self._on_session_opened)
        self.session.sig_job_updated.connect(self._on_session_job_updated)
        self.wizard.sig_new_requested.connect(self._on_new_clicked)
        self.wizard.sig_open_model_requested.connect(self._on_wizard_open_model_requested)
        chain.epoch_changed.connect(self._on_chain_epoch_changed)
        chain.network_changed.connect(self._on_chain_network_changed)
        wallet.sig_unlocked.connect(self._try_open)
        wallet.sig_locked.connect(self._on_wallet_locked)
        wallet.sig_account_changed.connect(self._on_wallet_account_changed)
        if isinstance(wallet, WalletSession):      # the tests' wallet double has no privacy setting to change
            wallet.sig_amounts_hidden_changed.connect(lambda _h: self.wizard.refresh())
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.session.close)   # stop the blob server, close the journal
        self._banner_tick = QTimer(self)
        self._banner_tick.setInterval(1000)
        self._banner_tick.timeout.connect(self._on_banner_tick_timeout)
        self._banner_tick.start()
        self._due: list[Job] = []
        self._sync_enabled()
        self._try_open()

    # ---- Public API --------------------------------------------------------------------------
    def start_update(self, model_id: str) -> None:
        """Model management: publish new weights for an Active model (commit → reveal)."""
        if not self.session.is_open:
            self._pending_update = model_id
            self._on_unlock_clicked()
            return
        self.session.new_update(model_id, self._on_job_started)

    def pending_reveal_text(self) -> str:
        """Non-empty while a committed job still waits for its reveal (for a close-window guard)."""
        waiting = [j for j in self.session.jobs() if j.state in (JobState.COMMITTED, JobState.REVEAL_SENT)]
        if not waiting:
            return ""
        epochs = ", ".join(str(reveal_epoch(j.commit_epoch or 0)) for j in waiting)
        return (f"{len(waiting)} committed model(s) must be revealed in epoch {epochs}. If the app is closed "
                f"then, the reveal is missed and 50 % of the stake is slashed.")

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.session.close()
        super().closeEvent(event)

    # ---- Private -----------------------------------------------------------------------------
    def _try_open(self) -> None:
        self._sync_enabled()
        if self.wallet.is_unlocked() and self.chain.is_open:
            self.session.open()

    def _sync_enabled(self) -> None:
        wallet = self.wallet
        unlocked = wallet.is_unlocked()
        self.locked.setVisible(not unlocked)
        has_vault = wallet.has_vault()
        self.unlock.setText(wallet_button_text(wallet))
        self.locked_text.setText(
            "Unlock your wallet to publish and to resume unfinished publish jobs: their keys are sealed with your "
            "wallet." if has_vault else "Create or import a wallet to publish: the model is created, paid for and "
            "owned by one of its accounts.")
        ready = self.session.is_open
        self.new.setEnabled(ready)
        self.new.setToolTip("" if ready else wallet_missing_text(wallet, "and connect to a network first."))
        self.wizard.setEnabled(ready)

    def _on_wizard_open_model_requested(self, model_id: str) -> None:
        if self.navigator is not None:
            self.navigator.show_model(model_id)

    def _on_unlock_clicked(self) -> None:
        self.wallet.request_unlock(self)

    def _on_wallet_locked(self) -> None:
        self.session.close()
        self.jobs.clear()
        self._due = []
        self.reveal_banner.clear_message()
        self._sync_enabled()

    def _on_wallet_account_changed(self, account) -> None:
        if account is not None and self.session.address == account.address:
            return
        if self.session.is_open:
            self.session.close()
            self.jobs.clear()
        self._try_open()

    def _on_chain_network_changed(self, network: object) -> None:
        if network is None:
            self.session.close()
            self.jobs.clear()
            self._sync_enabled()
        else:
            self._try_open()

    def _on_session_opened(self, unfinished: list[Job], jobs: list[Job]) -> None:
        self._sync_enabled()
        self._reload_jobs()
        if self._pending_update:
            model_id, self._pending_update = self._pending_update, None
            self.session.new_update(model_id, self._on_job_started)
            return
        due = self._check_reminders()
        chosen = due[0] if due else (unfinished[-1] if unfinished else (jobs[-1] if jobs else None))
        if chosen is not None:
            self._select(chosen.id)
        else:
            self.wizard.show_empty()

    def _reload_jobs(self) -> None:
        current = self.jobs.currentData()
        self.jobs.clear()
        for job in reversed(self.session.jobs()):
            self.jobs.addItem(_job_label(job), job.id)
        if current is not None:
            index = self.jobs.findData(current)
            if index >= 0:
                self.jobs.setCurrentIndex(index)

    def _select(self, job_id: int) -> None:
        index = self.jobs.findData(job_id)
        if index >= 0:
            self.jobs.setCurrentIndex(index)
        self.wizard.show_job(job_id)

    def _on_jobs_activated(self, index: int) -> None:
        job_id = self.jobs.itemData(index)
        if job_id is not None:
            self.wizard.show_job(job_id)

    def _on_new_clicked(self) -> None:
        self.session.new_publish(self._on_job_started)

    def _on_job_started(self, job: Job) -> None:
        self.jobs.insertItem(0, _job_label(job), job.id)
        self._select(job.id)

    def _on_session_job_updated(self, view: JobView) -> None:
        if self.jobs.count() != len(view.jobs):
            self._reload_jobs()
        for job in view.jobs:
            index = self.jobs.findData(job.id)
            if index >= 0:
                self.jobs.setItemText(index, _job_label(job))
        self._check_reminders()

    def _on_chain_epoch_changed(self, _epoch: object) -> None:
        self.wizard.refresh()
        if self.session.is_open:
            self._check_reminders()

    def _on_reveal_banner_link_activated(self, link: str) -> None:
        if link.startswith("job:"):
            self._select(int(link[4:]))

    def _on_banner_tick_timeout(self) -> None:
        if self._due and self.chain.ms_to_next_epoch() is not None:
            self.reveal_banner.show_message(banner_text(self._due, self.chain.ms_to_next_epoch()), "warning")

    def _check_reminders(self) -> list[Job]:
        state = self.chain.state
        if state is None or not self.session.is_open:
            self._due = []
            return []
        due = self.reminder.check(self.session.jobs(), state.epoch)
        self._due = due
        if due:
            self.reveal_banner.show_message(banner_text(due, self.chain.ms_to_next_epoch()), "warning")
        else:
            self.reveal_banner.clear_message()
        return due
