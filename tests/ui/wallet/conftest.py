"""Fixtures for the wallet and staking UI tests: a real sandbox context plus a WalletSession with
small KDF parameters (the production Argon2id settings take about a second per unlock)."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.wallet.vault import Argon2Params, VaultPolicy
from tests.ui.wallet.helpers import build_staking_panel, build_wallet_panel

FAST_KDF = Argon2Params(m_kib=64, t=1, p=1)
FAST_POLICY = VaultPolicy(default_kdf=FAST_KDF, floor=FAST_KDF)


class FakeClock:
    """Monotonic seconds the test moves forward (auto-lock without waiting minutes)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _collect_garbage_on_gui_thread(qapp):
    """Free each test's Qt objects on the GUI thread once the context is shut down.

    AsyncBridge keeps every call's future and its callbacks in a reference cycle, so panels, the
    session and the context are only freed by the cyclic GC; if that runs on the network loop's
    thread it destroys QObjects (and their timers) from the wrong thread and Qt crashes.
    Autouse: set up first, torn down last, after `ctx` has shut down.
    """
    gc.collect()
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def session(ctx, clock):
    wallet = WalletSession(ctx.wallet_env(), policy=FAST_POLICY, autolock_poll_ms=50, clock=clock)
    ctx.wallet = wallet
    return wallet


@pytest.fixture
def wallet_panel(qtbot, ctx, session):
    panel = build_wallet_panel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 760)
    panel.show()
    return panel


@pytest.fixture
def staking_panel(qtbot, ctx, session):
    panel = build_staking_panel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 760)
    panel.show()
    return panel
