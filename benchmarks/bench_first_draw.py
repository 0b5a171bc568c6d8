#!/usr/bin/env python3
"""Cost of the Evaluate panel's Run and first result on the GUI thread: the update call and the paint.

No worker, no torch: the panel is shown at 1400×900 as in bench_gui_stall.py, an empty 2-model run over
1 MiB is drawn (what Run shows), then the first streamed batch (one chunk of model 0, what the worker sends
first) is folded in and drawn, then a few more batches (the steady state). Reports, over repetitions (each
on a fresh panel), the time of the views' update call, of the event-loop passes that follow (layout +
paint), the longest single pass (what the stall benchmark sees as one gap) and the slowest single events.
It times exactly that work, not the gaps between timer ticks, so it says more on a busy machine than
bench_gui_stall.py does (absolute numbers still grow with the load: compare trees in alternation).
`--cpu` measures the GUI thread's CPU time instead (steadier on a shared machine), `--breakdown` times the
main drawing calls, `--profile` runs cProfile over the last first result.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_first_draw.py [--repeat N] [--size BYTES]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_clock = time.perf_counter     # --cpu: the GUI thread's CPU time, which other processes' load barely moves


def _chunk(model: int, index: int, chunks: int, rng: np.random.Generator):
    from soma_desktop.engine.contract import SEQ_LEN
    from soma_desktop.engine.results import ChunkProgress

    nll = rng.gamma(2.0, 1.2, SEQ_LEN).astype(np.float32)
    nll[0] = np.nan                                   # a chunk start has no prediction
    return ChunkProgress(model, index, chunks, index * SEQ_LEN, nll, 2.5, rng.normal(size=128).astype(np.float32),
                         index + 1, 2 * chunks)


def _profiler():
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


def _instrument() -> dict[str, float]:
    """Wrap the drawing calls worth watching with timers (ms summed per name since the last clear)."""
    import pyqtgraph as pg

    from soma_desktop.ui.evaluate import embedding_tab, loss_tab, tables
    from soma_desktop.ui.plots import byte_view, decimate, loss_plot

    spent: dict[str, float] = {}
    targets = [(pg.AxisItem, "paint"), (pg.PlotCurveItem, "paint"), (pg.ViewBox, "updateAutoRange"),
               (pg.AxisItem, "generateDrawSpecs"), (pg.PlotDataItem, "setData"),
               (byte_view.ByteView, "paintEvent"), (byte_view.ByteView, "set_content"),
               (loss_plot.LossPlot, "set_series"), (loss_plot.LossPlot, "_rebuild_curves"),
               (loss_plot.LossPlot, "_draw_ticks"), (loss_plot.LossPlot, "reset_zoom"),
               (decimate.PeakLevels, "__init__"), (tables.CompetitionTable, "show_file"),
               (embedding_tab.EmbeddingTab, "show_track"), (loss_tab.LossTab, "show_track")]
    for owner, name in targets:
        original = getattr(owner, name)

        def timed(*a, _original=original, _key=f"{owner.__name__}.{name}", **k):
            started = _clock()
            try:
                return _original(*a, **k)
            finally:
                spent[_key] = spent.get(_key, 0.0) + (_clock() - started) * 1000

        setattr(owner, name, timed)
    smoothed = loss_plot.smoothed

    def timed_smoothed(*a, **k):
        started = _clock()
        try:
            return smoothed(*a, **k)
        finally:
            spent["smoothed"] = spent.get("smoothed", 0.0) + (_clock() - started) * 1000

    loss_plot.smoothed = timed_smoothed
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_048_576)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steady", type=int, default=5, help="batches timed after the first")
    parser.add_argument("--profile", action="store_true", help="cProfile the first result of the last repetition")
    parser.add_argument("--breakdown", action="store_true", help="time the main drawing calls of each first result")
    parser.add_argument("--cpu", action="store_true", help="thread CPU time instead of wall time")
    args = parser.parse_args()
    if args.cpu:
        global _clock
        _clock = time.thread_time

    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    class TimedApp(QApplication):
        """Times every top-level event delivery (nested ones are inside their parent's time)."""

        def __init__(self, argv):
            super().__init__(argv)
            self.depth = 0
            self.events: list[tuple[float, str]] = []

        def notify(self, receiver, event):  # noqa: N802
            self.depth += 1
            started = _clock()
            try:
                return super().notify(receiver, event)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    spent = (_clock() - started) * 1000
                    if spent > 1.0:
                        self.events.append((spent, f"{QEvent.Type(event.type()).name} → "
                                                   f"{type(receiver).__name__} {receiver.objectName()}"))

    app = TimedApp(sys.argv[:1])

    import tempfile

    from soma_desktop.core.settings import Settings
    from soma_desktop.engine.contract import num_chunks
    from soma_desktop.services.evaluate.results import ModelRef, RunResults
    from soma_desktop.ui.bridge import AsyncBridge
    from soma_desktop.ui.context import AppContext
    from soma_desktop.ui.main_window import evaluate_panel

    tmp = Path(tempfile.mkdtemp(prefix="soma-first-draw-"))
    text = b"".join(p.read_bytes() for p in sorted((ROOT / "soma_desktop").rglob("*.py")))
    data = (text * (args.size // len(text) + 1))[:args.size]
    ctx = AppContext(tmp, Settings(), AsyncBridge())
    chunks = num_chunks(len(data))

    turns: list[float] = []   # each event-loop pass of the last settle(): what a stall benchmark sees as a gap

    def settle() -> float:
        app.events.clear()
        turns.clear()
        for _ in range(3):
            started = _clock()
            app.processEvents()
            turns.append((_clock() - started) * 1000)
        return sum(turns)

    spent = _instrument() if args.breakdown else {}
    firsts: list[tuple[float, float]] = []
    runs: list[float] = []
    longest: list[float] = []          # Run: the longest single pass (the update call or one event-loop pass)
    longest_first: list[float] = []    # the same for the first result
    steady: list[float] = []
    slowest: list[tuple[float, str]] = []
    for rep in range(args.repeat):
        panel = evaluate_panel(ctx)
        panel.resize(1400, 900)
        panel.show()
        settle()
        refs = [ModelRef(f"m{i}", str(tmp / f"m{i}.safetensors")) for i in range(2)]
        results = RunResults.start(rep + 1, [(tmp / "corpus.txt", data, False, False)], refs)
        panel.controller.results = results
        spent.clear()
        started = _clock()
        panel._on_controller_results_changed(results)      # what Run draws (empty results)
        update_ms = (_clock() - started) * 1000
        runs.append(update_ms + settle())
        longest.append(max(update_ms, *turns))
        if spent:
            print("  Run: " + " · ".join(f"{name} {ms:.1f}" for name, ms in sorted(spent.items(),
                                                                                  key=lambda kv: -kv[1])))
        spent.clear()
        rng = np.random.default_rng(rep)
        results.apply_chunk(0, _chunk(0, 0, chunks, rng))  # the worker's first batch: one chunk
        profile = _profiler() if args.profile and rep == args.repeat - 1 else None
        started = _clock()
        panel._on_controller_results_changed(results)
        update_ms = (_clock() - started) * 1000
        paint_ms = settle()
        longest_first.append(max(update_ms, *turns))
        if spent:
            print("  " + " · ".join(f"{name} {ms:.1f}" for name, ms in sorted(spent.items(), key=lambda kv: -kv[1])))
        if profile is not None:
            profile.disable()
            import pstats

            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        firsts.append((update_ms, paint_ms))
        slowest.extend(app.events)
        for batch in range(1, args.steady + 1):
            for index in range(8 * (batch - 1) + 1, 8 * batch + 1):
                results.apply_chunk(0, _chunk(0, index, chunks, rng))
            started = _clock()
            panel._on_controller_results_changed(results)
            steady.append((_clock() - started) * 1000 + settle())
        panel.shutdown()
        panel.deleteLater()
        settle()
        print(f"rep {rep + 1}: first result update {update_ms:.1f} ms + event pass {paint_ms:.1f} ms", flush=True)

    def stats(values: list[float]) -> str:
        return f"min {min(values):.1f} · median {statistics.median(values):.1f} · max {max(values):.1f} ms"

    print(f"Run (the empty track), update + event pass: {stats(runs)}")
    print(f"first result, update call: {stats([u for u, _p in firsts])}")
    print(f"first result, event pass (layout + paint): {stats([p for _u, p in firsts])}")
    print(f"first result, total: {stats([u + p for u, p in firsts])}")
    print(f"longest single pass (update call or one event-loop pass): Run {stats(longest)} · "
          f"first result {stats(longest_first)}")
    print(f"later batches, update + event pass: {stats(steady)}")
    print("slowest events after the first result:", [(round(ms, 1), what) for ms, what in sorted(slowest)[-6:]])
    ctx.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
