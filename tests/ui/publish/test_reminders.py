"""Reveal reminders: which jobs are due and the banner text."""

from __future__ import annotations

from soma_desktop.publish.journal import Job, JobKind, JobState
from soma_desktop.publish.reminders import due_jobs
from soma_desktop.ui.publish.reminders import banner_text

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
