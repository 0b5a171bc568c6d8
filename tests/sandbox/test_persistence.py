"""Persistence across reopen, reset, and crash consistency (SIGKILL mid-run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS, SandboxChain, SandboxConfig
from soma_desktop.network.sandbox.params import SOMA
from tests.sandbox.helpers import DEMO, DIM, FakeClock, activate_model, addr, assert_supply, snapshot

WORKER = Path(__file__).resolve().parent / "crash_worker.py"
REPO = Path(__file__).resolve().parents[2]


def test_state_survives_reopen(tmp_path, clock):
    path = tmp_path / "s.db"
    config = SandboxConfig(embedding_dim=DIM, timed=False, clock=clock)
    chain = SandboxChain(path, config)
    model_id, _, _ = activate_model(chain)
    chain.transfer_coin(DEMO, addr("bob"), 5 * SOMA)
    chain.advance_epoch()
    before = snapshot(chain)
    chain.close()
    chain = SandboxChain(path, config)
    assert snapshot(chain) == before
    assert chain.get_model(model_id).state.value == "active"
    assert chain.get_balance(addr("bob")) == 5 * SOMA
    chain.close()


def test_reset_regenesis(tmp_path, clock):
    chain = SandboxChain(tmp_path / "s.db", SandboxConfig(embedding_dim=DIM, timed=False, clock=clock))
    genesis = snapshot(chain)
    chain.transfer_coin(DEMO, addr("bob"), SOMA)
    chain.advance_epoch()
    chain.reset()
    assert snapshot(chain) == genesis                     # genesis is deterministic for a given clock
    assert chain.get_balance(SANDBOX_DEMO_ADDRESS) == 100_000 * SOMA
    assert chain.list_transactions() == []
    chain.close()


def _integrity(path: Path) -> None:
    import sqlite3
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_sigkill_mid_run_leaves_a_consistent_state(tmp_path):
    path = tmp_path / "crash.db"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    total_logged = 0
    for round_no, kill_after in enumerate((15, 40, 25)):
        proc = subprocess.Popen([sys.executable, str(WORKER), str(path), str(round_no)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, text=True)
        done = 0
        assert proc.stdout is not None
        for line in proc.stdout:
            done = int(line)
            if done >= kill_after:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert done >= kill_after, proc.stderr.read() if proc.stderr else ""
        _integrity(path)
        chain = SandboxChain(path, SandboxConfig(embedding_dim=8, timed=False, clock=FakeClock()))
        assert_supply(chain)
        logged = chain.conn.execute("SELECT COUNT(*) FROM txs").fetchone()[0]
        assert logged > total_logged                      # earlier committed work is still there
        total_logged = logged
        chain.transfer_coin(DEMO, addr("after-crash"), 1)   # and the store still takes transactions
        assert_supply(chain)
        chain.close()


def test_reopen_applies_epoch_length_but_keeps_the_dimension(tmp_path, clock):
    path = tmp_path / "s.db"
    SandboxChain(path, SandboxConfig(embedding_dim=DIM, epoch_duration_ms=60_000, timed=False, clock=clock)).close()
    chain = SandboxChain(path, SandboxConfig(embedding_dim=32, epoch_duration_ms=120_000, timed=False, clock=clock))
    state = chain.system_state()
    assert state.epoch_duration_ms == 120_000 and state.target_embedding_dim == DIM
    chain.reset()                                         # the new dimension applies from a fresh genesis
    assert chain.system_state().target_embedding_dim == 32
    chain.close()
