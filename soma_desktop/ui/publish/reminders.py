"""Reveal reminders (security.md §4.4): which jobs must be revealed now, as a banner text and an OS notification."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from soma_desktop.protocol.reveal import reveal_epoch
from soma_desktop.publish.journal import Job, JobKind
from soma_desktop.publish.reminders import due_jobs
from soma_desktop.ui.format import duration_text


def banner_text(due: list[Job], ms_left: int | None) -> str:
    if not due:
        return ""
    left = f" — about {duration_text(ms_left)} left" if ms_left is not None else ""
    names = ", ".join(f"{(j.model_id or '?')[:10]}…" for j in due)
    penalty = ("a missed reveal slashes 50 % of the stake" if any(j.kind is JobKind.PUBLISH for j in due)
               else "a missed reveal drops the update")
    return (f"<b>Reveal due now</b> for {names} (epoch {reveal_epoch(due[0].commit_epoch or 0)} only{left}); "
            f"{penalty}. <a href='job:{due[0].id}'>Open the reveal step</a>")


class RevealReminder(QObject):
    """Notifies once per (job, reveal epoch) through the system tray when one is available."""

    sig_notified = Signal(str)
    """The notification text that was shown (also emitted when no tray exists, for the in-app banner)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._seen: set[tuple[int, int]] = set()
        self._tray: QSystemTrayIcon | None = None

    def check(self, jobs: list[Job], epoch: int) -> list[Job]:
        due = due_jobs(jobs, epoch)
        fresh = [j for j in due if (j.id, epoch) not in self._seen]
        for job in fresh:
            self._seen.add((job.id, epoch))
        if fresh:
            text = (f"Reveal model {(fresh[0].model_id or '?')[:10]}… during epoch {epoch}: open SOMA Desktop "
                    f"and press Reveal before the epoch ends.")
            self._notify(text)
            self.sig_notified.emit(text)
        return due

    def _notify(self, text: str) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            app = QApplication.instance()
            if not isinstance(app, QApplication):
                return
            icon = app.windowIcon()
            if icon.isNull():
                icon = app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip("SOMA Desktop: a reveal is due")
            self._tray.show()
        self._tray.showMessage("SOMA: reveal due", text, QSystemTrayIcon.MessageIcon.Warning, 30_000)
