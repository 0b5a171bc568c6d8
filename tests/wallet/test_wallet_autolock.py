from __future__ import annotations

import pytest

from soma_desktop.wallet.autolock import AutoLock


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _make(timeout=60):
    clock, locks = Clock(), []
    return AutoLock(lambda: locks.append(clock.now), timeout, clock=clock), clock, locks


def test_locks_once_after_idle_timeout():
    auto, clock, locks = _make()
    auto.arm()
    clock.now += 59
    assert not auto.check() and auto.remaining_s() == pytest.approx(1)
    clock.now += 1
    assert auto.check() and locks == [1060.0]
    clock.now += 600
    assert not auto.check() and len(locks) == 1
    assert not auto.armed


def test_activity_and_holds_postpone_locking():
    auto, clock, locks = _make()
    auto.arm()
    clock.now += 50
    auto.poke()
    clock.now += 50
    assert not auto.check()
    with auto.hold():
        clock.now += 500
        assert not auto.check() and auto.remaining_s() == 60
    clock.now += 59
    assert not auto.check()
    clock.now += 1
    assert auto.check() and locks


def test_disarmed_never_locks_and_timeout_bounds():
    auto, clock, locks = _make()
    clock.now += 10_000
    assert not auto.check()
    auto.arm()
    auto.disarm()
    clock.now += 10_000
    assert not auto.check() and locks == []
    with pytest.raises(ValueError):
        auto.set_timeout(1)
    auto.set_timeout(120)
    assert auto.timeout_s == 120
