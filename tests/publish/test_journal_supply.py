"""The publish journal keeps stakes up to the total supply exact across a restart (issue 11)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soma_desktop.publish.journal import JobState, Journal

ADDR = "0x" + "ab" * 32
TOTAL_SUPPLY = 10**16


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stake=st.one_of(st.just(TOTAL_SUPPLY), st.just(2**33), st.integers(min_value=2**31, max_value=TOTAL_SUPPLY)))
def test_stake_of_any_size_survives_the_journal_and_a_restart(tmp_path_factory, wrapping_key, stake):
    path = tmp_path_factory.mktemp("journal") / "j.db"
    journal = Journal(path, wrapping_key)
    job = journal.create_job(network="sandbox", address=ADDR)
    journal.transition(job.id, JobState.NEW, JobState.WEIGHTS_OK, stake=stake, commission=10_000)
    journal.close()
    reopened = Journal(path, wrapping_key)
    again = reopened.get(job.id)
    reopened.close()
    assert again.stake == stake and type(again.stake) is int and again.commission == 10_000
