"""The chain cache: one read per key in flight, typed change events, precise invalidation."""

from __future__ import annotations

import asyncio

import pytest

from soma_desktop.network.errors import NetworkUnavailable
from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS
from soma_desktop.services.chain_cache import (
    MODELS,
    STATE,
    VALIDATORS,
    ChainCache,
    Change,
    Kind,
    Touch,
    coins_key,
    stakes_key,
)

OTHER = "0x" + "ab" * 32


def test_reads_in_flight_are_shared(loop, counted, cache):
    async def three_at_once():
        return await asyncio.gather(cache.read(MODELS), cache.read(MODELS), cache.get(MODELS))

    a, b, c = loop.run_until_complete(three_at_once())
    assert a == b == c and len(a) >= 3          # genesis registers the demo models
    assert counted.reads["list_models"] == 1


def test_tick_polls_state_and_every_watched_key_once(loop, counted, cache):
    cache.watch(MODELS)
    cache.watch_accounts([SANDBOX_DEMO_ADDRESS, OTHER])
    state = loop.run_until_complete(cache.tick())
    assert state.epoch == cache.state().epoch
    assert counted.reads == {"get_system_state": 1, "list_models": 1, "list_coins": 2, "list_staked_soma": 2}
    assert sum(c.balance for c in cache.coins(SANDBOX_DEMO_ADDRESS)) > 2**32
    assert cache.coins(OTHER) == []


def test_validators_are_polled_again_only_at_an_epoch_boundary(loop, counted, cache):
    cache.watch(VALIDATORS)
    loop.run_until_complete(cache.tick())
    loop.run_until_complete(cache.tick())
    assert counted.reads["get_validators"] == 1 and counted.reads["get_system_state"] == 2
    loop.run_until_complete(counted.advance_epoch())
    loop.run_until_complete(cache.tick())
    assert counted.reads["get_validators"] == 2


def test_changes_are_published_only_when_a_value_differs(loop, counted, cache):
    seen: list[Change] = []
    cache.subscribe(seen.append)
    cache.watch_accounts([SANDBOX_DEMO_ADDRESS])
    loop.run_until_complete(cache.tick())
    first = {c.key.kind for c in seen}
    assert first == {Kind.STATE, Kind.COINS, Kind.STAKES}
    seen.clear()
    loop.run_until_complete(cache.tick())
    assert seen == []                           # nothing moved on chain: no event, no re-render
    loop.run_until_complete(counted.advance_epoch())
    loop.run_until_complete(cache.tick())
    assert [c.key for c in seen] == [STATE]


def test_a_transaction_reads_again_exactly_what_it_touched(loop, counted, cache):
    cache.watch(MODELS, VALIDATORS)
    cache.watch_accounts([SANDBOX_DEMO_ADDRESS])
    loop.run_until_complete(cache.tick())
    counted.reset()
    loop.run_until_complete(cache.apply(Touch.of(coins_key(SANDBOX_DEMO_ADDRESS), coins_key(OTHER))))
    # OTHER is neither watched nor cached: nobody shows it, so it is not read.
    assert counted.reads == {"list_coins": 1}


def test_a_read_started_before_a_transaction_is_not_reused_after_it(loop, counted, cache):
    async def scenario():
        key = coins_key(OTHER)
        early = asyncio.ensure_future(cache.read(key))
        await asyncio.sleep(0)                  # the early read is in flight
        await counted.transfer_coin(_Signer(), OTHER, 7 * 10**9 + 3)
        await cache.apply(Touch.of(key))
        await early
        return cache.coins(OTHER)

    coins = loop.run_until_complete(scenario())
    assert sum(c.balance for c in coins) == 7 * 10**9 + 3


def test_switching_network_forgets_everything(loop, counted, cache):
    loop.run_until_complete(cache.tick())
    assert cache.state() is not None
    cache.set_network(None)
    assert cache.state() is None and cache.peek(STATE) is None
    with pytest.raises(NetworkUnavailable):
        loop.run_until_complete(cache.read(STATE))


def test_read_errors_become_events_and_the_tick_survives_them(loop, counted):
    class Broken:
        def __getattr__(self, name):
            return getattr(counted, name)

        async def list_staked_soma(self, address):
            raise OSError("disk on fire")

    cache = ChainCache(Broken(), "sandbox")
    errors: list[Change] = []
    cache.subscribe(lambda c: errors.append(c) if c.error is not None else None)
    cache.watch_accounts([SANDBOX_DEMO_ADDRESS])
    loop.run_until_complete(cache.tick())
    assert [c.key for c in errors] == [stakes_key(SANDBOX_DEMO_ADDRESS)]
    assert cache.coins(SANDBOX_DEMO_ADDRESS)


class _Signer:
    address = SANDBOX_DEMO_ADDRESS

    def secret_key(self) -> bytes:
        return b"\x07" * 32


def test_an_unwatched_key_is_read_again_rather_than_served_stale(loop, counted, cache):
    loop.run_until_complete(cache.get(MODELS))
    loop.run_until_complete(cache.get(MODELS))
    assert counted.reads["list_models"] == 2      # nobody polls it: each ask is a read (shared in flight)
    cache.watch(MODELS)
    loop.run_until_complete(cache.get(MODELS))
    assert counted.reads["list_models"] == 2      # polled every tick: the cached list is current
