#!/usr/bin/env python3
"""Longest GUI-thread stall while the Evaluate panel runs an evaluation (goal: < 50 ms).

A 2 ms QTimer on the GUI thread records the gaps between its timeouts while the panel scores a file
(default: 1 MiB of text with two small V1 models, so the plots stream ~1 M points per model) and the
loss plot, byte view, tables and embedding map refresh. The stall is the longest gap minus the interval.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui_stall.py [--size BYTES] [--models N]
        [--dim D] [--layers L] [--threads T]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 2


def write_model(path: Path, dim: int, layers: int, seed: int) -> Path:
    """Runs in a subprocess so this (GUI) process imports torch only in the worker thread, like the app."""
    import subprocess

    code = ("import sys, torch; sys.path.insert(0, %r)\n"
            "from soma_desktop.engine.architecture import Architecture\n"
            "from soma_desktop.engine.model import V1Model\n"
            "from soma_desktop.engine.weights import save_model\n"
            "m = V1Model(Architecture(embedding_dim=%d, num_layers=%d, num_heads=8, ffn_dim=%d))"
            ".init_random(torch.Generator().manual_seed(%d), std=0.08)\n"
            "save_model(m, %r)\n") % (str(ROOT), dim, layers, 2 * dim, seed, str(path))
    subprocess.run([sys.executable, "-c", code], check=True)
    return path


def corpus(size: int) -> bytes:
    text = b"".join(p.read_bytes() for p in sorted((ROOT / "soma_desktop").rglob("*.py")))
    return (text * (size // max(1, len(text)) + 1))[:size]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_048_576)
    parser.add_argument("--models", type=int, default=2)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores but one)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle baseline before the run")
    args = parser.parse_args()

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from soma_desktop.core.settings import Settings
    from soma_desktop.ui.bridge import AsyncBridge
    from soma_desktop.ui.context import AppContext

    app = QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="soma-bench-"))
    weights = [write_model(tmp / f"m{i}.safetensors", args.dim, args.layers, i + 1) for i in range(args.models)]
    data_file = tmp / "corpus.txt"
    data_file.write_bytes(corpus(args.size))
    ctx = AppContext(tmp, Settings(eval_threads=args.threads), AsyncBridge())

    from soma_desktop.ui.panels.evaluate import EvaluatePanel

    panel = EvaluatePanel(ctx)
    panel.resize(1400, 900)
    panel.show()

    def pump(until, limit_s: float) -> None:
        end = time.monotonic() + limit_s
        while not until() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.002)

    panel.inputs.add_paths([data_file])
    panel.models.add_local(weights)
    pump(lambda: panel.inputs.ready_files() and len(panel.models.checked()) == args.models, 60)

    gaps: list[float] = []
    clock = QElapsedTimer()
    last = [0]

    when: list[int] = []

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        when.append(now)
        last[0] = now

    gc_pauses: list[tuple[int, float]] = []
    if os.environ.get("BENCH_VERBOSE"):
        import gc

        gc_start = [0.0]

        def on_gc(phase: str, info: dict) -> None:
            if phase == "start":
                gc_start[0] = time.perf_counter()
            elif info.get("generation") == 2:
                gc_pauses.append((clock.elapsed(), (time.perf_counter() - gc_start[0]) * 1000))

        gc.callbacks.append(on_gc)

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    # Ticking models starts the engine warm-up (torch import in a background thread), as for a user who
    # picks models before pressing Run; its GIL-heavy import is measured on its own.
    pump(lambda: "soma_desktop.engine.scorer" in sys.modules and "soma_desktop.engine.weights" in sys.modules
         and not any(t.name == "soma-engine-warmup" for t in __import__("threading").enumerate()), 120)
    warmup_gaps, gaps[:] = list(gaps), []
    pump(lambda: False, args.idle)            # noise floor: the same measurement with no run
    idle_gaps, gaps[:] = list(gaps), []
    started = time.monotonic()
    panel.run()
    pump(lambda: panel.controller.state == "idle" and panel.results() and panel.results().state != "running",
         3600)
    wall = time.monotonic() - started
    timer.stop()
    results = panel.results()
    pump(lambda: False, 1.0)                  # let pending pool-thread work (worst regions) land
    panel.shutdown()
    ctx.shutdown()

    print(flush=True)
    print(f"file: {args.size:,} bytes · models: {args.models} (D {args.dim}, {args.layers} layer(s)) · "
          f"outcome: {results.state} · {results.steps_done} chunk steps in {wall:.1f} s · "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("GUI-thread stall during the run: " + _summary(gaps), flush=True)
    if os.environ.get("BENCH_VERBOSE"):
        t0 = when[len(idle_gaps)] if len(when) > len(idle_gaps) else 0
        run_when = when[len(idle_gaps):]
        print("  longest gaps (ms after run start: gap):",
              sorted(((round(g - TICK_MS), w - t0) for g, w in zip(gaps, run_when)), reverse=True)[:8], flush=True)
    if gc_pauses:
        print("  full (gen 2) garbage collections (ms since clock start: duration ms):",
              [(w, round(d)) for w, d in gc_pauses], flush=True)
    print(f"idle baseline ({args.idle:.0f} s, no run):  " + _summary(idle_gaps), flush=True)
    print("engine warm-up (torch import in a thread, before the run): " + _summary(warmup_gaps), flush=True)
    sys.stdout.flush()
    return 0


def _summary(gaps: list[float]) -> str:
    if not gaps:
        return "no ticks"
    ordered = sorted(g - TICK_MS for g in gaps)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    over = sum(1 for g in ordered if g > 50)
    return f"longest {ordered[-1]:.1f} ms · p99 {p99:.1f} ms · {over} gaps over 50 ms ({len(ordered)} ticks)"


if __name__ == "__main__":
    raise SystemExit(main())
