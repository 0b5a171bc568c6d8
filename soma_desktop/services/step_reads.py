"""A Network for one publish step: each read once, the transaction forwarded, then only what it touched.

The publish runner reads the system state and the job's model several times per step (reconcile before,
check, reconcile after). Through this view each distinct read reaches the network once; a model
transaction forgets that model and the signer's balance, so the reconciliation after it sees chain
truth. The system state may come from the chain cache when it is fresh and no epoch boundary is due.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from soma_desktop.network.base import Network, Signer
from soma_desktop.network.types import Coin, CommitSpec, ModelInfo, SystemState, TxResult


class StepReads:
    """Implements the part of `Network` the publish runner uses (see publish/runner.py)."""

    def __init__(self, network: Network, state: SystemState | None = None):
        self.network = network
        self.name = network.name
        self.is_sandbox = network.is_sandbox
        self._memo: dict[tuple[str, str], Any] = {}
        if state is not None:
            self._memo[("state", "")] = state
        self.sent = False             # a transaction left (or may have left) during this step

    def models_read(self) -> list[ModelInfo]:
        """Every model this step read (fresh after its transaction), for the chain cache."""
        return [v for (kind, _), v in self._memo.items() if kind == "model" and v is not None]

    # ---- reads -------------------------------------------------------------------------------
    async def get_system_state(self) -> SystemState:
        state: SystemState = await self._once("state", "", self.network.get_system_state)
        return state

    async def get_model(self, model_id: str) -> ModelInfo:
        model: ModelInfo = await self._once("model", model_id, lambda: self.network.get_model(model_id))
        return model

    async def list_models(self) -> list[ModelInfo]:
        models: list[ModelInfo] = await self._once("models", "", self.network.list_models)
        return models

    async def get_balance(self, address: str) -> int:
        balance: int = await self._once("balance", address, lambda: self.network.get_balance(address))
        return balance

    async def list_coins(self, address: str) -> list[Coin]:
        coins: list[Coin] = await self._once("coins", address, lambda: self.network.list_coins(address))
        return coins

    # ---- transactions --------------------------------------------------------------------------
    async def create_model(self, signer: Signer, stake_amount: int, commission_rate: int) -> TxResult:
        return await self._tx(signer, None, lambda: self.network.create_model(signer, stake_amount, commission_rate))

    async def commit_model(self, signer: Signer, spec: CommitSpec) -> TxResult:
        return await self._tx(signer, spec.model_id, lambda: self.network.commit_model(signer, spec))

    async def reveal_model(self, signer: Signer, model_id: str, decryption_key: bytes,
                           embedding: Sequence[float]) -> TxResult:
        return await self._tx(signer, model_id,
                              lambda: self.network.reveal_model(signer, model_id, decryption_key, embedding))

    # ---- private -------------------------------------------------------------------------------
    async def _once(self, kind: str, arg: str, read: Callable[[], Awaitable[Any]]) -> Any:
        key = (kind, arg)
        if key not in self._memo:
            self._memo[key] = await read()
        return self._memo[key]

    async def _tx(self, signer: Signer, model_id: str | None, send: Callable[[], Awaitable[TxResult]]) -> TxResult:
        self.sent = True
        try:
            return await send()
        finally:   # sent or maybe sent: what it touches must be read again
            for key in (("model", model_id or ""), ("models", ""), ("balance", signer.address),
                        ("coins", signer.address)):
                self._memo.pop(key, None)
