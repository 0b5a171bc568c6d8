"""Stateful property test (security.md §8): wizard steps, epoch boundaries, lost/unknown tx outcomes and
crashes in any order, against the real sandbox and a journal reopened from disk after every crash."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from soma_desktop.core import crypto
from soma_desktop.network.types import ModelState
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.runner import PublishRunner
from soma_desktop.publish.workflow import Action
from tests.publish.publish_helpers import ONE_SOMA, TestSigner, embedding, make_safetensors, open_test_sandbox
from tests.publish.test_runner import Flaky

KEY = bytes(range(32, 64))


class PublishMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="publish-sm-"))
        self.weights = make_safetensors(self.root / "model.safetensors")
        self.server = BlobServer(self.root / "blobs").start()
        self.loop = asyncio.new_event_loop()
        self._open()
        self.job_id = self.runner.start_publish().id
        # the local steps are covered elsewhere; start where the chain gets involved
        self._run(self.runner.set_weights(self.job_id, self.weights))
        self._run(self.runner.set_embedding(self.job_id, embedding()))
        self._run(self.runner.run(self.job_id))                   # encrypt
        self._run(self.runner.host_local(self.job_id))
        self._run(self.runner.run(self.job_id))                   # verify

    def _open(self) -> None:
        self.net = Flaky(open_test_sandbox(self.root / "sandbox.db"))
        self.journal = Journal(self.root / "publish.db", KEY)
        self.runner = PublishRunner(self.journal, self.net, TestSigner(), work_dir=self.root / "work",
                                    blob_server=self.server)

    def _run(self, coro):
        return self.loop.run_until_complete(coro)

    @rule(steps=st.integers(1, 3))
    def user_steps(self, steps: int) -> None:
        for _ in range(steps):
            self._user_step()

    def _user_step(self) -> None:
        r, job_id = self.runner, self.job_id
        action = self._run(r.decide(job_id)).action
        if action is Action.ASK_WEIGHTS:
            self._run(r.set_weights(job_id, self.weights))
        elif action is Action.ASK_EMBEDDING:
            self._run(r.set_embedding(job_id, embedding()))
        elif action is Action.ASK_HOSTING:
            self._run(r.host_local(job_id))
        elif action is Action.ASK_CREATE:
            self._run(r.create(job_id, ONE_SOMA, 100))
        else:
            self._run(r.advance(job_id, confirm=True))

    @rule()
    def epoch_boundary(self) -> None:
        self._run(self.net.advance_epoch())

    @rule(method=st.sampled_from(["create_model", "commit_model", "reveal_model"]),
          mode=st.sampled_from(["lost", "executed"]))
    def next_tx_outcome_unknown(self, method: str, mode: str) -> None:
        self.net.fail[method] = mode

    @rule()
    def user_retries_unknown(self) -> None:
        self._run(self.runner.retry_unknown(self.job_id))

    @rule()
    def crash_and_restart(self) -> None:
        self.journal.close()
        self._run(self.net.close())
        self._open()
        self._run(self.runner.resume_all())

    @invariant()
    def chain_and_journal_agree(self) -> None:
        sent = self._run(self.net.list_transactions(address=TestSigner().address))
        assert [t for t in sent if t["status"] != "success"] == []   # never a tx the chain refuses
        assert sum(t["kind"] == "CreateModel" for t in sent) <= 1
        assert sum(t["kind"] == "RevealModel" for t in sent) <= 1
        job = self.journal.get(self.job_id)
        if job.model_id is None:
            return
        model = self._run(self.net.get_model(job.model_id))
        if model.state is ModelState.PENDING:   # the chain holds a commitment: we can still reveal it
            material = self.journal.load_material(self.job_id)
            assert crypto.key_commitment(material.key) == model.decryption_key_commitment
        if job.state is JobState.REVEALED:
            assert model.state is ModelState.ACTIVE
        if job.state is JobState.MISSED_REVEAL:
            assert model.state is ModelState.INACTIVE

    def teardown(self) -> None:
        self.journal.close()
        self._run(self.net.close())
        self.loop.close()
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


PublishMachine.TestCase.settings = settings(max_examples=20, stateful_step_count=20, deadline=None)
test_publish_state_machine = PublishMachine.TestCase
