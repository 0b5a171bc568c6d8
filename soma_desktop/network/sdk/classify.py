"""Turn soma-sdk's exceptions into our typed errors (sdk.md §5).

soma-sdk raises only `ValueError` (bad arguments, nothing sent) and `RuntimeError` (everything else), so the
class is decided from the message text, in the order sdk.md §5 recommends. Messages never carry secrets
(the SDK does not echo keys), but they are trimmed of gRPC metadata noise before reaching a user.
"""

from __future__ import annotations

import re

from soma_desktop.network.errors import (
    InvalidInput,
    NetworkError,
    NetworkUnavailable,
    StatusUnknown,
    TransactionFailed,
    Unsupported,
)
from soma_desktop.network.messages import CHAIN_ERRORS


class StateTooLarge(NetworkError):
    """soma-sdk could not read the system state: its answer is over tonic's 4 MiB decode limit. The adapter
    then reads it itself (ledger_rpc.py); this class lets it react to exactly this failure and nothing else."""


_FAILED_NAME = re.compile(r"error:\s*([A-Za-z_][A-Za-z0-9_]*)")
_DIGEST = re.compile(r"\(digest:\s*([1-9A-HJ-NP-Za-km-z]{20,60})\)")
_METADATA_TAIL = re.compile(r",\s*details:.*$", re.DOTALL)

_OFFLINE_MARKERS = ("status: Unavailable", "tcp connect error", "http2 error", "transport error",
                    "connection refused", "dns error", "Connection reset", "broken pipe",
                    "Error initializing RPC client", "validators failed", "Network error")
_LOCK_MARKERS = ("already locked", "ObjectLockConflict", "not available for consumption")
_NOT_CONFIGURED = ("No faucet_url was provided", "Service not configured", "No admin_url", "No scoring_url")
_NO_GAS = ("No coin found for", "No available gas coin")
# The status codes under which the fullnode refuses a transaction before any validator executed it
# (rpc/src/api/error.rs: InvalidArgument for bad inputs and signatures, FailedPrecondition for lock conflicts
# and objects used twice); every other code (Internal, Unavailable "timed-out before finality", AlreadyExists
# "already being processed", Aborted, Unknown transport errors) leaves the outcome open.
REJECTED_CODES = frozenset({"InvalidArgument", "FailedPrecondition", "PermissionDenied"})
_STATUS = re.compile(r"status:\s*'?([A-Za-z]+)'?")
_NODE_STATUS = re.compile(r"(?<![A-Za-z])RPC error: status:\s*'?([A-Za-z]+)'?")
_LOCKED_COINS = re.compile(r"excluded (\d+) locked coins")


def clean_message(text: str, limit: int = 300) -> str:
    """Drop tonic's `details: [], metadata: MetadataMap {...}` tail and cap the length."""
    text = _METADATA_TAIL.sub("", text.strip())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def parse_failure(message: str) -> tuple[str, str | None]:
    """`Transaction failed: X failed (digest: D): Failure { error: Name {..} }` -> (Name, D)."""
    name = _FAILED_NAME.search(message.split("Transaction failed:", 1)[-1])
    digest = _DIGEST.search(message)
    return (name.group(1) if name else "ExecutionFailure"), (digest.group(1) if digest else None)


def grpc_codes(message: str) -> list[str]:
    """Every `status: <Code>` in nesting order: soma-sdk wraps the node's status inside `Status::internal`
    (rpc/src/api/client.rs), so `gRPC error: status: Internal, message: "RPC error: status: <Code>, …"`."""
    return _STATUS.findall(message)


def locked_coin_count(message: str) -> int:
    """`No available gas coin … (excluded N locked coins)` (sdk/src/lib.rs): N coins the client still holds."""
    found = _LOCKED_COINS.search(message)
    return int(found.group(1)) if found else 0


def _classify_sent(message: str) -> NetworkError:
    """A `gRPC error:` from soma-sdk's sign_and_execute: the request reached the node. Rejected only when the
    innermost status says the node refused it; anything else may have executed or may still execute."""
    if "Transaction executed but" in message:          # checkpoint wait timed out / stream had an error
        return StatusUnknown("The network executed the transaction but did not confirm it in time; "
                             "the app re-checks the chain before anything can be resent.")
    # The node's own status. "RPC error: status:" also occurs inside "gRPC error: status:", hence the look-behind.
    node = _NODE_STATUS.search(message)
    codes = grpc_codes(message)
    inner = node.group(1) if node else (codes[0] if codes else "")
    if inner in REJECTED_CODES:
        name = "ObjectLockConflict" if any(m in message for m in _LOCK_MARKERS) else None
        return TransactionFailed(name or _known_error_name(message) or "TransactionRejected",
                                 clean_message(message))
    return StatusUnknown(f"Outcome unknown ({inner or 'no status'}): {clean_message(message, 200)}")


