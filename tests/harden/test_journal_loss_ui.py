"""A publish journal that vanished is reported in the Publish panel as a loss with the recovery path."""

from __future__ import annotations

from soma_desktop.publish.journal import marker_for
from soma_desktop.services.publish import publish_dir
from tests.ui.publish.conftest import app  # noqa: F401 (fixture)
from tests.ui.publish.test_publish_wizard import _panel


def test_emptied_journal_is_shown_as_a_loss(qtbot, app, data_dir):  # noqa: F811
    ctx = app()
    panel = _panel(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.session.is_open, timeout=20_000)
    assert marker_for(data_dir).exists()
    panel.session.close()
    journal = publish_dir(data_dir) / "journal.db"
    journal.write_bytes(b"")                      # e.g. a sync tool or a full disk emptied it
    for side in ("-wal", "-shm"):
        journal.with_name(journal.name + side).unlink(missing_ok=True)
    panel.session.open()
    qtbot.waitUntil(lambda: "recovery phrase" in panel.wizard.banner.text(), timeout=20_000)
    assert "empty" in panel.wizard.banner.text() and not panel.session.is_open
    assert journal.stat().st_size == 0
