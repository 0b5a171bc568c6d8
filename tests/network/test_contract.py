"""One scenario suite, run against the sandbox directly and against SdkNetwork over the fake SomaClient.

Both backends end in the same sandbox rules, so every difference a test sees comes from the SDK path:
argument conversion, float amounts, result decoding and error classification.
"""

from __future__ import annotations

import hashlib
import os

import pytest

from soma_desktop.core.crypto import encrypt_file, f32_bytes, f32_round, new_weights_key
from soma_desktop.network.base import list_all_targets
from soma_desktop.network.errors import InvalidInput, TransactionFailed
from soma_desktop.network.types import CommitSpec, Manifest, ModelState, TargetStatus
from tests.network.conftest import demo_signer, fresh_signer, open_backend, run

SOMA = 1_000_000_000


def test_faucet_transfer_stake_withdraw(backend_kind, tmp_path):
    async def scenario():
        async with open_backend(backend_kind, tmp_path) as backend:
            net, demo, alice = backend.network, demo_signer(), fresh_signer()
            assert await net.get_balance(alice.address) == 0

            faucet = await net.request_faucet(alice.address)
            assert len(faucet.created) == 1
            assert await net.get_balance(alice.address) == 2 * SOMA

            # 1.001 SOMA is the amount soma-sdk's float truncation turns into 1.000999999 (sdk.md §3).
            sent = 1_001_000_000
            before = await net.get_balance(demo.address)
            tx = await net.transfer_coin(demo, alice.address, sent)
            assert tx.fee > 0 and tx.digest
            assert await net.get_balance(alice.address) == 2 * SOMA + sent
            assert await net.get_balance(demo.address) == before - sent - tx.fee
            coins = await net.list_coins(alice.address)
            assert sorted(c.balance for c in coins) == [sent, 2 * SOMA]
            assert all(c.owner == alice.address for c in coins)

            validator = (await net.get_validators())[0]
            stake = await net.add_stake(alice, validator.address, 1_500_000_001)
            staked = await net.list_staked_soma(alice.address)
            assert [(s.pool_id, s.principal) for s in staked] == [(validator.pool.id, 1_500_000_001)]
            epoch = (await net.get_system_state()).epoch
            assert staked[0].activation_epoch == epoch + 1
            assert await net.get_balance(alice.address) == 2 * SOMA + sent - 1_500_000_001 - stake.fee

            state = await net.advance_epoch()
            assert state.epoch == epoch + 1
            balance = await net.get_balance(alice.address)
            withdraw = await net.withdraw_stake(alice, staked[0].id)
            assert await net.list_staked_soma(alice.address) == []
            # No reward accrues before activation, so exactly the principal comes back.
            assert await net.get_balance(alice.address) == balance + 1_500_000_001 - withdraw.fee
    run(scenario())


def test_pay_and_merge_coins(backend_kind, tmp_path):
    async def scenario():
        async with open_backend(backend_kind, tmp_path) as backend:
            net, demo, bob, carol = backend.network, demo_signer(), fresh_signer(), fresh_signer()
            await net.pay_coins(demo, [bob.address, carol.address], [3 * SOMA + 7, 1])
            assert await net.get_balance(bob.address) == 3 * SOMA + 7
            assert await net.get_balance(carol.address) == 1
            with pytest.raises(InvalidInput):
                await net.merge_coins(bob)                 # one coin: nothing to merge, nothing sent
            await net.transfer_coin(demo, bob.address, SOMA)
            merged = await net.merge_coins(bob)
            coins = await net.list_coins(bob.address)
            # the SDK's merge sends the smallest coin to self and merges the others as gas: two coins remain
            # (sdk/src/lib.rs:737-743, protocol.md Erratum 4)
            assert sorted(c.balance for c in coins) == [SOMA, 3 * SOMA + 7 - merged.fee]
    run(scenario())


def _commit_spec(tmp_path, model_id: str, dim: int, *, seed: bytes | None = None
                 ) -> tuple[CommitSpec, bytes, tuple[float, ...]]:
    """Encrypted weights on disk and the matching spec; random unless `seed` makes it reproducible."""
    plain = tmp_path / "weights.safetensors"
    plain.write_bytes(os.urandom(4096) if seed is None else hashlib.shake_256(seed).digest(4096))
    key = new_weights_key() if seed is None else hashlib.blake2b(seed, digest_size=32).digest()
    encrypted = encrypt_file(plain, tmp_path / "weights.enc", key)
    embedding = f32_round([((i * 37) % 101) / 101.0 - 0.5 for i in range(dim)])
    manifest = Manifest("https://weights.example.org/m1.enc", encrypted.checksum, encrypted.size)
    spec = CommitSpec(model_id, manifest, str(encrypted.path), key, f32_bytes(embedding))
    return spec, key, embedding


