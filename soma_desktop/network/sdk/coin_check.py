"""Coins before fees: can the coins soma-sdk may pick pay for a transaction? (protocol.md Errata 7)

soma-sdk chooses the gas coin at random among the sender's 8 richest coins (sdk/src/lib.rs
`build_transaction_data_excluding`, TOP_N = 8) and takes a transfer's amount from the richest coin. A dust coin
among those 8 can be picked as gas: the transaction then fails `InsufficientGas` and the dust is burnt as the fee.
So before sending, every coin that may be picked must cover the fee, and the richest must cover the amount (plus
the fee when it may also be the gas coin); otherwise merging first (one MergeCoins) removes the risk.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Sequence

from soma_desktop.core.amounts import format_soma

SDK_GAS_TOP_N = 8


class CoinAdvice(str, enum.Enum):
    OK = "ok"
    MERGE_FIRST = "merge_first"      # the balance suffices, but not in coins the SDK may pick
    INSUFFICIENT = "insufficient"    # merging would not help: add funds


@dataclass(frozen=True)
class CoinVerdict:
    advice: CoinAdvice
    reason: str                      # plain words, empty when OK
    fee: int                         # the fee the check assumed (shannons)
    candidates: tuple[int, ...]      # balances of the coins that may be picked as gas, richest first

    @property
    def ok(self) -> bool:
        return self.advice is CoinAdvice.OK


def check_coins(balances: Sequence[int], amount: int, fee: int, *, amount_from_gas: bool = False,
                top_n: int = SDK_GAS_TOP_N) -> CoinVerdict:
    """`amount_from_gas`: the amount is paid out of the gas coin itself (CreateModel's stake)."""
    ordered = tuple(sorted((int(b) for b in balances), reverse=True))
    candidates = ordered[:max(1, top_n)]
    total = sum(ordered)
    if total < amount + fee:
        return CoinVerdict(CoinAdvice.INSUFFICIENT, f"The account holds {format_soma(total)}; "
                           f"{format_soma(amount + fee)} are needed including the fee.", fee, candidates)
    need_gas = fee + (amount if amount_from_gas else 0)
    poor = [b for b in candidates if b < need_gas]
    if poor:
        what = "the amount plus the fee" if amount_from_gas else "the fee"
        return CoinVerdict(CoinAdvice.MERGE_FIRST,
                           f"{len(poor)} of the {len(candidates)} coins the network client may pick to pay with "
                           f"hold less than {what} ({format_soma(need_gas)}); if one is picked the "
                           "transaction fails and its balance is lost as the fee. Merge coins first.",
                           fee, candidates)
    if not amount_from_gas and amount and candidates[0] < amount + (fee if len(candidates) == 1 else 0):
        return CoinVerdict(CoinAdvice.MERGE_FIRST,
                           f"No single coin holds {format_soma(amount)} (the largest holds "
                           f"{format_soma(candidates[0])}); the amount must come from one coin. Merge coins first.",
                           fee, candidates)
    return CoinVerdict(CoinAdvice.OK, "", fee, candidates)
