"""Property tests over random transaction sequences (hypothesis): supply is conserved, no balance goes
negative, and a rejected transaction changes nothing (an on-chain failure changes only the base fee)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soma_desktop.network.sandbox import SandboxChain, SandboxConfig
from soma_desktop.network.sandbox.params import SOMA
from tests.sandbox.driver import ACCOUNTS, OPS, Memory, run_op
from tests.sandbox.helpers import FakeClock, assert_supply, snapshot

op_strategy = st.tuples(st.sampled_from(OPS), st.integers(0, 2), st.integers(0, 200), st.integers(0, 2**32))


def _fresh_chain(directory: str) -> SandboxChain:
    chain = SandboxChain(Path(directory) / "p.db", SandboxConfig(embedding_dim=8, timed=False, clock=FakeClock()))
    chain.transfer_coin(ACCOUNTS[0], ACCOUNTS[1], 500 * SOMA)
    chain.transfer_coin(ACCOUNTS[0], ACCOUNTS[2], 5 * SOMA)
    return chain


def _only_base_fee_changed(before, after) -> bool:
    for table in ("staked", "pools", "validators", "models", "targets"):
        if before[table] != after[table]:
            return False
    coins_b = {r[0]: r[2] for r in before["coins"]}
    coins_a = {r[0]: r[2] for r in after["coins"]}
    if coins_b.keys() != coins_a.keys():
        return False
    deltas = sorted(coins_a[c] - coins_b[c] for c in coins_b if coins_a[c] != coins_b[c])
    sys_b = json.loads(dict(before["meta"])["system"])
    sys_a = json.loads(dict(after["meta"])["system"])
    paid = sys_a["fees_epoch"] - sys_b["fees_epoch"]
    sys_a.update(fees_epoch=sys_b["fees_epoch"], tx_seq=sys_b["tx_seq"])
    return sys_a == sys_b and deltas in ([-paid], []) and 0 < paid <= 1000 and \
        len(after["txs"]) == len(before["txs"]) + 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op_strategy, min_size=5, max_size=30))
def test_random_sequences_keep_the_invariants(ops):
    with tempfile.TemporaryDirectory() as directory:
        chain = _fresh_chain(directory)
        memory = Memory()
        outcomes = set()
        try:
            for op, a, b, raw in ops:
                before = snapshot(chain)
                outcome = run_op(chain, memory, op, a, b, raw)
                outcomes.add(outcome)
                after = snapshot(chain)
                if outcome in ("invalid", "rejected"):
                    assert after == before, (op, outcome)
                elif outcome == "failed":
                    assert _only_base_fee_changed(before, after), op
                assert_supply(chain)
        finally:
            chain.close()


def test_driver_reaches_every_outcome(tmp_path):
    """Guard for the property test above: the driver really produces successes and each kind of refusal."""
    chain = _fresh_chain(str(tmp_path))
    memory = Memory()
    outcomes = {}
    script = [("create", 0, 0, 4), ("commit", 0, 3, 11), ("advance", 0, 0, 0), ("reveal", 0, 3, 11),
              ("create", 0, 0, 0), ("withdraw", 0, 0, 0), ("bad_input", 0, 0, 0), ("transfer", 2, 1, 6),
              ("submit", 1, 0, 1)]
    for op, a, b, raw in script:
        outcomes.setdefault(run_op(chain, memory, op, a, b, raw), []).append(op)
        assert_supply(chain)
    assert {"ok", "failed", "invalid"} <= set(outcomes)
    chain.close()
