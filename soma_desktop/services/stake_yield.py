"""A pool's yield estimate: APY on real networks; per-epoch return on the sandbox, whose short, manually
advanced epochs would turn any reward into an absurd yearly figure."""

from __future__ import annotations

import math

from soma_desktop.network.types import PoolInfo

MS_PER_YEAR = 365 * 24 * 3600 * 1000
APY_WINDOW_EPOCHS = 30
SANDBOX_NOTE = ("Sandbox epochs are short and advance when you ask, so a yearly rate would be meaningless: "
                "the return per epoch is shown instead.")


def per_epoch_return(pool: PoolInfo, window: int = APY_WINDOW_EPOCHS) -> tuple[float, int] | None:
    """Average growth of one pool token per epoch over the last `window` epochs of rates, and the span.

    None until the pool has two rate entries (the first epoch after genesis or activation).
    """
    rates = {e: r for e, r in pool.exchange_rates.items() if r[0] > 0 and r[1] > 0}
    if len(rates) < 2:
        return None
    last = max(rates)
    first = min((e for e in rates if e >= last - window), default=last)
    if first == last:
        first = max(e for e in rates if e < last)
    span = last - first
    s1, t1 = rates[first]
    s2, t2 = rates[last]
    growth = (s2 * t1) / (s1 * t2)
    return growth ** (1 / span) - 1, span


def estimated_apy(pool: PoolInfo, epoch_duration_ms: int, window: int = APY_WINDOW_EPOCHS) -> float | None:
    """Compounded yearly yield implied by recent exchange rates (Sui's calculateAPY idea). May be inf."""
    found = per_epoch_return(pool, window)
    if found is None or epoch_duration_ms <= 0:
        return None
    per_epoch, _span = found
    epochs_per_year = MS_PER_YEAR / epoch_duration_ms
    if per_epoch <= -1:
        return -1.0
    exponent = epochs_per_year * math.log1p(per_epoch)
    return math.inf if exponent > 700 else math.expm1(exponent)


def apy_text(apy: float | None) -> str:
    if apy is None:
        return "—"
    if apy > 10:
        return "> 1,000%"
    return f"{apy * 100:.2f}%"


def yield_text(pool: PoolInfo, epoch_duration_ms: int, sandbox: bool) -> str:
    found = per_epoch_return(pool)
    if sandbox:
        return "—" if found is None else f"{found[0]:.3%} per epoch"
    apy = apy_text(estimated_apy(pool, epoch_duration_ms))
    return apy if found is None else f"{apy} ({found[0]:.3%} per epoch)"


def yield_tip(pool: PoolInfo) -> str | None:
    """The per-epoch figure behind the estimate and its span, or None before two epochs of rates."""
    found = per_epoch_return(pool)
    if found is None:
        return None
    return f"{found[0] * 100:.4f}% per epoch over the last {found[1]} epoch(s)"
