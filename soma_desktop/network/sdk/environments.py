"""The networks a user can pick: built-in presets plus the environments of the SOMA CLI's client.yaml.

client.yaml (sdk.md §7) is written by serde_yaml in one small fixed shape, so a tiny line parser reads it;
this avoids a YAML dependency and never executes anything from the file. Anything it does not understand
makes the file count as absent (built-ins still work).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from soma_desktop.network.errors import InvalidInput

log = logging.getLogger(__name__)

MAX_CLIENT_YAML_BYTES = 1024 * 1024
TESTNET_RPC = "https://fullnode.testnet.soma.org"
TESTNET_FAUCET = "https://faucet.testnet.soma.org"
LOCALNET_RPC = "http://127.0.0.1:9000"
LOCALNET_FAUCET = "http://127.0.0.1:9123"
LOCALNET_SCORING = "http://127.0.0.1:9124"
LOCALNET_ADMIN = "http://127.0.0.1:9125"


@dataclass(frozen=True)
class Environment:
    """One selectable network. `key` is what settings store and `network.factory.parse_choice` reads."""

    name: str
    rpc_url: str
    faucet_url: str | None = None
    scoring_url: str | None = None
    admin_url: str | None = None
    source: str = "builtin"            # "builtin", "client.yaml" or "custom"
    key: str = ""
    is_sandbox: bool = False
    active_in_cli: bool = False        # the CLI's active_env
    note: str = ""                     # e.g. why an env may not work through soma-sdk

    @property
    def chain(self) -> str:
        return self.key if self.key in ("testnet", "localnet") else self.name


SANDBOX = Environment("Sandbox", "", key="sandbox", is_sandbox=True, note="Built in, offline, always available")
TESTNET = Environment("Testnet", TESTNET_RPC, faucet_url=TESTNET_FAUCET, key="testnet")
LOCALNET = Environment("Localnet", LOCALNET_RPC, faucet_url=LOCALNET_FAUCET, scoring_url=LOCALNET_SCORING,
                       admin_url=LOCALNET_ADMIN, key="localnet", note="`soma start localnet` on this computer")
BUILTINS = (SANDBOX, TESTNET, LOCALNET)


# --- URL validation --------------------------------------------------------------------------

def validate_url(text: str, *, what: str = "RPC URL") -> str:
    """An http(s) URL with a host and no credentials; returns it without a trailing slash."""
    url = (text or "").strip()
    if not url:
        raise InvalidInput(f"Enter the {what}", field="url")
    if any(ch.isspace() for ch in url) or len(url) > 2048:
        raise InvalidInput(f"The {what} must not contain spaces", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"The {what} has an invalid port: {url[:80]!r}", field="url") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"The {what} must start with http:// or https:// (got {url[:80]!r})", field="url")
    if not parts.hostname:
        raise InvalidInput(f"The {what} has no host name: {url[:80]!r}", field="url")
    if parts.username or parts.password:
        raise InvalidInput(f"The {what} must not contain a user name or password", field="url")
    if port == 0:
        raise InvalidInput(f"The {what} has an invalid port: {url[:80]!r}", field="url")
    if parts.query or parts.fragment:
        raise InvalidInput(f"The {what} must not have a query or fragment", field="url")
    return url.rstrip("/")


def custom_environment(rpc_url: str, *, faucet_url: str | None = None, scoring_url: str | None = None,
                       admin_url: str | None = None, name: str | None = None) -> Environment:
    rpc = validate_url(rpc_url)
    host = urlsplit(rpc).netloc
    return Environment(
        name=name or host, rpc_url=rpc, source="custom", key=rpc,
        faucet_url=validate_url(faucet_url, what="faucet URL") if faucet_url else None,
        scoring_url=validate_url(scoring_url, what="scoring URL") if scoring_url else None,
        admin_url=validate_url(admin_url, what="admin URL") if admin_url else None,
    )


# --- client.yaml -----------------------------------------------------------------------------

@dataclass
class ClientConfig:
    envs: list[dict[str, object]] = field(default_factory=list)
    active_env: str | None = None
    active_address: str | None = None


_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z_][A-Za-z0-9_]*) *:(?: +(?P<value>.*))?$")
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9\-_.]*$")


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _scalar(text: str | None) -> object:
    value = (text or "").strip()
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value[0] in "\"'":
        if len(value) < 2 or value[-1] != value[0]:
            raise ValueError(f"unterminated quoted value: {value[:40]!r}")
        inner = value[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if value[0] == '"' else inner.replace("''", "'")
    if value[0] in "[{&*!|>":
        if value in ("[]", "{}"):
            return [] if value == "[]" else {}
        raise ValueError(f"unsupported YAML construct: {value[:40]!r}")
    return value


def parse_client_yaml(text: str) -> ClientConfig:
    """Parse the client.yaml shape of sdk.md §7. Raises ValueError for anything outside that shape."""
    config = ClientConfig()
    section: str | None = None
    item: dict[str, object] | None = None
    item_indent = -1
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw.replace("\t", "    "))
        if not line.strip() or line.strip() in ("---", "..."):
            continue
        match = _KEY_LINE.match(line)
        if not match:
            raise ValueError(f"client.yaml line {number}: not understood")
        indent, key, value = len(match["indent"]), match["key"], match["value"]
        if indent == 0 and not match["dash"]:
            section, item = key, None
            parsed = _scalar(value)
            if key == "active_env":
                config.active_env = None if parsed is None else str(parsed)
            elif key == "active_address":
                config.active_address = None if parsed is None else str(parsed)
            elif key == "envs" and parsed not in (None, []):
                raise ValueError("client.yaml: envs must be a block list")
            continue
        if section != "envs":
            continue                          # keystore / external_keys details are not ours to read
        if match["dash"]:
            item = {key: _scalar(value)}
            item_indent = indent + len(match["dash"])
            config.envs.append(item)
        elif item is not None and indent == item_indent:
            item[key] = _scalar(value)
        elif item is not None and indent > item_indent:
            item.setdefault("_nested", True)  # e.g. a basic_auth mapping; only its presence matters
        else:
            raise ValueError(f"client.yaml line {number}: unexpected indentation")
    return config


def client_yaml_path(config_dir: str | os.PathLike[str] | None = None) -> Path:
    if config_dir is not None:
        return Path(config_dir) / "client.yaml"
    base = os.environ.get("SOMA_CONFIG_DIR")
    return (Path(base) if base else Path.home() / ".soma" / "soma_config") / "client.yaml"


def _env_from_yaml(entry: dict[str, object], active: str | None) -> Environment | None:
    alias, rpc = entry.get("alias"), entry.get("rpc")
    if not isinstance(alias, str) or not _ALIAS.match(alias) or not isinstance(rpc, str):
        return None
    try:
        url = validate_url(rpc)
    except InvalidInput:
        return None
    note = ""
    if entry.get("basic_auth") is not None or entry.get("_nested"):
        note = "Uses basic auth, which soma-sdk cannot send"
    localnet = urlsplit(url).hostname in ("127.0.0.1", "localhost") and urlsplit(url).port == 9000
    return Environment(
        name=alias, rpc_url=url, source="client.yaml", key=f"env:{alias}", active_in_cli=alias == active,
        faucet_url=LOCALNET_FAUCET if localnet else (TESTNET_FAUCET if url.startswith(TESTNET_RPC) else None),
        note=note,
    )


def load_environments(config_dir: str | os.PathLike[str] | None = None) -> list[Environment]:
    """Built-ins first, then each client.yaml env (`$SOMA_CONFIG_DIR` or ~/.soma/soma_config)."""
    found = list(BUILTINS)
    path = client_yaml_path(config_dir)
    try:
        if not path.is_file():
            return found
        if path.stat().st_size > MAX_CLIENT_YAML_BYTES:
            log.warning("ignoring %s: larger than %d bytes", path, MAX_CLIENT_YAML_BYTES)
            return found
        config = parse_client_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return found
    seen = {env.key for env in found}
    for entry in config.envs:
        env = _env_from_yaml(entry, config.active_env)
        if env is not None and env.key not in seen:
            seen.add(env.key)
            found.append(env)
    return found
