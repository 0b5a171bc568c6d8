"""A fake soma-sdk 0.1.15 `SomaClient` whose chain is the real sandbox rules.

It mirrors the SDK's observable contract (sdk.md §1-§5), not its code:
- `await FakeSomaClient(rpc_url, *, chain=None, scoring_url=None, admin_url=None, faucet_url=None)`;
  preset/argument errors are ValueErrors with the SDK's texts; faucet/scoring/admin connect eagerly.
- Methods are sync-callable and return a Future that has already started (like `future_into_py`); they need a
  running loop (`RuntimeError: no running event loop`) and work from other threads' loops.
- One RPC at a time per client (an asyncio.Lock; `max_in_flight` records the peak).
- Results are SimpleNamespace trees built the way pythonize + dict_to_ns build them: maps with non-string keys
  stay dicts, enums are externally tagged, digests are Base58, SomaTensors are {dtype, bytes, shape}.
- Addresses come back without 0x where the SDK prints them bare; float SOMA is truncated like `to_shannons`.
- Failures are RuntimeErrors with the SDK's message formats; bad arguments are ValueErrors.

`FakeChain` is the server side: a sandbox `Network`, which services are up, a silent/closed switch, injected
delays and "checkpoint wait timed out" faults.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from soma_desktop.core.crypto import b58decode, b58encode, f32_bytes
from soma_desktop.core.ids import normalize_id
from soma_desktop.network import types as t
from soma_desktop.network.base import list_all_targets
from soma_desktop.network.errors import InvalidInput, TransactionFailed
from soma_desktop.network.sandbox import params

U64_MAX = 2**64 - 1
META = ", details: [], metadata: MetadataMap { headers: {} }"
TCP_ERROR = 'status: Unavailable, message: "tcp connect error"' + META


# Error texts of soma-org/soma at 0ed887ab (soma-sdk 0.1.15), as they reach Python. A transaction's failure passes
# three wrappers: the node's tonic Status is formatted by ExecuteAndWaitError's Display ("RPC error: {status}",
# rpc/src/api/rpc_client/transaction_execution.rs L45), wrapped in `tonic::Status::internal(e.to_string())`
# (rpc/src/api/client.rs L207), then `Error::GrpcError(e.to_string())` (sdk/src/lib.rs L421) whose Display is
# "gRPC error: {0}" (sdk/src/error.rs L38); python-sdk's to_py_err raises RuntimeError(str) (python-sdk/src/lib.rs L30).
def _sent(inner: str) -> str:
    quoted = inner.replace("\\", "\\\\").replace('"', '\\"')
    return f'gRPC error: status: Internal, message: "{quoted}"' + META


def rejected(code: str, text: str) -> str:
    """The node refused the transaction with `code` (rpc/src/api/error.rs L112-204)."""
    return _sent(f'RPC error: status: {code}, message: "{text}"' + META)


# tonic's decode limit (4 MiB by default) refusing an answer, as soma-sdk's get_latest_system_state reports it: the
# tonic Status from tonic/src/codec/decode.rs (tonic 0.14.5 per soma's Cargo.lock at 0ed887ab: "Error, decoded message
# length too large: found N bytes, the limit is: L bytes", code OutOfRange; tonic before 0.12 said "Error, message
# length too large"), raised unwrapped (sdk/src/lib.rs L296-301 returns the Status, python-sdk to_py_err L30).
def decode_limit_error(found: int, limit: int = 4 * 1024 * 1024) -> str:
    return (f'status: OutOfRange, message: "Error, decoded message length too large: found {found} bytes, '
            f'the limit is: {limit} bytes"' + META)


# transaction_execution.rs L51: executed, no checkpoint within the SDK's 30 s (sdk/src/lib.rs L419).
CHECKPOINT_TIMEOUT = _sent("Transaction executed but checkpoint wait timed out")
# transaction_execution.rs L54 with the Aborted status of L140: executed, the checkpoint stream broke.
CHECKPOINT_STREAM_ERROR = _sent('Transaction executed but checkpoint stream had an error: status: Aborted, '
                                'message: "checkpoint stream ended unexpectedly"' + META)
# rpc/src/api/error.rs L141-143: QuorumDriver TimeoutBeforeFinality -> Unavailable (may still finalize).
TIMEOUT_BEFORE_FINALITY = rejected("Unavailable", "timed-out before finality could be reached")
# rpc/src/api/error.rs L199-202: PendingExecutionInTransactionOrchestrator -> AlreadyExists (still running).
ALREADY_PROCESSING = rejected("AlreadyExists", "Transaction is already being processed in transaction orchestrator "
                              "(most likely by quorum driver), wait for results")
# tonic's status for a connection reset while the request was in flight (hyper error mapped to Unknown).
CONNECTION_DROPPED = rejected("Unknown", "error reading a body from connection: connection reset")
# Faults that leave the transaction executed (True) or not (False) on the sandbox behind the fake.
OPEN_OUTCOMES = {CHECKPOINT_TIMEOUT: True, CHECKPOINT_STREAM_ERROR: True, TIMEOUT_BEFORE_FINALITY: False,
                 ALREADY_PROCESSING: True, CONNECTION_DROPPED: False}
# sdk/src/lib.rs L422-426 (TransactionFailed with the effects' status, Debug-formatted); the fake does not
# charge the fee of the cancelled execution.
CONGESTED = ("Transaction failed: TransferCoin failed (digest: 11111111111111111111111111111111): "
             "Failure { error: ExecutionCancelledDueToSharedObjectCongestion }")
FAULT_EXECUTES = {CONGESTED: False}


def no_gas_coin(address_bare: str, locked: int) -> str:
    """sdk/src/lib.rs L604-610 (build_transaction_data_excluding) inside "Data error: {0}" (sdk/src/error.rs L20)."""
    return (f"Data error: No available gas coin for address 0x{address_bare} (excluded {locked} locked coins). "
            "Run `soma merge-coins` to consolidate your coins.")


TX_METHODS = frozenset({"transfer_coin", "pay_coins", "merge_coins", "add_stake", "withdraw_stake",
                        "add_stake_to_model", "create_model", "commit_model", "reveal_model", "deactivate_model",
                        "set_model_commission_rate", "claim_rewards", "submit_data"})
TARGET_STATUSES = ("open", "filled", "claimed", "expired", "claimable")


def to_shannons(soma: float) -> int:
    """soma-sdk's `(soma * 1e9) as u64`: truncating, saturating, NaN and negatives -> 0."""
    if math.isnan(soma) or soma <= 0:
        return 0
    scaled = soma * 1e9
    return U64_MAX if scaled >= 2.0**64 else int(scaled)


