"""Open the network a user picked: the embedded sandbox or a real chain through soma-sdk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from soma_desktop.core.settings import Settings
from soma_desktop.network.base import Network
from soma_desktop.network.errors import InvalidInput

BUILTIN = ("sandbox", "testnet", "localnet")


@dataclass(frozen=True)
class NetworkChoice:
    key: str            # "sandbox", "testnet", "localnet", "env:<alias>" or an RPC URL
    label: str

    @property
    def is_sandbox(self) -> bool:
        return self.key == "sandbox"


def parse_choice(text: str | None) -> NetworkChoice:
    key = (text or "sandbox").strip()
    lower = key.lower()
    if lower in BUILTIN:
        return NetworkChoice(lower, lower.capitalize())
    if lower.startswith("env:") and len(key) > 4:
        return NetworkChoice(key, key[4:])
    if lower.startswith(("http://", "https://")):
        return NetworkChoice(key, key.split("://", 1)[1].split("/", 1)[0])
    raise InvalidInput(f"Unknown network {key!r}: use sandbox, testnet, localnet, env:ALIAS or an http(s) URL",
                       field="network")


def sandbox_db_path(data_dir: Path) -> Path:
    return data_dir / "sandbox" / "chain.db"


async def open_network(choice: NetworkChoice, data_dir: Path, settings: Settings) -> Network:
    """Runs on the network loop thread (opening touches disk and sockets)."""
    if choice.is_sandbox:
        from soma_desktop.network.sandbox import SandboxConfig, open_sandbox
        from soma_desktop.network.sandbox.store import open_guarded

        config = SandboxConfig(
            embedding_dim=settings.sandbox_embedding_dim,
            epoch_duration_ms=settings.sandbox_epoch_minutes * 60_000,
            timed=settings.sandbox_timed_epochs,
        )
        path = sandbox_db_path(data_dir)
        network = open_guarded(path, lambda: open_sandbox(path, config))
        await network.start()
        return network
    from soma_desktop.network.sdk import open_sdk_network

    return await open_sdk_network(choice.key, faucet_url=settings.custom_faucet_url or None,
                                  timeout_s=settings.network_timeout_s, outcomes_path=outcomes_path(data_dir, choice))


def outcomes_path(data_dir: Path, choice: NetworkChoice) -> Path:
    """Where a real network's unknown transaction outcomes survive a restart (network/sdk/outcomes.py)."""
    import hashlib

    return data_dir / "outcomes" / (hashlib.sha256(choice.key.encode()).hexdigest()[:16] + ".json")
