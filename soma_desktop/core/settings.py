"""Typed, versioned app settings stored as JSON in the data dir (never secrets).

Each version bump adds one migration function; unknown keys from newer versions are preserved so a
downgrade does not lose them. The file is hand-editable and therefore untrusted: every field is checked
against its type and range. A file that cannot be used as is (not JSON, wrong types, out-of-range values)
is kept as `settings.json.bad-<UTC time>`, the invalid fields start from their defaults, and the user is
told once (core.notices).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from soma_desktop.core import notices
from soma_desktop.core.storage import atomic_write_text

log = logging.getLogger(__name__)

SETTINGS_VERSION = 2
FILE_NAME = "settings.json"
MAX_FILE_BYTES = 1024 * 1024       # a settings file is a few hundred bytes
MAX_TEXT = 2048                    # longest accepted string value (URLs included)
MIN_EVAL_MEMORY_BUDGET = 256 * 2**20   # below this no V1 chunk fits; engine/budget.py explains the budget
MAX_EVAL_MEMORY_BUDGET = 2**50         # a sanity cap for the file; the dialog caps at the machine's memory


@dataclass
class Settings:
    network: str = "sandbox"                  # sandbox | testnet | localnet | <rpc url> | env:<cli alias>
    custom_rpc_url: str = ""
    custom_faucet_url: str = ""
    theme: str = "system"                     # system | light | dark
    hide_amounts: bool = False
    auto_lock_minutes: int = 10
    sandbox_epoch_minutes: int = 10
    sandbox_timed_epochs: bool = True
    sandbox_embedding_dim: int = 128
    eval_device: str = "auto"                 # auto | cpu | cuda
    eval_precision: str = "exact"             # exact | fast
    eval_threads: int = 0                     # 0 = torch default
    eval_memory_budget: int = 0               # bytes; 0 = automatic ($SOMA_EVAL_MEMORY_BUDGET or half the RAM)
    network_timeout_s: float = 20.0
    last_account: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def validated(self) -> Settings:
        """Replace every invalid field by its default (values set in code or by a hand-edited file)."""
        for name in invalid_fields(asdict(self)):
            setattr(self, name, getattr(DEFAULTS, name))
        return self


# --- the rules ------------------------------------------------------------------------------------

def _text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT and "\x00" not in value


def _one_of(*choices: object) -> Callable[[object], bool]:
    return lambda value: type(value) in (str, int) and value in choices


def _int_in(low: int, high: int) -> Callable[[object], bool]:
    return lambda value: type(value) is int and low <= value <= high


def _float_in(low: float, high: float) -> Callable[[object], bool]:
    # type() rejects bool; isinstance() tells mypy what the comparisons see
    return lambda value: (type(value) in (int, float) and isinstance(value, int | float) and math.isfinite(value)
                          and low <= value <= high)


RULES: dict[str, Callable[[object], bool]] = {
    "network": lambda v: isinstance(v, str) and _text(v) and bool(v.strip()),
    "custom_rpc_url": _text,
    "custom_faucet_url": _text,
    "theme": _one_of("system", "light", "dark"),
    "hide_amounts": lambda v: type(v) is bool,
    "auto_lock_minutes": _int_in(1, 240),
    "sandbox_epoch_minutes": _int_in(1, 24 * 60),
    "sandbox_timed_epochs": lambda v: type(v) is bool,
    "sandbox_embedding_dim": _one_of(16, 128, 2048),
    "eval_device": _one_of("auto", "cpu", "cuda"),
    "eval_precision": _one_of("exact", "fast"),
    "eval_threads": _int_in(0, 256),
    "eval_memory_budget": lambda v: v == 0 and type(v) is int or _int_in(MIN_EVAL_MEMORY_BUDGET,
                                                                           MAX_EVAL_MEMORY_BUDGET)(v),
    "network_timeout_s": _float_in(1.0, 300.0),
    "last_account": _text,
    "extra": lambda v: isinstance(v, dict),
}
DEFAULTS = Settings()


def invalid_fields(values: dict[str, Any]) -> list[str]:
    return [name for name, rule in RULES.items() if name in values and not rule(values[name])]


class SettingsInvalid(ValueError):
    """The file cannot be used as a whole (not JSON, not an object, unusable version)."""


# --- migrations -----------------------------------------------------------------------------------

def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    # v1 stored the sandbox epoch length in seconds.
    seconds = raw.pop("sandbox_epoch_seconds", None)
    if seconds is not None:
        if type(seconds) is not int:
            raise SettingsInvalid("sandbox_epoch_seconds is not a whole number")
        raw["sandbox_epoch_minutes"] = max(1, seconds // 60)
    return raw


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    version = raw.get("version", 1)
    if type(version) is not int or version < 1:
        raise SettingsInvalid(f"version {str(version)[:40]!r} is not a positive whole number")
    while version < SETTINGS_VERSION:
        raw = MIGRATIONS[version](raw)
        version += 1
    raw["version"] = version
    return raw


# --- load / save ----------------------------------------------------------------------------------

def _parse(text: str) -> dict[str, Any]:
    def _no_constants(name: str) -> float:
        raise SettingsInvalid(f"{name} is not a number")
    try:
        raw = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise SettingsInvalid("nested too deeply") from None
    except ValueError as exc:   # JSONDecodeError, an integer of thousands of digits
        raise SettingsInvalid(str(exc).splitlines()[0][:200]) from None
    if not isinstance(raw, dict):
        raise SettingsInvalid("not a JSON object")
    return raw


def _set_aside(path: Path, reason: str) -> None:
    """Keep the bad file for the user (never overwritten by the next save) and say so once."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    backup = path.with_name(f"{path.name}.bad-{stamp}")
    for n in range(2, 100):
        if not backup.exists():
            break
        backup = path.with_name(f"{path.name}.bad-{stamp}-{n}")   # two bad files in one second: keep both
    try:
        path.replace(backup)
        kept = f"The old file was kept as {backup}."
    except OSError as exc:
        kept = f"The old file could not be moved aside ({exc.strerror or exc})."
    log.warning("settings %s: %s; using defaults", path, reason)
    notices.add(f"Your settings file could not be used ({reason}). SOMA Desktop started with default "
                f"settings for it. {kept}")


