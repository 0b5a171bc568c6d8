"""For every transaction kind and random inputs, the fee the previews show (protocol.fees, from the live
SystemState, exactly as the UI computes it) equals the fee the real sandbox charges:
balance before − balance after − amount moved out of (or + amount paid into) the sender's coins.

Amounts reach 10^16 shannons (the total supply) and value_fee_bps is random in 1..50 (the chain's range).
Coins beyond the demo accounts are minted straight into the store (test-only; the supply audit is not the
point here).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soma_desktop.network import types as t
from soma_desktop.network.sandbox import SandboxChain, SandboxConfig
from soma_desktop.network.sandbox.params import SOMA
from soma_desktop.protocol.fees import ChainTx, FeeParams, claim_fee, estimate_fee, pay_writes, submit_writes
from soma_desktop.protocol.staking import rewards_to_date
from soma_desktop.protocol.targets import can_fund, claim_split, submission_bond
from tests.sandbox.helpers import DEMO, DIM, FakeClock, addr, commit_spec, embedding, mint, set_value_fee

MAX_AMOUNT = 10**16
amounts = st.integers(1, MAX_AMOUNT)
spare = st.integers(0, 10**12)          # left on the gas coin after the fee (0: the coin is used up and deleted)


class Case:
    """One chain, a fresh sender, and the rate pinned before the measured transaction."""

    def __init__(self, chain: SandboxChain, data: st.DataObject):
        self.chain, self.data = chain, data
        self.sender = addr(f"sender-{data.draw(st.integers(0, 2**32), label='sender')}")

    def pin(self) -> FeeParams:
        set_value_fee(self.chain, self.data.draw(st.integers(1, 50), label="value_fee_bps"))
        return FeeParams.from_state(self.chain.system_state())

    def fund(self, need: int) -> None:
        mint(self.chain, self.sender, need + self.data.draw(spare, label="spare"))

    def charged(self, send: Callable[[], t.TxResult], moved: int | Callable[[], int] = 0) -> tuple[int, int]:
        before = self.chain.get_balance(self.sender)
        result = send()
        out = moved() if callable(moved) else moved
        charged = before - self.chain.get_balance(self.sender) - out
        assert charged == result.fee
        return charged, result.fee

    def advance(self, epochs: int = 1) -> None:
        for _ in range(epochs):
            self.chain.advance_epoch()

    def model(self, *, active: bool) -> str:
        """A model of the sender's: Created, or revealed (Active)."""
        self.fund(SOMA + 10**8)
        model_id = self.chain.create_model(self.sender, SOMA, 100).model_id
        if active:
            key = bytes([7]) * 32
            emb = embedding(3)
            self.chain.commit_model(self.sender, commit_spec(model_id, emb, key))
            self.advance()
            self.chain.reveal_model(self.sender, model_id, key, emb.tolist())
        return model_id


def transfer(c: Case) -> tuple[int, int]:
    params = c.pin()
    amount = c.data.draw(amounts, label="amount")
    preview = estimate_fee(ChainTx.TRANSFER_COIN, params, amount).total
    c.fund(amount + preview)
    return preview, c.charged(lambda: c.chain.transfer_coin(c.sender, addr("to"), amount), amount)[0]


