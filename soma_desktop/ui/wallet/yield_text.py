"""How a pool's yield is shown: APY on real networks; per-epoch return on the sandbox, whose short, manually
advanced epochs would turn any reward into an absurd yearly figure."""

from __future__ import annotations

from soma_desktop.network.types import PoolInfo
from soma_desktop.ui.wallet.stake_math import apy_text, estimated_apy, per_epoch_return

SANDBOX_NOTE = ("Sandbox epochs are short and advance when you ask, so a yearly rate would be meaningless: "
                "the return per epoch is shown instead.")


def yield_text(pool: PoolInfo, epoch_duration_ms: int, sandbox: bool) -> str:
    found = per_epoch_return(pool)
    if sandbox:
        return "—" if found is None else f"{found[0]:.3%} per epoch"
    apy = apy_text(estimated_apy(pool, epoch_duration_ms))
    return apy if found is None else f"{apy} ({found[0]:.3%} per epoch)"
