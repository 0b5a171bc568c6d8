"""Real SOMA networks (testnet, localnet, custom RPC) through soma-sdk, behind the Network interface."""

from soma_desktop.network.sdk.adapter import SdkNetwork, open_sdk_network
from soma_desktop.network.sdk.environments import Environment, load_environments, validate_url
from soma_desktop.network.sdk.scoring import RemoteScore, WeightsManifest

__all__ = ["Environment", "RemoteScore", "SdkNetwork", "WeightsManifest", "load_environments",
           "open_sdk_network", "validate_url"]
