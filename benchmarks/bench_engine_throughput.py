#!/usr/bin/env python3
"""Scoring throughput, exact and fast, against the soma-models reference on the same weights and data, plus
achieved FLOP/s against a plain fp32 (and bf16) matrix product measured in the same process.

    .venv/bin/python benchmarks/bench_engine_throughput.py [--dim 512 --layers 16 --ffn 2048] [--kib 16]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from bench_engine_common import sample_text, synthesize_weights
from bench_engine_reference import Model, config_from_file, reference_score

from soma_desktop.engine.architecture import Architecture
from soma_desktop.engine.contract import SEQ_LEN, num_chunks
from soma_desktop.engine.scorer import score_bytes
from soma_desktop.engine.weights import load_model


def model_flops_per_chunk(arch: Architecture) -> float:
    d, f, v, t = arch.embedding_dim, arch.ffn_dim, arch.vocab_size, SEQ_LEN
    matmul = 2 * t * (arch.num_layers * (4 * d * d + 2 * d * f) + d * v)
    attention = arch.num_layers * 2 * 2 * t * t * d  # q·kᵀ and P·v, full square as in scoring.md §12
    return float(matmul + attention)


def matmul_rate(dtype: torch.dtype, n: int = 2048, repeats: int = 5) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start)


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--layers", type=int, default=16)
    parser.add_argument("--ffn", type=int, default=2048)
    parser.add_argument("--kib", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--weights", type=Path, default=Path("/tmp/bench_engine_model.safetensors"))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    arch = Architecture(args.dim, args.layers, 8, args.ffn)
    synthesize_weights(args.weights, arch)
    data = sample_text(args.kib * 1024)
    chunks = num_chunks(len(data))
    flops = model_flops_per_chunk(arch) * chunks
    print(f"model D={arch.embedding_dim} L={arch.num_layers} F={arch.ffn_dim}: "
          f"{arch.num_parameters / 1e6:.1f} M params; "
          f"data {len(data)} bytes = {chunks} chunks; {flops / 1e12:.3f} TFLOP per pass; torch threads "
          f"{torch.get_num_threads()}")

    ours = load_model(args.weights, device="cpu")
    ref = Model.load(str(args.weights), config_from_file(str(args.weights), 8)).eval()
    rows = []
    results = {}

    def run(label, fn):
        fn()  # warm-up (also builds the bf16 twin once for fast mode)
        seconds = best_of(fn, args.repeats)
        rows.append((label, seconds))

    run("engine exact (f32)", lambda: results.__setitem__("exact", score_bytes([ours], data, precision="exact")))
    run("engine fast (bf16)", lambda: results.__setitem__("fast", score_bytes([ours], data, precision="fast")))
    from soma_desktop.engine import fast as fast_engine

    fast_engine.ATTENTION_DTYPE = torch.bfloat16   # the alternative attention dtype, for the record
    run("engine fast, bf16 attention", lambda: score_bytes([ours], data, precision="fast"))
    fast_engine.ATTENTION_DTYPE = torch.float32
    run("soma-models f32", lambda: results.__setitem__("ref", reference_score(ref, data)))
    run("soma-models bf16 autocast", lambda: results.__setitem__("ref_fast", reference_score(ref, data, fast=True)))
    fp32 = matmul_rate(torch.float32)
    bf16 = matmul_rate(torch.bfloat16)
    print(f"plain 2048² matmul: fp32 {fp32 / 1e9:.0f} GFLOP/s, bf16 {bf16 / 1e9:.0f} GFLOP/s")
    reference_time = dict(rows)["soma-models f32"]
    print(f"{'mode':<28}{'seconds':>9}{'KiB/s':>9}{'GFLOP/s':>9}{'vs fp32 mm':>11}{'speed-up':>10}")
    for label, seconds in rows:
        rate = flops / seconds
        print(f"{label:<28}{seconds:>9.3f}{len(data) / 1024 / seconds:>9.2f}{rate / 1e9:>9.0f}"
              f"{rate / fp32:>10.0%}{reference_time / seconds:>9.2f}x")
    times = dict(rows)
    fast_gain = times["engine exact (f32)"] / times["engine fast (bf16)"]
    hw_gain = bf16 / fp32
    captured = (fast_gain - 1) / (hw_gain - 1) if hw_gain > 1 else float("nan")
    print(f"fast ÷ exact speed-up {fast_gain:.2f}× · bf16 ÷ fp32 matmul {hw_gain:.2f}× · fast mode captures "
          f"{captured:.0%} of the hardware's bf16 gain (goal ≥ 75%)")
    print(f"exact FLOP/s ÷ fp32 matmul FLOP/s = {flops / times['engine exact (f32)'] / fp32:.2f} (goal ≥ 0.75) · "
          f"exact ÷ soma-models time {times['engine exact (f32)'] / times['soma-models f32']:.2f}")
    exact, fast, ref_result = results["exact"].models[0], results["fast"].models[0], results["ref"]
    print(f"loss: engine exact {exact.loss:.6f}, soma-models {ref_result['loss']:.6f} "
          f"(|Δ| {abs(exact.loss - ref_result['loss']):.2e}); "
          f"fast {fast.loss:.6f} (|Δ| {abs(fast.loss - exact.loss):.2e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
