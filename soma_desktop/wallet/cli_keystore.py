"""Interop with the SOMA CLI's config dir (sdk.md §7): `soma.keystore`, `soma.aliases`, `client.yaml`.

The CLI stores keys in PLAINTEXT (base64 of 0x00 ‖ secret). We import from it (the UI warns), and write
to it only on explicit request: append the key and its alias, each file replaced atomically with mode
0600 (the CLI itself writes non-atomically and chmods afterwards). Error messages name positions,
never key material.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soma_desktop.core.storage import atomic_write
from soma_desktop.wallet.keys import ED25519_FLAG, SECRET_KEY_BYTES, KeyPair, address_from_public_key

KEYSTORE_FILE = "soma.keystore"
ALIASES_FILE = "soma.aliases"
CLIENT_FILE = "client.yaml"
MAX_FILE_BYTES = 4 << 20
MAX_KEYS = 10_000
ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9\-_.]*$")  # soma-keys validate_alias
MAX_ALIAS_CHARS = 128
MAX_URL_CHARS = 2048


class CliKeystoreError(ValueError):
    """The CLI files are missing, malformed or would conflict."""


def cli_config_dir(config_dir: Path | str | None = None) -> Path:
    """`config_dir`, else $SOMA_CONFIG_DIR, else ~/.soma/soma_config (the CLI's own rule)."""
    if config_dir is not None:
        return Path(config_dir)
    env = os.environ.get("SOMA_CONFIG_DIR")
    if env:
        return Path(env)
    return Path.home() / ".soma" / "soma_config"


def _read_text(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        raise CliKeystoreError(f"{path.name} is too large")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CliKeystoreError(f"{path.name} is not UTF-8 text") from None


# --- entries ----------------------------------------------------------------------------------

def keystore_entry(secret: bytes) -> str:
    """base64(0x00 ‖ sk): one string of `soma.keystore`."""
    if len(secret) != SECRET_KEY_BYTES:
        raise CliKeystoreError("a secret key is 32 bytes")
    return base64.b64encode(bytes([ED25519_FLAG]) + bytes(secret)).decode("ascii")


def public_key_entry(public_key: bytes) -> str:
    """base64(0x00 ‖ pk): `public_key_base64` of `soma.aliases`."""
    return base64.b64encode(bytes([ED25519_FLAG]) + public_key).decode("ascii")


def _decode_flagged(text: Any, what: str) -> bytes:
    if not isinstance(text, str) or len(text) > 200:
        raise CliKeystoreError(f"{what} is not a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CliKeystoreError(f"{what} is not valid base64") from None
    if len(raw) != 33:
        raise CliKeystoreError(f"{what} should hold 33 bytes (flag + key), not {len(raw)}")
    if raw[0] != ED25519_FLAG:
        raise CliKeystoreError(f"{what} is not an Ed25519 key (only flag 0x00 is supported)")
    return raw[1:]


def decode_keystore_entry(text: str) -> bytes:
    return _decode_flagged(text, "keystore entry")


def validate_alias(alias: str) -> str:
    if not isinstance(alias, str) or not ALIAS_RE.match(alias) or len(alias) > MAX_ALIAS_CHARS:
        raise CliKeystoreError("An alias starts with a letter and holds only letters, digits, '-', '_' and '.'")
    return alias


def parse_keystore(text: str) -> list[bytes]:
    """Secrets from `soma.keystore` text (a JSON array of base64 strings)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # incl. integers beyond Python's digit limit
        raise CliKeystoreError("soma.keystore is not valid JSON") from None
    if not isinstance(data, list):
        raise CliKeystoreError("soma.keystore should be a JSON array")
    if len(data) > MAX_KEYS:
        raise CliKeystoreError("soma.keystore holds too many keys")
    return [_decode_flagged(item, f"keystore entry {i + 1}") for i, item in enumerate(data)]


def parse_aliases(text: str) -> list[tuple[str, bytes]]:
    """(alias, public key) pairs from `soma.aliases` text; aliases must be valid and unique."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # incl. integers beyond Python's digit limit
        raise CliKeystoreError("soma.aliases is not valid JSON") from None
    if not isinstance(data, list) or len(data) > MAX_KEYS:
        raise CliKeystoreError("soma.aliases should be a JSON array")
    out, seen = [], set()
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("alias"), str):
            raise CliKeystoreError(f"alias entry {i + 1} is malformed")
        alias = validate_alias(item["alias"])
        if alias in seen:
            raise CliKeystoreError(f"alias entry {i + 1} repeats an alias")
        seen.add(alias)
        out.append((alias, _decode_flagged(item.get("public_key_base64"), f"alias entry {i + 1}")))
    return out


# --- import -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CliKey:
    """One key found in the CLI keystore (repr shows alias and address only)."""

    alias: str | None
    keypair: KeyPair

    @property
    def address(self) -> str:
        return self.keypair.address


def read_cli_keys(config_dir: Path | str | None = None) -> list[CliKey]:
    """Every key of the CLI keystore with its alias. Missing keystore -> []. Duplicates collapse."""
    base = cli_config_dir(config_dir)
    text = _read_text(base / KEYSTORE_FILE)
    if text is None:
        return []
    secrets = parse_keystore(text)
    alias_text = _read_text(base / ALIASES_FILE)
    by_public = {pk: alias for alias, pk in parse_aliases(alias_text)} if alias_text is not None else {}
    out: list[CliKey] = []
    seen: set[str] = set()
    for secret in secrets:
        keypair = KeyPair(secret)
        if keypair.address in seen:
            continue
        seen.add(keypair.address)
        out.append(CliKey(by_public.get(keypair.public_key), keypair))
    return out


# --- export -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CliExport:
    alias: str
    address: str
    added: bool  # False when the key was already in the keystore (nothing written)


def _fallback_alias(public_key: bytes, taken: set[str]) -> str:
    base = "key-" + address_from_public_key(public_key)[2:10]
    alias, n = base, 1
    while alias in taken:
        n += 1
        alias = f"{base}-{n}"
    return alias


def export_to_cli(secret_key: bytes, alias: str, config_dir: Path | str | None = None) -> CliExport:
    """Append one key to the CLI keystore and its alias to soma.aliases (each write atomic, 0600).

    Keys already in the keystore without an alias get one (`key-<address prefix>`) so the two files
    stay in step. Do not run while a `soma` command is writing the same files (the CLI does not lock).
    """
    alias = validate_alias(alias)
    keypair = KeyPair(secret_key)
    base = cli_config_dir(config_dir)
    keystore_text, alias_text = _read_text(base / KEYSTORE_FILE), _read_text(base / ALIASES_FILE)
    secrets = parse_keystore(keystore_text) if keystore_text is not None else []
    entries = json.loads(keystore_text) if keystore_text is not None else []  # validated just above
    aliases = parse_aliases(alias_text) if alias_text is not None else []
    publics = [KeyPair(s).public_key for s in secrets]
    alias_by_public = {pk: a for a, pk in aliases}
    if keypair.public_key in publics:
        existing = alias_by_public.get(keypair.public_key)
        if existing is not None:
            return CliExport(existing, keypair.address, False)
    taken = {a for a, _ in aliases}
    if alias in taken:
        raise CliKeystoreError(f"The CLI already has a key named {alias!r}; choose another alias")
    if keypair.public_key not in publics:
        entries.append(keystore_entry(keypair.secret_key()))
        publics.append(keypair.public_key)
    alias_rows = [{"alias": a, "public_key_base64": public_key_entry(pk)} for a, pk in aliases]
    for pk in publics:
        if pk == keypair.public_key:
            name = alias
        elif pk in alias_by_public:
            continue
        else:
            name = _fallback_alias(pk, taken | {alias})
        taken.add(name)
        alias_by_public[pk] = name
        alias_rows.append({"alias": name, "public_key_base64": public_key_entry(pk)})
    _ensure_dir(base)
    atomic_write(base / KEYSTORE_FILE, (json.dumps(entries, indent=2) + "\n").encode("ascii"), mode=0o600)
    atomic_write(base / ALIASES_FILE, (json.dumps(alias_rows, indent=2) + "\n").encode("ascii"), mode=0o600)
    return CliExport(alias, keypair.address, True)


def _ensure_dir(directory: Path) -> None:
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)


# --- client.yaml (a minimal, safe YAML subset: block mappings and sequences, plain/quoted scalars) -----

_KEY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_\-]*)\s*:(?:\s+(.*)|\s*)$")


