"""Every malformed argument raises InvalidInput naming the problem, and nothing changes."""

from __future__ import annotations

import pytest

from soma_desktop.core.crypto import blake2b256
from soma_desktop.network import types as t
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sandbox.params import SOMA
from tests.sandbox.helpers import DEMO, DIM, addr, create_model, snapshot

BOB = addr("bob")
GOOD_MANIFEST = t.Manifest("https://example.org/w", blake2b256(b"w"), 10)


def _spec(model_id, **kw):
    fields = dict(model_id=model_id, manifest=GOOD_MANIFEST, encrypted_path="", decryption_key=bytes(32),
                  embedding_f32=bytes(4 * DIM))
    fields.update(kw)
    return t.CommitSpec(**fields)


def _submit(target_id, **kw):
    fields = dict(target_id=target_id, data_manifest=GOOD_MANIFEST, model_id=addr("m"),
                  embedding=tuple([0.0] * DIM), distance_score=0.5, loss_score=(1.0,))
    fields.update(kw)
    return t.SubmitSpec(**fields)


def cases(chain):
    model_id = create_model(chain)
    target_id = chain.list_targets(limit=1).targets[0].id
    v = chain.get_validators()[0].address
    return [
        ("address", lambda: chain.get_balance("hello")),
        ("address", lambda: chain.list_coins(123)),
        ("recipient", lambda: chain.transfer_coin(DEMO, "0x" + "g" * 64, 1)),
        ("recipient", lambda: chain.transfer_coin(DEMO, "0x" + "1" * 65, 1)),
        ("signer.address", lambda: chain.transfer_coin(None, BOB, 1)),
        ("amount", lambda: chain.transfer_coin(DEMO, BOB, 0)),
        ("amount", lambda: chain.transfer_coin(DEMO, BOB, -1)),
        ("amount", lambda: chain.transfer_coin(DEMO, BOB, 1.0)),
        ("amount", lambda: chain.transfer_coin(DEMO, BOB, True)),
        ("amount", lambda: chain.transfer_coin(DEMO, BOB, 2**64)),
        ("amounts", lambda: chain.pay_coins(DEMO, [BOB], [1, 2])),
        ("amounts", lambda: chain.pay_coins(DEMO, [], [])),
        ("recipients", lambda: chain.pay_coins(DEMO, BOB, [1])),
        ("amounts[1]", lambda: chain.pay_coins(DEMO, [BOB, BOB], [1, "2"])),
        ("signer", lambda: chain.merge_coins(BOB)),
        ("validator", lambda: chain.add_stake(DEMO, "validator-1", SOMA)),
        ("amount", lambda: chain.add_stake(DEMO, v, -SOMA)),
        ("staked_soma_id", lambda: chain.withdraw_stake(DEMO, "")),
        ("model_id", lambda: chain.add_stake_to_model(DEMO, "model", SOMA)),
        ("stake_amount", lambda: chain.create_model(DEMO, "1", 10)),
        ("commission_rate", lambda: chain.create_model(DEMO, SOMA, -1)),
        ("spec", lambda: chain.commit_model(DEMO, {"model_id": model_id})),
        ("spec.model_id", lambda: chain.commit_model(DEMO, _spec("zz"))),
        ("spec.manifest", lambda: chain.commit_model(DEMO, _spec(model_id, manifest=None))),
        ("spec.manifest", lambda: chain.commit_model(DEMO, _spec(model_id, manifest=t.Manifest("", bytes(32), 1)))),
        ("spec.manifest", lambda: chain.commit_model(DEMO, _spec(model_id, manifest=t.Manifest("u", b"x", 1)))),
        ("spec.manifest.size", lambda: chain.commit_model(
            DEMO, _spec(model_id, manifest=t.Manifest("u", bytes(32), -1)))),
        ("spec.decryption_key", lambda: chain.commit_model(DEMO, _spec(model_id, decryption_key=bytes(31)))),
        ("spec.embedding_f32", lambda: chain.commit_model(DEMO, _spec(model_id, embedding_f32=bytes(4 * DIM + 4)))),
        ("spec.embedding_f32", lambda: chain.commit_model(
            DEMO, _spec(model_id, embedding_f32=b"\x00\x00\xc0\x7f" * DIM))),          # NaN
        ("decryption_key", lambda: chain.reveal_model(DEMO, model_id, "key", [0.0] * DIM)),
        ("embedding", lambda: chain.reveal_model(DEMO, model_id, bytes(32), [0.0] * (DIM - 1))),
        ("embedding", lambda: chain.reveal_model(DEMO, model_id, bytes(32), [float("inf")] * DIM)),
        ("embedding", lambda: chain.reveal_model(DEMO, model_id, bytes(32), "abc")),
        ("new_rate", lambda: chain.set_model_commission_rate(DEMO, model_id, None)),
        ("model_id", lambda: chain.deactivate_model(DEMO, None)),
        ("spec", lambda: chain.submit_data(DEMO, None)),
        ("spec.target_id", lambda: chain.submit_data(DEMO, _submit("nope"))),
        ("spec.distance_score", lambda: chain.submit_data(DEMO, _submit(target_id, distance_score=float("nan")))),
        ("spec.loss_score", lambda: chain.submit_data(DEMO, _submit(target_id, loss_score=(float("inf"),)))),
        ("spec.embedding", lambda: chain.submit_data(DEMO, _submit(target_id, embedding="abc"))),
        ("spec.data_manifest", lambda: chain.submit_data(DEMO, _submit(target_id, data_manifest="url"))),
        ("target_id", lambda: chain.claim_rewards(DEMO, "0xzz")),
        ("target_id", lambda: chain.get_target(addr("missing"))),
        ("model_id", lambda: chain.get_model(addr("missing"))),
        ("digest", lambda: chain.get_transaction("nope")),
        ("limit", lambda: chain.list_targets(limit="10")),
        ("limit", lambda: chain.list_transactions(limit=0)),
        ("address", lambda: chain.list_transactions(address="me")),
    ]


def test_every_malformed_argument_is_typed_and_changes_nothing(chain):
    for field, call in cases(chain):
        before = snapshot(chain)
        with pytest.raises(InvalidInput) as info:
            call()
        assert snapshot(chain) == before, field
        assert info.value.field == field, (field, info.value.field, str(info.value))
        assert str(info.value), field
