"""Sandbox speed: genesis, one durable transaction, one epoch boundary, listing targets.

    .venv/bin/python benchmarks/bench_sandbox.py [--dim 128|2048] [--repeats N]

Every transaction is one fsynced SQLite transaction (WAL, synchronous=FULL), so the figures include
the disk's fsync latency.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_timing import machine_line, median_ms

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS, SandboxChain, SandboxConfig


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
        transfer_ms = median_ms(lambda: chain.transfer_coin(SANDBOX_DEMO_ADDRESS, other, 1_000), args.repeats)
        boundary_ms = median_ms(chain.advance_epoch, max(3, args.repeats // 4))
        for _ in range(9):
            chain.advance_epoch()
        list_ms = median_ms(lambda: chain.list_targets(None, None, 1000), 5)
        chain.close()
    print(f"{machine_line()}, dim {args.dim}")
    print(f"genesis {genesis_ms:.1f} ms; transfer (one fsynced tx) median {transfer_ms:.2f} ms; "
          f"epoch boundary (100 new targets) median {boundary_ms:.1f} ms; list 1,000 targets {list_ms:.1f} ms")


if __name__ == "__main__":
    main()
