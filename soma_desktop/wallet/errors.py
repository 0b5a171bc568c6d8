"""Errors of the wallet vault; every message is safe to show and never contains a secret."""

from __future__ import annotations


class VaultError(Exception):
    """Base class; messages are safe to show and never contain secrets."""


class WrongPassword(VaultError):
    def __init__(self, message: str = "Wrong password"):
        super().__init__(message)


InvalidPassword = WrongPassword  # the name security.md §9 uses


class VaultCorrupt(VaultError):
    """The file is damaged, was modified, or has parameters outside the safe limits."""


class VaultVersionError(VaultError):
    """Made by a newer SOMA Desktop (unknown format, version or algorithm)."""


class VaultLocked(VaultError):
    def __init__(self, message: str = "The wallet is locked"):
        super().__init__(message)


class VaultExists(VaultError):
    pass


class WeakPassword(VaultError):
    pass


class AccountError(VaultError):
    """Unknown, duplicate or otherwise invalid account operation."""
