"""The tray icon: the next due publish action with its countdown, and "keep running" while money is at stake.

Closing the main window while a reveal is pending or a publish step is in flight hides it to the tray instead of
quitting (said once per run): a missed reveal costs 50 % of the stake. Where the desktop has no tray, the main
window's quit warning applies as before. Everything here reads in-memory state only (no I/O in slots).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QSystemTrayIcon, QWidget

from soma_desktop.core.settings import Settings
from soma_desktop.guardian.wake import WakeDetector
from soma_desktop.network.types import SystemState
from soma_desktop.publish.journal import Job
from soma_desktop.services.due import next_due as due_action
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.format import duration_text

TICK_MS = 1000
KEPT_MESSAGE = ("SOMA Desktop keeps running in the tray until the pending reveal is sent. Quit from the tray "
                "menu; `soma-desktop guard` can send reveals while the app is closed.")


def next_due(jobs: list[Job], state: SystemState | None, ms_to_next_epoch: int | None) -> str:
    """The most urgent chain deadline of `jobs` in plain words with its countdown, or ''."""
    if state is None:
        return ""
    due = due_action(jobs, state.epoch, state.epoch_duration_ms, ms_to_next_epoch)
    if due is None:
        return ""
    found, job = due.deadline, due.job
    label = _short(job.model_id) if job.model_id else f"job {job.id}"
    if due.ms_left is None:
        when = "when epochs are advanced" if due.epochs_ahead or not found.urgent else "before the next epoch"
    else:
        when = duration_text(due.ms_left)
    if found.kind == "reveal":
        return f"Reveal model {label} now: {when} left (epoch {found.epoch})"
    if found.kind == "reveal_opens":
        return f"Reveal of model {label} opens in epoch {found.epoch}: in {when}"
    return f"Commit model {label} by the end of epoch {found.epoch}: {when} left"


def _short(model_id: str) -> str:
    return model_id[:8] + "…" + model_id[-4:] if len(model_id) > 14 else model_id


class PublishJobs(Protocol):
    """What the tray reads of the publish session: its jobs and whether a step is in flight."""

    @property
    def is_open(self) -> bool: ...

    @property
    def busy(self) -> bool: ...

    def jobs(self) -> list[Job]: ...


class PublishWork(Protocol):
    """The Publish panel as the tray sees it (created on first show, so the tray asks for it each time)."""

    @property
    def session(self) -> PublishJobs: ...

    def pending_reveal_text(self) -> str: ...


@dataclass(frozen=True)
class LoginItem:
    """What "start the guardian at login" needs: the loop for the file write, where, and the setting to undo."""

    bridge: AsyncBridge
    data_dir: Path
    settings: Settings
    save_settings: Callable[[], None]


def _no_publish() -> PublishWork | None:
    return None


class GuardianTray(QObject):
    """Owned by the main window. `available` is False where the desktop shows no tray."""

    def __init__(self, window: QWidget, *, chain: ChainStatus | None = None,
                 publish: Callable[[], PublishWork | None] = _no_publish, quit_app: Callable[[], None] | None = None,
                 login: LoginItem | None = None, chain_watch: QObject | None = None, available: bool | None = None):
        """`chain`: the epoch and countdown (None: nothing is due); `publish`: the Publish panel once it exists;
        `quit_app`: the tray's Quit (default: close the window); `login`: for set_start_at_login;
        `chain_watch`: kept alive with the tray (the chain identity warning)."""
        super().__init__(window)
        self.window = window
        self.chain = chain
        self.publish = publish
        self.login = login
        self.chain_watch = chain_watch
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.told = False
        self.wake = WakeDetector()
        self.icon = QSystemTrayIcon(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.icon.setIcon(app.windowIcon())
        menu = QMenu(window)
        self.status_action = QAction("Nothing due", menu)
        self.status_action.setEnabled(False)
        menu.addAction(self.status_action)
        menu.addSeparator()
        show_action = QAction("Show SOMA Desktop", menu)
        show_action.triggered.connect(self.show_window)
        quit_action = QAction("Quit", menu)
        quit_action.triggered.connect(quit_app or self._close_window)
        menu.addAction(show_action)
        menu.addAction(quit_action)
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._on_icon_activated)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    # ---- Public API --------------------------------------------------------------------------
    def due_text(self) -> str:
        session = self._session()
        if session is None or self.chain is None:
            return ""
        return next_due(session.jobs(), self.chain.state, self.chain.ms_to_next_epoch())

    def must_keep_running(self) -> bool:
        """A committed model waits for its reveal, or a publish step is in flight."""
        panel = self.publish()
        session = self._session()
        return bool((panel is not None and panel.pending_reveal_text()) or (session is not None and session.busy))

    def keep_in_tray(self) -> bool:
        """Called on window close: hide to the tray and return True when quitting now would put money at risk."""
        if not self.available or not self.must_keep_running():
            return False
        self._refresh()
        self.icon.show()
        self.window.hide()
        if not self.told:
            self.told = True
            self.icon.showMessage("SOMA Desktop", KEPT_MESSAGE, QSystemTrayIcon.MessageIcon.Information, 10_000)
        return True

    def set_start_at_login(self, enabled: bool) -> None:
        """Write or remove the XDG autostart entry on the loop thread; a failure is shown, never silent."""
        import asyncio

        from soma_desktop.guardian import autostart

        login = self.login
        if login is None:
            raise RuntimeError("GuardianTray was built without a LoginItem")
        login.bridge.call(asyncio.to_thread(autostart.set_enabled, enabled, login.data_dir),
                          on_result=self._on_autostart_done, on_error=self._on_autostart_failed, owner=self.window,
                          label="start at login")

    def _close_window(self) -> None:
        self.window.close()

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    # ---- Private -----------------------------------------------------------------------------
    def _session(self) -> PublishJobs | None:
        panel = self.publish()
        session = panel.session if panel is not None else None
        return session if session is not None and session.is_open else None

    def _refresh(self) -> None:
        text = self.due_text()
        self.status_action.setText(text or "Nothing due")
        self.icon.setToolTip(f"SOMA Desktop\n{text}" if text else "SOMA Desktop")
        if self.available and text and not self.icon.isVisible():
            self.icon.show()

    def _on_autostart_done(self, path: Any) -> None:
        text = (f"The reveal guardian starts at login ({path})." if path
                else "The reveal guardian no longer starts at login.")
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(text, 6000)

    def _on_autostart_failed(self, exc: BaseException) -> None:
        from PySide6.QtWidgets import QMessageBox

        if self.login is not None:
            self.login.settings.extra["guard_at_login"] = False
            self.login.save_settings()
        QMessageBox.warning(self.window, "Start at login", f"Could not change the login items: {exc}")

    def _on_timer_timeout(self) -> None:
        if self.wake.woke() and self.chain is not None:
            self.chain.refresh()   # after sleep: re-read the chain now, so a due reveal is reconciled at once
        self._refresh()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window()
