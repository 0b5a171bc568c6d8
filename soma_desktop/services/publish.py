"""Publishing as the wizard sees it: every step returns one typed `JobView` (job, decision, chain view).

A step runs the publish runner against a per-step read memo (`StepReads`), then renders the job the
runner returned with the reads it already made: a reveal is read, sent and reconciled once, never again
for the view. Models read by the step and the signer's coins reach the chain cache without new polls.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from soma_desktop.core.storage import atomic_write_text
from soma_desktop.network.base import Network, Signer
from soma_desktop.publish import workflow
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import Job, Journal, marker_for
from soma_desktop.publish.runner import PublishRunner
from soma_desktop.publish.workflow import ChainView, Decision
from soma_desktop.services.chain_cache import ChainCache, Touch, coins_key
from soma_desktop.services.step_reads import StepReads

STATE_MAX_AGE_S = 2.0      # a cached system state younger than this (and before the next boundary) is used

T = TypeVar("T")
Event = tuple[str | None, str, str | None]


@dataclass(frozen=True)
class JobView:
    """One job as the wizard renders it."""

    job: Job
    decision: Decision
    chain: ChainView
    events: tuple[Event, ...] = ()
    jobs: tuple[Job, ...] = ()          # every job of the account, for the job list and reminders


@dataclass(frozen=True)
class StepResult:
    """What a step returned (a Job, a path, …) and the job rendered from the same chain reads."""

    value: Any
    view: JobView


def _wall_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class PublishService:
    runner: PublishRunner
    network: Network
    cache: ChainCache | None = None
    now_ms: Callable[[], int] = _wall_ms

    async def view(self, job_id: int) -> JobView:
        """Re-read the job against the chain; reconcile at most once (all in one read memo)."""
        reads, runner = self._step_runner()
        job = runner.journal.get(job_id)
        chain = await runner.chain_view(job)
        if workflow.reconcile(job, chain.model, chain) is not None:
            job = await runner.reconcile(job_id)
        view = await self._render(runner, job)
        await self._publish(reads)
        return view

    async def step(self, job_id: int, make: Callable[[PublishRunner], Awaitable[T]]) -> StepResult:
        """Run one runner step; the view is built from the job it returned and the step's own reads."""
        reads, runner = self._step_runner()
        value = await make(runner)
        job = value if isinstance(value, Job) and value.id == job_id else runner.journal.get(job_id)
        view = await self._render(runner, job)
        await self._publish(reads)
        return StepResult(value, view)

    # ---- private -------------------------------------------------------------------------------
    def _step_runner(self) -> tuple[StepReads, PublishRunner]:
        state = self.cache.fresh_state(STATE_MAX_AGE_S, self.now_ms()) if self.cache is not None else None
        reads = StepReads(self.network, state)
        runner = copy.copy(self.runner)   # shares journal, signer and blob server; reads go through the memo
        runner.network = reads
        return reads, runner

    @staticmethod
    async def _render(runner: PublishRunner, job: Job) -> JobView:
        chain = await runner.chain_view(job)
        return JobView(job, workflow.decide(job, chain), chain, tuple(runner.journal.events(job.id)),
                       tuple(runner.jobs()))

    async def _publish(self, reads: StepReads) -> None:
        cache = self.cache
        if cache is None or cache.network is not self.network:
            return
        for model in reads.models_read():
            cache.put_model(model)
        if reads.sent:
            await cache.apply(Touch.of(coins_key(self.runner.address)))


# ---- opening the journal of an account ---------------------------------------------------------------

def publish_dir(data_dir: Path) -> Path:
    return data_dir / "publish"


@dataclass
class OpenedPublishing:
    """One account's open journal, its runner and (on a loopback chain) the built-in blob server."""

    service: PublishService
    journal: Journal
    server: BlobServer | None
    unfinished: list[Job]
    jobs: list[Job]

    @property
    def runner(self) -> PublishRunner:
        return self.service.runner


@dataclass(frozen=True)
class PublishOpener:
    """Opens publishing for the unlocked account on the cache's current network (the UI holds no network)."""

    cache: ChainCache
    data_dir: Path

    def loopback(self) -> bool:
        """Validators can reach a server on this computer: the sandbox or a localnet (host it built in)."""
        network = self.cache.network
        return (network is not None and network.is_sandbox) or self.cache.network_key == "localnet"

    def is_current(self, opened: OpenedPublishing) -> bool:
        """Still the network that is open (the user did not switch while the journal was opening)."""
        return self.cache.network is opened.runner.network

    async def open(self, signer: Signer, journal_key: bytes) -> OpenedPublishing:
        """Open the journal and reconcile every unfinished job with the chain (security.md §4.3)."""
        network = self.cache.require_network()
        root, loopback = publish_dir(self.data_dir), self.loopback()
        journal = await asyncio.to_thread(Journal, root / "journal.db", journal_key, marker=marker_for(self.data_dir))
        server = None
        try:
            if loopback:
                server = await asyncio.to_thread(_start_blob_server, root / "blobs")
                await asyncio.to_thread(_remember_port, root / "blobs", server.port)
            runner = PublishRunner(journal, network, signer, work_dir=root / "work", blob_server=server)
            unfinished = await runner.resume_all()
            return OpenedPublishing(PublishService(runner, network, self.cache), journal, server, unfinished,
                                    runner.jobs())
        except BaseException:
            if server is not None:
                server.stop()
            journal.close()
            raise

    @staticmethod
    async def close(opened: OpenedPublishing) -> None:
        """Stop the blob server and close the journal (a worker thread: SQLite touches disk)."""
        if opened.server is not None:
            await asyncio.to_thread(opened.server.stop)
        await asyncio.to_thread(opened.journal.close)


def _start_blob_server(root: Path) -> BlobServer:
    """Start on the port used last time, so URLs already committed keep working after a restart."""
    try:
        preferred = int((root / "port").read_text().strip())
    except (OSError, ValueError):
        preferred = 0
    return BlobServer(root / "files", port=preferred).start()


def _remember_port(root: Path, port: int) -> None:
    try:
        if (root / "port").read_text().strip() == str(port):
            return
    except OSError:
        pass
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(root / "port", str(port))
