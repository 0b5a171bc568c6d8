"""`SdkNetwork`: the Network interface over soma-sdk 0.1.15 for testnet, localnet and custom RPC URLs.

Rules from sdk.md §4-§6 that shape this module:
- soma-sdk serialises every RPC per client and a pending transaction holds its client for up to 30 s, so reads
  use one client and transactions another. Faucet, scoring and admin get their own clients because their
  channels connect eagerly: a stopped faucet must not break balance reads.
- soma-sdk has no request timeout (a silent peer hangs 25 s), so every call runs under `asyncio.wait_for`.
  Before a transaction a cheap read proves the node answers (else NetworkUnavailable: nothing was sent);
  a timeout after that point means "sent, outcome unknown" (StatusUnknown). Transactions queue in this
  class, one at a time, so time spent waiting for a turn never counts against a transaction's timeout.
- Amounts cross the boundary as floats chosen to truncate back to the exact shannons (`sdk.amounts`);
  balances come from raw coin contents, never from `get_balance()`'s float.
- Clients are created lazily on first use, so opening a network never fails because it is offline.

Memory and GIL cost of `commit_model`: soma-sdk takes the encrypted weights as one `bytes` object and hashes
them twice (checksum and weights commitment) with the GIL held: 0.43 s per 256 MiB per pass measured here,
so ~3.4 s per GiB during which every other Python thread, the GUI included, is frozen. With the real SDK the
call therefore runs in a child process (`commit_worker`; the key goes through its stdin pipe only), which
holds the whole file in memory once; the parent only streams the file through hashlib (GIL released,
bounded memory) to check it against the manifest. With an injected client (tests) the call runs on a worker
thread with a private event loop instead: the asyncio loop keeps running, but the GIL cost remains.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, TypeVarTuple

from soma_desktop.core.amounts import bps_mul
from soma_desktop.core.crypto import b58encode, decode_key, f32_round
from soma_desktop.core.ids import normalize_id
from soma_desktop.network.account_history import AccountTx
from soma_desktop.network.base import Signer
from soma_desktop.network.errors import (
    InvalidInput,
    NetworkError,
    NetworkUnavailable,
    StatusUnknown,
    TransactionFailed,
    Unsupported,
)
from soma_desktop.network.messages import RETRYABLE_CHAIN_ERRORS
from soma_desktop.network.sdk import decode
from soma_desktop.network.sdk.amounts import sdk_amount
from soma_desktop.network.sdk.classify import StateTooLarge, classify, timeout_error
from soma_desktop.network.sdk.coin_check import CoinAdvice, CoinVerdict, check_coins
from soma_desktop.network.sdk.commit import (
    WORKER_MIN_RATE,
    WORKER_START_S,
    run_commit_worker,
    run_in_private_loop,
    verify_file,
)
from soma_desktop.network.sdk.environments import LOCALNET, TESTNET, Environment, custom_environment
from soma_desktop.network.sdk.history import SdkHistory
from soma_desktop.network.sdk.ledger_rpc import DEFAULT_LIMIT, GET_EPOCH_PATH, get_epoch_request, unary_call
from soma_desktop.network.sdk.ledger_state import LedgerState, decode_epoch_response
from soma_desktop.network.sdk.outcomes import OutcomeTracker, Resolution, Snapshot
from soma_desktop.network.sdk.scoring import (
    RemoteScore,
    WeightsManifest,
    checksum_text,
    embedding_list,
    remote_score,
    sdk_manifests,
)
from soma_desktop.network.sdk.submission import check_submission, read_submission
from soma_desktop.network.sdk.target_object import decode_target
from soma_desktop.network.types import (
    Coin,
    CommitSpec,
    ModelInfo,
    ModelState,
    StakedSoma,
    SubmitSpec,
    SystemState,
    Target,
    TargetPage,
    TargetStatus,
    TxResult,
    Validator,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

ClientFactory = Callable[..., Awaitable[Any]]
HEALTH_TIMEOUT_S = 5.0
SCORE_TIMEOUT_S = 600.0
MAX_PAGE = 1000
# Disjoint server filters that together cover every target; a claim keeps the target with status Claimed
# (types/src/target.rs), so "claimed" is a phase of its own.
ALL_STATUS_PHASES = ("open", "expired", "filled", "claimed")
MAX_COMMISSION_INPUT = 2**64 - 1
_ROLE_URL = {"faucet": "faucet_url", "scoring": "scoring_url", "admin": "admin_url"}


async def _default_factory(rpc_url: str, **urls: str | None) -> Any:
    from soma_sdk import SomaClient

    return await SomaClient(rpc_url, **{k: v for k, v in urls.items() if v})


def _default_keypair(secret: bytes) -> Any:
    from soma_sdk import Keypair

    return Keypair.from_secret_key(secret)


def _bare(text: str, field: str) -> str:
    try:
        return normalize_id(text)[2:]
    except (ValueError, AttributeError):
        raise InvalidInput(f"Not a SOMA address or id: {str(text)[:80]!r}", field=field) from None


def _full(text: str, field: str) -> str:
    return "0x" + _bare(text, field)


class SdkNetwork:
    """A real SOMA chain reached through soma-sdk. Safe to use from one asyncio loop."""

    is_sandbox = False
    _too_large: StateTooLarge | None = None   # set once soma-sdk could not read the state: read it directly after
    state_limit = DEFAULT_LIMIT    # the largest system state answer the app's own reader accepts (ledger_rpc.py)
    can_submit_data = True         # submit_data: checksum and size from the hosted bytes (submission.py)

    def __init__(self, env: Environment, *, timeout_s: float = 20.0, tx_timeout_s: float = 60.0,
                 client_factory: ClientFactory | None = None,
                 keypair_factory: Callable[[bytes], Any] | None = None,
                 commit_in_subprocess: bool | None = None, outcomes_path: Path | None = None):
        if not (timeout_s > 0 and tx_timeout_s > 0):
            raise InvalidInput("Timeouts must be positive", field="timeout")
        self.env = env
        self.name = env.name
        self.has_faucet = bool(env.faucet_url)
        self.can_advance_epoch = bool(env.admin_url)
        self.has_scoring = bool(env.scoring_url)
        self.timeout_s = float(timeout_s)
        self.tx_timeout_s = float(tx_timeout_s)
        self.last_error: str | None = None
        self._factory = client_factory or _default_factory
        self._keypair_factory = keypair_factory or _default_keypair
        # The child process builds its own soma-sdk client, so it only applies to the real SDK.
        self._commit_in_subprocess = client_factory is None if commit_in_subprocess is None else commit_in_subprocess
        self._clients: dict[str, Any] = {}
        self._client_locks: dict[str, asyncio.Lock] = {}
        self._tx_lock: asyncio.Lock | None = None
        self.outcomes = OutcomeTracker(path=outcomes_path)
        self.history = SdkHistory(self._read)
        self.chain_identifier: str | None = None
        self._fees: SystemState | None = None      # the last system state read: fee parameters for coin checks

    def __repr__(self) -> str:
        return f"SdkNetwork({self.name!r}, {self.env.rpc_url!r})"

    # --- plumbing -----------------------------------------------------------------------------

    async def _client(self, role: str) -> Any:
        client = self._clients.get(role)
        if client is not None:
            return client
        urls: dict[str, str | None] = {}
        if role in _ROLE_URL:
            url = getattr(self.env, _ROLE_URL[role])
            if not url:
                raise Unsupported(f"{self.name} has no {role} service configured")
            urls[_ROLE_URL[role]] = url
        lock = self._client_locks.setdefault(role, asyncio.Lock())
        async with lock:
            if role not in self._clients:
                endpoint = urls.get(_ROLE_URL.get(role, "")) or self.env.rpc_url
                try:
                    self._clients[role] = await asyncio.wait_for(self._factory(self.env.rpc_url, **urls),
                                                                 self.timeout_s)
                except TimeoutError:
                    raise self._note(timeout_error(self.timeout_s, transaction=False, endpoint=endpoint)) from None
                except (RuntimeError, ValueError) as exc:
                    raise self._note(classify(exc, transaction=False, endpoint=endpoint)) from exc
            return self._clients[role]

    def _note(self, err: BaseException) -> BaseException:
        if isinstance(err, NetworkUnavailable):
            self.last_error = str(err)
        return err

    async def _invoke(self, client: Any, method: str, args: Sequence[Any], kwargs: dict[str, Any], *,
                      timeout: float, transaction: bool, endpoint: str | None = None) -> Any:  # noqa: ASYNC109 — wait_for below
        endpoint = endpoint or self.env.rpc_url

        async def start() -> Any:
            return await getattr(client, method)(*args, **kwargs)
        try:
            result = await asyncio.wait_for(start(), timeout)
        except TimeoutError:
            raise self._note(timeout_error(timeout, transaction=transaction, endpoint=endpoint)) from None
        except (RuntimeError, ValueError) as exc:
            err = classify(exc, transaction=transaction, endpoint=endpoint)
            if err is exc:
                raise
            raise self._note(err) from exc
        self.last_error = None
        return result

    async def _read(self, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:  # noqa: ASYNC109
        client = await self._client("poll")
        return await self._invoke(client, method, args, kwargs, timeout=timeout or self.timeout_s,
                                  transaction=False)

    def _keypair(self, signer: Signer) -> Any:
        """An SDK Keypair built in memory from the vault's key; never logged, never stored."""
        try:
            keypair = self._keypair_factory(bytes(signer.secret_key()))
        except (ValueError, RuntimeError, TypeError):
            raise InvalidInput("The account's key is not a valid Ed25519 secret key", field="signer") from None
        if _full(keypair.address(), "signer") != _full(signer.address, "signer"):
            raise InvalidInput("The account's key does not match its address", field="signer")
        return keypair

    async def _preflight(self) -> None:
        """A cheap read proving the node answers, so that a later timeout means 'sent, outcome unknown'
        rather than 'never reached'. It uses the polling client: the transaction client may be busy.
        It also proves the node serves the chain the user chose: never sign for the wrong chain."""
        self._check_chain(await self._read("get_chain_identifier"))

    def _check_chain(self, identifier: Any) -> None:
        """`get_chain_identifier()` returns the chain's name (sdk.md §2.5); a preset must match it."""
        self.chain_identifier = str(identifier)
        expected = self.env.key if self.env.key in ("testnet", "localnet") else None
        if expected and self.chain_identifier.lower() != expected:
            raise NetworkUnavailable(f"{self.env.rpc_url} serves the chain {self.chain_identifier[:40]!r}, not "
                                     f"{expected}; check the network settings. Nothing was sent.")

    async def identity(self) -> tuple[str, int]:
        """(chain identifier, current epoch): remember it per network to notice a reset later."""
        await self._preflight()
        return str(self.chain_identifier), int(decode.get(await self._read("get_epoch"), "epoch"))

    @staticmethod
    def reset_warning(previous: tuple[str, int] | None, now: tuple[str, int]) -> str:
        """Non-empty when the chain looks reset since `previous` (same name, epoch went back; testnet resets)."""
        if previous is None or previous[0] != now[0] or now[1] >= previous[1]:
            return ""
        return (f"{now[0]} is back at epoch {now[1]} (it was at {previous[1]}): the network was reset. Balances, "
                "stakes and models from before are gone; publish jobs of the old chain cannot complete.")

    def _tx_turn(self) -> asyncio.Lock:
        """One transaction at a time, queued here rather than inside soma-sdk, so that the timeout that turns
        into StatusUnknown only starts once our transaction is actually being sent."""
        if self._tx_lock is None:
            self._tx_lock = asyncio.Lock()
        return self._tx_lock

    async def _tx(self, method: str, signer: Signer, *args: Any) -> Any:
        keypair = self._keypair(signer)
        await self._preflight()
        async with self._tx_turn():
            async def send(client: Any) -> Any:
                return await self._invoke(client, method, (keypair, *args), {}, timeout=self.tx_timeout_s,
                                          transaction=True)
            return await self._guarded_send(method, signer, send)

    async def _guarded_send(self, method: str, signer: Signer, send: Callable[[Any], Awaitable[Any]]) -> Any:
        """Send once the account has no unresolved transaction; after an unknown outcome (or a cancellation)
        replace the transaction client and remember what the chain looked like before, to resolve it later.

        soma-sdk reserves the gas coin in its client (`in_flight_coins`) and releases it only when the call
        returns: a call cancelled by our timeout leaves the coin reserved for the life of that client, so an
        account with one coin would get "No available gas coin … (excluded 1 locked coins)" until restart."""
        sender = _bare(signer.address, "signer")
        await self._block_unresolved(sender)
        before = await self._snapshot(sender)
        client = await self._client("tx")
        try:
            return await send(client)
        except StatusUnknown as exc:
            self._drop_client("tx", client)
            self.outcomes.record(method, sender, before, str(exc))
            raise
        except asyncio.CancelledError:
            self._drop_client("tx", client)
            self.outcomes.record(method, sender, before, "cancelled while waiting for the network")
            raise

    def _drop_client(self, role: str, client: Any) -> None:
        if self._clients.get(role) is client:
            del self._clients[role]

    async def _snapshot(self, sender: str) -> Snapshot:
        """Coin references and staked objects of `sender` plus the epoch (outcomes.py says why these)."""
        objects = await self._read("list_owned_objects", sender)
        refs, staked = set(), set()
        for obj in objects:
            kind = str(decode.get(decode.get(obj, "data"), "object_type", ""))
            oid = normalize_id(str(decode.get(obj, "id")))
            if kind.lower() == "coin":
                refs.add((oid, int(decode.get(obj, "version", 0) or 0), str(decode.get(obj, "digest", ""))))
            elif "staked" in kind.lower():
                staked.add(oid)
        epoch = int(decode.get(await self._read("get_epoch"), "epoch"))
        return Snapshot(epoch, frozenset(refs), frozenset(staked))

    async def resolve_outcome(self, address: str) -> Resolution | None:
        """Re-read chain state for `address`'s unresolved transaction; its Resolution once decided."""
        sender = _bare(address, "address")
        if self.outcomes.pending(sender) is None:
            return None
        return self.outcomes.decide(sender, await self._snapshot(sender))

    def unresolved(self, address: str) -> str | None:
        """The kind of `address`'s unresolved transaction (None when every outcome is known)."""
        entry = self.outcomes.pending(_bare(address, "address"))
        return entry.kind if entry else None

    async def _block_unresolved(self, sender: str) -> None:
        entry = self.outcomes.pending(sender)
        if entry is None or await self.resolve_outcome(sender) is not None:
            return
        raise StatusUnknown(f"An earlier {entry.kind.replace('_', ' ')} from this account has no known outcome "
                            "yet; nothing was sent. The app re-checks the chain; try again once it is resolved.")

    async def _effects(self, method: str, signer: Signer, *args: Any) -> TxResult:
        try:
            result = await self._tx(method, signer, *args)
        except TransactionFailed as exc:
            # Lock conflicts were already retried five times inside soma-sdk (sdk/src/lib.rs L445).
            if exc.error_name not in RETRYABLE_CHAIN_ERRORS or exc.error_name == "ObjectLockConflict":
                raise
            # The chain cancelled it without effects (congestion): sending the same transaction again is safe.
            log.info("%s cancelled (%s); sending it once more", method, exc.error_name)
            result = await self._tx(method, signer, *args)
        failure = self._decode(decode.execution_failure, result)
        if failure:
            raise TransactionFailed(failure)
        tx: TxResult = self._decode(decode.effects, result)
        self.history.note_sent(signer.address, tx.digest, method)
        return tx

    async def list_account_transactions(self, address: str, limit: int = 200) -> list[AccountTx]:
        """AccountHistorySource, rebuilt from owned objects and effects (history.py says what it misses)."""
        try:
            return await self.history.account_transactions(_full(address, "address"), limit)
        except (TypeError, KeyError, IndexError) as exc:
            raise NetworkError(f"Unexpected answer from {self.name} (soma-sdk shape changed?): {exc}") from exc

    def _decode(self, fn: Callable[[*Ts], T], *args: *Ts) -> T:
        try:
            return fn(*args)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise NetworkError(f"Unexpected answer from {self.name} (soma-sdk shape changed?): {exc}") from exc

    # --- chain --------------------------------------------------------------------------------

    async def _raw_state(self) -> Any:
        """soma-sdk's system state, or our own decoding of it when the SDK cannot read one over 4 MiB."""
        if self._too_large is not None:              # registries only grow: skip a 4 MiB download that fails
            return await self._ledger_state(self._too_large)
        try:
            return await self._read("get_latest_system_state")
        except StateTooLarge as too_large:
            self._too_large = too_large
            return await self._ledger_state(too_large)

    async def _ledger_state(self, too_large: StateTooLarge) -> LedgerState:
        """The SDK's own GetEpoch request, sent by the app (ledger_rpc.py) with a larger answer limit."""
        timeout = max(self.timeout_s, self.tx_timeout_s)          # a big answer: the longer of the two limits
        try:
            answer = await asyncio.wait_for(unary_call(self.env.rpc_url, GET_EPOCH_PATH, get_epoch_request(),
                                                       timeout=timeout, limit=self.state_limit), timeout)
            return await asyncio.to_thread(decode_epoch_response, answer, self.env.chain)
        except TimeoutError:
            raise self._note(timeout_error(timeout, transaction=False, endpoint=self.env.rpc_url)) from None
        except ValueError as exc:                                   # WireError, bad ids: a malformed answer
            raise NetworkError(f"Unexpected system state answer from {self.name}: {str(exc)[:200]}") from None
        except NetworkError as exc:
            kind = NetworkUnavailable if isinstance(exc, NetworkUnavailable) else NetworkError
            raise self._note(kind(f"{too_large} Reading it directly failed too: {exc}")) from None

    async def get_system_state(self) -> SystemState:
        raw = await self._raw_state()
        state = raw.system if isinstance(raw, LedgerState) else self._decode(decode.system_state, raw, self.env.chain)
        self._fees = state
        return state

    async def health(self) -> bool:
        """A cheap read with a short timeout; `last_error` says why when it returns False."""
        try:
            self._check_chain(await self._read("get_chain_identifier", timeout=min(self.timeout_s, HEALTH_TIMEOUT_S)))
        except NetworkError as exc:
            self.last_error = str(exc)
            return False
        return True

    async def advance_epoch(self) -> SystemState:
        """Localnet only: asks the admin service to close the epoch, then returns the new state."""
        client = await self._client("admin")
        before = (await self.get_system_state()).epoch
        try:
            await self._invoke(client, "advance_epoch", (), {}, timeout=self.tx_timeout_s, transaction=False,
                               endpoint=self.env.admin_url)
        except NetworkUnavailable:
            state = await self.get_system_state()   # the admin call may have landed before the timeout
            if state.epoch == before:
                raise
            return state
        return await self.get_system_state()

    async def close(self) -> None:
        # soma-sdk clients have no close(); dropping them releases their channels.
        self._clients.clear()

    # --- wallet -------------------------------------------------------------------------------

    async def list_coins(self, address: str) -> list[Coin]:
        objects = await self._read("list_owned_objects", _bare(address, "address"), "coin")
        return self._decode(decode.coins, objects)

    async def get_balance(self, address: str) -> int:
        """Exact: the sum of raw coin balances (get_balance() is a lossy float)."""
        return sum(coin.balance for coin in await self.list_coins(address))

    async def request_faucet(self, address: str) -> TxResult:
        bare = _bare(address, "address")
        client = await self._client("faucet")
        # Classified as a read: asking the faucet twice is harmless, so a timeout just means "unreachable".
        reply = await self._invoke(client, "request_faucet", (bare,), {}, timeout=self.tx_timeout_s,
                                   transaction=False, endpoint=self.env.faucet_url)
        status = str(self._decode(decode.get, reply, "status"))
        if status != "Success":
            raise TransactionFailed("FaucetFailed", f"The faucet answered {status[:120]!r}")
        sent = self._decode(decode.get, reply, "coins_sent")
        digests = [str(decode.get(c, "transfer_tx_digest", "")) for c in sent]
        return TxResult(digest=digests[0] if digests else "", fee=0,
                        created=tuple(normalize_id(decode.get(c, "id")) for c in sent))

    def fee_bound(self, amount: int) -> int | None:
        """An upper bound of a simple transaction's fee from the last system state read (None before any)."""
        state = self._fees
        if state is None:
            return None
        return state.base_fee + 4 * state.write_object_fee + bps_mul(amount, state.value_fee_bps)

    async def _coins_first(self, signer: Signer, amount: int, *, amount_from_gas: bool = False) -> None:
        """Refuse (nothing sent) when soma-sdk's random gas pick could land on a coin that cannot pay."""
        fee = self.fee_bound(amount)
        if fee is None:
            return
        verdict = await self.check_coins(signer.address, amount, fee, amount_from_gas=amount_from_gas)
        if verdict.advice is CoinAdvice.MERGE_FIRST:
            raise InvalidInput(verdict.reason, field="merge_first")
        if verdict.advice is CoinAdvice.DUST_RISK:
            log.info("sending despite a dust coin: %s", verdict.reason)

    async def check_coins(self, address: str, amount: int, fee: int, *, amount_from_gas: bool = False) -> CoinVerdict:
        """Before a transaction: can every coin soma-sdk may pick pay `fee`, and one coin hold `amount`?"""
        coins = await self.list_coins(address)
        return check_coins([c.balance for c in coins], amount, fee, amount_from_gas=amount_from_gas)

    async def transfer_coin(self, signer: Signer, recipient: str, amount: int) -> TxResult:
        await self._coins_first(signer, amount)
        return await self._effects("transfer_coin", signer, _bare(recipient, "recipient"), sdk_amount(amount))

    async def pay_coins(self, signer: Signer, recipients: Sequence[str], amounts: Sequence[int]) -> TxResult:
        if not recipients or len(recipients) != len(amounts):
            raise InvalidInput("Give one amount per recipient", field="amounts")
        await self._coins_first(signer, sum(int(a) for a in amounts if isinstance(a, int)))
        return await self._effects("pay_coins", signer, [_bare(r, "recipients") for r in recipients],
                                   [sdk_amount(a, field="amounts") for a in amounts])

    async def merge_coins(self, signer: Signer) -> TxResult:
        return await self._effects("merge_coins", signer)

    # --- staking ------------------------------------------------------------------------------

    async def get_validators(self) -> list[Validator]:
        raw = await self._raw_state()
        return raw.validators if isinstance(raw, LedgerState) else self._decode(decode.validators, raw)

    async def list_staked_soma(self, address: str) -> list[StakedSoma]:
        objects = await self._read("list_owned_objects", _bare(address, "address"), "staked_soma")
        return self._decode(decode.staked, objects)

    async def add_stake(self, signer: Signer, validator: str, amount: int) -> TxResult:
        # Never pass None: soma-sdk would stake the whole richest coin (sdk.md §3).
        await self._coins_first(signer, amount, amount_from_gas=True)        # protocol.md Errata 7
        return await self._effects("add_stake", signer, _bare(validator, "validator"), sdk_amount(amount))

    async def withdraw_stake(self, signer: Signer, staked_soma_id: str) -> TxResult:
        return await self._effects("withdraw_stake", signer, _full(staked_soma_id, "staked_soma_id"))

    async def add_stake_to_model(self, signer: Signer, model_id: str, amount: int) -> TxResult:
        await self._coins_first(signer, amount, amount_from_gas=True)
        return await self._effects("add_stake_to_model", signer, _full(model_id, "model_id"), sdk_amount(amount))

    # --- models -------------------------------------------------------------------------------

    async def list_models(self) -> list[ModelInfo]:
        """Every model in the registry (Created, Pending, Active, Inactive), decoded from system state."""
        raw = await self._raw_state()
        return raw.models if isinstance(raw, LedgerState) else self._decode(decode.models, raw)

    async def get_model(self, model_id: str) -> ModelInfo:
        wanted = _full(model_id, "model_id")
        for info in await self.list_models():
            if info.id == wanted:
                return info
        raise InvalidInput(f"No model {wanted} on {self.name}", field="model_id")

    async def _created_models_of(self, owner: str) -> set[str]:
        return {m.id for m in await self.list_models() if m.owner == owner and m.state is ModelState.CREATED}

    async def recover_created_model(self, owner: str, known: set[str]) -> str | None:
        """After an unconfirmed CreateModel: the one new Created model of `owner`, if the chain shows exactly one."""
        fresh = await self._created_models_of(_full(owner, "owner")) - known
        return next(iter(fresh)) if len(fresh) == 1 else None

    async def create_model(self, signer: Signer, stake_amount: int, commission_rate: int) -> TxResult:
        if not isinstance(commission_rate, int) or not 0 <= commission_rate <= MAX_COMMISSION_INPUT:
            raise InvalidInput("Commission is a whole number of basis points", field="commission_rate")
        stake = sdk_amount(stake_amount, field="stake_amount")
        owner = _full(signer.address, "signer")
        await self._coins_first(signer, stake_amount, amount_from_gas=True)   # the stake comes from the gas coin
        known = await self._created_models_of(owner)
        try:
            model_id = await self._tx("create_model", signer, commission_rate, stake)
        except StatusUnknown as unknown:
            model_id = await self._recover_or_raise(owner, known, unknown)
        model_id = _full(str(model_id), "model_id")
        # soma-sdk returns only the id (derive_id(digest, 0)); the digest and fee are not exposed.
        return TxResult(digest="", fee=0, created=(model_id,), model_id=model_id)

    async def _recover_or_raise(self, owner: str, known: set[str], unknown: StatusUnknown) -> str:
        try:
            found = await self.recover_created_model(owner, known)
        except NetworkError:
            found = None
        if found is None:
            raise unknown
        log.info("recovered model id %s after an unconfirmed CreateModel", found)
        sender = _bare(owner, "owner")
        self.outcomes.settle(sender, Resolution("create_model", sender, True,
                                                f"Create model executed: model {found} is on chain."))
        return found

    async def commit_model(self, signer: Signer, spec: CommitSpec) -> TxResult:
        """CommitModel with the exact hosted ciphertext at `spec.encrypted_path` (see the module docstring for
        why it runs in a child process)."""
        model_id = _full(spec.model_id, "model_id")
        try:
            key_text = b58encode(decode_key(spec.decryption_key))
        except ValueError:
            raise InvalidInput("The decryption key must be 32 bytes", field="decryption_key") from None
        embedding = list(spec.embedding)
        if not embedding or not all(math.isfinite(v) for v in embedding):
            raise InvalidInput("The embedding must be a non-empty list of finite numbers", field="embedding")
        path = Path(spec.encrypted_path)
        await asyncio.to_thread(verify_file, path, spec.manifest.size, spec.manifest.checksum)
        args = (model_id, spec.manifest.url, path, key_text, embedding)
        keypair = self._keypair(signer)
        await self._preflight()
        async with self._tx_turn():
            async def send(client: Any) -> Any:
                if self._commit_in_subprocess:
                    return await self._commit_in_child(signer, *args)
                return await self._commit_in_thread(client, keypair, *args)
            result = await self._guarded_send("commit_model", signer, send)
        failure = self._decode(decode.execution_failure, result)
        if failure:
            raise TransactionFailed(failure)
        return self._decode(decode.effects, result)

    async def _commit_in_thread(self, client: Any, keypair: Any, model_id: str, url: str, path: Path,
                                key_text: str, embedding: list[float]) -> Any:
        data = await asyncio.to_thread(path.read_bytes)
        start = functools.partial(client.commit_model, keypair, model_id, url, data, key_text, embedding)
        try:
            return await asyncio.to_thread(run_in_private_loop, start, self.tx_timeout_s)
        except TimeoutError:
            raise self._note(timeout_error(self.tx_timeout_s, transaction=True, endpoint=self.env.rpc_url)) from None
        except (RuntimeError, ValueError) as exc:
            err = classify(exc, transaction=True, endpoint=self.env.rpc_url)
            if err is exc:
                raise
            raise err from exc

    async def _commit_in_child(self, signer: Signer, model_id: str, url: str, path: Path, key_text: str,
                               embedding: list[float]) -> Any:
        request = {"rpc_url": self.env.rpc_url, "model_id": model_id, "weights_url": url, "path": str(path),
                   "decryption_key": key_text, "embedding": embedding, "timeout_s": self.tx_timeout_s,
                   "secret_hex": bytes(signer.secret_key()).hex()}
        reply = await run_commit_worker(json.dumps(request).encode(),
                                        2 * self.tx_timeout_s + WORKER_START_S + path.stat().st_size / WORKER_MIN_RATE)  # noqa: ASYNC240 — one stat
        del request
        if "ok" in reply:
            return reply["ok"]
        error = reply.get("error") or {}
        kind, message = error.get("type"), str(error.get("message", ""))
        if kind == "TimeoutError":
            raise self._note(timeout_error(self.tx_timeout_s, transaction=True, endpoint=self.env.rpc_url))
        exc = ValueError(message) if kind == "ValueError" else RuntimeError(message)
        raise self._note(classify(exc, transaction=True, endpoint=self.env.rpc_url))

    async def reveal_model(self, signer: Signer, model_id: str, decryption_key: bytes,
                           embedding: Sequence[float]) -> TxResult:
        try:
            key_text = b58encode(decode_key(decryption_key))
        except ValueError:
            raise InvalidInput("The decryption key must be 32 bytes", field="decryption_key") from None
        values = list(f32_round(embedding))
        if not values or not all(math.isfinite(v) for v in values):
            raise InvalidInput("The embedding must be a non-empty list of finite numbers", field="embedding")
        return await self._effects("reveal_model", signer, _full(model_id, "model_id"), key_text, values)

    async def deactivate_model(self, signer: Signer, model_id: str) -> TxResult:
        return await self._effects("deactivate_model", signer, _full(model_id, "model_id"))

    async def set_model_commission_rate(self, signer: Signer, model_id: str, new_rate: int) -> TxResult:
        if not isinstance(new_rate, int) or not 0 <= new_rate <= MAX_COMMISSION_INPUT:
            raise InvalidInput("Commission is a whole number of basis points", field="new_rate")
        return await self._effects("set_model_commission_rate", signer, _full(model_id, "model_id"), new_rate)

    # --- targets ------------------------------------------------------------------------------

    async def list_targets(self, status: TargetStatus | None = None, page_token: str | None = None,
                           limit: int = 100) -> TargetPage:
        """One page. `status=None` walks open, expired and filled in turn (soma-sdk has no 'all' filter);
        the token then carries the phase: '<phase>:<server token hex>'."""
        limit = max(1, min(int(limit), MAX_PAGE))
        if status is not None:
            return await self._target_page(TargetStatus(status).value, page_token, limit)
        phase, token = self._parse_all_token(page_token)
        targets: list[Target] = []
        while phase < len(ALL_STATUS_PHASES) and len(targets) < limit:
            page = await self._target_page(ALL_STATUS_PHASES[phase], token, limit - len(targets))
            targets.extend(page.targets)
            if page.next_page_token:
                return TargetPage(targets, f"{phase}:{page.next_page_token}")
            phase, token = phase + 1, None
        return TargetPage(targets, f"{phase}:" if phase < len(ALL_STATUS_PHASES) else None)

    @staticmethod
    def _parse_all_token(page_token: str | None) -> tuple[int, str | None]:
        if not page_token:
            return 0, None
        head, sep, tail = page_token.partition(":")
        if not sep or not head.isdigit() or not 0 <= int(head) < len(ALL_STATUS_PHASES):
            raise InvalidInput("Invalid page token", field="page_token")
        return int(head), tail or None

    async def _target_page(self, status: str, page_token: str | None, limit: int) -> TargetPage:
        reply = await self._read("list_targets", status=status, limit=limit, page_token=page_token)
        targets = self._decode(lambda r: [decode.target(t) for t in decode.get(r, "targets")], reply)
        token = decode.get(reply, "next_page_token", None)
        return TargetPage(targets, str(token) if token else None)

    async def get_target(self, target_id: str) -> Target:
        """soma-sdk has no GetTarget: read the target object itself (`get_object`) and decode its BCS."""
        wanted = _full(target_id, "target_id")
        try:
            obj = await self._read("get_object", wanted)
        except InvalidInput:
            raise InvalidInput(f"No target {wanted} on {self.name}", field="target_id") from None
        data = decode.get(obj, "data", None)
        if data is None or str(decode.get(data, "object_type", "")).lower() != "target":
            raise InvalidInput(f"{wanted} is not a target on {self.name}", field="target_id")
        epoch = int(decode.get(await self._read("get_epoch"), "epoch"))
        return self._decode(decode_target, wanted, decode.raw_bytes(decode.get(data, "contents")), epoch)

    async def submit_data(self, signer: Signer, spec: SubmitSpec) -> TxResult:
        """SubmitData. soma-sdk takes the bytes only to hash them (checksum and size go on chain; validators
        download the data from the manifest URL), so the hosted file is read back here (<= 1 MiB) and must
        match the manifest. The distance is checked against the target before anything is sent: a far
        submission fails on chain (DistanceExceedsThreshold) and costs the fee."""
        target_id, model_id = _full(spec.target_id, "target_id"), _full(spec.model_id, "model_id")
        data = await asyncio.to_thread(read_submission, spec)
        target = await self.get_target(target_id)
        check_submission(spec, target, model_id)
        embedding = list(f32_round(spec.embedding))
        return await self._effects("submit_data", signer, target_id, data, spec.data_manifest.url, model_id,
                                   embedding, float(spec.distance_score), [float(v) for v in spec.loss_score])

    async def claim_rewards(self, signer: Signer, target_id: str) -> TxResult:
        return await self._effects("claim_rewards", signer, _full(target_id, "target_id"))

    # --- remote scoring -----------------------------------------------------------------------

    async def weights_manifests(self, model_ids: Sequence[str]) -> list[WeightsManifest]:
        """Manifests and revealed keys of the given models, in order, for `score_remote`."""
        by_id = {m.id: m for m in await self.list_models()}
        out = []
        for raw in model_ids:
            info = by_id.get(_full(raw, "models"))
            if info is None or info.manifest is None or info.decryption_key is None:
                raise InvalidInput(f"Model {str(raw)[:80]} has no revealed weights on {self.name}", field="models")
            out.append(WeightsManifest(info.manifest, info.decryption_key, info.id))
        return out

    async def scoring_health(self) -> bool:
        try:
            client = await self._client("scoring")
            return bool(await self._invoke(client, "scoring_health", (), {}, endpoint=self.env.scoring_url,
                                           timeout=min(self.timeout_s, HEALTH_TIMEOUT_S), transaction=False))
        except NetworkError:
            return False

    async def score_remote(self, data_url: str, manifests: Sequence[WeightsManifest],
                           target_embedding: Sequence[float], data_checksum: bytes | str, data_size: int,
                           seed: int = 0, *, timeout_s: float = SCORE_TIMEOUT_S) -> RemoteScore:
        """Ask the scoring service to download `data_url` and the models and score them; only the winner's
        loss and distance come back (scoring.md §4.5). The service fetches over HTTP with Range requests."""
        from soma_desktop.network.sdk.environments import validate_url

        if not self.env.scoring_url:
            raise Unsupported(f"{self.name} has no scoring service configured")
        url = validate_url(data_url, what="data URL")
        if not isinstance(data_size, int) or data_size <= 0:
            raise InvalidInput("The data size must be a positive number of bytes", field="data_size")
        if not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise InvalidInput("The seed must be a non-negative integer", field="seed")
        models, checksum = sdk_manifests(manifests), checksum_text(data_checksum)
        embedding = embedding_list(target_embedding)
        client = await self._client("scoring")
        result = await self._invoke(client, "score", (url, models, embedding),
                                    {"data_checksum": checksum, "data_size": data_size, "seed": seed},
                                    timeout=timeout_s, transaction=False, endpoint=self.env.scoring_url)
        return self._decode(remote_score, result, list(manifests))


