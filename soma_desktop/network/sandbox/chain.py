"""`SandboxChain`: the synchronous sandbox — argument checks, the transaction executor and read views.

Every chain transaction is ONE SQLite transaction (BEGIN IMMEDIATE … COMMIT), so a killed process leaves
either the state before or after it. Inside, the rule function runs under a SAVEPOINT:
- an InvalidInput (bad argument, found before "sending") rolls everything back: nothing changes;
- an input object that does not exist or is not the sender's is rejected before execution, like the
  chain's signing checks: TransactionFailed with fee 0, nothing changes;
- an execution failure (TransactionFailed with the chain's error name) rolls the savepoint back and
  charges only `base_fee` from the gas coin (the whole coin if it holds less), as the chain does (§6.3).
A gas coin left with 0 shannons is deleted, never listed (Erratum 3, `prepare_gas.rs:268-271`).
"""

from __future__ import annotations

import sqlite3
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from soma_desktop.core.crypto import b58encode, bcs_soma_tensor_from_f32, blake2b256, key_commitment
from soma_desktop.core.storage import open_db, transaction
from soma_desktop.network import types as t
from soma_desktop.network.errors import InvalidInput, TransactionFailed
from soma_desktop.network.sandbox import epochs, genesis, models, targets, validation, validators
from soma_desktop.network.sandbox.ledger import ChainError, TxContext, fail
from soma_desktop.network.sandbox.params import (
    BASE_FEE,
    DEFAULT_EPOCH_DURATION_MS,
    EMISSION_PER_EPOCH,
    FAUCET_AMOUNT,
    MAX_CATCH_UP_EPOCHS,
    MODEL_ARCHITECTURE_VERSION,
    MODEL_MIN_STAKE,
    PROTOCOL_VERSION,
    TARGET_PAGE_DEFAULT,
    TARGET_PAGE_MAX,
    TOTAL_SUPPLY,
    WRITE_OBJECT_FEE,
)
from soma_desktop.network.sandbox.records import Model, Pool, Target, f32_values
from soma_desktop.network.sandbox.store import SCHEMA_VERSION, CoinRow, Store
from soma_desktop.protocol import fees
from soma_desktop.protocol.fees import ChainTx

