"""Peak decimation for long per-byte series (Qt-free).

A 1 MiB file has ~1 M values per model; drawing or even re-scanning them on every streamed update
would stall the GUI. `PeakLevels` keeps the per-bin minimum and maximum at a few bin sizes, updates
only the bins a new chunk touches, and hands the view at most ~`MAX_POINTS` points for any visible range:
full detail when zoomed in, min/max envelopes (peaks preserved) when zoomed out.
"""

from __future__ import annotations

import numpy as np

BIN_SIZES = (8, 64, 512)
MAX_POINTS = 6_000   # ~2 points per pixel on a wide plot; more only costs paint time


class PeakLevels:
    def __init__(self, values: np.ndarray, *, empty: bool = False):
        """`empty`: every value is NaN (a run just started), so the all-NaN bins need no scan."""
        self.size = values.size
        self.levels: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for bin_size in BIN_SIZES:
            count = -(-self.size // bin_size)
            self.levels[bin_size] = (np.full(count, np.nan, dtype=np.float32),
                                     np.full(count, np.nan, dtype=np.float32))
        if not empty:
            self.update(values, 0, self.size)

    def update(self, values: np.ndarray, lo: int, hi: int) -> None:
        """Recompute the bins overlapping [lo, hi) from `values`."""
        for bin_size, (low, high) in self.levels.items():
            k0, k1 = lo // bin_size, -(-hi // bin_size)
            start, stop = k0 * bin_size, min(self.size, k1 * bin_size)
            if stop <= start:
                continue
            edges = np.arange(0, stop - start, bin_size)
            part = values[start:stop]
            low[k0:k0 + edges.size] = np.fmin.reduceat(part, edges)
            high[k0:k0 + edges.size] = np.fmax.reduceat(part, edges)

    def points(self, values: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) to draw [lo, hi): the raw slice when it is short enough, else the finest envelope that fits
        (each bin as its minimum then maximum, so every spike stays visible)."""
        lo, hi = max(0, lo), min(self.size, hi)
        if hi - lo <= MAX_POINTS:
            return np.arange(lo, hi, dtype=np.float64), values[lo:hi]
        for bin_size in BIN_SIZES:
            k0, k1 = lo // bin_size, -(-hi // bin_size)
            if 2 * (k1 - k0) <= MAX_POINTS or bin_size == BIN_SIZES[-1]:
                low, high = self.levels[bin_size]
                starts = np.arange(k0, k1, dtype=np.float64) * bin_size
                x = np.empty(2 * starts.size)
                y = np.empty(2 * starts.size, dtype=np.float32)
                x[0::2], x[1::2] = starts, starts + bin_size / 2
                y[0::2], y[1::2] = low[k0:k1], high[k0:k1]
                return x, y
        raise AssertionError("unreachable")


def stride_points(values: np.ndarray, lo: int, hi: int, limit: int = MAX_POINTS // 2) -> tuple[np.ndarray, np.ndarray]:
    """An already smooth series, sampled every n-th point so at most `limit` points are drawn."""
    lo, hi = max(0, lo), min(values.size, hi)
    step = max(1, -(-(hi - lo) // limit))
    x = np.arange(lo, hi, step, dtype=np.float64)
    return x, values[lo:hi:step]
