"""The tray's next deadline (services/due.py): urgent first, time left counted in whole epochs."""

from __future__ import annotations

from soma_desktop.publish.journal import Job, JobKind, JobState
from soma_desktop.services.due import next_due

HOUR = 3_600_000
DAY = 24 * HOUR


def _job(job_id: int, state: JobState, **fields) -> Job:
    job = Job.__new__(Job)
    values = {f: None for f in Job.__dataclass_fields__}
    values.update(id=job_id, kind=JobKind.PUBLISH, state=state, model_id="0x" + f"{job_id:02x}" * 32,
                  send_attempts=0, **fields)
    for key, value in values.items():
        object.__setattr__(job, key, value)
    return job


def test_an_open_reveal_comes_before_a_later_one_and_counts_down_to_its_epoch_end():
    later = _job(1, JobState.COMMITTED, commit_epoch=9)           # reveal opens in epoch 10
    now = _job(2, JobState.COMMITTED, commit_epoch=7)             # reveal open now, in epoch 8
    due = next_due([later, now], 8, DAY, 5 * HOUR)
    assert due is not None and due.job is now and due.deadline.kind == "reveal" and due.deadline.urgent
    assert (due.epochs_ahead, due.ms_left) == (0, 5 * HOUR)


def test_a_reveal_that_opens_later_counts_the_whole_epochs_before_it():
    due = next_due([_job(1, JobState.COMMITTED, commit_epoch=7)], 6, DAY, 2 * HOUR)
    assert due is not None and due.deadline.kind == "reveal_opens" and due.deadline.epoch == 8
    assert (due.epochs_ahead, due.ms_left) == (1, 2 * HOUR + DAY)


def test_manual_epochs_have_no_countdown_and_nothing_due_is_none():
    due = next_due([_job(1, JobState.COMMITTED, commit_epoch=7)], 8, DAY, None)
    assert due is not None and due.ms_left is None and due.epochs_ahead == 0
    assert next_due([], 8, DAY, HOUR) is None
    assert next_due([_job(3, JobState.REVEALED, commit_epoch=7)], 8, DAY, HOUR) is None
