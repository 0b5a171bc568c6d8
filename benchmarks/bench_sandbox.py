"""Sandbox speed: genesis, one durable transaction, one epoch boundary, listing targets.

    .venv/bin/python benchmarks/bench_sandbox.py [--dim 128|2048] [--repeats N]

Every transaction is one fsynced SQLite transaction (WAL, synchronous=FULL), so the figures include
the disk's fsync latency.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS, SandboxChain, SandboxConfig


def timed(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = SandboxConfig(embedding_dim=args.dim, timed=False)
        start = time.perf_counter()
        chain = SandboxChain(Path(tmp) / "chain.db", config)
        genesis_ms = (time.perf_counter() - start) * 1000
        other = "0x" + "ab" * 32
        transfer_ms = timed(lambda: chain.transfer_coin(SANDBOX_DEMO_ADDRESS, other, 1_000), args.repeats)
        boundary_ms = timed(chain.advance_epoch, max(3, args.repeats // 4))
        for _ in range(9):
            chain.advance_epoch()
        list_ms = timed(lambda: chain.list_targets(None, None, 1000), 5)
        chain.close()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, dim {args.dim}")
    print(f"genesis {genesis_ms:.1f} ms; transfer (one fsynced tx) median {transfer_ms:.2f} ms; "
          f"epoch boundary (100 new targets) median {boundary_ms:.1f} ms; list 1,000 targets {list_ms:.1f} ms")


if __name__ == "__main__":
    main()
