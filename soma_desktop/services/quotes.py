"""What a transaction will cost before it is signed: fee ranges, totals, limits and whether the coins can pay.

The rules are protocol/fees.py's and network/sdk/coin_check.py's; here they are applied to the coins the
wallet holds, so dialogs and panels only render the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soma_desktop.network.sdk.coin_check import SDK_GAS_TOP_N, CoinVerdict, check_coins
from soma_desktop.network.types import Coin
from soma_desktop.protocol.fees import ChainTx, FeeParams, estimate_fee, fee_reserve, fee_span, max_amount


@dataclass(frozen=True)
class Quote:
    """`amount` plus the fee range the network's choice of gas coin allows (one number when it cannot vary)."""

    amount: int
    fee_low: int
    fee_high: int

    @property
    def exact(self) -> bool:
        return self.fee_low == self.fee_high

    @property
    def total_low(self) -> int:
        return self.amount + self.fee_low

    @property
    def total_high(self) -> int:
        return self.amount + self.fee_high


@dataclass(frozen=True)
class CoinsQuote:
    """One account's coins as a transaction spends them: a transaction pays from one coin."""

    coins: tuple[Coin, ...]
    params: FeeParams
    sandbox: bool              # the sandbox always pays from the richest coin; soma-sdk picks among the top 8

    @classmethod
    def of(cls, coins: Sequence[Coin], params: FeeParams, sandbox: bool) -> CoinsQuote:
        return cls(tuple(coins), params, sandbox)

    @property
    def balance(self) -> int:
        return sum(c.balance for c in self.coins)

    @property
    def largest(self) -> int:
        return max((c.balance for c in self.coins), default=0)

    @property
    def coin_count(self) -> int:
        return len(self.coins)

    @property
    def split(self) -> bool:
        """More than one coin and the largest holds less than the balance: a merge would spend more at once."""
        return len(self.coins) > 1 and self.largest < self.balance

    # ---- send ----------------------------------------------------------------------------------
    def base_fee(self, kind: ChainTx) -> int:
        return estimate_fee(kind, self.params).total

    def max_send(self) -> int:
        return max_amount(ChainTx.TRANSFER_COIN, self.largest, self.params)

    def send_limit(self) -> tuple[int, bool]:
        """What one coin can send now or, with split coins, what the coin a merge builds could (the merge keeps
        the smallest coin apart and pays its own fee); True when the limit needs a merge first."""
        single = self.max_send()
        if len(self.coins) < 2:
            return single, False
        smallest = min(c.balance for c in self.coins)
        merged = self.balance - smallest - merge_fee(self.coins, self.params)
        return max(single, max_amount(ChainTx.TRANSFER_COIN, merged, self.params)), True

    def send(self, amount: int) -> Quote:
        """The fee range the network's coin choice allows (one number on the sandbox and with a single coin)."""
        random_pick = not self.sandbox and len(self.coins) > 1
        low, high = fee_span(ChainTx.TRANSFER_COIN, self.params, amount, random_gas_coin=random_pick)
        return Quote(amount, low.total, high.total)

    def send_verdict(self, amount: int) -> CoinVerdict:
        return self.verdict(amount, estimate_fee(ChainTx.TRANSFER_COIN, self.params, amount).total)

    # ---- stake ---------------------------------------------------------------------------------
    def reserve(self) -> int:
        """What Max keeps back for the fees of later transactions (such as the withdrawal)."""
        return fee_reserve(self.params)

    def max_stake(self, kind: ChainTx = ChainTx.ADD_STAKE) -> int:
        return max_amount(kind, self.largest, self.params, reserve=self.reserve())

    def stake_limit(self, kind: ChainTx = ChainTx.ADD_STAKE) -> int:
        return max_amount(kind, self.largest, self.params)

    def stake(self, kind: ChainTx, amount: int) -> Quote:
        fee = estimate_fee(kind, self.params, amount).total
        return Quote(amount, fee, fee)

    def stake_verdict(self, kind: ChainTx, amount: int) -> CoinVerdict:
        """A stake comes out of the coin that pays the fee: can every coin the network may pick carry both?"""
        return self.verdict(amount, self.stake(kind, amount).fee_low, amount_from_gas=True)

    # ---- coins ---------------------------------------------------------------------------------
    def verdict(self, amount: int, fee: int, *, amount_from_gas: bool = False) -> CoinVerdict:
        return coin_verdict(self.coins, amount, fee, sandbox=self.sandbox, amount_from_gas=amount_from_gas)

    def merge_fee(self) -> int:
        return merge_fee(self.coins, self.params)

    def withdraw_fee(self, principal: int) -> int:
        return withdraw_fee(principal, self.params)


def coin_verdict(coins: Sequence[Coin], amount: int, fee: int, *, sandbox: bool,
                 amount_from_gas: bool = False) -> CoinVerdict:
    """What the coins already read say about paying `amount` + `fee` on this network."""
    top_n = 1 if sandbox else SDK_GAS_TOP_N
    return check_coins([c.balance for c in coins], amount, fee, amount_from_gas=amount_from_gas, top_n=top_n)


def merge_fee(coins: Sequence[Coin], params: FeeParams) -> int:
    """The SDK's merge sends the smallest coin to self: its value fee is on that coin."""
    smallest = min((c.balance for c in coins), default=0)
    return estimate_fee(ChainTx.MERGE_COINS, params, smallest).total


def withdraw_fee(principal: int, params: FeeParams) -> int:
    """A withdrawal's value fee is on the receipt's principal, not on what it pays out."""
    return estimate_fee(ChainTx.WITHDRAW_STAKE, params, principal).total
