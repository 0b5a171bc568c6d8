"""Which chain the open network serves, and whether it was reset since it was last seen (testnet resets).

Only networks that can name their chain (the SDK network: `identity()` = (chain identifier, epoch), refusing a
node that serves another chain) are checked; the sandbox is not. The UI keeps the last pair per network in
settings and passes it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from soma_desktop.services.chain_cache import ChainCache

Identity = tuple[str, int]


@runtime_checkable
class NamesItsChain(Protocol):
    async def identity(self) -> Identity: ...

    def reset_warning(self, previous: Identity | None, now: Identity) -> str: ...


@dataclass(frozen=True)
class IdentityCheck:
    now: Identity
    warning: str          # non-empty when the chain looks reset since the previous check


@dataclass(frozen=True)
class ChainIdentity:
    cache: ChainCache

    async def check(self, previous: Identity | None) -> IdentityCheck | None:
        """The open network's identity and reset warning; None when it cannot name its chain."""
        network = self.cache.network
        if not isinstance(network, NamesItsChain):
            return None
        now = await network.identity()
        now = (str(now[0]), int(now[1]))
        return IdentityCheck(now, network.reset_warning(previous, now))
