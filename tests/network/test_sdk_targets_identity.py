"""Findings 5 and 6 on the fake soma-sdk: claimed targets, one-call get_target, chain identity, error names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.network.base import list_all_targets
from soma_desktop.network.errors import NetworkUnavailable, TransactionFailed
from soma_desktop.network.messages import CHAIN_ERRORS, describe_error
from soma_desktop.network.sdk.adapter import SdkNetwork
from soma_desktop.network.sdk.target_object import decode_target
from soma_desktop.network.types import Manifest, Target, TargetStatus
from tests.network import fake_sdk
from tests.network.conftest import demo_signer, open_backend, run


def test_get_target_reads_one_object_and_a_just_claimed_target_is_claimed(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net, chain = b.network, b.chain
            sample = (await list_all_targets(net))[7]
            chain.calls.clear()
            fetched = await net.get_target(sample.id)
            assert "list_targets" not in chain.calls and chain.calls.count("get_object") == 1
            assert (fetched.embedding, fetched.model_ids, fetched.reward_pool) == (
                sample.embedding, sample.model_ids, sample.reward_pool)
            assert fetched.status is TargetStatus.OPEN
            await net.advance_epoch()
            assert (await net.get_target(sample.id)).status is TargetStatus.EXPIRED
            await net.claim_rewards(demo_signer(), sample.id)
            assert (await net.get_target(sample.id)).status is TargetStatus.CLAIMED
    run(scenario())


addresses = st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
floats = st.floats(width=32, allow_nan=False, allow_infinity=False)


@given(addresses, st.lists(floats, min_size=1, max_size=64), st.lists(addresses, max_size=4),
       st.integers(0, 2**64 - 1), st.integers(0, 2**40), st.one_of(st.none(), st.integers(0, 2**40)),
       st.one_of(st.none(), addresses), st.booleans())
def test_target_object_round_trip(oid, embedding, models, reward, gen, fill, submitter, with_manifest):
    manifest = Manifest("https://data.example/x.bin", b"\x11" * 32, 1 << 20) if with_manifest else None
    target = Target(oid, TargetStatus.OPEN, tuple(embedding), tuple(models), 1.0499999523162842, reward, gen,
                    fill_epoch=fill, submitter=submitter, winning_model_id=models[0] if models else None,
                    bond_amount=reward // 3, winning_distance=0.5 if fill is not None else None,
                    data_manifest=manifest)
    contents = bytes.fromhex(oid[2:]) + fake_sdk.target_bcs(target)
    got = decode_target(oid, contents, current_epoch=gen if fill is None else fill)
    assert (got.embedding, got.model_ids, got.reward_pool, got.fill_epoch, got.submitter, got.data_manifest) == (
        target.embedding, target.model_ids, reward, fill, submitter, manifest)
    assert got.status is (TargetStatus.OPEN if fill is None else TargetStatus.FILLED)
    with pytest.raises(ValueError):
        decode_target(oid, contents[:-3], current_epoch=gen)


def test_the_wrong_chain_is_refused_before_signing(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net = b.network
            net.env = type(net.env)(**{**net.env.__dict__, "key": "localnet"})
            b.chain.chain_identifier = "testnet"
            assert await net.health() is False and "not localnet" in net.last_error
            with pytest.raises(NetworkUnavailable, match="Nothing was sent"):
                await net.transfer_coin(demo_signer(), "0x" + "ab" * 32, 10**9)
            assert "transfer_coin" not in b.chain.calls
            b.chain.chain_identifier = "localnet"
            now = await net.identity()
            assert now[0] == "localnet"
            assert "reset" in SdkNetwork.reset_warning(("localnet", now[1] + 40), now)
            assert SdkNetwork.reset_warning(("localnet", now[1]), now) == ""
    run(scenario())


@pytest.mark.parametrize("name", ["ExecutionCancelledDueToSharedObjectCongestion", "TargetAlreadyClaimed",
                                  "ModelNotPending", "InsufficientGas", "TargetNotOpen"])
def test_chain_error_names_have_plain_messages(name):
    assert name in CHAIN_ERRORS
    text = describe_error(TransactionFailed(name))
    assert "rejected the transaction" not in text


def test_congestion_is_retryable():
    from soma_desktop.network.messages import RETRYABLE_CHAIN_ERRORS

    assert "ExecutionCancelledDueToSharedObjectCongestion" in RETRYABLE_CHAIN_ERRORS
    assert "try again" in describe_error(TransactionFailed("ExecutionCancelledDueToSharedObjectCongestion")).lower()


def test_a_congestion_cancel_is_sent_once_more(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            b.chain.faults["transfer_coin"] = fake_sdk.CONGESTED
            result = await b.network.transfer_coin(demo_signer(), "0x" + "ab" * 32, 10**9)
            assert result.digest and b.chain.calls.count("transfer_coin") == 2
            assert await b.network.get_balance("0x" + "ab" * 32) == 10**9
    run(scenario())
