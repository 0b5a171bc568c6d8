#!/usr/bin/env python3
"""Issue 4 acceptance: a ~50M-parameter model and 16 KiB of text, whole-process wall time of
`soma-desktop eval` (exact and fast) against the soma-models reference process (exact and bf16).

    .venv/bin/python benchmarks/bench_engine_acceptance.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_engine_common import ROOT, sample_text, synthesize_weights

from soma_desktop.engine.architecture import Architecture

ARCH = Architecture(embedding_dim=512, num_layers=16, num_heads=8, ffn_dim=2048)  # 50.5 M parameters


def eval_command(weights: Path, data: Path, precision: str) -> list[str]:
    has_main = (ROOT / "soma_desktop" / "__main__.py").exists()
    entry = ["-m", "soma_desktop"] if has_main else ["-m", "soma_desktop.engine.cli"]
    prefix = ["eval"] if entry[1] == "soma_desktop" else []
    return [sys.executable, *entry, *prefix, "--weights", str(weights), "--precision", precision, "--json", str(data)]


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall time and the child's CPU time (user + sys): CPU time is the steadier figure on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), run.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    weights = args.workdir / "accept_50m.safetensors"
    data = args.workdir / "accept_16k.txt"
    synthesize_weights(weights, ARCH)
    data.write_bytes(sample_text(16 * 1024))
    reference = [sys.executable, str(ROOT / "benchmarks" / "bench_engine_reference.py"), str(weights), str(data)]
    commands = {
        "soma-desktop eval exact": eval_command(weights, data, "exact"),
        "soma-desktop eval fast": eval_command(weights, data, "fast"),
        "soma-models reference f32": reference,
        "soma-models reference bf16": reference + ["--fast"],
    }
    print(f"model {ARCH.num_parameters / 1e6:.1f} M params, data {data.stat().st_size} bytes, {args.runs} runs each; "
          f"medians of whole-process wall and CPU time, speed-up vs the soma-models f32 reference")
    walls, cpus, outputs = {}, {}, {}
    for _ in range(args.runs):  # interleave runs so drift affects every command alike
        for label, command in commands.items():
            wall, cpu, out = timed(command)
            walls.setdefault(label, []).append(wall)
            cpus.setdefault(label, []).append(cpu)
            outputs[label] = out
    base_wall = statistics.median(walls["soma-models reference f32"])
    base_cpu = statistics.median(cpus["soma-models reference f32"])
    for label in commands:
        wall, cpu = statistics.median(walls[label]), statistics.median(cpus[label])
        print(f"{label:<28} wall {wall:7.2f} s ({base_wall / wall:5.2f}x)  cpu {cpu:7.2f} s ({base_cpu / cpu:5.2f}x)  "
              f"wall runs {[f'{t:.1f}' for t in walls[label]]}")
    exact = json.loads(outputs["soma-desktop eval exact"])["results"][0]["models"][0]["loss"]
    fast = json.loads(outputs["soma-desktop eval fast"])["results"][0]["models"][0]["loss"]
    ref = json.loads(outputs["soma-models reference f32"])
    print(f"loss exact {exact:.6f} vs reference {ref['loss']:.6f} (|Δ| {abs(exact - ref['loss']):.2e}); "
          f"fast {fast:.6f} (|Δ| {abs(fast - exact):.2e}); "
          f"reference load {ref['load_s']:.2f} s, score {ref['score_s']:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
