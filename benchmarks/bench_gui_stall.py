#!/usr/bin/env python3
"""Longest GUI-thread stall while the Evaluate panel runs an evaluation (goal: < 50 ms), and the worker's latencies.

A 2 ms QTimer on the GUI thread records the gaps between its timeouts while the panel scores a file
(default: 1 MiB of text with two small V1 models, so the plots stream ~1 M points per model) and the
loss plot, byte view, tables and embedding map refresh. The stall is the longest gap minus the interval.
The scoring runs in the evaluation worker process; the benchmark also reports the worker's start time
(spawn to torch imported), the latency to the first streamed result, the cancel latency (Cancel pressed
after the first result until the panel is idle again), the GUI process's peak RSS and whether the GUI
process ever imported torch.

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
    """Runs in a subprocess so this (GUI) process never imports torch, like the app."""
    import subprocess

    code = ("import sys, torch; sys.path.insert(0, %r)\n"  # noqa: UP031 - a code template full of braces
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

    from soma_desktop.ui.main_window import evaluate_panel

    panel = evaluate_panel(ctx)
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
    # Ticking models spawns the worker process (it imports torch there), as for a user who picks models
    # before pressing Run; the GUI's gaps while it starts are measured on their own.
    from soma_desktop.evalworker import shared_client

    client = shared_client()
    pump(lambda: client.wait_ready(0) is not None, 120)
    worker_start = client.wait_ready(0)
    warmup_gaps, gaps[:] = list(gaps), []
    pump(lambda: False, args.idle)            # noise floor: the same measurement with no run
    idle_gaps, gaps[:] = list(gaps), []
    rss_before = _peak_rss_mib()
    started = time.monotonic()
    panel.run()
    run_call_ms = (time.monotonic() - started) * 1000
    pump(lambda: panel.results() is not None and panel.results().steps_done > 0, 600)
    first_result = time.monotonic() - started
    pump(lambda: panel.controller.state == "idle" and panel.results() and panel.results().state != "running",
         3600)
    wall = time.monotonic() - started
    timer.stop()
    results = panel.results()
    rss_after = _peak_rss_mib()
    worker_hwm = _worker_peak_rss_mib(client.pid)
    pump(lambda: False, 1.0)                  # let pending pool-thread work (worst regions) land
    cancel_s = _cancel_latency(panel, pump)
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
        early = [(round(g - TICK_MS), w - t0) for g, w in zip(gaps, run_when) if w - t0 <= 2000]
        print("  longest gaps in the first 2 s (Run, the first results):", sorted(early, reverse=True)[:5],
              f"· panel.run() itself took {run_call_ms:.0f} ms", flush=True)
    if gc_pauses:
        print("  full (gen 2) garbage collections (ms since clock start: duration ms):",
              [(w, round(d)) for w, d in gc_pauses], flush=True)
    print(f"idle baseline ({args.idle:.0f} s, no run):  " + _summary(idle_gaps), flush=True)
    print("worker start (spawn + torch import in the worker, before the run): " + _summary(warmup_gaps), flush=True)
    print(f"worker start {worker_start:.2f} s · first result {first_result * 1000:.0f} ms after Run · "
          f"cancel latency {cancel_s * 1000:.0f} ms", flush=True)
    print(f"GUI process peak RSS {rss_before:.0f} MiB before the run, {rss_after:.0f} MiB after it · worker peak "
          f"RSS {worker_hwm} · torch imported in the GUI process: {'torch' in sys.modules}", flush=True)
    sys.stdout.flush()
    return 0


def _peak_rss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform.startswith("linux") else peak / 2**20   # KiB on Linux, bytes on macOS


def _worker_peak_rss_mib(pid: int | None) -> str:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return f"{int(line.split()[1]) / 1024:.0f} MiB"
    except (OSError, ValueError):
        pass
    return "n/a"


def _cancel_latency(panel, pump) -> float:
    """Run again, press Cancel once the first result has streamed in, time until the panel is idle."""
    settings = panel.settings   # the other precision: Run with nothing new would keep the results as they are
    settings.eval_precision = "fast" if settings.eval_precision == "exact" else "exact"
    panel.run()
    pump(lambda: panel.results() is not None and panel.results().steps_done > 0, 600)
    started = time.monotonic()
    panel.controller.cancel()
    pump(lambda: panel.controller.state == "idle", 30)
    return time.monotonic() - started


def _summary(gaps: list[float]) -> str:
    if not gaps:
        return "no ticks"
    ordered = sorted(g - TICK_MS for g in gaps)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    over = sum(1 for g in ordered if g > 50)
    return f"longest {ordered[-1]:.1f} ms · p99 {p99:.1f} ms · {over} gaps over 50 ms ({len(ordered)} ticks)"


if __name__ == "__main__":
    raise SystemExit(main())