def to_ns(value: Any) -> Any:
    """dict_to_ns: dicts with only string keys -> SimpleNamespace, others stay dicts; recursive."""
    if isinstance(value, dict):
        converted = {k: to_ns(v) for k, v in value.items()}
        if all(isinstance(k, str) for k in converted):
            return SimpleNamespace(**converted)
        return converted
    if isinstance(value, list):
        return [to_ns(v) for v in value]
    return value


def parse_address(text: Any) -> str:
    """SomaAddress/ObjectID parsing: hex with or without 0x, else the SDK's ValueError."""
    try:
        return normalize_id(str(text))
    except ValueError:
        raise ValueError("Unable to parse AccountAddress (must be hex string of length 32)") from None


def _uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _tensor_bcs(values: Any) -> bytes:
    raw = f32_bytes(values)
    return b"\x00" + _uleb(len(raw)) + raw + _uleb(1) + struct.pack("<Q", len(raw) // 4)


def _opt(value: bytes | None) -> bytes:
    return b"\x00" if value is None else b"\x01" + value


def target_bcs(x: t.Target, *, claimed: bool = False) -> bytes:
    """BCS of TargetV1 (types/src/target.rs L45-126, written from the field list, not copied)."""
    addr = lambda a: bytes.fromhex(a[2:]) if a else None     # noqa: E731
    if claimed:
        status = _uleb(2)
    elif x.fill_epoch is not None:
        status = _uleb(1) + struct.pack("<Q", x.fill_epoch)
    else:
        status = _uleb(0)
    manifest = None
    if x.data_manifest is not None:
        url = x.data_manifest.url.encode()
        manifest = (_uleb(0) + _uleb(len(url)) + url + _uleb(0) + _uleb(len(x.data_manifest.checksum))
                    + x.data_manifest.checksum + struct.pack("<Q", x.data_manifest.size))
    return (_tensor_bcs(x.embedding) + _uleb(len(x.model_ids)) + b"".join(addr(m) for m in x.model_ids)
            + _tensor_bcs([x.distance_threshold]) + struct.pack("<QQ", x.reward_pool, x.generation_epoch) + status
            + _opt(addr(x.submitter)) + _opt(addr(x.winning_model_id)) + _opt(addr(x.winning_model_owner))
            + struct.pack("<Q", x.bond_amount) + _opt(manifest) + _opt(None)
            + _opt(None if x.winning_distance is None else _tensor_bcs([x.winning_distance]))
            + _opt(None if x.winning_loss is None else _tensor_bcs([x.winning_loss])) + _uleb(0))


def tensor(values: Any) -> dict[str, Any]:
    raw = f32_bytes(values)
    return {"dtype": 0, "bytes": list(raw), "shape": [len(raw) // 4]}


@dataclass
class KeypairSigner:
    """What the sandbox needs from the SDK Keypair the adapter passes."""

    keypair: Any

    @property
    def address(self) -> str:
        return "0x" + self.keypair.address()

    def secret_key(self) -> bytes:
        return bytes.fromhex(self.keypair.to_secret_key().removeprefix("0x"))


@dataclass
class FakeChain:
    """The server side shared by every FakeSomaClient: a sandbox Network plus fault switches."""

    network: Any
    faucet_up: bool = True
    scoring_up: bool = True
    admin_up: bool = True
    rpc_up: bool = True
    delays: dict[str, float] = field(default_factory=dict)         # method -> seconds before it runs
    gates: dict[str, asyncio.Event] = field(default_factory=dict)  # method -> runs once the event is set
    checkpoint_timeouts: set[str] = field(default_factory=set)     # method -> execute, then report a timeout
    faults: dict[str, str] = field(default_factory=dict)  # method -> one of OPEN_OUTCOMES (once); executes per table
    read_errors: dict[str, str] = field(default_factory=dict)  # method -> RuntimeError text, raised on every call
    gas_top_n: int = 1                                    # soma-sdk picks among the 8 richest; 1 = deterministic
    claimed: dict[str, t.Target] = field(default_factory=dict)  # the chain keeps claimed targets (status Claimed)
    chain_identifier: str = "localnet"
    scorer: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    calls: list[str] = field(default_factory=list)
    clients: list[FakeSomaClient] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-sdk-")

    def factory(self, rpc_url: str | None = None, **kwargs: Any) -> FakeSomaClient:
        """Drop-in for `SomaClient(...)` as the adapter's client_factory."""
        return FakeSomaClient(self, rpc_url, **kwargs)

    def scratch(self, data: bytes) -> str:
        path = Path(self._tmp.name) / hashlib.blake2b(data, digest_size=16).hexdigest()
        path.write_bytes(data)
        return str(path)

    def close(self) -> None:
        self._tmp.cleanup()


class FakeSomaClient:
    def __init__(self, backend: FakeChain, rpc_url: str | None = None, *, chain: str | None = None,
                 scoring_url: str | None = None, admin_url: str | None = None, faucet_url: str | None = None):
        chain_name = chain
        # Argument errors are raised synchronously by the pyo3 constructor, before any loop is needed.
        if chain_name == "testnet":
            if rpc_url or faucet_url:
                raise ValueError('Cannot provide rpc_url or faucet_url when chain="testnet"')
            rpc_url, faucet_url = "https://fullnode.testnet.soma.org", "https://faucet.testnet.soma.org"
        elif chain_name == "localnet":
            if rpc_url or faucet_url:
                raise ValueError('Cannot provide rpc_url or faucet_url when chain="localnet"')
            rpc_url, faucet_url = "http://127.0.0.1:9000", "http://127.0.0.1:9123"
            admin_url, scoring_url = admin_url or "http://127.0.0.1:9125", scoring_url or "http://127.0.0.1:9124"
        elif chain_name is not None:
            raise ValueError(f'Unknown chain "{chain_name}". Supported: "testnet", "localnet"')
        elif not rpc_url:
            raise ValueError("Either rpc_url or chain must be provided")
        self._home = asyncio.get_running_loop()      # RuntimeError: no running event loop, like the SDK
        self._chain = backend
        self.rpc_url, self.scoring_url, self.admin_url, self.faucet_url = rpc_url, scoring_url, admin_url, faucet_url
        self._lock: asyncio.Lock | None = None
        # soma-sdk's in_flight_coins (sdk/src/lib.rs L139, L500-524): the gas coin is reserved before the send and
        # released after it returns, but a Python-side cancellation drops the Rust future before the release.
        self.in_flight_coins: set[str] = set()
        self._sender: str | None = None
        self.in_flight = 0
        self.max_in_flight = 0

    # --- construction (awaitable, like the pyo3 constructor) -------------------------------------
    def __await__(self):
        return self._connect().__await__()

    async def _connect(self) -> FakeSomaClient:
        for url in (self.rpc_url, self.scoring_url, self.admin_url, self.faucet_url):
            if url and not urlsplit(url).scheme:
                raise RuntimeError('Error initializing RPC client: status: Unknown, message: "invalid uri character"')
        # Eager channels (sdk.md §1): a stopped scoring/admin/faucet service fails construction.
        if (self.scoring_url and not self._chain.scoring_up) or (self.admin_url and not self._chain.admin_up):
            raise RuntimeError("Error initializing RPC client: transport error")
        if self.faucet_url and not self._chain.faucet_up:
            raise RuntimeError("transport error")
        self._lock = asyncio.Lock()
        self._chain.clients.append(self)
        return self

    # --- call plumbing -----------------------------------------------------------------------------
    def _start(self, name: str, body: Callable[[], Any]) -> asyncio.Future[Any]:
        """Start the call now (it runs even if never awaited) and hand back a future for this thread's loop."""
        loop = asyncio.get_running_loop()          # RuntimeError: no running event loop, like the SDK
        home = self._home
        sender, self._sender = (self._sender if name in TX_METHODS else None), None
        if home is loop:
            return loop.create_task(self._serialised(name, body, sender))
        if home.is_closed():
            raise RuntimeError("event loop is closed")
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._serialised(name, body, sender), home),
                                   loop=loop)

    async def _serialised(self, name: str, body: Callable[[], Any], sender: str | None = None) -> Any:
        assert self._lock is not None, "await the client before calling it"
        if sender is not None:
            return await self._with_gas(name, body, sender)
        return await self._call(name, body)

    async def _with_gas(self, name: str, body: Callable[[], Any], sender: str) -> Any:
        """Reserve a gas coin the way soma-sdk does; a cancelled call never releases it."""
        coins = sorted(await self._net.list_coins(sender), key=lambda c: -c.balance)
        free = [c for c in coins if c.id not in self.in_flight_coins]
        if not free:
            raise RuntimeError(no_gas_coin(sender[2:], len(self.in_flight_coins)))
        gas = free[min(len(free), self._chain.gas_top_n) - 1].id
        self.in_flight_coins.add(gas)
        result = await self._call(name, body)           # CancelledError propagates without the release below
        self.in_flight_coins.discard(gas)
        return result

    async def _call(self, name: str, body: Callable[[], Any]) -> Any:
        async with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._chain.calls.append(name)
            try:
                if not self._chain.rpc_up:
                    raise RuntimeError(TCP_ERROR)
                if name in self._chain.read_errors:
                    raise RuntimeError(self._chain.read_errors[name])
                if self._chain.delays.get(name):
                    await asyncio.sleep(self._chain.delays[name])
                if name in self._chain.gates:
                    await self._chain.gates[name].wait()
                result = body()
                if asyncio.iscoroutine(result):
                    result = await result
                return result
            finally:
                self.in_flight -= 1

    @property
    def _net(self) -> Any:
        return self._chain.network

    async def _tx(self, name: str, label: str, signer: KeypairSigner, coro: Any) -> Any:
        """Run a sandbox transaction and translate its outcome into soma-sdk's shapes and messages."""
        fault = self._chain.faults.pop(name, None)
        if fault is not None and not {**OPEN_OUTCOMES, **FAULT_EXECUTES}[fault]:
            coro.close()
            raise RuntimeError(fault)
        try:
            result = await coro
        except TransactionFailed as err:
            if err.digest:
                raise RuntimeError(f"Transaction failed: {label} failed (digest: {err.digest}): "
                                   f"Failure {{ error: {err.error_name} }}") from None
            raise RuntimeError(rejected("InvalidArgument", "Transaction execution failed due to issues with "
                                        "transaction inputs, please review the errors and try again: "
                                        f"{err.error_name}: {err}.")) from None
        except InvalidInput as err:
            text = str(err)
            if "No coin to pay gas" in text:
                raise RuntimeError(f"No coin found for {signer.address[2:]}") from None
            if text.startswith("Nothing to merge"):
                raise RuntimeError("Nothing to merge: address has 0 or 1 coins.") from None
            raise ValueError(text) from None
        if name in self._chain.checkpoint_timeouts:
            self._chain.checkpoint_timeouts.discard(name)
            raise RuntimeError(CHECKPOINT_TIMEOUT)
        if fault is not None:
            raise RuntimeError(fault)
        return result

    @staticmethod
    def _signer(keypair: Any) -> KeypairSigner:
        if not hasattr(keypair, "to_secret_key"):
            raise TypeError("argument 'signer': expected a Keypair")
        return KeypairSigner(keypair)

    def _signed(self, keypair: Any) -> KeypairSigner:
        """A transaction's signer; the next `_start` reserves a gas coin of this address."""
        signer = self._signer(keypair)
        self._sender = signer.address
        return signer

    def _effects(self, result: t.TxResult) -> Any:
        base = min(params.BASE_FEE, result.fee)
        changed = [[cid, {"input_state": "NotExist",
                          "output_state": {"ObjectWrite": [b58encode(bytes(32)), {"AddressOwner": ""}]},
                          "id_operation": "Created"}] for cid in result.created]
        return to_ns({"V1": {
            "status": "Success",
            "executed_epoch": result.epoch or 0,
            "transaction_fee": {"base_fee": base, "operation_fee": result.fee - base, "value_fee": 0,
                                "total_fee": result.fee},
            "transaction_digest": result.digest,
            "gas_object_index": 0,
            "dependencies": [],
            "version": 1,
            "changed_objects": changed,
            "unchanged_shared_objects": [],
        }})

    # --- chain info ----------------------------------------------------------------------------------
    def get_chain_identifier(self):
        return self._start("get_chain_identifier", lambda: self._chain.chain_identifier)

    def get_object(self, object_id: str):
        """python-sdk/src/lib.rs `get_object` -> obj_to_py_with_ref: the pythonized Object with id/version/digest."""
        oid = parse_address(object_id)

        async def body():
            target = self._chain.claimed.get(oid) or next(
                (x for x in await list_all_targets(self._net) if x.id == oid), None)
            if target is None:
                raise RuntimeError(f'status: NotFound, message: "Object {oid} not found"' + META)
            contents = bytes.fromhex(oid[2:]) + target_bcs(target, claimed=oid in self._chain.claimed)
            digest = b58encode(hashlib.blake2b(contents, digest_size=32).digest())
            return SimpleNamespace(id=oid, version=2, digest=digest, previous_transaction=digest,
                                   owner=SimpleNamespace(Shared=SimpleNamespace(initial_shared_version=1)),
                                   data=SimpleNamespace(object_type="Target", version=2, contents=contents))
        return self._start("get_object", body)

    def get_epoch(self, epoch: int | None = None):
        """Only `epoch` is reliable (sdk.md §2.5: the read mask drops the timestamps)."""
        async def body():
            current = (await self._net.get_system_state()).epoch
            return SimpleNamespace(epoch=current if epoch is None else epoch, epoch_start_timestamp_ms=0,
                                   first_checkpoint_id=0, end_of_epoch_info=None)
        return self._start("get_epoch", body)

    def get_protocol_version(self):
        return self._start("get_protocol_version", lambda: params.PROTOCOL_VERSION)

    def get_architecture_version(self):
        return self._start("get_architecture_version", lambda: params.MODEL_ARCHITECTURE_VERSION)

    def get_embedding_dim(self):
        async def body():
            return (await self._net.get_system_state()).target_embedding_dim
        return self._start("get_embedding_dim", body)

    def get_model_min_stake(self):
        return self._start("get_model_min_stake", lambda: params.MODEL_MIN_STAKE)

    def get_latest_system_state(self):
        return self._start("get_latest_system_state", self._system_state)

    async def _system_state(self) -> Any:
        state = await self._net.get_system_state()
        vals = await self._net.get_validators()
        mods = await self._net.list_models()
        return to_ns({
            "epoch": state.epoch,
            "protocol_version": state.protocol_version,
            "epoch_start_timestamp_ms": state.epoch_start_ms,
            "parameters": {
                "epoch_duration_ms": state.epoch_duration_ms,
                "validator_reward_allocation_bps": params.VALIDATOR_REWARD_ALLOCATION_BPS,
                "model_min_stake": state.model_min_stake,
                "model_architecture_version": state.architecture_version,
                "model_reveal_slash_rate_bps": params.MODEL_REVEAL_SLASH_RATE_BPS,
                "model_tally_slash_rate_bps": params.MODEL_TALLY_SLASH_RATE_BPS,
                "target_epoch_fee_collection": params.TARGET_EPOCH_FEE_COLLECTION,
                "base_fee": state.base_fee,
                "write_object_fee": state.write_object_fee,
                "value_fee_bps": state.value_fee_bps,
                "min_value_fee_bps": params.MIN_VALUE_FEE_BPS,
                "max_value_fee_bps": params.MAX_VALUE_FEE_BPS,
                "fee_adjustment_rate_bps": params.FEE_ADJUSTMENT_RATE_BPS,
                "target_models_per_target": params.TARGET_MODELS_PER_TARGET,
                "target_embedding_dim": state.target_embedding_dim,
                "target_initial_distance_threshold": tensor([params.TARGET_INITIAL_DISTANCE_THRESHOLD]),
                "target_initial_targets_per_epoch": params.TARGET_INITIAL_TARGETS_PER_EPOCH,
                "submission_bond_per_byte": params.SUBMISSION_BOND_PER_BYTE,
                "max_submission_data_size": params.MAX_SUBMISSION_DATA_SIZE,
            },
            "emission_pool": {"balance": state.emission_balance, "emission_per_epoch": state.emission_per_epoch},
            "target_state": {
                "distance_threshold": tensor([state.distance_threshold]),
                "targets_generated_this_epoch": state.targets_generated_this_epoch,
                "hits_this_epoch": state.hits_this_epoch,
                "hits_ema": 0,
                "reward_per_target": state.reward_per_target,
            },
            "validators": {
                "total_stake": sum(v.pool.soma_balance for v in vals),
                "validators": [self._validator(v) for v in vals],
                "pending_validators": [],
                "pending_removals": [],
                "staking_pool_mappings": {v.pool.id: v.address[2:] for v in vals},
                "inactive_validators": {},
                "at_risk_validators": {},
            },
            "model_registry": {
                "models": {m.id: {"V1": self._model(m)} for m in mods},
                "staking_pool_mappings": {m.pool.id: m.id for m in mods},
                "total_model_stake": sum(m.stake for m in mods if m.state is t.ModelState.ACTIVE),
                "model_report_records": {},
            },
            "safe_mode": False,
            "safe_mode_accumulated_fees": 0,
            "safe_mode_accumulated_emissions": 0,
            "validator_report_records": {},
        })

    @staticmethod
    def _pool(p: t.PoolInfo) -> dict[str, Any]:
        return {"id": p.id, "activation_epoch": p.activation_epoch, "deactivation_epoch": p.deactivation_epoch,
                "soma_balance": p.soma_balance, "rewards_pool": p.rewards_pool,
                "pool_token_balance": p.pool_token_balance,
                "exchange_rates": {e: {"soma_amount": s, "pool_token_amount": k}
                                   for e, (s, k) in p.exchange_rates.items()},
                "pending_stake": p.pending_stake, "pending_total_soma_withdraw": 0,
                "pending_pool_token_withdraw": 0}

    def _validator(self, v: t.Validator) -> dict[str, Any]:
        return {"metadata": {"soma_address": v.address[2:], "net_address": "/dns/localhost/tcp/8080/http",
                             "p2p_address": "", "primary_address": "", "proxy_address": "",
                             "protocol_pubkey": ""},
                "voting_power": v.voting_power, "staking_pool": self._pool(v.pool),
                "commission_rate": v.commission_rate, "next_epoch_stake": v.pool.soma_balance,
                "next_epoch_commission_rate": v.next_commission_rate}

    @staticmethod
    def _manifest(m: t.Manifest) -> dict[str, Any]:
        return {"V1": {"url": m.url, "metadata": {"V1": {"checksum": b58encode(m.checksum), "size": m.size}}}}

    def _model(self, m: t.ModelInfo) -> dict[str, Any]:
        body: dict[str, Any] = {"owner": m.owner[2:], "architecture_version": m.architecture_version,
                                "staking_pool": self._pool(m.pool), "commission_rate": m.commission_rate,
                                "next_epoch_commission_rate": m.next_commission_rate}
        if m.state is t.ModelState.CREATED:
            body["create_epoch"] = m.create_epoch
            return {"Created": body}
        assert m.manifest and m.weights_commitment and m.embedding_commitment and m.decryption_key_commitment
        body.update(manifest=self._manifest(m.manifest), weights_commitment=b58encode(m.weights_commitment),
                    embedding_commitment=b58encode(m.embedding_commitment),
                    decryption_key_commitment=b58encode(m.decryption_key_commitment))
        if m.state is t.ModelState.PENDING:
            body["commit_epoch"] = m.commit_epoch
            return {"Pending": body}
        assert m.decryption_key is not None and m.embedding is not None
        body.update(decryption_key=b58encode(m.decryption_key), embedding=tensor(m.embedding))
        if m.state is t.ModelState.INACTIVE:
            return {"Inactive": body}
        u = m.pending_update
        body["pending_update"] = None if u is None else {
            "manifest": self._manifest(u.manifest), "weights_commitment": b58encode(u.weights_commitment),
            "embedding_commitment": b58encode(u.embedding_commitment),
            "decryption_key_commitment": b58encode(u.decryption_key_commitment), "commit_epoch": u.commit_epoch}
        return {"Active": body}

    def get_active_models(self):
        async def body():
            out = []
            for m in await self._net.list_models():
                if m.state is t.ModelState.ACTIVE:
                    out.append(to_ns({"model_id": m.id, "owner": m.owner[2:], "embedding": list(m.embedding or ()),
                                      "stake": m.stake / 1e9, "commission_rate": m.commission_rate,
                                      "next_epoch_commission_rate": m.next_commission_rate, "commit_epoch": 0,
                                      "has_pending_update": m.pending_update is not None}))
            return out
        return self._start("get_active_models", body)

    # --- objects -------------------------------------------------------------------------------------
    def list_owned_objects(self, owner: str, object_type: str | None = None, limit: int | None = None):
        address = parse_address(owner)
        kind = None if object_type is None else object_type.lower()
        if kind not in (None, "coin", "stakedsoma", "staked_soma", "target", "systemstate", "system_state"):
            raise ValueError(f"Unknown object type '{object_type}'. Valid types: coin, staked_soma, target, "
                             "system_state")

        async def body():
            out = []
            writers = await self._last_writers()
            if kind in (None, "coin"):
                for c in await self._net.list_coins(address):
                    out.append(self._object(c.id, c.owner, "Coin", struct.pack("<Q", c.balance), writers.get(c.id)))
            if kind in (None, "stakedsoma", "staked_soma"):
                for s in await self._net.list_staked_soma(address):
                    payload = bytes.fromhex(s.pool_id[2:]) + struct.pack("<QQ", s.activation_epoch, s.principal)
                    out.append(self._object(s.id, s.owner, "StakedSoma", payload, writers.get(s.id)))
            return out[:limit] if limit else out
        return self._start("list_owned_objects", body)

    async def _last_writers(self) -> dict[str, str]:
        """object id -> digest of the newest sandbox transaction that created or mutated it (Object's
        `previous_transaction`, types/src/object.rs)."""
        writers: dict[str, str] = {}
        for row in await self._net.list_transactions(10_000):          # newest first
            for oid in [*row["created"], *row["mutated"]]:
                writers.setdefault(normalize_id(oid), row["digest"])
        return writers

    @staticmethod
    def _object(object_id: str, owner: str, object_type: str, payload: bytes, previous: str | None = None) -> Any:
        contents = bytes.fromhex(object_id[2:]) + payload
        digest = b58encode(hashlib.blake2b(contents, digest_size=32).digest())
        return SimpleNamespace(id=object_id, version=1, digest=digest,
                               owner=SimpleNamespace(AddressOwner=owner[2:]), previous_transaction=previous or digest,
                               data=SimpleNamespace(object_type=object_type, version=1, contents=contents))

    def get_object_with_version(self, object_id: str, version: int):
        """python-sdk/src/lib.rs L758-772 -> obj_to_py_with_ref. The sandbox keeps only current objects, so this
        serves a coin or stake only at the version its last writer gave it (the fake's version = tx seq)."""
        oid = parse_address(object_id)

        async def body():
            writers = await self._last_writers()
            row = await self._net.get_transaction(writers[oid]) if oid in writers else None
            conn = self._net.chain.conn
            coin = conn.execute("SELECT owner, balance FROM coins WHERE id=?", (oid,)).fetchone()
            if row is None or row["seq"] != int(version) or coin is None:
                raise RuntimeError(f'status: NotFound, message: "Object {oid} version {version} not found"' + META)
            obj = self._object(oid, coin[0], "Coin", struct.pack("<Q", coin[1]), row["digest"])
            obj.version = obj.data.version = int(version)
            return obj
        return self._start("get_object_with_version", body)

    def get_transaction(self, digest: str):
        """python-sdk/src/lib.rs L711-718: `to_py_obj(&result.effects)`, the effects only (no sender, kind,
        checkpoint, timestamp or balance changes). Shape: TransactionEffects::V1 (types/src/effects/mod.rs
        L38-98), TransactionFee (types/src/tx_fee.rs L9-19), ExecutionStatus (mod.rs L642-653), changed objects
        as [id, EffectsObjectChange] with ObjectIn::Exist(((version, digest), owner)) / NotExist and
        ObjectOut::ObjectWrite((digest, owner)) (types/src/effects/object_change.rs L55-144), Owner::AddressOwner
        (types/src/object.rs L991-1001). The gas coin is the first mutated object, owned by the sender before."""
        if not isinstance(digest, str) or not digest:
            raise ValueError("Invalid digest")

        async def body():
            try:
                row = await self._net.get_transaction(digest)
            except InvalidInput:
                raise RuntimeError(f'status: NotFound, message: "Transaction {digest} not found"' + META) from None
            return to_ns({"V1": self._tx_effects(row)})
        return self._start("get_transaction", body)

    def _tx_effects(self, row: dict[str, Any]) -> dict[str, Any]:
        sender = (row["sender"] or "0x" + "0" * 64)[2:]
        version, zero = row["seq"], b58encode(bytes(32))
        before = {"Exist": [[version - 1, zero], {"AddressOwner": sender}]}

        def after(oid: str) -> dict[str, Any]:
            return {"ObjectWrite": [zero, {"AddressOwner": self._owner_now(oid, sender)}]}
        changed: list[Any] = []
        for oid in row["mutated"]:
            changed.append([oid, {"input_state": before, "output_state": after(oid), "id_operation": "None"}])
        for oid in row["created"]:
            changed.append([oid, {"input_state": "NotExist", "output_state": after(oid), "id_operation": "Created"}])
        for oid in row["deleted"]:
            changed.append([oid, {"input_state": before, "output_state": "NotExist", "id_operation": "Deleted"}])
        base = min(params.BASE_FEE, row["fee"])
        failure = {"Failure": {"error": row["error"] or "ExecutionFailure"}}
        status: Any = "Success" if row["status"] == "success" else failure
        return {"status": status, "executed_epoch": row["epoch"],
                "transaction_fee": {"base_fee": base, "operation_fee": row["fee"] - base, "value_fee": 0,
                                    "total_fee": row["fee"]},
                "transaction_digest": row["digest"], "gas_object_index": 0 if row["mutated"] else None,
                "dependencies": [], "version": version, "changed_objects": changed, "unchanged_shared_objects": []}

    def _owner_now(self, object_id: str, fallback: str) -> str:
        conn = self._net.chain.conn
        found = conn.execute("SELECT owner FROM coins WHERE id=? UNION ALL SELECT owner FROM staked WHERE id=?",
                             (object_id, object_id)).fetchone()
        return found[0][2:] if found else fallback

    def get_balance(self, address: str):
        parsed = parse_address(address)

        async def body():
            return (await self._net.get_balance(parsed)) / 1e9     # float SOMA, lossy like the SDK
        return self._start("get_balance", body)

    # --- targets -------------------------------------------------------------------------------------
    def list_targets(self, status: str | None = None, claimable: bool = False, epoch: int | None = None,
                     limit: int | None = None, read_mask: str | None = None, submitter: str | None = None,
                     page_token: str | None = None):
        filt = "claimable" if claimable else (status or "open")
        after: str | None = None
        if page_token is not None:
            try:
                token = json.loads(bytes.fromhex(page_token))
            except ValueError as exc:
                raise ValueError(f"invalid page_token hex: {exc}") from None
            after = token.get("after")
            if token.get("status") != filt:
                raise ValueError("page_token parameters do not match request filters")

        async def body():
            if filt.lower() not in TARGET_STATUSES:
                raise RuntimeError(f"status: InvalidArgument, message: \"invalid status_filter: '{filt}'\"")
            current = (await self._net.get_system_state()).epoch
            if filt.lower() == "claimed":
                rows = sorted(self._chain.claimed.values(), key=lambda x: x.id)
            else:
                rows = sorted(await list_all_targets(self._net), key=lambda x: x.id)
            page_size = max(1, min(limit or 100, 1000))
            picked = []
            for target in rows:
                if after is not None and target.id <= after:
                    continue
                label = self._server_status(target, current)
                if not self._matches(filt.lower(), target, current) or (epoch is not None
                                                                       and target.generation_epoch != epoch):
                    continue
                picked.append((target, label))
                if len(picked) > page_size:
                    break
            more = len(picked) > page_size
            picked = picked[:page_size]
            token = None
            if more:
                token = json.dumps({"status": filt, "after": picked[-1][0].id}).encode().hex()
            return to_ns({"targets": [self._target(x, label) for x, label in picked], "next_page_token": token})
        return self._start("list_targets", body)

    @staticmethod
    def _is_filled(target: t.Target) -> bool:
        return target.fill_epoch is not None

    def _matches(self, filt: str, target: t.Target, current: int) -> bool:
        expired = not self._is_filled(target) and target.generation_epoch < current
        filled_claimable = self._is_filled(target) and target.fill_epoch is not None and current > target.fill_epoch + 1
        if filt == "open":
            return not self._is_filled(target) and not expired
        if filt == "expired":
            return expired
        if filt == "filled":
            return self._is_filled(target)
        if filt == "claimable":
            return expired or filled_claimable
        return filt == "claimed" and target.id in self._chain.claimed

    def _server_status(self, target: t.Target, current: int) -> str:
        """The RPC's labels: claimable wins over expired (list_targets.rs)."""
        if target.id in self._chain.claimed:
            return "claimed"
        expired = not self._is_filled(target) and target.generation_epoch < current
        filled_claimable = self._is_filled(target) and target.fill_epoch is not None and current > target.fill_epoch + 1
        if expired or filled_claimable:
            return "claimable"
        return "filled" if self._is_filled(target) else "open"

    @staticmethod
    def _target(x: t.Target, label: str) -> dict[str, Any]:
        return {"id": x.id, "status": label, "embedding": list(x.embedding), "model_ids": list(x.model_ids),
                "distance_threshold": x.distance_threshold, "reward_pool": x.reward_pool,
                "generation_epoch": x.generation_epoch, "bond_amount": x.bond_amount,
                "submitter": x.submitter, "winning_model_id": x.winning_model_id,
                "data_url": x.data_manifest.url if x.data_manifest else None}

    def get_model_manifests(self, model_ids_or_target: Any):
        ids = model_ids_or_target if isinstance(model_ids_or_target, list) else getattr(
            model_ids_or_target, "model_ids", None)
        if ids is None:
            raise ValueError("Expected a list of model ID strings or an object with .model_ids")

        async def body():
            by_id = {m.id: m for m in await self._net.list_models()}
            out = []
            for raw in ids:
                model = by_id.get(parse_address(raw))
                if model is not None and model.manifest is not None:     # unknown ids are silently skipped
                    out.append(to_ns({"url": model.manifest.url, "checksum": b58encode(model.manifest.checksum),
                                      "size": model.manifest.size,
                                      "decryption_key": b58encode(model.decryption_key)
                                      if model.decryption_key else None}))
            return out
        return self._start("get_model_manifests", body)

    # --- faucet, admin, scoring ----------------------------------------------------------------------
    def request_faucet(self, address: str):
        if not self.faucet_url:
            raise RuntimeError("No faucet_url was provided when creating SomaClient")
        parsed = parse_address(address)

        async def body():
            result = await self._net.request_faucet(parsed)
            return to_ns({"status": "Success", "coins_sent": [
                {"amount": params.FAUCET_AMOUNT, "id": cid, "transfer_tx_digest": result.digest}
                for cid in result.created]})
        return self._start("request_faucet", body)

    def advance_epoch(self):
        if not self.admin_url:
            raise RuntimeError("Service not configured: No admin_url was provided when creating SomaClient")

        async def body():
            return (await self._net.advance_epoch()).epoch
        return self._start("advance_epoch", body)

    def scoring_health(self):
        if not self.scoring_url:
            raise RuntimeError("Service not configured: No scoring_url was provided when creating SomaClient")
        return self._start("scoring_health", lambda: self._chain.scoring_up)

    def score(self, data_url: str, models: list[Any], target_embedding: list[float], data: bytes | None = None,
              data_checksum: str | None = None, data_size: int | None = None, seed: int = 0):
        if data is not None:
            data_checksum = data_checksum or b58encode(hashlib.blake2b(data, digest_size=32).digest())
            data_size = data_size if data_size is not None else len(data)
        elif data_checksum is None or data_size is None:
            raise ValueError("Either data or both data_checksum and data_size are required")
        manifests = [{"url": m.url, "checksum": m.checksum, "size": m.size,
                      "decryption_key": getattr(m, "decryption_key", None)} for m in models]
        request = {"data_url": data_url, "data_checksum": data_checksum, "data_size": data_size,
                   "model_manifests": manifests, "target_embedding": [float(v) for v in target_embedding],
                   "seed": seed}
        if not self.scoring_url:
            raise RuntimeError("Service not configured: No scoring_url was provided when creating SomaClient")

        def body():
            if self._chain.scorer is None:
                raise RuntimeError("Scoring error: no scorer configured")
            return SimpleNamespace(**self._chain.scorer(request))
        return self._start("score", body)

    # --- transactions ----------------------------------------------------------------------------------
    def transfer_coin(self, signer: Any, recipient: str, amount: float):
        s, to, shannons = self._signed(signer), parse_address(recipient), to_shannons(amount)
        return self._start("transfer_coin", lambda: self._send(
            "transfer_coin", "TransferCoin", s, self._net.transfer_coin(s, to, shannons)))

    def pay_coins(self, signer: Any, recipients: list[str], amounts: list[float]):
        s = self._signed(signer)
        to = [parse_address(r) for r in recipients]
        shannons = [to_shannons(a) for a in amounts]
        return self._start("pay_coins", lambda: self._send(
            "pay_coins", "PayCoins", s, self._net.pay_coins(s, to, shannons)))

    def merge_coins(self, signer: Any):
        s = self._signed(signer)
        return self._start("merge_coins", lambda: self._send("merge_coins", "MergeCoins", s,
                                                             self._net.merge_coins(s)))

    def add_stake(self, signer: Any, validator: str, amount: float | None = None):
        s, v = self._signed(signer), parse_address(validator)

        async def body():
            shannons = to_shannons(amount) if amount is not None else max(c.balance for c in
                                                                          await self._net.list_coins(s.address))
            return await self._send("add_stake", "AddStake", s, self._net.add_stake(s, v, shannons))
        return self._start("add_stake", body)

    def withdraw_stake(self, signer: Any, staked_soma_id: str):
        s, sid = self._signed(signer), parse_address(staked_soma_id)
        return self._start("withdraw_stake", lambda: self._send(
            "withdraw_stake", "WithdrawStake", s, self._net.withdraw_stake(s, sid)))

    def add_stake_to_model(self, signer: Any, model_id: str, amount: float | None = None):
        s, mid = self._signed(signer), parse_address(model_id)

        async def body():
            shannons = to_shannons(amount) if amount is not None else max(c.balance for c in
                                                                          await self._net.list_coins(s.address))
            return await self._send("add_stake_to_model", "AddStakeToModel", s,
                                    self._net.add_stake_to_model(s, mid, shannons))
        return self._start("add_stake_to_model", body)

    def create_model(self, signer: Any, commission_rate: int, stake_amount: float | None = None):
        s = self._signed(signer)
        if not isinstance(commission_rate, int) or commission_rate < 0:
            raise OverflowError("can't convert negative int to unsigned")
        stake = to_shannons(stake_amount) if stake_amount is not None else params.MODEL_MIN_STAKE

        async def body():
            result = await self._tx("create_model", "CreateModel", s,
                                    self._net.create_model(s, stake, commission_rate))
            return result.model_id
        return self._start("create_model", body)

    def commit_model(self, signer: Any, model_id: str, weights_url: str, encrypted_weights: bytes,
                     decryption_key: str, embedding: list[float]):
        s, mid = self._signed(signer), parse_address(model_id)
        parts = urlsplit(weights_url)
        if not parts.scheme or not (parts.netloc or parts.path):
            raise ValueError("Invalid URL: relative URL without a base")
        key = self._key(decryption_key)
        if not embedding:
            raise ValueError("Embedding cannot be empty")
        data = bytes(encrypted_weights)
        checksum = hashlib.blake2b(data, digest_size=32).digest()
        spec = t.CommitSpec(model_id=mid, manifest=t.Manifest(weights_url, checksum, len(data)),
                            encrypted_path=self._chain.scratch(data), decryption_key=key,
                            embedding_f32=f32_bytes(embedding))
        return self._start("commit_model", lambda: self._send("commit_model", "CommitModel", s,
                                                              self._net.commit_model(s, spec)))

    def reveal_model(self, signer: Any, model_id: str, decryption_key: str, embedding: list[float]):
        s, mid, key = self._signed(signer), parse_address(model_id), self._key(decryption_key)
        if not embedding:
            raise ValueError("Embedding cannot be empty")
        values = list(struct.unpack(f"<{len(embedding)}f", f32_bytes(embedding)))
        return self._start("reveal_model", lambda: self._send(
            "reveal_model", "RevealModel", s, self._net.reveal_model(s, mid, key, values)))

    def deactivate_model(self, signer: Any, model_id: str):
        s, mid = self._signed(signer), parse_address(model_id)
        return self._start("deactivate_model", lambda: self._send(
            "deactivate_model", "DeactivateModel", s, self._net.deactivate_model(s, mid)))

    def set_model_commission_rate(self, signer: Any, model_id: str, new_rate: int):
        s, mid = self._signed(signer), parse_address(model_id)
        return self._start("set_model_commission_rate", lambda: self._send(
            "set_model_commission_rate", "SetModelCommissionRate", s,
            self._net.set_model_commission_rate(s, mid, new_rate)))

    def claim_rewards(self, signer: Any, target_id: str):
        s, tid = self._signed(signer), parse_address(target_id)

        async def body():
            if tid in self._chain.claimed:     # authority/src/execution/submission.rs L619
                raise RuntimeError(f"Transaction failed: ClaimRewards failed (digest: {b58encode(bytes(32))}): "
                                   "Failure { error: TargetAlreadyClaimed }")
            before = next((x for x in await list_all_targets(self._net) if x.id == tid), None)
            out = await self._send("claim_rewards", "ClaimRewards", s, self._net.claim_rewards(s, tid))
            if before is not None:      # types/src/target.rs L450: a claim sets status Claimed, it does not delete
                self._chain.claimed[tid] = before
            return out
        return self._start("claim_rewards", body)

    def submit_data(self, signer: Any, target_id: str, data: bytes, data_url: str, model_id: str,
                    embedding: list[float], distance_score: float, loss_score: list[float]):
        """python-sdk/src/lib.rs L1383-1430: hashes `data` into the manifest; the bond coin is chosen inside."""
        s, tid, mid = self._signed(signer), parse_address(target_id), parse_address(model_id)
        raw = bytes(data)
        parts = urlsplit(data_url)
        if not parts.scheme or not (parts.netloc or parts.path):
            raise ValueError("Invalid URL: relative URL without a base")
        manifest = t.Manifest(data_url, hashlib.blake2b(raw, digest_size=32).digest(), len(raw))
        spec = t.SubmitSpec(target_id=tid, data_manifest=manifest, model_id=mid,
                            embedding=tuple(struct.unpack(f"<{len(embedding)}f", f32_bytes(embedding))),
                            distance_score=float(struct.unpack("<f", struct.pack("<f", distance_score))[0]),
                            loss_score=tuple(float(v) for v in loss_score))
        return self._start("submit_data", lambda: self._send("submit_data", "SubmitData", s,
                                                             self._net.submit_data(s, spec)))

    async def _send(self, name: str, label: str, signer: KeypairSigner, coro: Any) -> Any:
        return self._effects(await self._tx(name, label, signer, coro))

    @staticmethod
    def _key(text: str) -> bytes:
        try:
            key = b58decode(text)
        except ValueError as exc:
            raise ValueError(f"Invalid base58 for decryption-key: {exc}") from None
        if len(key) != 32:
            raise ValueError("decryption-key must be exactly 32 bytes")
        return key
