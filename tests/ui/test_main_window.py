"""The app shell on a real sandbox: title, panels, status bar, epoch advance, About."""

import pytest
from PySide6.QtCore import QRect

from soma_desktop.ui import geometry
from soma_desktop.ui.about import about_text, versions
from soma_desktop.ui.main_window import PANELS, MainWindow
from tests.ui.conftest import run


@pytest.fixture
def window(qtbot, ctx):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    return win


def test_title_and_five_panels(window):
    assert window.windowTitle() == "SOMA Desktop"
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["Wallet", "Staking", "Models", "Publish", "Evaluate"]


def test_every_panel_opens(qtbot, window):
    for spec in PANELS:
        panel = window.show_panel(spec.key)
        assert window.stack.currentWidget() is panel and panel.objectName() == f"{spec.key}Panel"


def test_status_bar_shows_sandbox_epoch_and_connection(qtbot, window, ctx):
    bar = window.status
    assert bar.network_badge.text() == "SANDBOX"
    qtbot.waitUntil(lambda: bar.epoch_label.text() == f"Epoch {ctx.state.epoch}", timeout=5000)
    assert "Connected" in bar.connection_label.text()
    assert bar.advance_button.isVisible()
    assert bar.countdown_label.text() == "epochs advance manually"


def test_countdown_from_chain_state(qtbot, window, ctx, monkeypatch):
    """The countdown is epoch start + duration − now, computed from chain state."""
    import dataclasses

    state = dataclasses.replace(ctx.state, timed_epochs=True, epoch_start_ms=1_000_000, epoch_duration_ms=600_000)
    monkeypatch.setattr(ctx, "chain_now_ms", lambda: 1_000_000 + 600_000 - 125_000)
    ctx.state = state
    ctx.state_changed.emit(state)
    assert window.status.countdown_label.text() == "next epoch in 02:05"


def test_advance_epoch_button(qtbot, window, ctx):
    before = ctx.state.epoch
    with qtbot.waitSignal(ctx.epoch_changed, timeout=10_000) as blocker:
        window.status.advance_button.click()
    assert blocker.args == [before + 1]
    assert run(ctx, ctx.network.get_system_state()).epoch == before + 1
    qtbot.waitUntil(lambda: window.status.epoch_label.text() == f"Epoch {before + 1}", timeout=5000)


def test_about_lists_versions():
    found = versions()
    assert found["SOMA Desktop"] and found["Qt"] and "soma-sdk" in found
    assert "SOMA Desktop" in about_text()


def test_geometry_clamped_to_screen(qtbot):
    from PySide6.QtGui import QGuiApplication

    area = QGuiApplication.primaryScreen().availableGeometry()
    far = QRect(area.right() + 5000, area.bottom() + 5000, 800, 600)
    clamped = geometry.clamp_to_screens(far)
    assert area.contains(clamped.center())
    inside = QRect(area.left() + 10, area.top() + 10, 300, 200)
    assert geometry.clamp_to_screens(inside) == inside


def test_preferences_dialog_applies_typed_settings(qtbot, window, ctx):
    from soma_desktop.ui.preferences import PreferencesDialog

    dialog = PreferencesDialog(ctx.settings, window)
    qtbot.addWidget(dialog)
    dialog.epoch_minutes.setValue(3)
    dialog.timed.setChecked(True)
    dialog.dim.setCurrentIndex(dialog.dim.findData(16))
    dialog.apply_to(ctx.settings)
    assert (ctx.settings.sandbox_epoch_minutes, ctx.settings.sandbox_timed_epochs,
            ctx.settings.sandbox_embedding_dim) == (3, True, 16)


def test_theme_switch_changes_palette(qtbot, window):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    window.set_theme("dark")
    dark = QApplication.instance().palette().color(QPalette.ColorRole.Window).lightness()
    window.set_theme("light")
    light = QApplication.instance().palette().color(QPalette.ColorRole.Window).lightness()
    assert dark < 100 < light
    window.set_theme("system")


