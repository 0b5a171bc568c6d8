"""UI fixtures: a real AppContext on a real (manual-epoch) sandbox in the test's data dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from soma_desktop.core.settings import Settings
from soma_desktop.network.factory import NetworkChoice, parse_choice
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.context import AppContext, Connection


def make_context(data_dir, **overrides) -> AppContext:
    settings = Settings(sandbox_timed_epochs=False, **overrides)
    return AppContext(data_dir, settings, AsyncBridge(default_timeout=10.0, tx_timeout=20.0))


@pytest.fixture
def ctx(qtbot, data_dir):
    """An AppContext connected to a fresh sandbox (epochs advance only when a test asks)."""
    context = make_context(data_dir)
    with qtbot.waitSignal(context.state_changed, timeout=30_000):
        context.connect_to(parse_choice("sandbox"))
    assert context.connection == Connection.ONLINE
    yield context
    context.shutdown()


def run(ctx: AppContext, coro, timeout: float = 30.0):
    """Await a network coroutine from a test (outside any slot)."""
    return ctx.bridge.run_blocking(coro, timeout)


@contextmanager
def sdk_localnet_context(qtbot, data_dir: Path, chain_db: Path,
                         scorer: Callable[[dict], dict] | None = None) -> Iterator[AppContext]:
    """An AppContext on "localnet" through the soma-sdk adapter, the fake SomaClient over a real (manual-epoch)
    sandbox chain; `scorer` plays the network's scoring service."""
    from soma_desktop.network.sandbox import SandboxConfig, open_sandbox
    from soma_desktop.network.sdk import open_sdk_network
    from tests.network.fake_sdk import FakeChain

    context = make_context(data_dir)
    chain = FakeChain(open_sandbox(chain_db, SandboxConfig(timed=False)))
    if scorer is not None:
        chain.scorer = scorer

    async def open_net():
        return await open_sdk_network("localnet", client_factory=chain.factory, timeout_s=10.0)

    network = context.bridge.run_blocking(open_net(), timeout=30)
    choice = NetworkChoice("localnet", "Localnet")
    context.choice = choice
    with qtbot.waitSignal(context.state_changed, timeout=20_000):
        context._opened(choice, network)
    try:
        yield context
    finally:
        context.shutdown()
        chain.close()
