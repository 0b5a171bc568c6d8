"""Closing the main window: hidden to the tray while a reveal is pending; Quit still quits after the warning."""

from __future__ import annotations

from soma_desktop.ui.main_window import MainWindow
from tests.ui.conftest import run


def test_without_a_tray_closing_falls_back_to_the_quit_warning(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.tray.available = False
    qtbot.waitUntil(lambda: "publish" in window.panels, timeout=5000)
    window.panels["publish"].pending_reveal_text = lambda: "1 committed model(s) must be revealed in epoch 3."
    asked = []
    window.confirm_quit = lambda text: asked.append(text) or False
    assert window.close() is False and asked


def test_main_window_hides_to_the_tray_and_quit_still_quits(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.tray.available = True
    window.tray.icon.showMessage = lambda *args: None
    qtbot.waitUntil(lambda: "publish" in window.panels, timeout=5000)
    window.panels["publish"].pending_reveal_text = lambda: "1 committed model(s) must be revealed in epoch 3."
    asked = []
    window.confirm_quit = lambda text: asked.append(text) or True
    assert window.close() is False and not window.isVisible() and not asked   # kept in the tray, no question
    window.tray.show_window()
    window.quit_app()                                                         # the tray's / File menu's Quit
    assert asked == ["1 committed model(s) must be revealed in epoch 3."] and not window.isVisible()


def test_preferences_write_the_xdg_autostart_entry(qtbot, ctx, tmp_path):
    import os
    from pathlib import Path

    from soma_desktop.guardian import autostart

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.edit_preferences()
    dialog = window.findChild(__import__("soma_desktop.ui.preferences", fromlist=["x"]).PreferencesDialog)
    assert not dialog.guard_at_login.isChecked()
    dialog.guard_at_login.setChecked(True)
    dialog.accept()
    entry = Path(autostart.entry_path())
    qtbot.waitUntil(entry.exists, timeout=10_000)
    text = entry.read_text()
    assert "[Desktop Entry]" in text and f"guard --data-dir {ctx.data_dir}" in text
    assert entry.parent == Path(os.environ["XDG_CONFIG_HOME"]) / "autostart"   # the test's private home
    window.edit_preferences()
    dialog = [d for d in window.findChildren(type(dialog)) if d.isVisible()][-1]
    assert dialog.guard_at_login.isChecked()
    dialog.guard_at_login.setChecked(False)
    dialog.accept()
    qtbot.waitUntil(lambda: not entry.exists(), timeout=10_000)


def test_resume_from_sleep_rereads_the_chain_at_once(qtbot, ctx, monkeypatch):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    calls = []
    monkeypatch.setattr(ctx, "refresh", lambda: calls.append(1))
    window.tray.wake.woke = lambda: True
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    window.tray.wake.woke = lambda: False


def test_a_reset_chain_is_reported_on_connect(qtbot, ctx):
    from soma_desktop.network.sdk.adapter import SdkNetwork

    class Reset:
        """The open sandbox, naming itself as a testnet that went back to epoch 3."""

        reset_warning = staticmethod(SdkNetwork.reset_warning)

        def __init__(self, network):
            self.network = network

        def __getattr__(self, name):
            return getattr(self.network, name)

        async def identity(self):
            return "testnet", 3

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    ctx.settings.extra["chain_marks"] = {ctx.choice.key: ["testnet", 120]}

    async def open_reset() -> None:       # the cache's network is the one the check asks (on the loop)
        ctx.cache.network = Reset(ctx.cache.network)
    run(ctx, open_reset())
    window.tray.chain_watch._on_network_changed(ctx.cache.network)
    qtbot.waitUntil(lambda: "was reset" in window.tray.chain_watch.last_warning, timeout=5000)
    assert ctx.settings.extra["chain_marks"][ctx.choice.key] == ["testnet", 3]