def test_cli_environments_appear_in_network_menu(qtbot, tmp_path, monkeypatch, ctx):
    conf = tmp_path / "soma_config"
    conf.mkdir()
    (conf / "client.yaml").write_text(
        "---\nkeystore:\n  File: /x/soma.keystore\nexternal_keys: ~\nenvs:\n"
        "  - alias: mynode\n    rpc: \"http://127.0.0.1:9\"\n    basic_auth: ~\nactive_env: mynode\n"
        "active_address: ~\n")
    monkeypatch.setenv("SOMA_CONFIG_DIR", str(conf))
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: any(a.data() == "env:mynode" for a in win.network_group.actions()), timeout=5000)


def test_check_connection_reports_health(qtbot, window):
    window.check_connection()
    qtbot.waitUntil(lambda: "answered" in window.statusBar().currentMessage(), timeout=5000)
    assert window.statusBar().currentMessage() == "Sandbox answered."


def test_unreachable_network_keeps_app_usable(qtbot, window, ctx):
    """Switching to a dead RPC shows Offline in plain words; the sandbox is one click away."""
    window.switch_network("http://127.0.0.1:9")
    qtbot.waitUntil(lambda: "Offline" in window.status.connection_label.text(), timeout=20_000)
    assert window.status.network_badge.text() != "SANDBOX"
    assert "unreachable" in window.status.connection_label.toolTip().lower()
    window.switch_network("sandbox")
    qtbot.waitUntil(lambda: "Connected" in window.status.connection_label.text(), timeout=20_000)
    assert window.status.network_badge.text() == "SANDBOX"


def test_publish_panel_watches_reveals_from_startup(qtbot, window):
    """Without the user opening Publish, its panel exists so start-up reconciliation and banners run."""
    qtbot.waitUntil(lambda: "publish" in window.panels, timeout=5000)
    assert window.stack.currentWidget() is window.panels["wallet"]


def test_close_is_guarded_while_a_reveal_is_pending(qtbot, window, monkeypatch):
    qtbot.waitUntil(lambda: "publish" in window.panels, timeout=5000)
    publish = window.panels["publish"]
    monkeypatch.setattr(publish, "pending_reveal_text", lambda: "1 committed model(s) must be revealed in epoch 3.")
    asked = []
    window.confirm_quit = lambda text: asked.append(text) or False
    assert window.close() is False and window.isVisible()
    assert asked == ["1 committed model(s) must be revealed in epoch 3."]
    window.confirm_quit = lambda text: True
    assert window.close() is True


def test_sandbox_deviations_are_labelled(qtbot, window):
    box = window.show_sandbox_deviations()
    qtbot.addWidget(box)
    text = box.informativeText()
    assert all(f"D{i} " in text for i in range(1, 10))
    box.close()


def test_reset_sandbox_asks_first_and_applies_new_dimension(qtbot, window, ctx):
    run(ctx, ctx.network.advance_epoch())
    window.confirm_reset = lambda: False
    window.reset_sandbox()
    assert run(ctx, ctx.network.get_system_state()).epoch == 1
    ctx.settings.sandbox_embedding_dim = 16
    window.confirm_reset = lambda: True
    window.reset_sandbox()
    qtbot.waitUntil(lambda: ctx.state is not None and ctx.state.epoch == 0, timeout=20_000)
    assert ctx.state.target_embedding_dim == 16
    models = run(ctx, ctx.network.list_models())
    assert models and all(len(m.embedding) == 16 for m in models)


def test_close_is_guarded_while_an_evaluation_runs(qtbot, window, monkeypatch):
    evaluate = window.show_panel("evaluate")
    monkeypatch.setattr(evaluate.controller, "is_busy", lambda: True)
    window.confirm_quit = lambda text: "evaluation is running" in text and False
    assert window.close() is False
    monkeypatch.setattr(evaluate.controller, "is_busy", lambda: False)
    window.confirm_quit = lambda text: pytest.fail("nothing to warn about")
    assert window.close() is True
