"""Typed, versioned app settings stored as JSON in the data dir (never secrets).

Each version bump adds one migration function; unknown keys from newer versions are preserved so a
downgrade does not lose them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from soma_desktop.core.storage import atomic_write_text

log = logging.getLogger(__name__)

SETTINGS_VERSION = 2
FILE_NAME = "settings.json"


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
    network_timeout_s: float = 20.0
    last_account: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def validated(self) -> "Settings":
        """Clamp values a hand-edited file could break."""
        if self.theme not in {"system", "light", "dark"}:
            self.theme = "system"
        if self.eval_device not in {"auto", "cpu", "cuda"}:
            self.eval_device = "auto"
        if self.eval_precision not in {"exact", "fast"}:
            self.eval_precision = "exact"
        self.auto_lock_minutes = min(max(int(self.auto_lock_minutes), 1), 240)
        self.sandbox_epoch_minutes = min(max(int(self.sandbox_epoch_minutes), 1), 24 * 60)
        self.eval_threads = min(max(int(self.eval_threads), 0), 256)
        self.network_timeout_s = min(max(float(self.network_timeout_s), 1.0), 300.0)
        if self.sandbox_embedding_dim not in {16, 128, 2048}:
            self.sandbox_embedding_dim = 128
        return self


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    # v1 stored the sandbox epoch length in seconds.
    seconds = raw.pop("sandbox_epoch_seconds", None)
    if seconds is not None:
        raw["sandbox_epoch_minutes"] = max(1, int(seconds) // 60)
    return raw


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    version = int(raw.get("version", 1))
    while version < SETTINGS_VERSION:
        raw = MIGRATIONS[version](raw)
        version += 1
    raw["version"] = version
    return raw


def load_settings(data_dir: Path) -> Settings:
    path = data_dir / FILE_NAME
    try:
        raw = json.loads(path.read_text("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("settings file is not a JSON object")
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings unreadable (%s); using defaults and keeping a backup", exc)
        path.replace(path.with_suffix(".json.bad"))
        return Settings()
    raw = migrate(raw)
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in raw.items() if k in known and k != "extra"}
    extra = {k: v for k, v in raw.items() if k not in known and k != "version"}
    try:
        settings = Settings(**values)
    except TypeError:
        settings = Settings()
    settings.extra = {**raw.get("extra", {}), **extra} if isinstance(raw.get("extra", {}), dict) else extra
    return settings.validated()


def save_settings(data_dir: Path, settings: Settings) -> None:
    payload = asdict(settings.validated())
    extra = payload.pop("extra")
    payload = {"version": SETTINGS_VERSION, **payload, **{k: v for k, v in extra.items() if k not in payload}}
    atomic_write_text(data_dir / FILE_NAME, json.dumps(payload, indent=2, sort_keys=True))
