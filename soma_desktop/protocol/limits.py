"""Size, commission and stake limits (protocol.md §3.2, §5.6, §7)."""

from __future__ import annotations

from soma_desktop.core.amounts import U64_MAX
from soma_desktop.protocol.params import MAX_COMMISSION_BPS, MAX_SUBMISSION_DATA_SIZE, MODEL_MIN_STAKE

MAX_DATA_SIZE = MAX_SUBMISSION_DATA_SIZE      # 1 MiB: the most a submission (and the scorer) takes
MAX_AMOUNT = U64_MAX                          # every on-chain amount is a u64 of shannons
MAX_PAY_RECIPIENTS = 256                      # the SDK lists at most 256 coins / recipients per call


def data_size_ok(size: int) -> bool:
    """SubmitData check 6 (`DataExceedsMaxSize` above 1 MiB)."""
    return 0 <= size <= MAX_DATA_SIZE


def commission_ok(rate_bps: int) -> bool:
    """CreateModel / SetModelCommissionRate: at most 10000 bps (`ModelCommissionRateTooHigh`)."""
    return 0 <= rate_bps <= MAX_COMMISSION_BPS


def model_stake_ok(stake: int, model_min_stake: int = MODEL_MIN_STAKE) -> bool:
    """CreateModel check 2 (`ModelMinStakeNotMet`); only checked at creation."""
    return model_min_stake <= stake <= MAX_AMOUNT


def stake_ok(amount: int) -> bool:
    """AddStake / AddStakeToModel: more than zero (`InvalidArguments`) and a u64."""
    return 0 < amount <= MAX_AMOUNT
