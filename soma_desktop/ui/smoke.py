"""Release smoke test: with SOMA_DESKTOP_SMOKE_TEST=1 the GUI starts as usual, waits for its first paint and the
network's first state, prints one `soma-desktop smoke:` line on stdout and exits (0: healthy, 1: not).

Used only by CI and `scripts/build-bundle.sh --test`, which cannot reach into an installed wheel or a frozen
bundle any other way. Nothing here runs unless the variable is set."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from soma_desktop.ui.chain_status import ChainStatus

ENV = "SOMA_DESKTOP_SMOKE_TEST"
TIMEOUT_MS = 60_000


def smoke_requested() -> bool:
    return os.environ.get(ENV) == "1"


class SmokeExit(QObject):
    """Quits the app once the window has painted and the network reported its state (or after TIMEOUT_MS)."""

    def __init__(self, app: QApplication, window: QWidget, chain: ChainStatus) -> None:
        super().__init__(window)
        self._app, self._chain = app, chain
        self._painted_at: float | None = None
        window.installEventFilter(self)
        chain.state_changed.connect(self._check)
        QTimer.singleShot(TIMEOUT_MS, self._time_out)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Paint and self._painted_at is None:
            self._painted_at = time.time()
            QTimer.singleShot(0, self._check)
        return False

    def _check(self, *_args) -> None:
        if self._painted_at is None or self._chain.state is None:
            return
        from soma_desktop.engine.demo import list_demo_models

        demos = [d for d in list_demo_models() if d.weights_path.is_file()]
        icon = not self._app.windowIcon().pixmap(32, 32).isNull()
        torch = "torch" in sys.modules
        ok = len(demos) == 3 and icon and not torch
        print(f"soma-desktop smoke: {'ok' if ok else 'FAILED'} painted_at={self._painted_at:.3f} "
              f"demo_models={len(demos)} icon={icon} torch_at_startup={torch}", flush=True)
        self._app.exit(0 if ok else 1)

    def _time_out(self) -> None:
        print(f"soma-desktop smoke: FAILED no painted window with a network state after {TIMEOUT_MS} ms",
              flush=True)
        self._app.exit(1)
