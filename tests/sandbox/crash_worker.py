"""Runs random transactions against a sandbox until killed; prints the number done after each one."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from soma_desktop.network.sandbox import SandboxChain, SandboxConfig  # noqa: E402
from soma_desktop.network.sandbox.params import SOMA  # noqa: E402
from tests.sandbox.driver import ACCOUNTS, OPS, Memory, run_op  # noqa: E402


def main() -> None:
    db, seed = Path(sys.argv[1]), int(sys.argv[2])
    chain = SandboxChain(db, SandboxConfig(embedding_dim=8, timed=False, clock=lambda: 1_700_000_000_000))
    rng = random.Random(seed)
    memory = Memory()
    if chain.get_balance(ACCOUNTS[1]) == 0:
        chain.transfer_coin(ACCOUNTS[0], ACCOUNTS[1], 500 * SOMA)
    done = 0
    while True:
        op = rng.choice(OPS + ("advance", "submit", "submit"))
        run_op(chain, memory, op, rng.randrange(3), rng.randrange(200), rng.randrange(2**32))
        done += 1
        print(done, flush=True)


if __name__ == "__main__":
    main()
