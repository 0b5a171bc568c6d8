"""Messages for the user found before any window exists (a reset settings file, a lost journal...).

The core layer cannot show dialogs, so start-up code records notices here and the UI shows each one once,
after the main window appears. Thread-safe; `take()` empties the list.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_pending: list[str] = []


def add(text: str) -> None:
    with _lock:
        if text not in _pending:
            _pending.append(text)


def take() -> list[str]:
    with _lock:
        out = list(_pending)
        _pending.clear()
        return out
