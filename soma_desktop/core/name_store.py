"""Names the user gives to things the chain leaves unnamed (models, contacts), in one small JSON file.

Local only, never sent anywhere, never secrets. Written atomically; a damaged file reads as empty rather
than stopping the app (the names are a convenience), and the caller is told so it can say it.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from soma_desktop.core.storage import atomic_write_text

MAX_NAME_CHARS = 80
MAX_ENTRIES = 100_000
MAX_FILE_BYTES = 16 * 1024 * 1024


class NameFileError(ValueError):
    """The names file exists but cannot be used; the message says what to do."""


def clean_name(text: str) -> str:
    """Trim, drop control characters, cap the length ("" removes a name)."""
    if not isinstance(text, str):
        raise TypeError("a name is text")
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:MAX_NAME_CHARS]


class NameStore:
    """{key: name} in `path`; keys are ids or addresses (already normalised by the caller)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        if self.path.stat().st_size > MAX_FILE_BYTES:
            raise NameFileError(f"{self.path.name} is larger than 16 MiB; move it away to start a new list")
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise NameFileError(f"{self.path.name} is damaged ({exc.__class__.__name__}); "
                                "move it away to start a new list") from None
        if not isinstance(data, dict) or not isinstance(data.get("names", {}), dict):
            raise NameFileError(f"{self.path.name} has an unknown layout; move it away to start a new list")
        names = {}
        for key, value in list(data.get("names", {}).items())[:MAX_ENTRIES]:
            if isinstance(key, str) and isinstance(value, str) and clean_name(value):
                names[key] = clean_name(value)
        return names

    def save(self, names: dict[str, str]) -> None:
        payload = {"version": 1, "names": {k: v for k, v in sorted(names.items()) if v}}
        atomic_write_text(self.path, json.dumps(payload, indent=1, ensure_ascii=False))
