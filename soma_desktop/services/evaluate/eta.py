"""An honest time estimate for a run: the models' FLOPs over the speed the worker actually measures.

Before the first chunk the speed comes from this CPU's matmul throughput (measured once by the worker)
times the share of it a V1 forward pass reaches; from the first chunk on, from the compute time the worker
reports per batch of chunks (model loading and start-up are not counted as scoring speed), smoothed so the
figure moves steadily. Qt-free and torch-free.
"""

from __future__ import annotations

FORWARD_EFFICIENCY = 0.6      # a chunk's forward pass reaches roughly this share of the plain matmul FLOP/s
SMOOTHING = 0.25              # weight of the newest batch in the speed estimate
LONG_JOB_S = 20.0             # estimates before the run are shown for jobs at least this long


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class Eta:
    def __init__(self) -> None:
        self.total_flops = 0
        self.done_flops = 0
        self.rate: float | None = None          # FLOP/s, measured

    def plan(self, chunk_flops: list[int], chunks_per_file: list[int]) -> None:
        self.total_flops = sum(chunks_per_file) * sum(chunk_flops)

    def add(self, seconds: float, flops: int) -> None:
        self.done_flops += flops
        if seconds <= 0 or flops <= 0:
            return
        rate = flops / seconds
        self.rate = rate if self.rate is None else (1 - SMOOTHING) * self.rate + SMOOTHING * rate

    def seconds_left(self) -> float | None:
        if self.rate is None or not self.total_flops:
            return None
        return max(0.0, self.total_flops - self.done_flops) / self.rate

    def before_run(self, fp32_flops: float | None, bf16_flops: float | None, precision: str) -> str:
        """'about 2 min on this CPU; fast mode: about 50 s' for long jobs, '' otherwise or without a speed."""
        if not self.total_flops or not fp32_flops:
            return ""
        exact = self.total_flops / (fp32_flops * FORWARD_EFFICIENCY)
        fast = self.total_flops / (max(fp32_flops, bf16_flops or 0.0) * FORWARD_EFFICIENCY)
        if min(exact, fast) < LONG_JOB_S:
            return ""
        if precision == "fast":
            return f"about {format_duration(fast)} on this CPU in fast mode (exact: about {format_duration(exact)})"
        text = f"about {format_duration(exact)} on this CPU"
        if fast < 0.87 * exact:
            text += f"; fast mode: about {format_duration(fast)}"
        return text
