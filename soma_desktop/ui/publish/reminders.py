"""Reveal reminders (security.md §4.4): which jobs must be revealed now, as a banner text and an OS notification."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from soma_desktop.protocol.reveal import reveal_epoch
from soma_desktop.publish.journal import Job, JobKind
from soma_desktop.publish.workflow import ChainView, reveal_due
from soma_desktop.ui.format import duration_text


def ics_text(job: Job, chain: ChainView) -> str | None:
    """An iCalendar event spanning the reveal epoch (estimated from chain time); None with manual epochs."""
    if job.commit_epoch is None:
        return None
    epoch = reveal_epoch(job.commit_epoch)
    end = chain.epoch_end_ms(epoch)
    start = chain.epoch_end_ms(epoch - 1)
    if end is None or start is None:
        return None

    def stamp(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    model = job.model_id or "?"
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//SOMA Desktop//publish reminder//EN", "BEGIN:VEVENT",
        f"UID:soma-reveal-{job.op_id}@soma-desktop", f"DTSTAMP:{stamp(start)}", f"DTSTART:{stamp(start)}",
        f"DTEND:{stamp(end)}", f"SUMMARY:Reveal SOMA model {model[:10]}… (epoch {epoch})",
        f"DESCRIPTION:Open SOMA Desktop and press Reveal during epoch {epoch}. Times are estimates from the "
        f"chain's epoch clock; a missed reveal slashes 50 % of the stake.",
        "BEGIN:VALARM", "TRIGGER:PT0M", "ACTION:DISPLAY", "DESCRIPTION:Reveal your SOMA model now", "END:VALARM",
        "END:VEVENT", "END:VCALENDAR", ""])


def due_jobs(jobs: list[Job], epoch: int) -> list[Job]:
    return [job for job in jobs if reveal_due(job, epoch)]


def banner_text(due: list[Job], ms_left: int | None) -> str:
    if not due:
        return ""
    left = f" — about {duration_text(ms_left)} left" if ms_left is not None else ""
    names = ", ".join(f"{(j.model_id or '?')[:10]}…" for j in due)
    penalty = ("a missed reveal slashes 50 % of the stake" if any(j.kind is JobKind.PUBLISH for j in due)
               else "a missed reveal drops the update")
    return (f"<b>Reveal due now</b> for {names} (epoch {(due[0].commit_epoch or 0) + 1} only{left}); "
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
            icon = app.windowIcon() if app is not None else None
            if icon is None or icon.isNull():
                icon = app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip("SOMA Desktop: a reveal is due")
            self._tray.show()
        self._tray.showMessage("SOMA: reveal due", text, QSystemTrayIcon.MessageIcon.Warning, 30_000)
