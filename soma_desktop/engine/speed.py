"""This CPU's matmul throughput in f32 and bf16, measured once in a fraction of a second.

Tells the user what fast mode buys on this machine (a bf16 matmul is ~3× an f32 one on CPUs with
AVX512-BF16 or AMX, and no faster, or slower, elsewhere) and gives the ETA a FLOP/s to start from.
"""

from __future__ import annotations

import time

import torch

SIZE = 512
MIN_SECONDS = 0.15


def _flops(dtype: torch.dtype, size: int = SIZE) -> float:
    a = torch.randn(size, size).to(dtype)
    b = torch.randn(size, size).to(dtype)
    with torch.inference_mode():
        torch.mm(a, b)   # warm-up: kernel selection, packing buffers
        runs, started = 0, time.perf_counter()
        while True:
            torch.mm(a, b)
            runs += 1
            elapsed = time.perf_counter() - started
            if elapsed >= MIN_SECONDS and runs >= 3:
                return 2 * size**3 * runs / elapsed


def measure_matmul() -> tuple[float, float]:
    """(f32 FLOP/s, bf16 FLOP/s) of a square matmul with the current thread count."""
    return _flops(torch.float32), _flops(torch.bfloat16)
