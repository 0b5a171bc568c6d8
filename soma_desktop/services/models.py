"""The model registry, targets and the owner's model transactions, read through the chain cache."""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.network.base import Signer, list_all_targets
from soma_desktop.network.types import ModelInfo, Target, TargetPage, TargetStatus, TxResult
from soma_desktop.services.chain_cache import MODELS, OPEN_TARGETS, ChainCache, Touch, coins_key, stakes_key
from soma_desktop.services.wallet import WalletService


@dataclass(frozen=True)
class ModelsService:
    cache: ChainCache
    wallet: WalletService

    async def registry(self) -> list[ModelInfo]:
        """Every model (the cached list; one shared read when there is none yet)."""
        models: list[ModelInfo] = await self.cache.get(MODELS)
        return models

    async def targets_page(self, status: TargetStatus | None, page_token: str | None, limit: int) -> TargetPage:
        return await self.cache.require_network().list_targets(status=status, page_token=page_token, limit=limit)

    async def all_targets(self, status: TargetStatus | None = None) -> list[Target]:
        return await list_all_targets(self.cache.require_network(), status)

    async def claim(self, signer: Signer, target_id: str) -> TxResult:
        """ClaimRewards pays out as new coins (possibly to other owners) and deletes the target."""
        network = self.cache.require_network()
        return await self.wallet.execute(lambda: network.claim_rewards(signer, target_id),
                                         Touch.of(coins_key(signer.address), OPEN_TARGETS))

    async def stake(self, signer: Signer, model_id: str, amount: int) -> TxResult:
        network = self.cache.require_network()
        return await self.wallet.execute(lambda: network.add_stake_to_model(signer, model_id, amount),
                                         Touch.of(coins_key(signer.address), stakes_key(signer.address), MODELS))

    async def set_commission(self, signer: Signer, model_id: str, rate_bps: int) -> TxResult:
        network = self.cache.require_network()
        return await self.wallet.execute(lambda: network.set_model_commission_rate(signer, model_id, rate_bps),
                                         Touch.of(coins_key(signer.address), MODELS))

    async def deactivate(self, signer: Signer, model_id: str) -> TxResult:
        network = self.cache.require_network()
        return await self.wallet.execute(lambda: network.deactivate_model(signer, model_id),
                                         Touch.of(coins_key(signer.address), MODELS))
