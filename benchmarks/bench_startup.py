"""Time to first window: process launch -> main window shown and painted, on a fresh profile.

Runs the real start-up path (`soma_desktop.ui.application`) in a new interpreter each time, so the
figure includes Python start, imports, settings, Qt initialisation and the first paint. The network
opens in the background and is not waited for (that is the design: the window comes first).

    .venv/bin/python benchmarks/bench_startup.py [--runs N]

Uses $QT_QPA_PLATFORM if set (offscreen by default; run under `xvfb-run` with QT_QPA_PLATFORM=xcb
for a real X11 window).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import sys, time
from pathlib import Path
from PySide6.QtCore import QObject, QEvent, QTimer
from soma_desktop.core.settings import load_settings
from soma_desktop.network.factory import parse_choice
from soma_desktop.ui.application import create_window, make_qapplication

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("PAINTED", time.time(), "torch" in sys.modules, flush=True)
            QTimer.singleShot(0, app.quit)
            obj.removeEventFilter(self)
        return False

app = make_qapplication()
data = Path(sys.argv[1])
ctx, window = create_window(data, load_settings(data), parse_choice("sandbox"))
painter = FirstPaint()
window.installEventFilter(painter)
window.show()
app.exec()
ctx.shutdown()
"""


def one_run() -> tuple[float, bool]:
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        start = time.time()
        out = subprocess.run([sys.executable, "-c", CHILD, data], capture_output=True, text=True, env=env,
                             timeout=120).stdout
        line = next((ln for ln in out.splitlines() if ln.startswith("PAINTED")), None)
        if line is None:
            raise SystemExit(f"no window painted; output: {out[-500:]}")
        _, stamp, torch_loaded = line.split()
        return float(stamp) - start, torch_loaded == "True"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    one_run()  # warm the OS file cache
    results = [one_run() for _ in range(runs)]
    times = [t for t, _ in results]
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"QPA={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}")
    print(f"time to first window over {runs} runs: median {statistics.median(times):.3f} s, "
          f"min {min(times):.3f} s, max {max(times):.3f} s")
    print(f"torch imported during start-up: {any(t for _, t in results)}")


if __name__ == "__main__":
    main()
