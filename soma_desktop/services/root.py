"""The services the composition root (app.py) builds once and hands to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from soma_desktop.services.chain_cache import ChainCache
from soma_desktop.services.evaluate.service import EvaluateService
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
    evaluate: EvaluateService


def build_services(data_dir: Path) -> Services:
    cache = ChainCache()
    wallet = WalletService(cache, data_dir)
    models = ModelsService(cache, wallet)
    return Services(cache, wallet, StakingService(cache, wallet), models,
                    EvaluateService(cache, wallet, models, data_dir))

