"""Embedded sandbox network: a persistent local simulation of SOMA protocol v5 (protocol.md §9).

Layout (rules are synchronous and pure over the store; only `network.py` is async):
- params      genesis amounts (protocol v5 constants re-exported from soma_desktop.protocol.params)
- records     state dataclasses (pools, validators, models, targets, system)
- store       SQLite schema and row access (WAL, synchronous=FULL via core.storage.open_db)
- ledger      per-transaction context and coins; the fee is soma_desktop.protocol.fees (§6.3)
- staking     pool arithmetic (§4.1); validators: rewards, commission, voting power (§4.2)
- models      model transactions and their boundary processing (§3)
- targets     generation, stake-weighted KNN, difficulty, SubmitData, ClaimRewards (§5)
- epochs      the boundary in the order of §2.1
- genesis     supply allocation, validators, demo models, first targets
- chain       executor (one DB transaction per chain transaction) and read views
- network     the async `Network` implementation with timed epochs

Failure semantics: malformed arguments raise InvalidInput and change nothing. Input objects that do not
exist or belong to someone else are rejected before execution: TransactionFailed with fee 0, nothing
changed. Execution failures raise TransactionFailed(error_name = the chain's name) and charge only
base_fee (1000 shannons) from the gas coin, like the chain. Fees are collected into the epoch's fee pot,
which is paid out at the next boundary (§2.1 step 6).

Deviations from the real chain (also in `DEVIATIONS` for the UI):
- D1 No consensus, signatures, checkpoints or object versions. Digests are synthetic, the gas coin is the
  richest coin (a merge uses the SDK's coins: the smallest sent to self, the rest as gas), and missing or
  foreign input objects are rejected with no fee.
- D2 Target embeddings: arrgen.normal_array(make_target_seed(digest, n), [dim]), bit-exact.
- D3 Every boundary (manual or timed) is a full epoch and releases emission.
- D4 Four synthetic validators, 20,000 SOMA, 200 bps. No membership changes and no reports, so no 95%
  tally slash and no forfeited bonds.
- D5 No safe mode or migrations: v5 from genesis, threshold 1.05, hits_ema 0.
- D6 Scores are not verified (nor are they on chain).
- D7 Embedding dimension = the sandbox's architecture (128 by default, 2048 for full V1).
- D8 Demo models: manifest url resource://models/<file>, the plaintext checksum and size, key = 32 zero bytes.
- D9 Wrong-length or non-finite embeddings are refused before sending. Stake to a zombie Created model
  fails with ModelAlreadyInactive. Pool-underflowing withdrawals are capped and flagged; pre-active pools
  settle withdrawals at once. The repeated
  zombie slash and the value fee stuck at 7 bps are copied. KNN ties go to the lowest id.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soma_desktop.network.sandbox.chain import SandboxChain, SandboxConfig
    from soma_desktop.network.sandbox.deviations import DEVIATIONS
    from soma_desktop.network.sandbox.genesis import (
        DEMO_PUBLISHER_ADDRESS,
        FAUCET_ADDRESS,
        SANDBOX_DEMO_ADDRESS,
        SANDBOX_DEMO_MNEMONIC,
    )
    from soma_desktop.network.sandbox.network import SandboxNetwork

# The package exports these names without importing its submodules at import time: the submodules
# import each other through the package, and an eager __init__ would close an import cycle.
_EXPORTS = {
    "SandboxChain": "chain", "SandboxConfig": "chain", "DEVIATIONS": "deviations",
    "DEMO_PUBLISHER_ADDRESS": "genesis", "FAUCET_ADDRESS": "genesis", "SANDBOX_DEMO_ADDRESS": "genesis",
    "SANDBOX_DEMO_MNEMONIC": "genesis", "SandboxNetwork": "network",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def open_sandbox(db_path: Path, config: SandboxConfig | None = None) -> SandboxNetwork:
    """Open (or create with a fresh genesis) the sandbox stored at `db_path`.

    In timed mode, missed boundaries are caught up here; call `await network.start()` to keep epochs
    advancing by the clock, and `await network.close()` when done.
    """
    from soma_desktop.network.sandbox.network import SandboxNetwork

    return SandboxNetwork(Path(db_path), config)


__all__ = [
    "DEMO_PUBLISHER_ADDRESS", "DEVIATIONS", "FAUCET_ADDRESS", "SANDBOX_DEMO_ADDRESS", "SANDBOX_DEMO_MNEMONIC",
    "SandboxChain", "SandboxConfig", "SandboxNetwork", "open_sandbox",
]
