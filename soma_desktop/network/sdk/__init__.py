"""Real SOMA networks (testnet, localnet, custom RPC) through soma-sdk, behind the Network interface."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soma_desktop.network.sdk.adapter import SdkNetwork, open_sdk_network
    from soma_desktop.network.sdk.environments import Environment, load_environments, validate_url
    from soma_desktop.network.sdk.scoring import RemoteScore, WeightsManifest

# Exported lazily: the submodules import each other through this package (no import cycle via __init__).
_EXPORTS = {
    "SdkNetwork": "adapter", "open_sdk_network": "adapter", "Environment": "environments",
    "load_environments": "environments", "validate_url": "environments", "RemoteScore": "scoring",
    "WeightsManifest": "scoring",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = ["Environment", "RemoteScore", "SdkNetwork", "WeightsManifest", "load_environments",
           "open_sdk_network", "validate_url"]
