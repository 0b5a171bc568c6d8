"""Exact amounts across soma-sdk's float boundary, and decoding of SDK-shaped results."""

from __future__ import annotations

import struct
from types import SimpleNamespace as NS

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from soma_sdk import SomaClient

from soma_desktop.core.crypto import b58encode, f32_round
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sdk import decode
from soma_desktop.network.sdk.amounts import coin_balance, sdk_amount, sdk_truncate, staked_fields
from soma_desktop.network.types import ModelState, TargetStatus

EXACT_LIMIT = 2**52          # every amount below ~4.5M SOMA has a float that truncates back to it exactly


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=1, max_value=EXACT_LIMIT - 1))
def test_sdk_amount_round_trips_through_the_real_sdk(shannons):
    value = sdk_amount(shannons)
    assert SomaClient.to_shannons(value) == shannons == sdk_truncate(value)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=EXACT_LIMIT, max_value=2**64 - 1))
def test_large_amounts_are_exact_or_refused(shannons):
    try:
        value = sdk_amount(shannons)
    except InvalidInput:
        return
    assert SomaClient.to_shannons(value) == shannons


@pytest.mark.parametrize("bad", [0, -1, 2**64, 1.5, True, "5"])
def test_bad_amounts_are_refused_before_sending(bad):
    with pytest.raises(InvalidInput):
        sdk_amount(bad)


def test_to_shannons_vectors(vectors):
    data = vectors["to_shannons"]
    for case in data["cases"]:
        assert sdk_truncate(float(case["soma"])) == case["to_shannons"]
    for case in data["workaround"]:
        assert SomaClient.to_shannons(sdk_amount(case["shannons"])) == case["shannons"]


def test_object_contents():
    coin_id = bytes(range(32))
    assert coin_balance(coin_id + struct.pack("<Q", 1_001_000_000)) == 1_001_000_000
    pool = bytes([7]) * 32
    assert staked_fields(coin_id + pool + struct.pack("<QQ", 3, 5 * 10**9)) == ("0x" + pool.hex(), 3, 5 * 10**9)
    with pytest.raises(ValueError):
        coin_balance(coin_id)


# --- decoding ------------------------------------------------------------------------------------

def _tensor(values):
    raw = struct.pack(f"<{len(values)}f", *values)
    return NS(dtype=0, bytes=list(raw), shape=[len(values)])


def _pool(pid):
    return NS(id=pid, activation_epoch=0, deactivation_epoch=None, soma_balance=5, rewards_pool=0,
              pool_token_balance=5, exchange_rates={0: NS(soma_amount=5, pool_token_amount=5)}, pending_stake=0,
              pending_total_soma_withdraw=0, pending_pool_token_withdraw=0)


def _manifest(url, checksum):
    return NS(V1=NS(url=url, metadata=NS(V1=NS(checksum=b58encode(checksum), size=10))))


def test_decode_model_registry_every_state():
    owner = "ab" * 32
    c1, c2, c3 = bytes([1]) * 32, bytes([2]) * 32, bytes([3]) * 32
    common = dict(owner=owner, architecture_version=1, staking_pool=_pool("0x" + "01" * 32), commission_rate=10,
                  next_epoch_commission_rate=20)
    committed = dict(common, manifest=_manifest("https://w/1", c1), weights_commitment=b58encode(c1),
                     embedding_commitment=b58encode(c2), decryption_key_commitment=b58encode(c3))
    revealed = dict(committed, decryption_key=b58encode(c3), embedding=_tensor([0.1, -2.5]))
    models = {
        "0x" + "a1" * 32: NS(V1=NS(Created=NS(**common, create_epoch=4))),
        "0x" + "a2" * 32: NS(V1=NS(Pending=NS(**committed, commit_epoch=6))),
        "0x" + "a3" * 32: NS(V1=NS(Active=NS(**revealed, pending_update=NS(
            manifest=_manifest("https://w/2", c2), weights_commitment=b58encode(c2),
            embedding_commitment=b58encode(c1), decryption_key_commitment=b58encode(c1), commit_epoch=8)))),
        "0x" + "a4" * 32: NS(V1=NS(Inactive=NS(**revealed))),
    }
    state = NS(model_registry=NS(models=NS(**models), staking_pool_mappings=NS(), total_model_stake=0))
    decoded = {m.id: m for m in decode.models(state)}
    created, pending, active, inactive = (decoded["0x" + k * 32] for k in ("a1", "a2", "a3", "a4"))
    assert (created.state, created.create_epoch, created.manifest) == (ModelState.CREATED, 4, None)
    assert created.owner == "0x" + owner and created.pool.exchange_rates == {0: (5, 5)}
    assert (pending.state, pending.commit_epoch, pending.manifest.checksum) == (ModelState.PENDING, 6, c1)
    assert pending.embedding_commitment == c2 and pending.decryption_key is None
    assert active.embedding == f32_round([0.1, -2.5]) and active.decryption_key == c3
    assert active.pending_update.commit_epoch == 8 and active.pending_update.manifest.url == "https://w/2"
    assert inactive.state is ModelState.INACTIVE and inactive.pending_update is None


def test_decode_effects_targets_and_failures():
    created = "0x" + "cd" * 32
    effects = NS(V1=NS(status="Success", executed_epoch=3, transaction_digest="Dig",
                       transaction_fee=NS(base_fee=1000, operation_fee=600, value_fee=5, total_fee=1605),
                       changed_objects=[(created, NS(id_operation="Created")), ["0x01", NS(id_operation="None")]]))
    result = decode.effects(effects)
    assert (result.digest, result.fee, result.created, result.epoch) == ("Dig", 1605, (created,), 3)
    assert decode.execution_failure(effects) is None
    failed = NS(V1=NS(status=NS(Failure=NS(error=NS(TargetExpired=NS(generation_epoch=1, current_epoch=2))))))
    assert decode.execution_failure(failed) == "TargetExpired"

    def target(status, submitter=None):
        return NS(id="ab" * 32, status=status, embedding=[0.5], model_ids=["01"], distance_threshold=1.05,
                  reward_pool=7, generation_epoch=1, bond_amount=0, submitter=submitter, winning_model_id=None,
                  data_url=None)
    assert decode.target(target("open")).status is TargetStatus.OPEN
    assert decode.target(target("claimable")).status is TargetStatus.EXPIRED      # RPC label for expired
    assert decode.target(target("claimable", "ee" * 32)).status is TargetStatus.CLAIMABLE
    assert decode.target(target("filled", "ee" * 32)).model_ids == ("0x" + "0" * 62 + "01",)
    with pytest.raises(ValueError):
        decode.target(target("weird"))


def test_decode_rejects_shapes_it_does_not_know():
    with pytest.raises(ValueError):
        decode.model("0x01", NS(V1=NS(Retired=NS())))
    with pytest.raises(ValueError):
        decode.tensor_values(NS(dtype=3, bytes=[0, 0, 0, 0], shape=[1]))
    with pytest.raises(ValueError):
        decode.digest_bytes("1111")
    with pytest.raises(ValueError):
        decode.get(NS(), "missing")
