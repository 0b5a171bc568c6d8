"""Vault cost with the production key-derivation parameters: create, unlock (open), change password.

    .venv/bin/python benchmarks/bench_vault.py [--runs N]

Unlocking is deliberately slow (Argon2id, security.md §2.2); the UI runs it off the GUI thread.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_timing import machine_line, median_ms

from soma_desktop.wallet.kdf import default_policy
from soma_desktop.wallet.mnemonic import generate_mnemonic
from soma_desktop.wallet.vault import Vault


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    policy = default_policy()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wallet.vault"
        phrase = generate_mnemonic(24)
        create_ms = median_ms(lambda: Vault.create(path, "correct horse battery", phrase, overwrite=True), runs)
        open_ms = median_ms(lambda: Vault.open(path, "correct horse battery"), runs)
        vault = Vault.open(path, "correct horse battery")
        start = time.perf_counter()
        vault.change_password("correct horse battery", "staple battery horse")
        change_ms = (time.perf_counter() - start) * 1000
    print(machine_line())
    print(f"KDF: {policy.default_kdf}")
    print(f"create {create_ms:.0f} ms, unlock {open_ms:.0f} ms (median of {runs}), change password {change_ms:.0f} ms")


if __name__ == "__main__":
    main()
