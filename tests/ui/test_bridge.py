"""The asyncio<->Qt bridge: results on the GUI thread, typed timeouts, dead owners skipped."""

import asyncio
import threading

import pytest
from PySide6.QtWidgets import QWidget

from soma_desktop.network.errors import NetworkUnavailable, StatusUnknown, TransactionFailed
from soma_desktop.ui.bridge import AsyncBridge


@pytest.fixture
def bridge(qapp):
    b = AsyncBridge(default_timeout=2.0, tx_timeout=2.0)
    yield b
    b.shutdown()


def _collect(qtbot, bridge, coro, **kw):
    box = {}
    bridge.call(coro, on_result=lambda r: box.update(result=r, thread=threading.current_thread()),
                on_error=lambda e: box.update(error=e, thread=threading.current_thread()), **kw)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box


def test_result_arrives_on_gui_thread(qtbot, bridge):
    async def work():
        assert threading.current_thread().name == "soma-network"
        await asyncio.sleep(0.01)
        return 42

    box = _collect(qtbot, bridge, work())
    assert box["result"] == 42 and box["thread"] is threading.main_thread()


def test_error_is_delivered_typed(qtbot, bridge):
    async def fail():
        raise TransactionFailed("ModelNotFound", digest="abc")

    box = _collect(qtbot, bridge, fail())
    assert isinstance(box["error"], TransactionFailed) and box["error"].error_name == "ModelNotFound"


def test_read_timeout_is_network_unavailable(qtbot, bridge):
    box = _collect(qtbot, bridge, asyncio.sleep(10), timeout=0.05, label="balance")
    assert isinstance(box["error"], NetworkUnavailable) and "balance" in str(box["error"])


def test_tx_timeout_is_status_unknown(qtbot, bridge):
    box = _collect(qtbot, bridge, asyncio.sleep(10), timeout=0.05, tx=True)
    assert isinstance(box["error"], StatusUnknown)


def test_gui_stays_responsive_while_call_runs(qtbot, bridge):
    """A slow call must not block the GUI thread: timers keep firing while it runs."""
    from PySide6.QtCore import QTimer

    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    box = _collect(qtbot, bridge, asyncio.sleep(0.3, result="done"))
    timer.stop()
    assert box["result"] == "done" and len(ticks) >= 5


def test_deleted_owner_skips_callbacks(qtbot, bridge):
    owner = QWidget()
    called = []
    gate = threading.Event()

    async def slow():
        await asyncio.to_thread(gate.wait, 5)
        return 1

    bridge.call(slow(), on_result=called.append, owner=owner)
    owner.deleteLater()
    qtbot.wait(50)
    gate.set()
    qtbot.waitUntil(lambda: bridge._in_flight == 0, timeout=3000)
    assert called == []


def test_cancel_handle(qtbot, bridge):
    called = []
    handle = bridge.call(asyncio.sleep(0.2, result=1), on_result=called.append)
    handle.cancel()
    qtbot.waitUntil(lambda: bridge._in_flight == 0, timeout=3000)
    assert called == [] and handle.done()


def test_shutdown_stops_loop_thread(qapp):
    b = AsyncBridge()
    b.call(asyncio.sleep(30))
    b.shutdown(timeout=3)
    assert not b._thread.is_alive()
