"""Reveal reminders: which jobs are due, the banner text, and the .ics event for the reveal epoch."""

from __future__ import annotations

from soma_desktop.publish.journal import Job, JobKind, JobState
from soma_desktop.publish.workflow import ChainView
from soma_desktop.ui.publish.reminders import banner_text, due_jobs, ics_text

MODEL = "0x" + "ab" * 32


def _job(state: JobState, commit_epoch: int | None = 4, kind: JobKind = JobKind.PUBLISH, job_id: int = 1) -> Job:
    return Job(id=job_id, op_id=f"op{job_id}", kind=kind, network="Sandbox", address="0x" + "11" * 32,
               state=state, model_id=MODEL, commit_epoch=commit_epoch)


def test_due_only_in_the_epoch_after_the_commit():
    jobs = [_job(JobState.COMMITTED), _job(JobState.REVEALED, job_id=2), _job(JobState.MISSED_REVEAL, job_id=3)]
    assert due_jobs(jobs, 4) == [] and due_jobs(jobs, 6) == []
    assert [j.id for j in due_jobs(jobs, 5)] == [1]
    text = banner_text(due_jobs(jobs, 5), 65_000)
    assert "epoch 5 only" in text and "01:05" in text and "50 %" in text
    update = banner_text([_job(JobState.COMMITTED, kind=JobKind.UPDATE)], None)
    assert "drops the update" in update and "left" not in update


def test_ics_spans_the_reveal_epoch_on_timed_networks():
    start, duration = 1_700_000_000_000, 600_000
    timed = ChainView(epoch=4, epoch_start_ms=start, epoch_duration_ms=duration)
    text = ics_text(_job(JobState.COMMITTED), timed)
    assert "DTSTART:20231114T222320Z" in text and "DTEND:20231114T223320Z" in text   # epoch 5 = [start+10m, +20m)
    assert "epoch 5" in text and text.startswith("BEGIN:VCALENDAR\r\n")
    assert ics_text(_job(JobState.COMMITTED), ChainView(epoch=4)) is None           # manual epochs: no date