def test_create_commit_reveal(backend_kind, tmp_path):
    async def scenario():
        async with open_backend(backend_kind, tmp_path) as backend:
            net, demo = backend.network, demo_signer()
            state = await net.get_system_state()
            created = await net.create_model(demo, 2 * SOMA, 1_000)
            model_id = created.model_id
            assert model_id and model_id.startswith("0x") and len(model_id) == 66
            info = await net.get_model(model_id)
            assert (info.state, info.owner, info.stake, info.commission_rate) == (
                ModelState.CREATED, demo.address, 2 * SOMA, 1_000)
            assert info.create_epoch == state.epoch

            spec, key, embedding = _commit_spec(tmp_path, model_id, state.target_embedding_dim)
            await net.commit_model(demo, spec)
            pending = await net.get_model(model_id)
            assert pending.state is ModelState.PENDING
            assert pending.manifest == spec.manifest
            assert pending.commit_epoch == state.epoch

            with pytest.raises(TransactionFailed) as wrong_epoch:
                await net.reveal_model(demo, model_id, key, embedding)
            assert wrong_epoch.value.error_name == "ModelRevealEpochMismatch"

            await net.advance_epoch()
            await net.reveal_model(demo, model_id, key, embedding)
            active = await net.get_model(model_id)
            assert active.state is ModelState.ACTIVE
            assert active.decryption_key == key and active.embedding == embedding
            assert model_id in {m.id for m in await net.list_models() if m.state is ModelState.ACTIVE}

            await net.set_model_commission_rate(demo, model_id, 500)
            assert (await net.get_model(model_id)).next_commission_rate == 500
            await net.deactivate_model(demo, model_id)
            assert (await net.get_model(model_id)).state is ModelState.INACTIVE
    run(scenario())


