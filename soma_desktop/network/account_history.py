"""One account's transactions as the chain saw them, incoming and outgoing (`Network.list_account_transactions`)."""

from __future__ import annotations

from dataclasses import dataclass


class Direction:
    IN = "in"          # someone else sent SOMA to the account (transfer, faucet)
    OUT = "out"        # the account signed it (transfer, stake, withdraw, claim, …)
    SELF = "self"      # the account paid itself (a transfer to its own address)


@dataclass(frozen=True)
class AccountTx:
    """`amount`: shannons moved to (IN) or from (OUT) the account, None when the chain does not say.

    `fee` is paid by the sender, so it is 0 on IN rows. `counterparty` is the other address, if any.
    """

    digest: str
    kind: str
    direction: str
    sender: str | None
    counterparty: str | None
    amount: int | None
    fee: int
    status: str            # "success" | "failure"
    error: str | None
    epoch: int
    timestamp_ms: int
