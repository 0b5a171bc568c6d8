"""Damaged database files: a corrupt sandbox chain.db is logged with its cause, retrying stops and the user is
offered "Reset sandbox (keep a copy)"; a missing or empty publish journal is reported as a loss."""

from __future__ import annotations

import logging
import os

import pytest

from soma_desktop.network.factory import parse_choice, sandbox_db_path
from soma_desktop.publish.journal import Journal, JournalLost, marker_for
from soma_desktop.ui.context import Connection
from soma_desktop.ui.main_window import MainWindow
from soma_desktop.ui.sandbox_recovery import RESET_TEXT
from tests.ui.conftest import make_context

KEY = bytes(range(32))


def _corrupt_chain(data_dir) -> bytes:
    path = sandbox_db_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    garbage = b"this is not a database" + os.urandom(5000)
    path.write_bytes(garbage)
    return garbage


@pytest.fixture
def damaged_window(qtbot, data_dir):
    garbage = _corrupt_chain(data_dir)
    ctx = make_context(data_dir)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    yield win, ctx, garbage
    win.close()
    ctx.shutdown()


def test_corrupt_chain_is_logged_stops_retrying_and_offers_a_reset(qtbot, damaged_window, data_dir, caplog):
    win, ctx, garbage = damaged_window
    caplog.set_level(logging.WARNING)
    with qtbot.waitSignal(ctx.sandbox_damaged, timeout=30_000):
        ctx.connect_to(parse_choice("sandbox"))
    assert ctx.connection == Connection.OFFLINE and ctx.halted
    assert "damaged" in ctx.connection_detail and "Details are in the log" not in ctx.connection_detail
    assert any("file is not a database" in r.getMessage() for r in caplog.records)   # the cause, logged
    assert "keeps retrying" not in win.offline_banner.text()
    ctx.refresh()                      # a poll tick must not reopen the damaged file
    qtbot.wait(50)
    assert ctx.network is None and ctx.connection == Connection.OFFLINE
    win.sandbox_damaged_box.reject()             # "Cancel": the menu offers the same reset later
    assert win.sandbox_menu.isEnabled()
    win.reset_action.trigger()
    box = win.sandbox_damaged_box
    assert box.isVisible()
    reset = next(b for b in box.buttons() if b.text() == RESET_TEXT)
    reset.click()
    qtbot.waitUntil(lambda: ctx.connection == Connection.ONLINE, timeout=30_000)
    kept = list(sandbox_db_path(data_dir).parent.glob("chain.db.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == garbage      # the damaged copy is kept as it was
    assert not ctx.halted


def test_chain_damaged_while_running_halts_too(qtbot, data_dir):
    ctx = make_context(data_dir)
    try:
        with qtbot.waitSignal(ctx.state_changed, timeout=30_000):
            ctx.connect_to(parse_choice("sandbox"))
        ctx.network.chain.conn.execute("PRAGMA writable_schema=ON")   # damage under the running app
        ctx.network.chain.conn.execute("UPDATE sqlite_master SET sql='garbage' WHERE name='coins'")
        ctx.network.chain.conn.execute("PRAGMA writable_schema=OFF")
        ctx.network.chain.conn.execute("PRAGMA schema_version=999")   # the next statement re-reads the schema
        with qtbot.waitSignal(ctx.sandbox_damaged, timeout=30_000):
            ctx.refresh()
        assert ctx.halted and ctx.network is None
    finally:
        ctx.shutdown()


def test_missing_or_empty_journal_is_reported_as_a_loss(tmp_path):
    data_dir = tmp_path
    path = data_dir / "publish" / "journal.db"
    marker = marker_for(data_dir)
    journal = Journal(path, KEY, marker=marker)
    job = journal.create_job(network="sandbox", address="0x" + "ab" * 32)
    journal.close()
    assert marker.exists()
    for damage in ("empty", "missing"):
        if damage == "empty":
            path.write_bytes(b"")
        else:
            path.unlink()
        for side in ("-wal", "-shm"):
            path.with_name(path.name + side).unlink(missing_ok=True)
        with pytest.raises(JournalLost) as info:
            Journal(path, KEY, marker=marker)
        text = str(info.value)
        assert damage in text and "recovery phrase" in text and str(marker) in text
        assert not path.exists() or path.stat().st_size == 0      # never replaced by an empty journal
    marker.rename(tmp_path / "acknowledged")                         # the user accepts the loss
    assert Journal(path, KEY, marker=marker).jobs() == [] and marker.exists()
    assert job.id == 1


def test_an_existing_journal_gets_its_marker(tmp_path):
    path = tmp_path / "publish" / "journal.db"
    Journal(path, KEY).close()                       # written before markers existed
    reopened = Journal(path, KEY, marker=marker_for(tmp_path))
    reopened.close()
    assert marker_for(tmp_path).exists()
