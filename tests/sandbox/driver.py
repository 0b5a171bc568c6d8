"""Random transaction driver shared by the property tests and the crash-consistency worker."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from soma_desktop.core.crypto import blake2b256
from soma_desktop.network import types as t
from soma_desktop.network.errors import InvalidInput, TransactionFailed
from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS, SandboxChain
from soma_desktop.network.sandbox.params import SOMA

OPS = ("transfer", "pay", "merge", "faucet", "add_stake", "withdraw", "create", "commit", "reveal",
       "stake_model", "deactivate", "commission", "submit", "claim", "advance", "bad_input")


def account(i: int) -> str:
    return SANDBOX_DEMO_ADDRESS if i == 0 else "0x" + blake2b256(f"driver-account-{i}".encode()).hex()


ACCOUNTS = [account(i) for i in range(3)]


@dataclass
class Memory:
    """What the driver remembers to make later transactions plausible."""
    commits: dict[str, tuple[bytes, list[float]]] = field(default_factory=dict)


def amount_of(raw: int) -> int:
    """Mix tiny, normal and impossible amounts."""
    choices = (0, 1, 999, SOMA // 2, SOMA, 3 * SOMA, 1_000 * SOMA, 10**18)
    return choices[raw % len(choices)] + (raw // len(choices)) % 1000


def run_op(chain: SandboxChain, memory: Memory, op: str, a: int, b: int, raw: int) -> str:
    """Run one operation; returns 'ok', 'failed' (charged), 'rejected' (fee 0) or 'invalid'."""
    try:
        _dispatch(chain, memory, op, a % 3, b, raw)
    except TransactionFailed as err:
        return "failed" if err.fee else "rejected"
    except InvalidInput:
        return "invalid"
    return "ok"


def _pick(items: list, b: int):
    return items[b % len(items)] if items else None


def _dispatch(chain: SandboxChain, memory: Memory, op: str, a: int, b: int, raw: int) -> None:
    sender = ACCOUNTS[a]
    dim = chain.store.system().embedding_dim
    amount = amount_of(raw)
    if op == "transfer":
        chain.transfer_coin(sender, ACCOUNTS[b % 3], amount)
    elif op == "pay":
        chain.pay_coins(sender, [ACCOUNTS[b % 3], ACCOUNTS[(b + 1) % 3]], [amount, amount_of(raw // 7)])
    elif op == "merge":
        chain.merge_coins(sender)
    elif op == "faucet":
        chain.faucet(sender)
    elif op == "add_stake":
        chain.add_stake(sender, chain.get_validators()[b % 4].address, amount)
    elif op == "withdraw":
        staked = _pick(chain.list_staked_soma(ACCOUNTS[b % 3]), raw)
        if staked:
            chain.withdraw_stake(sender, staked.id)
    elif op == "create":
        chain.create_model(sender, amount, raw % 12_000)
    elif op in ("commit", "reveal", "stake_model", "deactivate", "commission"):
        models = chain.list_models()
        if op == "reveal" and raw % 4:
            models = [m for m in models if m.id in memory.commits] or models
        model = _pick(models, b)
        if model is None:
            return
        if raw % 4 and model.owner in ACCOUNTS:
            sender = model.owner                  # mostly the owner, sometimes a stranger
        if op == "commit":
            key = blake2b256(raw.to_bytes(8, "little"))
            emb = np.random.default_rng(raw).normal(size=dim).astype(np.float32)
            manifest = t.Manifest("https://example.org/w", blake2b256(key), 100)
            chain.commit_model(sender, t.CommitSpec(model.id, manifest, "", key, emb.astype("<f4").tobytes()))
            memory.commits[model.id] = (key, emb.tolist())
        elif op == "reveal":
            key, emb = memory.commits.get(model.id, (bytes(32), [0.0] * dim))
            if raw % 5 == 0:
                key = bytes(32)
            chain.reveal_model(sender, model.id, key, emb)
        elif op == "stake_model":
            chain.add_stake_to_model(sender, model.id, amount)
        elif op == "deactivate":
            chain.deactivate_model(sender, model.id)
        else:
            chain.set_model_commission_rate(sender, model.id, raw % 12_000)
    elif op == "submit":
        target = _pick(chain.list_targets(limit=50).targets, b)
        if target is None:
            return
        model_id = target.model_ids[raw % len(target.model_ids)] if target.model_ids else ACCOUNTS[0]
        spec = t.SubmitSpec(target.id, t.Manifest("https://example.org/d", blake2b256(b"d"), raw % 2_000_000),
                            model_id, tuple([0.0] * (dim if raw % 7 else dim - 1)), (raw % 300) / 100.0, (1.0,))
        chain.submit_data(sender, spec)
    elif op == "claim":
        status = "claimable" if raw % 3 else None
        target = _pick(chain.list_targets(status=status, limit=50).targets, b)
        if target is not None:
            chain.claim_rewards(sender, target.id)
    elif op == "advance":
        if raw % 3 == 0:
            chain.advance_epoch()
    elif op == "bad_input":
        bad = (lambda: chain.transfer_coin(sender, "0xnothex", 1),
               lambda: chain.transfer_coin(sender, ACCOUNTS[1], -5),
               lambda: chain.add_stake(sender, chain.get_validators()[0].address, 1.5),  # type: ignore[arg-type]
               lambda: chain.reveal_model(sender, ACCOUNTS[1], b"short", [0.0]))
        bad[raw % len(bad)]()
