"""Services tests run without Qt against the real sandbox network, through a counting wrapper."""

from __future__ import annotations

import asyncio

import pytest

from soma_desktop.network.sandbox import SandboxConfig, open_sandbox
from soma_desktop.services.chain_cache import ChainCache
from tests.services.counting import CountingNetwork

EMBED_DIM = 16


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture
def counted(tmp_path, loop):
    sandbox = open_sandbox(tmp_path / "chain.db", SandboxConfig(embedding_dim=EMBED_DIM, timed=False))
    network = CountingNetwork(sandbox)
    yield network
    loop.run_until_complete(sandbox.close())


@pytest.fixture
def cache(counted):
    return ChainCache(counted, "sandbox")
