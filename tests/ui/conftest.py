"""UI fixtures: a real AppContext on a real (manual-epoch) sandbox in the test's data dir."""

from __future__ import annotations

import pytest

from soma_desktop.core.settings import Settings
from soma_desktop.network.factory import parse_choice
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
