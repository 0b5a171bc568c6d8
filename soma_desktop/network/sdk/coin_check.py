"""Coins before fees: can the coins soma-sdk may pick pay for a transaction? (protocol.md Errata 4 and 7)

soma-sdk chooses the gas coin at random among the sender's 8 richest coins (sdk/src/lib.rs
`build_transaction_data_excluding`, TOP_N = 8); a transfer's amount comes from the richest coin, and create-model
and add-stake take their amount from the gas coin itself. A coin among those 8 that cannot pay can be picked: the
transaction then fails and that coin is lost as the fee.

The SDK's merge (Errata 4) smashes every coin but the smallest into one and leaves the smallest as a second coin.
So merging helps exactly when a coin other than the smallest cannot pay; a too-small smallest coin stays a
bounded risk (at most its own balance is lost) that no merge removes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from soma_desktop.core.amounts import format_soma

SDK_GAS_TOP_N = 8


class CoinAdvice(str, enum.Enum):
    OK = "ok"
    MERGE_FIRST = "merge_first"      # the balance suffices, but not in coins the SDK may pick; a merge fixes it
    DUST_RISK = "dust_risk"          # only the smallest coin cannot pay; merging cannot absorb it; loss <= its balance
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

    @property
    def blocks(self) -> bool:
        """Sending now could fail in a way a merge (or funds) would prevent."""
        return self.advice in (CoinAdvice.MERGE_FIRST, CoinAdvice.INSUFFICIENT)


def check_coins(balances: Sequence[int], amount: int, fee: int, *, amount_from_gas: bool = False,
                top_n: int = SDK_GAS_TOP_N) -> CoinVerdict:
    """`amount_from_gas`: the amount is paid out of the gas coin itself (CreateModel, AddStake)."""
    ordered = tuple(sorted((int(b) for b in balances), reverse=True))
    candidates = ordered[:max(1, top_n)]
    total = sum(ordered)
    if total < amount + fee:
        return CoinVerdict(CoinAdvice.INSUFFICIENT, f"The account holds {format_soma(total)}; "
                           f"{format_soma(amount + fee)} are needed including the fee.", fee, candidates)
    need_gas = fee + (amount if amount_from_gas else 0)
    single = amount + fee                      # what the richest coin needs when the amount comes from it
    poor = [b for b in candidates if b < need_gas]
    smallest_poor = len(ordered) > 1 and ordered[-1] < need_gas and len(candidates) == len(ordered)
    absorbable = len(poor) - (1 if smallest_poor else 0)
    merged = total - (ordered[-1] if len(ordered) > 1 else 0)     # the one coin a merge builds
    if absorbable > 0 or (not amount_from_gas and candidates[0] < single):
        if merged < single:
            return CoinVerdict(CoinAdvice.INSUFFICIENT,
                               f"Even merged, the coins hold {format_soma(merged)} in one coin (a merge keeps the "
                               f"smallest coin apart); {format_soma(single)} are needed.", fee, candidates)
        what = "the amount plus the fee" if amount_from_gas else "the fee"
        why = (f"{absorbable} of the {len(candidates)} coins the network client may pick to pay with hold less "
               f"than {what} ({format_soma(need_gas)}); if one is picked the transaction fails and its balance is "
               "lost as the fee." if absorbable > 0 else
               f"No single coin holds {format_soma(amount)} plus the fee (the largest holds "
               f"{format_soma(candidates[0])}); the amount must come from one coin.")
        return CoinVerdict(CoinAdvice.MERGE_FIRST, why + " Merge coins first.", fee, candidates)
    if poor:
        cost = "losing that coin" if ordered[-1] < fee else "costs the fee"
        return CoinVerdict(CoinAdvice.DUST_RISK,
                           f"The smallest coin ({format_soma(ordered[-1])}) cannot pay {format_soma(need_gas)}; "
                           f"the network client picks it 1 time in {len(candidates)}, and the transaction then fails "
                           f"and {cost}. A merge cannot absorb the smallest coin.", fee, candidates)
    return CoinVerdict(CoinAdvice.OK, "", fee, candidates)
