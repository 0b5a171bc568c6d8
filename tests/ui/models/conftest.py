"""Fixtures for the Models panel tests: the shared `ctx` sandbox plus the test wallet double."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from tests.ui.publish.wallet_double import FakeWallet


@pytest.fixture
def wctx(ctx):
    """`ctx` with ctx.wallet holding the funded sandbox demo account."""
    ctx.wallet = FakeWallet()
    return ctx


@pytest.fixture(autouse=True)
def _collect_garbage_on_gui_thread(qapp):
    """Free each test's Qt objects on the GUI thread (bridge futures hold panels in reference cycles; a
    collection on the network thread would destroy their timers from the wrong thread)."""
    gc.collect()
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
