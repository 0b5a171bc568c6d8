"""`SandboxNetwork`: the async `Network` over the synchronous `SandboxChain`.

Each operation takes milliseconds, so the coroutines run the chain directly on the caller's loop. In timed
mode a background task (started by `start()`, stopped by `close()`) runs every boundary the clock reaches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from soma_desktop.network import types as t
from soma_desktop.network.account_history import AccountTx
from soma_desktop.network.sandbox import validation
from soma_desktop.network.sandbox.chain import SandboxChain, SandboxConfig
from soma_desktop.network.sandbox.deviations import DEVIATIONS
from soma_desktop.network.sandbox.transfers import TransferBook

log = logging.getLogger(__name__)


class SandboxNetwork:
    name = "Sandbox"
    is_sandbox = True
    last_error: str | None = None      # the sandbox is in-process: health() never fails for a reason to report
    has_faucet = True
    can_submit_data = True
    can_advance_epoch = True
    deviations = DEVIATIONS
    tick_seconds = 1.0          # how often the timed-mode task looks at the clock (at most)

    def __init__(self, db_path: Path, config: SandboxConfig | None = None):
        self.chain = SandboxChain(db_path, config)
        self.config = self.chain.config
        self._ticker: asyncio.Task[None] | None = None
        self.caught_up = self.chain.catch_up() if self.config.timed else 0
        self.transfers = TransferBook(self.chain)    # amounts of incoming transfers (account history)

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Begin wall-clock epochs (timed mode only)."""
        if self.config.timed and self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def _tick_forever(self) -> None:
        while True:
            wait_s = self.tick_seconds
            try:
                self.chain.catch_up()
                state = self.chain.store.system()
                wait_ms = state.epoch_start_ms + state.epoch_duration_ms - self.chain.clock()
                wait_s = min(max(wait_ms / 1000, 0.0), self.tick_seconds)
            except Exception:                # keep the clock running; the next tick retries
                log.exception("sandbox epoch boundary failed")
            await asyncio.sleep(wait_s)

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        self.chain.close()

    async def reset(self) -> t.SystemState:
        """Wipe and re-genesis. Destructive: the UI must ask the user first."""
        self.chain.reset()
        self.transfers.clear()
        return self.chain.system_state()

    async def health(self) -> bool:
        return True

    async def get_system_state(self) -> t.SystemState:
        return self.chain.system_state()

    # --- wallet -----------------------------------------------------------------------------------
    async def get_balance(self, address: str) -> int:
        return self.chain.get_balance(address)

    async def list_coins(self, address: str) -> list[t.Coin]:
        return self.chain.list_coins(address)

    async def request_faucet(self, address: str) -> t.TxResult:
        return self.transfers.record_minted(self.chain.faucet(address), address)

    async def transfer_coin(self, signer: Any, recipient: str, amount: int) -> t.TxResult:
        result = self.chain.transfer_coin(validation.signer_address(signer), recipient, amount)
        return self.transfers.record(result, [recipient], [amount])

    async def pay_coins(self, signer: Any, recipients: Sequence[str], amounts: Sequence[int]) -> t.TxResult:
        result = self.chain.pay_coins(validation.signer_address(signer), recipients, amounts)
        return self.transfers.record(result, list(recipients), list(amounts))

    async def merge_coins(self, signer: Any) -> t.TxResult:
        return self.chain.merge_coins(validation.signer_address(signer))

    # --- staking ----------------------------------------------------------------------------------
    async def get_validators(self) -> list[t.Validator]:
        return self.chain.get_validators()

    async def list_staked_soma(self, address: str) -> list[t.StakedSoma]:
        return self.chain.list_staked_soma(address)

    async def add_stake(self, signer: Any, validator: str, amount: int) -> t.TxResult:
        return self.chain.add_stake(validation.signer_address(signer), validator, amount)

    async def withdraw_stake(self, signer: Any, staked_soma_id: str) -> t.TxResult:
        return self.chain.withdraw_stake(validation.signer_address(signer), staked_soma_id)

    async def add_stake_to_model(self, signer: Any, model_id: str, amount: int) -> t.TxResult:
        return self.chain.add_stake_to_model(validation.signer_address(signer), model_id, amount)

    # --- models -----------------------------------------------------------------------------------
    async def list_models(self) -> list[t.ModelInfo]:
        return self.chain.list_models()

    async def get_model(self, model_id: str) -> t.ModelInfo:
        return self.chain.get_model(model_id)

    async def create_model(self, signer: Any, stake_amount: int, commission_rate: int) -> t.TxResult:
        return self.chain.create_model(validation.signer_address(signer), stake_amount, commission_rate)

    async def commit_model(self, signer: Any, spec: t.CommitSpec) -> t.TxResult:
        return self.chain.commit_model(validation.signer_address(signer), spec)

    async def reveal_model(self, signer: Any, model_id: str, decryption_key: bytes,
                           embedding: Sequence[float]) -> t.TxResult:
        return self.chain.reveal_model(validation.signer_address(signer), model_id, decryption_key, embedding)

    async def deactivate_model(self, signer: Any, model_id: str) -> t.TxResult:
        return self.chain.deactivate_model(validation.signer_address(signer), model_id)

    async def set_model_commission_rate(self, signer: Any, model_id: str, new_rate: int) -> t.TxResult:
        return self.chain.set_model_commission_rate(validation.signer_address(signer), model_id, new_rate)

    # --- targets ----------------------------------------------------------------------------------
    async def list_targets(self, status: t.TargetStatus | None = None, page_token: str | None = None,
                           limit: int = 100) -> t.TargetPage:
        return self.chain.list_targets(status, page_token, limit)

    async def get_target(self, target_id: str) -> t.Target:
        return self.chain.get_target(target_id)

    async def submit_data(self, signer: Any, spec: t.SubmitSpec) -> t.TxResult:
        return self.chain.submit_data(validation.signer_address(signer), spec)

    async def claim_rewards(self, signer: Any, target_id: str) -> t.TxResult:
        return self.chain.claim_rewards(validation.signer_address(signer), target_id)

    # --- epochs -----------------------------------------------------------------------------------
    async def advance_epoch(self) -> t.SystemState:
        return self.chain.advance_epoch()

    # --- sandbox-only reads -----------------------------------------------------------------------
    async def get_transaction(self, digest: str) -> dict[str, Any]:
        """A tx-log row: digest, kind, sender, status, error, fee, epoch, timestamp_ms, created/mutated/deleted."""
        return self.chain.get_transaction(digest)

    async def list_transactions(self, limit: int = 100, address: str | None = None) -> list[dict[str, Any]]:
        """Newest first; only those sent by `address` when given."""
        return self.chain.list_transactions(limit, address)

    async def list_account_transactions(self, address: str, limit: int = 200) -> list[AccountTx]:
        """Incoming and outgoing, newest first (see `network.base.Network`)."""
        return self.transfers.account_history(validation.address(address, "address"), limit)

    async def supply_audit(self) -> dict[str, int]:
        return self.chain.supply_audit()

    async def warnings(self) -> list[str]:
        """Chain quirks the sandbox copied and the user should see (e.g. a zombie model slashed again)."""
        return self.chain.warnings()

