"""Resume-from-sleep detection: the wall clock jumps ahead of the monotonic clock across a suspend.

On Linux CLOCK_MONOTONIC stops while the machine sleeps and on macOS `time.monotonic` does too, while
`time.time` keeps real time; a gap between their increments larger than `slack_s` means the process slept.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class WakeDetector:
    def __init__(self, *, slack_s: float = 30.0, wall: Callable[[], float] = time.time,
                 mono: Callable[[], float] = time.monotonic):
        self.slack_s = slack_s
        self._wall, self._mono = wall, mono
        self._last = (wall(), mono())

    def woke(self) -> bool:
        """True once after each jump of the wall clock past the monotonic clock (sleep, or a clock set forward)."""
        wall, mono = self._wall(), self._mono()
        last_wall, last_mono = self._last
        self._last = (wall, mono)
        return (wall - last_wall) - (mono - last_mono) > self.slack_s
