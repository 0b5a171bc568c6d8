"""No silent failure (issue 11 item 2): an exception in a real slot or a worker thread reaches the app log with
its traceback and the user as an error banner on the panel that started it; secrets never reach the log."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import Qt, QTimer, qCritical, qWarning

from soma_desktop.app import setup_logging
from soma_desktop.ui import errors
from soma_desktop.ui.main_window import MainWindow
from soma_desktop.ui.wallet.send_dialog import SendDialog
from tests.ui.wallet.helpers import create_wallet_via_wizard, wait_banner

LOG_NAME = "soma-desktop.log"


@pytest.fixture
def app_log(qapp, data_dir):
    """The app's real rotating log in the test's data dir, with the error hooks installed as the app does."""
    root = logging.getLogger()
    before = list(root.handlers)
    setup_logging(data_dir)
    reporter = errors.install(qapp)
    yield data_dir / LOG_NAME
    errors.uninstall()
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    assert reporter is not None


def _log_text(path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text("utf-8")


def _open_send(qtbot, panel, recipient: str, amount: str) -> SendDialog:
    qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    dialog = panel.active_dialog
    assert isinstance(dialog, SendDialog)
    dialog.recipient.edit.setText(recipient)
    dialog.amount.edit.setText(amount)
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    return dialog


def test_exception_in_the_send_slot_shows_a_banner_and_logs_the_traceback(qtbot, ctx, session, wallet_panel,
                                                                          app_log, monkeypatch):
    create_wallet_via_wizard(qtbot, wallet_panel)
    qtbot.mouseClick(wallet_panel.faucet_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Received 2 SOMA from the faucet")
    qtbot.mouseClick(wallet_panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(session.accounts()) == 2, timeout=10_000)
    second = session.accounts()[1].address
    session.set_current(session.accounts()[0].address)

    def broken_submit(*_args, **_kwargs):
        raise RuntimeError("the signing service is gone")

    monkeypatch.setattr(session.tracker, "run", broken_submit)   # the failure happens inside the real slot
    dialog = _open_send(qtbot, wallet_panel, second, "0.25")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    text = wait_banner(qtbot, wallet_panel.banner, "Could not send: the signing service is gone")
    assert wallet_panel.banner.property("kind") == "error" and text == "Could not send: the signing service is gone"
    log = _log_text(app_log)
    assert "ERROR soma_desktop.errors: uncaught RuntimeError in a slot: the signing service is gone" in log
    assert "Traceback (most recent call last)" in log and "_on_send_confirmed" in log and "broken_submit" in log


def test_a_failing_network_send_ends_in_a_visible_error(qtbot, ctx, session, wallet_panel, app_log, monkeypatch):
    create_wallet_via_wizard(qtbot, wallet_panel)
    qtbot.mouseClick(wallet_panel.faucet_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Received 2 SOMA from the faucet")
    qtbot.mouseClick(wallet_panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(session.accounts()) == 2, timeout=10_000)
    second = session.accounts()[1].address
    session.set_current(session.accounts()[0].address)

    async def refuse(*_args, **_kwargs):
        raise KeyError("gas_object")            # a bug in the network layer, not a chain answer

    monkeypatch.setattr(ctx.network, "transfer_coin", refuse)
    dialog = _open_send(qtbot, wallet_panel, second, "1.5")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Unexpected error (KeyError). Details are in the log.")
    assert wallet_panel.banner.property("kind") == "error"
    log = _log_text(app_log)                    # ... and they are
    assert "ERROR soma_desktop.ui.bridge: transfer failed" in log and "in refuse" in log and "'gas_object'" in log


def test_worker_thread_exception_reaches_the_main_window_banner(qtbot, ctx, app_log):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()

    def work():
        raise ValueError("corrupt cache entry")

    thread = threading.Thread(target=work, name="soma-test-worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=5_000)
    assert window.error_banner.text() == "Could not complete that action: corrupt cache entry"
    log = _log_text(app_log)
    assert "uncaught ValueError in thread soma-test-worker: corrupt cache entry" in log
    assert "in work" in log
    window.nav.setCurrentRow(1)                          # the user moves on: the message has been seen
    assert not window.error_banner.isVisible()


def test_an_exception_message_quoting_a_secret_is_redacted_in_the_log(qtbot, ctx, app_log):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    secret = "somaprivkey1qq" + "x" * 50
    phrase = " ".join(["abandon"] * 11 + ["about"])
    hex_key = "ab" * 32

    def slot():
        raise ValueError(f"cannot parse {secret} / {phrase} / {hex_key}")

    QTimer.singleShot(0, slot)   # raised from a real Qt slot, through sys.excepthook
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=5_000)
    log = _log_text(app_log)
    assert "cannot parse [redacted]" in log
    assert secret not in log and "abandon abandon" not in log and hex_key not in log


def test_qt_messages_reach_the_log_and_critical_ones_the_user(qtbot, ctx, app_log):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qWarning("a harmless Qt warning")
    assert not window.error_banner.isVisible()
    qCritical("the OpenGL context was lost")
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=5_000)
    assert window.error_banner.text() == "Qt reported an error: the OpenGL context was lost"
    log = _log_text(app_log)
    assert "WARNING qt: a harmless Qt warning" in log and "ERROR qt: the OpenGL context was lost" in log


def test_the_verb_comes_from_the_slot_name():
    assert errors.verb_for(["_deliver", "_on_send_confirmed"]) == "send"
    assert errors.verb_for(["_on_stake_clicked"]) == "stake"
    assert errors.verb_for(["_on_faucet_clicked"]) == "get SOMA from the faucet"
    assert errors.verb_for(["work"]) == "complete that action"
    assert errors.error_text("send", RuntimeError()) == "Could not send: RuntimeError"


@pytest.mark.filterwarnings("ignore:libshiboken. Overflow:RuntimeWarning")
def test_a_32_bit_signal_overflow_is_no_longer_silent(qtbot, app_log):
    """The bug class of issue 11: a Qt int signal carrying 2^33 shannons raises OverflowError inside a slot.
    Whatever else carries it next, the user sees it on the panel and the log has the traceback."""
    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

    from soma_desktop.ui.panels.common import Banner

    class Panel(QWidget):
        def __init__(self):
            super().__init__()
            self.banner = Banner()
            QVBoxLayout(self).addWidget(self.banner)

    class Dialog(QDialog):
        sig_narrow = Signal(int)   # int: deliberately 32-bit, to plant the bug

        def __init__(self, parent):
            super().__init__(parent)
            self.button = QPushButton("Send", self)
            self.button.clicked.connect(self._on_send_clicked)

        def _on_send_clicked(self):
            self.sig_narrow.emit(2**33)

    panel = Panel()
    qtbot.addWidget(panel)
    panel.show()
    dialog = Dialog(panel)
    dialog.show()
    qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5_000)
    assert panel.banner.text().startswith("Could not send: ")
    assert "OverflowError" in _log_text(app_log)
