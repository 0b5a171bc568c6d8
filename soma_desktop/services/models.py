"""The model registry, targets and the owner's model transactions, read through the chain cache."""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.network.base import Signer, list_all_targets
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import ModelInfo, SystemState, Target, TargetPage, TargetStatus, TxResult
from soma_desktop.services.chain_cache import MODELS, OPEN_TARGETS, STATE, ChainCache, Touch, coins_key, stakes_key
from soma_desktop.services.targets import ClaimAllOutcome, ClaimPlan
from soma_desktop.services.wallet import WalletService

TARGETS_PAGE_SIZE = 100     # one page of the Targets list; the view asks for the next when scrolled to the end


@dataclass(frozen=True)
class ModelsService:
    cache: ChainCache
    wallet: WalletService
    targets_page_size: int = TARGETS_PAGE_SIZE

    async def registry(self) -> list[ModelInfo]:
        """Every model (the cached list; one shared read when there is none yet)."""
        models: list[ModelInfo] = await self.cache.get(MODELS)
        return models

    # ---- targets ------------------------------------------------------------------------------
    async def targets_page(self, status: TargetStatus | None, page_token: str | None = None,
                           limit: int | None = None) -> TargetPage:
        """One page of targets, newest first; `page_token` is the previous page's `next_page_token`;
        `limit` defaults to the service's page size (the Targets list)."""
        return await self.cache.require_network().list_targets(status=status, page_token=page_token,
                                                               limit=limit or self.targets_page_size)

    async def all_targets(self, status: TargetStatus | None = None) -> list[Target]:
        """Every target of `status`, all pages (the embedding map, claim all)."""
        return await list_all_targets(self.cache.require_network(), status)

    async def claim_plan(self) -> ClaimPlan:
        """Every claimable target now, with what claiming them all pays the claimer and costs in fees."""
        targets = await self.all_targets(TargetStatus.CLAIMABLE)
        state: SystemState = await self.cache.get(STATE)
        return ClaimPlan.of(targets, state)

    async def claim_all(self, signer: Signer) -> ClaimAllOutcome:
        """Claim every claimable target now; keeps going past individual failures (each says why). The
        signer's coins and the open targets are read again once, after the last claim."""
        network = self.cache.require_network()
        outcome = ClaimAllOutcome()
        try:
            for target in await list_all_targets(network, TargetStatus.CLAIMABLE):
                try:
                    tx = await network.claim_rewards(signer, target.id)
                except Exception as exc:  # noqa: BLE001 - one target's failure must not hide the others' results
                    outcome.failures.append((target.id, describe_error(exc)))
                    continue
                outcome.claimed.append(target.id)
                outcome.fees += tx.fee
        finally:
            if outcome.claimed or outcome.failures:
                await self.cache.apply(Touch.of(coins_key(signer.address), OPEN_TARGETS))
        return outcome

    # ---- transactions --------------------------------------------------------------------------

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
