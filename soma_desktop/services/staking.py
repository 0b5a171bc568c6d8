"""Staking: one consistent snapshot of what the Staking panel shows, and stake / withdraw transactions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from soma_desktop.network.base import Signer
from soma_desktop.network.types import Coin, ModelInfo, StakedSoma, SystemState, Validator
from soma_desktop.services.chain_cache import (
    MODELS,
    STATE,
    VALIDATORS,
    ChainCache,
    Touch,
    coins_key,
    stakes_key,
)
from soma_desktop.services.stake_positions import Position, positions
from soma_desktop.services.wallet import TxOutcome, WalletService
from soma_desktop.wallet.history import TxKind


@dataclass(frozen=True)
class StakingSnapshot:
    """One consistent read of everything the Staking panel shows."""

    state: SystemState
    validators: list[Validator]
    models: list[ModelInfo]
    stakes: list[StakedSoma]
    coins: list[Coin]
    address: str | None           # whose stakes and coins these are

    @property
    def balance(self) -> int:
        return sum(c.balance for c in self.coins)

    def positions(self, address: str | None) -> list[Position]:
        """`address`'s stakes with state and rewards as of this epoch; none when the snapshot is another's."""
        if address is None or address != self.address:
            return []
        return positions(self.stakes, self.validators, self.models, self.state.epoch)


@dataclass(frozen=True)
class StakingService:
    cache: ChainCache
    wallet: WalletService

    async def snapshot(self, address: str | None) -> StakingSnapshot:
        """From the chain cache: values it holds cost no read; the rest are read once (shared in flight)."""
        state, validators, models = await asyncio.gather(self.cache.get(STATE), self.cache.get(VALIDATORS),
                                                         self.cache.get(MODELS))
        stakes: list[StakedSoma] = []
        coins: list[Coin] = []
        if address is not None:
            stakes, coins = await asyncio.gather(self.cache.get(stakes_key(address)),
                                                 self.cache.get(coins_key(address)))
        return StakingSnapshot(state, validators, models, stakes, coins, address)

    async def stake(self, signer: Signer, validator: str, amount: int) -> TxOutcome:
        network = self.cache.require_network()
        return await self.wallet.submit(TxKind.STAKE, signer.address, amount, validator,
                                        lambda: network.add_stake(signer, validator, amount),
                                        Touch.of(coins_key(signer.address), stakes_key(signer.address), VALIDATORS))

    async def stake_to_model(self, signer: Signer, model_id: str, amount: int) -> TxOutcome:
        network = self.cache.require_network()
        return await self.wallet.submit(TxKind.STAKE_MODEL, signer.address, amount, model_id,
                                        lambda: network.add_stake_to_model(signer, model_id, amount),
                                        Touch.of(coins_key(signer.address), stakes_key(signer.address), MODELS))

    async def withdraw(self, signer: Signer, staked_soma_id: str, target_id: str, value: int) -> TxOutcome:
        """`value`: what the position is worth now (recorded; the chain pays the exact amount)."""
        network = self.cache.require_network()
        return await self.wallet.submit(TxKind.WITHDRAW_STAKE, signer.address, value, target_id,
                                        lambda: network.withdraw_stake(signer, staked_soma_id),
                                        Touch.of(coins_key(signer.address), stakes_key(signer.address), VALIDATORS,
                                                 MODELS))
