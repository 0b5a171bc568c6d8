"""sdk.md §5: soma-sdk's RuntimeError/ValueError texts -> our typed errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.network.errors import (
    InvalidInput,
    NetworkError,
    NetworkUnavailable,
    StatusUnknown,
    TransactionFailed,
    Unsupported,
)
from soma_desktop.network.sdk.classify import StateTooLarge, classify, clean_message, parse_failure, timeout_error
from tests.network import fake_sdk

DIGEST = "D9udU6JwjZgRrAyrcxHzDTo1mpbngLRjxRRWx1PsSX5V"
META = ", details: [], metadata: MetadataMap { headers: {} }"


def _classify(message: str, *, transaction: bool = True, kind=RuntimeError):
    return classify(kind(message), transaction=transaction)


@pytest.mark.parametrize("message,name", [
    (f"Transaction failed: RevealModel failed (digest: {DIGEST}): Failure {{ error: ModelRevealEpochMismatch }}",
     "ModelRevealEpochMismatch"),
    (f"Transaction failed: SubmitData failed (digest: {DIGEST}): Failure {{ error: TargetExpired "
     "{ generation_epoch: 3, current_epoch: 5 } }", "TargetExpired"),
    (f"Transaction failed: ClaimRewards failed (digest: {DIGEST}): Failure {{ error: AuditWindowOpen "
     "{ fill_epoch: 4, current_epoch: 5 } }", "AuditWindowOpen"),
    (f"Transaction failed: TransferCoin failed (digest: {DIGEST}): Failure {{ error: InsufficientCoinBalance }}",
     "InsufficientCoinBalance"),
])
def test_execution_failures(message, name):
    err = _classify(message)
    assert isinstance(err, TransactionFailed)
    assert (err.error_name, err.digest) == (name, DIGEST)
    assert parse_failure(message) == (name, DIGEST)


@pytest.mark.parametrize("message,cls", [
    ('status: Unavailable, message: "tcp connect error"' + META, NetworkUnavailable),
    ('status: Unavailable, message: "http2 error"' + META, NetworkUnavailable),
    ("Error initializing RPC client: transport error", NetworkUnavailable),
    ("transport error", NetworkUnavailable),
    ("All 1 validators failed, last error: Network error: connection refused", NetworkUnavailable),
    ('status: Unimplemented, message: "grpc-status header missing, mapped from HTTP status code 404"' + META,
     NetworkUnavailable),
    ('Error initializing RPC client: status: Unknown, message: "invalid uri character"' + META, InvalidInput),
    ("No faucet_url was provided when creating SomaClient", Unsupported),
    ("Service not configured: No admin_url was provided when creating SomaClient", Unsupported),
    ("No coin found for 5e93a736d04fbb25737aa40bee40171ef79f65fae833749e3c089fe7cc2161f1", InvalidInput),
    ("Data error: No available gas coin for address 0x5e93. Run `soma merge-coins`", InvalidInput),
    ("Nothing to merge: address has 0 or 1 coins.", InvalidInput),
    ('gRPC error: status: Internal, message: "Transaction executed but checkpoint wait timed out"' + META,
     StatusUnknown),
])
def test_runtime_errors(message, cls):
    err = _classify(message)
    assert type(err) is cls
    assert "MetadataMap" not in str(err)


def test_lock_conflicts_and_validator_rejections():
    lock = _classify(fake_sdk.rejected("FailedPrecondition", "Failed to sign transaction by a quorum of validators "
                                       "because of locked objects. ObjectLockConflict"))
    assert isinstance(lock, TransactionFailed) and lock.error_name == "ObjectLockConflict"
    owned = _classify(fake_sdk.rejected("InvalidArgument", "Transaction execution failed due to issues with "
                                        "transaction inputs, please review the errors and try again: "
                                        "InvalidOwnership: not yours."))
    assert isinstance(owned, TransactionFailed) and owned.error_name == "InvalidOwnership"
    denied = _classify(fake_sdk.rejected("PermissionDenied", "not allowed"))
    assert isinstance(denied, TransactionFailed) and denied.error_name == "TransactionRejected"


@pytest.mark.parametrize("message", [
    fake_sdk.CHECKPOINT_TIMEOUT, fake_sdk.CHECKPOINT_STREAM_ERROR, fake_sdk.TIMEOUT_BEFORE_FINALITY,
    fake_sdk.ALREADY_PROCESSING, fake_sdk.CONNECTION_DROPPED, fake_sdk.rejected("Internal", "boom"),
    fake_sdk.rejected("Aborted", "ObjectNotFound { object_id: 0x1, version: None }"),
])
def test_sent_transactions_with_an_open_outcome_are_status_unknown(message):
    """Finding 1: only InvalidArgument/FailedPrecondition/PermissionDenied from the node is a rejection;
    'executed but…', 'timed out before finality', 'already being processed' and a dropped connection are not."""
    err = _classify(message)
    assert type(err) is StatusUnknown, (message, err)
    assert type(_classify(message, transaction=False)) is not TransactionFailed


def test_locked_coins_are_named_as_such():
    err = _classify(fake_sdk.no_gas_coin("5e93" * 16, locked=1))
    assert isinstance(err, InvalidInput) and "unconfirmed earlier transaction" in str(err)
    assert "holds no SOMA" in str(_classify(fake_sdk.no_gas_coin("5e93" * 16, locked=0)))


def test_unknown_failures_depend_on_whether_a_transaction_was_sent():
    assert type(_classify("something odd", transaction=True)) is StatusUnknown
    assert type(_classify("something odd", transaction=False)) is NetworkError


def test_value_errors_are_invalid_input_and_bugs_pass_through():
    err = _classify("Unable to parse AccountAddress (must be hex string of length 32)", kind=ValueError)
    assert isinstance(err, InvalidInput)
    bug = RuntimeError("no running event loop")
    assert classify(bug, transaction=False) is bug
    typo = TypeError("argument 'signer': expected Keypair")
    assert classify(typo, transaction=True) is typo


def test_timeouts():
    assert isinstance(timeout_error(1.5, transaction=False), NetworkUnavailable)
    assert isinstance(timeout_error(1.5, transaction=True), StatusUnknown)
    assert "1.5 s" in str(timeout_error(1.5, transaction=False, endpoint="http://h"))


@given(st.text(max_size=400), st.booleans(), st.sampled_from([RuntimeError, ValueError]))
def test_classify_always_returns_a_typed_error(message, transaction, kind):
    err = classify(kind(message), transaction=transaction)
    assert isinstance(err, NetworkError) or (kind is RuntimeError and "no running event loop" in message)
    assert len(str(err)) <= 600
    assert len(clean_message(message)) <= 300


def test_an_oversized_registry_says_why():
    message = ('status: OutOfRange, message: "Error, decoded message length too large: found 4718592 bytes, '
               'the limit is: 4194304 bytes"' + META)
    err = _classify(message, transaction=False)
    # StateTooLarge: the adapter then reads the state itself (test_ledger_fallback.py)
    assert type(err) is StateTooLarge and "model registry" in str(err) and "4 MiB" in str(err)
