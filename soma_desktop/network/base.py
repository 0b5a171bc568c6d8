"""The one async interface the UI uses to talk to a chain (sandbox or real network via soma-sdk).

Method names follow soma-sdk where one exists. Every amount is an int of shannons. Every method may
raise the typed errors in `network.errors`. Implementations must be safe to call from one asyncio
loop thread; the UI bridge adds a timeout around every call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from soma_desktop.network.account_history import AccountTx, Direction
from soma_desktop.network.errors import (
    InvalidInput,
    NetworkError,
    NetworkUnavailable,
    StatusUnknown,
    TransactionFailed,
    Unsupported,
)
from soma_desktop.network.types import (
    Coin,
    CommitSpec,
    Manifest,
    ModelInfo,
    ModelState,
    PendingUpdate,
    PoolInfo,
    StakedSoma,
    SubmitSpec,
    SystemState,
    Target,
    TargetPage,
    TargetStatus,
    TxResult,
    Validator,
)

# Callers import the interface, its dataclasses and its errors from this one module.
__all__ = [
    "AccountHistorySource", "AccountTx", "Coin", "Direction", "CommitSpec", "InvalidInput", "Manifest", "ModelInfo",
    "ModelState", "Network", "NetworkError",
    "NetworkUnavailable", "PendingUpdate", "PoolInfo", "Signer", "StakedSoma", "StatusUnknown", "SubmitSpec",
    "SystemState", "Target", "TargetPage", "TargetStatus", "TransactionFailed", "TxResult", "Unsupported",
    "Validator", "list_all_targets",
]


@runtime_checkable
class Signer(Protocol):
    """An account able to authorise transactions. The secret stays in memory (wallet vault)."""

    @property
    def address(self) -> str: ...

    def secret_key(self) -> bytes: ...


class Network(Protocol):
    """Everything the UI needs from a chain."""

    name: str                      # shown in the status bar: "Sandbox", "Testnet", ...
    is_sandbox: bool
    has_faucet: bool
    can_advance_epoch: bool
    can_submit_data: bool          # SubmitData works here (hosting + distance check first)
    last_error: str | None         # why the last health() returned False, in the node's words

    async def get_system_state(self) -> SystemState: ...

    async def health(self) -> bool: ...

    # --- wallet -----------------------------------------------------------------------------
    async def get_balance(self, address: str) -> int: ...

    async def list_coins(self, address: str) -> list[Coin]: ...

    async def request_faucet(self, address: str) -> TxResult: ...

    async def transfer_coin(self, signer: Signer, recipient: str, amount: int) -> TxResult: ...

    async def pay_coins(self, signer: Signer, recipients: Sequence[str], amounts: Sequence[int]) -> TxResult: ...

    async def merge_coins(self, signer: Signer) -> TxResult: ...

    # --- staking ----------------------------------------------------------------------------
    async def get_validators(self) -> list[Validator]: ...

    async def list_staked_soma(self, address: str) -> list[StakedSoma]: ...

    async def add_stake(self, signer: Signer, validator: str, amount: int) -> TxResult: ...

    async def withdraw_stake(self, signer: Signer, staked_soma_id: str) -> TxResult: ...

    async def add_stake_to_model(self, signer: Signer, model_id: str, amount: int) -> TxResult: ...

    # --- models -----------------------------------------------------------------------------
    async def list_models(self) -> list[ModelInfo]: ...

    async def get_model(self, model_id: str) -> ModelInfo: ...

    async def create_model(self, signer: Signer, stake_amount: int, commission_rate: int) -> TxResult: ...

    async def commit_model(self, signer: Signer, spec: CommitSpec) -> TxResult: ...

    async def reveal_model(self, signer: Signer, model_id: str, decryption_key: bytes,
                           embedding: Sequence[float]) -> TxResult: ...

    async def deactivate_model(self, signer: Signer, model_id: str) -> TxResult: ...

    async def set_model_commission_rate(self, signer: Signer, model_id: str, new_rate: int) -> TxResult: ...

    # --- targets ----------------------------------------------------------------------------
    async def list_targets(self, status: TargetStatus | None = None, page_token: str | None = None,
                           limit: int = 100) -> TargetPage: ...

    async def get_target(self, target_id: str) -> Target: ...

    async def submit_data(self, signer: Signer, spec: SubmitSpec) -> TxResult: ...

    async def claim_rewards(self, signer: Signer, target_id: str) -> TxResult: ...

    # --- epochs -----------------------------------------------------------------------------
    async def advance_epoch(self) -> SystemState: ...

    async def close(self) -> None: ...


class AccountHistorySource(Protocol):
    """Optional extra of a Network: incoming and outgoing transactions of one address, newest first.

    The sandbox has it, complete. soma-sdk 0.1.15 has no query for an address's transactions, so SdkNetwork
    rebuilds it from the address's owned objects (`previous_transaction`) and `get_transaction` effects, plus
    the digests it sent itself: partial (no funds received and spent since, no amounts of sent transactions,
    timestamp_ms 0; network/sdk/history.py). Callers check with getattr and fall back to local history.
    """

    async def list_account_transactions(self, address: str, limit: int = 200) -> list[AccountTx]: ...


async def list_all_targets(network: Network, status: TargetStatus | None = None) -> list[Target]:
    """Page through every target (soma-sdk's get_targets returns only the first page)."""
    out: list[Target] = []
    token: str | None = None
    while True:
        page = await network.list_targets(status=status, page_token=token, limit=1000)
        out.extend(page.targets)
        token = page.next_page_token
        if not token:
            return out