async def open_sdk_network(preset_or_url: str | Environment, *, faucet_url: str | None = None,
                           scoring_url: str | None = None, admin_url: str | None = None,
                           timeout_s: float = 20.0, tx_timeout_s: float = 60.0,
                           client_factory: ClientFactory | None = None,
                           outcomes_path: Path | None = None) -> SdkNetwork:
    """'testnet', 'localnet', 'env:<alias>' (client.yaml), an Environment or an http(s) RPC URL. The URL
    arguments override the preset's. No I/O happens here: clients connect on first use, so an offline
    network opens fine and reports NetworkUnavailable per call."""
    env = _resolve(preset_or_url, faucet_url=faucet_url, scoring_url=scoring_url, admin_url=admin_url)
    return SdkNetwork(env, timeout_s=timeout_s, tx_timeout_s=tx_timeout_s, client_factory=client_factory,
                      outcomes_path=outcomes_path)


def _resolve(preset_or_url: str | Environment, **overrides: str | None) -> Environment:
    from dataclasses import replace

    from soma_desktop.network.sdk.environments import validate_url

    if isinstance(preset_or_url, Environment):
        base = preset_or_url
    else:
        text = str(preset_or_url or "").strip()
        presets = {"testnet": TESTNET, "localnet": LOCALNET}
        if text.lower() in presets:
            base = presets[text.lower()]
        elif text.lower().startswith("env:"):
            from soma_desktop.network.sdk.environments import load_environments

            found = {env.key: env for env in load_environments()}.get("env:" + text[4:])
            if found is None:
                raise InvalidInput(f"No environment named {text[4:]!r} in the SOMA CLI's client.yaml",
                                   field="network")
            base = found
        elif text.lower() == "sandbox":
            raise InvalidInput("The sandbox is not reached through soma-sdk", field="network")
        else:
            return custom_environment(text, **overrides)
    if base.is_sandbox:
        raise InvalidInput("The sandbox is not reached through soma-sdk", field="network")
    changes = {k: validate_url(v, what=k.replace("_", " ")) for k, v in overrides.items() if v}
    return replace(base, **changes) if changes else base  # type: ignore[arg-type]  # only str URL fields
