"""Backends for the network contract suite: the sandbox itself, and SdkNetwork over the fake SomaClient."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from soma_sdk import Keypair

from soma_desktop.network.sandbox import SANDBOX_DEMO_MNEMONIC, SandboxConfig, open_sandbox
from soma_desktop.network.sdk import SdkNetwork, open_sdk_network
from tests.network.fake_sdk import FakeChain

BACKENDS = ("sandbox", "sdk-fake")
FAKE_RPC = "http://127.0.0.1:9000"


@dataclass(frozen=True)
class KeySigner:
    """A Signer as the wallet vault hands it out: address plus in-memory secret."""

    address: str
    _secret: bytes

    def secret_key(self) -> bytes:
        return self._secret

    def __repr__(self) -> str:                      # never print the secret, even in test output
        return f"KeySigner({self.address[:10]}…)"


def signer_from_keypair(keypair: Keypair) -> KeySigner:
    return KeySigner("0x" + keypair.address(), bytes.fromhex(keypair.to_secret_key().removeprefix("0x")))


def demo_signer() -> KeySigner:
    """The sandbox genesis account (funded with 100,000 SOMA in four coins)."""
    return signer_from_keypair(Keypair.from_mnemonic(SANDBOX_DEMO_MNEMONIC))


def fresh_signer() -> KeySigner:
    return signer_from_keypair(Keypair.from_secret_key(os.urandom(32)))


@dataclass
class Backend:
    kind: str
    network: object
    chain: FakeChain | None = None


@contextlib.asynccontextmanager
async def open_backend(kind: str, tmp_path: Path, *, rpc_url: str = FAKE_RPC, **sdk_kwargs) -> AsyncIterator[Backend]:
    sandbox = open_sandbox(tmp_path / f"{kind}.db", SandboxConfig(timed=False))
    chain = None
    try:
        if kind == "sandbox":
            yield Backend(kind, sandbox)
            return
        chain = FakeChain(sandbox)
        options = {"faucet_url": "http://127.0.0.1:9123", "admin_url": "http://127.0.0.1:9125",
                   "scoring_url": "http://127.0.0.1:9124", "timeout_s": 5.0, "tx_timeout_s": 10.0}
        options.update(sdk_kwargs)
        network = await open_sdk_network(rpc_url, client_factory=chain.factory, **options)
        assert isinstance(network, SdkNetwork)
        try:
            yield Backend(kind, network, chain)
        finally:
            await network.close()
    finally:
        await sandbox.close()
        if chain is not None:
            chain.close()


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(params=BACKENDS)
def backend_kind(request) -> str:
    return request.param
