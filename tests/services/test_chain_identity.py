"""ChainIdentity: the sandbox is not checked; a network that names its chain is, and a reset is reported."""

from __future__ import annotations

from soma_desktop.network.sdk.adapter import SdkNetwork
from soma_desktop.services.chain_cache import ChainCache
from soma_desktop.services.chain_identity import ChainIdentity, IdentityCheck


class ResettableChain:
    """The two SdkNetwork members the check uses, with the real reset rule, at a chosen epoch."""

    reset_warning = staticmethod(SdkNetwork.reset_warning)

    def __init__(self, epoch: int):
        self.epoch = epoch

    async def identity(self) -> tuple[str, int]:
        return "testnet", self.epoch


def test_the_sandbox_is_not_checked(loop, cache, counted):
    assert loop.run_until_complete(ChainIdentity(cache).check(("testnet", 120))) is None
    assert not counted.reads and not counted.transactions


def test_an_epoch_going_back_on_the_same_chain_is_a_reset(loop):
    later = ChainIdentity(ChainCache(ResettableChain(130), "testnet"))
    assert loop.run_until_complete(later.check(("testnet", 120))) == IdentityCheck(("testnet", 130), "")
    assert loop.run_until_complete(later.check(None)) == IdentityCheck(("testnet", 130), "")
    reset = loop.run_until_complete(ChainIdentity(ChainCache(ResettableChain(3), "testnet")).check(("testnet", 120)))
    assert reset is not None and reset.now == ("testnet", 3) and "was reset" in reset.warning