R = TypeVar("R")
Clock = Callable[[], int]


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox runs. `embedding_dim` applies at genesis and on reset (an existing chain keeps its
    dimension, see `SystemState.target_embedding_dim`); `epoch_duration_ms` applies on every open."""

    embedding_dim: int = 128                   # the demo architecture; 2048 = full V1
    epoch_duration_ms: int = DEFAULT_EPOCH_DURATION_MS
    timed: bool = True                         # epochs advance by wall clock once `start()` runs
    clock: Clock | None = None                 # ms since the Unix epoch; injectable for tests
    max_catch_up_epochs: int = MAX_CATCH_UP_EPOCHS


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class SandboxChain:
    def __init__(self, db_path: Path, config: SandboxConfig | None = None):
        self.config = config or SandboxConfig()
        if self.config.embedding_dim < 1 or self.config.epoch_duration_ms < 1:
            raise InvalidInput("embedding_dim and epoch_duration_ms must be positive")
        self.clock: Clock = self.config.clock or wall_clock_ms
        self.db_path = Path(db_path)
        self.conn: sqlite3.Connection = open_db(self.db_path)
        self.store = Store(self.conn)
        self.genesis_note = ""
        with transaction(self.conn):
            self.store.create_schema()
            if self.store.get_meta("system") is None:
                self._genesis()
            else:
                self.genesis_note = self.store.get_meta("genesis_note") or ""
                self._apply_epoch_duration()

    def _genesis(self) -> None:
        self.genesis_note = genesis.build_genesis(self.store, embedding_dim=self.config.embedding_dim,
                                                  epoch_duration_ms=self.config.epoch_duration_ms,
                                                  now_ms=self.clock())
        self.store.put_meta("schema_version", SCHEMA_VERSION)
        self.store.put_meta("genesis_note", self.genesis_note)

    def _apply_epoch_duration(self) -> None:
        """A changed epoch length takes effect on open (the dimension only at genesis: it shapes every object)."""
        system = self.store.system()
        if system.epoch_duration_ms != self.config.epoch_duration_ms:
            system.epoch_duration_ms = self.config.epoch_duration_ms
            self.store.put_system(system)

    def close(self) -> None:
        self.conn.close()

    def reset(self) -> None:
        """Wipe everything and write a fresh genesis (the UI asks the user first)."""
        with transaction(self.conn):
            self.store.wipe()
            self._genesis()

    # --- the executor -----------------------------------------------------------------------------
    def _digest(self, seq: int, kind: str, sender: str | None) -> bytes:
        return blake2b256(b"soma-sandbox-tx" + struct.pack("<Q", seq) + kind.encode() + (sender or "").encode())

    def _execute(self, kind: ChainTx, sender: str, body: Callable[[TxContext], R],
                 gas_payment: Sequence[CoinRow] | None = None) -> tuple[t.TxResult, R]:
        """Run one user transaction: gas coins merged, base fee first, the rule under a savepoint, then the rest
        of the fee. `gas_payment`: the gas coins, primary first (default: the richest coin, D1)."""
        with transaction(self.conn):
            coins = self.store.coins_of(sender)
            if not coins:
                raise InvalidInput("No coin to pay gas with: the account holds no SOMA", field="signer")
            gas = self._smash_gas(list(gas_payment) if gas_payment else [coins[0]])
            system = self.store.system()
            system.tx_seq += 1
            digest = self._digest(system.tx_seq, kind.value, sender)
            base = min(BASE_FEE, gas.balance)    # a coin below base_fee is taken whole (§6.3)
            gas_deleted = self._pay_from_gas(gas, base)
            system.fees_epoch += base
            self.store.put_system(system)
            ctx = TxContext(self.store, self.store.system(), digest, sender, gas.id, kind)
            out: R | None
            failure: ChainError | None
            if base < BASE_FEE:
                out, failure = None, ChainError("InsufficientGas", "the gas coin cannot pay the base fee")
            elif gas_deleted:
                out, failure = None, ChainError("ObjectNotFound", "the base fee used up the gas coin")
            else:
                out, failure = self._run_under_savepoint(ctx, body)
            text = b58encode(digest)
            log_kind = ChainTx.TRANSFER_COIN.value if kind is ChainTx.MERGE_COINS else kind.value
            if failure is None:
                self.store.log_tx(digest=text, kind=log_kind, sender=sender, status="success", error=None,
                                  fee=ctx.total_fee(), epoch=ctx.system.epoch, timestamp_ms=self.clock(),
                                  created=ctx.created, mutated=sorted(set(ctx.mutated) | {gas.id} - set(ctx.deleted)),
                                  deleted=ctx.deleted, note="; ".join(ctx.notes) or None)
            else:
                self.store.log_tx(digest=text, kind=log_kind, sender=sender, status="failure",
                                  error=failure.error_name, fee=base, epoch=system.epoch, timestamp_ms=self.clock(),
                                  created=[], mutated=[] if gas_deleted else [gas.id],
                                  deleted=[gas.id] if gas_deleted else [], note=str(failure))
        if failure is not None:
            raise TransactionFailed(failure.error_name, str(failure), digest=text, fee=base)
        result = t.TxResult(digest=text, fee=ctx.total_fee(), created=tuple(ctx.created), epoch=ctx.system.epoch)
        return result, out  # type: ignore[return-value]  # out is an R: failure is None here

    def _smash_gas(self, gas_payment: list[CoinRow]) -> CoinRow:
        """Several gas coins merge into the first; the others are deleted (`prepare_gas.rs:112-200`)."""
        primary, others = gas_payment[0], gas_payment[1:]
        if not others:
            return primary
        for coin in others:
            self.store.delete_coin(coin.id)
        self.store.put_coin(primary.id, primary.owner, primary.balance + sum(c.balance for c in others))
        merged = self.store.coin(primary.id)
        assert merged is not None
        return merged

    def _pay_from_gas(self, gas: CoinRow, amount: int) -> bool:
        """Deduct a fee part from the gas coin; a coin left at 0 is deleted (Erratum 3). True if deleted."""
        if gas.balance - amount == 0:
            self.store.delete_coin(gas.id)
            return True
        self.store.put_coin(gas.id, gas.owner, gas.balance - amount)
        return False

    def _run_under_savepoint(self, ctx: TxContext, body: Callable[[TxContext], R]) -> tuple[R | None,
                                                                                          ChainError | None]:
        """The rule and the write/value part of the fee; a chain failure rolls back to the base-fee state."""
        self.conn.execute("SAVEPOINT chain_tx")
        try:
            out = body(ctx)
            rest = ctx.total_fee() - BASE_FEE
            coin = ctx.gas_coin()
            if coin.balance < rest:
                fail("InsufficientGas", f"fee {ctx.total_fee()} exceeds the gas coin")
            if self._pay_from_gas(coin, rest):
                ctx.note_deleted(coin.id)
            ctx.system.fees_epoch += rest
            self.store.put_system(ctx.system)
        except ChainError as err:
            self.conn.execute("ROLLBACK TO chain_tx")
            self.conn.execute("RELEASE chain_tx")
            return None, err
        except BaseException:
            self.conn.execute("ROLLBACK TO chain_tx")
            self.conn.execute("RELEASE chain_tx")
            raise
        self.conn.execute("RELEASE chain_tx")
        return out, None

    @staticmethod
    def _rejected(error_name: str, message: str) -> TransactionFailed:
        """Rejected before execution (input object checks): no fee, nothing changed."""
        return TransactionFailed(error_name, f"{error_name}: {message}", fee=0)

    # --- accounts and coins -------------------------------------------------------------------------
    def faucet(self, address: str) -> t.TxResult:
        """2 SOMA from the genesis faucet account, a real TransferCoin (the faucet pays the fee)."""
        recipient = validation.address(address, "address")
        result, _ = self._execute(ChainTx.TRANSFER_COIN, genesis.FAUCET_ADDRESS,
                                  lambda ctx: self._transfer(ctx, [recipient], [FAUCET_AMOUNT]))
        return result

    def _transfer(self, ctx: TxContext, recipients: list[str], amounts: list[int]) -> list[str]:
        """TransferCoin / PayCoins from the gas coin: amount + fees are checked first (Erratum 5)."""
        gas = ctx.gas_coin()
        total = sum(amounts)
        ctx.charge_value_fee(total)
        ctx.precheck(gas, total, writes=fees.pay_writes(len(recipients)))
        ctx.debit(gas, total)
        return [ctx.mint_coin(r, a) for r, a in zip(recipients, amounts)]

    def transfer_coin(self, sender: str, recipient: str, amount: int) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        recipient = validation.address(recipient, "recipient")
        amount = validation.amount(amount, "amount")
        return self._execute(ChainTx.TRANSFER_COIN, sender, lambda ctx: self._transfer(ctx, [recipient], [amount]))[0]

    def pay_coins(self, sender: str, recipients: Sequence[str], amounts: Sequence[int]) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        rec = validation.addresses(recipients, "recipients")
        if isinstance(amounts, (str, bytes)) or not isinstance(amounts, Sequence):
            raise InvalidInput("amounts: expected a list of integer shannons", field="amounts")
        amt = [validation.amount(a, f"amounts[{i}]") for i, a in enumerate(amounts)]
        if not rec or len(rec) != len(amt):
            raise InvalidInput("recipients and amounts must be non-empty and of equal length", field="amounts")
        if len(rec) > 256:
            raise InvalidInput("at most 256 recipients per transaction", field="recipients")
        return self._execute(ChainTx.PAY_COINS, sender, lambda ctx: self._transfer(ctx, rec, amt))[0]

    def merge_coins(self, sender: str) -> t.TxResult:
        """The SDK's merge (Erratum 4, `sdk/src/lib.rs:737-743`): TransferCoin{coin: smallest, amount: None,
        recipient: sender} paid with every other coin as gas. The gas coins merge into one, the smallest stays a
        second coin, and the value fee is on the smallest coin's balance."""
        sender = validation.address(sender, "signer.address")
        coins = sorted(self.store.coins_of(sender), key=lambda c: (c.balance, c.id))
        if len(coins) < 2:
            raise InvalidInput("Nothing to merge: address has 0 or 1 coins.", field="signer")
        smallest = coins[0]

        def body(ctx: TxContext) -> None:
            ctx.charge_value_fee(smallest.balance)
            ctx.note_mutated(smallest.id)            # ownership "changes" to the sender: one object written

        return self._execute(ChainTx.MERGE_COINS, sender, body, gas_payment=coins[1:])[0]

    # --- staking ----------------------------------------------------------------------------------
    def add_stake(self, sender: str, validator: str, amount: int) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        validator = validation.address(validator, "validator")
        amount = validation.amount(amount, "amount", allow_zero=True)
        return self._execute(ChainTx.ADD_STAKE, sender, lambda ctx: validators.add_stake(ctx, validator, amount))[0]

    def withdraw_stake(self, sender: str, staked_soma_id: str) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        staked_id = validation.address(staked_soma_id, "staked_soma_id")
        staked = self.store.staked(staked_id)
        if staked is None:
            raise self._rejected("ObjectNotFound", f"no StakedSoma {staked_id}")
        if staked.owner != sender:
            raise self._rejected("InvalidOwnership", "the StakedSoma belongs to another address")
        return self._execute(ChainTx.WITHDRAW_STAKE, sender, lambda ctx: validators.withdraw_stake(ctx, staked))[0]

    def add_stake_to_model(self, sender: str, model_id: str, amount: int) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        model_id = validation.address(model_id, "model_id")
        amount = validation.amount(amount, "amount", allow_zero=True)
        return self._execute(ChainTx.ADD_STAKE_TO_MODEL, sender,
                             lambda ctx: models.add_stake_to_model(ctx, model_id, amount))[0]

    # --- models -----------------------------------------------------------------------------------
    def create_model(self, sender: str, stake_amount: int, commission_rate: int,
                     architecture_version: int = MODEL_ARCHITECTURE_VERSION) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        stake_amount = validation.u64(stake_amount, "stake_amount")
        commission_rate = validation.u64(commission_rate, "commission_rate")
        architecture_version = validation.u64(architecture_version, "architecture_version")
        result, model_id = self._execute(
            ChainTx.CREATE_MODEL, sender,
            lambda ctx: models.create_model(ctx, stake_amount, commission_rate, architecture_version))
        return t.TxResult(result.digest, result.fee, result.created, model_id=model_id, epoch=result.epoch)

    def commit_model(self, sender: str, spec: t.CommitSpec) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        if not isinstance(spec, t.CommitSpec):
            raise InvalidInput("spec: expected a CommitSpec", field="spec")
        model_id = validation.address(spec.model_id, "spec.model_id")
        manifest = validation.manifest(spec.manifest, "spec.manifest")
        key = validation.key32(spec.decryption_key, "spec.decryption_key")
        raw = spec.embedding_f32
        dim = self.store.system().embedding_dim
        if not isinstance(raw, (bytes, bytearray)) or len(raw) != 4 * dim:
            raise InvalidInput(f"spec.embedding_f32: must be {dim} little-endian f32 values "
                               f"({4 * dim} bytes)", field="spec.embedding_f32")
        validation.embedding(spec.embedding, "spec.embedding_f32", dim)
        emb_commit = blake2b256(bcs_soma_tensor_from_f32(bytes(raw), [dim]))
        checksum = bytes.fromhex(manifest["checksum"])
        return self._execute(ChainTx.COMMIT_MODEL, sender, lambda ctx: models.commit_model(
            ctx, model_id, manifest, checksum, emb_commit, key_commitment(key)))[0]

    def reveal_model(self, sender: str, model_id: str, decryption_key: bytes,
                     embedding: Sequence[float]) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        model_id = validation.address(model_id, "model_id")
        key = validation.key32(decryption_key, "decryption_key")
        values = validation.embedding(embedding, "embedding", self.store.system().embedding_dim)
        return self._execute(ChainTx.REVEAL_MODEL, sender,
                             lambda ctx: models.reveal_model(ctx, model_id, key, values))[0]

    def deactivate_model(self, sender: str, model_id: str) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        model_id = validation.address(model_id, "model_id")
        return self._execute(ChainTx.DEACTIVATE_MODEL, sender, lambda ctx: models.deactivate_model(ctx, model_id))[0]

    def set_model_commission_rate(self, sender: str, model_id: str, new_rate: int) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        model_id = validation.address(model_id, "model_id")
        new_rate = validation.u64(new_rate, "new_rate")
        return self._execute(ChainTx.SET_MODEL_COMMISSION_RATE, sender,
                             lambda ctx: models.set_model_commission_rate(ctx, model_id, new_rate))[0]

    # --- targets ----------------------------------------------------------------------------------
    def submit_data(self, sender: str, spec: t.SubmitSpec) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        if not isinstance(spec, t.SubmitSpec):
            raise InvalidInput("spec: expected a SubmitSpec", field="spec")
        target_id = validation.address(spec.target_id, "spec.target_id")
        model_id = validation.address(spec.model_id, "spec.model_id")
        manifest = validation.manifest(spec.data_manifest, "spec.data_manifest")
        if isinstance(spec.embedding, (str, bytes)) or not isinstance(spec.embedding, Sequence):
            raise InvalidInput("spec.embedding: expected a sequence of numbers", field="spec.embedding")
        embedding = [validation.finite(v, "spec.embedding") for v in spec.embedding]
        distance = validation.finite(spec.distance_score, "spec.distance_score")
        if isinstance(spec.loss_score, (str, bytes)) or not isinstance(spec.loss_score, Sequence):
            raise InvalidInput("spec.loss_score: expected a sequence of numbers", field="spec.loss_score")
        loss = [validation.finite(v, "spec.loss_score") for v in spec.loss_score]
        if self.store.target(target_id) is None:
            raise self._rejected("ObjectNotFound", f"no target {target_id}")
        return self._execute(ChainTx.SUBMIT_DATA, sender, lambda ctx: targets.submit_data(
            ctx, target_id, model_id, embedding, distance, loss, manifest))[0]

    def claim_rewards(self, sender: str, target_id: str) -> t.TxResult:
        sender = validation.address(sender, "signer.address")
        target_id = validation.address(target_id, "target_id")
        if self.store.target(target_id) is None:
            raise self._rejected("ObjectNotFound", f"no target {target_id} (claimed targets are deleted)")
        return self._execute(ChainTx.CLAIM_REWARDS, sender, lambda ctx: targets.claim_rewards(ctx, target_id))[0]

    # --- epochs -----------------------------------------------------------------------------------
    def advance_epoch(self, new_start_ms: int | None = None) -> t.SystemState:
        """One ChangeEpoch. Manual advances start the new epoch now (or at `new_start_ms`)."""
        with transaction(self.conn):
            system = self.store.system()
            start = self.clock() if new_start_ms is None else new_start_ms
            start = max(start, system.epoch_start_ms)
            digest = blake2b256(b"soma-sandbox-change-epoch" + struct.pack("<Q", system.epoch + 1))
            ctx = TxContext(self.store, system, digest, None, None)
            epochs.advance_epoch(ctx, start)
            self.store.put_system(system)
            self.store.log_tx(digest=b58encode(digest), kind="ChangeEpoch", sender=None, status="success",
                              error=None, fee=0, epoch=system.epoch, timestamp_ms=start, created=ctx.created,
                              mutated=sorted(ctx.mutated), deleted=[], note=None)
        return self.system_state()

    def due_boundaries(self, now_ms: int | None = None) -> int:
        system = self.store.system()
        now = self.clock() if now_ms is None else now_ms
        if now < system.epoch_start_ms + system.epoch_duration_ms:
            return 0
        return (now - system.epoch_start_ms) // system.epoch_duration_ms

    def catch_up(self) -> int:
        """Run the boundaries the wall clock has passed, one at a time, each a full epoch on the schedule.

        At most `max_catch_up_epochs` are replayed; after that, the current epoch starts now (the skipped
        time produces no epochs). Missed reveals are slashed within the first two replayed boundaries.
        """
        done = 0
        while self.due_boundaries() > 0:
            system = self.store.system()
            if done + 1 >= self.config.max_catch_up_epochs:
                self.advance_epoch(self.clock())
                return done + 1
            self.advance_epoch(system.epoch_start_ms + system.epoch_duration_ms)
            done += 1
        return done

    # --- reads ------------------------------------------------------------------------------------
    def system_state(self) -> t.SystemState:
        s = self.store.system()
        return t.SystemState(
            chain="sandbox", epoch=s.epoch, epoch_start_ms=s.epoch_start_ms, epoch_duration_ms=s.epoch_duration_ms,
            protocol_version=PROTOCOL_VERSION, architecture_version=MODEL_ARCHITECTURE_VERSION,
            target_embedding_dim=s.embedding_dim, model_min_stake=MODEL_MIN_STAKE, value_fee_bps=s.value_fee_bps,
            base_fee=BASE_FEE, write_object_fee=WRITE_OBJECT_FEE, emission_balance=s.emission_balance,
            emission_per_epoch=EMISSION_PER_EPOCH, distance_threshold=s.distance_threshold,
            reward_per_target=s.reward_per_target, hits_this_epoch=s.hits_this_epoch,
            targets_generated_this_epoch=s.targets_generated_this_epoch, timed_epochs=self.config.timed)

    def get_balance(self, address: str) -> int:
        return sum(c.balance for c in self.store.coins_of(validation.address(address, "address")))

    def list_coins(self, address: str) -> list[t.Coin]:
        return [t.Coin(c.id, c.owner, c.balance) for c in self.store.coins_of(validation.address(address, "address"))]

    def list_staked_soma(self, address: str) -> list[t.StakedSoma]:
        rows = self.store.staked_of(validation.address(address, "address"))
        return [t.StakedSoma(r.id, r.owner, r.pool_id, r.activation_epoch, r.principal) for r in rows]

    def get_validators(self) -> list[t.Validator]:
        out = []
        for v in self.store.validators():
            pool = self.store.pool(v.pool_id)
            assert pool is not None
            out.append(t.Validator(v.address, v.name, v.voting_power, v.commission_rate, v.next_commission_rate,
                                   _pool_info(pool)))
        return out

    def list_models(self) -> list[t.ModelInfo]:
        return [self._model_info(m) for m in self.store.models()]

    def get_model(self, model_id: str) -> t.ModelInfo:
        model = self.store.model(validation.address(model_id, "model_id"))
        if model is None:
            raise InvalidInput(f"model_id: no model {model_id}", field="model_id")
        return self._model_info(model)

    def _model_info(self, m: Model) -> t.ModelInfo:
        pool = self.store.pool(m.pool_id)
        assert pool is not None
        update = None
        if m.pending_update:
            u = m.pending_update
            update = t.PendingUpdate(_manifest(u["manifest"]), bytes.fromhex(u["weights_commitment"]),
                                     bytes.fromhex(u["embedding_commitment"]),
                                     bytes.fromhex(u["decryption_key_commitment"]), u["commit_epoch"])
        return t.ModelInfo(
            id=m.id, owner=m.owner, state=t.ModelState(m.state), architecture_version=m.architecture_version,
            commission_rate=m.commission_rate, next_commission_rate=m.next_commission_rate,
            create_epoch=m.create_epoch, stake=pool.soma_balance, pool=_pool_info(pool),
            manifest=_manifest(m.manifest) if m.manifest else None,
            weights_commitment=_b(m.weights_commitment), embedding_commitment=_b(m.embedding_commitment),
            decryption_key_commitment=_b(m.decryption_key_commitment), commit_epoch=m.commit_epoch,
            decryption_key=_b(m.decryption_key),
            embedding=f32_values(m.embedding) if m.embedding is not None else None,
            pending_update=update, deactivation_epoch=pool.deactivation_epoch, title=m.title)

    def list_targets(self, status: t.TargetStatus | str | None = None, page_token: str | None = None,
                     limit: int = TARGET_PAGE_DEFAULT) -> t.TargetPage:
        """Newest generation first, then by id. The page token is the last (generation_epoch, id) returned."""
        if status is not None:
            try:
                status = t.TargetStatus(status).value
            except ValueError:
                raise InvalidInput(f"status: unknown target status {status!r}", field="status") from None
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= TARGET_PAGE_MAX:
            raise InvalidInput(f"limit: must be 1..{TARGET_PAGE_MAX}", field="limit")
        after = _parse_token(page_token)
        epoch = self.store.system().epoch
        where, args = targets.status_filter(status, epoch)
        rows = self.store.query_targets(where, args, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        token = f"{rows[-1].generation_epoch}:{rows[-1].id}" if more and rows else None
        return t.TargetPage([_target_view(r, epoch) for r in rows], token)

    def get_target(self, target_id: str) -> t.Target:
        target = self.store.target(validation.address(target_id, "target_id"))
        if target is None:
            raise InvalidInput(f"target_id: no target {target_id} (claimed targets are deleted)", field="target_id")
        return _target_view(target, self.store.system().epoch)

    def get_transaction(self, digest: str) -> dict[str, Any]:
        row = self.store.tx(digest) if isinstance(digest, str) else None
        if row is None:
            raise InvalidInput(f"digest: no transaction {str(digest)[:60]!r}", field="digest")
        return row

    def list_transactions(self, limit: int = 100, address: str | None = None) -> list[dict[str, Any]]:
        sender = validation.address(address, "address") if address is not None else None
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise InvalidInput("limit: must be 1..10000", field="limit")
        return self.store.txs(limit, sender)

    def warnings(self) -> list[str]:
        return list(self.store.system().warnings)

    def supply_audit(self) -> dict[str, int]:
        """Where all 10M SOMA are; `total` must equal TOTAL_SUPPLY (slashes count as burned)."""
        system = self.store.system()
        pools = self.store.pools()
        rewards, bonds = self.store.total_target_funds()
        audit = {
            "coins": self.store.total_coins(),
            "staking_pools": sum(p.value for p in pools),
            "emission_pool": system.emission_balance,
            "target_rewards": rewards,
            "submission_bonds": bonds,
            "fees_this_epoch": system.fees_epoch,
            "burned": system.burned,
        }
        audit["total"] = sum(audit.values())
        audit["expected"] = TOTAL_SUPPLY
        return audit


def _b(hex_text: str | None) -> bytes | None:
    return bytes.fromhex(hex_text) if hex_text is not None else None


def _manifest(data: dict[str, Any]) -> t.Manifest:
    return t.Manifest(url=data["url"], checksum=bytes.fromhex(data["checksum"]), size=int(data["size"]))


def _pool_info(pool: Pool) -> t.PoolInfo:
    return t.PoolInfo(id=pool.id, soma_balance=pool.soma_balance, rewards_pool=pool.rewards_pool,
                      pool_token_balance=pool.pool_token_balance, pending_stake=pool.pending_stake,
                      activation_epoch=pool.activation_epoch, deactivation_epoch=pool.deactivation_epoch,
                      exchange_rates={int(k): (v[0], v[1]) for k, v in pool.exchange_rates.items()})


def _target_view(r: Target, epoch: int) -> t.Target:
    return t.Target(
        id=r.id, status=t.TargetStatus(targets.virtual_status(r, epoch)),
        embedding=tuple(targets.target_embedding(r.seed, r.dim).tolist()),
        model_ids=tuple(r.model_ids), distance_threshold=r.distance_threshold, reward_pool=r.reward_pool,
        generation_epoch=r.generation_epoch, fill_epoch=r.fill_epoch, submitter=r.submitter,
        winning_model_id=r.winning_model_id, winning_model_owner=r.winning_model_owner, bond_amount=r.bond_amount,
        winning_distance=r.winning_distance, winning_loss=r.winning_loss[0] if r.winning_loss else None,
        data_manifest=_manifest(r.data_manifest) if r.data_manifest else None)


def _parse_token(token: str | None) -> tuple[int, str] | None:
    if token is None:
        return None
    try:
        epoch_text, target_id = str(token).split(":", 1)
        return int(epoch_text), validation.address(target_id, "page_token")
    except (ValueError, InvalidInput):
        raise InvalidInput("page_token: not a token this sandbox issued", field="page_token") from None

