"""Resume-from-sleep detection and the XDG autostart entry."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.guardian import autostart
from soma_desktop.guardian.wake import WakeDetector


class Clocks:
    def __init__(self):
        self.wall, self.mono = 1_700_000_000.0, 500.0


def test_a_wall_clock_jump_is_reported_once():
    c = Clocks()
    wake = WakeDetector(slack_s=30, wall=lambda: c.wall, mono=lambda: c.mono)
    c.wall += 5
    c.mono += 5
    assert not wake.woke()
    c.wall += 3600
    c.mono += 5            # slept an hour: the monotonic clock stood still
    assert wake.woke()
    c.wall += 5
    c.mono += 5
    assert not wake.woke()


@given(st.lists(st.floats(min_value=0, max_value=1e5), max_size=20))
def test_no_wake_while_both_clocks_run_together(steps):
    c = Clocks()
    wake = WakeDetector(slack_s=30, wall=lambda: c.wall, mono=lambda: c.mono)
    for step in steps:
        c.wall += step
        c.mono += step
        assert not wake.woke()


def test_autostart_entry_round_trip(tmp_path):
    data_dir = tmp_path / "data dir"          # a space: Exec quoting
    path = autostart.set_enabled(True, data_dir)
    assert path == autostart.entry_path() and autostart.is_enabled()
    text = Path(path).read_text()
    assert f'--data-dir "{data_dir}"' in text and "Exec=" in text and "guard" in text
    assert autostart.set_enabled(False, data_dir) is None and not autostart.is_enabled()


def test_the_guard_loop_reconciles_at_once_after_a_wake(monkeypatch, tmp_path):
    import asyncio

    from soma_desktop.guardian import guard, wake

    passes = []

    async def one_pass(*args):
        passes.append(args)
        return guard.PassReport()

    woke = iter([False, True, False])
    monkeypatch.setattr(guard, "_one_pass", one_pass)
    monkeypatch.setattr(guard, "TICK_S", 0.001)
    monkeypatch.setattr(wake.WakeDetector, "woke", lambda self: next(woke))
    code = asyncio.run(guard.run_guard(tmp_path, None, None, once=False, interval_s=3600, ticks=3))
    assert code == 0 and len(passes) == 2          # the start-up pass, then one right after the wake
