"""Application services: the Qt-free layer between the network and the widgets.

`ChainCache` is the one read model of the live chain; `WalletService`, `StakingService`,
`ModelsService` and `PublishService` turn a user's intent into one transaction plus the reads its effects
need, and return typed results. Nothing here imports Qt or torch; the UI calls these through its bridge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from soma_desktop.services.chain_cache import ChainCache
from soma_desktop.services.models import ModelsService
from soma_desktop.services.staking import StakingService
from soma_desktop.services.wallet import WalletService


@dataclass(frozen=True)
class Services:
    """What the composition root hands to the UI; every panel receives the fields it uses."""

    cache: ChainCache
    wallet: WalletService
    staking: StakingService
    models: ModelsService


def build_services(data_dir: Path) -> Services:
    cache = ChainCache()
    wallet = WalletService(cache, data_dir)
    return Services(cache, wallet, StakingService(cache, wallet), ModelsService(cache, wallet))


__all__ = ["Services", "build_services"]
