"""With the network unreachable, every panel says so plainly and nothing waits past the timeout."""

import time

import pytest

from soma_desktop.network.factory import parse_choice
from soma_desktop.ui.context import Connection
from soma_desktop.ui.main_window import PANELS, MainWindow
from tests.ui.conftest import make_context


@pytest.fixture
def offline_window(qtbot, data_dir):
    ctx = make_context(data_dir, network_timeout_s=2.0)
    ctx.bridge.default_timeout = 2.0
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    ctx.connect_to(parse_choice("http://127.0.0.1:9"))   # a closed port: nothing listens there
    yield win, ctx
    win.close()
    ctx.shutdown()


def test_offline_is_reported_in_the_status_bar_within_the_timeout(qtbot, offline_window):
    win, ctx = offline_window
    start = time.monotonic()
    qtbot.waitUntil(lambda: ctx.connection == Connection.OFFLINE, timeout=15_000)
    assert time.monotonic() - start < 2.0 + 5.0
    assert "Offline" in win.status.connection_label.text()
    assert "unreachable" in win.status.connection_label.toolTip().lower()


@pytest.mark.parametrize("key", [spec.key for spec in PANELS])
def test_each_panel_says_the_network_is_unreachable(qtbot, offline_window, key):
    win, ctx = offline_window
    qtbot.waitUntil(lambda: ctx.network is not None, timeout=15_000)
    panel = win.show_panel(key)

    def says_unreachable() -> bool:
        from PySide6.QtWidgets import QLabel

        texts = [label.text().lower() for label in panel.findChildren(QLabel) if label.isVisible()]
        return any("unreachable" in t or "offline" in t for t in texts)

    qtbot.waitUntil(lambda: win.offline_banner.isVisible(), timeout=15_000)
    assert "unreachable" in win.offline_banner.text()
    assert panel.isEnabled()   # local work (evaluation, reading history) stays usable offline
    if key in ("staking", "models"):   # panels that read the chain also say why their data is missing
        qtbot.waitUntil(says_unreachable, timeout=15_000)


def test_banner_clears_when_back_online(qtbot, offline_window):
    win, ctx = offline_window
    qtbot.waitUntil(lambda: win.offline_banner.isVisible(), timeout=15_000)
    win.switch_network("sandbox")
    qtbot.waitUntil(lambda: ctx.connection == Connection.ONLINE, timeout=20_000)
    assert not win.offline_banner.isVisible()
