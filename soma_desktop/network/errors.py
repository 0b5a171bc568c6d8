"""Typed errors every Network raises; the UI turns them into plain words."""

from __future__ import annotations


class NetworkError(Exception):
    """Base class. `str(err)` is a message fit to show a user (no secrets)."""


class NetworkUnavailable(NetworkError):
    """The chain could not be reached (connection refused, timeout before sending, offline)."""


class InvalidInput(NetworkError):
    """An argument is malformed; nothing was sent and nothing changed."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class TransactionFailed(NetworkError):
    """The chain executed and rejected the transaction. `error_name` is the chain's name for it."""

    def __init__(self, error_name: str, message: str = "", *, digest: str | None = None, fee: int = 0):
        super().__init__(message or error_name)
        self.error_name = error_name
        self.digest = digest
        self.fee = fee


class StatusUnknown(NetworkError):
    """Sent, but the outcome is not confirmed (e.g. checkpoint wait timed out). Re-query; never resend blindly."""

    def __init__(self, message: str, *, digest: str | None = None):
        super().__init__(message)
        self.digest = digest


class Unsupported(NetworkError):
    """This network does not offer the operation (e.g. advance_epoch on testnet)."""
