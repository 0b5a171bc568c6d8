"""The .ics event for a reveal epoch (publish/reminders.py)."""

from __future__ import annotations

from soma_desktop.publish.journal import Job, JobKind, JobState
from soma_desktop.publish.reminders import ics_text
from soma_desktop.publish.workflow import ChainView

MODEL = "0x" + "ab" * 32


def _job(state: JobState, commit_epoch: int | None = 4, kind: JobKind = JobKind.PUBLISH, job_id: int = 1) -> Job:
    return Job(id=job_id, op_id=f"op{job_id}", kind=kind, network="Sandbox", address="0x" + "11" * 32,
               state=state, model_id=MODEL, commit_epoch=commit_epoch)


def test_ics_spans_the_reveal_epoch_on_timed_networks():
    start, duration = 1_700_000_000_000, 600_000
    timed = ChainView(epoch=4, epoch_start_ms=start, epoch_duration_ms=duration)
    text = ics_text(_job(JobState.COMMITTED), timed)
    assert "DTSTART:20231114T222320Z" in text and "DTEND:20231114T223320Z" in text   # epoch 5 = [start+10m, +20m)
    assert "epoch 5" in text and text.startswith("BEGIN:VCALENDAR\r\n")
    assert ics_text(_job(JobState.COMMITTED), ChainView(epoch=4)) is None           # manual epochs: no date
