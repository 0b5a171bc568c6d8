"""Fixtures for the publish UI tests: a real sandbox context with a test wallet, and a restartable app."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from soma_desktop.core.settings import Settings
from soma_desktop.network.factory import parse_choice
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.context import AppContext, Connection
from tests.ui.publish.wallet_double import FakeWallet


def open_context(qtbot, data_dir, **overrides) -> AppContext:
    """A connected AppContext on the manual-epoch sandbox in `data_dir` (reopening keeps the chain)."""
    context = AppContext(data_dir, Settings(sandbox_timed_epochs=False, **overrides),
                         AsyncBridge(default_timeout=10.0, tx_timeout=20.0))
    with qtbot.waitSignal(context.state_changed, timeout=30_000):
        context.connect_to(parse_choice("sandbox"))
    assert context.connection == Connection.ONLINE
    context.wallet = FakeWallet()
    return context


@pytest.fixture
def app(qtbot, data_dir):
    """Opens contexts on one data dir; every one still open is shut down at the end."""
    opened: list[AppContext] = []

    def start(**overrides) -> AppContext:
        context = open_context(qtbot, data_dir, **overrides)
        opened.append(context)
        return context

    yield start
    for context in opened:
        context.shutdown()


@pytest.fixture(autouse=True)
def _collect_garbage_on_gui_thread(qapp):
    """Free each test's Qt objects on the GUI thread (bridge futures hold panels in reference cycles; a
    collection on the network thread would destroy their timers from the wrong thread)."""
    gc.collect()
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
