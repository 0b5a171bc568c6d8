"""Runs `soma-desktop guard` in a child process with an in-memory keyring the test pre-fills.

The OS keyring of the machine must never be touched by a test, so the child installs a process-local backend,
allowlists it (only here), seeds it from GUARD_TEST_KEYRING (JSON {service: {user: value}}, a device key of a
throwaway test vault) and then runs the real CLI entry point with the given arguments.
"""

from __future__ import annotations

import json
import os
import sys

import keyring
import keyring.backend

from soma_desktop.wallet import keyring_unlock


class ChildKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self, store: dict[tuple[str, str], str]):
        super().__init__()
        self.store = store

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


def main() -> int:
    seeded = json.loads(os.environ.pop("GUARD_TEST_KEYRING", "{}"))
    store = {(s, u): v for s, users in seeded.items() for u, v in users.items()}
    keyring.set_keyring(ChildKeyring(store))
    keyring_unlock.ALLOWED_BACKENDS = keyring_unlock.ALLOWED_BACKENDS | {f"{__name__}.ChildKeyring"}
    from soma_desktop.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
