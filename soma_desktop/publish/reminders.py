"""Reveal reminders without Qt (security.md §4.4): which jobs must be revealed now, and a calendar event for
the reveal epoch estimated from the chain's epoch clock."""

from __future__ import annotations

from datetime import UTC, datetime

from soma_desktop.protocol.reveal import reveal_epoch
from soma_desktop.publish.journal import Job
from soma_desktop.publish.workflow import ChainView, reveal_due


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
