"""The commit and reveal windows (protocol.md §3.4; `types/src/system_state/mod.rs:1111-1214`)."""

from __future__ import annotations


def reveal_epoch(commit_epoch: int) -> int:
    """The only epoch a reveal is accepted in (`ModelRevealEpochMismatch` otherwise)."""
    return commit_epoch + 1


def reveal_open(commit_epoch: int, epoch: int) -> bool:
    return epoch == reveal_epoch(commit_epoch)


def reveal_missed(commit_epoch: int, epoch: int) -> bool:
    """Past the window: the boundary into commit_epoch + 2 slashes a Pending model 50 %."""
    return epoch > reveal_epoch(commit_epoch)


def last_commit_epoch(create_epoch: int) -> int:
    """A Created model must be committed in create_epoch or the next one."""
    return create_epoch + 1


def created_timed_out(create_epoch: int, new_epoch: int) -> bool:
    """At the boundary into `new_epoch`, a still-Created model is slashed (and every boundary after)."""
    return create_epoch + 1 < new_epoch


def reveal_timed_out(commit_epoch: int, new_epoch: int) -> bool:
    """At the boundary into `new_epoch`, a Pending model (or an Active model's update) missed its reveal."""
    return commit_epoch < new_epoch - 1