def _strict_json(value: object) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return False
    return True


def load_settings(data_dir: Path) -> Settings:
    path = data_dir / FILE_NAME
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SettingsInvalid(f"larger than {MAX_FILE_BYTES} bytes")
        raw = migrate(_parse(path.read_text("utf-8")))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, SettingsInvalid) as exc:
        _set_aside(path, str(exc) if isinstance(exc, SettingsInvalid) else f"unreadable: {type(exc).__name__}")
        return Settings()
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known}
    bad = invalid_fields(values)
    for name in bad:
        values.pop(name)
    extra = {k: v for k, v in raw.items() if k not in known and k != "version"}
    settings = Settings(**values)
    settings.extra = {**settings.extra, **extra}
    for key in [k for k, v in settings.extra.items() if not _strict_json(v)]:
        settings.extra.pop(key)     # e.g. 1e400 parsed as inf: it could not be written back as JSON
        bad.append(key)
    if bad:
        _set_aside(path, "invalid " + ", ".join(bad))
    return settings


def save_settings(data_dir: Path, settings: Settings) -> None:
    payload = asdict(settings.validated())
    extra = payload.pop("extra")
    kept = {k: v for k, v in extra.items() if k not in payload and k != "version" and _strict_json(v)}
    payload = {"version": SETTINGS_VERSION, **payload, **kept}
    atomic_write_text(data_dir / FILE_NAME, json.dumps(payload, indent=2, sort_keys=True, allow_nan=False))