def _scalar(text: str | None) -> str | None:
    """A YAML scalar as serde_yaml writes it: plain, "double" or 'single' quoted; ~ / null = None."""
    if text is None:
        return None
    text = text.strip()
    if text.startswith('"'):
        end = _closing_double_quote(text)
        try:
            value: str = json.loads(text[:end + 1])  # a JSON string literal
            return value
        except json.JSONDecodeError:
            return None
    if text.startswith("'"):
        match = re.match(r"^'((?:[^']|'')*)'", text)
        return match.group(1).replace("''", "'") if match else None
    text = re.split(r"\s#", text, maxsplit=1)[0].strip()
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    return text


def _closing_double_quote(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse_client_envs(text: str) -> list[tuple[str, str]]:
    """(alias, rpc) for each `envs:` item of client.yaml; items without a valid http(s) rpc are skipped."""
    lines = [ln.rstrip("\r") for ln in text.split("\n")]
    start = next((i for i, ln in enumerate(lines) if re.match(r"^envs\s*:\s*(#.*)?$", ln)), None)
    if start is None:
        return []
    items: list[dict[str, str | None]] = []
    current: dict[str, str | None] | None = None
    key_indent = -1
    for line in lines[start + 1:]:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            continue
        indent = _indent(line)
        if indent == 0 and not stripped.startswith("- ") and stripped != "-":
            break  # next top-level key
        if stripped.startswith("-"):
            body = stripped[1:].lstrip()
            current = {}
            items.append(current)
            key_indent = indent + (len(stripped) - len(body))
            stripped, indent = body, key_indent
            if not stripped:
                key_indent = -1  # keys follow on the next lines
                continue
        if current is None:
            continue
        if key_indent == -1:
            key_indent = indent
        if indent != key_indent:
            continue  # nested mapping (e.g. basic_auth fields): not needed
        match = _KEY_RE.match(stripped)
        if match:
            current[match.group(1)] = _scalar(match.group(2))
    out = []
    for item in items:
        alias, rpc = item.get("alias"), item.get("rpc")
        if isinstance(alias, str) and alias and isinstance(rpc, str) and _valid_rpc(rpc):
            out.append((alias, rpc))
    return out


def _valid_rpc(url: str | None) -> bool:
    return (isinstance(url, str) and len(url) <= MAX_URL_CHARS and re.match(r"^https?://[^\s/]+", url) is not None
            and not any(c.isspace() for c in url))


def parse_client_active_env(text: str) -> str | None:
    for line in text.split("\n"):
        match = re.match(r"^active_env\s*:(.*)$", line.rstrip("\r"))
        if match:
            return _scalar(match.group(1))
    return None


def read_cli_envs(config_dir: Path | str | None = None) -> list[tuple[str, str]]:
    """(alias, rpc_url) for every env in the CLI's client.yaml; [] when there is none."""
    text = _read_text(cli_config_dir(config_dir) / CLIENT_FILE)
    return parse_client_envs(text) if text is not None else []


def read_cli_active_env(config_dir: Path | str | None = None) -> str | None:
    text = _read_text(cli_config_dir(config_dir) / CLIENT_FILE)
    return parse_client_active_env(text) if text is not None else None
