"""security.md §9 item 1: after a full session, no secret is on disk in the app data dir, in any encoding."""

from __future__ import annotations

import base64
import logging
import os
import stat
from pathlib import Path

from soma_desktop.core.crypto import b58encode
from soma_desktop.wallet.cli_keystore import export_to_cli
from soma_desktop.wallet.history import TxHistory
from soma_desktop.wallet.keyring_unlock import DeviceUnlock
from soma_desktop.wallet.keys import encode_secret_bech32
from soma_desktop.wallet.mnemonic import generate_mnemonic, mnemonic_to_seed
from soma_desktop.wallet.vault import Vault
from tests.wallet.wallet_helpers import FAST_POLICY, PASSWORD

NEW_PASSWORD = "a different passphrase"


def _encodings(secret: bytes) -> list[bytes]:
    out = [secret, secret.hex().encode(), secret.hex().upper().encode(), base64.b64encode(secret),
           base64.b64encode(b"\x00" + secret), base64.urlsafe_b64encode(secret), b58encode(secret).encode()]
    if len(secret) == 32:
        out.append(encode_secret_bech32(secret).encode())
    return out


def _mnemonic_needles(phrase: str) -> list[bytes]:
    words = phrase.split()
    needles = []
    for i in range(len(words) - 3):
        window = words[i:i + 4]
        for sep in (" ", "", "\n", ",", '","', "-"):
            needles.append(sep.join(window).encode())
    return needles


def _scan(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.name}" for n in needles if n in data]
    return hits


def _full_session(data_dir: Path, cli_dir: Path, memory_keyring) -> tuple[list[bytes], list[bytes]]:
    phrase = generate_mnemonic(24)
    vault_path = data_dir / "wallet" / "vault.json"
    vault = Vault.create(vault_path, PASSWORD, phrase, policy=FAST_POLICY)
    vault.add_account("Savings")
    imported = vault.import_account("From CLI", os.urandom(32))
    vault.rename(imported.address, "Old key")
    vault.set_metadata("default", imported.address)
    DeviceUnlock(is_allowed=lambda _b: True).remember(vault)
    vault.change_password(PASSWORD, NEW_PASSWORD)
    exported = vault.export_bech32(vault.accounts[1].address, NEW_PASSWORD)
    cli_secret = vault.export_secret_key(imported.address, NEW_PASSWORD)
    export_to_cli(cli_secret, "desktop", cli_dir)
    sealed = vault.seal(b"K" * 32, b"op-1")
    (data_dir / "journal-blob.bin").write_bytes(sealed)

    history = TxHistory.in_data_dir(data_dir)
    first = history.add("Sandbox", vault.accounts[0].address, "transfer", 1_000, counterparty=imported.address)
    history.update(first.id, status="confirmed", digest="Digest111")
    history.add("Sandbox", vault.accounts[1].address, "stake", 5)
    history.export_csv(data_dir / "history.csv")

    again = Vault.open(vault_path, NEW_PASSWORD, policy=FAST_POLICY)
    device_unlocked = DeviceUnlock(is_allowed=lambda _b: True).unlock(vault_path, policy=FAST_POLICY)
    assert device_unlocked is not None

    secrets: list[bytes] = []
    for acc in vault.accounts:
        secrets += _encodings(acc.secret_key())
    secrets += _encodings(bytes(vault._dek)) + _encodings(mnemonic_to_seed(phrase)) + [exported.encode()]
    secrets += [base64.b64decode(v) for v in memory_keyring.store.values()]
    secrets += [PASSWORD.encode(), NEW_PASSWORD.encode(), b"K" * 32]
    history.close()
    for v in (vault, again, device_unlocked):
        v.lock()
    return secrets + _mnemonic_needles(phrase), _encodings(cli_secret)


def test_no_secret_in_any_file_of_the_data_dir_or_the_logs(data_dir, tmp_path, memory_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    cli_dir = tmp_path / "cli-config"
    needles, cli_needles = _full_session(data_dir, cli_dir, memory_keyring)

    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert {"vault.json", "wallet_history.db", "history.csv", "journal-blob.bin"} <= {p.name for p in files}
    assert _scan(data_dir, needles) == []
    assert not any(n.decode("latin-1") in caplog.text for n in needles)
    vault = data_dir / "wallet" / "vault.json"
    assert stat.S_IMODE(os.stat(vault).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(vault.parent).st_mode) == 0o700
    # The scanner does find keys where they are meant to be in plaintext (the CLI's own format).
    assert _scan(cli_dir, cli_needles)
