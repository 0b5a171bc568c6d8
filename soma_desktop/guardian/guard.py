"""`soma-desktop guard`: reconcile the publish journal without the GUI and send a due reveal.

One pass = take the instance lock (the GUI and the guardian never act on one data dir at once), open the
network, reconcile every unfinished job of that network with chain truth (`PublishRunner.reconcile`,
after_restart: whoever sent a `*_SENT` transaction is gone), and for a job whose reveal window is open
(`workflow.reveal_allowed`: chain epoch == commit_epoch + 1 and our commitment on chain) call
`PublishRunner.reveal`, which re-checks that gate on fresh chain state and journals REVEAL_SENT before
sending. So the guardian never reveals outside the window and never twice: it adds no rule of its own.

The reveal needs the wallet. It is unlocked only through the opt-in device keyring unlock; without it the
guardian reads the journal's public columns (state, model id, epochs) and notifies a person instead.
Between passes the lock is released, so the GUI can start at any time; the loop re-runs a pass at once after
a resume from sleep (wall clock jumped past the monotonic clock).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soma_desktop.core.instance_lock import AlreadyRunning, InstanceLock
from soma_desktop.network.errors import NetworkError
from soma_desktop.publish.journal import Job, JobState, Journal
from soma_desktop.publish.workflow import Action

log = logging.getLogger(__name__)

VAULT_FILE = "wallet.vault"          # same file as ui.wallet_session.VAULT_FILE
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_NEEDS_PERSON = 0, 1, 2, 3
DEFAULT_INTERVAL_S = 60.0
TICK_S = 5.0


@dataclass(frozen=True)
class AddressOnly:
    """A signer that can only say its address: reconciling needs no key, and a reveal is never attempted."""

    address: str

    def secret_key(self) -> bytes:  # pragma: no cover - never called: the guardian checks `can_sign` first
        raise PermissionError("the wallet is locked")


@dataclass
class PassReport:
    revealed: list[str] = field(default_factory=list)        # model ids revealed in this pass
    needs_person: list[str] = field(default_factory=list)    # messages: a person must act
    waiting: list[str] = field(default_factory=list)         # upcoming deadlines, nothing to do yet
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.needs_person:
            return EXIT_NEEDS_PERSON
        return EXIT_ERROR if self.errors else EXIT_OK

    def lines(self) -> list[str]:
        return ([f"revealed model {m}" for m in self.revealed] + self.needs_person + self.errors + self.waiting
                or ["nothing to do"])


Unlock = Callable[[Path], Any]   # vault path -> unlocked Vault or None


def device_unlock(vault_path: Path) -> Any:
    """The existing opt-in keyring unlock; None when the wallet is not remembered on this device."""
    if not vault_path.exists():
        return None
    from soma_desktop.wallet.keyring_unlock import DeviceUnlock

    try:
        return DeviceUnlock().unlock(vault_path)
    except Exception as exc:  # noqa: BLE001 — a corrupt vault: a person must look, the guardian must not crash
        log.warning("device unlock failed: %s", type(exc).__name__)
        return None


async def guard_pass(data_dir: Path, network: Any, *, unlock: Unlock = device_unlock) -> PassReport:
    """One reconciliation pass over the journal of `data_dir` for `network` (caller holds the instance lock)."""
    report = PassReport()
    journal_path = data_dir / "publish" / "journal.db"
    if not journal_path.exists():
        return report
    vault = unlock(data_dir / VAULT_FILE)
    try:
        # Without the wallet the public columns still tell what is due; the throwaway key opens no secret.
        journal = await asyncio.to_thread(Journal, journal_path, vault.journal_key() if vault else os.urandom(32))
        try:
            await _reconcile_all(journal, network, vault, data_dir, report)
        finally:
            journal.close()
    finally:
        if vault is not None:
            vault.lock()
    return report


async def _reconcile_all(journal: Journal, network: Any, vault: Any, data_dir: Path, report: PassReport) -> None:
    from soma_desktop.publish.runner import PublishRunner

    accounts = {a.address: a for a in vault.accounts} if vault is not None else {}
    unfinished = journal.jobs(network=network.name, include_terminal=False)
    for address in sorted({j.address for j in unfinished}):
        signer = accounts.get(address)
        runner = PublishRunner(journal, network, signer or AddressOnly(address), work_dir=data_dir / "publish" / "work")
        for job in (j for j in unfinished if j.address == address):
            try:
                await _guard_job(runner, job, signer is not None, report)
            except NetworkError as exc:
                report.errors.append(f"model {job.model_id or job.id}: {exc}")


async def _guard_job(runner: Any, job: Job, can_sign: bool, report: PassReport) -> None:
    from soma_desktop.publish import workflow

    job = await runner.reconcile(job.id, after_restart=True)
    chain = await runner.chain_view(job)
    decision = workflow.decide(job, chain)
    label = job.model_id or f"job {job.id}"
    if decision.action is Action.REVEAL:
        if not can_sign:
            report.needs_person.append(
                f"The reveal of model {label} is due in epoch {decision.deadline_epoch} and the wallet is locked: "
                "open SOMA Desktop and reveal, or 50 % of the stake is slashed.")
            return
        job = await runner.reveal(job.id)
        if job.state is JobState.REVEALED:
            report.revealed.append(label)
        else:
            report.errors.append(f"model {label}: reveal not confirmed ({job.state.value}): {job.last_error or ''}")
        return
    due = workflow.deadline(job, chain)
    if decision.action is Action.COMMIT and due is not None and due.urgent:
        report.needs_person.append(f"Model {label}: {due.text} Committing needs you: open SOMA Desktop.")
    elif due is not None:
        report.waiting.append(f"model {label}: {due.text}")


# --- the command ----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="soma-desktop guard",
        description="Headless reveal guardian: reconcile the publish journal and send a due reveal "
                    "(needs the wallet's opt-in 'unlock on this device'; otherwise it notifies you).")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="the data dir of SOMA Desktop")
    parser.add_argument("--network", metavar="NAME", help="sandbox | testnet | localnet | URL | env:ALIAS "
                        "(default: the app's last network)")
    parser.add_argument("--once", action="store_true", help="one pass, then exit (exit code 3: a person must act)")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_S, metavar="S",
                        help="seconds between passes (default 60)")
    return parser


async def _one_pass(data_dir: Path, choice: Any, settings: Any, unlock: Unlock,
                    kept: dict[str, Any] | None = None) -> PassReport | None:
    """None when the GUI holds the data dir (it guards the reveal itself).

    `kept`: a real network stays open across passes, so that its record of a transaction with an unknown
    outcome keeps blocking a resend until the chain shows what happened. The sandbox is a file the GUI opens
    too, so it is closed after every pass (it never has unknown outcomes)."""
    from soma_desktop.network.factory import open_network

    try:
        lock = InstanceLock(data_dir).acquire()
    except AlreadyRunning:
        return None
    try:
        network = (kept or {}).pop("network", None)
        if network is None:
            try:
                network = await open_network(choice, data_dir, settings)
            except NetworkError as exc:
                return PassReport(errors=[f"cannot open {choice.label}: {exc}"])
        try:
            return await guard_pass(data_dir, network, unlock=unlock)
        except NetworkError as exc:
            return PassReport(errors=[f"{choice.label}: {exc}"])
        finally:
            if kept is not None and not network.is_sandbox:
                kept["network"] = network
            else:
                await network.close()
    finally:
        lock.release()


def _publish(report: PassReport | None, notified: set[str]) -> None:
    from soma_desktop.guardian.notify import notify

    if report is None:
        log.info("SOMA Desktop is open on this data dir; it guards the reveals itself")
        return
    for line in report.lines():
        log.info("%s", line)
        print(f"soma-desktop guard: {line}", file=sys.stderr if line in report.errors else sys.stdout, flush=True)
    for line in report.revealed:
        notify(f"Revealed model {line}.")
    for line in report.needs_person:
        if line not in notified:          # once per message, not every minute
            notified.add(line)
            notify(line)


async def run_guard(data_dir: Path, choice: Any, settings: Any, *, once: bool, interval_s: float,
                    unlock: Unlock = device_unlock, ticks: int | None = None) -> int:
    from soma_desktop.guardian.wake import WakeDetector

    notified: set[str] = set()
    wake = WakeDetector()
    kept: dict[str, Any] = {}
    try:
        report = await _one_pass(data_dir, choice, settings, unlock, None if once else kept)
        _publish(report, notified)
        if once:
            return EXIT_OK if report is None else report.exit_code
        next_pass = time.monotonic() + interval_s
        while ticks is None or (ticks := ticks - 1) >= 0:
            await asyncio.sleep(min(TICK_S, interval_s))
            if wake.woke() or time.monotonic() >= next_pass:
                _publish(await _one_pass(data_dir, choice, settings, unlock, kept), notified)
                next_pass = time.monotonic() + interval_s
        return EXIT_OK
    finally:
        if "network" in kept:
            await kept.pop("network").close()


def main(argv: list[str] | None = None) -> int:
    from soma_desktop.app import setup_logging
    from soma_desktop.core.paths import default_data_dir, ensure_private_dir
    from soma_desktop.core.settings import load_settings
    from soma_desktop.network.errors import InvalidInput
    from soma_desktop.network.factory import parse_choice

    args = build_parser().parse_args(argv)
    if not args.interval > 0:
        print("soma-desktop guard: --interval must be positive", file=sys.stderr)
        return EXIT_USAGE
    data_dir = ensure_private_dir((args.data_dir or default_data_dir()).expanduser().resolve())
    settings = load_settings(data_dir)
    try:
        choice = parse_choice(args.network or settings.network)
    except InvalidInput as exc:
        print(f"soma-desktop guard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from soma_desktop.wallet.hardening import disable_core_dumps

    disable_core_dumps()   # the unlocked wallet's keys are in memory during a reveal
    setup_logging(data_dir)
    try:
        return asyncio.run(run_guard(data_dir, choice, settings, once=args.once, interval_s=args.interval))
    except KeyboardInterrupt:
        return EXIT_OK