def pay(c: Case) -> tuple[int, int]:
    params = c.pin()
    values = c.data.draw(st.lists(st.integers(1, MAX_AMOUNT // 4), min_size=1, max_size=4), label="amounts")
    preview = estimate_fee(ChainTx.PAY_COINS, params, sum(values), writes=pay_writes(len(values))).total
    c.fund(sum(values) + preview)
    recipients = [addr(f"r{i}") for i in range(len(values))]
    return preview, c.charged(lambda: c.chain.pay_coins(c.sender, recipients, values), sum(values))[0]


def merge(c: Case) -> tuple[int, int]:
    balances = c.data.draw(st.lists(st.integers(10**4, MAX_AMOUNT), min_size=2, max_size=5), label="coins")
    for balance in balances:
        mint(c.chain, c.sender, balance)
    params = c.pin()
    preview = estimate_fee(ChainTx.MERGE_COINS, params, min(balances)).total    # the smallest coin's balance
    return preview, c.charged(lambda: c.chain.merge_coins(c.sender))[0]


def add_stake(c: Case) -> tuple[int, int]:
    params = c.pin()
    amount = c.data.draw(amounts, label="amount")
    preview = estimate_fee(ChainTx.ADD_STAKE, params, amount).total
    c.fund(amount + preview)
    validator = c.chain.get_validators()[c.data.draw(st.integers(0, 3), label="validator")].address
    return preview, c.charged(lambda: c.chain.add_stake(c.sender, validator, amount), amount)[0]


def withdraw_stake(c: Case) -> tuple[int, int]:
    amount = c.data.draw(amounts, label="amount")
    c.fund(amount + amount // 100 + 10**6)
    validator = c.chain.get_validators()[0]
    c.chain.add_stake(c.sender, validator.address, amount)
    c.advance(c.data.draw(st.integers(0, 3), label="epochs"))          # 0: still activating
    params = c.pin()
    stake = c.chain.list_staked_soma(c.sender)[0]
    pool = next(v.pool for v in c.chain.get_validators() if v.pool.id == stake.pool_id)
    payout = stake.principal + rewards_to_date(stake.principal, stake.activation_epoch, pool.exchange_rates,
                                               pool.activation_epoch, pool.deactivation_epoch, pool.rewards_pool,
                                               c.chain.system_state().epoch)
    preview = estimate_fee(ChainTx.WITHDRAW_STAKE, params, stake.principal).total
    return preview, c.charged(lambda: c.chain.withdraw_stake(c.sender, stake.id), -payout)[0]


def create_model(c: Case) -> tuple[int, int]:
    params = c.pin()
    stake = c.data.draw(st.integers(SOMA, MAX_AMOUNT), label="stake")
    preview = estimate_fee(ChainTx.CREATE_MODEL, params, stake).total
    c.fund(stake + preview)
    return preview, c.charged(lambda: c.chain.create_model(c.sender, stake, 0), stake)[0]


def add_stake_to_model(c: Case) -> tuple[int, int]:
    model_id = c.chain.create_model(DEMO, SOMA, 0).model_id
    params = c.pin()
    amount = c.data.draw(amounts, label="amount")
    preview = estimate_fee(ChainTx.ADD_STAKE_TO_MODEL, params, amount).total
    c.fund(amount + preview)
    return preview, c.charged(lambda: c.chain.add_stake_to_model(c.sender, model_id, amount), amount)[0]


def commit_model(c: Case) -> tuple[int, int]:
    model_id = c.model(active=False)
    params = c.pin()
    spec = commit_spec(model_id, embedding(3), bytes(32))
    return estimate_fee(ChainTx.COMMIT_MODEL, params).total, c.charged(lambda: c.chain.commit_model(c.sender,
                                                                                                     spec))[0]


def reveal_model(c: Case) -> tuple[int, int]:
    c.fund(SOMA + 10**8)
    model_id = c.chain.create_model(c.sender, SOMA, 100).model_id
    key, emb = bytes([9]) * 32, embedding(5)
    c.chain.commit_model(c.sender, commit_spec(model_id, emb, key))
    c.advance()
    params = c.pin()
    preview = estimate_fee(ChainTx.REVEAL_MODEL, params).total
    return preview, c.charged(lambda: c.chain.reveal_model(c.sender, model_id, key, emb.tolist()))[0]


def set_commission(c: Case) -> tuple[int, int]:
    model_id = c.model(active=True)
    params = c.pin()
    rate = c.data.draw(st.integers(0, 10_000), label="rate")
    preview = estimate_fee(ChainTx.SET_MODEL_COMMISSION_RATE, params).total
    return preview, c.charged(lambda: c.chain.set_model_commission_rate(c.sender, model_id, rate))[0]


def deactivate(c: Case) -> tuple[int, int]:
    model_id = c.model(active=True)
    params = c.pin()
    preview = estimate_fee(ChainTx.DEACTIVATE_MODEL, params).total
    return preview, c.charged(lambda: c.chain.deactivate_model(c.sender, model_id))[0]


def _submit_spec(target: t.Target, size: int) -> t.SubmitSpec:
    manifest = t.Manifest(url="https://example.org/d", checksum=bytes(32), size=size)
    return t.SubmitSpec(target.id, manifest, target.model_ids[0], tuple([0.1] * DIM), 0.5, (2.0,))


def submit_data(c: Case) -> tuple[int, int]:
    if c.data.draw(st.booleans(), label="later epoch"):
        c.advance()                                                    # targets of the 12,685,185 rule
    params = c.pin()
    target = c.chain.list_targets(status=t.TargetStatus.OPEN, limit=1).targets[0]
    size = c.data.draw(st.integers(1, 1_048_576), label="size")
    state = c.chain.system_state()
    spawns = can_fund(state.emission_balance, state.targets_generated_this_epoch, state.reward_per_target)
    preview = estimate_fee(ChainTx.SUBMIT_DATA, params, writes=submit_writes(spawns)).total
    c.fund(submission_bond(size) + preview)
    return preview, c.charged(lambda: c.chain.submit_data(c.sender, _submit_spec(target, size)),
                              submission_bond(size))[0]


def claim_rewards(c: Case) -> tuple[int, int]:
    target = c.chain.list_targets(status=t.TargetStatus.OPEN, limit=1).targets[0]
    filled = c.data.draw(st.booleans(), label="filled")
    bond = 0
    if filled:
        submitter = addr("submitter")
        size = c.data.draw(st.integers(1, 1_048_576), label="size")
        mint(c.chain, submitter, submission_bond(size) + 10**6)
        c.chain.submit_data(submitter, _submit_spec(target, size))
        bond = submission_bond(size)
    c.advance(2 if filled else 1)
    params = c.pin()
    split = claim_split(target.reward_pool, filled=filled, bond=bond)
    preview = claim_fee(params, split).total
    c.fund(preview)
    return preview, c.charged(lambda: c.chain.claim_rewards(c.sender, target.id), -split.claimer)[0]


SCENARIOS: dict[ChainTx, Callable[[Case], tuple[int, int]]] = {
    ChainTx.TRANSFER_COIN: transfer, ChainTx.PAY_COINS: pay, ChainTx.MERGE_COINS: merge,
    ChainTx.ADD_STAKE: add_stake, ChainTx.WITHDRAW_STAKE: withdraw_stake, ChainTx.CREATE_MODEL: create_model,
    ChainTx.COMMIT_MODEL: commit_model, ChainTx.REVEAL_MODEL: reveal_model,
    ChainTx.ADD_STAKE_TO_MODEL: add_stake_to_model, ChainTx.SET_MODEL_COMMISSION_RATE: set_commission,
    ChainTx.DEACTIVATE_MODEL: deactivate, ChainTx.SUBMIT_DATA: submit_data, ChainTx.CLAIM_REWARDS: claim_rewards,
}


def test_every_kind_has_a_scenario():
    assert set(SCENARIOS) == set(ChainTx)


@pytest.mark.parametrize("kind", list(ChainTx), ids=lambda k: k.value)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_preview_fee_equals_the_fee_the_sandbox_charges(kind, data):
    with tempfile.TemporaryDirectory() as directory:
        chain = SandboxChain(Path(directory) / "c.db", SandboxConfig(embedding_dim=DIM, timed=False,
                                                                      clock=FakeClock()))
        try:
            preview, charged = SCENARIOS[kind](Case(chain, data))
            assert preview == charged
        finally:
            chain.close()
