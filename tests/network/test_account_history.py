"""The sandbox's account history: incoming and outgoing transfers with exact amounts, survives reopening,
forgets everything on reset."""

from __future__ import annotations

import asyncio

from soma_desktop.core.amounts import SHANNONS_PER_SOMA
from soma_desktop.network.account_history import Direction
from soma_desktop.network.sandbox.chain import SandboxConfig
from soma_desktop.network.sandbox.network import SandboxNetwork

A, B, C = ("0x" + h * 32 for h in ("a1", "b2", "c3"))


class Signer:
    def __init__(self, address: str):
        self.address = address

    def secret_key(self) -> bytes:
        return b"\x02" * 32


def test_history_in_out_pay_and_reset(tmp_path):
    async def scenario():
        db = tmp_path / "chain.db"
        net = SandboxNetwork(db, SandboxConfig(timed=False))
        for _ in range(4):
            await net.request_faucet(A)
        await net.merge_coins(Signer(A))                    # leaves two coins: ~6 SOMA and 2 SOMA (Erratum 4)
        big = 5 * SHANNONS_PER_SOMA + 7                      # above 2^32 shannons
        await net.transfer_coin(Signer(A), B, big)
        await net.pay_coins(Signer(B), [A, C], [SHANNONS_PER_SOMA, 3])
        await net.close()
        net = SandboxNetwork(db, SandboxConfig(timed=False))   # recorded durably
        b_hist = await net.list_account_transactions(B)
        assert [(t.direction, t.counterparty, t.amount) for t in b_hist] == [
            (Direction.OUT, None, SHANNONS_PER_SOMA + 3), (Direction.IN, A, big)]
        assert b_hist[1].fee == 0 and b_hist[0].fee > 0 and b_hist[0].kind == "PayCoins"
        a_hist = await net.list_account_transactions(A)
        assert [t.direction for t in a_hist] == [Direction.IN, Direction.OUT, Direction.OUT] + [Direction.IN] * 4
        assert a_hist[0].amount == SHANNONS_PER_SOMA and a_hist[1].amount == big
        assert a_hist[2].kind == "TransferCoin" and a_hist[2].amount is None   # the SDK merge: smallest coin to self
        assert all(t.amount == 2 * SHANNONS_PER_SOMA for t in a_hist[3:])
        c_hist = await net.list_account_transactions(C)
        assert [(t.direction, t.amount, t.counterparty) for t in c_hist] == [(Direction.IN, 3, B)]
        await net.reset()
        assert await net.list_account_transactions(B) == []
        await net.request_faucet(C)                          # the digest sequence restarts after a reset
        assert [t.amount for t in await net.list_account_transactions(C)] == [2 * SHANNONS_PER_SOMA]
        await net.close()
    asyncio.run(scenario())
