"""The most urgent chain deadline of the publish jobs, and how long is left until it (the tray shows it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soma_desktop.publish.journal import Job
from soma_desktop.publish.workflow import ChainView, Deadline, deadline


@dataclass(frozen=True)
class DueAction:
    job: Job
    deadline: Deadline
    epochs_ahead: int        # whole epochs between the running one and the deadline's
    ms_left: int | None      # None where epochs advance only when asked (the sandbox)


def next_due(jobs: Sequence[Job], epoch: int, epoch_duration_ms: int,
             ms_to_next_epoch: int | None) -> DueAction | None:
    """Urgent deadlines first, then the earliest epoch; the time left counts whole epochs after the running one."""
    chain = ChainView(epoch)
    due = sorted(((d, j) for j in jobs if (d := deadline(j, chain)) is not None),
                 key=lambda pair: (not pair[0].urgent, pair[0].epoch))
    if not due:
        return None
    found, job = due[0]
    epochs_ahead = max(0, found.epoch - epoch - (0 if found.urgent else 1))
    ms_left = None if ms_to_next_epoch is None else ms_to_next_epoch + epochs_ahead * epoch_duration_ms
    return DueAction(job, found, epochs_ahead, ms_left)