def _known_error_name(message: str) -> str | None:
    """A chain error name the message mentions (validators reject e.g. with ObjectNotFound, InvalidOwnership)."""
    return next((word for word in re.findall(r"[A-Z][A-Za-z]+", message) if word in CHAIN_ERRORS), None)


def classify(exc: BaseException, *, transaction: bool, endpoint: str = "") -> BaseException:  # noqa: C901 — one table of the SDK's error shapes
    """The typed error for an SDK exception. `transaction`: the call may have submitted a transaction.

    Programming errors (`no running event loop`, TypeErrors) are returned unchanged so they surface as bugs.
    """
    if isinstance(exc, NetworkError):
        return exc
    message = str(exc)
    where = f" ({endpoint})" if endpoint else ""
    if isinstance(exc, ValueError):
        return InvalidInput(clean_message(message) or "Invalid argument")
    if not isinstance(exc, RuntimeError) or "no running event loop" in message:
        return exc
    if "Transaction failed:" in message:
        name, digest = parse_failure(message)
        return TransactionFailed(name, clean_message(message), digest=digest)
    if transaction and message.startswith("gRPC error:"):
        return _classify_sent(message)
    if "Transaction executed but" in message:
        return StatusUnknown("The transaction was executed but its checkpoint was not confirmed in time; "
                             "re-check balances and models before trying again.")
    if any(marker in message for marker in _NOT_CONFIGURED):
        return Unsupported(f"This network has no such service configured: {clean_message(message)}")
    if any(marker in message for marker in _NO_GAS):
        if locked_coin_count(message):
            return InvalidInput("Every coin of this account is held by an unconfirmed earlier transaction; "
                                "wait until the app has re-checked it.", field="signer")
        return InvalidInput("No coin to pay gas with: the account holds no SOMA", field="signer")
    if any(marker in message for marker in _LOCK_MARKERS):
        return TransactionFailed("ObjectLockConflict", "A coin or object is locked by another pending "
                                 "transaction; wait for the next epoch or a new object version.")
    if "Nothing to merge" in message:
        return InvalidInput(clean_message(message), field="signer")
    if "message length too large" in message:
        # tonic's default 4 MiB decode limit: soma-sdk 0.1.15 reads the whole system state (model registry
        # included) through a client without a larger limit (rpc/src/api/client.rs get_latest_system_state).
        return StateTooLarge("This network's state (its model registry) is larger than soma-sdk 0.1.15 can read "
                            "in one answer (4 MiB limit). Models and staking views are unavailable until a newer "
                            "soma-sdk raises the limit; wallet and targets still work.")
    if "invalid uri" in message.lower() or "invalid url" in message.lower():
        return InvalidInput(f"Not a valid network URL{where}: {clean_message(message, 160)}", field="url")
    if "status: Unimplemented" in message:
        return NetworkUnavailable(f"The server{where} does not speak the SOMA RPC (wrong URL or port?)")
    if any(marker.lower() in message.lower() for marker in _OFFLINE_MARKERS):
        return NetworkUnavailable(f"Cannot reach the network{where}: {clean_message(message, 160)}")
    if "status: InvalidArgument" in message or "status: NotFound" in message:
        return InvalidInput(clean_message(message))
    if transaction:
        # Unknown failure after the call started: it may have executed. Never let the caller resend blindly.
        return StatusUnknown(f"Outcome unknown: {clean_message(message)}")
    return NetworkError(clean_message(message) or type(exc).__name__)


def timeout_error(seconds: float, *, transaction: bool, endpoint: str = "") -> NetworkError:
    where = f" from {endpoint}" if endpoint else ""
    if transaction:
        return StatusUnknown(f"No confirmation{where} within {seconds:g} s; the transaction may still "
                             "execute. Re-check before trying again.")
    return NetworkUnavailable(f"No answer{where} within {seconds:g} s")
