"""PublishService on the real sandbox: a Reveal is one transaction plus at most three reads, and the view
the wizard gets is built from the job the runner returned (no second reconciliation)."""

from __future__ import annotations

import os

import pytest

from soma_desktop.network.types import ModelState
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.runner import PublishRunner
from soma_desktop.publish.workflow import Action, Step
from soma_desktop.services.chain_cache import MODELS, VALIDATORS
from soma_desktop.services.publish import PublishService
from tests.publish.publish_helpers import ONE_SOMA, TestSigner, embedding, make_safetensors


@pytest.fixture
def publishing(tmp_path, loop, counted, cache):
    journal = Journal(tmp_path / "publish.db", os.urandom(32))
    with BlobServer(tmp_path / "blobs") as server:
        runner = PublishRunner(journal, counted, TestSigner(), work_dir=tmp_path / "work", blob_server=server)
        yield PublishService(runner, counted, cache), runner
    journal.close()


def _to_reveal(loop, runner, counted, weights) -> int:
    """Play the wizard (through the runner directly) until the reveal is due."""
    job = runner.start_publish()

    async def play() -> None:
        await runner.set_weights(job.id, weights)
        await runner.set_embedding(job.id, embedding())
        for _ in range(20):
            decision = await runner.decide(job.id)
            if decision.action is Action.REVEAL:
                return
            if decision.action is Action.ASK_HOSTING:
                await runner.host_local(job.id)
            elif decision.action is Action.ASK_CREATE:
                await runner.create(job.id, ONE_SOMA, 100)
            elif decision.action is Action.WAIT_EPOCH:
                await counted.advance_epoch()
            else:
                await runner.advance(job.id, confirm=True)
        raise AssertionError("the reveal never became due")
    loop.run_until_complete(play())
    return job.id


def test_one_reveal_is_one_transaction_and_at_most_three_reads(loop, tmp_path, counted, cache, publishing):
    service, runner = publishing
    job_id = _to_reveal(loop, runner, counted, make_safetensors(tmp_path / "w.safetensors"))
    cache.watch(MODELS, VALIDATORS)
    cache.watch_accounts([runner.address])
    loop.run_until_complete(cache.tick())       # the app's last poll, moments before the click
    counted.reset()
    result = loop.run_until_complete(service.step(job_id, lambda r: r.reveal(job_id)))
    assert counted.transactions == {"reveal_model": 1}
    assert sum(counted.reads.values()) <= 3, counted.reads
    view = result.view
    assert result.value.state is JobState.REVEALED and view.job == result.value
    assert view.decision.step is Step.ACTIVE and view.decision.action is Action.DONE
    model = next(m for m in cache.models() if m.id == view.job.model_id)
    assert model.state is ModelState.ACTIVE     # the cache got the runner's own read, without a new poll


def test_a_view_reads_the_chain_once(loop, tmp_path, counted, cache, publishing):
    service, runner = publishing
    job_id = _to_reveal(loop, runner, counted, make_safetensors(tmp_path / "w.safetensors"))
    counted.reset()
    view = loop.run_until_complete(service.view(job_id))
    assert view.decision.action is Action.REVEAL
    assert counted.reads == {"get_system_state": 1, "get_model": 1}


def test_a_refused_reveal_changes_nothing(loop, tmp_path, counted, cache, publishing):
    service, runner = publishing
    job_id = _to_reveal(loop, runner, counted, make_safetensors(tmp_path / "w.safetensors"))
    loop.run_until_complete(counted.advance_epoch())
    loop.run_until_complete(counted.advance_epoch())   # the reveal window closed
    counted.reset()
    view = loop.run_until_complete(service.view(job_id))
    assert counted.transactions == {}
    assert view.job.state is not JobState.REVEALED and view.decision.action is not Action.REVEAL