def test_model_errors(backend_kind, tmp_path):
    async def scenario():
        async with open_backend(backend_kind, tmp_path) as backend:
            net, demo, stranger = backend.network, demo_signer(), fresh_signer()
            with pytest.raises(TransactionFailed) as low:
                await net.create_model(demo, SOMA // 2, 0)
            assert low.value.error_name == "ModelMinStakeNotMet"
            with pytest.raises(TransactionFailed) as high:
                await net.create_model(demo, SOMA, 10_001)
            assert high.value.error_name == "ModelCommissionRateTooHigh"
            model_id = (await net.create_model(demo, SOMA, 0)).model_id
            await net.transfer_coin(demo, stranger.address, 2 * SOMA)
            with pytest.raises(TransactionFailed) as not_owner:
                await net.deactivate_model(stranger, model_id)
            assert not_owner.value.error_name in ("ModelNotActive", "NotModelOwner")
            with pytest.raises(InvalidInput):
                await net.get_model("0x" + "ab" * 32)
    run(scenario())


def test_wallet_errors(backend_kind, tmp_path):
    async def scenario():
        async with open_backend(backend_kind, tmp_path) as backend:
            net, demo, poor = backend.network, demo_signer(), fresh_signer()
            await net.request_faucet(poor.address)
            with pytest.raises(TransactionFailed) as broke:
                await net.transfer_coin(poor, demo.address, 3 * SOMA)
            assert broke.value.error_name == "InsufficientCoinBalance"
            # Execution failures still charge the base fee (the chain's rule), on both paths.
            assert await net.get_balance(poor.address) == 2 * SOMA - (await net.get_system_state()).base_fee
            with pytest.raises(InvalidInput):
                await net.transfer_coin(demo, "not-an-address", SOMA)
            with pytest.raises(InvalidInput):
                await net.get_balance("0xZZ")
            with pytest.raises(InvalidInput):
                await net.transfer_coin(fresh_signer(), demo.address, SOMA)      # no coin for gas
    run(scenario())


def test_targets_paging_and_status(backend_kind, tmp_path):
    async def scenario():
        async with open_backend(backend_kind, tmp_path) as backend:
            net = backend.network
            everything = await list_all_targets(net)
            assert len(everything) == 100 and len({x.id for x in everything}) == 100
            assert {x.status for x in everything} == {TargetStatus.OPEN}

            paged, token = [], None
            while True:
                page = await net.list_targets(None, token, 7)
                assert len(page.targets) <= 7
                paged.extend(page.targets)
                token = page.next_page_token
                if not token:
                    break
            assert sorted(x.id for x in paged) == sorted(x.id for x in everything)

            sample = everything[42]
            fetched = await net.get_target(sample.id)
            assert (fetched.id, fetched.model_ids, fetched.reward_pool, fetched.generation_epoch) == (
                sample.id, sample.model_ids, sample.reward_pool, sample.generation_epoch)
            assert len(fetched.embedding) == (await net.get_system_state()).target_embedding_dim

            await net.advance_epoch()
            expired = await list_all_targets(net, TargetStatus.EXPIRED)
            assert {x.id for x in expired} == {x.id for x in everything}
            assert {x.status for x in expired} == {TargetStatus.EXPIRED}
            claimable = await list_all_targets(net, TargetStatus.CLAIMABLE)
            assert {x.id for x in claimable} == {x.id for x in expired}           # expired targets are claimable
            fresh = await list_all_targets(net, TargetStatus.OPEN)
            assert fresh and not {x.id for x in fresh} & {x.id for x in everything}
            both = await list_all_targets(net)
            assert {x.id for x in both} == {x.id for x in expired} | {x.id for x in fresh}
            with pytest.raises(InvalidInput):
                await net.get_target("0x" + "cd" * 32)

            # Anyone may claim an expired, never-filled target. The chain keeps it with status Claimed
            # (types/src/target.rs); the sandbox deletes it (deviation D1).
            claimer = demo_signer()
            before = await net.get_balance(claimer.address)
            claim = await net.claim_rewards(claimer, expired[0].id)
            assert await net.get_balance(claimer.address) > before - claim.fee
            with pytest.raises(TransactionFailed) as again:
                await net.claim_rewards(claimer, expired[0].id)
            if backend_kind == "sandbox":
                with pytest.raises(InvalidInput):
                    await net.get_target(expired[0].id)
                assert again.value.error_name == "ObjectNotFound"
            else:
                assert (await net.get_target(expired[0].id)).status is TargetStatus.CLAIMED
                claimed = await list_all_targets(net, TargetStatus.CLAIMED)
                assert [x.id for x in claimed] == [expired[0].id]
                assert expired[0].id in {x.id for x in await list_all_targets(net)}
                assert again.value.error_name == "TargetAlreadyClaimed"
    run(scenario())


def _deterministic_signer(tag: int):
    from soma_sdk import Keypair

    from tests.network.conftest import signer_from_keypair
    return signer_from_keypair(Keypair.from_secret_key(bytes([tag]) * 32))


async def _transcript(kind: str, tmp_path) -> dict:
    """Everything the UI reads after a fixed scenario, minus fields soma-sdk cannot expose."""
    import dataclasses

    async with open_backend(kind, tmp_path / kind) as backend:
        net, demo, alice = backend.network, demo_signer(), _deterministic_signer(7)
        await net.request_faucet(alice.address)
        await net.transfer_coin(demo, alice.address, 5 * SOMA + 3)
        validator = (await net.get_validators())[1]
        await net.add_stake(alice, validator.address, 2 * SOMA)
        dim = (await net.get_system_state()).target_embedding_dim
        (tmp_path / kind / "a").mkdir()
        (tmp_path / kind / "b").mkdir()
        (tmp_path / kind / "c").mkdir()
        model_a = (await net.create_model(demo, SOMA, 300)).model_id          # ends Active with an update
        model_d = (await net.create_model(demo, 2 * SOMA, 0)).model_id        # ends Inactive
        spec_a, key_a, emb_a = _commit_spec(tmp_path / kind / "a", model_a, dim, seed=b"a")
        spec_d, key_d, emb_d = _commit_spec(tmp_path / kind / "b", model_d, dim, seed=b"d")
        await net.commit_model(demo, spec_a)
        await net.commit_model(demo, spec_d)
        await net.advance_epoch()
        await net.reveal_model(demo, model_a, key_a, emb_a)
        await net.reveal_model(demo, model_d, key_d, emb_d)
        await net.add_stake_to_model(alice, model_a, SOMA)
        await net.deactivate_model(demo, model_d)
        await net.advance_epoch()
        update, _, _ = _commit_spec(tmp_path / kind / "c", model_a, dim, seed=b"a2")
        await net.commit_model(demo, update)                                 # pending update on model A
        model_b = (await net.create_model(demo, SOMA, 10)).model_id           # ends Pending
        spec_b, _, _ = _commit_spec(tmp_path / kind, model_b, dim, seed=b"b")
        await net.commit_model(demo, spec_b)
        await net.create_model(demo, SOMA, 20)                                # ends Created

        def model_view(m):
            # On chain only Created carries create_epoch and only Pending carries commit_epoch (protocol.md §3.1).
            return dataclasses.replace(
                m, title=None, create_epoch=m.create_epoch if m.state is ModelState.CREATED else 0,
                commit_epoch=m.commit_epoch if m.state is ModelState.PENDING else None)

        def target_view(x):
            return dataclasses.replace(x, fill_epoch=None, winning_model_owner=None, data_manifest=None,
                                       winning_distance=None, winning_loss=None)
        state = dataclasses.replace(await net.get_system_state(), chain="", epoch_start_ms=0, timed_epochs=True)
        return {
            "state": state,
            "validators": [dataclasses.replace(v, name="") for v in await net.get_validators()],
            "models": sorted((model_view(m) for m in await net.list_models()), key=lambda m: m.id),
            "targets": sorted((target_view(x) for x in await list_all_targets(net)), key=lambda x: x.id),
            "coins": sorted(await net.list_coins(alice.address), key=lambda c: c.id),
            "staked": sorted(await net.list_staked_soma(alice.address), key=lambda s: s.id),
            "demo_balance": await net.get_balance(demo.address),
            "states": sorted(m.state.value for m in await net.list_models()),
        }


def test_both_backends_read_the_same_chain(tmp_path):
    """The same scenario through both backends reads back identically, field by field."""
    async def both():
        for kind in ("sandbox", "sdk-fake"):
            (tmp_path / kind).mkdir()
        return await _transcript("sandbox", tmp_path), await _transcript("sdk-fake", tmp_path)
    direct, via_sdk = run(both())
    for key in direct:
        assert via_sdk[key] == direct[key], key
